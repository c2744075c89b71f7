"""``unifi-scanner simulate`` as a real process: stopped by a signal, it leaves nothing (#11).

The simulator writes a throw-away CA and the server's private key to a temporary directory; the
process runs with ``TMPDIR`` pointed at the test's own directory, so what it leaves is visible.
The test reads the announcement from its standard output (no sleeping), then signals it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from typing import TYPE_CHECKING

import cloudflare
import pytest

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

TIMEOUT_S = 60.0
READY = "Press Ctrl-C to stop."


def _start(tmp: Path, *extra: str) -> subprocess.Popen[str]:
    """Start ``unifi-scanner simulate`` with its temporary files under ``tmp``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFI_")}
    return subprocess.Popen(
        [sys.executable, "-m", "unifi_scanner", "simulate", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "TMPDIR": str(tmp)},
    )


def _read_until_ready(proc: subprocess.Popen[str]) -> list[str]:
    """The announcement's lines, up to the ready line (the process is killed if it never comes)."""
    assert proc.stdout is not None
    watchdog = threading.Timer(TIMEOUT_S, proc.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.strip() == READY:
                return lines
    finally:
        watchdog.cancel()
    pytest.fail(f"simulate never announced itself: {lines}")


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name
)
def test_a_stop_signal_removes_the_temporary_directory_and_exits_cleanly(sig, tmp_path):
    """SIGTERM, SIGINT or SIGHUP: exit status 0, the CA and private key directory is gone."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(tmp)
    try:
        announced = _read_until_ready(proc)
        (directory,) = tmp.glob("unifi-sim-*")
        assert (directory / "server.key").is_file()
        assert any(line.strip().startswith("CA:") for line in announced)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert list(tmp.iterdir()) == []
    assert "Traceback" not in stderr
    assert f"signal={sig.name}" in stderr


def test_simulate_cloudflare_serves_the_local_cloudflare_api_to_the_sdk(tmp_path):
    """``--cloudflare`` announces the local API's URL and token; the official SDK reads it."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(tmp, "--cloudflare")
    try:
        announced = _read_until_ready(proc)
        urls = [line.split()[1] for line in announced if "(UNIFI_CLOUDFLARE_BASE_URL)" in line]
        tokens = [line.split()[1] for line in announced if "(UNIFI_CLOUDFLARE_API_TOKEN)" in line]
        assert len(urls) == len(tokens) == 1, announced

        async def read() -> list[str]:
            async with cloudflare.AsyncCloudflare(
                api_token=tokens[0], base_url=urls[0], max_retries=0
            ) as sdk:
                return [zone.name async for zone in sdk.zones.list()]

        assert asyncio.run(read()) == ["example.com", "example.net"]
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
