"""Who an event is about: the controller's event families and its device types (data only).

A classic key is ``EVT_<FAMILY>_<Action>``; the family says what kind of thing the event is about
and in which payload fields its MAC and name travel. Device types (``stat/device`` ``type``) say
the same of the inventory. Sources: the controller's own event catalogue (its web UI's locale
file: key, family letters and message template per key) and ``docs/UNIFI_API.md`` §7.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "DEVICE_TYPES",
    "FAMILIES",
    "GENERIC_DEVICE",
    "MODEL_PREFIXES",
    "Actor",
    "DeviceType",
    "Family",
    "device_type",
    "family",
    "family_of_model",
]


class Actor(enum.StrEnum):
    """What kind of thing a family's events are about."""

    DEVICE = "device"
    """A UniFi device (access point, switch, gateway, console…)."""
    CLIENT = "client"
    """A client of the network (phone, laptop, camera…)."""
    ADMIN = "admin"
    """An administrator or the controller itself."""
    THREAT = "threat"
    """Traffic the gateway's threat management looked at."""
    LINK = "link"
    """A link between two devices (a wireless uplink)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Family:
    """One event family (the letters after ``EVT_``).

    Attributes:
        code: the letters (``AP``).
        noun: what the subject is, in plain words (``access point``).
        actor: what kind of thing it is.
        fields: payload fields that carry the MAC of the device (or client) the event is about,
            most specific first; each may have a ``<field>_name`` and a ``<field>_displayName``
            beside it (an admin event about a device names it in ``mac``).
        label: how the controller's own messages name the family (``Switch[…]``).
        critical: the whole site depends on it (a console or gateway): an outage is worse.
        subsystem: the classic ``subsystem`` its events carry.
    """

    code: str
    noun: str
    actor: Actor
    fields: tuple[str, ...] = ()
    label: str = ""
    critical: bool = False
    subsystem: str = "lan"


_D, _C, _A = Actor.DEVICE, Actor.CLIENT, Actor.ADMIN

FAMILIES: Final[Mapping[str, Family]] = MappingProxyType(
    {
        f.code: f
        for f in (
            Family(code="AP", noun="access point", actor=_D, fields=("ap",), label="AP", subsystem="wlan"),
            Family(code="SW", noun="switch", actor=_D, fields=("sw",), label="Switch"),
            Family(code="GW", noun="gateway", actor=_D, fields=("gw",), label="Gateway", critical=True, subsystem="www"),
            Family(code="XG", noun="gateway", actor=_D, fields=("xg",), label="NeXt-Gen Gateway", critical=True, subsystem="www"),
            Family(code="DM", noun="console", actor=_D, fields=("dm",), label="Console", critical=True, subsystem="www"),
            Family(code="BB", noun="building bridge", actor=_D, fields=("bb",), label="Bridge", subsystem="wlan"),
            Family(code="LTE", noun="LTE backup", actor=_D, fields=("lte", "dev"), label="UniFi LTE", subsystem="www"),
            Family(code="USP", noun="smart power device", actor=_D, fields=("usp", "ap", "sw"), label="Plug"),
            Family(code="PA", noun="scheduled stream", actor=_A),
            Family(code="CF", noun="wireless uplink", actor=Actor.LINK, fields=("ap_to", "ap_from"), subsystem="wlan"),
            Family(code="WU", noun="Wi-Fi client", actor=_C, fields=("user",), label="User", subsystem="wlan"),
            Family(code="WG", noun="Wi-Fi guest", actor=_C, fields=("guest", "user"), label="Guest", subsystem="wlan"),
            Family(code="LU", noun="wired client", actor=_C, fields=("user",), label="User"),
            Family(code="LG", noun="wired guest", actor=_C, fields=("guest", "user"), label="Guest"),
            Family(code="WC", noun="Wi-Fi client", actor=_C, fields=("client", "user"), label="Client", subsystem="wlan"),
            Family(code="LC", noun="wired client", actor=_C, fields=("client", "user"), label="Client"),
            Family(code="HS", noun="hotspot guest", actor=_C, fields=("guest",), label="Guest", subsystem="wlan"),
            Family(code="AD", noun="controller", actor=_A, fields=("mac",)),
            Family(code="IPS", noun="threat management", actor=Actor.THREAT, subsystem="www"),
        )
    }
)  # fmt: skip
"""Every family of the controller's event catalogue, by its letters."""

