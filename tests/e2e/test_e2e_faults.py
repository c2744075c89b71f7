"""Collection survives every controller fault, one endpoint at a time, over a real TLS socket.

Faults are switched on through the simulator's own control endpoint (``POST /__sim__/faults``,
one rule per endpoint, optionally limited to ``times`` strikes); ``GET /__sim__/faults`` tells how
often each rule struck. Each scan must end with complete data, or complete data minus the faulty
endpoint with a collection note naming it: never an exception, never a hang past the deadline.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import stamina
import stamina.instrumentation
from pydantic import SecretStr

from unifi_scanner import app
from unifi_scanner.collect import Collector
from unifi_scanner.config import Settings
from unifi_scanner.controller import ControllerClient, build_ssl_context
from unifi_scanner.errors import ControllerUnreachableError, ScannerError
from unifi_scanner.simulator import Faults, SimulatorConfig, SimulatorServer

from .conftest import frozen_now

if TYPE_CHECKING:
    from collections.abc import Iterator

    from unifi_scanner.collect import Collection, Snapshot

pytestmark = pytest.mark.e2e

#: No scan in this module may take longer than this (CI must never hang).
DEADLINE_S = 20.0
#: The read timeout given to the client, so that a hanging endpoint fails fast.
READ_TIMEOUT_S = 0.3
#: The attempts stamina makes in test mode (without waiting between them).
ATTEMPTS = 3

ENDPOINTS = ("stat/event", "stat/device", "list/alarm", "traffic-flows")
TRANSIENT = ("latency", "502", "503", "html-starting-up", "429-retry-after", "session-expiry")
PERSISTENT = (
    "hang",
    "500",
    "502",
    "503",
    "html-starting-up",
    "malformed-json",
    "truncated-json",
    "unexpected-shape",
    "rc-error",
    "v2-error",
    "429-retry-after",
)

#: This module's fault names as simulator fault rules (the others are the simulator's own kinds).
_RULES: dict[str, dict[str, Any]] = {
    "latency": {"kind": "latency", "seconds": 0.05},
    "html-starting-up": {"kind": "starting-up"},
    "rc-error": {"kind": "rc-error", "message": "api.err.ServerError"},
    "v2-error": {"kind": "v2-error", "status": 500, "message": "Internal error"},
    "429-retry-after": {"kind": "429", "seconds": 1},
    "429-short": {"kind": "429", "seconds": 0.01},
    "429-long": {"kind": "429", "seconds": 3600},
}


@pytest.fixture(autouse=True)
def _stamina_testing() -> Iterator[None]:
    """Retries happen without waiting, a fixed number of times; the switch is reset after."""
    with stamina.set_testing(True, attempts=ATTEMPTS):
        yield


async def _control(server: SimulatorServer, method: str, body: object = None) -> dict[str, Any]:
    """Call the simulator's ``/__sim__/faults`` control endpoint (no authentication)."""
    async with httpx.AsyncClient(verify=server.ssl_context(), base_url=server.base_url) as http:
        reply = await http.request(method, "/__sim__/faults", json=body)
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


async def _inject(server: SimulatorServer, fault: str, endpoint: str, **limits: object) -> None:
    """Switch one fault on for one endpoint (``""``: every request) through the control API."""
    rule = {**_RULES.get(fault, {"kind": fault}), "endpoint": endpoint, **limits}
    await _control(server, "POST", rule)


async def _strikes(server: SimulatorServer) -> int:
    """How many requests the injected faults broke so far (``GET /__sim__/faults``)."""
    faults = await _control(server, "GET")
    return sum(rule["hits"] for rule in faults["endpoints"])


async def _collect(server: SimulatorServer, **options: object) -> Collection:
    """One Collector scan through a real ControllerClient, bounded by the deadline."""
    assert server.ca_pem_path is not None
    context = build_ssl_context(ca_bundle=server.ca_pem_path)
    timeout = httpx.Timeout(READ_TIMEOUT_S, connect=2.0)
    credentials: dict[str, object] = {
        "username": server.username,
        "password": SecretStr(server.password),
        **options,
    }
    async with (
        asyncio.timeout(DEADLINE_S),
        httpx.AsyncClient(verify=context, timeout=timeout) as http,
        ControllerClient(http, host=server.host, port=server.port, **credentials) as client,
    ):
        return await Collector(client, now=frozen_now).collect()


def _occurrences(snapshot: Snapshot) -> Counter[tuple[str, bool]]:
    """Events as (time, is-IPS) pairs: the same occurrence has other ids on other endpoints."""
    return Counter(
        (e.time.isoformat(), e.key == "EVT_IPS_IpsAlert" or e.key.startswith("THREAT_"))
        for e in snapshot.events
    )


