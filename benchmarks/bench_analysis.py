"""End-to-end analysis benchmark: raw JSON → decode → normalise → analyse → render.

Run: ``.venv/bin/python benchmarks/bench_analysis.py [--workers W] [N ...]`` (default 10,000,
100,000 and 1,000,000 events, one process). Each size runs in its own process so its peak RSS is
its own. With ``--workers 2`` the pages are split between two worker processes, each reading,
decoding, normalising and aggregating its share (:meth:`Engine.aggregate`); the parent merges the
aggregates and concludes (:meth:`Engine.conclude`), which is what a 2-core machine allows.

The events are a realistic mix, generated as raw controller JSON pages of 1,000 items (the
controller's own page size): classic ``stat/event`` items (roams, connects, disconnects, device
contact, restarts, upgrades, admin logins, channel changes, one unknown key), ``stat/ips/event``
alerts with ``inner_alert_*`` fields and geo blocks, v2 ``system-log`` entries (threats, device
alerts) and v2 ``traffic-flows`` IPS flows. The subjects come from a small site: 25 clients,
6 access points, 3 switches, 1 gateway, 2 admins, up to 650,000 internet sources. The pages are
written to a temporary folder first (not timed), as an export would be; the pipeline then streams
them one page at a time, so its memory stays flat.

Stages are timed separately although they run interleaved (the engine pulls a stream):
``decode`` (msgspec, bytes → dicts), ``normalise`` (dicts → ``Event``, via
:func:`~unifi_scanner.collect.export.export_events`), ``analyse`` (the engine, excluding the time
spent inside the stream), ``render`` (report model, JSON and text).
"""

from __future__ import annotations

import itertools
import random
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from unifi_scanner.analysis import Aggregate, Engine
from unifi_scanner.collect.export import decode_export, export_events
from unifi_scanner.collect.models import ControllerInfo, Flavour, Site, Snapshot, Window
from unifi_scanner.integrations import IntegrationResults
from unifi_scanner.reports import build_report, render_json, render_text

if TYPE_CHECKING:
    from collections.abc import Iterator

    from unifi_scanner.collect.models import Event

NOW = datetime(2026, 1, 5, tzinfo=UTC)
START_MS = int((NOW - timedelta(days=1)).timestamp() * 1000)
PAGE = 1_000
SIZES = (10_000, 100_000, 1_000_000)

_CLIENTS = [(f"a4:83:e7:00:00:{i:02x}", f"client-{i}") for i in range(25)]
_APS = [(f"74:ac:b9:00:00:{i:02x}", f"AP-{name}") for i, name in enumerate("ABCDEF")]
_INFECTED = (_CLIENTS[3][0], _CLIENTS[7][0])
_INSIDE_IP = {_CLIENTS[3][0]: "192.168.1.42", _CLIENTS[7][0]: "192.168.1.57"}
_SWITCHES = [(f"f0:9f:c2:00:01:{i:02x}", f"Switch-{i}") for i in range(3)]
_SIGNATURES = [
    (2400022, "ET DROP Spamhaus DROP Listed Traffic Inbound group 23", "Misc Attack", "spamhaus"),
    (2403344, "ET CINS Active Threat Intelligence Poor Reputation IP group 45", "Misc Attack", ""),
    (2402000, "ET DROP Dshield Block Listed Source", "Misc Attack", "dshield"),
    (2001219, "ET SCAN Potential SSH Scan", "Attempted Information Leak", "scan"),
    (2522084, "ET TOR Known Tor Relay/Router (Not Exit) Node Traffic group 85", "Misc Attack", ""),
    (2018358, "ET MALWARE Possible Zbot Activity Common Download Format", "A Network Trojan", ""),
    (2210045, "SURICATA STREAM Packet with invalid ack", "Generic Protocol Command Decode", ""),
    (2014726, "ET POLICY Outdated Windows Flash Version IE", "Potential Corporate Privacy", ""),
]


def _source_ip(rng: random.Random) -> str:
    first = rng.choice((45, 89, 185, 193, 196))
    return f"{first}.{rng.randrange(64)}.{rng.randrange(8)}.{rng.randrange(1, 255)}"


