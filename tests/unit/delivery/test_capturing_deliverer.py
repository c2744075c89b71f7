"""CapturingDeliverer: keeps what it is given and can fail on purpose."""

from __future__ import annotations

import pytest

from unifi_scanner.delivery import CapturingDeliverer, Deliverer
from unifi_scanner.errors import DeliveryError


async def test_keeps_each_delivery(report, rendered):
    """Each call is recorded with its report and renderings, in order."""
    deliverer = CapturingDeliverer()
    first = await deliverer.deliver(report, rendered)
    await deliverer.deliver(report, rendered)
    assert isinstance(deliverer, Deliverer)
    assert first.channel == "capture"
    assert first.detail == "captured #1"
    assert len(deliverer.deliveries) == 2
    assert deliverer.deliveries[0].report is report
    assert deliverer.deliveries[0].rendered == rendered


async def test_records_then_raises_the_configured_error(report, rendered):
    """With an error set, the call is recorded and the error raised."""
    error = DeliveryError("mailbox full", channel="smtp")
    deliverer = CapturingDeliverer("smtp", formats=["text"], error=error)
    with pytest.raises(DeliveryError) as caught:
        await deliverer.deliver(report, rendered)
    assert caught.value is error
    assert len(deliverer.deliveries) == 1
    assert deliverer.formats == ("text",)
    assert deliverer.name == "smtp"


async def test_missing_format_is_refused(report):
    """A capture asking for text refuses a delivery without it, like a real deliverer."""
    with pytest.raises(DeliveryError, match="text"):
        await CapturingDeliverer(formats=["text"]).deliver(report, {"html": ""})
