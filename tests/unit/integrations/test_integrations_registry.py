"""The registry: configured, unconfigured, partial, disabled and broken integrations."""

from __future__ import annotations

import pytest

from unifi_scanner.config import IntegrationSettings, Settings
from unifi_scanner.integrations import (
    BUILTIN_INTEGRATIONS,
    IntegrationRegistry,
    IntegrationStatus,
    default_registry,
)
from unifi_scanner.testing import FakeIntegration, fake_integration_class


class _Settings(Settings):
    off: IntegrationSettings = IntegrationSettings(enabled=False)


def test_unconfigured_integration_is_skipped_silently(logs):
    """An unconfigured integration is not returned, not reported and not logged."""
    registry = IntegrationRegistry([fake_integration_class("nothing", configured=False)])
    selection = registry.select(Settings())
    assert selection.configured == ()
    assert selection.skipped == ()
    assert logs == []


def test_configured_integration_is_instantiated_with_settings():
    """A configured integration is built from the settings and returned."""
    settings = Settings()
    registry = IntegrationRegistry([fake_integration_class("good")])
    (integration,) = registry.get_configured(settings)
    assert isinstance(integration, FakeIntegration)
    assert integration.name == "good"
    assert integration.settings is settings


def test_partial_configuration_logs_exactly_one_warning_naming_what_is_missing(logs):
    """A partially configured integration is skipped with one warning naming the setting."""
    missing = "UNIFI_HALF_ACCOUNT_ID is not set"
    registry = IntegrationRegistry(
        [fake_integration_class("half", configured=False, missing=missing)]
    )
    selection = registry.select(Settings())
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert len(warnings) == 1
    assert warnings[0]["missing"] == missing
    assert warnings[0]["integration"] == "half"
    assert selection.configured == ()
    (skipped,) = selection.skipped
    assert skipped.status is IntegrationStatus.SKIPPED_PARTIAL_CONFIG
    assert skipped.section().error_message == missing


def test_raising_constructor_is_isolated_and_reported(logs):
    """A constructor that raises is reported as failed and the others still load."""
    registry = IntegrationRegistry(
        [
            fake_integration_class("broken", constructor_error=RuntimeError("boom")),
            fake_integration_class("fine"),
        ]
    )
    selection = registry.select(Settings())
    assert [i.name for i in selection.configured] == ["fine"]
    (skipped,) = selection.skipped
    assert skipped.name == "broken"
    assert skipped.status is IntegrationStatus.FAILED
    assert "boom" in skipped.reason
    assert [e["event"] for e in logs if e["log_level"] == "error"] == [
        "integration_failed_to_start"
    ]


def test_class_not_implementing_the_protocol_is_reported():
    """A registered class whose instances are not Integrations is reported as failed."""

    class NotAnIntegration:
        name = "odd"

        def __init__(self, settings: object) -> None:
            self.settings = settings

    selection = IntegrationRegistry([NotAnIntegration]).select(Settings())
    assert selection.configured == ()
    assert selection.skipped[0].status is IntegrationStatus.FAILED


def test_disabled_integration_is_not_instantiated():
    """An integration switched off in its settings section is reported as disabled."""
    registry = IntegrationRegistry(
        [fake_integration_class("off", constructor_error=AssertionError("built"))]
    )
    selection = registry.select(_Settings())
    assert selection.configured == ()
    assert selection.skipped[0].status is IntegrationStatus.DISABLED


def test_register_is_idempotent_and_rejects_a_second_class_under_one_name():
    """Registering the same class twice is a no-op; another class with that name is refused."""
    cls = fake_integration_class("dup")
    registry = IntegrationRegistry()
    assert registry.register(cls) is cls
    registry.register(cls)
    assert registry.names == ("dup",)
    with pytest.raises(ValueError, match="already registered"):
        registry.register(fake_integration_class("dup"))


def test_reset_restores_the_initial_classes():
    """reset() forgets classes registered later and keeps the initial ones."""
    first, later = fake_integration_class("first"), fake_integration_class("later")
    registry = IntegrationRegistry([first])
    registry.register(later)
    registry.reset()
    assert registry.names == ("first",)


def test_default_registry_holds_the_builtins():
    """default_registry() is a fresh registry of the hard-coded built-in list."""
    registry = default_registry()
    assert registry.names == tuple(cls.name for cls in BUILTIN_INTEGRATIONS)
    assert registry is not default_registry()


def test_renderer_for_returns_the_class_renderer_or_none():
    """The registry exposes an integration's own section renderer without naming it."""
    from unifi_scanner.integrations import DEFAULT_RENDERER

    plain = fake_integration_class("plain")
    fancy = fake_integration_class("fancy")
    fancy.section_renderer = DEFAULT_RENDERER  # type: ignore[attr-defined]
    registry = IntegrationRegistry([plain, fancy])
    assert registry.renderer_for("plain") is None
    assert registry.renderer_for("fancy") is DEFAULT_RENDERER
