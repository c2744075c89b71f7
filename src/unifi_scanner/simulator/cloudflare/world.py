"""The accounts, zones and tunnels of a scenario, built relative to the state's start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from unifi_scanner.simulator.cloudflare.config import CF_SCENARIOS
from unifi_scanner.simulator.cloudflare.wire import JsonObject, digest, stable_uuid
from unifi_scanner.simulator.templates import load_json

__all__ = [
    "Account",
    "Conn",
    "Connector",
    "Tunnel",
    "World",
    "Zone",
    "build_world",
    "load_cloudflare_scenario",
]


@dataclass(frozen=True, slots=True)
class Account:
    """A Cloudflare account."""

    id: str
    name: str
    created_on: datetime
    zero_trust: bool


@dataclass(frozen=True, slots=True)
class Zone:
    """A zone (a domain) of an account, on a plan (``legacy_id``: free, pro, business…)."""

    id: str
    name: str
    account: Account
    plan: str
    created_on: datetime
    name_servers: tuple[str, ...]
    index: int


@dataclass(frozen=True, slots=True)
class Conn:
    """One connection of a connector to a Cloudflare data centre."""

    id: str
    colo: str
    pending: bool
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class Connector:
    """One ``cloudflared`` process serving a tunnel."""

    id: str
    arch: str
    version: str
    run_at: datetime
    config_version: int
    origin_ip: str
    conns: tuple[Conn, ...]


@dataclass(frozen=True, slots=True)
class Tunnel:
    """A Cloudflare Tunnel (``cfd_tunnel``) and its connectors."""

    id: str
    name: str
    account: Account
    status: str
    created_at: datetime
    deleted_at: datetime | None
    conns_active_at: datetime | None
    conns_inactive_at: datetime | None
    remote_config: bool
    connectors: tuple[Connector, ...]


@dataclass(frozen=True, slots=True)
class World:
    """Everything of a scenario that is not a time series.

    Attributes:
        scenario: the scenario's name.
        anchor: the moment the scenario's "ago" times count from (whole seconds, UTC).
        spec: the scenario's JSON description (WAF and DNS specs are read from it).
        accounts: the accounts.
        zones: the zones, in the scenario's order.
        tunnels: every tunnel (deleted ones too).
    """

    scenario: str
    anchor: datetime
    spec: JsonObject
    accounts: tuple[Account, ...]
    zones: tuple[Zone, ...]
    tunnels: tuple[Tunnel, ...]

    def account(self, account_id: str) -> Account | None:
        """The account with this id, or ``None``."""
        return next((a for a in self.accounts if a.id == account_id), None)

    def zone(self, zone_id: str) -> Zone | None:
        """The zone with this id, or ``None``."""
        return next((z for z in self.zones if z.id == zone_id), None)

    def zone_named(self, name: str) -> Zone | None:
        """The zone with this name, or ``None``."""
        return next((z for z in self.zones if z.name == name), None)

    def tunnel(self, account_id: str, tunnel_id: str) -> Tunnel | None:
        """The tunnel with this id in this account, or ``None``."""
        return next(
            (t for t in self.tunnels if t.id == tunnel_id and t.account.id == account_id), None
        )


def load_cloudflare_scenario(name: str) -> JsonObject:
    """The JSON description of a scenario (``data/cloudflare/<name>.json``).

    Args:
        name: one of :data:`~unifi_scanner.simulator.cloudflare.config.CF_SCENARIOS`.

    Returns:
        The description.

    Raises:
        ValueError: the name is not a known scenario.
    """
    if name not in CF_SCENARIOS:
        raise ValueError(
            f"unknown Cloudflare scenario {name!r}; choose one of {', '.join(CF_SCENARIOS)}"
        )
    spec: JsonObject = load_json(f"cloudflare/{name}.json")
    return spec


def _ago(anchor: datetime, minutes: object) -> datetime | None:
    if minutes is None:
        return None
    return anchor - timedelta(minutes=float(str(minutes)))


def _connector(tunnel_id: str, n: int, spec: JsonObject, anchor: datetime) -> Connector:
    connector_id = stable_uuid(tunnel_id, "connector", n)
    conns = tuple(
        Conn(
            id=stable_uuid(connector_id, "conn", k),
            colo=str(colo),
            pending=bool(pending),
            opened_at=anchor - timedelta(minutes=float(opened)),
        )
        for k, (colo, pending, opened) in enumerate(spec.get("conns", []))
    )
    return Connector(
        id=connector_id,
        arch=str(spec.get("arch", "linux_amd64")),
        version=str(spec.get("version", "2024.11.1")),
        run_at=anchor - timedelta(minutes=float(spec.get("run_ago", 60))),
        config_version=int(spec.get("config_version", 1)),
        origin_ip=str(spec.get("origin_ip", "203.0.113.10")),
        conns=conns,
    )


def _tunnel(spec: JsonObject, accounts: dict[str, Account], anchor: datetime) -> Tunnel:
    tunnel_id = str(spec["id"])
    return Tunnel(
        id=tunnel_id,
        name=str(spec["name"]),
        account=accounts[str(spec["account"])],
        status=str(spec["status"]),
        created_at=anchor
        - timedelta(
            days=float(spec.get("created_ago_days", 30)),
            microseconds=digest(tunnel_id) % 1_000_000,
        ),
        deleted_at=_ago(anchor, spec.get("deleted_ago")),
        conns_active_at=_ago(anchor, spec.get("active_ago")),
        conns_inactive_at=_ago(anchor, spec.get("inactive_ago")),
        remote_config=bool(spec.get("remote_config", False)),
        connectors=tuple(
            _connector(tunnel_id, n, c, anchor) for n, c in enumerate(spec.get("connectors", []))
        ),
    )


def build_world(scenario: str, anchor: datetime, *, zero_trust: bool = True) -> World:
    """Build a scenario's accounts, zones and tunnels relative to ``anchor``.

    Args:
        scenario: the scenario's name.
        anchor: the moment "ago" counts from (truncated to whole seconds).
        zero_trust: ``False`` takes Zero Trust Gateway away from every account.

    Returns:
        The world.
    """
    anchor = anchor.astimezone(UTC).replace(microsecond=0)
    spec = load_cloudflare_scenario(scenario)
    accounts: dict[str, Account] = {}
    for item in spec.get("accounts", []):
        account = Account(
            id=str(item["id"]),
            name=str(item["name"]),
            created_on=anchor - timedelta(days=float(item.get("created_ago_days", 365))),
            zero_trust=zero_trust and bool(item.get("zero_trust", True)),
        )
        accounts[account.id] = account
    zones = tuple(
        Zone(
            id=str(item["id"]),
            name=str(item["name"]),
            account=accounts[str(item["account"])],
            plan=str(item.get("plan", "free")),
            created_on=anchor - timedelta(days=float(item.get("created_ago_days", 365))),
            name_servers=tuple(str(ns) for ns in item.get("name_servers", [])),
            index=index,
        )
        for index, item in enumerate(spec.get("zones", []))
    )
    tunnels = tuple(_tunnel(item, accounts, anchor) for item in spec.get("tunnels", []))
    return World(scenario, anchor, spec, tuple(accounts.values()), zones, tunnels)
