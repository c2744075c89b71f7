"""A login answered 429 with ``Retry-After`` over a real TLS socket (#11).

Within the client's bound (``max_retry_after_s``) the login waits exactly as long as the
controller asked, says so once, and is tried again; beyond it the login fails at once with an
error naming the wait asked for. The waits are read from stamina's retry hooks, and the
simulator's ``Retry-After`` is a fraction of a second, so nothing waits long.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import stamina
import stamina.instrumentation
from pydantic import SecretStr
from structlog.testing import capture_logs

from unifi_scanner.collect import Collector
from unifi_scanner.controller import ControllerClient, build_ssl_context
from unifi_scanner.errors import LoginRateLimitedError

from .conftest import frozen_now

if TYPE_CHECKING:
    from collections.abc import Iterator

    from unifi_scanner.collect import Collection
    from unifi_scanner.simulator import SimulatorServer

pytestmark = pytest.mark.e2e

DEADLINE_S = 20.0
LOGIN = "api/auth/login"


@pytest.fixture(name="retry_waits")
def retry_waits_fixture() -> Iterator[list[float]]:
    """Real (not test-mode) stamina retries, recording each scheduled wait; both switches reset."""
    waits: list[float] = []
    previous = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks([lambda details: waits.append(details.wait_for)])
    try:
        with stamina.set_testing(False):
            yield waits
    finally:
        stamina.instrumentation.set_on_retry_hooks(previous)


async def _faults(server: SimulatorServer, method: str, body: object = None) -> dict[str, Any]:
    """Call the simulator's ``/__sim__/faults`` control endpoint."""
    async with httpx.AsyncClient(verify=server.ssl_context(), base_url=server.base_url) as http:
        reply = await http.request(method, "/__sim__/faults", json=body)
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


async def _login_strikes(server: SimulatorServer) -> int:
    """How many logins the injected 429 answered."""
    rules = (await _faults(server, "GET"))["endpoints"]
    return sum(rule["hits"] for rule in rules if rule["endpoint"] == LOGIN)


async def _collect(server: SimulatorServer, **options: Any) -> Collection:
    """One scan through a real ControllerClient, bounded by the deadline."""
    assert server.ca_pem_path is not None
    context = build_ssl_context(ca_bundle=server.ca_pem_path)
    async with (
        asyncio.timeout(DEADLINE_S),
        httpx.AsyncClient(verify=context) as http,
        ControllerClient(
            http,
            host=server.host,
            port=server.port,
            username=server.username,
            password=SecretStr(server.password),
            **options,
        ) as client,
    ):
        return await Collector(client, now=frozen_now).collect()


async def test_login_429_waits_the_retry_after_within_the_bound_then_logs_in(
    simulator, retry_waits
):
    """A login answered 429 + Retry-After waits exactly that long, says so, and succeeds (#11)."""
    await _faults(
        simulator, "POST", {"kind": "429", "endpoint": LOGIN, "seconds": 0.05, "times": 1}
    )
    with capture_logs() as logs:
        collection = await _collect(simulator, max_retry_after_s=1.0)
    assert await _login_strikes(simulator) == 1
    assert retry_waits == [pytest.approx(0.05)]
    waits = [entry for entry in logs if "rate-limited our login" in entry["event"]]
    assert [(entry["log_level"], entry["wait_s"]) for entry in waits] == [("warning", 0.05)]
    assert collection.snapshot.devices
    assert collection.snapshot.notes == ()


async def test_login_429_asking_for_longer_than_the_bound_fails_at_once_naming_the_wait(
    simulator, retry_waits
):
    """A Retry-After beyond max_retry_after_s is not waited for; the error names it (#11)."""
    await _faults(simulator, "POST", {"kind": "429", "endpoint": LOGIN, "seconds": 3600})
    with pytest.raises(LoginRateLimitedError) as caught:
        await _collect(simulator, max_retry_after_s=60.0)
    assert "asked us to wait 3600 s" in str(caught.value)
    assert "longer than the 60 s we wait" in str(caught.value)
    assert caught.value.retry_after == 3600
    assert retry_waits == []
    assert await _login_strikes(simulator) == 1
