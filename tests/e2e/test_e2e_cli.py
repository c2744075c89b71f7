"""The command line as a user meets it: exit codes, one-screen errors, no secrets shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from unifi_scanner.cli import cli

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "report.schema.json").read_text())

pytestmark = pytest.mark.e2e


def _invoke(args, env=None):
    return CliRunner().invoke(cli, args, env=env or {}, catch_exceptions=False)


def test_version_prints_the_package_version():
    """--version prints the version and exits 0."""
    from unifi_scanner import __version__

    result = _invoke(["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_empty_host_is_a_one_screen_error_naming_the_field():
    """UNIFI_HOST= gives exit 2 and a short message naming UNIFI_HOST, without a traceback."""
    result = _invoke(["check-config"], env={"UNIFI_HOST": ""})
    assert result.exit_code == 2
    assert "UNIFI_HOST" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.splitlines()) < 25


def test_yaml_with_a_wrong_type_names_the_key_and_file(tmp_path):
    """A YAML value of the wrong type names the key and the file; exit 2."""
    config = tmp_path / "scanner.yaml"
    config.write_text("host: 192.0.2.1\nport: lots\n", encoding="utf-8")
    result = _invoke(["check-config", "--config", str(config)])
    assert result.exit_code == 2
    assert "port" in result.output
    assert "scanner.yaml" in result.output
    assert "Traceback" not in result.output


def test_check_config_never_prints_the_password():
    """check-config shows the effective configuration with the password redacted."""
    result = _invoke(["check-config"], env={"UNIFI_HOST": "192.0.2.1", "UNIFI_PASSWORD": "s3cret"})
    assert result.exit_code == 0
    assert "s3cret" not in result.output
    shown = json.loads(result.output)
    assert shown["host"] == "192.0.2.1"
    assert shown["password"] not in (None, "s3cret")


def test_run_without_a_host_is_a_config_error(tmp_path):
    """`run` with no controller configured exits 2 and says which setting is missing."""
    result = _invoke(["run"], env={"UNIFI_STATE_PATH": str(tmp_path / "s.sqlite3")})
    assert result.exit_code == 2
    assert "UNIFI_HOST" in result.output


def test_serve_without_a_schedule_is_a_config_error():
    """`serve` needs a schedule and says so."""
    result = _invoke(["serve"], env={"UNIFI_HOST": "192.0.2.1"})
    assert result.exit_code == 2
    assert "UNIFI_SCHEDULE" in result.output


def test_integrations_lists_nothing_configured(tmp_path):
    """`integrations` runs without any integration configured."""
    result = _invoke(["integrations"], env={"UNIFI_STATE_PATH": str(tmp_path / "s.sqlite3")})
    assert result.exit_code == 0


def test_demo_command_in_a_subprocess_writes_valid_reports(tmp_path):
    """`unifi-scanner demo --out DIR` (a real process) writes a schema-valid JSON report."""
    out = tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFI_")}
    proc = subprocess.run(
        [sys.executable, "-m", "unifi_scanner", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "severe" in proc.stdout
    (json_report,) = out.glob("*.json")
    report = json.loads(json_report.read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    assert report["summary"]["severe"] >= 1
    assert {p.suffix for p in out.iterdir() if not p.name.startswith(".")} == {
        ".html",
        ".json",
        ".md",
        ".txt",
    }


def test_hostile_text_in_an_error_is_printed_inert(monkeypatch):
    """Rich markup and escape sequences in a controller's error text are shown, not run."""
    from unifi_scanner import app as composition
    from unifi_scanner.errors import ControllerResponseError

    def hostile(*args, **kwargs):
        raise ControllerResponseError("api.err.[/x] [bold]boom\x1b[2J")

    monkeypatch.setattr(composition, "analyze_files", hostile)
    result = _invoke(["analyze", __file__])
    assert result.exit_code == 1
    assert "[/x] [bold]boom" in result.output
    assert "\x1b" not in result.output
