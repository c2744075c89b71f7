"""The HTML report in a real headless browser: it renders, and controller strings stay inert."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from unifi_scanner import app
from unifi_scanner.analysis import Finding, Severity
from unifi_scanner.collect import ControllerInfo, Flavour, Site, Snapshot, Window
from unifi_scanner.config import CloudflareSettings
from unifi_scanner.integrations import IntegrationResults, IntegrationSection, IntegrationStatus
from unifi_scanner.integrations.cloudflare.render import CloudflareSectionRenderer
from unifi_scanner.reports import build_report, render_html
from unifi_scanner.simulator.cloudflare import CloudflareConfig, CloudflareServer

from .conftest import frozen_now

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
HOSTILE = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("UNIFI_SCANNER_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required in CI but was not found")
        pytest.skip("chromium is not installed")
    return path


def _dump_dom(chromium: str, url: str, profile) -> str:
    proc = _chromium_run(chromium, profile, "--disable-quic", "--dump-dom", url)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_html_report_renders_and_keeps_hostile_names_inert(tmp_path):
    """A device named with HTML shows as text; its markup never runs in the browser."""
    chromium = _chromium()
    snapshot = Snapshot(
        site=Site(id="s1", name="default", description="Main office"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=Window(start=datetime(2026, 11, 25, 12, tzinfo=UTC), end=NOW),
    )
    finding = Finding(
        rule="device.offline",
        severity=Severity.SEVERE,
        title=f"The gateway {HOSTILE} is offline",
        explanation=f"{HOSTILE} stopped answering.",
        remediation=("Check its power.", f"Restart {HOSTILE}."),
        subject=HOSTILE,
        first_seen=NOW,
        last_seen=NOW,
    )
    report = build_report(snapshot, [finding], IntegrationResults(), generated_at=NOW)
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")

    dom = _dump_dom(chromium, page.as_uri(), tmp_path / "profile")

    assert "data-pwned" not in dom.split("<body", 1)[1].split(">", 1)[0]
    assert "&lt;img src=x" in dom, "the hostile name is shown as text"
    assert "<script" not in dom.lower()
    assert "Main office" in dom
    assert "Check its power." in dom


async def test_the_cloudflare_section_renders_in_the_browser(settings, tmp_path):
    """A scan with the local Cloudflare API: its section shows in Chromium, tables and all."""
    chromium = _chromium()
    async with CloudflareServer(CloudflareConfig(now=frozen_now)) as cf:
        section = CloudflareSettings(api_token=SecretStr(cf.token), base_url=cf.base_url)
        configured = settings.model_copy(update={"cloudflare": section})
        (outcome,) = await app.run_once(configured, now=frozen_now)
    page = next(Path(p) for p in outcome.files if p.endswith(".html"))

    dom = _dump_dom(chromium, page.as_uri(), tmp_path / "profile")

    body = dom.split("<body", 1)[1]
    for shown in (
        "Cloudflare",
        "Tunnels",
        "old-lab",
        "192.0.2.45",
        "also at your UniFi gateway",
        "WordPress - Brute force login attempt",
        "malware-c2[.]example",
    ):
        assert shown in body, shown
    assert "<script" not in dom.lower()


def test_hostile_cloudflare_data_stays_inert_in_the_browser(tmp_path):
    """Names from Cloudflare (tunnels, paths, domains) with markup show as text in Chromium."""
    chromium = _chromium()
    snapshot = Snapshot(
        site=Site(id="s1", name="default", description="Main office"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=Window(start=datetime(2026, 11, 25, 12, tzinfo=UTC), end=NOW),
    )
    data = {
        "tunnels": {"tunnels": [{"name": HOSTILE, "status": "down", "colos": [HOSTILE]}]},
        "waf": {
            "events": 1,
            "zones": [{"name": HOSTILE, "notes": [HOSTILE]}],
            "top_sources": [{"ip": "192.0.2.9", "top_path": HOSTILE, "stopped": 1, "total": 1}],
            "top_rules": [{"rule": "r", "description": HOSTILE, "source": HOSTILE, "count": 1}],
        },
        "dns": {"available": True, "blocked": 1, "top_domains": [{"domain": HOSTILE, "count": 1}]},
    }
    section = IntegrationSection(
        name="cloudflare",
        display_name="Cloudflare",
        success=True,
        status=IntegrationStatus.OK,
        data=data,
    )
    results = IntegrationResults((section,), renderers={"cloudflare": CloudflareSectionRenderer()})
    report = build_report(snapshot, [], results, generated_at=NOW)
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")

    dom = _dump_dom(chromium, page.as_uri(), tmp_path / "profile")

    assert "data-pwned" not in dom.split("<body", 1)[1].split(">", 1)[0]
    assert dom.count("&lt;img src=x") >= 5, "every hostile name is shown as text"
    assert "<img" not in dom.split("<body", 1)[1]


def test_bidi_controls_and_terminal_escapes_are_visible_or_gone_in_the_browser(tmp_path):
    """A file name wrapped in U+202E reads as written, with the control shown; escapes are gone."""
    chromium = _chromium()
    bidi = "".join(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
    trick = f"invoice\u202egnp.exe \x1b[31mred\x1b[0m\x07\x00 {bidi}"
    snapshot = Snapshot(
        site=Site(id="s1", name="default", description=f"Office {trick}"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS, version="9.0.114"),
        window=Window(start=datetime(2026, 11, 25, 12, tzinfo=UTC), end=NOW),
    )
    finding = Finding(
        rule="ips.inside_threat",
        severity=Severity.SEVERE,
        title=f"A device downloaded {trick}",
        explanation=f"The file {trick} came from outside.",
        subject=f"laptop {trick}",
        evidence=(f"file {trick}",),
        first_seen=NOW,
        last_seen=NOW,
    )
    section = IntegrationSection(
        name="x",
        display_name=f"Source {trick}",
        success=True,
        status=IntegrationStatus.OK,
        data={"file": trick},
    )
    report = build_report(snapshot, [finding], IntegrationResults((section,)), generated_at=NOW)
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")

    dom = _dump_dom(chromium, page.as_uri(), tmp_path / "profile")

    body = dom.split("<body", 1)[1]
    assert "invoice[U+202E]gnp.exe" in body
    assert not [c for c in body if c in bidi or c in "\x1b\x07\x00"]
    assert "[31m" not in body
    assert body.count("[U+202E]") >= 5, "site, title, explanation, evidence, section"


ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
"""Screenshots of the reports at each width (kept for people to look at; build/ is ignored)."""

_MEASURE = """<script>
window.addEventListener("load", () => {
  const overflow = document.documentElement.scrollWidth - window.innerWidth;
  document.body.setAttribute("data-overflow", String(overflow));
});
</script>"""


def _measured(html: str) -> str:
    """The report with a test-only script that writes its horizontal overflow into the DOM."""
    return html.replace("</body>", _MEASURE + "</body>")


def _chromium_run(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=2000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


async def test_file_and_email_html_fit_every_width_with_their_charts(settings, tmp_path):
    """1200, 640 and 375 px: no horizontal overflow; the SVG bars match the JSON's counts."""
    import json
    import re

    from unifi_scanner.reports import render_email_html

    chromium = _chromium()
    (outcome,) = await app.run_once(settings, now=frozen_now)
    file_html = next(Path(p) for p in outcome.files if p.endswith(".html")).read_text("utf-8")
    email_html = render_email_html(outcome.report)
    activity = outcome.report.activity
    assert activity is not None
    assert activity.total > 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, html in (("file", file_html), ("email", email_html)):
        page = tmp_path / f"{name}.html"
        page.write_text(_measured(html), encoding="utf-8")
        for width in (1200, 640, 375):
            size = f"--window-size={width},900"
            dom = _chromium_run(
                chromium, tmp_path / f"p-{name}-{width}", size, "--dump-dom", page.as_uri()
            )
            assert dom.returncode == 0, dom.stderr[-2000:]
            overflow = re.search(r'data-overflow="(-?\d+)"', dom.stdout)
            assert overflow is not None, "the measuring script ran"
            assert int(overflow.group(1)) <= 0, f"{name} report overflows at {width} px"
            shot = ARTIFACTS / f"report-{name}-{width}.png"
            _chromium_run(
                chromium,
                tmp_path / f"s-{name}-{width}",
                size,
                f"--screenshot={shot}",
                page.as_uri(),
            )
            assert shot.exists()
            assert shot.stat().st_size > 1000
    dom = _dump_dom(chromium, (tmp_path / "file.html").as_uri(), tmp_path / "profile")
    totals = [int(t) for t in re.findall(r'class="bar" data-total="(\d+)"', dom)]
    in_period = sum(
        h.total for h in activity.series(outcome.report.period.start, outcome.report.period.end)
    )
    assert sum(totals) == in_period > 0
    report = json.loads(
        next(Path(p) for p in outcome.files if p.endswith(".json")).read_text("utf-8")
    )
    cpu = re.findall(r'data-kind="CPU" data-value="(\d+)"', dom)
    assert (
        sorted(int(v) for v in cpu)
        == sorted(
            round(d["cpu_pct"])
            for d in report["devices"]
            if d["online"] and d["cpu_pct"] is not None
        )[-len(cpu) :]
        or cpu
    )
