"""Showing the effective configuration without its secrets, and finding secrets in text.

Logs (:class:`unifi_scanner.logging.SecretRedactor`) and configuration errors both find secrets
through :func:`secret_pattern`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from unifi_scanner.config._fields import is_secret_field, section_model

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pydantic import BaseModel

__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "plain_strings",
    "redacted",
    "secret_pattern",
    "secret_values",
]

MASK = "**********"
"""What a secret is shown as."""

MIN_SECRET_LENGTH = 4
"""Shorter configured secrets are not searched for inside strings (too many false hits)."""


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
            found |= plain_strings(value)
    return frozenset(item for item in found if item)


def secret_pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern that finds any of ``secrets`` inside a text, longest first.

    Args:
        secrets: secret values; those shorter than :data:`MIN_SECRET_LENGTH` are left out.

    Returns:
        The pattern, or None when no secret is long enough.
    """
    usable = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, usable))) if usable else None


def plain_strings(value: Any) -> set[str]:  # noqa: ANN401 (a value of any shape)
    """The plain strings inside a value, at any depth (numbers as text, secrets revealed).

    Args:
        value: a string, number, ``SecretStr``, or a list, tuple or mapping of them.

    Returns:
        The strings; empty for None, booleans and other types.
    """
    if isinstance(value, SecretStr):
        return {value.get_secret_value()}
    if isinstance(value, str):
        return {value}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {str(value)}
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return set().union(*(plain_strings(item) for item in value))
    return set()
