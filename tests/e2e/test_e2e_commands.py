"""`check`, `run` and `simulate` as commands, against the simulator on a real socket."""

from __future__ import annotations

import asyncio
import re

import pytest
from typer.testing import CliRunner

from unifi_scanner import app
from unifi_scanner.cli import cli

pytestmark = pytest.mark.e2e


def _env(settings):
    return {
        "UNIFI_HOST": settings.host,
        "UNIFI_PORT": str(settings.port),
        "UNIFI_USERNAME": settings.username,
        "UNIFI_PASSWORD": settings.password.get_secret_value(),
        "UNIFI_CA_BUNDLE": str(settings.ca_bundle),
        "UNIFI_STATE_PATH": str(settings.state_path),
        "UNIFI_OUTPUT_DIR": str(settings.output_dir),
    }


async def _invoke(args, env):
    # The simulator runs on this test's event loop; the CLI runs its own loop in a thread.
    return await asyncio.to_thread(CliRunner().invoke, cli, args, env=env, catch_exceptions=False)


async def test_check_command_prints_flavour_version_and_endpoints(settings):
    """`unifi-scanner check` prints flavour, version, sites and the endpoint table."""
    result = await _invoke(["check"], _env(settings))
    assert result.exit_code == 0, result.output
    assert "unifi-os" in result.output
    assert re.search(r"Version:\s+\d", result.output)
    assert "stat/event" in result.output
    assert "default" in result.output


async def test_run_command_writes_reports_and_exits_0(settings):
    """`unifi-scanner run` scans once, writes the configured formats and exits 0."""
    result = await _invoke(["run"], _env(settings))
    assert result.exit_code == 0, result.output
    assert "severe" in result.output
    written = sorted(
        p.suffix for p in settings.output_dir.iterdir() if p.name.startswith("unifi-report-")
    )
    assert (settings.output_dir / "index.html").is_file(), "and the history page"
    assert written == [".json", ".txt"]


async def test_run_command_with_a_wrong_password_exits_1(settings):
    """A refused login is a failed scan: exit 1 and one clear line, no traceback."""
    env = _env(settings) | {"UNIFI_PASSWORD": "wrong-password"}
    result = await _invoke(["run"], env)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "wrong-password" not in result.output


async def test_simulate_announces_url_credentials_and_fingerprint():
    """`simulate` prints where it listens, how to log in and the certificate to pin."""
    lines: list[str] = []
    announced = asyncio.Event()

    def announce(line: str) -> None:
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            announced.set()

    task = asyncio.create_task(
        app.simulate(
            host="127.0.0.1",
            port=0,
            scenario="demo",
            flavour="legacy",
            network=10,
            tls=True,
            announce=announce,
        )
    )
    try:
        async with asyncio.timeout(30):
            await announced.wait()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    text = "\n".join(lines)
    assert re.search(r"https://127\.0\.0\.1:\d+", text)
    assert re.search(r"SHA-256:\s+[0-9a-f]{64}", text)
    assert "legacy" in text