def _classic(rng: random.Random, i: int, ms: int) -> dict[str, Any]:
    pick = rng.random()
    mac, host = rng.choice(_CLIENTS)
    ap_mac, ap_name = rng.choice(_APS)
    base = {
        "_id": f"{i:024x}",
        "time": ms,
        "datetime": "2026-01-04T12:00:00Z",
        "site_id": "574e86994566ffb914a2683c",
    }
    if pick < 0.35:
        to_mac, _ = rng.choice(_APS)
        return base | {
            "key": "EVT_WU_Roam",
            "subsystem": "wlan",
            "user": mac,
            "hostname": host,
            "ap_from": ap_mac,
            "ap_to": to_mac,
            "channel_from": "36",
            "channel_to": "1",
            "radio_from": "na",
            "radio_to": "ng",
            "msg": f"User[{mac}] roams from AP[{ap_mac}] to AP[{to_mac}] from channel 36 to 1",
        }
    if pick < 0.75:
        key = rng.choice(("EVT_WU_Connected", "EVT_WU_Disconnected"))
        return base | {
            "key": key,
            "subsystem": "wlan",
            "user": mac,
            "hostname": host,
            "ap": ap_mac,
            "ssid": "Home",
            "channel": "36",
            "radio": "na",
            "msg": f'User[{mac}] has connected to AP[{ap_mac}] with SSID "Home" on channel 36',
        }
    sw_mac, sw_name = rng.choice(_SWITCHES)
    key, extra = rng.choice(
        (
            ("EVT_SW_Lost_Contact", {"sw": sw_mac, "sw_name": sw_name}),
            ("EVT_AP_Lost_Contact", {"ap": ap_mac, "ap_name": ap_name}),
            ("EVT_SW_RestartedUnknown", {"sw": sw_mac, "sw_name": sw_name}),
            ("EVT_AP_ChannelChanged", {"ap": ap_mac, "channel_from": "36", "channel_to": "44"}),
            ("EVT_AD_Login", {"admin": rng.choice(("alice", "bob")), "ip": "192.168.1.20"}),
            ("EVT_AD_LoginFailed", {"admin": "admin", "ip": _source_ip(rng)}),
            ("EVT_AP_Upgraded", {"ap": ap_mac, "version_from": "6.5.54", "version_to": "6.6.55"}),
            ("EVT_GW_WANTransition", {"gw": "f0:9f:c2:00:02:01", "gw_name": "Gateway"}),
            ("EVT_XX_SomethingNew", {"ap": ap_mac}),
        )
    )
    return base | {"key": key, "subsystem": "lan", "msg": f"{key} happened"} | extra


def _ips(rng: random.Random, i: int, ms: int) -> dict[str, Any]:
    sid, signature, category, catname = rng.choice(_SIGNATURES)
    inbound = "MALWARE" not in signature
    mac, _ = rng.choice(_CLIENTS)
    if not inbound:  # outbound malware comes from the site's two infected hosts
        mac = rng.choice(_INFECTED)
    src, dst = (_source_ip(rng), "192.168.1.10") if inbound else (_INSIDE_IP[mac], _source_ip(rng))
    return {
        "_id": f"ips{i:021x}",
        "archived": False,
        "timestamp": ms // 1000,
        "flow_id": 1591464006222389 + i,
        "in_iface": "eth1",
        "event_type": "alert",
        "src_ip": src,
        "src_mac": "f0:9f:c2:c4:bb:f1" if inbound else mac,
        "src_port": rng.randrange(1024, 65535),
        "dest_ip": dst,
        "dst_mac": mac if inbound else "f0:9f:c2:c4:bb:f1",
        "dest_port": rng.choice((22, 80, 443, 3389)),
        "proto": "TCP",
        "app_proto": "failed",
        "srcipCountry": rng.choice(("SE", "US", "CN", "RU", "NL")),
        "srcipGeo": {"country_code": "SE", "country_name": "Sweden", "city": "Stockholm"},
        "srcipASN": "AS42607 Internet Carrier Limited",
        "catname": catname,
        "inner_alert_action": rng.choice(("allowed", "blocked", "blocked")),
        "inner_alert_gid": 1,
        "inner_alert_signature_id": sid,
        "inner_alert_rev": 2673,
        "inner_alert_signature": signature,
        "inner_alert_category": category,
        "inner_alert_severity": 2,
        "key": "EVT_IPS_IpsAlert",
        "subsystem": "www",
        "site_id": "574e86994566ffb914a2683c",
        "time": ms,
        "msg": f"IPS Alert 2: {category}. Signature {signature}. From: {src}, to: {dst}",
    }


