"""The decorator every Network route goes through: authentication, site lookup, CSRF rotation."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import ClientDisconnect
from starlette.responses import Response

from unifi_scanner.simulator.state import Auth, SimulatorState

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = ["Handler", "json_body", "network_route"]

Handler = Callable[["Request", SimulatorState], Awaitable["Response"]]


def network_route(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a Network handler: check the session or API key, then pass the rotated CSRF token on.

    Args:
        handler: ``async (request, state) -> Response``.

    Returns:
        A Starlette endpoint.
    """

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        state: SimulatorState = request.app.state.sim
        auth = state.authorize(request)
        if not isinstance(auth, Auth):
            return auth
        try:
            response = await handler(request, state)
        except ClientDisconnect:
            # The client went away mid-request (a scanner killed or timed out): nobody to answer.
            return Response(status_code=499)
        if auth.updated_csrf is not None:
            response.headers["X-Updated-CSRF-Token"] = auth.updated_csrf
        return response

    return endpoint


async def json_body(request: Request) -> dict[str, Any] | None:
    """The request's JSON object body (``{}`` when empty, ``None`` when not a JSON object).

    Args:
        request: the incoming request.

    Returns:
        The body, or ``None`` when it is not valid JSON or not an object.
    """
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
