"""A routed fake controller (httpx.MockTransport) for Collector tests; stamina in test mode."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
import pytest
import stamina
from pydantic import SecretStr

from unifi_scanner.collect import Collector
from unifi_scanner.controller import ControllerClient, Flavour

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
PREFIX = "/proxy/network"


def ok(data, **meta):
    """A classic ok envelope reply."""
    return httpx.Response(200, json={"meta": {"rc": "ok", **meta}, "data": data})


class RoutedController:
    """UniFi OS fake: login works; each route is a reply or a function of the request."""

    def __init__(self) -> None:
        self.routes: dict[str, httpx.Response | Callable[[httpx.Request], httpx.Response]] = {}
        self.requests: list[httpx.Request] = []

    def route(self, path: str, reply) -> None:
        self.routes[PREFIX + path] = reply

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/api/auth/login":
            return httpx.Response(200, json={}, headers={"X-CSRF-Token": "t"})
        reply = self.routes.get(path)
        if reply is None:
            return httpx.Response(404, json={"meta": {"rc": "error"}, "data": []})
        return reply(request) if callable(reply) else reply

    def bodies(self, path: str) -> list[dict]:
        return [json.loads(r.content) for r in self.requests if r.url.path == PREFIX + path]


@pytest.fixture(autouse=True)
def _stamina_testing() -> Iterator[None]:
    """No waiting between retries; the switch is reset after each test."""
    with stamina.set_testing(True, attempts=2):
        yield


@pytest.fixture(name="controller")
def controller_fixture() -> RoutedController:
    fake = RoutedController()
    fake.route("/api/self/sites", ok([{"_id": "s1", "name": "default", "desc": "Default"}]))
    return fake


@pytest.fixture(name="collector")
async def collector_fixture(controller: RoutedController):
    async with httpx.AsyncClient(transport=httpx.MockTransport(controller.handler)) as http:
        client = ControllerClient(
            http,
            host="controller.test",
            port=443,
            flavour=Flavour.UNIFI_OS,
            username="ro",
            password=SecretStr("pw"),
        )
        yield Collector(client, now=lambda: NOW)