@pytest.fixture(name="baseline")
async def baseline_fixture(simulator: SimulatorServer) -> Snapshot:
    """The snapshot of a scan without faults."""
    collection = await _collect(simulator)
    assert collection.snapshot.notes == ()
    return collection.snapshot


def _assert_complete(snapshot: Snapshot, baseline: Snapshot, *, exact: bool = True) -> None:
    if exact:
        assert _occurrences(snapshot) == _occurrences(baseline)
    else:
        assert not _occurrences(baseline) - _occurrences(snapshot), "no occurrence is lost"
    assert {d.mac for d in snapshot.devices} == {d.mac for d in baseline.devices}
    assert {c.mac for c in snapshot.clients} == {c.mac for c in baseline.clients}
    assert snapshot.health == baseline.health
    assert snapshot.controller == baseline.controller


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("kind", TRANSIENT)
async def test_transient_fault_on_one_endpoint_still_gives_complete_data(
    simulator, baseline, kind, endpoint
):
    """A fault that clears after one reply is retried (or re-logged into): nothing is missing."""
    await _inject(simulator, kind, endpoint, times=1)
    collection = await _collect(simulator)
    assert await _strikes(simulator) == 1, "the fault was injected"
    _assert_complete(collection.snapshot, baseline)
    assert collection.snapshot.notes == ()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("kind", PERSISTENT)
async def test_persistent_fault_on_one_endpoint_loses_only_that_endpoint(
    simulator, baseline, kind, endpoint
):
    """A fault that never clears costs at most that endpoint, with a note naming it."""
    await _inject(simulator, kind, endpoint)
    collection = await _collect(simulator)
    snapshot = collection.snapshot
    assert await _strikes(simulator) >= 1, "the fault was injected"
    failed = [p for p in collection.probes if not p.ok]
    assert [p.name for p in failed] == [endpoint]
    if endpoint == "stat/device":
        assert snapshot.devices == ()
        assert [(n.source, "stat/device" in n.message) for n in snapshot.notes] == [
            ("devices", True)
        ]
        snapshot_events_ok = _occurrences(snapshot) == _occurrences(baseline)
        assert snapshot_events_ok
        return
    if endpoint == "list/alarm":
        # Every alarm is also an event or an IPS alert: no occurrence is lost, but it is said.
        assert [(n.source, "list/alarm" in n.message) for n in snapshot.notes] == [("alarms", True)]
    else:
        # stat/event falls back to v2 system-log, traffic-flows to stat/ips/event: no gap.
        assert snapshot.notes == ()
    # From system-log an alarm's event has another id: dedup matches them by content.
    _assert_complete(snapshot, baseline)


async def test_fallback_to_system_log_does_not_count_alarms_twice(simulator, baseline):
    """With stat/event failing, events from system-log plus list/alarm hold each occurrence once."""
    await _inject(simulator, "500", "stat/event")
    collection = await _collect(simulator)
    assert _occurrences(collection.snapshot) == _occurrences(baseline)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_truncated_json_from_the_simulator_costs_only_that_endpoint(simulator, endpoint):
    """The simulator's own ``malformed`` switch (JSON cut in half) fails just that endpoint."""
    simulator.state.faults = Faults(malformed=frozenset({endpoint}))
    collection = await _collect(simulator)
    failed = [p for p in collection.probes if not p.ok]
    assert [p.name for p in failed] == [endpoint]
    assert "not JSON" in failed[0].detail


@pytest.mark.parametrize(
    "sim_config",
    [
        SimulatorConfig(now=frozen_now, csrf_rotate_every=1),
        SimulatorConfig(now=frozen_now, csrf_rotate_every=3),
    ],
)
async def test_csrf_rotation_is_followed(simulator, sim_config):
    """Every rotated ``X-Updated-CSRF-Token`` is picked up, so every POST is accepted."""
    collection = await _collect(simulator)
    assert all(p.ok for p in collection.probes), collection.probes
    assert collection.snapshot.notes == ()
    assert collection.snapshot.events


async def test_sessions_expiring_on_every_call_still_collect(simulator, baseline):
    """Even when the session is forgotten before each data call, one re-login per call suffices."""
    await _inject(simulator, "session-expiry", "", times=1, per_path=True)
    collection = await _collect(simulator)
    assert await _strikes(simulator) > len(collection.probes)
    _assert_complete(collection.snapshot, baseline)


