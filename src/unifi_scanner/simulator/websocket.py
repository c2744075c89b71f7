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


class _Frames:
    """Sends data frames; closes the connection once ``limit`` were sent (``ws-drop`` fault)."""

    def __init__(self, websocket: WebSocket, limit: int | None) -> None:
        self.websocket = websocket
        self.limit = limit
        self.sent = 0

    async def dropped(self) -> bool:
        """Close with :data:`CLOSE_DROPPED` when the limit is reached; whether it was."""
        if self.limit is None or self.sent < self.limit:
            return False
        await self.websocket.close(code=CLOSE_DROPPED)
        return True

    async def send(self, text: str) -> bool:
        """Send one frame; ``False`` when the connection was dropped after it."""
        await self.websocket.send_text(text)
        self.sent += 1
        return not await self.dropped()


async def _events(websocket: WebSocket) -> None:
    state: SimulatorState = websocket.app.state.sim
    if (
        not isinstance(state.authorize(websocket), Auth)
        or websocket.path_params["site"] != state.site.name
    ):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    drop = state.book.strikes_once(websocket.scope["path"], "ws-drop", use_after=False)
    frames = _Frames(websocket, None if drop is None else drop.after)
    if await frames.dropped():
        return
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    state.websockets.add(queue)
    try:
        for frame in _greeting(state):
            if not await frames.send(frame):
                return
        await _serve(websocket, queue, frames)
    finally:
        state.websockets.discard(queue)


async def _serve(
    websocket: WebSocket, queue: asyncio.Queue[tuple[str, str]], frames: _Frames
) -> None:
    """Answer pings and pass queued frames on until the client leaves or a drop."""
    receiver = asyncio.ensure_future(websocket.receive())
    getter = asyncio.ensure_future(queue.get())
    try:
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
                if not await frames.send(text):
                    return
                getter = asyncio.ensure_future(queue.get())
    finally:
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
