"""Closing a session never holds the caller: bounded logout, no logout while cancelled."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic import SecretStr

from unifi_scanner.controller import ControllerClient
from unifi_scanner.controller import session as session_module
from unifi_scanner.controller.error_table import error_for
from unifi_scanner.errors import EndpointNotFoundError


class HangingLogout:
    """A UniFi OS console whose logout never answers."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.release = asyncio.Event()
        self.data_asked = asyncio.Event()

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if request.url.path == "/":
            return httpx.Response(200, text="<html></html>", headers={"Content-Type": "text/html"})
        if request.url.path == "/api/auth/login":
            return httpx.Response(200, json={"username": "admin"}, headers={"X-CSRF-Token": "t"})
        if request.url.path == "/api/auth/logout":
            await self.release.wait()
        self.data_asked.set()
        return httpx.Response(200, json={"meta": {"rc": "ok"}, "data": []})


@pytest.fixture(name="console")
async def console_fixture():
    console = HangingLogout()
    yield console
    console.release.set()


def _client(http: httpx.AsyncClient) -> ControllerClient:
    return ControllerClient(
        http, host="controller.test", port=443, username="admin", password=SecretStr("pw")
    )


async def test_logout_that_hangs_is_abandoned_after_the_bound(console, monkeypatch):
    """A logout that never answers is abandoned after LOGOUT_TIMEOUT_S; the session is forgotten."""
    monkeypatch.setattr(session_module, "LOGOUT_TIMEOUT_S", 0.05)
    async with httpx.AsyncClient(transport=httpx.MockTransport(console.handler)) as http:
        client = _client(http)
        await client.devices()
        async with asyncio.timeout(5):
            await client.aclose()
    assert console.paths.count("/api/auth/logout") == 1
    assert client.csrf_token is None


async def test_cancelled_scan_does_not_log_out(console):
    """Leaving the context because the task was cancelled sends no logout at all."""
    async with httpx.AsyncClient(transport=httpx.MockTransport(console.handler)) as http:
        client = _client(http)

        async def _scan() -> None:
            async with client:
                await client.devices()
                await asyncio.Event().wait()  # cancelled here, like a scan past its deadline

        task = asyncio.create_task(_scan())
        await console.data_asked.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert "/api/auth/logout" not in console.paths
    assert client.csrf_token is None


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (404, {"meta": {"rc": "error", "msg": "api.err.NotFound"}}, "(HTTP 404, api.err.NotFound)"),
        (400, {"meta": {"rc": "error", "msg": "api.err.InvalidObject"}}, "(HTTP 400, "),
        (404, None, "(HTTP 404)"),
    ],
)
def test_error_messages_carry_the_http_status(status, body, expected):
    """Every mapped error names the HTTP status, so `check` can show "stat/event … HTTP 404"."""
    error = error_for(status, body, endpoint="/api/s/default/stat/event")
    assert isinstance(error, EndpointNotFoundError)
    assert expected in str(error)
    assert str(error).startswith("/api/s/default/stat/event: ")
