"""Fixtures for the simulator's tests: a controllable clock and in-process clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from unifi_scanner.simulator import DEFAULT_PASSWORD, DEFAULT_USERNAME, SimulatorConfig, create_app

FROZEN = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CREDENTIALS = {"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD}


class Clock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = FROZEN

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(name="clock")
def clock_fixture() -> Clock:
    """A clock frozen at FROZEN until advanced."""
    return Clock()


@pytest.fixture(name="make_client")
async def make_client_fixture(clock):
    """Build an httpx client talking to a fresh in-process simulator."""
    clients: list[httpx.AsyncClient] = []

    def _make(**overrides) -> httpx.AsyncClient:
        config = SimulatorConfig(now=clock, **overrides)
        app = create_app(config)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://sim.test"
        )
        client.app = app  # type: ignore[attr-defined]
        clients.append(client)
        return client

    yield _make
    for client in clients:
        await client.aclose()


@pytest.fixture(name="credentials")
def credentials_fixture() -> dict[str, str]:
    """The simulator's default login body."""
    return dict(CREDENTIALS)


@pytest.fixture(name="login")
def login_fixture():
    """Log a client in; returns the headers later writes need (the CSRF token on UniFi OS)."""

    async def _login(client: httpx.AsyncClient, *, legacy: bool = False) -> dict[str, str]:
        path = "/api/login" if legacy else "/api/auth/login"
        response = await client.post(path, json=CREDENTIALS)
        assert response.status_code == 200
        return {} if legacy else {"X-CSRF-Token": response.headers["x-csrf-token"]}

    return _login
