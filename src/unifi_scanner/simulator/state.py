"""The simulator's mutable state (site, sessions, faults, websockets) and shared reply helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response

from unifi_scanner.simulator.auth import Session, SessionStore
from unifi_scanner.simulator.config import GeneratorSpec
from unifi_scanner.simulator.faults import FaultBook
from unifi_scanner.simulator.scenarios import load_scenario
from unifi_scanner.simulator.site import Site, build_site

if TYPE_CHECKING:
    import asyncio

    from starlette.requests import HTTPConnection

    from unifi_scanner.simulator.config import Faults, SimulatorConfig

__all__ = [
    "Auth",
    "SimulatorState",
    "classic_error",
    "classic_ok",
    "reply",
    "unauthorized",
    "v2_error",
]

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})


@dataclass(slots=True)
class Auth:
    """How a request was authenticated.

    Attributes:
        session: the session, or ``None`` when an API key was used.
        updated_csrf: a rotated CSRF token to send back in ``X-Updated-CSRF-Token``.
    """

    session: Session | None
    updated_csrf: str | None = None


@dataclass(slots=True)
class SimulatorState:
    """Everything that changes while the simulator runs; kept on ``app.state.sim``.

    Args:
        config: the configuration the app was created with.
    """

    config: SimulatorConfig
    site: Site = field(init=False)
    sessions: SessionStore = field(init=False)
    book: FaultBook = field(init=False)
    websockets: set[asyncio.Queue[tuple[str, str]]] = field(default_factory=set)

    def __post_init__(self) -> None:
        """Build the site from the scenario at the current time."""
        self.sessions = SessionStore(self.config)
        self.book = FaultBook(self.config.faults)
        self.rebuild()

    @property
    def faults(self) -> Faults:
        """The faults in force; assigning replaces them all (their counters start again)."""
        return self.book.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self.book.set(faults)

    def rebuild(self) -> None:
        """Build the site again from the scenario, relative to the clock's current time."""
        config = self.config
        generator = config.generator
        if generator is None and config.scenario == "busy-office":
            generator = GeneratorSpec()
        spec = load_scenario("busy-office" if generator else config.scenario, generator=generator)
        self.site = build_site(
            spec,
            network=config.network,
            now_s=int(config.now().timestamp()),
            generator=generator,
            seed=config.seed,
        )

    def broadcast(self, kind: str, text: str) -> int:
        """Queue a frame (``kind="send"``) or a close (``kind="drop"``) for every open websocket.

        Args:
            kind: ``"send"`` or ``"drop"``.
            text: the frame's text (ignored for drops).

        Returns:
            How many websockets were told.
        """
        for queue in self.websockets:
            queue.put_nowait((kind, text))
        return len(self.websockets)

    def authorize(self, request: HTTPConnection) -> Auth | Response:
        """Check a Network request's API key or session (and CSRF on UniFi OS writes).

        Args:
            request: the incoming request or websocket.

        Returns:
            The authentication, or the error reply to send instead.
        """
        config = self.config
        if config.flavour == "legacy":
            session = self.sessions.lookup(request.cookies.get("unifises"))
            if session is None:
                return classic_error("api.err.LoginRequired", 401)
            return Auth(session, self._count(session, request))
        key = request.headers.get("x-api-key")
        if key is not None:
            return Auth(None) if config.api_key and key == config.api_key else unauthorized()
        session = self.sessions.lookup(request.cookies.get("TOKEN"))
        if session is None:
            return unauthorized()
        method = request.scope.get("method", "GET")
        if method in WRITE_METHODS and not self.sessions.check_csrf(
            session, request.headers.get("x-csrf-token")
        ):
            return unauthorized()
        return Auth(session, self._count(session, request))

    def _count(self, session: Session, request: HTTPConnection) -> str | None:
        rotate = self.book.strikes_once(request.scope["path"], "csrf-rotation") is not None
        return self.sessions.count_request(session, rotate=rotate)

    def reply(
        self,
        endpoint: str,
        body: Any,  # noqa: ANN401 - any JSON value
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """A JSON reply, cut short when ``endpoint`` is switched to malformed.

        Args:
            endpoint: the endpoint's name, as used by the ``malformed`` fault.
            body: the JSON body.
            status: the HTTP status.
            headers: extra headers.

        Returns:
            The response.
        """
        if endpoint in self.faults.malformed:
            text = json.dumps(body)
            return Response(
                text[: max(len(text) // 2, 1)], status, headers, media_type="application/json"
            )
        return JSONResponse(body, status, headers)


def reply(request: HTTPConnection, endpoint: str, body: Any, status: int = 200) -> Response:  # noqa: ANN401
    """A JSON reply through the app's state (honours the malformed fault).

    Args:
        request: the incoming request.
        endpoint: the endpoint's name.
        body: the JSON body.
        status: the HTTP status.

    Returns:
        The response.
    """
    state: SimulatorState = request.app.state.sim
    return state.reply(endpoint, body, status)


def classic_ok(data: list[Any], count: int | None = None) -> dict[str, Any]:
    """The classic envelope ``{"meta":{"rc":"ok"},"data":[…]}`` (``meta.count`` when truncated)."""
    meta: dict[str, Any] = {"rc": "ok"}
    if count is not None:
        meta["count"] = count
    return {"meta": meta, "data": data}


def classic_error(msg: str, status: int) -> Response:
    """A classic error envelope ``{"meta":{"rc":"error","msg":msg},"data":[]}``."""
    return JSONResponse({"meta": {"rc": "error", "msg": msg}, "data": []}, status)


def v2_error(status: int, message: str) -> Response:
    """A v2 error ``{"errorCode":status,"message":message}``."""
    return JSONResponse({"errorCode": status, "message": message}, status)


def unauthorized() -> Response:
    """UniFi OS's reply to a missing or expired TOKEN (or a missing CSRF token on a write)."""
    return JSONResponse({"error": {"code": 401, "message": "Unauthorized"}}, 401)
