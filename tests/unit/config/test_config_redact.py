"""redacted() and secret_values(): config shown without secrets, secrets listed for logs."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

import unifi_scanner.config as config_package
from unifi_scanner.config import Settings, load_settings, redacted, secret_values
from unifi_scanner.config.redact import MASK, MIN_SECRET_LENGTH, plain_strings, secret_pattern

ENV = {
    "UNIFI_HOST": "ctrl.lan",
    "UNIFI_USERNAME": "viewer",
    "UNIFI_PASSWORD": "pw-secret-1",
    "UNIFI_SMTP_HOST": "mail.example",
    "UNIFI_SMTP_SENDER": "scanner@example.com",
    "UNIFI_SMTP_RECIPIENTS": "a@example.com",
    "UNIFI_SMTP_PASSWORD": "smtp-secret-2",
    "UNIFI_WEBHOOK_URLS": "https://hooks.example/T000/token-secret-3",
}


def test_redacted_masks_set_secrets_and_keeps_unset_as_null():
    """Set secrets are '**********', unset ones null, other values shown."""
    data = redacted(load_settings(environ=ENV))
    assert data["password"] == MASK
    assert data["api_key"] is None
    assert data["smtp"]["password"] == MASK
    assert data["host"] == "ctrl.lan"
    assert data["smtp"]["recipients"] == ["a@example.com"]
    assert data["webhook"]["urls"] == [f"https://hooks.example/{MASK}"]


def test_redacted_never_contains_a_secret():
    """No secret value appears anywhere in the JSON of redacted()."""
    settings = load_settings(environ=ENV)
    text = json.dumps(redacted(settings))
    for secret in ("pw-secret-1", "smtp-secret-2", "token-secret-3"):
        assert secret not in text


def test_redacted_lists_every_setting():
    """Every top-level field is present, sections as null when unset."""
    data = redacted(load_settings(environ={}))
    assert set(data) == set(Settings.model_fields)
    assert data["smtp"] is None


def test_secret_values_lists_configured_secrets():
    """secret_values() returns exactly the plain secrets that are set."""
    assert secret_values(load_settings(environ=ENV)) == {
        "pw-secret-1",
        "smtp-secret-2",
        "https://hooks.example/T000/token-secret-3",
    }
    assert secret_values(load_settings(environ={})) == frozenset()


def test_all_matches_exports():
    """Every name in the package's __all__ exists, once."""
    assert len(set(config_package.__all__)) == len(config_package.__all__)
    for name in config_package.__all__:
        assert hasattr(config_package, name)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, set()),
        (True, set()),
        ("a", {"a"}),
        (8443, {"8443"}),
        (1.5, {"1.5"}),
        (SecretStr("pw"), {"pw"}),
        (["a", ("b", SecretStr("c"))], {"a", "b", "c"}),
        ({"password": "p", "port": 1}, {"p", "1"}),
    ],
)
def test_plain_strings_finds_every_string_at_any_depth(value, expected):
    """plain_strings() reads strings, numbers and secrets inside lists and mappings."""
    assert plain_strings(value) == expected


def test_secret_pattern_finds_long_enough_secrets_longest_first():
    """Secrets under MIN_SECRET_LENGTH are left out; the longest match wins."""
    assert secret_pattern(["abc", ""]) is None
    pattern = secret_pattern(["abcd", "abcdef"])
    assert pattern is not None
    assert pattern.sub("*", "x abcdef y abcd") == "x * y *"
    assert MIN_SECRET_LENGTH == 4
