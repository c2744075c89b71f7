"""The settings sources: flat environment, ``*_FILE`` secrets and the YAML file.

Each source can also say where a value came from (:meth:`origin`), so that a validation error
names the environment variable, the secret file variable or the YAML file, key and line.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml
from pydantic_settings import EnvSettingsSource, PydanticBaseSettingsSource
from pydantic_settings import YamlConfigSettingsSource as _YamlSource

from unifi_scanner.config._fields import FILE_SUFFIX, env_name, secret_paths
from unifi_scanner.config._problems import Problem, config_error

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from importlib.resources.abc import Traversable

    from pydantic.fields import FieldInfo
    from pydantic_settings import BaseSettings

    from unifi_scanner.errors import ConfigError

CONFIG_VARIABLE = "UNIFI_CONFIG"
"""The environment variable naming the YAML file when ``--config`` is not given."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where one value came from.

    Attributes:
        label: how an error line about it starts, e.g. ``UNIFI_PORT (environment)``.
        source: the source for ``ConfigError.problems``: ``environment``, the file variable, or the
            YAML file's path.
    """

    label: str
    source: str


class OriginSource(Protocol):
    """A source that can say which of its values a field path came from, and what it was."""

    def origin(self, path: tuple[str, ...]) -> Origin | None:
        """Where the value at ``path`` came from, or None when this source does not set it."""

    def given(self, path: tuple[str, ...]) -> object:
        """The value this source holds at ``path``, as given (before validation), or None."""


@dataclass(slots=True)
class LoadRequest:
    """What :func:`load_settings` asks of the sources, and the sources it got back."""

    config_file: Path | None
    environ: Mapping[str, str]
    sources: list[OriginSource] = field(default_factory=list)


_REQUEST: ContextVar[LoadRequest | None] = ContextVar("unifi_scanner_config_request", default=None)


def _lookup(environ: Mapping[str, str], name: str) -> str | None:
    """A variable's value, matching its name case-insensitively like the env source does."""
    if name in environ:
        return environ[name]
    lowered = name.lower()
    return next((value for key, value in environ.items() if key.lower() == lowered), None)


_ABSENT = object()


def _find(data: object, path: tuple[str, ...]) -> Any:  # noqa: ANN401 (any YAML or JSON value)
    """The value of ``data`` at ``path`` (keys matched case-insensitively), else ``_ABSENT``."""
    current: Any = data
    for key in path:
        if not isinstance(current, dict):
            return _ABSENT
        match = next((k for k in current if isinstance(k, str) and k.lower() == key.lower()), None)
        if match is None:
            return _ABSENT
        current = current[match]
    return current


