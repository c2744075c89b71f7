"""Loading :class:`Settings`, turning every problem into one short :class:`ConfigError`."""

from __future__ import annotations

import difflib
import os
import re
from typing import TYPE_CHECKING, Any, TypeVar, overload

from pydantic import BaseModel, ValidationError
from pydantic_settings import SettingsError

from unifi_scanner.config._fields import env_name, is_secret_field, secret_paths, section_model
from unifi_scanner.config._problems import Problem, config_error
from unifi_scanner.config._sources import LoadRequest, Origin, active_request
from unifi_scanner.config.redact import MASK, plain_strings, secret_pattern
from unifi_scanner.config.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from pydantic_core import ErrorDetails

    from unifi_scanner.config._sources import OriginSource
    from unifi_scanner.errors import ConfigError

__all__ = ["load_settings"]

SettingsT = TypeVar("SettingsT", bound=Settings)

_MAX_SHOWN = 60
_LIST_SEPARATOR = re.compile(r"[,\n]")

# pydantic error type → our wording; the input value is appended unless the field is secret.
_MESSAGES = {
    "int_parsing": "must be an integer",
    "int_type": "must be an integer",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "dict_type": "must be a mapping (a section of settings)",
    "model_type": "must be a mapping (a section of settings)",
    "model_attributes_type": "must be a mapping (a section of settings)",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "path_type": "must be a file path",
}


@overload
def load_settings(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings: ...


@overload
def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    settings_cls: type[SettingsT],
) -> SettingsT: ...


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    settings_cls: type[Settings] = Settings,
) -> Settings:
    """Load the settings from the environment, ``*_FILE`` secrets, a YAML file and defaults.

    Args:
        config_file: the YAML file (``--config PATH``); None: ``UNIFI_CONFIG`` if set, else none.
            A file that is named but missing is an error.
        environ: the environment to read; None: ``os.environ``.
        settings_cls: a subclass of ``Settings`` with more sections (tests, plug-ins).

    Returns:
        The validated, frozen settings.

    Raises:
        ConfigError: anything is wrong. ``str(err)`` lists every problem on its own line, naming
            the setting's source (``UNIFI_PORT (environment)``, the ``*_FILE`` variable, or the YAML
            file, key and line) and what is wrong; secret values are never shown, not even
            given to another setting (a value equal to, or containing, a configured secret).
    """
    request = LoadRequest(
        config_file=config_file, environ=dict(os.environ if environ is None else environ)
    )
    with active_request(request):
        try:
            return settings_cls()
        except ValidationError as err:
            raise _translate(err, request.sources, settings_cls) from err
        except SettingsError as err:  # pragma: no cover (our env source reports its own errors)
            cause = err.__cause__ or err
            raise config_error([Problem("environment", "", "environment", str(cause))]) from err


def _translate(
    err: ValidationError, sources: Sequence[OriginSource], settings_cls: type[BaseModel]
) -> ConfigError:
    """One ``ConfigError`` naming, for each validation error, the field, its source and the fix."""
    secrets = _Secrets(_given_secrets(sources, settings_cls))
    problems = [
        _problem(error, sources, settings_cls, secrets) for error in err.errors(include_url=False)
    ]
    return config_error(problems)


def _given_secrets(sources: Sequence[OriginSource], settings_cls: type[BaseModel]) -> set[str]:
    """Every value given to a secret setting by any source, list items one by one."""
    found: set[str] = set()
    for path in secret_paths(settings_cls):
        for source in sources:
            for text in plain_strings(source.given(path)):
                found |= {text, text.strip(), *(p.strip() for p in _LIST_SEPARATOR.split(text))}
    return {text for text in found if text}


