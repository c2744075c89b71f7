"""The declarative rule types and the context they read names from.

A rule is data: an id, what it matches, a severity (or a function choosing one), template
texts, and small functions that pull the subject and template fields out of one item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unifi_scanner.analysis.findings import Severity

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterable, Mapping
    from datetime import datetime

    from unifi_scanner.analysis.keys import EventKey
    from unifi_scanner.collect.models import Client, Device, Event, Snapshot

__all__ = [
    "ClientRule",
    "DeviceRule",
    "EventRule",
    "GroupView",
    "Rule",
    "RuleContext",
    "Summary",
    "SummaryView",
]


class RuleContext:
    """What a rule may look at besides the item: the snapshot (by MAC and IP) and the clock.

    It also memoises per-event work (``memo``) so several rules can share one parse; the
    engine clears it before each event.
    """

    __slots__ = (
        "_clients_by_ip",
        "_clients_by_mac",
        "_devices_by_mac",
        "_devices_by_name",
        "memo",
        "now",
        "snapshot",
    )

    def __init__(self, snapshot: Snapshot, now: Callable[[], datetime]) -> None:
        """Index the snapshot's devices and clients.

        Args:
            snapshot: the scan being analysed.
            now: the injected clock.
        """
        self.snapshot = snapshot
        self.now = now
        self.memo: dict[str, Any] = {}
        self._devices_by_mac = {d.mac.lower(): d for d in snapshot.devices}
        named: dict[str, Device | None] = {}
        for d in snapshot.devices:  # a name two devices share names neither
            key = d.name.casefold()
            named[key] = None if key in named else d
        self._devices_by_name = named
        self._clients_by_mac = {c.mac.lower(): c for c in snapshot.clients}
        self._clients_by_ip = {c.ip: c for c in snapshot.clients if c.ip}

    def device(self, mac: object) -> Device | None:
        """The snapshot's device with this MAC, if any."""
        return self._devices_by_mac.get(mac.lower()) if isinstance(mac, str) else None

    def device_named(self, name: object) -> Device | None:
        """The snapshot's one device with this name (any case), if exactly one has it."""
        return self._devices_by_name.get(name.casefold()) if isinstance(name, str) else None

    def client(self, mac: object) -> Client | None:
        """The snapshot's client with this MAC, if any."""
        return self._clients_by_mac.get(mac.lower()) if isinstance(mac, str) else None

    def client_by_ip(self, ip: object) -> Client | None:
        """The snapshot's client holding this IP, if any."""
        return self._clients_by_ip.get(ip) if isinstance(ip, str) else None

    def device_label(self, mac: object, named: object = None) -> str:
        """A device's name: the event's own (``named``), else the inventory's, else the MAC.

        The event's own name comes first: it is the name the controller gave the device when
        the event happened, which is what the admin saw in the controller's log.
        """
        if isinstance(named, str) and named:
            return named
        device = self.device(mac)
        if device is not None and device.name:
            return device.name
        return mac if isinstance(mac, str) and mac else "an unknown device"

    def client_label(self, mac: object = None, ip: object = None, fallback: object = None) -> str:
        """A client's name, looked up by MAC then IP; else ``fallback``, the MAC or the IP."""
        client = self.client(mac) or self.client_by_ip(ip)
        if client is not None:
            return client.name or client.hostname or client.mac
        device = self.device(mac)
        if device is not None and device.name:
            return device.name
        if isinstance(fallback, str) and fallback:
            return fallback
        if isinstance(ip, str) and ip and isinstance(mac, str) and mac:
            return f"{ip} ({mac})"
        for candidate in (mac, ip):
            if isinstance(candidate, str) and candidate:
                return candidate
        return "an unknown client"


@dataclass(frozen=True, slots=True)
class GroupView:
    """What a rule's ``escalate`` function sees of one aggregated group."""

    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    severity: Severity

    @property
    def per_hour(self) -> float:
        """Events per hour over the group's span (a span under an hour counts as one hour)."""
        if self.first_seen is None or self.last_seen is None:
            return float(self.count)
        hours = max((self.last_seen - self.first_seen).total_seconds() / 3600, 1.0)
        return self.count / hours


def _nothing(_item: object, _ctx: RuleContext) -> Mapping[str, object]:
    return {}


@dataclass(frozen=True, slots=True)
class SummaryView:
    """What a :class:`Summary`'s severity function sees of the folded routine groups."""

    subjects: int
    count: int
    ctx: RuleContext


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """Fold a rule's routine groups into one site-level finding.

    A group is routine while its severity stays low and its count (or hourly rate, with
    ``per_hour``) stays below ``threshold``; routine groups are not reported one by one but
    counted, with the heaviest few as examples, in one finding about ``subject``. Subjects beyond
    the group cap still count towards its totals. Groups that reach the threshold are reported
    on their own as usual.

    Attributes:
        subject: the site-level finding's subject (stable across scans, e.g. ``all clients``).
        title: title template (fields: ``subjects`` and ``count`` with thousands separators,
            ``first_seen``, ``last_seen``, ``top_list`` naming the heaviest subjects, ``top_<f>``
            for every template value ``f`` of the heaviest group, and ``fields``' values).
        explanation: explanation template, same fields.
        example: template of one example line per folded group (that group's template values).
        remediation: step templates, same fields as ``title``.
        threshold: the count (or rate) from which a group is reported on its own; ``None``
            folds every low group.
        per_hour: compare the hourly rate instead of the count.
        rank: orders the folded groups for the examples (highest first; ties by count), from
            a group's template values; by count alone when ``None``.
        severity: a fixed severity, or a function of the folded totals.
        fields: more template values, from the context.
    """

    subject: str
    title: str
    explanation: str
    example: str
    remediation: tuple[str, ...] = ()
    threshold: float | None = None
    per_hour: bool = False
    rank: Callable[[Mapping[str, object]], float] | None = None
    severity: Severity | Callable[[SummaryView], Severity] = Severity.LOW
    fields: Callable[[RuleContext], Mapping[str, object]] | None = None


