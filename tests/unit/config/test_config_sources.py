"""Where settings come from: environment, *_FILE secrets, YAML, defaults, and flat sections."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr

from unifi_scanner.config import IntegrationSettings, Settings, load_settings

if TYPE_CHECKING:
    from pathlib import Path

SMTP_ENV = {
    "UNIFI_SMTP_HOST": "mail.example",
    "UNIFI_SMTP_SENDER": "scanner@example.com",
    "UNIFI_SMTP_RECIPIENTS": "a@example.com,b@example.com",
}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_nothing_is_set():
    """With no environment and no file every setting has its default."""
    settings = load_settings(environ={})
    assert settings.host is None
    assert settings.site == "default"
    assert settings.report_formats == ("text", "json")
    assert settings.smtp is None
    assert settings.webhook is None


def test_environment_beats_file_beats_yaml_beats_default(tmp_path):
    """For one field each source overrides the ones below it."""
    secret = _write(tmp_path, "pw", "from-file\n")
    config = _write(tmp_path, "c.yaml", "password: from-yaml\nusername: yaml-user\nport: 1\n")
    env = {"UNIFI_PASSWORD_FILE": str(secret), "UNIFI_PORT": "2"}

    settings = load_settings(config, env)
    assert settings.port == 2  # environment over YAML
    assert settings.password == SecretStr("from-file")  # _FILE over YAML
    assert settings.username == "yaml-user"  # YAML over default
    assert settings.site == "default"

    with_env = load_settings(config, {**env, "UNIFI_PASSWORD": "from-env"})
    assert with_env.password is not None
    assert with_env.password.get_secret_value() == "from-env"  # environment over _FILE


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("s3cret\n", "s3cret"),
        ("s3cret\r\n", "s3cret"),
        ("s3cret\n\n", "s3cret\n"),
        ("s3cret", "s3cret"),
    ],
)
def test_file_secret_strips_one_trailing_newline(tmp_path, content, expected):
    """A *_FILE secret loses exactly one trailing newline."""
    secret = _write(tmp_path, "key", content)
    settings = load_settings(environ={"UNIFI_API_KEY_FILE": str(secret)})
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == expected


def test_file_secret_for_a_nested_section(tmp_path):
    """UNIFI_SMTP_PASSWORD_FILE fills smtp.password."""
    secret = _write(tmp_path, "smtp", "mailpw\n")
    settings = load_settings(environ={**SMTP_ENV, "UNIFI_SMTP_PASSWORD_FILE": str(secret)})
    assert settings.smtp is not None
    assert settings.smtp.password == SecretStr("mailpw")


def test_config_file_from_unifi_config(tmp_path):
    """Without an explicit path the YAML file named by UNIFI_CONFIG is read."""
    config = _write(tmp_path, "c.yaml", "host: from-yaml\n")
    assert load_settings(environ={"UNIFI_CONFIG": str(config)}).host == "from-yaml"


def test_explicit_config_file_beats_unifi_config(tmp_path):
    """The --config path wins over UNIFI_CONFIG."""
    explicit = _write(tmp_path, "a.yaml", "host: explicit\n")
    named = _write(tmp_path, "b.yaml", "host: named\n")
    assert load_settings(explicit, {"UNIFI_CONFIG": str(named)}).host == "explicit"


def test_empty_yaml_file_means_defaults(tmp_path):
    """An empty YAML file sets nothing."""
    config = _write(tmp_path, "c.yaml", "# nothing yet\n")
    assert load_settings(config, {}).host is None


def test_flat_section_from_environment():
    """UNIFI_SMTP_* variables fill the smtp section; lists are comma-separated."""
    settings = load_settings(environ={**SMTP_ENV, "UNIFI_SMTP_TIMEOUT_S": "5"})
    assert settings.smtp is not None
    assert settings.smtp.host == "mail.example"
    assert settings.smtp.recipients == ("a@example.com", "b@example.com")
    assert settings.smtp.timeout_s == 5.0
    assert settings.smtp.port == 587


def test_top_level_names_with_underscores_stay_top_level():
    """UNIFI_VERIFY_SSL, UNIFI_TLS_FINGERPRINT and UNIFI_API_KEY are not read as sections."""
    fingerprint = "AB:" * 31 + "CD"
    settings = load_settings(
        environ={
            "UNIFI_VERIFY_SSL": "false",
            "UNIFI_TLS_FINGERPRINT": fingerprint,
            "UNIFI_API_KEY": "key-1234",
            "UNIFI_TIMEOUT_S": "7",
        }
    )
    assert settings.verify_ssl is False
    assert settings.tls_fingerprint == "ab" * 31 + "cd"
    assert settings.api_key == SecretStr("key-1234")
    assert settings.timeout_s == 7.0


def test_section_from_yaml_and_environment_merge(tmp_path):
    """A section's keys from YAML and from the environment combine, environment winning."""
    config = _write(
        tmp_path,
        "c.yaml",
        "smtp:\n  host: yaml-mail\n  port: 25\n  sender: s@example.com\n"
        "  recipients: [r@example.com]\nwebhook:\n  urls:\n    - https://hooks.example/a\n",
    )
    settings = load_settings(config, {"UNIFI_SMTP_PORT": "2525"})
    assert settings.smtp is not None
    assert settings.smtp.host == "yaml-mail"
    assert settings.smtp.port == 2525
    assert settings.webhook is not None
    assert settings.webhook.urls == ("https://hooks.example/a",)


def test_implicit_tls_turns_starttls_off():
    """use_tls=true alone switches STARTTLS off."""
    settings = load_settings(environ={**SMTP_ENV, "UNIFI_SMTP_USE_TLS": "true"})
    assert settings.smtp is not None
    assert (settings.smtp.use_tls, settings.smtp.starttls) == (True, False)


class _CloudflareSettings(IntegrationSettings):
    api_token: SecretStr
    account_id: str | None = None


class _PluginSettings(Settings):
    cloudflare: _CloudflareSettings | None = None


def test_integration_section_is_one_field(tmp_path):
    """A Settings subclass with one IntegrationSettings field gets flat env names and _FILE."""
    token = _write(tmp_path, "cf", "cf-token\n")
    settings = load_settings(
        environ={"UNIFI_CLOUDFLARE_API_TOKEN_FILE": str(token), "UNIFI_CLOUDFLARE_TIMEOUT_S": "3"},
        settings_cls=_PluginSettings,
    )
    assert isinstance(settings, _PluginSettings)
    assert settings.cloudflare is not None
    assert settings.cloudflare.api_token == SecretStr("cf-token")
    assert settings.cloudflare.timeout_s == 3.0
    assert settings.cloudflare.enabled is True


def test_integration_section_unset_is_none():
    """An integration section nobody configures stays None."""
    assert load_settings(environ={}, settings_cls=_PluginSettings).cloudflare is None


def test_unrelated_unifi_variables_are_ignored():
    """UNIFI_ variables that name no setting (UNIFI_CONFIG, CI switches) are not errors."""
    settings = load_settings(environ={"UNIFI_SCANNER_REQUIRE_SHARED": "1", "UNIFI_HOSTNAME": "x"})
    assert settings.host is None


def test_settings_reads_os_environ_outside_load_settings(monkeypatch):
    """Settings() on its own uses the process environment."""
    monkeypatch.setenv("UNIFI_HOST", "from-os")
    assert Settings().host == "from-os"
