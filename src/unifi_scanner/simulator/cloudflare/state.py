"""The running local Cloudflare API's state: its world, data, faults, budgets and counters."""

from __future__ import annotations

import dataclasses
import fnmatch
from collections import Counter, deque
from typing import TYPE_CHECKING, Any, cast

from unifi_scanner.simulator.cloudflare.config import (
    PATH_FAULT_KINDS,
    CloudflareConfig,
    CloudflareFaults,
    CloudflarePathFault,
)
from unifi_scanner.simulator.cloudflare.dns import build_dns
from unifi_scanner.simulator.cloudflare.waf import build_waf
from unifi_scanner.simulator.cloudflare.world import World, build_world
from unifi_scanner.simulator.server import HeldRequests

if TYPE_CHECKING:
    from unifi_scanner.simulator.cloudflare.config import PathFaultKind, TokenSpec
    from unifi_scanner.simulator.cloudflare.series import Series

__all__ = ["Budget", "CloudflareState", "parse_cloudflare_faults"]


class Budget:
    """A sliding-window request budget: over it, everything is refused for ``block_s``.

    Args:
        allowed: requests allowed per ``window_s`` (``None``: unlimited).
        window_s: the window, in seconds.
        block_s: how long a spent budget refuses requests.
    """

    def __init__(self, allowed: int | None, window_s: int, block_s: int) -> None:
        self.allowed = allowed
        self.window_s = window_s
        self.block_s = block_s
        self._times: deque[float] = deque()
        self._blocked_until = 0.0

    def spend(self, now_s: float) -> float | None:
        """Count one request at ``now_s``.

        Returns:
            ``None`` when it is allowed, else the seconds until requests are allowed again.
        """
        if self.allowed is None:
            return None
        if now_s < self._blocked_until:
            return self._blocked_until - now_s
        while self._times and self._times[0] <= now_s - self.window_s:
            self._times.popleft()
        if len(self._times) >= self.allowed:
            self._blocked_until = now_s + self.block_s
            self._times.clear()  # after the block, a fresh window starts
            return float(self.block_s)
        self._times.append(now_s)
        return None


@dataclasses.dataclass(slots=True)
class _Strike:
    fault: CloudflarePathFault
    left: int | None


