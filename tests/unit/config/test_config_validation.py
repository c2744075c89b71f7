"""Field validation: fingerprint, site, time zone, schedule, lists and SMTP modes."""

from __future__ import annotations

import pytest

from unifi_scanner.config import load_settings
from unifi_scanner.config._cron import check_cron
from unifi_scanner.errors import ConfigError

SMTP_ENV = {
    "UNIFI_SMTP_HOST": "mail.example",
    "UNIFI_SMTP_SENDER": "scanner@example.com",
    "UNIFI_SMTP_RECIPIENTS": "a@example.com",
}


def _problem(**env: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(environ=env)
    return str(info.value)


@pytest.mark.parametrize(
    "value",
    ["AB" * 32, "ab:" * 31 + "ab", " " + "0f" * 32 + " ", ":".join(["Ab"] * 32)],
)
def test_fingerprint_is_normalised(value):
    """Hex with or without colons becomes 64 lower-case hex digits."""
    settings = load_settings(environ={"UNIFI_TLS_FINGERPRINT": value})
    assert settings.tls_fingerprint is not None
    assert len(settings.tls_fingerprint) == 64
    assert settings.tls_fingerprint == settings.tls_fingerprint.lower()
    assert ":" not in settings.tls_fingerprint


@pytest.mark.parametrize("value", ["AB" * 31, "AB" * 33, "zz" * 32, "sha256:" + "ab" * 32])
def test_bad_fingerprint_is_rejected(value):
    """Anything but 64 hex digits is an error naming UNIFI_TLS_FINGERPRINT."""
    assert "UNIFI_TLS_FINGERPRINT (environment): must be a SHA-256" in _problem(
        UNIFI_TLS_FINGERPRINT=value
    )


@pytest.mark.parametrize(("value", "expected"), [("ALL", "all"), ("default", "default")])
def test_site_all_or_name(value, expected):
    """The site is 'all' (any case) or a site name."""
    assert load_settings(environ={"UNIFI_SITE": value}).site == expected


def test_site_description_is_rejected():
    """A site description with spaces is not a site name."""
    assert "got 'Main Office'" in _problem(UNIFI_SITE="Main Office")


def test_timezone_must_be_iana():
    """A valid IANA zone is kept; an unknown one is an error."""
    assert load_settings(environ={"UNIFI_TIMEZONE": "Europe/Berlin"}).timezone == "Europe/Berlin"
    assert "must be an IANA time zone" in _problem(UNIFI_TIMEZONE="Mars/Olympus")
    assert "must be an IANA time zone" in _problem(UNIFI_TIMEZONE="../etc/passwd")


@pytest.mark.parametrize(
    ("machine", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("Etc/UTC", "Etc/UTC"),
        ("Mars/Olympus", "UTC"),
        ("", "UTC"),
        (LookupError("no zone configured"), "UTC"),
    ],
)
def test_the_default_timezone_is_the_machines(monkeypatch, machine, expected):
    """Without UNIFI_TIMEZONE, times are shown in the machine's zone; UTC when it is unknown."""
    import tzlocal

    def zone() -> str:
        if isinstance(machine, Exception):
            raise machine
        return machine

    monkeypatch.setattr(tzlocal, "get_localzone_name", zone)
    assert load_settings(environ={}).timezone == expected
    assert load_settings(environ={"UNIFI_TIMEZONE": "Asia/Tokyo"}).timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    "value", ["0 6 * * *", "*/15 8-18 * * mon-fri", "30 6 1,15 jan,jul 0", "@daily", "0 0 * * 7"]
)
def test_valid_schedules(value):
    """Five-field cron expressions and presets are accepted."""
    assert load_settings(environ={"UNIFI_SCHEDULE": value}).schedule == value


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("* * *", "must have 5 fields"),
        ("60 * * * *", "minute field '60' is outside 0-59"),
        ("* 24 * * *", "hour field"),
        ("*/0 * * * *", "step of 0"),
        ("* * * foo *", "month field"),
        ("@sometimes", "unknown preset"),
        ("* * * * mon-xyz", "day of week"),
        ("? * * * *", "not valid"),
    ],
)
def test_invalid_schedules(value, why):
    """Malformed cron expressions are errors saying which field is wrong."""
    assert why in (check_cron(value) or "")
    assert "UNIFI_SCHEDULE (environment): not a cron expression" in _problem(UNIFI_SCHEDULE=value)


