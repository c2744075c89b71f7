"""The events websocket: upgrade headers, frames, refusals and breaks, and the in-memory stream."""

from __future__ import annotations

import asyncio
import socket

import pytest
from pydantic import SecretStr
from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

from unifi_scanner.controller import ControllerWebsocket, EventStream, Flavour, MemoryEventStream
from unifi_scanner.errors import (
    AuthenticationError,
    ControllerResponseError,
    ControllerUnreachableError,
)

TIMEOUT = 5


async def test_handshake_on_unifi_os_carries_token_cookie_and_csrf(make_client):
    """UniFi OS: wss URL under /proxy/network, Cookie TOKEN=… and the login's CSRF token."""
    client = make_client(flavour=Flavour.UNIFI_OS)
    url, headers = await client.websocket_handshake()
    assert url == "wss://controller.test:443/proxy/network/wss/s/default/events"
    assert headers["Cookie"] == "TOKEN=jwt-1"
    assert headers["X-CSRF-Token"] == "csrf-login-1"
    assert "Accept" not in headers


async def test_handshake_on_legacy_uses_unifises_without_prefix(make_client, fake):
    """Legacy: /wss/s/{site}/events on its port with the unifises cookie."""
    fake.flavour = Flavour.LEGACY
    client = make_client(flavour=Flavour.LEGACY, port=8443, site="branch office")
    url, headers = await client.websocket_handshake()
    assert url == "wss://controller.test:8443/wss/s/branch%20office/events"
    assert headers["Cookie"] == "unifises=sess-1"


async def test_handshake_with_api_key_sends_the_key_and_never_logs_in(make_client, fake):
    """An API key goes in X-API-KEY; no login, no cookie."""
    client = make_client(
        flavour=Flavour.UNIFI_OS, username=None, password=None, api_key=SecretStr("k")
    )
    _, headers = await client.websocket_handshake()
    assert headers == {"X-API-KEY": "k"}
    assert fake.logins == 0
    await client.relogin()
    assert fake.logins == 0


async def test_relogin_logs_in_again_and_the_handshake_uses_the_new_session(make_client, fake):
    """relogin() always logs in once more; the next upgrade carries the new cookie."""
    client = make_client(flavour=Flavour.UNIFI_OS)
    await client.websocket_handshake()
    await client.relogin()
    _, headers = await client.websocket_handshake()
    assert fake.logins == 2
    assert headers["Cookie"] == "TOKEN=jwt-2"
    assert headers["X-CSRF-Token"] == "csrf-login-2"


async def _read_into(stream, seen: list[str]) -> None:
    """Append every frame to ``seen`` (kept when iteration raises)."""
    async for frame in stream:
        seen.append(frame)  # noqa: PERF401 - the frames before an error must stay


class _Server:
    """A plain websockets server on 127.0.0.1 that records upgrade headers."""

    def __init__(self, *, status: int | None = None, frames=(), close_code: int = 1000) -> None:
        self.status = status
        self.frames = list(frames)
        self.close_code = close_code
        self.headers: list[Headers] = []
        self.closed = asyncio.Event()

    def process_request(self, _connection, request):
        self.headers.append(request.headers)
        if self.status is not None:
            return Response(self.status, "Refused", Headers(), b"")
        return None

    async def handler(self, connection):
        for frame in self.frames:
            await connection.send(frame)
        if self.close_code == 1000:
            await connection.close()
        else:
            await connection.close(self.close_code)
        self.closed.set()


@pytest.fixture(name="ws_client")
def ws_client_fixture(make_client):
    """A client whose websocket goes to a loopback ws:// server."""

    def _make(port: int):
        return make_client(host="127.0.0.1", port=port, scheme="http", flavour=Flavour.UNIFI_OS)

    return _make


async def _run_server(server: _Server):
    return await serve(
        server.handler, "127.0.0.1", 0, process_request=server.process_request, compression=None
    )


async def test_frames_arrive_as_text_with_pongs_skipped_and_binary_decoded(ws_client):
    """Text frames are yielded, "pong" is skipped, binary frames are decoded as UTF-8."""
    server = _Server(frames=['{"a":1}', "pong", b'{"b":2}'])
    async with await _run_server(server) as ws_server, asyncio.timeout(TIMEOUT):
        port = ws_server.sockets[0].getsockname()[1]
        stream = await ControllerWebsocket.connect(ws_client(port), heartbeat_s=5)
        assert isinstance(stream, EventStream)
        frames = [frame async for frame in stream]
        await stream.close()
    assert frames == ['{"a":1}', '{"b":2}']
    assert server.headers[0]["Cookie"] == "TOKEN=jwt-1"
    assert server.headers[0]["X-CSRF-Token"] == "csrf-login-1"


async def test_an_abnormal_close_raises_unreachable_with_the_code(ws_client):
    """A close other than a normal one (1012 service restart) breaks iteration."""
    server = _Server(frames=["x"], close_code=1012)
    async with await _run_server(server) as ws_server, asyncio.timeout(TIMEOUT):
        port = ws_server.sockets[0].getsockname()[1]
        stream = await ControllerWebsocket.connect(ws_client(port))
        seen = []
        with pytest.raises(ControllerUnreachableError) as caught:
            await _read_into(stream, seen)
    assert seen == ["x"]
    assert caught.value.status == 1012
    assert caught.value.endpoint == "/proxy/network/wss/s/default/events"


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AuthenticationError), (403, AuthenticationError), (500, ControllerResponseError)],
)
async def test_a_refused_upgrade_is_translated(ws_client, status, error):
    """401/403 mean the session expired (AuthenticationError); others a response error."""
    server = _Server(status=status)
    async with await _run_server(server) as ws_server, asyncio.timeout(TIMEOUT):
        port = ws_server.sockets[0].getsockname()[1]
        with pytest.raises(error) as caught:
            await ControllerWebsocket.connect(ws_client(port))
    assert type(caught.value) is error
    assert caught.value.status == status


async def test_nothing_listening_is_unreachable(ws_client):
    """A closed port is ControllerUnreachableError, not an OSError."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with asyncio.timeout(TIMEOUT):
        with pytest.raises(ControllerUnreachableError, match="cannot open the events websocket"):
            await ControllerWebsocket.connect(ws_client(port))


async def test_memory_stream_yields_frames_then_ends_cleanly():
    """Frames given and pushed come out in order; end() stops iteration."""
    stream = MemoryEventStream(["a"])
    stream.push("b")
    stream.end()
    async with asyncio.timeout(TIMEOUT):
        assert [frame async for frame in stream] == ["a", "b"]


async def test_memory_stream_end_with_error_raises_it():
    """end(error) raises the error after the frames already pushed."""
    stream = MemoryEventStream(["a"])
    stream.end(ControllerUnreachableError("gone"))
    seen = []
    async with asyncio.timeout(TIMEOUT):
        with pytest.raises(ControllerUnreachableError, match="gone"):
            await _read_into(stream, seen)
    assert seen == ["a"]


async def test_memory_stream_close_ends_a_waiting_iteration():
    """close() wakes an iteration waiting for frames and ends it."""
    stream = MemoryEventStream()

    async def consume():
        return [frame async for frame in stream]

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)
    await stream.close()
    async with asyncio.timeout(TIMEOUT):
        assert await task == []
    assert stream.closed
