"""v2 endpoints under ``{prefix}/v2/api/site/{site}/``: system-log and traffic-flows."""

from __future__ import annotations

import math
from itertools import islice
from typing import TYPE_CHECKING, Any

from starlette.routing import Route

from unifi_scanner.simulator.routes_common import json_body, network_route
from unifi_scanner.simulator.state import SimulatorState, v2_error
from unifi_scanner.simulator.v2records import SYSTEM_LOG_CATEGORIES, SYSTEM_LOG_CLASSES

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

__all__ = ["FLOW_PAGE_MAX", "SYSTEM_LOG_PAGE", "v2_routes"]

SYSTEM_LOG_PAGE = (100, 1000)
"""The ``pageSize`` range ``system-log`` accepts."""
FLOW_PAGE_MAX = 100
"""The largest ``pageSize`` ``traffic-flows`` accepts."""

_SEVERITIES = ("LOW", "MEDIUM", "HIGH", "VERY_HIGH")
_OLD_FLOW_KEYS = frozenset({"limit", "offset", "timeRange"})
_OLD_FLOW_LIMIT_MAX = 1000
_TIME_RANGES = {"1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000}


def _enum_error(value: str, allowed: Any) -> Response:  # noqa: ANN401
    message = (
        "JSON parse error: Cannot deserialize value of type `AlertCategory` "
        f'from String "{value}": '
        f"not one of the values accepted for Enum class: [{', '.join(sorted(allowed))}]"
    )
    return v2_error(400, message)


def _bounds(body: dict[str, Any], now_ms: int) -> tuple[int | None, int]:
    """The asked time range, never past the clock (a controller knows only the past)."""
    low, high = body.get("timestampFrom"), body.get("timestampTo")
    return (
        low if isinstance(low, int) else None,
        min(high, now_ms) if isinstance(high, int) else now_ms,
    )


def _now_ms(state: SimulatorState) -> int:
    return int(state.config.now().timestamp() * 1000)


def _page_numbers(body: dict[str, Any], default_size: int) -> tuple[int, int] | None:
    number, size = body.get("pageNumber", 0), body.get("pageSize", default_size)
    if not isinstance(number, int) or not isinstance(size, int) or number < 0:
        return None
    return number, size


@network_route
async def _system_log(request: Request, state: SimulatorState) -> Response:  # noqa: C901, PLR0911
    if request.path_params["site"] != state.site.name:
        return v2_error(400, "api.err.NoSiteContext")
    kind = request.path_params["kind"]
    if kind not in {*SYSTEM_LOG_CLASSES, "count", "filter-data"}:
        return v2_error(404, f"Unknown system-log class {kind}")
    body = await json_body(request)
    if body is None:
        return v2_error(400, "JSON parse error: body is not a JSON object")
    categories, severities = body.get("categories") or [], body.get("severities") or []
    for value in categories:
        if value not in SYSTEM_LOG_CATEGORIES:
            return _enum_error(str(value), SYSTEM_LOG_CATEGORIES)
    for value in severities:
        if value not in _SEVERITIES:
            return _enum_error(str(value), _SEVERITIES)
    if kind == "filter-data":
        return state.reply(
            "system-log",
            {"categories": sorted(SYSTEM_LOG_CATEGORIES), "severities": list(_SEVERITIES)},
        )
    feed = state.site.system_log_feed().window(*_bounds(body, _now_ms(state)))
    shown = SYSTEM_LOG_CLASSES.get(kind)
    # a filter that lets every value through filters nothing (and keeps paging indexable)
    categories = [] if set(categories) >= SYSTEM_LOG_CATEGORIES else categories
    severities = [] if set(severities) >= set(_SEVERITIES) else severities
    filtered = shown is not None or kind == "critical" or categories or severities

    def test(entry: dict[str, Any]) -> bool:
        return (
            (shown is None or entry["category"] in shown)
            and (kind != "critical" or entry["severity"] in {"HIGH", "VERY_HIGH"})
            and (not categories or entry["category"] in categories)
            and (not severities or entry["severity"] in severities)
        )

    if kind == "count":
        count = sum(1 for _ in feed.matching(test)) if filtered else len(feed)
        return state.reply("system-log", {"count": count})
    paging = _page_numbers(body, SYSTEM_LOG_PAGE[0])
    if paging is None or not SYSTEM_LOG_PAGE[0] <= paging[1] <= SYSTEM_LOG_PAGE[1]:
        return v2_error(
            400, f"pageSize must be between {SYSTEM_LOG_PAGE[0]} and {SYSTEM_LOG_PAGE[1]}"
        )
    number, size = paging
    if filtered:  # walks the feed lazily: time grows with the page number, memory does not
        matching = feed.matching(test)
        page = list(islice(matching, number * size, (number + 1) * size))
        total = number * size + len(page) + sum(1 for _ in matching)
    else:
        page, total = feed.page(number * size, (number + 1) * size), len(feed)
    return state.reply(
        "system-log",
        {
            "data": page,
            "page_number": number,
            "total_element_count": total,
            "total_page_count": math.ceil(total / size),
        },
    )


@network_route
async def _traffic_flows(request: Request, state: SimulatorState) -> Response:
    if request.path_params["site"] != state.site.name:
        return v2_error(400, "api.err.NoSiteContext")
    body = await json_body(request)
    if body is None:
        return v2_error(400, "JSON parse error: body is not a JSON object")
    if _OLD_FLOW_KEYS & set(body):
        return _old_traffic_flows(body, state)
    if state.book.strikes_once(request.scope["path"], "flows-old-form") is not None:
        return v2_error(400, 'JSON parse error: Unrecognized field "pageNumber"')
    paging = _page_numbers(body, FLOW_PAGE_MAX)
    if paging is None or not 1 <= paging[1] <= FLOW_PAGE_MAX:
        return v2_error(400, f"pageSize must be between 1 and {FLOW_PAGE_MAX}")
    number, size = paging
    policy_types = body.get("policy_type") or []
    flows = state.site.flow_feed().window(*_bounds(body, _now_ms(state)))
    total = len(flows)
    if policy_types and "INTRUSION_PREVENTION" not in policy_types:
        total = 0
    page = flows.page(number * size, min((number + 1) * size, total))
    has_next = (number + 1) * size < total
    return state.reply(
        "traffic-flows",
        {
            "data": page,
            "has_next": has_next,
            "page_number": number,
            "page_size": size,
            "total_count": total,
        },
    )


def _old_traffic_flows(body: dict[str, Any], state: SimulatorState) -> Response:
    """Older firmware's ``{"limit","offset","timeRange"}`` form of ``traffic-flows``."""
    limit, offset = body.get("limit", FLOW_PAGE_MAX), body.get("offset", 0)
    name = body.get("timeRange", "24h")
    span = _TIME_RANGES.get(name) if isinstance(name, str) else None
    if not isinstance(limit, int) or not isinstance(offset, int) or offset < 0:
        return v2_error(400, "limit and offset must be non-negative integers")
    if not 1 <= limit <= _OLD_FLOW_LIMIT_MAX or span is None:
        return v2_error(
            400,
            f"limit must be 1..{_OLD_FLOW_LIMIT_MAX}, timeRange one of {', '.join(_TIME_RANGES)}",
        )
    now_ms = int(state.config.now().timestamp() * 1000)
    flows = state.site.flow_feed().window(now_ms - span, now_ms)
    total = len(flows)
    return state.reply(
        "traffic-flows",
        {
            "data": flows.page(offset, min(offset + limit, total)),
            "has_next": offset + limit < total,
            "page_number": offset // limit,
            "page_size": limit,
            "total_count": total,
        },
    )


def v2_routes(prefix: str) -> list[Route]:
    """The v2 endpoints under ``prefix``.

    Args:
        prefix: the Network application's path prefix.

    Returns:
        Starlette routes.
    """
    site = f"{prefix}/v2/api/site/{{site}}"
    return [
        Route(f"{site}/system-log/{{kind}}", _system_log, methods=["POST"]),
        Route(f"{site}/traffic-flows", _traffic_flows, methods=["POST"]),
    ]