def test_report_formats_comma_separated():
    """UNIFI_REPORT_FORMATS=text,JSON, html is a list, case-insensitive, duplicates dropped."""
    settings = load_settings(environ={"UNIFI_REPORT_FORMATS": "text,JSON, html,text"})
    assert settings.report_formats == ("text", "json", "html")


def test_report_formats_unknown_is_named():
    """An unknown format names the variable and lists the allowed ones."""
    text = _problem(UNIFI_REPORT_FORMATS="text,pdf")
    assert "UNIFI_REPORT_FORMATS (environment): must be one of 'text', 'json'" in text
    assert "got 'pdf'" in text
    assert "at least one" not in text


def test_empty_list_is_an_error():
    """A list variable holding only separators is an error."""
    assert "UNIFI_SMTP_RECIPIENTS (environment): must list at least one item" in _problem(
        **{**SMTP_ENV, "UNIFI_SMTP_RECIPIENTS": " , "}
    )


def test_recipients_must_be_addresses():
    """A recipient without @ is an error."""
    text = _problem(**{**SMTP_ENV, "UNIFI_SMTP_RECIPIENTS": "a@example.com,bob"})
    assert "must be an e-mail address, got 'bob'" in text


def test_both_tls_modes_are_an_error():
    """use_tls and starttls both true is an error."""
    text = _problem(**SMTP_ENV, UNIFI_SMTP_USE_TLS="true", UNIFI_SMTP_STARTTLS="true")
    assert "use_tls and starttls cannot both be true" in text


def test_log_level_any_case():
    """UNIFI_LOG_LEVEL=debug is DEBUG."""
    assert load_settings(environ={"UNIFI_LOG_LEVEL": "debug"}).log_level == "DEBUG"


def test_host_url_is_rejected():
    """A URL instead of a host name is an error with a hint."""
    assert "not a URL" in _problem(UNIFI_HOST="https://192.168.1.1:8443")


def test_ca_bundle_must_exist(tmp_path):
    """UNIFI_CA_BUNDLE must name an existing file."""
    bundle = tmp_path / "ca.pem"
    bundle.write_text("pem", encoding="utf-8")
    assert load_settings(environ={"UNIFI_CA_BUNDLE": str(bundle)}).ca_bundle == bundle
    assert "must be an existing file" in _problem(UNIFI_CA_BUNDLE=str(tmp_path / "no.pem"))


def test_settings_are_frozen():
    """Loaded settings cannot be changed."""
    settings = load_settings(environ={})
    with pytest.raises(ValueError, match="frozen"):
        settings.host = "x"  # type: ignore[misc]


def test_bad_use_tls_is_reported_once():
    """An unparsable use_tls is a field error, not a crash in the TLS rule."""
    text = _problem(**SMTP_ENV, UNIFI_SMTP_USE_TLS="maybe")
    assert "UNIFI_SMTP_USE_TLS (environment): must be true or false, got 'maybe'" in text


def test_yaml_lists_and_wrong_shapes(tmp_path):
    """YAML lists work for list settings; a number or a list where a scalar belongs is an error."""
    config = tmp_path / "c.yaml"
    config.write_text("report_formats: [TEXT, markdown]\n", encoding="utf-8")
    assert load_settings(config, {}).report_formats == ("text", "markdown")
    config.write_text("report_formats: 5\nport: [1]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(config, {})
    text = str(info.value)
    assert "report_formats (" in text
    assert "must be a list, got 5" in text
    assert "port (" in text
    assert "got [1]" not in text
