"""Looking a key up: its family, its action, and the rule that reports it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

from unifi_scanner.vocabulary.actions import ACTIONS, ROUTINE, Action, Policy
from unifi_scanner.vocabulary.families import FAMILIES, Actor, Family, family
from unifi_scanner.vocabulary.keys import CLASSIC_KEYS
from unifi_scanner.vocabulary.v2 import DEVICE_FAMILY, V2_NAMES, V2_PREFIXES, V2Name, bare_name

__all__ = ["DEVICE_FIELDS", "Entry", "device_fields", "lookup", "split_key"]

_CLASSIC_PREFIX: Final = "EVT_"
_LISTED: Final = frozenset(CLASSIC_KEYS)

DEVICE_FIELDS: Final = tuple(
    dict.fromkeys(
        field
        for fam in FAMILIES.values()
        if fam.actor is Actor.DEVICE
        for field in fam.fields
        if not field.startswith("ap_")
    )
)
"""Every payload field that can carry a UniFi device's MAC (``ap``, ``sw``, ``gw``, ``xg``…)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """What one key means and how it is treated.

    Attributes:
        key: the key as looked up.
        family: who the event is about.
        action: what happened.
        rule: the id of the rule that reports it (:data:`ROUTINE`: the site's routine
            summary; :data:`THREAT`: the IPS rules).
        listed: the key is in the catalogue, the captures or the v2 table; ``False`` when it is
            understood only from its family and action (or its v2 prefix).
        v2: the v2 name, for a v2 key.
    """

    key: str
    family: Family
    action: Action
    rule: str
    listed: bool
    v2: V2Name | None = None

    @property
    def policy(self) -> Policy:
        """The severity policy of its action."""
        return self.action.policy

    @property
    def routine(self) -> bool:
        """Whether it is counted in the site's routine summary rather than reported alone."""
        return self.rule == ROUTINE


def split_key(key: str) -> tuple[str, str] | None:
    """``EVT_SW_PoeOverload`` → ``("SW", "PoeOverload")``; ``None`` for a non-classic key."""
    if not key.startswith(_CLASSIC_PREFIX):
        return None
    code, sep, action = key[len(_CLASSIC_PREFIX) :].partition("_")
    return (code, action) if sep and code and action else None


_NAMES_A_DEVICE: Final = frozenset({Actor.DEVICE, Actor.ADMIN})  # an admin event may name one


@functools.lru_cache(maxsize=1024)
def device_fields(key: str) -> tuple[str, ...]:
    """Where a key's device MAC may be, in order: the one order for every stage.

    Its family's own fields first (``dm`` for ``EVT_DM_*``, although console events also carry
    ``gw``; ``mac`` for an admin event about a device), then every device field.

    Args:
        key: a wire key.

    Returns:
        Payload field names.
    """
    parts = split_key(key)
    fam = family(parts[0] if parts is not None else None)
    own = fam.fields if parts is not None and fam.actor in _NAMES_A_DEVICE else ()
    return tuple(dict.fromkeys((*own, *DEVICE_FIELDS)))


@functools.lru_cache(maxsize=4096)
def lookup(key: str) -> Entry | None:
    """What a wire key means, or ``None`` when its action (or v2 name) is not known.

    Args:
        key: a classic ``EVT_*`` key or a v2 system-log key (with or without its version).

    Returns:
        The entry, or ``None`` for a key outside the vocabulary.
    """
    parts = split_key(key)
    if parts is not None:
        code, name = parts
        action = ACTIONS.get(name)
        if action is None:
            return None
        fam = family(code)
        return Entry(
            key=key, family=fam, action=action, rule=_rule(fam, action), listed=key in _LISTED
        )
    return _v2_entry(key)


def _rule(fam: Family, action: Action) -> str:
    if fam.actor is Actor.CLIENT and action.client_rule is not None:
        return action.client_rule
    return action.rule


def _v2_entry(key: str) -> Entry | None:
    bare = bare_name(key)
    name = V2_NAMES.get(bare) or V2_NAMES.get(key)
    listed = name is not None
    if name is None:
        name = next((n for prefix, n in V2_PREFIXES.items() if key.startswith(prefix)), None)
        if name is None:
            return None
    action = ACTIONS[name.action]
    fam = family(None if name.family == DEVICE_FAMILY else name.family)
    return Entry(
        key=key, family=fam, action=action, rule=_rule(fam, action), listed=listed, v2=name
    )
