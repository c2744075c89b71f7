"""The websocket drop fault over a real socket, and `unifi-scanner simulate`'s loopback guard."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets
from typer.testing import CliRunner
from websockets.asyncio.client import connect

from unifi_scanner import app
from unifi_scanner.cli import cli
from unifi_scanner.errors import ConfigError, ScannerError
from unifi_scanner.simulator import SimulatorConfig, SimulatorServer


async def _open(server: SimulatorServer, client: httpx.AsyncClient):
    body = {"username": server.username, "password": server.password}
    assert (await client.post("/api/auth/login", json=body)).status_code == 200
    headers = {"Cookie": f"TOKEN={client.cookies['TOKEN']}"}
    return connect(server.websocket_url, additional_headers=headers)


@pytest.mark.e2e
async def test_websocket_dropped_after_n_frames_once(clock):
    """ws-drop after=2 closes (1012) after two frames; with times=1 the next connection stays."""
    async with (
        SimulatorServer(SimulatorConfig(now=clock)) as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        rule = {"kind": "ws-drop", "endpoint": "events", "after": 2, "times": 1}
        assert (await client.post("/__sim__/faults", json=rule)).status_code == 200
        async with await _open(server, client) as ws:
            frames = [json.loads(await ws.recv()) for _ in range(2)]
            assert [f["meta"]["message"] for f in frames] == ["events", "alert"]
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1012
        async with await _open(server, client) as ws:
            frames = [json.loads(await ws.recv()) for _ in range(3)]
            assert frames[2]["meta"]["message"] == "device:sync"
            await ws.send("ping")
            assert await ws.recv() == "pong"


@pytest.mark.e2e
async def test_websocket_drop_counts_pushed_frames(clock):
    """after=4 lets the three greeting frames and one push through, then drops."""
    async with (
        SimulatorServer(SimulatorConfig(now=clock)) as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        rule = {"kind": "ws-drop", "endpoint": "wss/s/default/events", "after": 4}
        await client.post("/__sim__/faults", json=rule)
        async with await _open(server, client) as ws:
            for _ in range(3):
                await ws.recv()
            push = {"message": "events", "data": [{"key": "EVT_WU_Roam"}]}
            assert (await client.post("/__sim__/ws-send", json=push)).json() == {"sent": 1}
            assert json.loads(await ws.recv())["data"] == [{"key": "EVT_WU_Roam"}]
            with pytest.raises(websockets.ConnectionClosed):
                await ws.recv()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "controller.example"])  # noqa: S104
def test_simulate_refuses_a_non_loopback_host_without_allow_remote(host):
    """`simulate --host <not loopback>` exits 2 with a message naming --allow-remote."""
    result = CliRunner().invoke(cli, ["simulate", "--host", host, "--no-tls"])
    assert result.exit_code == 2
    assert "--allow-remote" in result.output
    assert host in result.output


@pytest.mark.e2e
async def test_simulate_binds_loopback_without_the_flag():
    """Host localhost passes the guard; the generator knobs and credentials are announced."""
    lines: list[str] = []
    ready = asyncio.Event()

    def announce(line: str) -> None:
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            ready.set()

    task = asyncio.create_task(
        app.simulate(
            host="localhost",
            port=0,
            scenario="demo",
            flavour="unifi-os",
            network=9,
            tls=False,
            announce=announce,
            username="tester",
            password="pw-123",
            devices=8,
            clients=30,
            events_per_day=100,
            days=2,
            seed=7,
        )
    )
    try:
        async with asyncio.timeout(10):
            await ready.wait()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    text = "\n".join(lines)
    assert "tester / pw-123" in text
    assert "8 devices, 30 clients, 200 events over 2 days, seed 7" in text
    assert "/__sim__/faults" in text


async def test_simulate_allow_remote_lets_the_guard_pass():
    """With allow_remote a non-loopback host passes the guard (then fails to bind: not ours)."""
    with pytest.raises(ConfigError, match="allow-remote"):
        await app.simulate(
            host="192.0.2.10", port=0, scenario="demo", flavour="legacy", network=9, tls=False
        )
    with pytest.raises(ScannerError, match="cannot bind") as caught:
        await app.simulate(
            host="192.0.2.10",
            port=0,
            scenario="demo",
            flavour="legacy",
            network=9,
            tls=False,
            allow_remote=True,
        )
    assert not isinstance(caught.value, ConfigError)
