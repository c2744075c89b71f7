"""The HTML report: escaping, email safety and error translation."""

from __future__ import annotations

import re

import jinja2
import pytest

from unifi_scanner.analysis.findings import Finding, Severity
from unifi_scanner.errors import RenderError
from unifi_scanner.integrations.base import (
    IntegrationResults,
    IntegrationSection,
    IntegrationStatus,
)
from unifi_scanner.reports import (
    _html,
    build_report,
    render_email_html,
    render_html,
    render_markdown,
    render_text,
)

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(name="hostile_report")
def hostile_report_fixture(snapshot, generated_at):
    """A report whose controller strings and integration data carry markup."""
    finding = Finding(
        rule="device.offline",
        severity=Severity.SEVERE,
        title=f"Offline {SCRIPT}",
        explanation="*bold* [link](http://203.0.113.1) | cell",
        remediation=(f"Reboot {SCRIPT}",),
        subject=SCRIPT,
    )
    section = IntegrationSection(
        name="x",
        display_name=f"X {SCRIPT}",
        success=True,
        status=IntegrationStatus.OK,
        data={SCRIPT: SCRIPT},
    )
    return build_report(
        snapshot, [finding], IntegrationResults(sections=(section,)), generated_at=generated_at
    )


def test_html_escapes_untrusted_strings(hostile_report):
    """Markup in titles, subjects, steps and section data appears escaped, never as a tag."""
    html = render_html(hostile_report)
    assert "<script" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5


def test_markdown_neutralises_untrusted_strings(hostile_report):
    """Markdown shows markup as entities and escapes emphasis, links and table pipes."""
    markdown = render_markdown(hostile_report)
    assert "<script" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert r"\*bold\* \[link\](http://203.0.113.1) \| cell" in markdown


def test_text_strips_terminal_escapes(snapshot, generated_at):
    """The text report drops terminal escapes whole, so a name cannot drive the terminal."""
    finding = Finding(
        rule="r", severity=Severity.LOW, title="Name \x1b[31mred\x1b[0m", explanation="e"
    )
    text = render_text(
        build_report(snapshot, [finding], IntegrationResults(), generated_at=generated_at)
    )
    assert "\x1b" not in text
    assert "Name red" in text


def test_email_html_is_self_contained_and_inlined(report):
    """The e-mail body has inline styles and no style block, script, link or remote URL."""
    html = render_email_html(report)
    assert html.startswith("<!DOCTYPE html>")
    assert "<style" not in html
    assert "<svg" not in html
    assert "<script" not in html
    assert "<link" not in html
    assert not re.search(r"(src|href)=", html)
    assert 'style="' in html
    assert "An access point went offline" in html
    assert "Showing data from 2026-11-26 03:00 UTC (3 h old)." in html


def test_empty_html_report_says_no_problems(empty_report):
    """An empty HTML report says plainly that no problems were found."""
    assert "No problems found." in render_html(empty_report)


def test_template_error_becomes_render_error(report, monkeypatch):
    """A Jinja2 failure surfaces as RenderError chained to the original."""
    broken = jinja2.Environment(
        loader=jinja2.DictLoader({"report.html.j2": "{{ missing }}"}),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    monkeypatch.setattr(_html, "_environment", lambda: broken)
    with pytest.raises(RenderError) as caught:
        render_html(report)
    assert isinstance(caught.value.__cause__, jinja2.TemplateError)


def test_inline_error_becomes_render_error(report, monkeypatch):
    """A CSS inlining failure surfaces as RenderError."""

    def fail(*args, **kwargs):
        raise ValueError("bad css")

    import css_inline

    monkeypatch.setattr(css_inline, "inline", fail)
    with pytest.raises(RenderError, match="bad css"):
        render_email_html(report)


def test_the_file_html_keeps_its_style_sheet_with_dark_mode_and_nothing_external(report):
    """The browser file: one style block (dark mode included), no script, link or remote URL."""
    html = render_html(report)
    assert html.count("<style") == 1
    assert "prefers-color-scheme: dark" in html
    assert "<script" not in html
    assert "<link" not in html
    assert not re.search(r"(src|href)=", html)
