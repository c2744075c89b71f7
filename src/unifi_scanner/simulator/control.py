"""Fault injection (an ASGI middleware) and the ``/__sim__/`` control endpoints for tests."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from unifi_scanner.simulator.routes_common import json_body
from unifi_scanner.simulator.websocket import envelope

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.types import ASGIApp, Receive, Scope, Send

    from unifi_scanner.simulator.config import Faults
    from unifi_scanner.simulator.state import SimulatorState

__all__ = ["CONTROL_PREFIX", "FaultMiddleware", "control_routes"]

CONTROL_PREFIX = "/__sim__"
STARTING_UP_BODY = "<html><body>Login Failed: Host starting up</body></html>"


class FaultMiddleware:
    """Applies the current faults to every request outside ``/__sim__/``.

    Args:
        app: the wrapped ASGI app (its ``state.sim`` is read on every request).
    """

    def __init__(self, app: ASGIApp, state: SimulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Delay, replace or pass the request on, as the faults say."""
        if scope["type"] not in {"http", "websocket"} or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        faults = self.state.faults
        if faults.delay > 0:
            await self.state.config.sleep(faults.delay)
        broken: Response | None = None
        if faults.status is not None:
            broken = HTMLResponse(
                f"<html><body><h1>{faults.status}</h1></body></html>", faults.status
            )
        elif faults.starting_up:
            broken = HTMLResponse(STARTING_UP_BODY, 200)
        if broken is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013, "reason": ""})
        else:
            await broken(scope, receive, send)


def _faults_json(faults: Faults) -> dict[str, Any]:
    return {
        "status": faults.status,
        "starting_up": faults.starting_up,
        "delay": faults.delay,
        "malformed": sorted(faults.malformed),
    }


async def _state(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    config = state.config
    return JSONResponse(
        {
            "flavour": config.flavour,
            "network": config.network,
            "scenario": config.scenario,
            "faults": _faults_json(state.faults),
            "sessions": len(state.sessions.sessions),
            "websockets": len(state.websockets),
        }
    )


async def _set_faults(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    body = await json_body(request)
    if body is None or not set(body) <= {"status", "starting_up", "delay", "malformed"}:
        return JSONResponse(
            {"error": "expected an object with status, starting_up, delay, malformed"}, 400
        )
    changes: dict[str, Any] = dict(body)
    if "malformed" in changes:
        changes["malformed"] = frozenset(changes["malformed"] or ())
    if "delay" in changes:
        changes["delay"] = float(changes["delay"] or 0)
    state.faults = dataclasses.replace(state.faults, **changes)
    return JSONResponse(_faults_json(state.faults))


async def _reset(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    state.faults = state.config.faults
    state.sessions.locked_until = None
    state.sessions.failures = 0
    state.rebuild()
    return JSONResponse(_faults_json(state.faults))


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
    """The ``/__sim__/`` endpoints: state, faults, reset, expire-sessions, drop-websockets, ws-send.

    Returns:
        Starlette routes.
    """
    return [
        Route(f"{CONTROL_PREFIX}/state", _state),
        Route(f"{CONTROL_PREFIX}/faults", _set_faults, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/reset", _reset, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/expire-sessions", _expire_sessions, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/drop-websockets", _drop_websockets, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/ws-send", _ws_send, methods=["POST"]),
    ]