class _Secrets:
    """Finds configured secret values in the inputs and messages of validation errors."""

    def __init__(self, values: set[str]) -> None:
        self._values = frozenset(values)
        self._pattern = secret_pattern(values)

    def _leaks(self, text: str) -> bool:
        """Whether ``text`` is a secret, or holds one long enough to look for."""
        return text.strip() in self._values or bool(self._pattern and self._pattern.search(text))

    def leaking(self, value: object) -> list[str]:
        """The strings inside an input that are or hold a secret, longest first."""
        return sorted((t for t in plain_strings(value) if self._leaks(t)), key=len, reverse=True)

    def mask(self, message: str, leaking: list[str]) -> str:
        """``message`` with the leaking inputs, and any secret left in it, replaced by the mask."""
        for text in leaking:
            for form in (text, text.strip()):
                if form:
                    message = message.replace(repr(form), repr(MASK)).replace(form, MASK)
        return self._pattern.sub(MASK, message) if self._pattern else message


def _field_path(loc: tuple[int | str, ...]) -> tuple[str, ...]:
    """The setting names of an error location, without list indexes."""
    path: list[str] = []
    for part in loc:
        if not isinstance(part, str):
            break
        path.append(part)
    return tuple(path)


def _origin(path: tuple[str, ...], sources: Sequence[OriginSource]) -> Origin | None:
    """The highest-priority source that set ``path`` (or, failing that, a section containing it)."""
    for length in range(len(path), 0, -1):
        for source in sources:
            origin = source.origin(path[:length])
            if origin is not None:
                return origin
    return None


def _is_secret(path: tuple[str, ...], settings_cls: type[BaseModel]) -> bool:
    """Whether the value at ``path`` must not be echoed in an error."""
    model: type[BaseModel] | None = settings_cls
    for depth, name in enumerate(path):
        if model is None or name not in model.model_fields:
            return False
        field = model.model_fields[name]
        if is_secret_field(field):
            return True
        if depth < len(path) - 1:
            model = section_model(field)
    return False


def _known_names(path: tuple[str, ...], settings_cls: type[BaseModel]) -> list[str]:
    """The setting names allowed next to the last element of ``path``."""
    model: type[BaseModel] | None = settings_cls
    for name in path[:-1]:
        if model is None or name not in model.model_fields:
            return []
        model = section_model(model.model_fields[name])
    return list(model.model_fields) if model is not None else []


def _problem(
    error: ErrorDetails,
    sources: Sequence[OriginSource],
    settings_cls: type[BaseModel],
    secrets: _Secrets,
) -> Problem:
    """Our one-line account of one pydantic error."""
    path = _field_path(error["loc"])
    dotted = ".".join(path) or "settings"
    kind = error["type"]
    if kind == "missing":
        hint = f"set {env_name(path)} or `{dotted}` in the config file"
        return Problem(dotted, dotted, "default", f"is required; {hint}")
    origin = _origin(path, sources)
    label, source = (origin.label, origin.source) if origin else (f"{dotted} (default)", "default")
    if kind == "extra_forbidden":
        message = "unknown setting"
        close = difflib.get_close_matches(path[-1], _known_names(path, settings_cls), n=1)
        if close:
            message += f"; did you mean '{close[0]}'?"
        return Problem(label, dotted, source, message)
    leaking = secrets.leaking(error.get("input"))
    message = _describe(error, secret=bool(leaking) or _is_secret(path, settings_cls))
    if leaking:
        message = secrets.mask(message, leaking)
    if kind == "string_type" and source.endswith((".yaml", ".yml")):
        message += " (quote the value in YAML)"
    return Problem(label, dotted, source, message)


def _describe(error: ErrorDetails, *, secret: bool) -> str:
    """What is wrong, in our words, with the offending value unless it is secret."""
    kind = error["type"]
    if kind in {"value_error", "assertion_error"}:
        return error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "literal_error":
        message = f"must be one of {error.get('ctx', {}).get('expected', '')}"
    else:
        default = error["msg"].replace("Input should be", "must be")
        message = _MESSAGES.get(kind, default[:1].lower() + default[1:])
    shown = _shown(error.get("input"))
    if secret or shown is None:
        return message
    return f"{message}, got {shown}"


def _shown(value: Any) -> str | None:  # noqa: ANN401 (any input pydantic saw)
    """A short repr of a scalar input, or None for anything else."""
    if not isinstance(value, (str, int, float)):
        return None
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 4] + "…'"