class _RecordingSleep:
    """The simulator's ``sleep``: records what the ``delay`` fault asked for, waits a moment."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(0.001)


_SLEEP = _RecordingSleep()


@pytest.mark.parametrize(
    "sim_config", [SimulatorConfig(now=frozen_now, sleep=_SLEEP, faults=Faults(delay=2.5))]
)
async def test_global_latency_fault_still_gives_complete_data(simulator, sim_config):
    """The simulator's ``delay`` switch slows every reply; the scan still completes."""
    before = len(_SLEEP.asked)
    collection = await _collect(simulator)
    assert _SLEEP.asked[before:], "the delay fault was applied"
    assert set(_SLEEP.asked) == {2.5}
    assert all(p.ok for p in collection.probes)
    assert collection.snapshot.notes == ()


@pytest.mark.parametrize(
    "faults", [Faults(status=502), Faults(status=503), Faults(starting_up=True)]
)
async def test_controller_down_fails_fast_with_a_typed_error(simulator, faults):
    """A controller that is down everywhere ends the scan with a clear error, not a hang."""
    simulator.state.faults = faults
    with pytest.raises(ControllerUnreachableError):
        await _collect(simulator)


def _settings(server: SimulatorServer, tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "username": server.username,
        "password": SecretStr(server.password),
        "ca_bundle": server.ca_pem_path,
        "state_path": tmp_path / "state.sqlite3",
        "output_dir": tmp_path / "reports",
        "report_formats": ("json",),
        "timeout_s": READ_TIMEOUT_S,
        "scan_deadline_s": DEADLINE_S,
        **changes,
    }
    return Settings.model_validate(values)


def _report(outcome: app.ScanOutcome) -> dict:
    return json.loads(Path(outcome.files[0]).read_text(encoding="utf-8"))


@pytest.mark.parametrize("endpoint", ["stat/device", "stat/event"])
async def test_run_once_with_a_hanging_endpoint_reports_within_the_deadline(
    simulator, tmp_path, endpoint
):
    """A whole run with one endpoint that never answers still delivers its report in time."""
    await _inject(simulator, "hang", endpoint)
    async with asyncio.timeout(DEADLINE_S):
        (outcome,) = await app.run_once(_settings(simulator, tmp_path), now=frozen_now)
    report = _report(outcome)
    notes = " ".join(n["message"] for n in report["collection_notes"])
    if endpoint == "stat/device":
        assert "stat/device" in notes
    else:
        assert notes == ""
    assert report["findings"]


async def test_run_once_scan_deadline_turns_a_slow_controller_into_an_error(simulator, tmp_path):
    """When the whole scan overruns ``scan_deadline_s``, the run fails with a ScannerError."""
    await _inject(simulator, "hang", "stat/device")
    settings = _settings(simulator, tmp_path, timeout_s=5.0, scan_deadline_s=0.5)
    async with asyncio.timeout(DEADLINE_S):
        with pytest.raises(ScannerError, match="did not finish"):
            await app.run_once(settings, now=frozen_now)


async def test_deadline_is_kept_when_the_controller_hangs_after_login(simulator, tmp_path):
    """A controller that stops answering mid-scan cannot hold the run past its deadline."""
    await _inject(simulator, "hang", "", after=3)  # GET /, login and self/sites answer
    settings = _settings(simulator, tmp_path, timeout_s=5.0, scan_deadline_s=0.5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(DEADLINE_S):
        with pytest.raises(ScannerError, match="did not finish"):
            await app.run_once(settings, now=frozen_now)
    assert loop.time() - started < 2.5, "the logout must not wait for the read timeout"


@pytest.mark.parametrize("sim_config", [SimulatorConfig(now=frozen_now, scenario="busy-office")])
@pytest.mark.parametrize("kind", ["session-expiry", "503", "429-retry-after", "html-starting-up"])
async def test_fault_on_a_later_page_still_collects_every_page(simulator, baseline, kind):
    """A transient fault on the second stat/event page (of two) still gives every event."""
    await _inject(simulator, kind, "stat/event", times=1, after=1)
    collection = await _collect(simulator)
    assert await _strikes(simulator) == 1
    assert len(baseline.events) > 3000, "the scenario needs two pages"
    _assert_complete(collection.snapshot, baseline)
    assert collection.snapshot.notes == ()


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


@pytest.mark.parametrize(("kind", "expected"), [("429-short", 0.01), ("429-long", 0.02)])
async def test_retry_after_is_honoured_up_to_the_bound(
    simulator, baseline, retry_waits, kind, expected
):
    """A data call's 429 waits exactly Retry-After (capped at max_retry_after_s), then succeeds."""
    await _inject(simulator, kind, "stat/device", times=1)
    collection = await _collect(simulator, max_retry_after_s=0.02)
    assert retry_waits == [pytest.approx(expected)]
    _assert_complete(collection.snapshot, baseline)
