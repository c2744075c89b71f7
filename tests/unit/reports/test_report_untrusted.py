"""Outside text in every field of a report, in every format: neutralised in one place (#14).

Markup, template syntax, CR LF, very long text, terminal escapes, BEL, NUL and every
bidirectional control go into each field a controller or an integration can fill.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from unifi_scanner.analysis import Finding, Severity
from unifi_scanner.collect.models import (
    CollectionNote,
    ControllerInfo,
    Coverage,
    Device,
    DeviceState,
    Feed,
    Flavour,
    Site,
    Snapshot,
    Window,
)
from unifi_scanner.integrations import IntegrationResults, IntegrationSection, IntegrationStatus
from unifi_scanner.reports import (
    build_report,
    render_html,
    render_json,
    render_markdown,
    render_text,
    report_to_dict,
)

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
BIDI = "".join(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
MARKS = "\u200e\u200f\u061c"
HOSTILE = (
    "<script>alert(1)</script>{{ 7*7 }}{% raw %}\r\nCRITICAL: all clear\x1b[2J\x1b]0;pwned\x07"
    f"\x00\x7f\x9b31m{BIDI}{MARKS}gnp.exe\u2028# heading\n| cell |"
)
LONG = "A" * 5000
# what no human format may contain: controls (but LF), ESC, bidi controls, invisible marks
FORBIDDEN = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{BIDI}{MARKS}\u2028\u2029]")


def _report():
    snapshot = Snapshot(
        site=Site(id=f"id{HOSTILE}", name=f"name{HOSTILE}", description=f"desc{HOSTILE}"),
        controller=ControllerInfo(
            flavour=Flavour.UNIFI_OS, version=f"9{HOSTILE}", hostname=f"host{HOSTILE}"
        ),
        window=Window(start=NOW - timedelta(hours=1), end=NOW),
        notes=(
            CollectionNote(
                source=f"src{HOSTILE}", message=f"msg{HOSTILE}", endpoint=f"/e{HOSTILE}"
            ),
        ),
        coverage=(Coverage(feed=Feed.EVENTS, start=NOW, complete=False, reason=f"why{HOSTILE}"),),
        devices=(
            Device(
                mac="00:00:00:00:00:01",
                name=f"device{HOSTILE}",
                model=f"model{HOSTILE}",
                type=f"type{HOSTILE}",
                state=DeviceState.CONNECTED,
                version=f"fw{HOSTILE}",
                upgradable=True,
                upgrade_to=f"next{HOSTILE}",
            ),
        ),
    )
    finding = Finding(
        rule="device.offline",
        severity=Severity.SEVERE,
        title=f"title{HOSTILE}",
        explanation=f"explanation{HOSTILE}{LONG}",
        remediation=(f"step{HOSTILE}",),
        subject=f"subject{HOSTILE}",
        count=3,
        first_seen=NOW - timedelta(minutes=30),
        last_seen=NOW,
        examples=(f"example{HOSTILE}",),
        badges=(f"badge{HOSTILE}",),
        evidence=(f"evidence{HOSTILE}",),
    )
    section = IntegrationSection(
        name="cloudish",
        display_name=f"Cloudish{HOSTILE}",
        success=False,
        status=IntegrationStatus.FAILED,
        data={f"key{HOSTILE}": [{"nested": f"value{HOSTILE}"}], "n": 3},
        error_message=f"error{HOSTILE}",
        addresses={"192.0.2.45": f"seen{HOSTILE}"},
        correlated={"192.0.2.45": f"correlated{HOSTILE}"},
    )
    return build_report(snapshot, [finding], IntegrationResults((section,)), generated_at=NOW)


@pytest.mark.parametrize("render", [render_text, render_markdown, render_html])
def test_human_formats_show_no_control_escape_or_bidi_character(render):
    """No ESC, BEL, NUL, CR, C1, separator or bidi control; bidi controls are visible instead."""
    out = render(_report())
    found = sorted({f"U+{ord(c):04X}" for c in FORBIDDEN.findall(out)})
    assert found == []
    assert "[U+202E]" in out.replace("\\", "")
    assert "pwned" not in out or "]0;pwned" not in out, "an OSC sequence went whole"


def test_no_outside_text_starts_a_line_of_its_own():
    """CR LF, LF and U+2028 inside a name cannot forge a line of the report.

    Text wraps long paragraphs at spaces, indented under their item; Markdown does not wrap.
    """
    text = render_text(_report()).splitlines()
    assert not [line for line in text if line.startswith(("CRITICAL", "# heading"))]
    markdown = render_markdown(_report()).splitlines()
    starts = ("CRITICAL", "# heading", "| cell")
    assert not [line for line in markdown if line.lstrip("-*_ >").startswith(starts)]


def test_html_keeps_markup_and_template_syntax_as_text():
    """The script tag is text, the template syntax is not evaluated."""
    html = render_html(_report())
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html
    assert "49" not in re.sub(r"<style.*?</style>|#[0-9a-fA-F]{3,6}", "", html, flags=re.DOTALL)


def test_markdown_escapes_markup():
    """Markup is inert: no raw HTML, no heading, no table cell from outside text."""
    markdown = render_markdown(_report())
    assert "<script>" not in markdown
    assert "\\# heading" in markdown
    assert "\\| cell \\|" in markdown


def test_json_keeps_the_text_as_it_came_with_those_characters_escaped():
    """The JSON decodes to exactly the report's data; raw, it carries no control or bidi char."""
    report = _report()
    raw = render_json(report)
    assert FORBIDDEN.findall(raw.replace("\n", "")) == []
    assert "\\u202e" in raw
    assert "\\u001b" in raw
    assert json.loads(raw) == json.loads(json.dumps(report_to_dict(report)))
    assert json.loads(raw)["findings"][0]["title"] == f"title{HOSTILE}"


def test_long_text_is_kept_whole_in_every_format():
    """Nothing is cut: the 5,000-character explanation is there (wrapping is the viewer's job)."""
    report = _report()
    for render in (render_text, render_markdown, render_html, render_json):
        assert LONG in "".join(render(report).split())
