"""The delivery seam: the :class:`Deliverer` Protocol and its :class:`DeliveryReceipt`.

The caller renders each format a deliverer asks for (``formats``), once, and passes the texts in;
a deliverer never renders. File, SMTP and webhook deliverers all fit this shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from unifi_scanner.errors import DeliveryError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from unifi_scanner.reports import Report

__all__ = ["Deliverer", "DeliveryReceipt", "require_formats"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryReceipt:
    """What a deliverer did with one report.

    Attributes:
        channel: the deliverer's ``name``.
        destinations: where it went: file paths, email recipients, webhook URLs (redacted).
        detail: one line for logs (a message id, an HTTP status), when there is one.
    """

    channel: str
    destinations: tuple[str, ...] = ()
    detail: str | None = None


@runtime_checkable
class Deliverer(Protocol):
    """Sends a rendered report somewhere.

    ``name`` is the registry key, the config section and the log field; it is also the
    ``channel`` of the :class:`~unifi_scanner.errors.DeliveryError` it raises.
    """

    @property
    def name(self) -> str:
        """Short, stable id (``file``, ``smtp``)."""
        ...

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats (keys of ``reports.RENDERERS``) this deliverer needs in ``rendered``."""
        ...

    async def deliver(self, report: Report, rendered: Mapping[str, str]) -> DeliveryReceipt:
        """Deliver ``report``.

        Args:
            report: the report, for metadata (site, time, severity counts for a subject line).
            rendered: the report's text by format; holds at least every one of ``formats``.

        Returns:
            What was delivered where.

        Raises:
            DeliveryError: the report could not be delivered.
        """
        ...


def require_formats(channel: str, formats: tuple[str, ...], rendered: Mapping[str, str]) -> None:
    """Raise :class:`DeliveryError` naming ``channel`` when ``rendered`` lacks one of ``formats``.

    Args:
        channel: the deliverer's ``name``.
        formats: the formats it needs.
        rendered: what it was given.
    """
    missing = [fmt for fmt in formats if fmt not in rendered]
    if missing:
        raise DeliveryError(f"not rendered: {', '.join(missing)}", channel=channel)
