"""Fault injection (an ASGI middleware) and the ``/__sim__/`` control endpoints for tests.

The control endpoints sit at the server root under ``/__sim__/``, outside the Network prefix
and the login paths: no real controller path starts with it, the project's client never builds
it, and a request under the Network prefix (``/proxy/network/__sim__/…``) is an ordinary
Network request (401 or 404), never a control one.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from unifi_scanner.simulator.faults import parse_faults
from unifi_scanner.simulator.routes_auth import LOGIN_LIMIT_BODY, is_login_path
from unifi_scanner.simulator.routes_common import json_body
from unifi_scanner.simulator.websocket import envelope

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from unifi_scanner.simulator.config import EndpointFault
    from unifi_scanner.simulator.state import SimulatorState

__all__ = ["CONTROL_PREFIX", "FaultMiddleware", "control_routes", "is_control_path"]

CONTROL_PREFIX = "/__sim__"
STARTING_UP_BODY = "<html><body>Login Failed: Host starting up</body></html>"
CLOSE_TRY_AGAIN = 1013

#: Kinds the middleware handles; the others act inside the routes (CSRF, websocket, flows).
_HTTP_KINDS = frozenset(
    {
        "latency",
        "500",
        "502",
        "503",
        "starting-up",
        "malformed-json",
        "truncated-json",
        "deep-json",
        "unexpected-shape",
        "rc-error",
        "v2-error",
        "429",
        "hang",
        "session-expiry",
    }
)
_JSON = "application/json"
DEEP_JSON_LEVELS = 1_000
"""How deep the ``deep-json`` fault nests its one item (valid JSON, beyond any sane limit)."""


def is_control_path(path: str) -> bool:
    """Whether ``path`` is a control endpoint (``/__sim__`` or under ``/__sim__/``).

    Args:
        path: the request's path.

    Returns:
        ``True`` for the control endpoints.
    """
    return path == CONTROL_PREFIX or path.startswith(f"{CONTROL_PREFIX}/")


def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


_STATIC: dict[str, tuple[int, str, str]] = {
    "500": (500, "text/html", "<html><body><h1>500</h1></body></html>"),
    "502": (502, "text/html", "<html><body><h1>502</h1></body></html>"),
    "503": (503, "text/html", "<html><body><h1>503</h1></body></html>"),
    "starting-up": (200, "text/html", STARTING_UP_BODY),
    "malformed-json": (200, _JSON, "{'meta': {'rc': ok}, data: [}"),
    "unexpected-shape": (200, _JSON, '"ok"'),
    "deep-json": (
        200,
        _JSON,
        '{"meta":{"rc":"ok"},"data":[' + "[" * DEEP_JSON_LEVELS + "]" * DEEP_JSON_LEVELS + "]}",
    ),
}


def broken_reply(rule: EndpointFault, path: str = "") -> Response:
    """The reply a replacing fault sends instead of the endpoint's.

    Args:
        rule: a rule whose kind replaces the reply (``500``, ``rc-error``, ``429``…).
        path: the request's path (a ``429`` on a login answers the login rate limit's body).

    Returns:
        The response.
    """
    kind = rule.kind
    if kind in _STATIC:
        status, media_type, text = _STATIC[kind]
        return Response(text, status, media_type=media_type)
    if kind == "rc-error":
        body: dict[str, Any] = {
            "meta": {"rc": "error", "msg": rule.message or "api.err.ServerError"},
            "data": [],
        }
        return JSONResponse(body, 200 if rule.status is None else rule.status)
    if kind == "v2-error":
        status = 500 if rule.status is None else rule.status
        message = rule.message or "Internal error"
        return JSONResponse({"errorCode": status, "message": message}, status)
    # "429"
    retry_after = _seconds(1.0 if rule.seconds is None else rule.seconds)
    if is_login_path(path):
        body = dict(LOGIN_LIMIT_BODY)
    else:
        body = {"code": "RATE_LIMITED", "message": rule.message or "Too many requests"}
    return JSONResponse(body, 429, {"Retry-After": retry_after})


def _truncating(send: Send) -> Send:
    """Wrap ``send`` so that the reply's body is cut in half (the ``truncated-json`` fault)."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        body = body[: max(len(body) // 2, 1)]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return wrapped


