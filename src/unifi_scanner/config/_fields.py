"""Walking settings models: sections, secret fields and their environment variable names."""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pydantic.fields import FieldInfo

ENV_PREFIX = "UNIFI_"
"""Prefix of every environment variable the scanner reads."""

FILE_SUFFIX = "_FILE"
"""Suffix of the variables naming a file that holds a secret (Docker secrets)."""


@dataclass(frozen=True, slots=True)
class Sensitive:
    """Marks a non-``SecretStr`` field whose value must never be shown or logged.

    Use it as ``Annotated[tuple[str, ...], Sensitive()]`` (for example webhook URLs, whose path is a
    token). Such fields are masked by ``redacted()``, listed by ``secret_values()`` and may be read
    from a ``UNIFI_<FIELD>_FILE`` file like secrets.
    """


def _unwrap(annotation: Any) -> Any:  # noqa: ANN401 (any type annotation)
    """The annotation without ``| None`` (pydantic has already removed ``Annotated``)."""
    if get_origin(annotation) in {Union, types.UnionType}:
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


def section_model(field: FieldInfo) -> type[BaseModel] | None:
    """The model class of a section field (``smtp: SmtpSettings | None``), else None."""
    inner = _unwrap(field.annotation)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return inner
    return None


def is_secret_field(field: FieldInfo) -> bool:
    """Whether the field holds a secret: ``SecretStr`` (alone or in a tuple) or ``Sensitive``."""
    if any(isinstance(item, Sensitive) for item in field.metadata):
        return True
    inner = _unwrap(field.annotation)
    if get_origin(inner) is tuple:
        inner = _unwrap(get_args(inner)[0])
    return inner is SecretStr


def secret_paths(model: type[BaseModel]) -> Iterator[tuple[str, ...]]:
    """Yield the path of every secret field, top level and one section deep."""
    for name, field in model.model_fields.items():
        section = section_model(field)
        if section is not None:
            for sub_name, sub_field in section.model_fields.items():
                if is_secret_field(sub_field):
                    yield (name, sub_name)
        elif is_secret_field(field):
            yield (name,)


def env_name(path: tuple[str, ...]) -> str:
    """The flat environment variable of a field path: ``("smtp", "host")`` → ``UNIFI_SMTP_HOST``."""
    return ENV_PREFIX + "_".join(path).upper()
