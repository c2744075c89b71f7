"""v2 ``system-log`` entries (Network 9/10+); traffic flows are in :mod:`.flows`.

Entries gain the classic vocabulary in ``params`` where it applies (``src_ip``, ``dest_ip``, the
parameters under their lower-case names…), so rules need not know which endpoint answered.
"""

from __future__ import annotations

import functools
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from unifi_scanner import vocabulary
from unifi_scanner.collect.models import Event, EventSource
from unifi_scanner.collect.normalize._coerce import (
    UnusableItemError,
    as_mac,
    as_str,
    as_time,
    mac_id,
    require_mapping,
    synthetic_id,
    without,
)
from unifi_scanner.vocabulary import GENERIC_DEVICE, V2_NAMES, bare_name, family_of_model

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "V2_TO_CLASSIC",
    "classic_key",
    "event_from_system_log",
    "fill_placeholders",
]

_LOG_CONSUMED: Final = ("id", "_id", "key", "timestamp", "category")
_PLACEHOLDER: Final = re.compile(r"\{([A-Za-z0-9_]+)\}")
# SRC_DEVICE first: in a threat or firewall row, DEVICE is the gateway that acted, while
# SRC_DEVICE is the device the row is about.
_DEVICE_PARAMS: Final = (
    "SRC_DEVICE",
    "DEVICE",
    "DEVICE_WITH_PORT",
    "GATEWAY",
    "SWITCH",
    "ACCESS_POINT",
    "AP",
    "NEAREST_AP",
    "CONSOLE",
    "DEVICE_TO",
)
# SRC_CLIENT before DST_CLIENT: a threat or firewall entry is about the client that sent the
# traffic when one is known (``*_KNOWN_SOURCE_CLIENT``), else the one it was aimed at.
_CLIENT_PARAMS: Final = ("CLIENT", "SRC_CLIENT", "DST_CLIENT", "USER", "GUEST")
#: v2 system-log name (version suffix removed) → the classic ``stat/event`` key the rules match.
#: ``{D}`` becomes the device's family letters, from its model (``DEV``: unknown).
#: Built from the vocabulary (:data:`unifi_scanner.vocabulary.V2_NAMES`, its ``classic``
#: names); sources and confidence: ``docs/v2-system-log.md``. A name missing here keeps its
#: v2 key.
V2_TO_CLASSIC: Final[Mapping[str, str]] = MappingProxyType(
    {name.name: f"EVT_{name.family}_{name.action}" for name in V2_NAMES.values() if name.classic}
)
_KIND_BY_PARAM: Final = (("GATEWAY", "GW"), ("SWITCH", "SW"), ("ACCESS_POINT", "AP"), ("AP", "AP"))
# Roam and upgrade parameters → the classic ``params`` names the rules read.
_PARAM_ALIASES: Final = (
    ("RADIO_BAND", "radio_to"),
    ("PREVIOUS_RADIO_BAND", "radio_from"),
    ("CHANNEL", "channel_to"),
    ("PREVIOUS_CHANNEL", "channel_from"),
    ("VERSION_FROM", "version_from"),
    ("VERSION_TO", "version_to"),
    ("PORT", "port"),
)


_LIST_LIMIT: Final = 5


def _param_text(value: object) -> str | None:
    """A parameter as text.

    An object's ``name`` (else ``hostname``, ``ip``, ``target_id``, ``id``, ``mac``, ``value``),
    a list's items joined, an object holding one list (``CLIENTS``: ``{"clients": [...]}``)
    likewise, a scalar as it is.
    """
    if isinstance(value, dict):
        for name in ("name", "hostname", "ip", "target_id", "id", "mac", "value"):
            text = as_str(value.get(name))
            if text:
                return text
        lists = [item for item in value.values() if isinstance(item, list)]
        return _list_text(lists[0]) if len(lists) == 1 else None
    if isinstance(value, list):
        return _list_text(value)
    return as_str(value)


def _list_text(items: list[object]) -> str | None:
    texts = [text for item in items[: _LIST_LIMIT + 1] if (text := _param_text(item))]
    if not texts:
        return None
    if len(items) > _LIST_LIMIT:
        return ", ".join(texts[:_LIST_LIMIT]) + f" and {len(items) - _LIST_LIMIT} more"
    return ", ".join(texts)


