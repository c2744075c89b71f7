"""Live events over a real TLS websocket to the simulator: greeting, pushes, drops, re-login."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx
import pytest
from pydantic import SecretStr

from unifi_scanner.collect import EventSource, LiveCollector
from unifi_scanner.controller import ControllerClient, ControllerWebsocket, build_ssl_context
from unifi_scanner.errors import AuthenticationError, ControllerUnreachableError
from unifi_scanner.simulator import SimulatorConfig

from .conftest import FROZEN, frozen_now

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

TIMEOUT = 10


async def _no_wait(_seconds: float) -> None:
    """Reconnect at once (the backoff itself is unit-tested)."""


@pytest.fixture(name="tls")
def tls_fixture(simulator):
    """The TLS context the REST client and the websocket share (the simulator's CA)."""
    return build_ssl_context(ca_bundle=simulator.ca_pem_path)


@pytest.fixture(name="http")
async def http_fixture(tls) -> AsyncIterator[httpx.AsyncClient]:
    """The REST client's HTTP pool (its cookie jar holds the session)."""
    async with httpx.AsyncClient(verify=tls) as http:
        yield http


@pytest.fixture(name="client")
async def client_fixture(simulator, http) -> AsyncIterator[ControllerClient]:
    """A REST client on the simulator over TLS (flavour detected)."""
    async with ControllerClient(
        http,
        host=simulator.host,
        port=simulator.port,
        username=simulator.username,
        password=SecretStr(simulator.password),
    ) as client:
        yield client


async def _control(simulator, path: str, body: object = None) -> dict:
    """POST to the simulator's /__sim__/ control endpoints."""
    async with httpx.AsyncClient(verify=simulator.ssl_context()) as http:
        reply = await http.post(f"{simulator.base_url}/__sim__/{path}", json=body)
    reply.raise_for_status()
    return reply.json()


def _greeting_counts(simulator) -> tuple[int, int, int]:
    site = simulator.state.site
    events = [e for e in site.events if e["key"] != "EVT_IPS_IpsAlert"][:5]
    alerts = [a for a in site.alarms if not a["archived"]][:3]
    return len(events), len(alerts), len(site.devices)


def _pushed(n: int) -> dict:
    when = int(FROZEN.timestamp() * 1000) - 1000 * n
    return {"_id": f"live-{n}", "key": "EVT_WU_Roam", "time": when, "msg": f"roam {n}"}


@pytest.mark.parametrize(
    "sim_config",
    [
        pytest.param(SimulatorConfig(now=frozen_now), id="unifi-os"),
        pytest.param(SimulatorConfig(now=frozen_now, flavour="legacy"), id="legacy"),
    ],
)
async def test_live_events_arrive_survive_a_drop_and_keep_coming(simulator, client, tls):
    """Greeting frames become events and devices; pushed frames arrive, also after a drop."""
    events, alerts, devices = _greeting_counts(simulator)
    assert events  # the scenario must greet with something
    assert devices
    live = LiveCollector.for_client(client, ssl_context=tls, sleep=_no_wait)
    async with live, asyncio.timeout(TIMEOUT):
        stats = await live.wait_until(lambda s: s.received == events + alerts and s.devices)
        assert stats.devices == devices
        greeting, notes = live.drain()
        assert notes == ()
        sources = [e.source for e in greeting]
        assert sources.count(EventSource.WEBSOCKET) == events
        assert sources.count(EventSource.ALARM) == alerts

        assert (await _control(simulator, "ws-send", {"message": "events", "data": [_pushed(1)]}))[
            "sent"
        ] == 1
        await live.wait_until(lambda s: s.buffered == 1)
        (pushed,), _ = live.drain()
        assert (pushed.id, pushed.key, pushed.message) == ("live-1", "EVT_WU_Roam", "roam 1")

        assert (await _control(simulator, "drop-websockets"))["dropped"] == 1
        again = 2 * (events + alerts) + 1
        stats = await live.wait_until(lambda s: s.connects == 2 and s.received == again)
        assert stats.drops == 1
        await _control(simulator, "ws-send", {"message": "events", "data": [_pushed(2)]})
        await live.wait_until(lambda s: s.received == again + 1)
        after_drop, _ = live.drain()
    assert "live-2" in {e.id for e in after_drop}


class _RecordedSleeps(list):
    """An injected sleep that records each reconnect delay and returns at once."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


class _SteppingClock:
    """An injected monotonic clock that moves 5 s each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 5.0
        return self.now


async def test_a_socket_dropped_after_its_first_frame_reconnects_ever_more_slowly(
    simulator, client, tls
):
    """Drops right after the first frame keep the backoff growing: 1, 2, 4, 8, 16 s (#11)."""
    await _control(simulator, "faults", {"kind": "ws-drop", "endpoint": "events", "after": 1})
    sleeps = _RecordedSleeps()
    live = LiveCollector.for_client(
        client, ssl_context=tls, sleep=sleeps, jitter=lambda: 1.0, clock=_SteppingClock()
    )
    async with live, asyncio.timeout(TIMEOUT):
        stats = await live.wait_until(lambda s: s.drops >= 6)
    assert sleeps[:5] == [1, 2, 4, 8, 16]
    assert stats.connects >= 6
    assert stats.failures == 0
    assert stats.received >= 6  # each connection delivered its first frame before the drop


async def test_expired_session_is_renewed_through_rest_login(simulator, client, tls):
    """After the sessions expire the upgrade is refused; the collector logs in and reconnects."""
    live = LiveCollector.for_client(client, ssl_context=tls, sleep=_no_wait)
    async with live, asyncio.timeout(TIMEOUT):
        await live.wait_until(lambda s: s.connected)
        await _control(simulator, "expire-sessions")
        await _control(simulator, "drop-websockets")
        stats = await live.wait_until(lambda s: s.connects == 2)
    assert stats.relogins == 1


async def test_a_wrong_cookie_is_refused(simulator, client, http, tls):
    """An upgrade with a cookie the controller never issued is refused (AuthenticationError)."""
    await client.websocket_handshake()  # log in
    http.cookies.jar.clear()
    http.cookies.set("TOKEN", "forged", domain=simulator.host)
    _, headers = await client.websocket_handshake()
    assert headers["Cookie"] == "TOKEN=forged"
    async with asyncio.timeout(TIMEOUT):
        with pytest.raises(AuthenticationError) as caught:
            await ControllerWebsocket.connect(client, ssl_context=tls)
    assert caught.value.status in {401, 403}


async def test_a_pinned_fingerprint_that_does_not_match_refuses_the_websocket(simulator, client):
    """The websocket honours certificate pinning like the REST client does."""
    await client.websocket_handshake()  # log in over the trusted context
    pinned = build_ssl_context(fingerprint="00" * 32)
    async with asyncio.timeout(TIMEOUT):
        with pytest.raises(ControllerUnreachableError, match="UNIFI_TLS_FINGERPRINT"):
            await ControllerWebsocket.connect(client, ssl_context=pinned)


async def test_the_right_pinned_fingerprint_opens_the_websocket(simulator, client):
    """The simulator's own certificate fingerprint is accepted."""
    pinned = build_ssl_context(fingerprint=simulator.cert_fingerprint)
    async with asyncio.timeout(TIMEOUT):
        stream = await ControllerWebsocket.connect(client, ssl_context=pinned)
        first = await anext(aiter(stream))
        await stream.close()
    assert '"message": "events"' in first


async def test_an_untrusted_certificate_refuses_the_websocket_with_a_hint(client):
    """Without the CA the upgrade fails at once, saying how to trust the controller."""
    await client.websocket_handshake()  # log in over the trusted context
    async with asyncio.timeout(TIMEOUT):
        with pytest.raises(ControllerUnreachableError, match="UNIFI_CA_BUNDLE"):
            await ControllerWebsocket.connect(client, ssl_context=build_ssl_context())
