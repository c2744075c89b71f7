"""The events websocket: ``{prefix}/wss/s/{site}/events``."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING, Any

from starlette.routing import WebSocketRoute

from unifi_scanner.simulator.state import Auth, SimulatorState

if TYPE_CHECKING:
    from starlette.websockets import WebSocket

__all__ = ["CLOSE_DROPPED", "envelope", "websocket_routes"]

CLOSE_DROPPED = 1012
"""The close code sent when the simulator is told to drop websockets ("service restart")."""


def envelope(message: str, data: list[Any]) -> str:
    """A websocket frame: ``{"meta":{"rc":"ok","message":message},"data":[…]}``.

    Args:
        message: the message type (``events``, ``alert``, ``device:sync``…).
        data: the items.

    Returns:
        The frame's text.
    """
    return json.dumps({"meta": {"rc": "ok", "message": message}, "data": data})


def _greeting(state: SimulatorState) -> list[str]:
    site = state.site
    events = [e for e in site.events if e["key"] != "EVT_IPS_IpsAlert"][:5]
    alerts = [a for a in site.alarms if not a["archived"]][:3]
    return [
        envelope("events", events),
        envelope("alert", alerts),
        envelope("device:sync", site.devices),
    ]


async def _events(websocket: WebSocket) -> None:
    state: SimulatorState = websocket.app.state.sim
    if (
        not isinstance(state.authorize(websocket), Auth)
        or websocket.path_params["site"] != state.site.name
    ):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    state.websockets.add(queue)
    receiver = asyncio.ensure_future(websocket.receive())
    getter = asyncio.ensure_future(queue.get())
    try:
        for frame in _greeting(state):
            await websocket.send_text(frame)
        while True:
            done, _ = await asyncio.wait({receiver, getter}, return_when=asyncio.FIRST_COMPLETED)
            if receiver in done:
                message = receiver.result()
                if message["type"] == "websocket.disconnect":
                    return
                if message.get("text") == "ping":
                    await websocket.send_text("pong")
                receiver = asyncio.ensure_future(websocket.receive())
            if getter in done:
                kind, text = getter.result()
                if kind == "drop":
                    await websocket.close(code=CLOSE_DROPPED)
                    return
                await websocket.send_text(text)
                getter = asyncio.ensure_future(queue.get())
    finally:
        state.websockets.discard(queue)
        for task in (receiver, getter):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def websocket_routes(prefix: str) -> list[WebSocketRoute]:
    """The websocket route under ``prefix``.

    Args:
        prefix: the Network application's path prefix.

    Returns:
        Starlette websocket routes.
    """
    return [WebSocketRoute(f"{prefix}/wss/s/{{site}}/events", _events)]