_GENERIC_DEVICE: Final = Family(code="", noun="device", actor=Actor.DEVICE)

GENERIC_DEVICE: Final = "DEV"
"""Our family letters for a device whose family nothing tells (``EVT_DEV_Lost_Contact``): it is
understood by its action, as a plain "device"."""

MODEL_PREFIXES: Final = (
    ("DM", ("UCK",)),  # a Cloud Key: a UniFi OS console that is not a gateway
    ("BB", ("UBB",)),
    ("LTE", ("ULTE", "U-LTE")),
    ("USP", ("USP",)),  # smart power (USP-RPS, USP-PDU-Pro) before the switches' US
    ("GW", ("UGW", "USG", "UDM", "UDR", "UDW", "UXG", "UCG", "UX")),
    ("SW", ("USW", "US", "UDC")),
    ("AP", ("UAP", "U6", "U7", "UAL", "UAC", "UAE", "UK", "E7", "UWB", "UDB", "ULR")),
)
"""Model-name prefixes → family, most specific first (``US`` would also match ``USG``).

A v2 row names a device by its model (``UDM-Pro``, ``USW-Pro-Max-16-PoE``, ``U7-Pro``), never by
its family.
"""


def family_of_model(model: str | None) -> str | None:
    """The family letters of a device model (``UCG-Fiber`` → ``GW``), or ``None``."""
    if not model:
        return None
    upper = model.upper()
    for code, prefixes in MODEL_PREFIXES:
        if upper.startswith(prefixes):
            return code
    return None


def family(code: str | None) -> Family:
    """The family with these letters; an unknown one is a generic UniFi device.

    Args:
        code: the letters after ``EVT_`` (``SW``), or ``None``.

    Returns:
        The family (``noun`` ``device`` when the letters are unknown).
    """
    return FAMILIES.get(code or "", _GENERIC_DEVICE)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceType:
    """One ``stat/device`` ``type``: what it is and whether the site depends on it.

    Attributes:
        code: the type (``udm``).
        noun: what it is, in plain words.
        family: the event family its own events use.
        critical: the whole site depends on it (a console or a gateway).
        routes: it is the site's gateway (its outage takes the internet away).
    """

    code: str
    noun: str
    family: str
    critical: bool = False
    routes: bool = False


DEVICE_TYPES: Final[Mapping[str, DeviceType]] = MappingProxyType(
    {
        t.code: t
        for t in (
            DeviceType(code="uap", noun="access point", family="AP"),
            DeviceType(code="usw", noun="switch", family="SW"),
            DeviceType(code="ugw", noun="gateway", family="GW", critical=True, routes=True),
            DeviceType(code="uxg", noun="gateway", family="XG", critical=True, routes=True),
            DeviceType(code="uxgpro", noun="gateway", family="XG", critical=True, routes=True),
            DeviceType(code="ucg", noun="gateway", family="GW", critical=True, routes=True),
            DeviceType(code="udm", noun="console", family="DM", critical=True, routes=True),
            DeviceType(code="uck", noun="cloud key", family="DM", critical=True),
            DeviceType(code="ubb", noun="building bridge", family="BB"),
            DeviceType(code="ulte", noun="LTE backup", family="LTE"),
            DeviceType(code="usp", noun="smart power device", family="USP"),
            DeviceType(code="uph", noun="phone", family=""),
            DeviceType(code="uas", noun="application server", family=""),
        )
    }
)
"""``stat/device`` types (``docs/UNIFI_API.md`` §7)."""

_UNKNOWN_TYPE: Final = DeviceType(code="", noun="device", family="")


def device_type(code: str | None) -> DeviceType:
    """The device type with this code; an unknown one is a plain ``device``."""
    return DEVICE_TYPES.get(code or "", _UNKNOWN_TYPE)
