"""Who an event is about, by name: the one place that decides how subjects are named.

A device is named by the event's own name fields (``sw_name``, ``dm_displayName``… lifted by the
normaliser into :attr:`Event.device_name`, or a v2 parameter's ``name``), else by the inventory
(``stat/device``) by MAC, else by its MAC. A client is named by the inventory's name when it has
one (an alias an admin gave it, or its hostname), else by the event's (``hostname``, a v2
``CLIENT`` name), else by its MAC or IP. The controller's messages are shown with every MAC
replaced by the name of what it stands for: a report never shows a bare MAC where any source
names the device.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from unifi_scanner import vocabulary
from unifi_scanner.collect.normalize import as_text

if TYPE_CHECKING:
    from unifi_scanner.analysis.rule import RuleContext
    from unifi_scanner.collect.models import Event

__all__ = [
    "client_key",
    "client_mac",
    "client_subject",
    "device_key",
    "device_kind",
    "device_mac",
    "device_subject",
    "is_critical",
    "known_device_mac",
    "link_subject",
    "param_text",
    "port_tally",
    "readable_message",
    "v2_parameter",
]

_DEVICE_NAME_FIELDS: Final = tuple(
    f"{field}{suffix}" for field in vocabulary.DEVICE_FIELDS for suffix in ("_name", "_displayName")
)
_CLIENT_FIELDS: Final = ("user", "client", "guest")
# Fields that carry another MAC and the field naming it (roams, wireless uplinks).
_NAMED_MACS: Final = (("ap_from", "ap_from_name"), ("ap_to", "ap_to_name"), ("ap", "ap_name"))
_MAC: Final = re.compile(r"(?i)(?<![0-9a-f:])((?:[0-9a-f]{2}:){5}[0-9a-f]{2})(?![0-9a-f:])")
# The controller writes a subject as ``Label[MAC]`` (``Switch[fc:ec:…]``, ``User['aa:…']``).
_BRACKETED: Final = re.compile(r"\[\s*'?(?P<mac>(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2})'?\s*\]")
# ...and a device as its family's label then the bracketed MAC (``Gateway[…]``), or a console's
# message starts with its bare MAC: only there does an unknown MAC stand for the event's device.
_DEVICE_LABELS: Final = sorted(
    {f.label.strip() for f in vocabulary.FAMILIES.values() if f.actor is vocabulary.Actor.DEVICE}
    | {"Device"},
    key=len,
    reverse=True,
)
_LABELLED: Final = re.compile(
    "(?:" + "|".join(re.escape(label) for label in _DEVICE_LABELS if label) + ")"
    r"\s?\[\s*'?(?P<mac>(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2})'?\s*\]"
)


def param_text(event: Event, name: str) -> str | None:
    """A parameter as text (numbers too); ``None`` when absent, empty or not a plain value."""
    return as_text(event.params.get(name))


def v2_parameter(event: Event, name: str) -> str | None:
    """A v2 system-log parameter as text (``TRIGGER``, ``WAN_NAME``, ``ADMIN``…).

    The normaliser also puts parameters under their lower-case names; the object under
    ``parameters`` (its ``name``, else ``ip``, else ``id``) is read when that is missing.
    """
    text = param_text(event, name.lower())
    if text:
        return text
    parameters = event.params.get("parameters")
    value = parameters.get(name) if isinstance(parameters, dict) else None
    if isinstance(value, dict):
        for field in ("name", "ip", "id"):
            found = as_text(value.get(field))
            if found:
                return found
    return None


def port_tally(event: Event, _ctx: RuleContext) -> tuple[tuple[str, str], ...]:
    """A ``tally`` of the port an event names (``port 8``), for the rules about ports."""
    port = param_text(event, "port")
    return (("port", f"port {port}" if port else "a port"),)


def device_mac(event: Event) -> str | None:
    """The MAC of the UniFi device the event is about (the normaliser's field order)."""
    if event.device_mac:
        return event.device_mac
    for field in vocabulary.device_fields(event.key):
        mac = param_text(event, field)
        if mac:
            return mac
    return None


def known_device_mac(event: Event, ctx: RuleContext) -> str | None:
    """The event's device MAC, else that of the one inventory device with the event's name.

    A v2 parameter can name a device without its MAC (its ``id`` a database id).
    """
    mac = device_mac(event)
    if mac:
        return mac.lower()
    device = ctx.device_named(_event_device_name(event))
    return device.mac.lower() if device is not None else None


def device_key(event: Event, ctx: RuleContext) -> str:
    """A stable group key for the event's device: its MAC, else its name."""
    return known_device_mac(event, ctx) or device_subject(event, ctx)


def _event_device_name(event: Event) -> str | None:
    if event.device_name:
        return event.device_name
    return next((text for n in _DEVICE_NAME_FIELDS if (text := param_text(event, n))), None)


def device_subject(event: Event, ctx: RuleContext) -> str:
    """The event's device by name: the event's own name, the inventory's, else the MAC.

    An event that names its device neither way is about "the gateway" (a console or gateway:
    a site has one) or "a switch" (its family's noun), never a generic unknown device.
    """
    mac = device_mac(event)
    named = _event_device_name(event)
    if mac or named:
        return ctx.device_label(mac, named)
    entry = vocabulary.lookup(event.key)
    family = entry.family if entry is not None else None
    if family is None or family.actor is not vocabulary.Actor.DEVICE or not family.code:
        return "an unnamed device"
    article = "the" if family.critical else ("an" if family.noun[0] in "aeiou" else "a")
    return f"{article} {family.noun}"


def device_kind(event: Event, ctx: RuleContext) -> str:
    """What the event's device is, in words: by the inventory's type, else the key's family."""
    device = ctx.device(known_device_mac(event, ctx))
    if device is not None and device.type in vocabulary.DEVICE_TYPES:
        return vocabulary.device_type(device.type).noun
    entry = vocabulary.lookup(event.key)
    if entry is None or not entry.family.code or entry.family.actor is not vocabulary.Actor.DEVICE:
        return "device"
    return entry.family.noun


def is_critical(event: Event, ctx: RuleContext) -> bool:
    """Whether the whole site depends on the event's device (a console or gateway)."""
    entry = vocabulary.lookup(event.key)
    if entry is not None and entry.family.critical:
        return True
    device = ctx.device(known_device_mac(event, ctx))
    return device is not None and vocabulary.device_type(device.type).critical


def client_mac(event: Event) -> str | None:
    """The MAC of the client the event is about."""
    if event.client_mac:
        return event.client_mac
    return next((param_text(event, f) for f in _CLIENT_FIELDS if param_text(event, f)), None)


def client_key(event: Event, ctx: RuleContext) -> str:
    """A stable group key for the event's client: its MAC, else its name."""
    mac = client_mac(event)
    return mac.lower() if mac else client_subject(event, ctx)


def client_subject(event: Event, ctx: RuleContext) -> str:
    """The event's client by name (the inventory's, then the event's, then the MAC or IP)."""
    fallback = event.client_name or param_text(event, "hostname") or param_text(event, "name")
    return ctx.client_label(client_mac(event), param_text(event, "ip"), fallback)


def link_subject(event: Event, ctx: RuleContext) -> str | None:
    """The two devices of a link (``ap_from`` and ``ap_to``: a wireless uplink), by name."""
    ends = [
        ctx.device_label(mac, param_text(event, f"{field}_name"))
        for field in ("ap_from", "ap_to")
        if (mac := param_text(event, field))
    ]
    return " and ".join(ends) or None


def _names_in(event: Event, ctx: RuleContext) -> dict[str, str]:
    """Every MAC the event itself names, with that name (lower-case MAC keys)."""
    names: dict[str, str] = {}
    mac = device_mac(event)
    if mac:
        names[mac.lower()] = device_subject(event, ctx)
    mac = client_mac(event)
    if mac:
        names.setdefault(mac.lower(), client_subject(event, ctx))
    for mac_field, name_field in _NAMED_MACS:
        mac = param_text(event, mac_field)
        if mac:
            names.setdefault(mac.lower(), ctx.device_label(mac, param_text(event, name_field)))
    return names


def _inventory_name(mac: str, ctx: RuleContext) -> str | None:
    device = ctx.device(mac)
    if device is not None and device.name:
        return device.name
    client = ctx.client(mac)
    if client is not None:
        return client.name or client.hostname
    return None


def readable_message(event: Event, ctx: RuleContext) -> str:
    """The controller's message with names instead of MACs; made up when it has none.

    Each MAC is replaced by the name the event gives it, else the inventory's. The subject's
    own MAC can differ from the one in the text (a gateway's WAN port has its own MAC): the
    first device label with a MAC (``Gateway[MAC]``), or a MAC that starts the message, is the
    subject, so it takes the subject's name when nothing else names that MAC. Any other MAC
    (a rogue access point's ``Rogue Access Point X [MAC]``) is never taken for the subject.

    Args:
        event: the event.
        ctx: the scan's context (the inventory).

    Returns:
        The message as a person would write it.
    """
    message = event.message.strip()
    entry = vocabulary.lookup(event.key)
    if not message:
        about_client = client_mac(event) and not device_mac(event)
        name = client_subject(event, ctx) if about_client else device_subject(event, ctx)
        says = entry.action.says if entry is not None else f"reported {event.key}"
        return f"{name} {says}"
    names = _names_in(event, ctx)
    subject = (
        names.get(device_mac(event).lower())  # type: ignore[union-attr]
        if device_mac(event)
        else None
    )
    first = _LABELLED.search(message) or _MAC.match(message)
    first_mac = first.group(1).lower() if first else None

    def name_of(mac: str) -> str | None:
        found = names.get(mac.lower()) or _inventory_name(mac.lower(), ctx)
        if found is None and subject and mac.lower() == first_mac:
            return subject
        return found

    def bracketed(match: re.Match[str]) -> str:
        found = name_of(match.group("mac"))
        return f"[{found}]" if found else match.group(0)

    message = _BRACKETED.sub(bracketed, message)
    return _MAC.sub(lambda m: name_of(m.group(1)) or m.group(1), message)
