"""The Cloudflare integration's own logic: actions, spikes, findings, errors, settings, HTML."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from unifi_scanner.analysis import Severity
from unifi_scanner.config import CloudflareSettings, Settings
from unifi_scanner.errors import ConfigError, IntegrationMisconfiguredError
from unifi_scanner.integrations import (
    IntegrationSection,
    IntegrationStatus,
    classify,
    default_registry,
)
from unifi_scanner.integrations.classify import ErrorClass
from unifi_scanner.integrations.cloudflare import CloudflareIntegration, CloudflareSectionRenderer
from unifi_scanner.integrations.cloudflare.client import (
    BudgetError,
    CloudflareAnswerError,
    MissingPermissionError,
    NotAvailableError,
    QuotaError,
    _graphql_error,
)
from unifi_scanner.integrations.cloudflare.findings import findings_of, spikes
from unifi_scanner.integrations.cloudflare.waf import action_class

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        ("block", "blocked"),
        ("managed_challenge", "challenged"),
        ("jschallenge", "challenged"),
        ("managed_challenge_non_interactive_solved", "passed"),
        ("jschallenge_solved", "passed"),
        ("challenge_bypassed", "passed"),
        ("challenge_failed", "blocked"),
        ("log", "logged"),
        ("skip", "allowed"),
    ],
)
def test_solved_and_bypassed_challenges_are_passes_not_blocks(action, kind):
    """Only what stopped a request counts as a block."""
    assert action_class(action) == kind


def _settings(**values) -> CloudflareSettings:
    return CloudflareSettings(api_token=SecretStr("t"), **values)


def test_a_spike_is_an_hour_far_above_the_usual_one():
    """One hour with twenty times the median is a spike; a flat day is not."""
    covered = {"example.com": (NOW - timedelta(hours=24), NOW)}
    hours = [NOW - timedelta(hours=h) for h in range(1, 25)]
    flat = Counter(dict.fromkeys(hours, 20))
    assert spikes({"example.com": flat}, covered, _settings()) == []
    spiky = Counter(flat)
    spiky[hours[3]] = 400
    (spike,) = spikes({"example.com": spiky}, covered, _settings())
    assert spike["zone"] == "example.com"
    assert spike["count"] == 400
    assert spike["usual"] == 20


def test_quiet_nights_do_not_make_every_busy_hour_a_spike():
    """150 an hour in the day and nothing at night is a normal day, not a spike."""
    covered = {"example.com": (NOW - timedelta(hours=24), NOW)}
    day = Counter({NOW - timedelta(hours=h): 150 for h in range(1, 11)})
    assert spikes({"example.com": day}, covered, _settings()) == []


def test_a_short_or_cut_reading_has_no_usual_hour():
    """Under six hours read, or a zone whose reading was cut, is not judged."""
    counts = Counter({NOW - timedelta(hours=1): 5000})
    short = {"example.com": (NOW - timedelta(hours=2), NOW)}
    assert spikes({"example.com": counts}, short, _settings()) == []
    assert spikes({"example.com": counts}, {}, _settings()) == []


def test_findings_from_data():
    """Tunnel down is severe, degraded medium; a hammering source and DNS threats medium."""
    data = {
        "tunnels": {
            "tunnels": [
                {"name": "old-lab", "status": "down", "since": NOW.isoformat()},
                {"name": "ha", "status": "degraded", "connections": 1, "colos": ["fra08"]},
                {"name": "nas", "status": "healthy", "connections": 4},
                {"name": "test", "status": "inactive"},
            ]
        },
        "waf": {
            "top_sources": [
                {"ip": "192.0.2.45", "country": "CN", "zones": {"example.com": 63}, "total": 70},
                {"ip": "198.51.100.1", "zones": {"example.com": 3}, "total": 3},
            ]
        },
        "dns": {
            "threats": [{"category": "Malware", "location": "Office", "count": 7}],
            "threat_domains": [{"domain": "malware-c2.example", "count": 7}],
        },
    }
    found = {f.rule: f for f in findings_of(data, _settings())}
    assert found["cloudflare.tunnel_down"].severity is Severity.SEVERE
    assert found["cloudflare.tunnel_down"].subject == "old-lab"
    assert found["cloudflare.tunnel_degraded"].severity is Severity.MEDIUM
    assert found["cloudflare.waf_source"].subject == "192.0.2.45 on example.com"
    assert found["cloudflare.waf_source"].count == 63
    assert "Office" in found["cloudflare.dns_threats"].title
    assert (
        len([f for f in findings_of(data, _settings()) if f.rule.startswith("cloudflare.tun")]) == 2
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            {"message": "rate limiter budget depleted", "extensions": {"code": "budget"}},
            BudgetError,
        ),
        (
            {"message": "cannot request data older than 259200s", "extensions": {"code": "quota"}},
            QuotaError,
        ),
        ({"message": "request must be authenticated"}, IntegrationMisconfiguredError),
        ({"message": "account 'abc' does not have access to the path"}, NotAvailableError),
        (
            {"message": "not authorized for that account", "extensions": {"code": "authz"}},
            MissingPermissionError,
        ),
        ({"message": "something new"}, CloudflareAnswerError),
    ],
)
def test_graphql_errors_in_a_200_answer_are_classified(error, expected):
    """Each kind of errors[] entry becomes its own exception."""
    exc = _graphql_error([error], "Account Analytics Read", "Gateway DNS")
    assert type(exc) is expected


def test_a_missing_permission_is_named_and_not_retried():
    """The message names the permission; the runner neither retries it nor counts it."""
    exc = _graphql_error(
        [{"message": "not authorized", "extensions": {"code": "authz"}}],
        "Zone Analytics Read",
        "WAF events",
    )
    assert "lacks Zone Analytics Read" in str(exc)
    assert classify(exc) is ErrorClass.MISCONFIGURED
    budget = _graphql_error([{"message": "x", "extensions": {"code": "budget"}}], "p", "WAF events")
    assert classify(budget) is ErrorClass.TRANSIENT


def test_settings_reject_a_bad_account_id_and_base_url():
    """Bad values name the field and what is wrong."""
    with pytest.raises(ValueError, match="32 hex digits"):
        CloudflareSettings(account_id="not-an-id")
    with pytest.raises(ValueError, match="http"):
        CloudflareSettings(base_url="ftp://x")
    assert CloudflareSettings(zones="Example.COM, example.net").zones == (
        "example.com",
        "example.net",
    )


def test_unconfigured_is_silent_and_half_configured_warns(monkeypatch):
    """No section: not listed; a section without a token: skipped with what is missing."""
    registry = default_registry()
    assert "cloudflare" in registry.names
    selection = registry.select(Settings())
    assert [i.name for i in selection.configured] == ["cybersecure"]  # on without credentials
    assert not selection.skipped
    half = Settings(cloudflare=CloudflareSettings(zones=("example.com",)))
    selection = registry.select(half)
    (skipped,) = selection.skipped
    assert skipped.status is IntegrationStatus.SKIPPED_PARTIAL_CONFIG
    assert "UNIFI_CLOUDFLARE_API_TOKEN" in skipped.reason
    full = Settings(cloudflare=_settings())
    assert isinstance(registry.select(full).configured[0], CloudflareIntegration)


def test_the_section_escapes_what_cloudflare_sends():
    """A path or a name from Cloudflare can never inject markup."""
    evil = "<script>alert(1)</script>"
    section = IntegrationSection(
        name="cloudflare",
        display_name="Cloudflare",
        success=True,
        status=IntegrationStatus.OK,
        data={
            "window": {"start": NOW.isoformat(), "end": NOW.isoformat()},
            "accounts": ["Example"],
            "waf": {
                "events": 1,
                "zones": [{"name": "example.com", "notes": []}],
                "top_sources": [{"ip": "192.0.2.45", "stopped": 1, "total": 1, "top_path": evil}],
                "top_paths": [{"host": "example.com", "path": evil, "count": 1}],
            },
        },
        correlated={"192.0.2.45": "3 IPS alerts (ET SCAN), all blocked"},
    )
    renderer = CloudflareSectionRenderer()
    html = str(renderer.html(section))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "also at your UniFi gateway: 3 IPS alerts" in html
    markdown = renderer.markdown(section)
    assert "<script>" not in markdown
    assert "192.0.2.45" in renderer.text(section)


def test_config_error_for_a_bad_cloudflare_setting_names_the_variable(monkeypatch):
    """UNIFI_CLOUDFLARE_ACCOUNT_ID is named in the error, with what is wrong."""
    from unifi_scanner.config import load_settings

    monkeypatch.setenv("UNIFI_CLOUDFLARE_ACCOUNT_ID", "nope")
    with pytest.raises(ConfigError) as caught:
        load_settings(None)
    assert "UNIFI_CLOUDFLARE_ACCOUNT_ID" in str(caught.value)
    assert "32 hex digits" in str(caught.value)


def test_an_unexpected_answer_is_a_bug_not_a_passing_fault():
    """An unknown GraphQL error is not retried and not hidden: it is classified as a bug."""
    exc = _graphql_error([{"message": "something new"}], "p", "WAF events")
    assert classify(exc) is ErrorClass.BUG


def test_a_renderer_that_raises_falls_back_to_the_plain_table():
    """A section renderer that fails (old last-good data, a bug) cannot break the report."""
    from unifi_scanner.reports.sections import _render_section_data

    class Broken:
        def text(self, section):  # noqa: ARG002
            raise KeyError("tunnels")

        html = markdown = json = text

    section = IntegrationSection(
        name="cloudflare",
        display_name="Cloudflare",
        success=True,
        status=IntegrationStatus.OK,
        data={"oldshape": 1},
    )
    for fmt in ("text", "markdown", "html"):
        assert "oldshape" in str(_render_section_data(section, fmt, Broken()))
