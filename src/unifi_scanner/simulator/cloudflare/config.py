"""The local Cloudflare API's settings: tokens, plan limits, scenario, clock, budgets and faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "ACCOUNT_ANALYTICS_READ",
    "ACCOUNT_SETTINGS_READ",
    "CF_PERMISSIONS",
    "CF_PLAN_LIMITS",
    "CF_SCENARIOS",
    "DEFAULT_CF_TOKEN",
    "GATEWAY_LIMITS",
    "TUNNEL_READ",
    "ZONE_ANALYTICS_READ",
    "ZONE_READ",
    "CloudflareConfig",
    "CloudflareFaults",
    "CloudflarePathFault",
    "PathFaultKind",
    "PlanLimits",
    "TokenSpec",
    "TokenStatus",
]

DEFAULT_CF_TOKEN = "sim-cloudflare-api-token"  # noqa: S105 - a documented, public test credential

ZONE_ANALYTICS_READ = "Zone Analytics Read"
ACCOUNT_ANALYTICS_READ = "Account Analytics Read"
TUNNEL_READ = "Cloudflare Tunnel Read"
ZONE_READ = "Zone Read"
ACCOUNT_SETTINGS_READ = "Account Settings Read"
CF_PERMISSIONS: frozenset[str] = frozenset(
    {ZONE_ANALYTICS_READ, ACCOUNT_ANALYTICS_READ, TUNNEL_READ, ZONE_READ, ACCOUNT_SETTINGS_READ}
)
"""Every permission the local API knows. A token lists the accounts when it has an account
permission and the zones when it has a zone permission (Zone Read or Zone Analytics Read)."""

CF_SCENARIOS: tuple[str, ...] = ("demo", "empty", "generated")
"""The scenarios of the local Cloudflare API (``data/cloudflare/<name>.json``); ``demo`` first."""

TokenStatus = Literal["active", "disabled", "expired"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class TokenSpec:
    """One API token the local API accepts.

    Args:
        permissions: the permission names it carries (see :data:`CF_PERMISSIONS`).
        status: ``"active"``; a ``"disabled"`` or ``"expired"`` token is still answered by
            the verify endpoints (with that status) and refused everywhere else.
        owner: ``"user"`` (verified at ``/user/tokens/verify``) or ``"account"`` (an
            account-owned token: ``/user/tokens/verify`` refuses it, ``/accounts/{id}/tokens/
            verify`` answers it).
    """

    permissions: frozenset[str] = CF_PERMISSIONS
    status: TokenStatus = "active"
    owner: Literal["user", "account"] = "user"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanLimits:
    """What one GraphQL dataset allows (its ``settings`` node answers these).

    Args:
        max_page_size: the largest ``limit``.
        max_duration_s: the widest time range one query may ask for, in seconds.
        not_older_than_s: how far back a query may reach, in seconds.
        enabled: whether the dataset is available at all.
    """

    max_page_size: int
    max_duration_s: int
    not_older_than_s: int
    enabled: bool = True


CF_PLAN_LIMITS: Mapping[str, PlanLimits] = MappingProxyType(
    {
        "free": PlanLimits(max_page_size=1000, max_duration_s=86_400, not_older_than_s=259_200),
        "pro": PlanLimits(max_page_size=1000, max_duration_s=86_400, not_older_than_s=259_200),
        "business": PlanLimits(
            max_page_size=10_000, max_duration_s=604_800, not_older_than_s=2_592_000
        ),
        "enterprise": PlanLimits(
            max_page_size=10_000, max_duration_s=604_800, not_older_than_s=2_678_400
        ),
    }
)
"""``firewallEventsAdaptive`` limits per plan (``legacy_id``): the simulator's choice."""

GATEWAY_LIMITS = PlanLimits(
    max_page_size=10_000, max_duration_s=604_800, not_older_than_s=2_678_400
)
"""``gatewayResolverQueriesAdaptiveGroups`` limits of every account: the simulator's choice."""

