"""A deliverer that keeps what it is given, for tests and dry runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from unifi_scanner.delivery.base import DeliveryReceipt, require_formats

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from unifi_scanner.errors import DeliveryError
    from unifi_scanner.reports import Report

__all__ = ["CapturedDelivery", "CapturingDeliverer"]

_ALL_FORMATS = ("html", "json", "markdown", "text")


@dataclass(frozen=True, slots=True, kw_only=True)
class CapturedDelivery:
    """One call of :meth:`CapturingDeliverer.deliver`."""

    report: Report
    rendered: Mapping[str, str]


class CapturingDeliverer:
    """Keeps every report it is given in :attr:`deliveries`; optionally fails on purpose.

    Args:
        name: its ``name`` (and the ``channel`` of its receipts).
        formats: the formats it asks for.
        error: when set, :meth:`deliver` records the call and then raises this error.
    """

    def __init__(
        self,
        name: str = "capture",
        formats: Iterable[str] = _ALL_FORMATS,
        *,
        error: DeliveryError | None = None,
    ) -> None:
        self._name = name
        self._formats = tuple(formats)
        self.error = error
        self.deliveries: list[CapturedDelivery] = []

    @property
    def name(self) -> str:
        """The name given."""
        return self._name

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats given."""
        return self._formats

    async def deliver(self, report: Report, rendered: Mapping[str, str]) -> DeliveryReceipt:
        """Record the delivery, then raise :attr:`error` if one is set.

        Args:
            report: the report.
            rendered: the report's text by format.

        Returns:
            A receipt naming this deliverer, with no destinations.

        Raises:
            DeliveryError: a format is missing, or :attr:`error` is set.
        """
        require_formats(self._name, self._formats, rendered)
        self.deliveries.append(CapturedDelivery(report=report, rendered=dict(rendered)))
        if self.error is not None:
            raise self.error
        return DeliveryReceipt(channel=self._name, detail=f"captured #{len(self.deliveries)}")