def _dig(data: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    """Whether ``data`` has a value at ``path`` (keys matched case-insensitively)."""
    return _find(data, path) is not _ABSENT


class FlatEnvSource(EnvSettingsSource):
    """``UNIFI_*`` variables from a given mapping; sections are flat (``UNIFI_SMTP_HOST``)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        """Read ``environ`` (not ``os.environ``), leaving ``*_FILE`` variables to their source."""
        self._environ = environ
        self._file_vars = {
            (env_name(path) + FILE_SUFFIX).lower() for path in secret_paths(settings_cls)
        }
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {
            key.lower(): value
            for key, value in self._environ.items()
            if key.lower() not in self._file_vars
        }

    def prepare_field_value(
        self,
        field_name: str,
        field: FieldInfo,
        value: Any,  # noqa: ANN401 (whatever the variable held)
        value_is_complex: bool,  # noqa: FBT001 (pydantic-settings' signature)
    ) -> Any:  # noqa: ANN401 (pydantic-settings' signature)
        """Decode like pydantic-settings; a value it cannot decode names its variable."""
        try:
            return super().prepare_field_value(field_name, field, value, value_is_complex)
        except ValueError as err:
            name = env_name((field_name,))
            problem = Problem(f"{name} (environment)", field_name, "environment", f"invalid: {err}")
            raise config_error([problem]) from err

    def origin(self, path: tuple[str, ...]) -> Origin | None:
        """The variable that set ``path``, the most specific one first."""
        for length in range(len(path), 0, -1):
            name = env_name(path[:length])
            if name.lower() in self.env_vars:
                return Origin(f"{name} (environment)", "environment")
        return None

    def given(self, path: tuple[str, ...]) -> object:
        """The variable's text at ``path``, or the part of a section's JSON (``UNIFI_SMTP``)."""
        for length in range(len(path), 0, -1):
            value = self.env_vars.get(env_name(path[:length]).lower())
            if value is None:
                continue
            if length == len(path):
                return value
            try:
                found = _find(json.loads(value), path[length:])
            except ValueError:
                return None
            return None if found is _ABSENT else found
        return None


class SecretFileSource(PydanticBaseSettingsSource):
    """``UNIFI_<FIELD>_FILE`` variables naming files that hold secrets (Docker secrets).

    One trailing newline is stripped. A missing or unreadable file is a ``ConfigError``.
    """

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        """Find every secret field's ``_FILE`` variable in ``environ``."""
        super().__init__(settings_cls)
        self._environ = environ
        self._origins: dict[tuple[str, ...], Origin] = {}
        self._values: dict[tuple[str, ...], str] = {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: ``__call__`` reads every secret path at once."""
        raise NotImplementedError

    def __call__(self) -> dict[str, Any]:
        """Read every configured secret file; report all unreadable files together."""
        data: dict[str, Any] = {}
        problems: list[Problem] = []
        for path in secret_paths(self.settings_cls):
            variable = env_name(path) + FILE_SUFFIX
            file_name = _lookup(self._environ, variable)
            if file_name is None:
                continue
            try:
                text = _read_secret(file_name)
            except ValueError as err:
                problems.append(Problem(variable, ".".join(path), variable, str(err)))
                continue
            target = data
            for key in path[:-1]:
                target = target.setdefault(key, {})
            target[path[-1]] = self._values[path] = text
            self._origins[path] = Origin(f"{variable} (secret file '{file_name}')", variable)
        if problems:
            raise config_error(problems)
        return data

    def origin(self, path: tuple[str, ...]) -> Origin | None:
        """The ``_FILE`` variable that set ``path``."""
        return self._origins.get(path)

    def given(self, path: tuple[str, ...]) -> object:
        """The secret file's text for ``path``."""
        return self._values.get(path)


def _read_secret(file_name: str) -> str:
    """A secret file's text without one trailing newline."""
    if not file_name.strip():
        raise ValueError("must name a file, but is empty")
    try:
        # Bytes, not text mode: a secret's own "\r" must survive newline translation.
        text = Path(file_name).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ValueError(f"file '{file_name}' does not exist") from None
    except UnicodeDecodeError:
        raise ValueError(f"file '{file_name}' is not UTF-8 text") from None
    except OSError as err:
        raise ValueError(f"cannot read file '{file_name}': {err.strerror}") from None
    if text.endswith("\r\n"):
        return text[:-2]
    return text.removesuffix("\n")


class YamlFileSource(_YamlSource):
    """The YAML configuration file, with errors that name the file and line."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        """Read ``path``; it must exist (an explicit ``--config`` or ``UNIFI_CONFIG``)."""
        self.path = path
        self._lines: dict[tuple[str, ...], int] = {}
        if not path.is_file():
            what = "is not a file" if path.exists() else "does not exist"
            raise config_error([Problem(f"config file '{path}'", "config", str(path), what)])
        super().__init__(settings_cls, yaml_file=path)

    def _read_file(self, file_path: Path | Traversable) -> dict[str, Any]:
        try:
            text = file_path.read_text(encoding="utf-8")
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark
            where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise self._error(f"invalid YAML: {err.problem}", where) from err
        except (yaml.YAMLError, OSError, UnicodeDecodeError) as err:
            raise self._error(f"cannot be read: {err}") from err
        if data is None:
            return {}
        if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
            raise self._error("must be a mapping of setting names")
        self._lines = _key_lines(node)
        return data

    def _error(self, message: str, where: str = "") -> ConfigError:
        """A ``ConfigError`` about the file as a whole."""
        label = f"config file '{self.path}'{where}"
        return config_error([Problem(label, "config", str(self.path), message)])

    def origin(self, path: tuple[str, ...]) -> Origin | None:
        """The file, key and line that set ``path``."""
        if not _dig(self.yaml_data, path):
            return None
        key = ".".join(path)
        line = self._lines.get(tuple(part.lower() for part in path))
        where = f"'{self.path}', line {line}" if line else f"'{self.path}'"
        return Origin(f"{key} ({where})", str(self.path))

    def given(self, path: tuple[str, ...]) -> object:
        """The YAML value at ``path``."""
        found = _find(self.yaml_data, path)
        return None if found is _ABSENT else found


def _key_lines(node: yaml.Node | None, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """The 1-based line of every mapping key, by lower-cased key path."""
    lines: dict[tuple[str, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                path = (*prefix, str(key_node.value).lower())
                lines[path] = key_node.start_mark.line + 1
                lines.update(_key_lines(value_node, path))
    return lines


def build_sources(settings_cls: type[BaseSettings]) -> tuple[PydanticBaseSettingsSource, ...]:
    """Environment, ``*_FILE`` secrets and YAML, for the current :func:`load_settings` call.

    Outside ``load_settings`` (``Settings()`` directly) they read ``os.environ``.
    """
    request = _REQUEST.get()
    environ: Mapping[str, str] = request.environ if request is not None else os.environ
    env = FlatEnvSource(settings_cls, environ)
    files = SecretFileSource(settings_cls, environ)
    sources: list[Any] = [env, files]
    config_file = request.config_file if request is not None else None
    if config_file is None:
        named = _lookup(environ, CONFIG_VARIABLE)
        if named is not None and not named.strip():
            label = f"{CONFIG_VARIABLE} (environment)"
            raise config_error([Problem(label, "config", "environment", "must not be empty")])
        config_file = Path(named) if named is not None else None
    if config_file is not None:
        sources.append(YamlFileSource(settings_cls, config_file.expanduser()))
    if request is not None:
        request.sources = list(sources)
    return tuple(sources)


@contextmanager
def active_request(request: LoadRequest) -> Iterator[LoadRequest]:
    """Make ``request`` the one the sources built inside this block use."""
    token = _REQUEST.set(request)
    try:
        yield request
    finally:
        _REQUEST.reset(token)
