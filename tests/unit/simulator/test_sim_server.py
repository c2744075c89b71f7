"""SimulatorServer over real sockets: TLS with a trustme CA, pinning data and the websocket."""

from __future__ import annotations

import asyncio
import hashlib
import json

import httpx
import pytest
import websockets
from websockets.asyncio.client import connect

from unifi_scanner.errors import ScannerError
from unifi_scanner.simulator import SimulatorConfig, SimulatorServer, run_forever

pytestmark = pytest.mark.e2e


async def login_cookie(client: httpx.AsyncClient, name: str, server: SimulatorServer) -> str:
    path = "/api/auth/login" if name == "TOKEN" else "/api/login"
    body = {"username": server.username, "password": server.password}
    assert (await client.post(path, json=body)).status_code == 200
    return client.cookies[name]


async def test_tls_server_verifies_with_its_ca(clock):
    """Over HTTPS the CA PEM verifies the server, and the data is served on an ephemeral port."""
    async with SimulatorServer(SimulatorConfig(now=clock), tls=True) as server:
        assert server.base_url.startswith("https://127.0.0.1:")
        assert server.port > 0
        assert server.ca_pem_path is not None
        assert server.ca_pem_path.read_bytes() == server.ca_pem
        async with httpx.AsyncClient(
            base_url=server.base_url, verify=server.ssl_context()
        ) as client:
            assert (await client.get("/")).status_code == 200
            await login_cookie(client, "TOKEN", server)
            devices = await client.get("/proxy/network/api/s/default/stat/device")
            assert devices.json()["meta"]["rc"] == "ok"


async def test_tls_fingerprint_matches_served_certificate(clock):
    """cert_fingerprint is the SHA-256 of the certificate the server presents."""
    async with SimulatorServer(SimulatorConfig(now=clock), tls=True) as server:
        _, writer = await asyncio.open_connection(
            "127.0.0.1", server.port, ssl=server.ssl_context()
        )
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
        writer.close()
        await writer.wait_closed()
        assert hashlib.sha256(der).hexdigest() == server.cert_fingerprint


async def test_tls_untrusted_without_ca(clock):
    """Without the simulator's CA, certificate verification fails."""
    async with (
        SimulatorServer(SimulatorConfig(now=clock), tls=True) as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        with pytest.raises(httpx.ConnectError):
            await client.get("/")


async def test_port_before_start_raises():
    """Reading the port before start raises ScannerError."""
    with pytest.raises(ScannerError):
        _ = SimulatorServer().port


async def test_websocket_frames_ping_push_and_drop(clock):
    """The websocket sends its three frames, answers ping, relays pushes and drops on command."""
    async with (
        SimulatorServer(SimulatorConfig(now=clock), tls=True) as server,
        httpx.AsyncClient(base_url=server.base_url, verify=server.ssl_context()) as client,
    ):
        token = await login_cookie(client, "TOKEN", server)
        headers = {"Cookie": f"TOKEN={token}"}
        ssl_context = server.ssl_context()
        async with connect(server.websocket_url, ssl=ssl_context, additional_headers=headers) as ws:
            frames = [json.loads(await ws.recv()) for _ in range(3)]
            assert [f["meta"]["message"] for f in frames] == ["events", "alert", "device:sync"]
            assert all(f["meta"]["rc"] == "ok" for f in frames)
            assert len(frames[0]["data"]) > 1
            assert all(item["key"].startswith("EVT_") for item in frames[0]["data"])
            await ws.send("ping")
            assert await ws.recv() == "pong"
            item = {"key": "EVT_WU_Roam", "user": "02:00:5e:20:00:02"}
            body = {"message": "events", "data": [item]}
            assert (await client.post("/__sim__/ws-send", json=body)).json() == {"sent": 1}
            assert json.loads(await ws.recv())["data"] == [item]
            assert (await client.post("/__sim__/drop-websockets")).json() == {"dropped": 1}
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1012


async def test_websocket_rejects_without_cookie(clock):
    """A websocket upgrade without the session cookie is refused."""
    async with SimulatorServer(SimulatorConfig(now=clock), tls=True) as server:
        with pytest.raises(websockets.InvalidStatus):
            async with connect(server.websocket_url, ssl=server.ssl_context()):
                pass


async def test_legacy_websocket_path_plain_http(clock):
    """The legacy flavour serves /wss/s/{site}/events and takes the unifises cookie."""
    async with SimulatorServer(SimulatorConfig(now=clock, flavour="legacy")) as server:
        assert server.websocket_url.endswith(f":{server.port}/wss/s/default/events")
        async with httpx.AsyncClient(base_url=server.base_url) as client:
            cookie = await login_cookie(client, "unifises", server)
        async with connect(
            server.websocket_url, additional_headers={"Cookie": f"unifises={cookie}"}
        ) as ws:
            assert json.loads(await ws.recv())["meta"]["message"] == "events"


async def test_run_forever_serves_until_cancelled(clock):
    """run_forever starts serving, signals ready, and stops cleanly when cancelled."""
    ready = asyncio.Event()
    task = asyncio.create_task(
        run_forever(SimulatorConfig(now=clock), port=0, tls=False, ready=ready)
    )
    await ready.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
