"""Every key of the controller's vocabulary gets the finding or summary line it promises (issue 10).

Each classic key is built the way a real controller sends it: the device in its family's field
with its name beside it (``sw`` + ``sw_name``), the message from the catalogue's own template,
the template's parameters set. It goes through the real normaliser and the engine alone, and must
reach the rule its vocabulary entry names, at the entry's severity, without a warning, named by
its device's name and never by the device's bare MAC.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from unifi_scanner import vocabulary
from unifi_scanner.analysis import DEFAULT_RULES, Engine, Severity
from unifi_scanner.collect.models import (
    ControllerInfo,
    Device,
    DeviceState,
    Flavour,
    Site,
    Snapshot,
    Window,
)
from unifi_scanner.collect.normalize import event_from_classic, event_from_system_log

RULES_DOC = Path(__file__).parents[3] / "docs" / "rules.md"
NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
STAMP = int(NOW.timestamp() * 1000) - 3_600_000
DEVICE_MAC = "00:00:00:00:00:0d"
OTHER_MAC = "00:00:00:00:00:0e"
CLIENT_MAC = "00:00:00:00:00:01"
DEVICE_NAME = "Rack-Device"
CLIENT_NAME = "Kitchen-Tablet"

# A plausible value for every parameter of the catalogue's templates.
SAMPLES = {
    "admin": "Admin[anna]",
    "channel": "44",
    "channel_from": "36",
    "channel_to": "44",
    "radar_channel": "52",
    "freq": "5260",
    "essid": "FreeWiFi",
    "ssid": "Office",
    "mac": "00:00:00:00:00:77",
    "ip": "192.168.1.77",
    "rc": "3",
    "curl_rc": "6",
    "http_rc": "0",
    "license": "Elite",
    "duration": "3h 2m",
    "num_sta": "12",
    "proc": "hostapd",
    "exit_status": "139",
    "caller": "init",
    "version_from": "6.6.55",
    "version_to": "6.6.65",
    "trigger": "WiFiman",
    "radio": "na",
    "action": "apply",
    "fitness_before": "300",
    "fitness_after": "420",
    "wifi_ux_before": "80",
    "wifi_ux_after": "92",
    "commit_errors": "invalid firewall rule",
    "network_name": "Guests",
    "iface": "eth8",
    "state": "inactive",
    "reason": "subnet",
    "name": "Morning announcement",
    "amount": "5",
    "method": "card",
    "code": "12345-67890",
    "inner_alert_severity": 1,
    "inner_alert_category": "A Network Trojan was Detected",
    "inner_alert_signature": "ET MALWARE Win32/Example CnC Checkin",
    "src_ip": "192.168.1.50",
    "src_port": 50123,
    "dest_ip": "203.0.113.9",
    "dest_port": 443,
    "proto": "TCP",
    "network": "LAN",
    "bytes": "1.2M",
    "softlimit": "10 GB",
    "excess": "1 GB",
    "hard_data_left": "2 GB",
    "used": "9 GB",
    "devices": "Speaker-1",
    "port": 8,
    "vlan": 1,
    "outlet": 2,
    "radio_from": "na",
    "radio_to": "ng",
    "usable_bytes": "1 GB",
    "total_bytes": "32 GB",
    "minutes": "60",
    "num": "1",
    "use": "single-use",
    "count": "2",
    "version": "9.0.114",
}
_DEVICE_PARAMS = frozenset(vocabulary.DEVICE_FIELDS) | {"ap_from", "ap_to"}
_CLIENT_PARAMS = frozenset({"user", "guest", "client"})


def _fill(template: str | None, values: dict[str, object]) -> str:
    if not template:
        return ""
    if "plural" in template:  # an ICU plural: the controller renders the count
        return f"{values.get('count', 2)} vouchers were deleted"
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), "")), template)


def classic_item(key: str, template: str | None, params: list[str]) -> dict[str, object]:
    """A classic event as a controller sends it, the device and client named beside their MACs."""
    family = vocabulary.family(vocabulary.split_key(key)[0])  # type: ignore[index]
    item: dict[str, object] = {
        "_id": f"id-{key}",
        "key": key,
        "time": STAMP,
        "subsystem": family.subsystem,
        "site_id": "s1",
    }
    values: dict[str, object] = {}
    device = family.fields[:1] if family.actor is vocabulary.Actor.DEVICE else ()
    device_fields = [*params, *device]
    for name in dict.fromkeys(device_fields):
        if name in _DEVICE_PARAMS:
            mac = OTHER_MAC if name == "ap_from" else DEVICE_MAC
            item[name] = mac
            item[f"{name}_name"] = DEVICE_NAME if mac == DEVICE_MAC else "Other-AP"
            values[name] = mac
        elif name in _CLIENT_PARAMS:
            item[name] = CLIENT_MAC
            item["hostname"] = CLIENT_NAME
            values[name] = CLIENT_MAC
        else:
            item[name] = values[name] = SAMPLES[name]
    item["msg"] = _fill(template, values) or f"{family.label}[{DEVICE_MAC}] {key}"
    return item


def _snapshot(event, devices=()) -> Snapshot:
    return Snapshot(
        site=Site(id="s1", name="default", description="Office"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=Window(start=NOW.replace(hour=0), end=NOW),
        events=(event,),
        devices=tuple(devices),
    )


def _text(finding) -> str:
    return " ".join(
        (
            finding.title,
            finding.subject,
            finding.explanation,
            *finding.examples,
            *finding.remediation,
        )
    )


def _expected_severity(entry: vocabulary.Entry) -> Severity:
    policy = entry.policy
    if policy.critical is not None and entry.family.critical:
        return Severity(policy.critical)
    return Severity(policy.base)


def _check(entry, findings, caplog, *, names: tuple[str, ...], macs: tuple[str, ...]):
    assert [r.getMessage() for r in caplog.records if "unknown event key" in r.getMessage()] == []
    assert "event.other" not in {f.rule for f in findings}
    if entry.rule == vocabulary.THREAT:
        assert {f.rule for f in findings} & {
            "ips.inside_threat",
            "ips.inside_other",
            "ips.inbound_blocked",
            "ips.inbound_detected",
        }
        return
    [finding] = [f for f in findings if entry.rule in (f.rule, *f.parts)]
    if entry.routine:
        assert finding.badges == ("summary",)
        assert finding.severity is Severity.LOW
    else:
        assert finding.severity is _expected_severity(entry)
    text = _text(finding)
    # the name must be in what the finding says, not only in an example line (a routine
    # summary names its subjects in its example lines only)
    said = text if entry.routine else f"{finding.title} {finding.subject} {finding.explanation}"
    for name in names:
        assert name in said, f"{entry.key}: {name!r} not named in {said!r}"
    for mac in macs:
        assert mac not in text, f"{entry.key}: bare MAC {mac} in {text!r}"


def test_the_catalogue_is_the_vocabulary(load_capture):
    """The vocabulary's catalogue table holds exactly the controller's catalogue keys."""
    catalogue = load_capture("event_catalogue.json")
    keys = {item["key"] for item in catalogue["events"]}
    listed = {f"EVT_{f}_{a}" for f, actions in vocabulary.CATALOGUE.items() for a in actions}
    assert listed == keys
    assert {item["family"] for item in catalogue["events"]} == set(vocabulary.FAMILIES)


@pytest.mark.parametrize("key", vocabulary.CLASSIC_KEYS)
def test_every_classic_key_gets_its_promised_finding(key, load_capture, caplog):
    """The key reaches its rule at its severity, named by its device, with no warning."""
    catalogue = {e["key"]: e for e in load_capture("event_catalogue.json")["events"]}
    spec = catalogue.get(key, {"template": None, "params": []})
    entry = vocabulary.lookup(key)
    assert entry is not None
    assert entry.listed
    item = classic_item(key, spec["template"], spec["params"])
    event = event_from_classic(item)
    with caplog.at_level(logging.WARNING):
        findings = Engine(now=lambda: NOW).analyze(_snapshot(event))
    named = DEVICE_MAC in item.values()
    client = CLIENT_MAC in item.values()
    if client and entry.family.actor is vocabulary.Actor.CLIENT:
        names: tuple[str, ...] = (CLIENT_NAME,)  # a client's event is about the client
    else:
        names = (DEVICE_NAME,) if named else ((CLIENT_NAME,) if client else ())
    macs = tuple(mac for mac, used in ((DEVICE_MAC, named), (CLIENT_MAC, client)) if used)
    _check(entry, findings, caplog, names=names, macs=macs)


def _v2_entry(name: vocabulary.V2Name) -> dict[str, object]:
    model = {"GW": "UDM-Pro", "SW": "USW-Pro-24", "AP": "U7-Pro", "LTE": "U-LTE-Pro"}
    parameters: dict[str, object] = {
        "DEVICE": {
            "id": DEVICE_MAC,
            "name": DEVICE_NAME,
            "model": model.get(name.family, "U7-Pro"),
        },
        "CLIENT": {"id": CLIENT_MAC, "name": CLIENT_NAME, "ip": "192.168.1.50"},
    }
    if name.family == "IPS":
        parameters = {
            "SRC_CLIENT": {"id": CLIENT_MAC, "name": CLIENT_NAME, "ip": "192.168.1.50"},
            "DST_IP": {"id": "203.0.113.9", "name": "203.0.113.9"},
            "DEVICE": parameters["DEVICE"],
            "TRIGGER": {"id": "p1", "name": "Block cameras"},
        }
    return {
        "id": f"v2-{name.name}",
        "key": f"{name.name}_2",
        "event": name.name,
        "category": "SECURITY" if name.family == "IPS" else "UNIFI_DEVICES",
        "severity": "MEDIUM",
        "timestamp": STAMP,
        "message_raw": "{DEVICE} reported something about {CLIENT}.",
        "parameters": parameters,
    }


@pytest.mark.parametrize("name", sorted(vocabulary.V2_NAMES))
def test_every_v2_name_gets_its_promised_finding(name, caplog):
    """Each v2 system-log name reaches its rule with its subject named, with no warning."""
    spec = vocabulary.V2_NAMES[name]
    event = event_from_system_log(_v2_entry(spec))
    entry = vocabulary.lookup(event.key)
    assert entry is not None
    assert entry.action.name == spec.action
    with caplog.at_level(logging.WARNING):
        findings = Engine(now=lambda: NOW).analyze(_snapshot(event))
    text = " ".join(_text(f) for f in findings)
    assert "{" not in text  # no raw placeholder reaches a report
    actor = entry.family.actor
    if actor in {vocabulary.Actor.CLIENT, vocabulary.Actor.THREAT}:
        names: tuple[str, ...] = (CLIENT_NAME,)
    elif actor is vocabulary.Actor.DEVICE and entry.rule != "wan.quality":
        names = (DEVICE_NAME,)
    else:
        names = ()
    _check(entry, findings, caplog, names=names, macs=(DEVICE_MAC, CLIENT_MAC))


def test_a_new_family_with_a_known_action_is_understood(caplog):
    """EVT_UX_Lost_Contact (a family no catalogue lists) is a lost contact, named, no warning."""
    item = {
        "_id": "x",
        "key": "EVT_UX_Lost_Contact",
        "time": STAMP,
        "ux": DEVICE_MAC,
        "ux_name": "Express",
        "gw": DEVICE_MAC,
        "gw_displayName": "Express",
        "msg": f"{DEVICE_MAC} was disconnected",
    }
    device = Device(
        mac=DEVICE_MAC, name="Express", model="UX", type="udm", state=DeviceState.CONNECTED
    )
    with caplog.at_level(logging.WARNING):
        [finding] = Engine(now=lambda: NOW).analyze(
            _snapshot(event_from_classic(item), devices=[device])
        )
    assert (finding.rule, finding.severity, finding.subject) == (
        "device.lost_contact",
        Severity.SEVERE,
        "Express",
    )
    assert finding.examples[0].endswith("Express was disconnected")
    assert not [r for r in caplog.records if "unknown event key" in r.getMessage()]


def test_a_key_outside_the_vocabulary_is_reported_readably_and_logged_once(caplog):
    """A known family with an unknown action: one finding naming the device, one warning."""
    items = [
        {
            "_id": f"x{i}",
            "key": "EVT_SW_TotallyNewThing",
            "time": STAMP + i,
            "sw": DEVICE_MAC,
            "sw_name": DEVICE_NAME,
            "is_negative": True,
            "msg": f"Switch[{DEVICE_MAC}] did a totally new thing",
        }
        for i in range(3)
    ]
    with caplog.at_level(logging.WARNING):
        [finding] = Engine(now=lambda: NOW).analyze(
            Snapshot(
                site=Site(id="s1", name="default", description="Office"),
                controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
                window=Window(start=NOW.replace(hour=0), end=NOW),
                events=tuple(event_from_classic(i) for i in items),
            )
        )
    assert finding.rule == "event.other"
    assert finding.count == 3
    assert f"Switch[{DEVICE_NAME}] did a totally new thing" in finding.title
    assert DEVICE_NAME in finding.explanation
    assert DEVICE_MAC not in _text(finding)
    warnings = [r for r in caplog.records if "EVT_SW_TotallyNewThing" in r.getMessage()]
    assert len(warnings) == 1


def test_the_documented_key_table_is_the_vocabulary():
    """docs/rules.md lists every key with the family, treatment and severity the data gives."""
    text = RULES_DOC.read_text(encoding="utf-8")
    documented = text.split(vocabulary.table.START + "\n", 1)[1].split(vocabulary.table.END, 1)[0]
    assert documented == vocabulary.markdown_table()  # `nox -s docs` regenerates it
    for key in vocabulary.CLASSIC_KEYS:
        assert f"| `{key}` |" in documented


def test_every_treatment_is_a_rule_that_takes_it():
    """Each rule the vocabulary names exists and takes keys from the vocabulary."""
    takers = {r.id for r in DEFAULT_RULES if getattr(r, "vocabulary", False)}
    treatments = {vocabulary.lookup(k).rule for k in vocabulary.CLASSIC_KEYS}  # type: ignore[union-attr]
    treatments |= {vocabulary.lookup(n).rule for n in vocabulary.V2_NAMES}  # type: ignore[union-attr]
    assert treatments - {vocabulary.THREAT} <= takers
    assert takers <= treatments  # no rule waits for keys that never come


def test_the_table_writer_updates_only_between_its_markers(tmp_path):
    """write_into replaces the table and keeps the rest; a second run changes nothing."""
    doc = tmp_path / "rules.md"
    doc.write_text(
        f"before\n{vocabulary.table.START}\nold\n{vocabulary.table.END}\nafter\n", encoding="utf-8"
    )
    assert vocabulary.write_into(doc) is True
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("before\n")
    assert text.endswith("after\n")
    assert vocabulary.markdown_table() in text
    assert vocabulary.write_into(doc) is False


def test_every_v2_source_is_documented():
    """Each v2 name cites sources that docs/v2-system-log.md lists, and is in its key table."""
    doc = (RULES_DOC.parent / "v2-system-log.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| (S\d+|R\d+)(?:, (R\d+))? \|", doc, flags=re.MULTILINE))
    refs = {ref for pair in listed for ref in pair if ref}
    table = doc.split("## Key table", 1)[1].split("\n## ", 1)[0]
    tokens = re.findall(r"`(…?[A-Z_]+)`", table)
    full = {t for t in tokens if not t.startswith("…")}
    suffixes = {t[1:] for t in tokens if t.startswith("…")}
    for name, spec in vocabulary.V2_NAMES.items():
        cited = {ref.strip() for ref in spec.source.split(",")} - {"-"}
        assert cited <= refs, name
        shorthand = any(
            name.endswith(suffix) and any(f.startswith(name[: -len(suffix)]) for f in full)
            for suffix in suffixes
        )
        assert name in full or shorthand, name
