"""Configuration errors: one ConfigError naming each bad field, its source and what is wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from unifi_scanner.config import load_settings
from unifi_scanner.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

SMTP_ENV = {
    "UNIFI_SMTP_HOST": "mail.example",
    "UNIFI_SMTP_SENDER": "scanner@example.com",
    "UNIFI_SMTP_RECIPIENTS": "a@example.com",
}


def _error(config: Path | None = None, **env: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_settings(config, env)
    return info.value


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_integer_in_environment_names_the_variable():
    """UNIFI_PORT=abc names UNIFI_PORT, the environment and the bad value."""
    err = _error(UNIFI_PORT="abc")
    assert "UNIFI_PORT (environment): must be an integer, got 'abc'" in str(err)
    assert err.problems == (("port", "environment", "must be an integer, got 'abc'"),)


def test_empty_host_is_a_clear_error():
    """UNIFI_HOST= says the host must not be empty."""
    err = _error(UNIFI_HOST="")
    assert "UNIFI_HOST (environment): must not be empty" in str(err)


@pytest.mark.parametrize("name", ["UNIFI_PASSWORD", "UNIFI_SITE", "UNIFI_SCHEDULE", "UNIFI_PORT"])
def test_any_empty_environment_value_is_an_error(name):
    """An empty variable is never silently ignored."""
    assert f"{name} (environment): must not be empty" in str(_error(**{name: ""}))


def test_every_problem_is_reported_at_once():
    """Two bad fields give two lines in one error."""
    err = _error(UNIFI_PORT="0", UNIFI_VERIFY_SSL="maybe")
    assert "2 problems" in str(err)
    assert "UNIFI_PORT (environment): must be greater than or equal to 1, got '0'" in str(err)
    assert "UNIFI_VERIFY_SSL (environment): must be true or false, got 'maybe'" in str(err)


def test_yaml_wrong_type_names_key_file_and_line(tmp_path):
    """A YAML value of the wrong type names the key, the file and the line."""
    config = _write(tmp_path, "host: ctrl\nsmtp:\n  host: m\n  port: many\n")
    err = _error(config)
    assert f"smtp.port ('{config}', line 4): must be an integer, got 'many'" in str(err)
    assert ("smtp.port", str(config), "must be an integer, got 'many'") in err.problems


def test_yaml_unknown_key_is_an_error(tmp_path):
    """An unknown YAML key is named, with a suggestion when one is close."""
    config = _write(tmp_path, "hots: ctrl\nsmtp:\n  hots: m\n")
    text = str(_error(config))
    assert f"hots ('{config}', line 1): unknown setting; did you mean 'host'?" in text
    assert f"smtp.hots ('{config}', line 3): unknown setting" in text


def test_unknown_section_variable_is_an_error():
    """A misspelt section variable such as UNIFI_SMTP_HOSTNAME is named."""
    err = _error(**SMTP_ENV, UNIFI_SMTP_HOSTNAME="x")
    assert "UNIFI_SMTP_HOSTNAME (environment): unknown setting" in str(err)


def test_malformed_yaml_names_file_and_line(tmp_path):
    """Broken YAML gives a ConfigError with the file and the line, not a YAML traceback."""
    config = _write(tmp_path, "host: ctrl\nsmtp: [unclosed\nport: 1\n")
    err = _error(config)
    assert f"config file '{config}', line 3" in str(err)
    assert "invalid YAML" in str(err)


def test_yaml_that_is_not_a_mapping_is_an_error(tmp_path):
    """A YAML list at the top level is rejected."""
    assert "must be a mapping" in str(_error(_write(tmp_path, "- a\n- b\n")))


def test_unquoted_number_as_secret_hints_at_quoting(tmp_path):
    """password: 1234 in YAML is an error that suggests quoting and does not echo the value."""
    text = str(_error(_write(tmp_path, "password: 98765\n")))
    assert "must be a string (quote the value in YAML)" in text
    assert "98765" not in text


def test_missing_config_file_is_an_error(tmp_path):
    """A named config file that does not exist is reported."""
    missing = tmp_path / "nope.yaml"
    assert f"config file '{missing}': does not exist" in str(_error(missing))


def test_empty_unifi_config_is_an_error():
    """UNIFI_CONFIG= is an error, not 'no file'."""
    assert "UNIFI_CONFIG (environment): must not be empty" in str(_error(UNIFI_CONFIG=""))


def test_missing_secret_file_names_the_variable(tmp_path):
    """A *_FILE variable naming a missing file names the variable."""
    err = _error(UNIFI_PASSWORD_FILE=str(tmp_path / "absent"))
    assert "UNIFI_PASSWORD_FILE: file" in str(err)
    assert "does not exist" in str(err)


def test_secret_file_that_is_a_directory_is_an_error(tmp_path):
    """A *_FILE pointing at a directory cannot be read."""
    assert "UNIFI_API_KEY_FILE: cannot read file" in str(_error(UNIFI_API_KEY_FILE=str(tmp_path)))


def test_empty_secret_file_names_the_file_variable(tmp_path):
    """An empty secret file is an empty value, attributed to the _FILE variable."""
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    assert "UNIFI_PASSWORD_FILE (secret file" in str(_error(UNIFI_PASSWORD_FILE=str(empty)))


def test_missing_required_section_field_says_how_to_set_it():
    """An smtp section without a sender says which variable or key to set."""
    err = _error(UNIFI_SMTP_HOST="m", UNIFI_SMTP_RECIPIENTS="a@example.com")
    assert "smtp.sender: is required; set UNIFI_SMTP_SENDER or `smtp.sender`" in str(err)


def test_bad_secret_value_is_not_echoed():
    """An invalid secret value never appears in the error."""
    text = str(_error(**SMTP_ENV, UNIFI_WEBHOOK_URLS="ftp://token-abcdef"))
    assert "UNIFI_WEBHOOK_URLS (environment): each URL must start with http" in text
    assert "token-abcdef" not in text


def test_section_that_is_not_a_mapping(tmp_path):
    """smtp: 5 in YAML says the section must be a mapping."""
    text = str(_error(_write(tmp_path, "smtp: 5\n")))
    assert "smtp (" in text
    assert "must be a mapping" in text


def test_error_text_fits_on_one_screen():
    """Many problems are cut to a bounded number of lines."""
    env = {f"UNIFI_SMTP_X{i}": "1" for i in range(40)}
    text = str(_error(**SMTP_ENV, **env))
    assert len(text.splitlines()) <= 22
    assert "more" in text.splitlines()[-1]


def test_empty_secret_file_variable_is_an_error():
    """UNIFI_PASSWORD_FILE= is an error, not 'no file'."""
    assert "UNIFI_PASSWORD_FILE: must name a file, but is empty" in str(
        _error(UNIFI_PASSWORD_FILE="")
    )


def test_secret_file_that_is_not_utf8_is_an_error(tmp_path):
    """A binary secret file is reported, not decoded wrongly."""
    binary = tmp_path / "bin"
    binary.write_bytes(b"\xff\xfe\x00")
    assert "is not UTF-8 text" in str(_error(UNIFI_PASSWORD_FILE=str(binary)))


def test_yaml_file_that_is_not_utf8_is_an_error(tmp_path):
    """A config file that is not UTF-8 is a ConfigError naming the file."""
    binary = tmp_path / "c.yaml"
    binary.write_bytes(b"host: \xff\xfe\n")
    assert f"config file '{binary}': cannot be read" in str(_error(binary))


def test_config_path_that_is_a_directory_is_an_error(tmp_path):
    """--config naming a directory is reported."""
    assert f"config file '{tmp_path}': is not a file" in str(_error(tmp_path))


def test_long_bad_values_are_shortened():
    """A very long bad value is cut in the message."""
    text = str(_error(UNIFI_PORT="9" * 30 + "x" * 100))
    assert "…" in text
    assert "x" * 100 not in text


def test_undecodable_complex_value_names_the_variable():
    """A JSON-only field with malformed JSON names its variable."""
    from pydantic import Field

    from unifi_scanner.config import Settings

    class _WithLabels(Settings):
        labels: dict[str, str] = Field(default_factory=dict)

    with pytest.raises(ConfigError, match=r"UNIFI_LABELS \(environment\): invalid"):
        load_settings(environ={"UNIFI_LABELS": "{broken"}, settings_cls=_WithLabels)


@pytest.mark.parametrize(
    ("env", "secret", "shown"),
    [
        pytest.param(
            {"UNIFI_PASSWORD": "pw-secret-1", "UNIFI_PORT": "pw-secret-1"},
            "pw-secret-1",
            "UNIFI_PORT (environment): must be an integer\n",
            id="equal",
        ),
        pytest.param(
            {"UNIFI_PASSWORD": "pw-secret-1", "UNIFI_PORT": " pw-secret-1 "},
            "pw-secret-1",
            "UNIFI_PORT (environment): must be an integer\n",
            id="equal-but-for-spaces",
        ),
        pytest.param(
            {"UNIFI_PASSWORD": "pw-secret-1", "UNIFI_HOST": "https://x/pw-secret-1/y"},
            "pw-secret-1",
            "not a URL, got '**********'",
            id="contained-in-a-validator-message",
        ),
        pytest.param(
            {"UNIFI_PASSWORD": "a1", "UNIFI_PORT": "a1"},
            "got 'a1'",
            "UNIFI_PORT (environment): must be an integer\n",
            id="short-secret-equal",
        ),
        pytest.param(
            {
                "UNIFI_SMTP": '{"host": "m", "password": "smtp-secret-2"}',
                "UNIFI_PORT": "smtp-secret-2",
            },
            "smtp-secret-2",
            "UNIFI_PORT (environment): must be an integer",
            id="secret-inside-a-json-section",
        ),
        pytest.param(
            {
                **SMTP_ENV,
                "UNIFI_SMTP_PASSWORD": "smtp-secret-2",
                "UNIFI_SMTP_RECIPIENTS": "a@example.com,smtp-secret-2",
            },
            "smtp-secret-2",
            "must be an e-mail address, got '**********'",
            id="secret-among-list-items",
        ),
        pytest.param(
            {
                "UNIFI_WEBHOOK_URLS": "https://h/a,https://h/tok-42xyz",
                "UNIFI_SITE": "https://h/tok-42xyz",
            },
            "tok-42xyz",
            "got '**********'",
            id="one-of-the-webhook-urls",
        ),
    ],
)
def test_a_value_equal_to_or_holding_a_secret_is_never_echoed(env, secret, shown):
    """Any setting's value that is, or holds, a configured secret is masked in the error (#11)."""
    text = str(_error(**env)) + "\n"
    assert secret not in text
    assert shown in text


def test_a_short_secret_inside_a_longer_value_does_not_mask_it():
    """Secrets under 4 characters are matched whole only, as in the logs."""
    text = str(_error(UNIFI_PASSWORD="ab", UNIFI_PORT="abc"))
    assert "must be an integer, got 'abc'" in text
