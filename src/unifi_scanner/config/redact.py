"""Showing the effective configuration without its secrets, and listing the secrets for logs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from unifi_scanner.config._fields import is_secret_field, section_model

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["MASK", "redacted", "secret_values"]

MASK = "**********"
"""What a secret is shown as."""


def redacted(settings: BaseModel) -> dict[str, Any]:
    """The effective configuration as JSON-compatible data, secrets masked.

    Args:
        settings: the loaded ``Settings`` (or one section of it).

    Returns:
        Every setting by name, sections as nested dicts. A set secret is ``"**********"``, an unset
        one ``None``; a secret URL keeps its scheme and host (``https://hooks.example/**********``).
    """
    data = settings.model_dump(mode="json")
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        if value is None:
            continue
        section = section_model(field)
        if section is not None and isinstance(value, section):
            data[name] = redacted(value)
        elif is_secret_field(field):
            data[name] = _mask(value)
    return data


def _mask(value: Any) -> Any:  # noqa: ANN401 (a secret of any shape)
    """A secret value masked, keeping its shape (lists stay lists)."""
    if isinstance(value, (tuple, list)):
        return [_mask(item) for item in value]
    if isinstance(value, str):
        parts = urlsplit(value)
        if parts.scheme in {"http", "https"} and parts.hostname:
            return f"{parts.scheme}://{parts.hostname}/{MASK}"
    return MASK


def secret_values(settings: BaseModel) -> frozenset[str]:
    """Every secret value currently configured, for the log redactor.

    Args:
        settings: the loaded ``Settings``.

    Returns:
        The plain values of every set ``SecretStr`` and ``Sensitive`` field, sections included.
    """
    found: set[str] = set()
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        if value is None:
            continue
        section = section_model(field)
        if section is not None and isinstance(value, section):
            found |= secret_values(value)
        elif is_secret_field(field):
            found |= _plain(value)
    return frozenset(item for item in found if item)


def _plain(value: Any) -> set[str]:  # noqa: ANN401 (a secret of any shape)
    """The plain strings inside a secret value."""
    if isinstance(value, SecretStr):
        return {value.get_secret_value()}
    if isinstance(value, str):
        return {value}
    if isinstance(value, (tuple, list)):
        return set().union(*(_plain(item) for item in value))
    return set()