def _no_tally(_item: object, _ctx: RuleContext) -> Iterable[tuple[str, str]]:
    return ()


def _no_badges(_item: object, _ctx: RuleContext) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRule:
    """A rule over events, aggregated by (rule id, subject).

    Attributes:
        id: stable rule id (``device.lost_contact``), also the finding's ``rule``.
        keys: the wire keys it claims; empty means "decided by ``when`` alone".
        when: an extra predicate; with ``keys`` both must hold.
        gate: a cheap predicate several rules share (the same function object); the engine
            evaluates it once per event and skips every rule whose gate fails, before ``when``.
        route: ``(function, value)``: the rule takes an event only when ``function`` returns
            ``value``. Rules sharing the function (the same object) form a switch: the engine
            calls it once per event and runs only the rules routed to its answer, instead of
            asking each rule's ``when`` in turn. Checked after ``gate``, before ``when``.
        severity: a fixed severity, or a function of the event.
        title: title template (``str.format_map`` fields: ``subject``, ``count``, ``per_hour``,
            ``first_seen``, ``last_seen``, the ``fields`` values, and for every tally dimension
            ``d``: ``d_list``, ``d_top`` and ``d_n``).
        explanation: explanation template, same fields.
        remediation: step templates, same fields.
        subject: the group key: who or what the finding is about (a name, or a MAC when the
            rule also gives ``name``).
        name: the subject's display name for this event; a group shows the first name that
            differs from its key (so a client seen by MAC is still named once any event
            names it).
        fields: more template values, taken from the first event of a group.
        tally: ``(dimension, value)`` pairs counted per group (APs, source IPs…).
        badges: short tags for the event.
        example: one example line for the event; defaults to its message.
        escalate: a group-level severity (e.g. by rate); the finding takes the higher one.
        min_count: a group with fewer events gives no finding.
        summary: fold the routine groups into one site-level finding (see :class:`Summary`).
        vocabulary: the rule also takes every key the vocabulary (:mod:`unifi_scanner.
            vocabulary`) gives this rule's id, whatever its family: ``device.lost_contact``
            takes ``EVT_DM_Lost_Contact`` as well as a family no catalogue lists yet.
        story: ``device`` or ``client``: the finding is one part of what the report says about
            its subject (the group key is then the subject's MAC); all parts about one subject
            become one finding (:mod:`unifi_scanner.analysis.story`).
        episode_gap_s: events of one group within this many seconds of an episode's first
            event are that episode (two WAN interfaces flipping a second apart are one
            failover); the templates get ``episodes`` and ``episode_times``, and ``escalate``
            counts episodes.
    """

    id: str
    title: str
    explanation: str
    subject: Callable[[Event, RuleContext], str]
    name: Callable[[Event, RuleContext], str] | None = None
    keys: tuple[EventKey, ...] = ()
    vocabulary: bool = False
    story: str | None = None
    episode_gap_s: float | None = None
    when: Callable[[Event, RuleContext], bool] | None = None
    gate: Callable[[Event], bool] | None = None
    route: tuple[Callable[[Event, RuleContext], Hashable], Hashable] | None = None
    severity: Severity | Callable[[Event, RuleContext], Severity] = Severity.LOW
    remediation: tuple[str, ...] = ()
    fields: Callable[[Event, RuleContext], Mapping[str, object]] = _nothing
    tally: Callable[[Event, RuleContext], Iterable[tuple[str, str]]] = _no_tally
    badges: Callable[[Event, RuleContext], tuple[str, ...]] = _no_badges
    example: Callable[[Event, RuleContext], str] | None = None
    escalate: Callable[[GroupView], Severity] | None = None
    min_count: int = 1
    summary: Summary | None = None

    def severity_for(self, event: Event, ctx: RuleContext) -> Severity:
        """The severity this event alone deserves."""
        return self.severity if isinstance(self.severity, Severity) else self.severity(event, ctx)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceRule:
    """A rule over the snapshot's devices (``stat/device``).

    Attributes:
        id: stable rule id.
        check: template values when the device has the problem, else ``None``.
        severity: a fixed severity, or a function of the device and the ``check`` values.
        title: title template (fields: ``subject``, ``model``, ``type`` and ``check``'s values).
        explanation: explanation template.
        remediation: step templates.
        story: the subject whose story it is part of (``device``; ``None``: its own finding).
    """

    id: str
    check: Callable[[Device, RuleContext], Mapping[str, object] | None]
    title: str
    explanation: str
    severity: Severity | Callable[[Device, Mapping[str, object]], Severity] = Severity.LOW
    remediation: tuple[str, ...] = ()
    badges: tuple[str, ...] = field(default=())
    story: str | None = "device"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientRule:
    """A rule over the snapshot's clients (``stat/sta``); fields as in :class:`DeviceRule`.

    Its findings are parts of the client's story (``story`` is ``client``).

    With ``summary``, the clients it flags are folded into one site-level finding (see
    :class:`Summary`).
    """

    id: str
    check: Callable[[Client, RuleContext], Mapping[str, object] | None]
    title: str
    explanation: str
    severity: Severity | Callable[[Client, Mapping[str, object]], Severity] = Severity.LOW
    remediation: tuple[str, ...] = ()
    badges: tuple[str, ...] = field(default=())
    summary: Summary | None = None
    story: str | None = "client"


Rule = EventRule | DeviceRule | ClientRule
