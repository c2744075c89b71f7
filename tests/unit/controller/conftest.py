"""A scripted controller behind httpx.MockTransport, and stamina in test mode."""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable, Iterator

import httpx
import pytest
import stamina
from pydantic import SecretStr

from unifi_scanner.controller import ControllerClient, Flavour

HOST = "controller.test"
Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


def envelope(data, **meta):
    """A classic ok envelope."""
    return {"meta": {"rc": "ok", **meta}, "data": data}


class FakeController:
    """Answers GET / and login like a controller; other routes are scripted per test."""

    def __init__(self, flavour: Flavour = Flavour.UNIFI_OS) -> None:
        self.flavour = flavour
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], deque[Reply]] = defaultdict(deque)
        self.logins = 0
        self.csrf = "csrf-1"

    @property
    def prefix(self) -> str:
        return "/proxy/network" if self.flavour is Flavour.UNIFI_OS else ""

    def add(self, method: str, path: str, *replies: Reply) -> None:
        """Queue replies for a route; the last one repeats."""
        self.routes[(method, path)].extend(replies)

    envelope = staticmethod(envelope)

    def _login(self) -> httpx.Response:
        self.logins += 1
        if self.flavour is Flavour.UNIFI_OS:
            self.csrf = f"csrf-login-{self.logins}"
            return httpx.Response(
                200,
                json={"username": "admin"},
                headers={
                    "X-CSRF-Token": self.csrf,
                    "Set-Cookie": f"TOKEN=jwt-{self.logins}; path=/; secure; httponly",
                },
            )
        return httpx.Response(
            200,
            json=envelope([]),
            headers={"Set-Cookie": f"unifises=sess-{self.logins}; path=/; secure"},
        )

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path)
        queue = self.routes.get(key)
        if queue:
            reply = queue.popleft() if len(queue) > 1 else queue[0]
            return reply(request) if callable(reply) else reply
        if key == ("GET", "/"):
            if self.flavour is Flavour.UNIFI_OS:
                return httpx.Response(
                    200, text="<html></html>", headers={"Content-Type": "text/html"}
                )
            return httpx.Response(302, headers={"Location": "/manage"})
        if request.url.path in {"/api/auth/login", "/api/login"}:
            return self._login()
        if request.url.path in {"/api/auth/logout", "/api/logout"}:
            return httpx.Response(200, json=envelope([]))
        return httpx.Response(
            404, json={"meta": {"rc": "error", "msg": "api.err.NotFound"}, "data": []}
        )

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        """Requests that reached one route."""
        return [r for r in self.requests if r.method == method and r.url.path == path]

    def body(self, request: httpx.Request):
        return json.loads(request.content)


@pytest.fixture(autouse=True)
def _stamina_testing() -> Iterator[None]:
    """Retries happen without waiting, at most three attempts, and the switch is reset after."""
    with stamina.set_testing(True, attempts=3):
        yield


@pytest.fixture(name="fake")
def fake_fixture() -> FakeController:
    return FakeController()


@pytest.fixture(name="make_client")
async def make_client_fixture(fake: FakeController):
    clients: list[httpx.AsyncClient] = []

    def _make(**kwargs) -> ControllerClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(fake.handler))
        clients.append(http)
        options = {"host": HOST, "port": 443, "username": "admin", "password": SecretStr("pw")}
        options.update(kwargs)
        return ControllerClient(http, **options)

    yield _make
    for http in clients:
        await http.aclose()
