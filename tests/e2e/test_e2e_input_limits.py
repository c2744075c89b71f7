"""Bounded input end to end: exported files, controller answers and websocket frames (#11).

Each kind of JSON the scanner reads from outside is held to its size, depth and item limits:
``analyze`` on a file over them exits 1 with one line; a controller answer over them costs only
its endpoint (a collection note) and the report still arrives; a live frame over them is dropped
and the stream goes on.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from pydantic import SecretStr
from structlog.testing import capture_logs

from unifi_scanner import app
from unifi_scanner.collect import LiveCollector
from unifi_scanner.controller import ControllerClient, build_ssl_context
from unifi_scanner.simulator import EndpointFault, Faults, SimulatorConfig

from .conftest import FROZEN, frozen_now
from .test_e2e_websocket import _greeting_counts

if TYPE_CHECKING:
    from unifi_scanner.simulator import SimulatorServer

pytestmark = pytest.mark.e2e

TIMEOUT_S = 20


def _analyze(*args: str) -> subprocess.CompletedProcess[str]:
    """``unifi-scanner analyze`` as a real process, without the caller's UNIFI_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFI_")}
    return subprocess.run(
        [sys.executable, "-m", "unifi_scanner", "analyze", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    "document",
    [
        pytest.param("[" * 1_000 + "]" * 1_000, id="arrays"),
        pytest.param('{"data":' * 1_000 + "[]" + "}" * 1_000, id="objects"),
    ],
)
def test_analyze_on_json_nested_1000_deep_exits_1_with_one_line(tmp_path, document):
    """Regression (#11): a 51-line RecursionError traceback; now one line naming file and limit."""
    path = tmp_path / "deep.json"
    path.write_text(document, encoding="utf-8")

    proc = _analyze(str(path))

    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"Error: {path}: cannot read exported JSON (nested deeper than the limit of 64 levels)"
    )
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_analyze_reads_a_file_nested_as_deep_as_the_limit(tmp_path):
    """An event carrying a value nested right up to the limit is analysed as usual."""
    event = {"_id": "e1", "key": "EVT_WU_Roam", "time": 1_764_158_400_000, "msg": "roam"}
    event["extra"] = json.loads("[" * 62 + "]" * 62)  # + the item + the list = 64
    path = tmp_path / "events.json"
    path.write_text(json.dumps([event]), encoding="utf-8")

    proc = _analyze(str(path), "--format", "json")

    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]


def _report(outcome: app.ScanOutcome) -> dict:
    return json.loads(Path(outcome.files[0]).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "sim_config",
    [
        SimulatorConfig(
            now=frozen_now,
            faults=Faults(endpoints=(EndpointFault(kind="deep-json", endpoint="stat/device"),)),
        )
    ],
)
async def test_an_over_deep_answer_becomes_a_note_and_the_report_arrives(settings, simulator):
    """stat/device answers JSON 1,000 deep: devices are noted unavailable, the rest is reported."""
    settings = settings.model_copy(update={"report_formats": ("json",)})

    async with asyncio.timeout(TIMEOUT_S):
        (outcome,) = await app.run_once(settings, now=frozen_now)

    assert simulator.state.book.to_json()["endpoints"][0]["hits"] >= 1, "the fault struck"
    assert outcome.problems == ()
    report = _report(outcome)
    notes = [note["message"] for note in report["collection_notes"]]
    (device_note,) = [n for n in notes if "stat/device" in n]
    assert device_note == (
        "Devices unavailable: stat/device failed (/proxy/network/api/s/default/stat/device "
        "answered a body nested deeper than the limit of 64 levels)"
    )
    findings = {(f["rule"], f["subject"]) for f in report["findings"]}
    assert ("ips.inside_threat", "PC Reception") in findings, "events were still collected"


async def _ws_send(simulator: SimulatorServer, body: object) -> int:
    async with httpx.AsyncClient(verify=simulator.ssl_context()) as http:
        reply = await http.post(f"{simulator.base_url}/__sim__/ws-send", json=body)
    reply.raise_for_status()
    sent: int = reply.json()["sent"]
    return sent


async def test_an_over_deep_live_frame_is_dropped_and_the_stream_goes_on(simulator):
    """A frame nested too deep is dropped with one warning; the next frame on the socket arrives."""
    tls = build_ssl_context(ca_bundle=simulator.ca_pem_path)
    deep: list = []
    for _ in range(70):
        deep = [deep]
    when = int(FROZEN.timestamp() * 1000)
    roam = {"_id": "after-the-deep-one", "key": "EVT_WU_Roam", "time": when, "msg": "roam"}

    async def no_wait(_seconds: float) -> None:
        """Reconnect at once (never needed here: the socket stays up)."""

    async with (
        httpx.AsyncClient(verify=tls) as http,
        ControllerClient(
            http,
            host=simulator.host,
            port=simulator.port,
            username=simulator.username,
            password=SecretStr(simulator.password),
        ) as client,
    ):
        live = LiveCollector.for_client(client, ssl_context=tls, sleep=no_wait)
        with capture_logs() as logs:
            async with live, asyncio.timeout(TIMEOUT_S):
                events, alerts, _ = _greeting_counts(simulator)
                greeted = events + alerts
                await live.wait_until(lambda s: s.received == greeted)
                live.drain()
                assert await _ws_send(simulator, {"message": "events", "data": [deep]}) == 1
                assert await _ws_send(simulator, {"message": "events", "data": [roam]}) == 1
                stats = await live.wait_until(lambda s: s.received == greeted + 1)
                events, notes = live.drain()
    assert (stats.over_limit, stats.connects, stats.drops) == (1, 1, 0)
    assert [e.id for e in events] == ["after-the-deep-one"]
    assert [n.message for n in notes] == [
        (
            "1 live frame was dropped unread, over the input limits "
            "(first: JSON nested deeper than the limit of 64 levels)"
        )
    ]
    dropped = [e for e in logs if e["event"] == "dropped a live frame over the input limits"]
    assert len(dropped) == 1
