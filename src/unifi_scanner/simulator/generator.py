"""The event generator: millions of events, each a pure function of (seed, index).

Event ``i`` (0 = newest) happens at ``now - offset(i)``, where ``offset`` grows with ``i``
(evenly spread over ``days``, with a seeded jitter smaller than the gap), so the sequence is
newest first and a time window maps to an index range by binary search. Its kind, client,
access points and IPS signature come from a 64-bit mix of the seed and ``i``. Nothing is cached:
serving page 9,999 builds only that page's records (:attr:`EventGenerator.built` counts them).

Every ``1 / ips_share``-th event is an IPS alert, so IPS alert ``j`` is event
``j * stride + offset`` and the IPS-only endpoints (``traffic-flows``, ``stat/ips/event``)
are indexable too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unifi_scanner.simulator.events import Lookup, event_record, ips_record
from unifi_scanner.simulator.templates import JsonObject, object_id
from unifi_scanner.simulator.v2records import build_flows, system_log_entry
from unifi_scanner.simulator.vocabulary import KEYS, parameters

if TYPE_CHECKING:
    from collections.abc import Callable

    from unifi_scanner.simulator.config import GeneratorSpec

__all__ = ["EventGenerator"]

_MASK = (1 << 64) - 1
_DAY_MS = 86_400_000
_WIRELESS = ("EVT_WU_Connected", "EVT_WU_Connected", "EVT_WU_Disconnected", "EVT_WU_Roam")
_WIRED = ("EVT_LU_Connected", "EVT_LU_Disconnected")
_DEVICE = (
    ("EVT_AP_RestartedUnknown", "uap"),
    ("EVT_AP_Lost_Contact", "uap"),
    ("EVT_AP_Connected", "uap"),
    ("EVT_SW_PoeOverload", "usw"),
    ("EVT_SW_RestartedUnknown", "usw"),
)
# Every key of the generated site's device families, for the rarer device events.
_EVERY_DEVICE = tuple(
    (f"EVT_{family}_{action}", kind)
    for family, kind in (("AP", "uap"), ("SW", "usw"), ("GW", "ugw"))
    for action in KEYS[family]
)
# Controller and scheduled-stream events that need no client.
_SITE = tuple(
    f"EVT_{family}_{action}"
    for family in ("AD", "PA")
    for action in KEYS[family]
    if not {"guest", "client"} & set(parameters(f"EVT_{family}_{action}"))
    and action != "ScheduleUpgradeFailedNotFound"
)
_RARE_DEVICE = 4  # one device event in this many is any key of the device's family
_SITE_EVERY = 97  # one event in this many is a controller event...
_SITE_SLOT = 3  # ...the one whose roll leaves this remainder
_SIGNATURES: tuple[JsonObject, ...] = (
    {
        "signature": "ET SCAN Suspicious inbound to MSSQL port 1433",
        "sid": 2010935,
        "category": "Potentially Bad Traffic",
        "catname": "emerging-scan",
        "severity": 2,
        "dest_port": 1433,
        "country": "CN",
        "asn": "AS64502 Example Cloud",
    },
    {
        "signature": "ET DROP Spamhaus DROP Listed Traffic Inbound group 12",
        "sid": 2400011,
        "category": "Misc Attack",
        "catname": "spamhaus",
        "severity": 2,
        "dest_port": 23,
        "country": "NL",
        "asn": "AS64500 Example Transit",
    },
    {
        "signature": "ET SCAN Potential SSH Scan",
        "sid": 2001219,
        "category": "Attempted Information Leak",
        "catname": "emerging-scan",
        "severity": 2,
        "dest_port": 22,
        "country": "US",
        "asn": "AS64503 Example Hosting",
    },
    {
        "signature": "ET MALWARE Possible Malicious Command and Control Beacon",
        "sid": 2035595,
        "category": "A Network Trojan was detected",
        "catname": "emerging-malware",
        "severity": 1,
        "dest_port": 443,
        "country": "RU",
        "asn": "AS64504 Example Bulletproof",
        "direction": "outbound",
    },
)


def _mix(value: int) -> int:
    """splitmix64: a well-spread 64-bit number from any integer."""
    z = (value + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class EventGenerator:
    """Deterministic events for a generated site, computed one index at a time.

    Args:
        spec: the scale knobs.
        seed: the seed; the same seed, site and clock give the same events.
        site: the scenario's ``site`` block.
        look: the site's devices and clients.
        now_ms: the clock, epoch milliseconds; event 0 is the newest, at most ``now_ms``.
    """

    def __init__(
        self, spec: GeneratorSpec, *, seed: int, site: JsonObject, look: Lookup, now_ms: int
    ) -> None:
        self.total = spec.total
        self.built = 0
        """How many records were built so far (tests use it to show nothing else is)."""
        self._seed = _mix(seed)
        self._site = site
        self._look = look
        self._now_ms = now_ms
        self._span = max(1, round(spec.days * _DAY_MS))
        self._gap = self._span // max(self.total, 1)
        self._ips_stride = max(2, round(1 / spec.ips_share)) if spec.ips_share > 0 else 0
        self._ips_offset = self._ips_stride // 2
        self._device_stride = max(3, round(1 / spec.device_share)) if spec.device_share > 0 else 0
        self._aps = [d for d in look.devices.values() if d["type"] == "uap" and d.get("state", 1)]
        self._switches = [d for d in look.devices.values() if d["type"] == "usw"]
        self._gateways = [look.gateway]
        self._devices = {"uap": self._aps, "usw": self._switches, "ugw": self._gateways}
        self._clients = list(look.clients.values())
        self._wireless = [c for c in self._clients if "switch" not in c]
        self._wired = [c for c in self._clients if "switch" in c]

    # --- times -------------------------------------------------------------------------------

    def time_ms(self, index: int) -> int:
        """The time of event ``index``: newest first, never increasing with the index."""
        jitter = self._random(index, 0) % self._gap if self._gap > 1 else 0
        return self._now_ms - (index * self._span) // max(self.total, 1) - jitter

    def index_range(self, low_ms: int | None, high_ms: int | None) -> range:
        """The indexes of the events with ``low_ms <= time <= high_ms`` (either may be open)."""
        start = 0 if high_ms is None else self._first(lambda i: self.time_ms(i) <= high_ms)
        stop = self.total if low_ms is None else self._first(lambda i: self.time_ms(i) < low_ms)
        return range(start, max(start, stop))

    def _first(self, test: Callable[[int], bool]) -> int:
        low, high = 0, self.total
        while low < high:
            middle = (low + high) // 2
            if test(middle):
                high = middle
            else:
                low = middle + 1
        return low

    # --- IPS index space -----------------------------------------------------------------------

    @property
    def ips_total(self) -> int:
        """How many of the events are IPS alerts."""
        if not self._ips_stride or self.total <= self._ips_offset:
            return 0
        return (self.total - 1 - self._ips_offset) // self._ips_stride + 1

    def ips_index(self, ordinal: int) -> int:
        """The event index of IPS alert ``ordinal`` (0 = newest)."""
        return ordinal * self._ips_stride + self._ips_offset

    def ips_range(self, events: range) -> range:
        """The IPS ordinals whose events fall in ``events`` (an index range)."""
        if not self._ips_stride:
            return range(0)

        def first_at_or_after(index: int) -> int:
            return max(0, -(-(index - self._ips_offset) // self._ips_stride))

        return range(
            min(first_at_or_after(events.start), self.ips_total),
            min(first_at_or_after(events.stop), self.ips_total),
        )

    def is_ips(self, index: int) -> bool:
        """Whether event ``index`` is an IPS alert."""
        return bool(self._ips_stride) and index % self._ips_stride == self._ips_offset

    # --- records -------------------------------------------------------------------------------

    def event(self, index: int) -> JsonObject:
        """Event ``index`` as a ``stat/event`` item (IPS alerts included)."""
        self.built += 1
        time_ms = self.time_ms(index)
        event_id = object_id(self._site["id"], "generated", self._seed, index)
        if self.is_ips(index):
            return ips_record(
                self._ips_spec(index),
                self._site,
                self._look,
                time_ms=time_ms,
                event_id=event_id,
                index=100_000 + index,
            )
        return event_record(
            self._event_spec(index), self._site, self._look, time_ms=time_ms, event_id=event_id
        )

    def system_log(self, index: int) -> JsonObject:
        """Event ``index`` as a v2 ``system-log`` entry."""
        return system_log_entry(self.event(index), self._look)

    def ips_event(self, ordinal: int) -> JsonObject:
        """IPS alert ``ordinal`` as a ``stat/ips/event`` item."""
        return self.event(self.ips_index(ordinal))

    def flow(self, ordinal: int) -> JsonObject:
        """IPS alert ``ordinal`` as a v2 ``traffic-flows`` item."""
        return build_flows([self.ips_event(ordinal)], self._look)[0]

    def _random(self, index: int, salt: int) -> int:
        return _mix(self._seed ^ _mix(index * 8 + salt))

    def _event_spec(self, index: int) -> JsonObject:
        roll = self._random(index, 1)
        if self._device_stride and roll % self._device_stride == 0:
            pick = roll // self._device_stride
            if pick % _RARE_DEVICE:
                key, kind = _DEVICE[pick // _RARE_DEVICE % len(_DEVICE)]
            else:
                key, kind = _EVERY_DEVICE[pick // _RARE_DEVICE % len(_EVERY_DEVICE)]
            devices = self._devices[kind]
            if devices:
                return {"key": key, "device": devices[(roll >> 20) % len(devices)]["name"]}
        if roll % _SITE_EVERY == _SITE_SLOT:
            return {"key": _SITE[(roll >> 24) % len(_SITE)]}
        if self._wired and roll % 20 == 1:
            client = self._wired[(roll >> 8) % len(self._wired)]
            return {"key": _WIRED[(roll >> 40) % 2], "client": client["name"]}
        client = self._wireless[(roll >> 8) % len(self._wireless)]
        key = _WIRELESS[(roll >> 40) % len(_WIRELESS)]
        spec: JsonObject = {"key": key, "client": client["name"]}
        if key == "EVT_WU_Roam" and len(self._aps) > 1:
            first = (roll >> 44) % len(self._aps)
            second = (first + 1 + (roll >> 52) % (len(self._aps) - 1)) % len(self._aps)
            spec |= {"ap_from": self._aps[first]["name"], "ap_to": self._aps[second]["name"]}
        elif key == "EVT_WU_Roam":
            spec["key"] = "EVT_WU_Connected"
        elif key == "EVT_WU_Disconnected":
            spec |= {"duration": 60 + roll % 20_000, "bytes": (roll >> 16) % 50_000_000}
        if "ap_from" not in spec and self._look.devices[client["ap"]] not in self._aps:
            spec["ap"] = self._aps[0]["name"]  # the client's own AP is offline
        return spec

    def _ips_spec(self, index: int) -> JsonObject:
        roll = self._random(index, 2)
        spec = dict(_SIGNATURES[roll % len(_SIGNATURES)])
        spec.setdefault("direction", "inbound")
        spec |= {
            "remote_ip": f"198.51.100.{(roll >> 8) % 254 + 1}",
            "src_port": 1024 + (roll >> 16) % 60_000,
            "proto": "TCP",
            "action": "blocked" if (roll >> 32) % 10 else "alert",
        }
        if spec["direction"] == "outbound":
            spec["client"] = self._wireless[(roll >> 40) % len(self._wireless)]["name"]
        return spec