class CloudflareState(HeldRequests):
    """What a running local Cloudflare API holds (``app.state.cloudflare``).

    The scenario is built once, at start-up, relative to the clock's time then: the demo's
    "40 minutes ago" stays put while a test's clock moves on.

    Args:
        config: how the API behaves.
    """

    def __init__(self, config: CloudflareConfig) -> None:
        self.config = config
        self.world: World = build_world(config.scenario, config.now(), zero_trust=config.zero_trust)
        self.waf: Series = build_waf(
            self.world, seed=config.seed, per_day=config.waf_events_per_day
        )
        self.dns: Series = build_dns(
            self.world, seed=config.seed, per_day=config.dns_queries_per_day
        )
        self.rest_budget = Budget(config.rest_budget, config.budget_window_s, config.retry_after_s)
        self.graphql_budget = Budget(
            config.graphql_budget, config.budget_window_s, config.retry_after_s
        )
        self.requests: Counter[str] = Counter()
        self.rows_served = 0
        self._faults = config.faults
        self._strikes: list[_Strike] = []
        super().__init__()
        self.set_faults(config.faults)

    def token(self, authorization: str | None) -> TokenSpec | None:
        """The token a request's ``Authorization`` header carries, if the API knows it."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.config.tokens.get(value.strip())

    @property
    def faults(self) -> CloudflareFaults:
        """The faults now in force (counters as they stand)."""
        return dataclasses.replace(
            self._faults,
            paths=tuple(
                dataclasses.replace(s.fault, times=s.left)
                for s in self._strikes
                if s.left is None or s.left > 0
            ),
        )

    def set_faults(self, faults: CloudflareFaults) -> None:
        """Replace every fault."""
        self._faults = faults
        self._strikes = [_Strike(fault, fault.times) for fault in faults.paths]

    def take(self, counter: str) -> bool:
        """Use one strike of a counted fault (``rate_limit``, ``graphql_budget``…).

        Returns:
            Whether the fault struck.
        """
        left = int(getattr(self._faults, counter))
        if left <= 0:
            return False
        changes: dict[str, Any] = {counter: left - 1}
        self._faults = dataclasses.replace(self._faults, **changes)
        return True

    def path_fault(self, path: str) -> CloudflarePathFault | None:
        """The first per-path fault that strikes ``path`` (its count is used), if any."""
        for strike in self._strikes:
            if strike.left is not None and strike.left <= 0:
                continue
            if fnmatch.fnmatchcase(path, strike.fault.path):
                if strike.left is not None:
                    strike.left -= 1
                return strike.fault
        return None

    def stats(self) -> dict[str, Any]:
        """Requests per route and rows served (for the control endpoint and tests)."""
        return {"requests": dict(self.requests), "rows_served": self.rows_served}


def _check(ok: bool, message: str) -> None:  # noqa: FBT001 - a guard
    if not ok:
        raise ValueError(message)


def _count(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    _check(
        isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        f"{name} must be a non-negative integer",
    )
    return int(value)


def _path_fault(item: object) -> CloudflarePathFault:
    _check(isinstance(item, dict), "each of 'paths' must be an object")
    assert isinstance(item, dict)  # noqa: S101 - narrowed by the check above
    unknown = set(item) - {f.name for f in dataclasses.fields(CloudflarePathFault)}
    _check(not unknown, f"unknown path fault keys: {', '.join(sorted(unknown))}")
    kind = item.get("kind")
    _check(kind in PATH_FAULT_KINDS, f"kind must be one of {', '.join(sorted(PATH_FAULT_KINDS))}")
    times = item.get("times")
    _check(
        times is None or (isinstance(times, int) and times > 0), "times must be a positive integer"
    )
    status = item.get("status", 503)
    _check(isinstance(status, int) and 400 <= status <= 599, "status must be 400 to 599")  # noqa: PLR2004
    seconds = item.get("seconds", 300.0)
    _check(isinstance(seconds, int | float) and seconds > 0, "seconds must be positive")
    message = item.get("message")
    _check(message is None or isinstance(message, str), "message must be a string")
    return CloudflarePathFault(
        kind=cast("PathFaultKind", kind),
        path=str(item.get("path", "*")),
        times=times,
        status=status,
        seconds=float(seconds),
        message=message,
    )


def parse_cloudflare_faults(body: object, current: CloudflareFaults) -> CloudflareFaults:
    """Faults from the control endpoint's JSON: the keys given replace the current ones.

    Args:
        body: ``{down, rate_limit, graphql_budget, graphql_quota, retry_after_s,
            quota_message, paths: [{kind, path, times, status, seconds, message}]}``.
        current: the faults now in force.

    Returns:
        The new faults.

    Raises:
        ValueError: a key is unknown or a value is wrong (the message says which).
    """
    _check(isinstance(body, dict), "the body must be a JSON object")
    assert isinstance(body, dict)  # noqa: S101 - narrowed by the check above
    unknown = set(body) - {f.name for f in dataclasses.fields(CloudflareFaults)}
    _check(not unknown, f"unknown fault keys: {', '.join(sorted(unknown))}")
    down = body.get("down", current.down)
    _check(isinstance(down, bool), "down must be true or false")
    paths = body.get("paths")
    _check(paths is None or isinstance(paths, list), "paths must be a list")
    retry_after = body.get("retry_after_s", current.retry_after_s)
    _check(
        retry_after is None or (isinstance(retry_after, int) and retry_after >= 0),
        "retry_after_s must be a non-negative integer",
    )
    message = body.get("quota_message", current.quota_message)
    _check(message is None or isinstance(message, str), "quota_message must be a string")
    return CloudflareFaults(
        down=down,
        rate_limit=_count(body, "rate_limit", current.rate_limit),
        graphql_budget=_count(body, "graphql_budget", current.graphql_budget),
        graphql_quota=_count(body, "graphql_quota", current.graphql_quota),
        paths=current.paths if paths is None else tuple(_path_fault(p) for p in paths),
        retry_after_s=retry_after,
        quota_message=message,
    )