def _system_log(rng: random.Random, i: int, ms: int) -> dict[str, Any]:
    if rng.random() < 0.7:
        src = _source_ip(rng)
        return {
            "id": f"log{i:021x}",
            "key": "THREAT_BLOCKED_V3",
            "category": "SECURITY",
            "subcategory": "SECURITY_THREAT",
            "severity": "HIGH",
            "status": "NEW",
            "timestamp": ms,
            "title_raw": "Threat Blocked",
            "message_raw": "A threat from {SRC_IP} to {DST_IP} was blocked by {DEVICE}.",
            "parameters": {
                "SRC_IP": {"name": src, "target_id": src},
                "DST_IP": {"name": "192.168.1.10", "target_id": "192.168.1.10"},
                "DEVICE": {"name": "Dream Machine Pro", "model": "UDM-Pro"},
            },
        }
    ap_mac, ap_name = rng.choice(_APS)
    return {
        "id": f"log{i:021x}",
        "key": "DEVICE_UNREACHABLE",
        "category": "UNIFI_DEVICES",
        "subcategory": "DEVICES",
        "severity": "MEDIUM",
        "timestamp": ms,
        "title_raw": "Device Offline",
        "message_raw": "{DEVICE} went offline.",
        "parameters": {"DEVICE": {"id": ap_mac, "name": ap_name, "model": "U7PG2"}},
    }


def _flow(rng: random.Random, i: int, ms: int) -> dict[str, Any]:
    sid, signature, category, _ = rng.choice(_SIGNATURES[:5])
    src = _source_ip(rng)
    return {
        "id": f"flow{i:020x}",
        "time": ms,
        "flow_start_time": ms - 2_000,
        "action": rng.choice(("blocked", "allowed")),
        "risk": "high",
        "protocol": "TCP",
        "service": "HTTPS",
        "direction": "incoming",
        "count": 1,
        "source": {"ip": src, "port": rng.randrange(1024, 65535), "region": "SE"},
        "destination": {
            "ip": "192.168.1.10",
            "port": 443,
            "mac": "a4:83:e7:00:00:01",
            "client_name": "client-1",
            "network_name": "Default",
        },
        "ips": {
            "advanced_information": f"IPS Alert 2: {category}. Signature {signature}. From: {src}",
            "signature_id": sid,
            "category_name": category,
            "ips_category": "spamhaus",
        },
    }


# (share of all events, generator, wraps the page like the controller does)
_MIX = (
    (0.40, _classic, "classic"),
    (0.30, _ips, "classic"),
    (0.15, _system_log, "v2log"),
    (0.15, _flow, "v2flow"),
)