class FaultMiddleware:
    """Applies the current faults to every request outside ``/__sim__/``.

    Args:
        app: the wrapped ASGI app.
        state: the simulator's state (its fault book is read on every request).
    """

    def __init__(self, app: ASGIApp, state: SimulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Delay, hold, replace or pass the request on, as the faults say."""
        if scope["type"] not in {"http", "websocket"} or is_control_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        broken = await self._global()
        truncate = False
        if broken is None:
            broken, truncate = await self._endpoint(scope["path"])
        if broken is None:
            http = scope["type"] == "http"
            await self.app(scope, receive, _truncating(send) if truncate and http else send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN, "reason": ""})
        else:
            await broken(scope, receive, send)

    async def _global(self) -> Response | None:
        """The global switches: wait for ``delay``; the reply ``status``/``starting_up`` ask for."""
        faults = self.state.faults
        if faults.delay > 0:
            await self.state.config.sleep(faults.delay)
        if faults.status is not None:
            return HTMLResponse(
                f"<html><body><h1>{faults.status}</h1></body></html>", faults.status
            )
        if faults.starting_up:
            return HTMLResponse(STARTING_UP_BODY, 200)
        return None

    async def _endpoint(self, path: str) -> tuple[Response | None, bool]:
        """The endpoint rules: the reply to send instead (if any), and whether to truncate."""
        truncate = False
        for rule in self.state.book.strikes(path, _HTTP_KINDS):
            if rule.kind == "latency":
                await self.state.config.sleep(1.0 if rule.seconds is None else rule.seconds)
            elif rule.kind == "hang":
                await self.state.book.hold(rule)
            elif rule.kind == "session-expiry":
                self.state.sessions.expire_all()
            elif rule.kind == "truncated-json":
                truncate = True
            else:
                return broken_reply(rule, path), False
        return None, truncate


async def _state(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    config = state.config
    return JSONResponse(
        {
            "flavour": config.flavour,
            "network": config.network,
            "scenario": config.scenario,
            "faults": state.book.to_json(),
            "sessions": len(state.sessions.sessions),
            "websockets": len(state.websockets),
            "held": state.book.held,
        }
    )


async def _get_faults(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    return JSONResponse(state.book.to_json())


async def _set_faults(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    try:
        body = json.loads(await request.body() or b"{}")
        faults, rules = parse_faults(body, state.faults)
    except ValueError as err:
        return JSONResponse({"error": str(err)}, 400)
    state.book.add(faults, rules)
    return JSONResponse(state.book.to_json())


async def _clear_faults(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    endpoint = request.query_params.get("endpoint")
    if endpoint is None:
        state.faults = type(state.faults)()
    else:
        state.book.remove(endpoint)
    return JSONResponse(state.book.to_json())


async def _release(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    return JSONResponse({"released": state.book.release()})


async def _reset(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    state.faults = state.config.faults
    state.sessions.locked_until = None
    state.sessions.failures = 0
    state.rebuild()
    return JSONResponse(state.book.to_json())


async def _expire_sessions(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    state.sessions.expire_all()
    return JSONResponse({"expired": True})


async def _drop_websockets(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    return JSONResponse({"dropped": state.broadcast("drop", "")})


async def _ws_send(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    body = await json_body(request)
    if (
        body is None
        or not isinstance(body.get("message"), str)
        or not isinstance(body.get("data"), list)
    ):
        return JSONResponse({"error": 'expected {"message": str, "data": [...]}'}, 400)
    return JSONResponse({"sent": state.broadcast("send", envelope(body["message"], body["data"]))})


def control_routes() -> list[Route]:
    """The ``/__sim__/`` endpoints (no authentication; see ``docs/simulator.md``).

    Returns:
        Starlette routes.
    """
    return [
        Route(f"{CONTROL_PREFIX}/state", _state),
        Route(f"{CONTROL_PREFIX}/faults", _get_faults, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/faults", _set_faults, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/faults", _clear_faults, methods=["DELETE"]),
        Route(f"{CONTROL_PREFIX}/release", _release, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/reset", _reset, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/expire-sessions", _expire_sessions, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/drop-websockets", _drop_websockets, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/ws-send", _ws_send, methods=["POST"]),
    ]