PathFaultKind = Literal["status", "hang", "malformed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CloudflarePathFault:
    """A fault on the requests whose path (below ``/client/v4``) matches ``path``.

    Args:
        kind: ``"status"`` (answer ``status`` with a V4 error body), ``"hang"`` (hold the
            request up to ``seconds``, until released, then answer normally) or
            ``"malformed"`` (cut the JSON reply in half).
        path: a shell pattern on the path below ``/client/v4`` (``"/zones"``,
            ``"/accounts/*/cfd_tunnel*"``, ``"/graphql"``); ``"*"`` matches every path.
        times: how many requests it strikes (``None``: until cleared).
        status: ``"status"``: the HTTP status.
        seconds: ``"hang"``: the longest a request is held.
        message: ``"status"``: the error message (default: the status's reason phrase).
    """

    kind: PathFaultKind
    path: str = "*"
    times: int | None = None
    status: int = 503
    seconds: float = 300.0
    message: str | None = None


PATH_FAULT_KINDS: frozenset[str] = frozenset(get_args(PathFaultKind))


@dataclass(frozen=True, slots=True, kw_only=True)
class CloudflareFaults:
    """The fault switches: the initial set, changed at run time (``state.set_faults``).

    Args:
        down: every request (REST and GraphQL) answers 503 with a V4 error body.
        rate_limit: the next N REST requests answer 429 (code 971) with ``retry-after``.
        graphql_budget: the next N GraphQL queries answer the ``budget`` error.
        graphql_quota: the next N GraphQL queries that read a dataset answer a ``quota``
            error on each dataset field.
        paths: per-path faults (``status``, ``hang``, ``malformed``), checked in order.
        retry_after_s: the ``retry-after`` of the ``rate_limit`` fault (default: the
            config's ``retry_after_s``).
        quota_message: the message of the ``graphql_quota`` fault.
    """

    down: bool = False
    rate_limit: int = 0
    graphql_budget: int = 0
    graphql_quota: int = 0
    paths: tuple[CloudflarePathFault, ...] = ()
    retry_after_s: int | None = None
    quota_message: str | None = None


def _default_tokens() -> Mapping[str, TokenSpec]:
    return MappingProxyType({DEFAULT_CF_TOKEN: TokenSpec()})


@dataclass(frozen=True, slots=True, kw_only=True)
class CloudflareConfig:
    """How the local Cloudflare API behaves.

    Args:
        seed: seed of every generated value (ray ids, jitter, noise, generated events).
        now: the clock (aware UTC); nothing later than it is ever served.
        scenario: one of :data:`CF_SCENARIOS`.
        waf_events_per_day: ``generated``: firewall events per zone per day.
        dns_queries_per_day: ``generated``: Gateway DNS queries per account per day.
        tokens: the accepted tokens (default: :data:`DEFAULT_CF_TOKEN` with every permission).
        zero_trust: ``False``: no account has Zero Trust Gateway (its DNS dataset answers
            "does not have access to the path").
        rest_budget: REST requests allowed per ``budget_window_s``; over it every REST
            request answers 429 for ``retry_after_s`` (``None``: no budget).
        graphql_budget: GraphQL queries allowed per ``budget_window_s``; over it every
            query answers the ``budget`` error for ``retry_after_s`` (``None``: no budget).
        budget_window_s: the budgets' window, in seconds of ``now``.
        retry_after_s: how long a spent budget blocks, sent as ``retry-after``.
        plan_limits: ``firewallEventsAdaptive`` limits per plan ``legacy_id``.
        gateway_limits: ``gatewayResolverQueriesAdaptiveGroups`` limits.
        faults: the faults at start-up.
    """

    seed: int = 1
    now: Callable[[], datetime] = _utcnow
    scenario: str = "demo"
    waf_events_per_day: int = 10_000
    dns_queries_per_day: int = 2_400
    tokens: Mapping[str, TokenSpec] = field(default_factory=_default_tokens)
    zero_trust: bool = True
    rest_budget: int | None = None
    graphql_budget: int | None = None
    budget_window_s: int = 300
    retry_after_s: int = 60
    plan_limits: Mapping[str, PlanLimits] = field(default_factory=lambda: CF_PLAN_LIMITS)
    gateway_limits: PlanLimits = GATEWAY_LIMITS
    faults: CloudflareFaults = field(default_factory=CloudflareFaults)

    @property
    def default_token(self) -> str:
        """The token to hand to clients: :data:`DEFAULT_CF_TOKEN` if configured, else the first."""
        if DEFAULT_CF_TOKEN in self.tokens:
            return DEFAULT_CF_TOKEN
        return next(iter(self.tokens), "")

    def limits(self, plan: str) -> PlanLimits:
        """The ``firewallEventsAdaptive`` limits of a plan (``free`` for an unknown one).

        Args:
            plan: the plan's ``legacy_id``.

        Returns:
            The limits.
        """
        return self.plan_limits.get(plan) or self.plan_limits.get("free") or CF_PLAN_LIMITS["free"]