def _unknown(token: str) -> str:
    """What a placeholder with no usable parameter reads as: never the raw ``{TOKEN}``."""
    return f"(unknown {token.replace('_', ' ').lower()})"


def fill_placeholders(template: str, parameters: Mapping[str, object]) -> str:
    """Replace ``{NAME}`` tokens with the parameter's text (see :func:`_param_text`).

    A token with no usable parameter reads ``(unknown name)``: a raw ``{PLACEHOLDER}`` never
    reaches a report.
    """
    parts = _template_parts(template)
    if len(parts) == 1:
        return template
    filled = list(parts)
    for i in range(1, len(parts), 2):  # odd items are placeholder names
        filled[i] = _param_text(parameters.get(parts[i])) or _unknown(parts[i])
    return "".join(filled)


@functools.lru_cache(maxsize=1024)
def _template_parts(template: str) -> tuple[str, ...]:
    """``"A {X} b"`` -> ``("A ", "X", " b")``: literal text and placeholder names, alternating."""
    return tuple(_PLACEHOLDER.split(template))


def _subject(
    parameters: Mapping[str, object], names: tuple[str, ...]
) -> tuple[str | None, str | None]:
    for name in names:
        value = parameters.get(name)
        if not isinstance(value, dict):
            continue
        mac = as_mac(value.get("mac"))
        if mac is None:
            for field in ("id", "target_id"):
                if candidate := mac_id(value.get(field)):
                    mac = candidate
                    break
        return mac, as_str(value.get("name")) or as_str(value.get("hostname"))
    return None, None


def _ip(value: object) -> str | None:
    if isinstance(value, dict):  # real SRC_IP/DST_IP carry the address in id or target_id
        for field in ("ip", "target_id", "id", "name"):
            if text := as_str(value.get(field)):
                return text
        return None
    return as_str(value)


def _device_kind(parameters: Mapping[str, object]) -> str:
    """The device's family letters: by its model, else by the parameter's name.

    Else :data:`~unifi_scanner.vocabulary.GENERIC_DEVICE`: a plain "device", never a guess.
    """
    for name in _DEVICE_PARAMS:
        value = parameters.get(name)
        if isinstance(value, dict):
            model = as_str(value.get("model")) or as_str(value.get("model_name"))
            kind = family_of_model(model)
            if kind:
                return kind
    for name, kind in _KIND_BY_PARAM:
        if isinstance(parameters.get(name), dict):
            return kind
    return GENERIC_DEVICE


def classic_key(raw: Mapping[str, object]) -> str | None:
    """The classic ``EVT_*`` key for a v2 system-log entry, or ``None`` when it has none.

    The entry's ``key`` is looked up with and without its version suffix, then its ``event``;
    a generic device key (``DEVICE_UNREACHABLE``) gets its device's family letters.

    Args:
        raw: the system-log entry.

    Returns:
        The classic key, or ``None`` for a name :data:`V2_TO_CLASSIC` does not hold.
    """
    for field in ("key", "event"):
        name = as_str(raw.get(field))
        if not name:
            continue
        template = _classic_template(name)
        if template is not None:
            params = raw.get("parameters")
            parameters: Mapping[str, object] = params if isinstance(params, dict) else {}
            return (
                template.replace("{D}", _device_kind(parameters)) if "{D}" in template else template
            )
    return None


@functools.lru_cache(maxsize=1024)
def _classic_template(name: str) -> str | None:
    return V2_TO_CLASSIC.get(name) or V2_TO_CLASSIC.get(bare_name(name))


_CLIENT_PARAM_SET: Final = frozenset(_CLIENT_PARAMS)
_CLASSIC_PARAM_NAMES: Final = frozenset(
    {"DEVICE_FROM", "DEVICE_TO", *(wire for wire, _ in _PARAM_ALIASES)}
)


def _classic_params(parameters: Mapping[str, object]) -> dict[str, object]:
    extra: dict[str, object] = {}
    for wire, ours in (("DEVICE_FROM", "ap_from"), ("DEVICE_TO", "ap_to")):
        mac, name = _subject(parameters, (wire,))
        if mac:
            extra[ours] = mac
        if name:
            extra[f"{ours}_name"] = name
    for wire, ours in _PARAM_ALIASES:
        if wire in parameters and (text := _param_text(parameters[wire])):
            extra[ours] = text
    return extra


