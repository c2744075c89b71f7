"""docs/configuration.md lists every setting, and section names cannot clash with settings."""

from __future__ import annotations

from pathlib import Path

from unifi_scanner.config import IntegrationSettings, Settings
from unifi_scanner.config._fields import env_name, section_model

DOC = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def _env_names() -> list[str]:
    names = []
    for name, field in Settings.model_fields.items():
        section = section_model(field)
        if section is None:
            names.append(env_name((name,)))
        else:
            names.extend(env_name((name, sub)) for sub in section.model_fields)
    return names


def test_every_setting_is_documented():
    """Every environment variable name appears in the configuration docs."""
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in _env_names() if f"`{name}`" not in text]
    assert missing == []


def test_integration_defaults_are_documented():
    """The settings every integration section shares are documented once."""
    text = DOC.read_text(encoding="utf-8")
    for name in IntegrationSettings.model_fields:
        assert f"`UNIFI_<NAME>_{name.upper()}`" in text


def test_no_section_name_prefixes_a_top_level_setting():
    """A section `s` and a setting `s_x` would share environment names; none do."""
    sections = {n for n, f in Settings.model_fields.items() if section_model(f) is not None}
    clashes = [
        (section, name)
        for section in sections
        for name in Settings.model_fields
        if name.startswith(f"{section}_")
    ]
    assert clashes == []
