"""`unifi-scanner analyze` on the real captured payloads in ../shared/fixtures/unifi."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from unifi_scanner.cli import cli

pytestmark = [pytest.mark.e2e, pytest.mark.fixtures]

CAPTURES = [
    "composed_stat_event.json",
    "composed_stat_ips_event.json",
    "composed_list_alarm.json",
    "aiounifi_stat_device.json",
    "aiounifi_stat_sta.json",
    "aiounifi_stat_sysinfo.json",
]


def test_real_captures_become_findings(shared_fixtures, tmp_path):
    """Real events, IPS alerts, alarms and devices give IPS and lost-contact findings."""
    out = tmp_path / "report.json"
    args = ["analyze", *(str(shared_fixtures / name) for name in CAPTURES)]
    result = CliRunner().invoke(cli, [*args, "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    rules = {finding["rule"] for finding in report["findings"]}
    titles = " ".join(finding["title"] for finding in report["findings"])
    assert any("ips" in rule or "security" in rule for rule in rules), rules
    assert any("lost" in rule or "offline" in rule for rule in rules), rules
    assert "EVT_" not in titles, "titles are plain English, not raw keys"
    assert report["summary"]["low"] + report["summary"]["medium"] + report["summary"]["severe"] == (
        len(report["findings"])
    )


def test_each_capture_alone_is_analysed_without_error(shared_fixtures):
    """Every capture file on its own is accepted (or refused with a clear error, never a crash)."""
    for path in sorted(shared_fixtures.glob("*.json")):
        result = CliRunner().invoke(cli, ["analyze", str(path), "--format", "text"])
        assert result.exit_code in {0, 1}, (path.name, result.output)
        assert "Traceback" not in result.output, path.name


def test_markdown_alias_writes_markdown(shared_fixtures, tmp_path):
    """`--format md` is Markdown."""
    out = tmp_path / "report.md"
    path = str(shared_fixtures / "composed_stat_ips_event.json")
    result = CliRunner().invoke(cli, ["analyze", path, "--format", "md", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# ")


def test_unknown_format_is_a_usage_error(shared_fixtures):
    """An unknown format exits 2 and lists the formats."""
    path = str(shared_fixtures / "composed_stat_ips_event.json")
    result = CliRunner().invoke(cli, ["analyze", path, "--format", "pdf"])
    assert result.exit_code == 2
    assert "markdown" in result.output
