"""The local Cloudflare API's HTTP side: the REST paths the integration reads, GraphQL, control.

Everything real lives under ``/client/v4`` and answers in the V4 envelope; the control
endpoints live under ``/__cf__/`` (no token, loopback only) and change faults at run time.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any, Final

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from unifi_scanner.simulator.cloudflare.config import (
    ACCOUNT_ANALYTICS_READ,
    ACCOUNT_SETTINGS_READ,
    TUNNEL_READ,
    ZONE_ANALYTICS_READ,
    ZONE_READ,
)
from unifi_scanner.simulator.cloudflare.gql import GraphQLContext, execute, graphql_error
from unifi_scanner.simulator.cloudflare.state import parse_cloudflare_faults
from unifi_scanner.simulator.cloudflare.wire import (
    JsonObject,
    ceil_seconds,
    hex_id,
    reason,
    rfc3339,
    rfc3339_micro,
    v4_error,
    v4_ok,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from starlette.requests import Request

    from unifi_scanner.simulator.cloudflare.config import TokenSpec
    from unifi_scanner.simulator.cloudflare.state import CloudflareState
    from unifi_scanner.simulator.cloudflare.world import Account, Connector, Tunnel, Zone

__all__ = ["API_PREFIX", "CF_CONTROL_PREFIX", "cloudflare_routes"]

API_PREFIX: Final = "/client/v4"
CF_CONTROL_PREFIX: Final = "/__cf__"
_ZONE_PERMISSIONS: Final = frozenset({ZONE_READ, ZONE_ANALYTICS_READ})
_ACCOUNT_PERMISSIONS: Final = frozenset(
    {ACCOUNT_ANALYTICS_READ, ACCOUNT_SETTINGS_READ, TUNNEL_READ}
)
_PLAN_NAMES: Final = {
    "free": "Free Website",
    "pro": "Pro Website",
    "business": "Business Website",
    "enterprise": "Enterprise Website",
}
_UNAUTHORIZED: Final = 401
_FORBIDDEN: Final = 403
_NOT_FOUND: Final = 404
_TOO_MANY: Final = 429
_BAD_REQUEST: Final = 400
_UNAVAILABLE: Final = 503
_MAX_PER_PAGE: Final = 1000


def _json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=headers)


def _error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return _json(v4_error(code, message), status, headers)


def _page(request: Request, items: Sequence[JsonObject], default_per_page: int = 20) -> Response:
    """One page of a list, with ``result_info``; past the end, an empty page."""
    try:
        page = max(1, int(request.query_params.get("page", "1")))
        per_page = max(
            1, min(_MAX_PER_PAGE, int(request.query_params.get("per_page", default_per_page)))
        )
    except ValueError:
        return _error(_BAD_REQUEST, 1001, "page and per_page must be numbers")
    chunk = list(items[(page - 1) * per_page : page * per_page])
    total_pages = -(-len(items) // per_page)
    return _json(
        v4_ok(
            chunk,
            {
                "page": page,
                "per_page": per_page,
                "count": len(chunk),
                "total_count": len(items),
                "total_pages": total_pages,
            },
        )
    )


def _account_json(account: Account) -> JsonObject:
    return {
        "id": account.id,
        "name": account.name,
        "type": "standard",
        "created_on": rfc3339_micro(account.created_on),
        "settings": {"enforce_twofactor": False, "abuse_contact_email": None},
    }


def _zone_json(zone: Zone) -> JsonObject:
    plan = zone.plan
    return {
        "id": zone.id,
        "name": zone.name,
        "status": "active",
        "paused": False,
        "type": "full",
        "development_mode": 0,
        "name_servers": list(zone.name_servers),
        "original_name_servers": None,
        "original_registrar": None,
        "original_dnshost": None,
        "created_on": rfc3339_micro(zone.created_on),
        "modified_on": rfc3339_micro(zone.created_on),
        "activated_on": rfc3339_micro(zone.created_on),
        "meta": {"step": 2, "phishing_detected": False},
        "owner": {"id": None, "type": "organization", "email": None},
        "account": {"id": zone.account.id, "name": zone.account.name},
        "tenant": {"id": None, "name": None},
        "tenant_unit": {"id": None},
        "permissions": ["#zone:read", "#analytics:read"],
        "plan": {
            "id": hex_id("plan", plan),
            "name": _PLAN_NAMES.get(plan, f"{plan.title()} Website"),
            "price": 0,
            "currency": "USD",
            "frequency": "",
            "is_subscribed": True,
            "can_subscribe": False,
            "legacy_id": plan,
            "legacy_discount": False,
            "externally_managed": False,
        },
    }


def _tunnel_json(tunnel: Tunnel) -> JsonObject:
    return {
        "id": tunnel.id,
        "account_tag": tunnel.account.id,
        "created_at": rfc3339_micro(tunnel.created_at),
        "deleted_at": None if tunnel.deleted_at is None else rfc3339_micro(tunnel.deleted_at),
        "name": tunnel.name,
        "connections": [],
        "conns_active_at": None
        if tunnel.conns_active_at is None
        else rfc3339(tunnel.conns_active_at),
        "conns_inactive_at": None
        if tunnel.conns_inactive_at is None
        else rfc3339(tunnel.conns_inactive_at),
        "tun_type": "cfd_tunnel",
        "metadata": {},
        "status": tunnel.status,
        "remote_config": tunnel.remote_config,
        "config_src": "cloudflare" if tunnel.remote_config else "local",
    }


def _client_json(connector: Connector) -> JsonObject:
    return {
        "id": connector.id,
        "arch": connector.arch,
        "config_version": connector.config_version,
        "features": ["ha-origin", "serialized_headers", "support_datagram_v2"],
        "run_at": rfc3339_micro(connector.run_at),
        "version": connector.version,
        "conns": [
            {
                "id": conn.id,
                "client_id": connector.id,
                "client_version": connector.version,
                "colo_name": conn.colo,
                "is_pending_reconnect": conn.pending,
                "opened_at": rfc3339_micro(conn.opened_at),
                "origin_ip": connector.origin_ip,
                "uuid": conn.id,
            }
            for conn in connector.conns
        ],
    }


def _bool_param(request: Request, name: str) -> bool | None:
    value = request.query_params.get(name)
    return None if value is None else value.lower() in {"true", "1"}


async def _verify(request: Request, state: CloudflareState, token: TokenSpec) -> Response:
    account_id = request.path_params.get("account_id")
    if (token.owner == "account") != (account_id is not None):
        return _error(_UNAUTHORIZED, 1000, "Invalid API Token")
    if account_id is not None and state.world.account(account_id) is None:
        return _error(_NOT_FOUND, 7003, "Could not route to /accounts: the account does not exist")
    token_id = hex_id("token", sorted(token.permissions), token.owner)
    return _json(v4_ok({"id": token_id, "status": token.status}))


async def _accounts(request: Request, state: CloudflareState, token: TokenSpec) -> Response:
    visible = token.permissions & _ACCOUNT_PERMISSIONS
    items = [_account_json(a) for a in state.world.accounts] if visible else []
    return _page(request, items)


async def _zones(request: Request, state: CloudflareState, token: TokenSpec) -> Response:
    if not token.permissions & _ZONE_PERMISSIONS:
        return _page(request, [])
    account_id = request.query_params.get("account.id")
    name = request.query_params.get("name")
    zones = [
        z
        for z in state.world.zones
        if (account_id is None or z.account.id == account_id) and (name is None or z.name == name)
    ]
    return _page(request, [_zone_json(z) for z in zones])


def _tunnel_account(request: Request, state: CloudflareState, token: TokenSpec) -> Response | None:
    if state.world.account(request.path_params["account_id"]) is None:
        return _error(_NOT_FOUND, 7003, "Could not route: the account does not exist")
    if TUNNEL_READ not in token.permissions:
        return _error(_FORBIDDEN, 10000, "Authentication error")
    return None


async def _tunnels(request: Request, state: CloudflareState, token: TokenSpec) -> Response:
    refused = _tunnel_account(request, state, token)
    if refused is not None:
        return refused
    account_id = request.path_params["account_id"]
    deleted = _bool_param(request, "is_deleted")
    name = request.query_params.get("name")
    status = request.query_params.get("status")
    tunnels = [
        t
        for t in state.world.tunnels
        if t.account.id == account_id
        and (deleted is None or (t.deleted_at is not None) == deleted)
        and (name is None or t.name == name)
        and (status is None or t.status == status)
    ]
    return _page(request, [_tunnel_json(t) for t in tunnels])


async def _connections(request: Request, state: CloudflareState, token: TokenSpec) -> Response:
    refused = _tunnel_account(request, state, token)
    if refused is not None:
        return refused
    tunnel = state.world.tunnel(request.path_params["account_id"], request.path_params["tunnel_id"])
    if tunnel is None:
        return _error(_NOT_FOUND, 1003, "Tunnel not found")
    return _json(v4_ok([_client_json(c) for c in tunnel.connectors]))


async def _graphql(request: Request, state: CloudflareState, token: TokenSpec) -> Response:
    now = state.config.now()
    try:
        body: Any = json.loads(await request.body())
    except ValueError:
        body = None
    if token.status != "active":
        return _json(
            {"data": None, "errors": [graphql_error("request must be authenticated", now)]}
        )
    wait = state.graphql_budget.spend(now.timestamp())
    if wait is not None or state.take("graphql_budget"):
        message = (
            "rate limiter budget depleted, try again after "
            f"{ceil_seconds(wait if wait is not None else state.config.retry_after_s)} seconds"
        )
        return _json({"data": None, "errors": [graphql_error(message, now, code="budget")]})
    faults = state.faults
    context = GraphQLContext(
        config=state.config,
        world=state.world,
        waf=state.waf,
        dns=state.dns,
        permissions=token.permissions,
        now=now,
        quota=faults.graphql_quota > 0,
    )
    if faults.quota_message:
        context.quota_message = faults.quota_message
    answer = execute(context, body)
    if context.quota and context.datasets_read:
        state.take("graphql_quota")
    state.rows_served += context.rows_served
    return _json(answer)


_ROUTES: Final[tuple[tuple[str, str, Any], ...]] = (
    ("/user/tokens/verify", "GET", _verify),
    ("/accounts/{account_id}/tokens/verify", "GET", _verify),
    ("/accounts", "GET", _accounts),
    ("/zones", "GET", _zones),
    ("/accounts/{account_id}/cfd_tunnel", "GET", _tunnels),
    ("/accounts/{account_id}/cfd_tunnel/{tunnel_id}/connections", "GET", _connections),
    ("/graphql", "POST", _graphql),
)


def _malformed(response: Response) -> Response:
    body = bytes(response.body)
    return Response(
        body[: len(body) // 2], status_code=response.status_code, media_type="application/json"
    )


def _rest_refusal(state: CloudflareState, token: TokenSpec, *, verify: bool) -> Response | None:
    """A REST request over the rate limit (429, ``retry-after``) or with a dead token (401)."""
    wait = state.rest_budget.spend(state.config.now().timestamp())
    if wait is None and state.take("rate_limit"):
        chosen = state.faults.retry_after_s
        wait = float(state.config.retry_after_s if chosen is None else chosen)
    if wait is not None:
        return _error(
            _TOO_MANY,
            971,
            "Please wait and consider throttling your request speed",
            {"retry-after": str(ceil_seconds(wait))},
        )
    if token.status != "active" and not verify:
        return _error(_UNAUTHORIZED, 1000, f"The API token is {token.status}")
    return None


def _endpoint(
    state: CloudflareState,
    path: str,
    handler: Callable[[Request, CloudflareState, TokenSpec], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        state.requests[path] += 1
        if state.faults.down:
            return _error(_UNAVAILABLE, 10000, "Service Unavailable")
        fault = state.path_fault(request.url.path.removeprefix(API_PREFIX))
        if fault is not None and fault.kind == "hang":
            await state.hold(fault.seconds)
        elif fault is not None and fault.kind == "status":
            return _error(fault.status, 10000, fault.message or reason(fault.status))
        header = request.headers.get("authorization")
        token = state.token(header)
        if token is None and header is None:
            return _error(_BAD_REQUEST, 10000, "Missing Authorization header")
        if token is None:
            return _error(_UNAUTHORIZED, 1000, "Invalid API Token")
        if path != "/graphql":
            refused = _rest_refusal(state, token, verify=handler is _verify)
            if refused is not None:
                return refused
        response = await handler(request, state, token)
        return _malformed(response) if fault is not None and fault.kind == "malformed" else response

    return endpoint


async def _control_faults(request: Request) -> Response:
    state: CloudflareState = request.app.state.cloudflare
    if request.method == "DELETE":
        state.set_faults(type(state.faults)())
        state.release()
    elif request.method in {"PUT", "POST"}:
        try:
            state.set_faults(
                parse_cloudflare_faults(json.loads(await request.body()), state.faults)
            )
        except ValueError as err:
            return _json({"error": str(err)}, _BAD_REQUEST)
    faults = state.faults
    return _json(
        {
            "down": faults.down,
            "rate_limit": faults.rate_limit,
            "graphql_budget": faults.graphql_budget,
            "graphql_quota": faults.graphql_quota,
            "retry_after_s": faults.retry_after_s,
            "quota_message": faults.quota_message,
            "paths": [
                {k: v for k, v in dataclasses.asdict(p).items() if v is not None}
                for p in faults.paths
            ],
        }
    )


async def _unknown(request: Request) -> Response:
    state: CloudflareState = request.app.state.cloudflare
    if state.faults.down:
        return _error(_UNAVAILABLE, 10000, "Service Unavailable")
    path = request.url.path.removeprefix(API_PREFIX)
    fault = state.path_fault(path)
    if fault is not None and fault.kind == "status":
        return _error(fault.status, 10000, fault.message or reason(fault.status))
    return _error(
        _NOT_FOUND,
        7003,
        f"Could not route to {path}, perhaps your object identifier is invalid?",
    )


async def _control_release(request: Request) -> Response:
    state: CloudflareState = request.app.state.cloudflare
    state.release()
    return _json({"released": True})


async def _control_stats(request: Request) -> Response:
    state: CloudflareState = request.app.state.cloudflare
    return _json({**state.stats(), "now": rfc3339(state.config.now())})


def cloudflare_routes(state: CloudflareState) -> list[Route]:
    """Every route of the local Cloudflare API.

    Args:
        state: the running API's state.

    Returns:
        The routes: ``/client/v4/…`` and the ``/__cf__/`` control endpoints.
    """
    routes = [
        Route(f"{API_PREFIX}{path}", _endpoint(state, path, handler), methods=[method])
        for path, method, handler in _ROUTES
    ]
    return [
        *routes,
        Route(f"{API_PREFIX}/{{rest:path}}", _unknown, methods=["GET", "POST", "PUT", "DELETE"]),
        Route(
            f"{CF_CONTROL_PREFIX}/faults", _control_faults, methods=["GET", "PUT", "POST", "DELETE"]
        ),
        Route(f"{CF_CONTROL_PREFIX}/release", _control_release, methods=["POST"]),
        Route(f"{CF_CONTROL_PREFIX}/stats", _control_stats, methods=["GET"]),
    ]
