"""The JSON report: schema validation and the stable contract."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from unifi_scanner.errors import RenderError
from unifi_scanner.integrations.base import (
    IntegrationResults,
    IntegrationSection,
    IntegrationStatus,
)
from unifi_scanner.reports import REPORT_SCHEMA_VERSION, build_report, render_json

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "docs" / "report.schema.json"


@pytest.fixture(name="validator")
def validator_fixture():
    """A draft 2020-12 validator for docs/report.schema.json."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_full_report_validates_against_schema(report, validator):
    """The JSON of a report with findings, notes and integrations follows the schema."""
    validator.validate(json.loads(render_json(report)))


def test_empty_report_validates_against_schema(empty_report, validator):
    """The JSON of a report without anything in it follows the schema."""
    validator.validate(json.loads(render_json(empty_report)))


def test_schema_rejects_unknown_top_level_key(report, validator):
    """The schema is strict, so a test against it notices an undeclared key."""
    document = json.loads(render_json(report))
    document["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)


def test_top_level_keys_are_the_contract(report):
    """The top level has exactly the contract's keys, in order."""
    assert list(json.loads(render_json(report))) == [
        "schema_version",
        "report_id",
        "site",
        "period",
        "generated_at",
        "controller",
        "summary",
        "overview",
        "findings",
        "integrations",
        "collection_notes",
        "security",
        "devices",
        "devices_more",
        "timezone",
        "changes",
        "complete",
        "coverage",
    ]


def test_values_follow_the_contract(report):
    """Times are UTC with Z, findings come severe first, and the summary counts them."""
    document = json.loads(render_json(report))
    assert document["schema_version"] == REPORT_SCHEMA_VERSION == "1.4"
    assert document["site"] == "default"
    assert document["period"] == {"start": "2026-11-25T06:00:00Z", "end": "2026-11-26T06:00:00Z"}
    assert document["generated_at"] == "2026-11-26T06:00:05Z"
    assert document["controller"] == {"flavour": "unifi-os", "version": "9.0.114"}
    assert document["summary"] == {"severe": 1, "medium": 1, "low": 1, "acknowledged": 0}
    assert [f["severity"] for f in document["findings"]] == ["severe", "medium", "low"]
    medium = document["findings"][1]
    assert medium["remediation"] == [
        "Keep IPS in blocking mode.",
        "Review port forwards you no longer need.",
    ]
    assert medium["fingerprint"] == "ips.inbound_blocked:Gateway"
    assert medium["first_seen"] == "2026-11-25T08:15:00Z"
    assert document["collection_notes"][0]["endpoint"].endswith("traffic-flows")


def test_integrations_carry_status_error_age_and_data(report):
    """Each integration has its status, error, age of stale data and its own data."""
    alpha, beta = json.loads(render_json(report))["integrations"]
    assert alpha == {
        "name": "alpha",
        "display_name": "Alpha Source",
        "status": "ok",
        "duration_s": 0.42,
        "error": None,
        "stale_since": None,
        "age_s": None,
        "data": {"blocked": 3, "top": [{"ip": "203.0.113.9", "hits": 2}], "zones": []},
        "correlated": {},
    }
    assert beta["status"] == "timeout"
    assert beta["error"] == "Timed out after 10 s."
    assert beta["stale_since"] == "2026-11-26T03:00:00Z"
    assert beta["age_s"] == 10805.0


def test_times_in_other_zones_are_written_as_utc(snapshot):
    """A generated_at given in another zone is converted to UTC, whatever the display zone."""
    from zoneinfo import ZoneInfo

    moment = datetime(2026, 11, 26, 7, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    report = build_report(
        snapshot, [], IntegrationResults(), generated_at=moment, timezone="America/New_York"
    )
    assert json.loads(render_json(report))["generated_at"] == "2026-11-26T06:00:00Z"


def _with_data(snapshot, data):
    section = IntegrationSection(
        name="x", display_name="X", success=True, status=IntegrationStatus.OK, data=data
    )
    return build_report(
        snapshot,
        [],
        IntegrationResults(sections=(section,)),
        generated_at=datetime(2026, 11, 26, tzinfo=UTC),
    )


def test_datetimes_in_section_data_become_utc_strings(snapshot):
    """Section data holding a datetime is encoded as a UTC time string."""
    report = _with_data(snapshot, {"when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)})
    assert json.loads(render_json(report))["integrations"][0]["data"] == {
        "when": "2026-01-02T03:04:05Z"
    }


def test_non_json_section_data_raises_render_error(snapshot):
    """Section data that JSON cannot encode fails as RenderError, not TypeError."""
    report = _with_data(snapshot, {"bad": object()})
    with pytest.raises(RenderError, match="not JSON-compatible"):
        render_json(report)


def test_read_only_mappings_in_section_data_are_encoded(snapshot):
    """Section data holding a read-only mapping is encoded as a JSON object."""
    from types import MappingProxyType

    report = _with_data(snapshot, {"inner": MappingProxyType({"k": [1, 2]})})
    assert json.loads(render_json(report))["integrations"][0]["data"] == {"inner": {"k": [1, 2]}}


def test_report_ids_sort_by_time_and_never_repeat():
    """Ids sort as reports were made and differ within one millisecond (issue 11)."""
    from datetime import UTC, datetime, timedelta

    from unifi_scanner.reports import REPORT_ID, new_report_id
    from unifi_scanner.reports.identity import report_id_time_ms, stable_report_id

    at = datetime(2026, 12, 5, 1, 2, 3, 456_000, tzinfo=UTC)
    same_moment = {new_report_id(at) for _ in range(1000)}
    assert len(same_moment) == 1000
    assert all(REPORT_ID.fullmatch(ident) for ident in same_moment)
    later = [new_report_id(at + timedelta(milliseconds=n)) for n in range(0, 5000, 7)]
    assert later == sorted(later)
    assert report_id_time_ms(later[0]) == int(at.timestamp() * 1000)
    assert stable_report_id(at, "s") == stable_report_id(at, "s") != stable_report_id(at, "t")


def test_a_report_with_history_validates_and_says_what_changed(
    snapshot, findings, integrations, generated_at, validator
):
    """Ongoing, new, acknowledged and resolved findings: the 1.4 fields, valid, consistent."""
    from datetime import timedelta

    from unifi_scanner.history import Acknowledgement, track

    earlier = generated_at - timedelta(hours=1)
    first = track(findings[:2], {}, {}, earlier)
    previous = dict(first.records)
    previous["gone:x"] = {
        "rule": "gone",
        "title": "Gone now",
        "subject": "x",
        "severity": "severe",
        "first_reported": earlier.isoformat(),
        "last_reported": earlier.isoformat(),
        "reports_count": 1,
        "open": True,
    }
    quiet = findings[1]
    acks = {
        quiet.fingerprint: Acknowledgement(
            fingerprint=quiet.fingerprint, severity=quiet.severity, at=earlier, note="known"
        ).as_record()
    }
    history = track(findings, previous, acks, generated_at)
    report = build_report(
        snapshot, findings, integrations, generated_at=generated_at, history=history
    )
    document = json.loads(render_json(report))
    validator.validate(document)
    by_fp = {f["fingerprint"]: f for f in document["findings"]}
    assert by_fp[findings[0].fingerprint]["status"] == "ongoing"
    assert by_fp[findings[0].fingerprint]["reports_count"] == 2
    stamp = earlier.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert by_fp[findings[0].fingerprint]["first_reported"] == stamp
    assert by_fp[quiet.fingerprint]["acknowledged"] == {
        "at": stamp,
        "until": None,
        "note": "known",
    }
    assert document["summary"]["acknowledged"] == 1
    counted = document["summary"]["severe"] + document["summary"]["medium"]
    assert counted + document["summary"]["low"] == len(findings) - 1
    assert document["changes"]["new"] == [f.fingerprint for f in findings[2:]]
    (gone,) = document["changes"]["resolved"]
    assert (gone["fingerprint"], gone["severity"], gone["title"]) == (
        "gone:x",
        "severe",
        "Gone now",
    )
    assert document["timezone"] == "UTC"


def test_a_report_without_history_says_so(report, validator):
    """A report made from an export: status and changes are null, never invented."""
    document = json.loads(render_json(report))
    validator.validate(document)
    assert document["changes"] is None
    assert {f["status"] for f in document["findings"]} == {None}
    assert document["summary"]["acknowledged"] == 0
