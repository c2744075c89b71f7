"""The integration registry: a hard-coded list of classes, instantiated from Settings.

No plugin discovery: the built-ins are listed in :data:`BUILTIN_INTEGRATIONS`
(``unifi_scanner.integrations.builtin``), and the ``app`` package builds one registry per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from unifi_scanner.config import IntegrationSettings
from unifi_scanner.integrations.base import (
    Enricher,
    Integration,
    IntegrationSection,
    IntegrationStatus,
    SectionRenderer,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from unifi_scanner.config import Settings

__all__ = [
    "IntegrationClass",
    "IntegrationRegistry",
    "Selection",
    "SkippedIntegration",
    "display_name_of",
    "section_settings",
]

log = structlog.get_logger(__name__)

IntegrationClass = type[Any]
"""A class whose ``cls(settings)`` is an :class:`Integration`, with a ``name`` class attribute."""


def _class_name(cls: Callable[..., Any]) -> str:
    """Return the ``name`` of an integration class (its ``name`` class attribute)."""
    value = getattr(cls, "name", None)
    return value if isinstance(value, str) else getattr(cls, "__name__", repr(cls))


def display_name_of(obj: object, name: str) -> str:
    """Return an integration's optional ``display_name``, else its name, capitalised."""
    value = getattr(obj, "display_name", None)
    return value if isinstance(value, str) else name.replace("_", " ").title()


def section_settings(settings: Settings | None, name: str) -> IntegrationSettings | None:
    """Return the settings section of the integration called ``name``, when Settings has one."""
    section = getattr(settings, name, None)
    return section if isinstance(section, IntegrationSettings) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedIntegration:
    """An integration that will not run, and why (never the silently unconfigured).

    Attributes:
        name: the integration's ``name``.
        display_name: its heading.
        status: ``skipped-partial-config``, ``disabled`` or ``failed`` (constructor raised).
        reason: what the user should know.
    """

    name: str
    display_name: str
    status: IntegrationStatus
    reason: str

    def section(self) -> IntegrationSection:
        """Return the report section that says why it did not run."""
        return IntegrationSection(
            name=self.name,
            display_name=self.display_name,
            success=False,
            status=self.status,
            error_message=self.reason,
        )


@dataclass(frozen=True, slots=True)
class Selection:
    """The outcome of :meth:`IntegrationRegistry.select`."""

    configured: tuple[Integration | Enricher, ...]
    skipped: tuple[SkippedIntegration, ...]


class IntegrationRegistry:
    """Integration classes by ``name``, in registration order.

    Args:
        classes: the classes to start with (``unifi_scanner.app`` passes the built-ins).
    """

    def __init__(self, classes: Iterable[IntegrationClass] = ()) -> None:
        self._initial = tuple(classes)
        self._classes: dict[str, IntegrationClass] = {}
        self.reset()

    def register(self, cls: IntegrationClass) -> IntegrationClass:
        """Add ``cls``; registering the same class again does nothing.

        Usable as a class decorator.

        Args:
            cls: an integration class with a ``name`` class attribute.

        Returns:
            ``cls``.

        Raises:
            ValueError: another class is already registered under that name.
        """
        name = _class_name(cls)
        existing = self._classes.get(name)
        if existing is not None and existing is not cls:
            raise ValueError(f"integration name {name!r} is already registered by {existing!r}")
        self._classes[name] = cls
        return cls

    def reset(self) -> None:
        """Forget everything registered since construction (for tests)."""
        self._classes = {}
        for cls in self._initial:
            self.register(cls)

    @property
    def names(self) -> tuple[str, ...]:
        """The registered names, in registration order."""
        return tuple(self._classes)

    def classes(self) -> Mapping[str, IntegrationClass]:
        """Return the registered classes by name."""
        return dict(self._classes)

    def renderer_for(self, name: str) -> SectionRenderer | None:
        """Return the ``section_renderer`` class attribute of integration ``name``, if any."""
        renderer = getattr(self._classes.get(name), "section_renderer", None)
        return renderer if isinstance(renderer, SectionRenderer) else None

    def select(self, settings: Settings) -> Selection:
        """Instantiate every registered class and sort them into configured and skipped.

        Unconfigured integrations (``is_configured()`` false, ``validate_config()`` None) are
        left out silently. A partially configured one (``validate_config()`` returns a message)
        logs one warning naming what is missing. A constructor that raises is logged and reported,
        and never stops the others.

        Args:
            settings: the scanner's settings; each integration reads its own section.

        Returns:
            The configured integrations and the skipped ones with their reasons.
        """
        configured: list[Integration | Enricher] = []
        skipped: list[SkippedIntegration] = []
        for name, cls in self._classes.items():
            display = display_name_of(cls, name)
            section = section_settings(settings, name)
            if section is not None and not section.enabled:
                skipped.append(_skip(name, display, IntegrationStatus.DISABLED, "disabled"))
                continue
            outcome = self._instantiate(name, display, cls, settings)
            if isinstance(outcome, SkippedIntegration):
                skipped.append(outcome)
            elif outcome is not None:
                configured.append(outcome)
        return Selection(tuple(configured), tuple(skipped))

    def get_configured(self, settings: Settings) -> list[Integration | Enricher]:
        """Return the integrations that are fully configured (see :meth:`select`).

        Args:
            settings: the scanner's settings.

        Returns:
            Instances ready for :class:`IntegrationRunner`.
        """
        return list(self.select(settings).configured)

    @staticmethod
    def _instantiate(
        name: str, display: str, cls: IntegrationClass, settings: Settings
    ) -> Integration | Enricher | SkippedIntegration | None:
        try:
            integration = cls(settings)
            _check_protocol(cls, integration)
            missing = integration.validate_config()
            configured = integration.is_configured()
        except Exception as exc:
            log.error("integration_failed_to_start", integration=name, exc_info=exc)  # noqa: TRY400
            reason = f"{display}: could not start ({type(exc).__name__}: {exc})"
            return _skip(name, display, IntegrationStatus.FAILED, reason)
        if missing:
            log.warning("integration_partially_configured", integration=name, missing=missing)
            return _skip(name, display, IntegrationStatus.SKIPPED_PARTIAL_CONFIG, missing)
        return integration if configured else None


def _check_protocol(cls: IntegrationClass, integration: object) -> None:
    if not isinstance(integration, Integration | Enricher):
        raise TypeError(f"{cls!r} implements neither the Integration nor the Enricher protocol")


def _skip(name: str, display: str, status: IntegrationStatus, reason: str) -> SkippedIntegration:
    return SkippedIntegration(name=name, display_name=display, status=status, reason=reason)
