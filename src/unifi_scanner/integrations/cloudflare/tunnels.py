"""Cloudflare Tunnel health: each tunnel's status, then its connections (``/connections``).

The tunnel list's ``connections`` field is deprecated and empty; the connectors and their
connections to Cloudflare's data centres come from each tunnel's ``/connections``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from unifi_scanner.integrations.cloudflare.client import TUNNEL_READ, utc

if TYPE_CHECKING:
    from collections.abc import Iterable

    from unifi_scanner.integrations.cloudflare.client import CloudflareApi
    from unifi_scanner.integrations.cloudflare.discovery import Account

__all__ = ["MAX_TUNNELS", "STATUS_ORDER", "read_tunnels"]

MAX_TUNNELS: Final = 50
STATUS_ORDER: Final = {"down": 0, "degraded": 1, "healthy": 2, "inactive": 3}
_PART: Final = "tunnels"


def _iso(value: object) -> str | None:
    when = utc(value)
    return None if when is None else when.isoformat()


async def _connections(api: CloudflareApi, account: Account, tunnel_id: str) -> dict[str, Any]:
    connectors = 0
    conns = 0
    pending = 0
    colos: set[str] = set()
    versions: set[str] = set()
    with api.errors(TUNNEL_READ, _PART):
        page = api.sdk.zero_trust.tunnels.cloudflared.connections.get(
            tunnel_id, account_id=account.id
        )
        async for client in page:
            connectors += 1
            if client.version:
                versions.add(client.version)
            for conn in client.conns or []:
                conns += 1
                pending += bool(conn.is_pending_reconnect)
                if conn.colo_name:
                    colos.add(conn.colo_name)
    return {
        "connectors": connectors,
        "connections": conns,
        "pending_reconnect": pending,
        "colos": sorted(colos),
        "versions": sorted(versions),
    }


def _since(status: str, tunnel: Any) -> str | None:  # noqa: ANN401 (the SDK's model)
    if status in {"down", "inactive"}:
        return _iso(getattr(tunnel, "conns_inactive_at", None))
    return _iso(getattr(tunnel, "conns_active_at", None))


async def read_tunnels(api: CloudflareApi, accounts: Iterable[Account]) -> dict[str, Any]:
    """Read every tunnel of every account, with its connections.

    Args:
        api: the run's API.
        accounts: the accounts.

    Returns:
        ``{tunnels: [{name, id, account, status, since, connectors, connections, colos}],
        notes}``, problems first.
    """
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for account in accounts:
        with api.errors(TUNNEL_READ, _PART):
            listing = api.sdk.zero_trust.tunnels.cloudflared.list(
                account_id=account.id, is_deleted=False, per_page=50
            )
            tunnels = []
            async for tunnel in listing:
                tunnels.append(tunnel)
                if len(rows) + len(tunnels) > MAX_TUNNELS:
                    break
        for tunnel in tunnels:
            if len(rows) >= MAX_TUNNELS:
                notes.append(f"More than {MAX_TUNNELS} tunnels; the first {MAX_TUNNELS} are shown.")
                break
            status = str(tunnel.status or "inactive")
            row: dict[str, Any] = {
                "name": tunnel.name or tunnel.id,
                "id": tunnel.id,
                "account": account.name,
                "status": status,
                "since": _since(status, tunnel),
            }
            if status in {"healthy", "degraded"}:
                row.update(await _connections(api, account, str(tunnel.id)))
            else:
                row.update({"connectors": 0, "connections": 0, "colos": []})
            rows.append(row)
    rows.sort(key=lambda r: (STATUS_ORDER.get(r["status"], 9), r["name"]))
    return {"tunnels": rows, "notes": notes}
