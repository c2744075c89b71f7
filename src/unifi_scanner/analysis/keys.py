"""Wire event keys the code names directly, as an enum with an ``UNKNOWN`` fallback.

The whole vocabulary (every key, what it means, which rule reports it) is the data package
:mod:`unifi_scanner.vocabulary`; rules take keys from there. This enum names the keys tests and
rules refer to by name.
"""

from __future__ import annotations

import enum
import logging

from unifi_scanner import vocabulary

__all__ = ["EventKey", "warn_unknown_key"]

_LOGGER = logging.getLogger(__name__)
_WARNED: set[str] = set()
_WARN_LIMIT = 1000


class EventKey(enum.StrEnum):
    """Controller event keys (classic ``EVT_*`` and v2 system-log keys) the rules know.

    ``EventKey("EVT_Something_New")`` returns :attr:`UNKNOWN` and logs a warning once per key.
    """

    UNKNOWN = "UNKNOWN"

    AP_LOST_CONTACT = "EVT_AP_Lost_Contact"
    SW_LOST_CONTACT = "EVT_SW_Lost_Contact"
    GW_LOST_CONTACT = "EVT_GW_Lost_Contact"
    AP_CONNECTED = "EVT_AP_Connected"
    SW_CONNECTED = "EVT_SW_Connected"
    GW_CONNECTED = "EVT_GW_Connected"
    AP_ISOLATED = "EVT_AP_Isolated"
    AP_RESTARTED_UNKNOWN = "EVT_AP_RestartedUnknown"
    SW_RESTARTED_UNKNOWN = "EVT_SW_RestartedUnknown"
    GW_RESTARTED_UNKNOWN = "EVT_GW_RestartedUnknown"
    GW_WAN_TRANSITION = "EVT_GW_WANTransition"

    IPS_ALERT = "EVT_IPS_IpsAlert"
    THREAT_BLOCKED_V3 = "THREAT_BLOCKED_V3"
    THREAT_DETECTED_V3 = "THREAT_DETECTED_V3"

    WU_ROAM = "EVT_WU_Roam"
    WU_ROAM_RADIO = "EVT_WU_RoamRadio"
    WU_CONNECTED = "EVT_WU_Connected"
    WU_DISCONNECTED = "EVT_WU_Disconnected"
    WG_CONNECTED = "EVT_WG_Connected"
    WG_DISCONNECTED = "EVT_WG_Disconnected"
    LU_CONNECTED = "EVT_LU_Connected"
    LU_DISCONNECTED = "EVT_LU_Disconnected"
    LG_CONNECTED = "EVT_LG_Connected"
    LG_DISCONNECTED = "EVT_LG_Disconnected"
    AP_RADAR_DETECTED = "EVT_AP_RadarDetected"
    AP_POSSIBLE_INTERFERENCE = "EVT_AP_PossibleInterference"
    AP_CHANNEL_CHANGED = "EVT_AP_ChannelChanged"

    AP_UPGRADED = "EVT_AP_Upgraded"
    SW_UPGRADED = "EVT_SW_Upgraded"
    GW_UPGRADED = "EVT_GW_Upgraded"
    AD_LOGIN = "EVT_AD_Login"
    AD_LOGIN_FAILED = "EVT_AD_LoginFailed"

    @classmethod
    def _missing_(cls, value: object) -> EventKey:
        text = str(value)
        if vocabulary.lookup(text) is None:
            warn_unknown_key(text)
        return cls.UNKNOWN


def warn_unknown_key(key: str) -> None:
    """Log once per key (up to a bound) that a key is outside the controller's vocabulary.

    Such an event is still reported (``event.other``), with its device's name and its message.
    """
    if key not in _WARNED and len(_WARNED) < _WARN_LIMIT:
        _WARNED.add(key)
        _LOGGER.warning(
            "unknown event key %r: its action is not in the vocabulary; it is reported as an "
            "event the scanner does not know yet",
            key,
        )


def _reset_warnings() -> None:
    """Forget which unknown keys were already warned about (for tests)."""
    _WARNED.clear()
