"""Coverage in every format: an incomplete report says so plainly and never 'No problems found'."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from unifi_scanner.collect.models import Coverage, Feed
from unifi_scanner.delivery import subject_line
from unifi_scanner.delivery.chat import summary_lines
from unifi_scanner.integrations.base import IntegrationResults
from unifi_scanner.reports import build_report, coverage_lines
from unifi_scanner.reports.render import RENDERERS

SCHEMA = json.loads((Path(__file__).parents[3] / "docs" / "report.schema.json").read_text())
START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def _report(snapshot, generated_at, coverage, findings=()):
    covered = dataclasses.replace(snapshot, coverage=tuple(coverage))
    return build_report(
        covered, list(findings), IntegrationResults(), generated_at=generated_at, timezone="UTC"
    )


def _all_feeds(**changes: Coverage) -> list[Coverage]:
    return [changes.get(str(feed), Coverage(feed=feed, start=START)) for feed in Feed]


MISSING = Coverage(feed=Feed.EVENTS, start=START, complete=False, reason="stat/event answered 502")
PARTIAL = Coverage(
    feed=Feed.IPS, start=START, complete=False, partial=True, reason="traffic-flows failed"
)


def test_complete_report_has_no_coverage_lines(snapshot, generated_at):
    """All feeds read completely: nothing to say, and 'No problems found.' stays plain."""
    report = _report(snapshot, generated_at, _all_feeds())
    assert report.complete
    assert coverage_lines(report) == ()
    assert "No problems found." in RENDERERS["text"](report)
    assert "Incomplete" not in RENDERERS["html"](report)


def test_a_missing_feed_is_said_first_and_the_summary_never_claims_all_clear(
    snapshot, generated_at
):
    """A feed not read: one sentence naming it, from when, why, and that the next report has it."""
    report = _report(snapshot, generated_at, _all_feeds(events=MISSING))
    (line,) = coverage_lines(report)
    assert line.kind == "missing"
    assert line.text == (
        "Events from 2026-11-25 06:00 UTC on could not be read (stat/event answered 502); "
        "the next report will include them."
    )
    for fmt in ("text", "markdown", "html"):
        rendered = RENDERERS[fmt](report)
        assert "Incomplete report" in rendered, fmt
        assert "No problems found in what could be read" in rendered, fmt
        assert "No problems found." not in rendered.replace("found in", ""), fmt
    assert 'role="alert"' in RENDERERS["html"](report)
    assert subject_line(report) == "[UniFi Scanner] Home: INCOMPLETE, no problems found so far"


def test_partial_feed_and_findings(snapshot, generated_at, findings):
    """Partly read: 'the rest' comes next; counts say the report is incomplete."""
    report = _report(snapshot, generated_at, _all_feeds(ips=PARTIAL), findings)
    (line,) = coverage_lines(report)
    assert "could only partly be read (traffic-flows failed)" in line.text
    assert line.text.endswith("the next report will include the rest.")
    assert "(incomplete report)" in RENDERERS["text"](report)
    assert subject_line(report).startswith("[UniFi Scanner] Home: INCOMPLETE, 1 severe")
    headline, lines = summary_lines(report)
    assert headline.startswith("[UniFi Scanner] Home: INCOMPLETE")
    assert any("could only partly be read" in x for x in lines)


def test_caught_up_and_given_up_are_told_after_what_is_missing(snapshot, generated_at):
    """Missing parts first; then a part given up beyond the limit; then one caught up."""
    behind = START - timedelta(hours=5)
    report = _report(
        snapshot,
        generated_at,
        _all_feeds(
            events=Coverage(feed=Feed.EVENTS, start=START, behind_since=behind),
            ips=dataclasses.replace(PARTIAL, given_up_from=behind),
            alarms=Coverage(feed=Feed.ALARMS, start=START, complete=False),
        ),
    )
    kinds = [line.kind for line in coverage_lines(report)]
    assert kinds == ["missing", "missing", "given-up", "caught-up"]
    texts = [line.text for line in coverage_lines(report)]
    assert texts[1] == (
        "Alarms from 2026-11-25 06:00 UTC on could not be read; the next report will include them."
    )
    assert (
        "IPS alerts from 2026-11-25 01:00 UTC to 2026-11-25 06:00 UTC could never be read"
        in (texts[2])
    )
    assert texts[3] == (
        "Events from 2026-11-25 01:00 UTC on, which earlier reports could not read, are included "
        "in this one."
    )
    caught_up_only = _report(
        snapshot,
        generated_at,
        _all_feeds(events=Coverage(feed=Feed.EVENTS, start=START, behind_since=behind)),
    )
    assert caught_up_only.complete
    assert "Coverage" in RENDERERS["markdown"](caught_up_only)
    assert "Incomplete" not in RENDERERS["markdown"](caught_up_only)


def test_json_reports_complete_and_coverage_per_feed(snapshot, generated_at):
    """The JSON report has `complete` and one coverage entry per feed, valid by the schema."""
    behind = START - timedelta(hours=5)
    report = _report(
        snapshot,
        generated_at,
        _all_feeds(events=MISSING, ips=dataclasses.replace(PARTIAL, given_up_from=behind)),
    )
    document = json.loads(RENDERERS["json"](report))
    jsonschema.validate(document, SCHEMA)
    assert document["complete"] is False
    assert document["coverage"][0] == {
        "source": "events",
        "from": "2026-11-25T06:00:00Z",
        "complete": False,
        "partial": False,
        "reason": "stat/event answered 502",
        "caught_up_from": None,
        "given_up_from": None,
    }
    assert document["coverage"][1]["given_up_from"] == "2026-11-25T01:00:00Z"
    assert document["coverage"][2]["complete"] is True


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_hostile_reason_is_inert(snapshot, generated_at, fmt):
    """The reason holds controller words: escaped in HTML and Markdown, no controls in text."""
    hostile = dataclasses.replace(MISSING, reason="<script>x</script> *bold*\x1b[2J\nline")
    rendered = RENDERERS[fmt](_report(snapshot, generated_at, _all_feeds(events=hostile)))
    assert "\x1b" not in rendered
    if fmt != "text":  # plain text shows the words as they are
        assert "<script>" not in rendered


def test_a_report_without_coverage_is_complete(snapshot, generated_at):
    """An export has no coverage: it is complete and says nothing about feeds."""
    report = _report(snapshot, generated_at, [])
    assert report.complete
    assert json.loads(RENDERERS["json"](report))["coverage"] == []
