"""Classic Network endpoints under ``{prefix}/api/``: the ``{"meta","data"}`` envelope."""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any

from starlette.routing import Route

from unifi_scanner.simulator.routes_common import json_body, network_route
from unifi_scanner.simulator.state import SimulatorState, classic_error, classic_ok

if TYPE_CHECKING:
    from collections.abc import Iterator

    from starlette.requests import Request
    from starlette.responses import Response

__all__ = ["EVENT_LIMIT", "classic_routes"]

EVENT_LIMIT = 3000
"""The most ``stat/event`` items one reply holds; ``meta.count`` tells the total."""

_HOUR_MS = 3_600_000


def _site_or_error(request: Request, state: SimulatorState) -> Response | None:
    if request.path_params["site"] != state.site.name:
        return classic_error("api.err.NoSiteContext", 400)
    return None


def _int(value: Any, default: int) -> int:  # noqa: ANN401
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


async def _status(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    return state.reply("status", {"meta": state.site.status_meta, "data": []})


def _listing(endpoint: str, attribute: str) -> Any:  # noqa: ANN401
    @network_route
    async def handler(request: Request, state: SimulatorState) -> Response:
        if (error := _site_or_error(request, state)) is not None:
            return error
        data: list[dict[str, Any]] = getattr(state.site, attribute)
        return state.reply(endpoint, classic_ok(data))

    return handler


@network_route
async def _self_sites(_request: Request, state: SimulatorState) -> Response:
    return state.reply("self/sites", classic_ok(state.site.self_sites))


@network_route
async def _self(_request: Request, state: SimulatorState) -> Response:
    user = {
        "admin_id": "sim-admin",
        "name": state.config.username,
        "is_super": True,
        "site_role": "admin",
    }
    return state.reply("self", classic_ok([user]))


@network_route
async def _devices(request: Request, state: SimulatorState) -> Response:
    if (error := _site_or_error(request, state)) is not None:
        return error
    body = await json_body(request) if request.method == "POST" else {}
    devices = state.site.devices
    macs = (body or {}).get("macs")
    if isinstance(macs, list) and macs:
        devices = [d for d in devices if d["mac"] in {str(m).lower() for m in macs}]
    return state.reply("stat/device", classic_ok(devices))


@network_route
async def _events(request: Request, state: SimulatorState) -> Response:
    if state.config.network >= 10:  # noqa: PLR2004 - Network 10 removed stat/event
        return classic_error("api.err.NotFound", 404)
    if (error := _site_or_error(request, state)) is not None:
        return error
    body = await json_body(request) if request.method == "POST" else dict(request.query_params)
    if body is None:
        return classic_error("api.err.InvalidPayload", 400)
    now_ms = int(state.config.now().timestamp() * 1000)
    within = _int(body.get("within"), 720)
    # a controller knows only what happened up to its clock
    feed = state.site.event_feed().window(now_ms - within * _HOUR_MS, now_ms)
    start = max(_int(body.get("_start"), 0), 0)
    limit = min(max(_int(body.get("_limit"), EVENT_LIMIT), 0), EVENT_LIMIT)
    oldest_first = body.get("_sort", "-time") == "time"
    if body.get("type"):  # walks the feed lazily: time grows with the position, memory does not
        wanted = body["type"]

        def matching() -> Iterator[dict[str, Any]]:
            return feed.matching(lambda e: e["key"] == wanted)

        if oldest_first:
            total = sum(1 for _ in matching())
            low = max(total - start - limit, 0)
            page = list(islice(matching(), low, max(total - start, low)))[::-1]
        else:
            found = matching()
            page = list(islice(found, start, start + limit))
            total = (
                start + len(page) + sum(1 for _ in found) if page else sum(1 for _ in matching())
            )
    else:
        page = feed.page(start, start + limit, oldest_first=oldest_first)
        total = len(feed)
    return state.reply("stat/event", classic_ok(page, total if len(page) < total else None))


@network_route
async def _alarms(request: Request, state: SimulatorState) -> Response:
    if state.config.network >= 10:  # noqa: PLR2004 - list/alarm is refused on Network 10
        return classic_error("api.err.InvalidObject", 400)
    if (error := _site_or_error(request, state)) is not None:
        return error
    body = await json_body(request) if request.method == "POST" else {}
    wanted = request.query_params.get("archived", str((body or {}).get("archived", ""))).lower()
    now_ms = int(state.config.now().timestamp() * 1000)
    alarms = [a for a in state.site.alarms if a["time"] <= now_ms]
    if wanted in {"true", "false"}:
        alarms = [a for a in alarms if a["archived"] is (wanted == "true")]
    return state.reply("list/alarm", classic_ok(alarms))


@network_route
async def _ips_events(request: Request, state: SimulatorState) -> Response:
    if state.config.network >= 10:  # noqa: PLR2004 - Network 10 removed stat/ips/event
        return classic_error("api.err.NotFound", 404)
    if (error := _site_or_error(request, state)) is not None:
        return error
    body = await json_body(request)
    if body is None:
        return classic_error("api.err.InvalidPayload", 400)
    now_ms = int(state.config.now().timestamp() * 1000)
    end = min(_int(body.get("end", body.get("_end")), now_ms), now_ms)
    start = _int(body.get("start", body.get("_start")), end - 24 * _HOUR_MS)
    feed = state.site.ips_feed().window(start, end)
    limit = max(_int(body.get("_limit"), 10_000), 0)
    return state.reply("stat/ips/event", classic_ok(feed.page(0, limit)))


def classic_routes(prefix: str) -> list[Route]:
    """The classic endpoints under ``prefix`` (``/proxy/network`` or ``""``).

    Args:
        prefix: the Network application's path prefix.

    Returns:
        Starlette routes.
    """
    site = f"{prefix}/api/s/{{site}}"
    both = ["GET", "POST"]
    return [
        Route(f"{prefix}/status", _status),
        Route(f"{prefix}/api/self/sites", _self_sites),
        Route(f"{prefix}/api/self", _self),
        Route(f"{site}/stat/sysinfo", _listing("stat/sysinfo", "sysinfo"), methods=both),
        Route(f"{site}/stat/health", _listing("stat/health", "health"), methods=both),
        Route(f"{site}/stat/device", _devices, methods=both),
        Route(f"{site}/stat/sta", _listing("stat/sta", "clients"), methods=both),
        Route(f"{site}/stat/event", _events, methods=both),
        Route(f"{site}/list/alarm", _alarms, methods=both),
        Route(f"{site}/stat/ips/event", _ips_events, methods=["POST"]),
        Route(f"{site}/rest/setting", _listing("rest/setting", "settings")),
        Route(f"{site}/get/setting", _listing("get/setting", "settings"), methods=both),
    ]
