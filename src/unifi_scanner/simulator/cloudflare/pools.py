"""The shared pools generated values are drawn from (``data/cloudflare/pools.json``)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from unifi_scanner.simulator.templates import load_json

if TYPE_CHECKING:
    from unifi_scanner.simulator.cloudflare.wire import JsonObject

__all__ = ["pick", "pools", "weighted"]


@functools.cache
def _pools() -> JsonObject:
    value: JsonObject = load_json("cloudflare/pools.json")
    return value


def pools() -> JsonObject:
    """Return the pools: rulesets, rules, weighted event kinds, clients, paths, DNS kinds.

    Returns:
        The parsed file (shared: do not change it).
    """
    return _pools()


def pick(items: list[Any], roll: int) -> Any:  # noqa: ANN401 - an item of a JSON list
    """The item ``roll`` lands on (``roll`` modulo the length).

    Args:
        items: a non-empty list.
        roll: any non-negative number.

    Returns:
        The item.
    """
    return items[roll % len(items)]


def weighted(kinds: list[JsonObject], roll: int) -> JsonObject:
    """The item ``roll`` lands on when each counts ``weight`` times.

    Args:
        kinds: non-empty items with a positive integer ``weight``.
        roll: any non-negative number.

    Returns:
        The item.
    """
    point = roll % sum(int(kind["weight"]) for kind in kinds)
    for kind in kinds:
        point -= int(kind["weight"])
        if point < 0:
            return kind
    return kinds[-1]  # pragma: no cover - the weights add up to the total