def pages(count: int, seed: int = 7) -> Iterator[tuple[str, bytes]]:
    """Raw JSON pages of a realistic event mix, ``count`` events in all."""
    rng = random.Random(seed)
    encode = msgspec.json.Encoder().encode
    done = 0
    for share, make, wrap in _MIX:
        total = round(count * share)
        for first in range(0, total, PAGE):
            n = min(PAGE, total - first)
            items = [
                make(rng, done + j, START_MS + (first + j) * 86_400_000 // max(total, 1))
                for j in range(n)
            ]
            done += n
            if wrap == "classic":
                document: object = {"meta": {"rc": "ok"}, "data": items}
            elif wrap == "v2log":
                document = {"data": items, "total_page_count": 1, "total_element_count": n}
            else:
                document = {"data": items, "has_next": False}
            yield f"{make.__name__[1:]}-{first // PAGE}.json", encode(document)


class _Clock:
    """Seconds per stage and what went through (picklable, so workers can send it back)."""

    def __init__(self) -> None:
        self.read = self.decode = self.normalise = self.analyse = 0.0
        self.events = 0
        self.raw_bytes = 0

    def add(self, other: _Clock) -> None:
        for name in ("read", "decode", "normalise", "analyse", "events", "raw_bytes"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _pages(paths: list[Path], clock: _Clock) -> Iterator[list[Event]]:
    """Each page's events, read, decoded and normalised, with the time of each stage."""
    for path in paths:
        started = time.perf_counter()
        raw = path.read_bytes()
        read = time.perf_counter()
        clock.raw_bytes += len(raw)
        document = decode_export(raw, name=path.name)
        decoded = time.perf_counter()
        events = list(export_events([(path.name, document)]))
        del document, raw
        clock.read += read - started
        clock.decode += decoded - read
        clock.normalise += time.perf_counter() - decoded
        clock.events += len(events)
        yield events


def _snapshot() -> Snapshot:
    return Snapshot(
        site=Site(id="s", name="default", description="bench"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=Window(start=NOW - timedelta(days=1), end=NOW),
    )


def _aggregate(paths: list[Path]) -> tuple[Aggregate, _Clock]:
    """One worker's share: read, decode, normalise and aggregate some pages."""
    clock = _Clock()
    started = time.perf_counter()
    events = itertools.chain.from_iterable(_pages(paths, clock))  # no Python frame per event
    aggregate = Engine(now=lambda: NOW).aggregate(_snapshot(), events)
    clock.analyse = time.perf_counter() - started - clock.read - clock.decode - clock.normalise
    return aggregate, clock


def run_one(count: int, workers: int) -> None:
    """Run the pipeline once over ``count`` events and print one line per stage."""
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as folder:
        paths = []
        for name, raw in pages(count):
            path = Path(folder) / name
            path.write_bytes(raw)
            paths.append(path)
        clock = _Clock()
        started = time.perf_counter()
        if workers == 1:
            aggregate, clock = _aggregate(paths)
        else:
            aggregate = Aggregate()
            with ProcessPoolExecutor(workers) as pool:
                for part, part_clock in pool.map(
                    _aggregate, [paths[i::workers] for i in range(workers)]
                ):
                    aggregate.merge(part)
                    clock.add(part_clock)
        engine = Engine(now=lambda: NOW)
        snapshot = _snapshot()
        concluded = time.perf_counter()
        findings = engine.conclude(snapshot, aggregate)
        report = build_report(snapshot, findings, IntegrationResults(), generated_at=NOW)
        as_json = render_json(report)
        as_text = render_text(report)
        finished = time.perf_counter()
    _print(
        clock,
        workers=workers,
        wall=finished - started,
        render=finished - concluded,
        findings=findings,
        out=(as_json, as_text),
    )


def _print(
    clock: _Clock,
    *,
    workers: int,
    wall: float,
    render: float,
    findings: list[Any],
    out: tuple[str, str],
) -> None:
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    n = clock.events

    def rate(seconds: float) -> str:
        return f"{n / seconds:>12,.0f} ev/s  {seconds:6.2f} s" if seconds else "-"

    cpu = "CPU seconds summed over workers" if workers > 1 else "seconds"
    print(f"== {n:,} events ({clock.raw_bytes / 1e6:,.0f} MB of JSON), {workers} process(es)")
    print(f"  read       {rate(clock.read)}   ({cpu})")
    print(f"  decode     {rate(clock.decode)}")
    print(f"  normalise  {rate(clock.normalise)}")
    print(f"  analyse    {rate(clock.analyse)}")
    sizes = f"JSON {len(out[0]) / 1e3:,.0f} kB, text {len(out[1]) / 1e3:,.0f} kB"
    print(f"  render     {render:6.2f} s  ({sizes}; includes conclude)")
    print(f"  wall       {rate(wall)}   end to end")
    rss = f"peak RSS {self_mb:,.0f} MB" + (
        f" + {child_mb:,.0f} MB per worker" if workers > 1 else ""
    )
    print(f"  findings   {len(findings)}   {rss}")


def main() -> None:
    """Run each size in a fresh process (``--one N W`` runs one size with W processes here)."""
    args = sys.argv[1:]
    if args[:1] == ["--one"]:
        run_one(int(args[1]), int(args[2]))
        return
    workers = 1
    if args[:1] == ["--workers"]:
        workers, args = int(args[1]), args[2:]
    for size in [int(a) for a in args] or SIZES:
        command = [sys.executable, __file__, "--one", str(size), str(workers)]
        subprocess.run(command, check=True)  # noqa: S603


if __name__ == "__main__":
    main()
