"""The live fault set: per-endpoint rules with their counters, parsing, and held (hung) requests."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, cast

from unifi_scanner.simulator.config import FAULT_KINDS, EndpointFault, FaultKind, Faults

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["FaultBook", "matches", "parse_fault", "parse_faults"]

_GLOBAL_KEYS = frozenset({"status", "starting_up", "delay", "malformed"})
_RULE_KEYS = frozenset(f.name for f in dataclasses.fields(EndpointFault))
DEFAULT_HANG_S = 300.0


def matches(endpoint: str, path: str) -> bool:
    """Whether ``path`` ends with the whole segments of ``endpoint`` (``""`` matches any path).

    Args:
        endpoint: a rule's endpoint (``"stat/event"``, ``"system-log/*"``…).
        path: the request's path.

    Returns:
        ``True`` on a match.
    """
    if not endpoint:
        return True
    path = path.rstrip("/") or "/"
    endpoint = endpoint.rstrip("/")
    return fnmatchcase(path, endpoint) or fnmatchcase(path, f"*/{endpoint.lstrip('/')}")


@dataclass(slots=True)
class _Active:
    """A rule and how often it has seen and struck requests."""

    rule: EndpointFault
    seen: Counter[str] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)

    def strike(self, path: str, *, use_after: bool = True) -> bool:
        """Count a matching request; whether the fault applies to it."""
        rule = self.rule
        key = path if rule.per_path else ""
        self.seen[key] += 1
        if use_after and self.seen[key] <= rule.after:
            return False
        if rule.kind == "csrf-rotation" and (self.seen[key] - rule.after) % max(rule.every, 1):
            return False
        if rule.times is not None and self.hits[key] >= rule.times:
            return False
        self.hits[key] += 1
        return True


class FaultBook:
    """The faults in force and their counters; lives on ``SimulatorState.book``.

    Args:
        faults: the initial faults.
    """

    def __init__(self, faults: Faults) -> None:
        self._faults = faults
        self._active = [_Active(rule) for rule in faults.endpoints]
        self._release = asyncio.Event()
        self.held = 0

    @property
    def faults(self) -> Faults:
        """The faults in force (global switches and endpoint rules)."""
        return self._faults

    def set(self, faults: Faults) -> None:
        """Replace every fault (counters start again) and let held requests go.

        Args:
            faults: the new faults.
        """
        self._faults = faults
        self._active = [_Active(rule) for rule in faults.endpoints]
        self.release()

    def add(self, faults: Faults, rules: tuple[EndpointFault, ...]) -> None:
        """Change the global switches and append endpoint rules (existing counters are kept).

        Args:
            faults: the new global switches (its ``endpoints`` are ignored).
            rules: the rules to append.
        """
        self._faults = dataclasses.replace(faults, endpoints=(*self._faults.endpoints, *rules))
        self._active.extend(_Active(rule) for rule in rules)

    def remove(self, endpoint: str) -> int:
        """Drop the rules on exactly this endpoint (and let held requests go).

        Args:
            endpoint: the rules' ``endpoint``.

        Returns:
            How many rules were dropped.
        """
        kept = [a for a in self._active if a.rule.endpoint != endpoint]
        dropped = len(self._active) - len(kept)
        self._active = kept
        self._faults = dataclasses.replace(self._faults, endpoints=tuple(a.rule for a in kept))
        self.release()
        return dropped

    def strikes(self, path: str, kinds: frozenset[str]) -> Iterator[EndpointFault]:
        """The rules of ``kinds`` that apply to this request, counted lazily, in order.

        Args:
            path: the request's path.
            kinds: the kinds the caller handles.

        Yields:
            Each rule that strikes (stop iterating to leave the later ones uncounted).
        """
        for active in list(self._active):
            rule = active.rule
            if rule.kind in kinds and matches(rule.endpoint, path) and active.strike(path):
                yield rule

    def strikes_once(
        self, path: str, kind: FaultKind, *, use_after: bool = True
    ) -> EndpointFault | None:
        """The first rule of ``kind`` that applies to this request, or ``None``.

        Args:
            path: the request's path.
            kind: the fault kind.
            use_after: whether the rule's ``after`` counts requests (``False`` for ``ws-drop``).

        Returns:
            The rule, or ``None``.
        """
        for active in self._active:
            rule = active.rule
            if (
                rule.kind == kind
                and matches(rule.endpoint, path)
                and active.strike(path, use_after=use_after)
            ):
                return rule
        return None

    async def hold(self, rule: EndpointFault) -> None:
        """Hold a request until :meth:`release` (or the rule's bound) — the ``hang`` fault.

        Args:
            rule: the ``hang`` rule (``seconds`` bounds the wait).
        """
        event = self._release
        self.held += 1
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(
                    DEFAULT_HANG_S if rule.seconds is None else rule.seconds
                ):
                    await event.wait()
        finally:
            self.held -= 1

    def release(self) -> int:
        """Let every held request go on.

        Returns:
            How many were held.
        """
        held = self.held
        self._release.set()
        self._release = asyncio.Event()
        return held

    def to_json(self) -> dict[str, Any]:
        """The faults in force as JSON (rules with their ``hits`` so far).

        Returns:
            A JSON object.
        """
        faults = self._faults
        rules = []
        for active in self._active:
            rule = {k: v for k, v in dataclasses.asdict(active.rule).items() if v is not None}
            rules.append({**rule, "hits": active.hits.total()})
        return {
            "status": faults.status,
            "starting_up": faults.starting_up,
            "delay": faults.delay,
            "malformed": sorted(faults.malformed),
            "endpoints": rules,
        }


def _check(ok: bool, message: str) -> None:  # noqa: FBT001
    if not ok:
        raise ValueError(message)


def parse_fault(body: Any) -> EndpointFault:  # noqa: ANN401 - any JSON value
    """An :class:`EndpointFault` from its JSON object.

    Args:
        body: ``{"kind":…, "endpoint":…, "times":…, …}``.

    Returns:
        The rule.

    Raises:
        ValueError: the object is not a valid rule (the message says why).
    """
    _check(isinstance(body, dict), "a fault is a JSON object")
    unknown = set(body) - _RULE_KEYS - {"hits"}
    _check(not unknown, f"unknown fault fields: {', '.join(sorted(unknown))}")
    kind = body.get("kind")
    _check(kind in FAULT_KINDS, f"kind must be one of {', '.join(sorted(FAULT_KINDS))}")
    _check(isinstance(body.get("endpoint", ""), str), "endpoint must be a string")
    for name in ("times", "after", "every", "status"):
        value = body.get(name)
        _check(
            value is None
            or (isinstance(value, int) and not isinstance(value, bool) and value >= 0),
            f"{name} must be a non-negative integer",
        )
    seconds = body.get("seconds")
    _check(
        seconds is None or (isinstance(seconds, int | float) and seconds >= 0),
        "seconds must be a non-negative number",
    )
    _check(isinstance(body.get("message", ""), str | None), "message must be a string")
    _check(isinstance(body.get("per_path", False), bool), "per_path must be true or false")
    values = {k: v for k, v in body.items() if k in _RULE_KEYS and v is not None}
    values["kind"] = cast("FaultKind", kind)
    if "seconds" in values:
        values["seconds"] = float(values["seconds"])
    return EndpointFault(**values)


def parse_faults(body: Any, current: Faults) -> tuple[Faults, tuple[EndpointFault, ...]]:  # noqa: ANN401
    """The global switches and new endpoint rules a ``POST /__sim__/faults`` body asks for.

    The body is either one rule (it has ``kind``) or an object with any of ``status``,
    ``starting_up``, ``delay``, ``malformed`` and ``endpoints`` (a list of rules).

    Args:
        body: the JSON body.
        current: the faults in force (switches not named are kept).

    Returns:
        The new global switches and the rules to append.

    Raises:
        ValueError: the body is not valid (the message says why).
    """
    _check(isinstance(body, dict), "expected a JSON object")
    if "kind" in body:
        return current, (parse_fault(body),)
    unknown = set(body) - _GLOBAL_KEYS - {"endpoints"}
    _check(
        not unknown,
        "expected a rule (with kind) or an object with status, starting_up, delay, malformed, "
        f"endpoints; unknown: {', '.join(sorted(unknown))}",
    )
    rules = body.get("endpoints") or []
    _check(isinstance(rules, list), "endpoints must be a list of rules")
    changes: dict[str, Any] = {k: v for k, v in body.items() if k in _GLOBAL_KEYS}
    status = changes.get("status")
    _check(status is None or isinstance(status, int), "status must be an HTTP status or null")
    if "starting_up" in changes:
        changes["starting_up"] = bool(changes["starting_up"])
    if "malformed" in changes:
        malformed = changes["malformed"] or ()
        _check(isinstance(malformed, list | tuple), "malformed must be a list of endpoint names")
        changes["malformed"] = frozenset(str(name) for name in malformed)
    if "delay" in changes:
        delay = changes["delay"] or 0
        _check(isinstance(delay, int | float), "delay must be a number of seconds")
        changes["delay"] = float(delay)
    return dataclasses.replace(current, **changes), tuple(parse_fault(r) for r in rules)