_NOT_FLATTENED: Final = frozenset(
    {*_DEVICE_PARAMS, *_CLIENT_PARAMS, "SRC_IP", "DST_IP", "DEVICE_FROM"}
)


@functools.lru_cache(maxsize=1024)
def _flat_name(name: str) -> str | None:
    """The lower-case name a parameter is flattened to, or ``None`` for one never flattened."""
    return None if name in _NOT_FLATTENED else name.lower()


def _flatten(parameters: Mapping[str, object], params: dict[str, object]) -> None:
    """Every other parameter also under its lower-case name, as classic events carry it.

    ``PORT: {"name": "8"}`` becomes ``port: "8"``; a parameter naming a device by MAC
    (``AP_FROM: {"id": <mac>, "name": "AP-Hall"}``) becomes ``ap_from`` (the MAC) and
    ``ap_from_name``. Names already in ``params`` are left alone.
    """
    for name, value in parameters.items():
        lower = _flat_name(name)
        if lower is None or lower in params:
            continue
        if isinstance(value, dict):
            ident = value.get("id")
            if type(ident) is str and ":" in ident and (mac := mac_id(ident)):
                params[lower] = mac
                if label := as_str(value.get("name")):
                    params.setdefault(f"{lower}_name", label)
                continue
        if text := _param_text(value):
            params[lower] = text


def event_from_system_log(item: object) -> Event:
    """Normalise one v2 ``system-log`` entry (source ``system_log``).

    A key :data:`V2_TO_CLASSIC` knows becomes the classic ``EVT_*`` key (the v2 key stays in
    ``params["v2_key"]``); any other key is kept as it is. Parameters also appear under their
    classic ``params`` names (roam and upgrade aliases, then every other one in lower case).
    ``message`` is ``message_raw`` (else ``title_raw``) with placeholders filled from
    ``parameters``; ``SRC_IP``/``DST_IP`` parameters also appear as ``src_ip``/``dest_ip``.
    """
    raw = require_mapping(item)
    when = as_time(raw.get("timestamp")) or as_time(raw.get("time"))
    if when is None:
        raise UnusableItemError(f"system-log entry {raw.get('id')!r} has no usable timestamp")
    v2_key = as_str(raw.get("key")) or as_str(raw.get("event")) or "UNKNOWN"
    params_in = raw.get("parameters")
    parameters: Mapping[str, object] = params_in if isinstance(params_in, dict) else {}
    template = as_str(raw.get("message_raw")) or as_str(raw.get("title_raw")) or ""
    message = fill_placeholders(template, parameters)
    event_id = (
        as_str(raw.get("id")) or as_str(raw.get("_id")) or synthetic_id(v2_key, when, message)
    )
    device_mac, device_name = _subject(parameters, _DEVICE_PARAMS)
    client_mac = client_name = None
    if not _CLIENT_PARAM_SET.isdisjoint(parameters):  # threat entries often name no client
        client_mac, client_name = _subject(parameters, _CLIENT_PARAMS)
    params = without(raw, _LOG_CONSUMED)
    for wire, ours in (("SRC_IP", "src_ip"), ("DST_IP", "dest_ip")):
        if wire in parameters and (address := _ip(parameters[wire])):
            params[ours] = address
    key = classic_key(raw)
    subsystem = as_str(raw.get("subcategory"))
    if key is not None:
        params["v2_key"] = v2_key
        subsystem = vocabulary.family(key[4:].partition("_")[0]).subsystem
    if not _CLASSIC_PARAM_NAMES.isdisjoint(parameters):
        params.update(_classic_params(parameters))
    _flatten(parameters, params)
    severity = as_str(raw.get("severity"))
    return Event(
        id=event_id,
        key=key or v2_key,
        source=EventSource.SYSTEM_LOG,
        time=when,
        subsystem=subsystem,
        category=as_str(raw.get("category")),
        severity_hint=severity.lower() if severity else None,
        message=message,
        device_mac=device_mac,
        device_name=device_name,
        client_mac=client_mac,
        client_name=client_name,
        params=params,
    )
