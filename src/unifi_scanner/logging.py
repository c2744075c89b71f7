"""Logging: structlog on top of the standard library, with secrets redacted everywhere.

Call :func:`configure_logging` once at start-up (the CLI does); every module then logs through
``structlog.get_logger(__name__)``. Library loggers (httpx, uvicorn, …) go through the same
handler, so their records are rendered and redacted the same way. :func:`reset_logging` undoes it
(tests call it in an autouse fixture).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TextIO

import structlog

from unifi_scanner.config.redact import MASK, secret_pattern
from unifi_scanner.errors import ConfigError

if TYPE_CHECKING:
    from structlog.typing import EventDict, Processor, WrappedLogger

__all__ = ["MASK", "SecretRedactor", "configure_logging", "reset_logging"]


_SECRET_KEY = re.compile(
    r"pass(word|wd)?|secret|token|api[_-]?key|authorization|cookie|credential|private[_-]?key",
    re.IGNORECASE,
)

# Session material that is not configured (so not in `secrets`) but must never reach a log:
# cookies and tokens the controller hands out, in header dumps of httpx/httpcore/websockets.
_SESSION_MATERIAL = re.compile(
    r"(?P<name>\b(?:TOKEN|unifises|csrf_token|UBIC_2FA)=|"
    r"\b(?:X-CSRF-Token|X-Updated-CSRF-Token|X-API-KEY|Authorization|Cookie|Set-Cookie)"
    r"(?:['\"]?\s*[:,]\s*(?:(?-i:b)['\"]|['\"])?|\s+))"
    r"(?P<value>(?:Bearer\s+|Basic\s+)?[^\s;,'\"]+)",
    re.IGNORECASE,
)

_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING}
_LEVELS |= {"ERROR": logging.ERROR, "CRITICAL": logging.CRITICAL}

# Chatty libraries that log every request at INFO; quiet unless we are debugging.
_QUIET_LIBRARIES = ("httpx", "httpcore", "websockets", "aiosmtplib")

_state: dict[str, Any] = {}


class SecretRedactor:
    """A structlog processor that removes secrets from an event dict.

    It replaces (a) the value of every key that looks secret (``password``, ``token``,
    ``api_key``, ``secret``, ``authorization``, ``cookie``…) and (b) every occurrence of a
    configured secret value inside any string, at any depth (dicts, lists, exception text), with
    ``**********``; session cookies and tokens the controller hands out (``TOKEN=``,
    ``unifises=``, ``X-CSRF-Token``, ``X-API-KEY``, ``Authorization``) are masked too.

    Args:
        secrets: the secret values to look for, e.g. ``config.secret_values(settings)``.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        """Compile one pattern for all secrets, longest first."""
        self._pattern = secret_pattern(secrets)

    def __call__(self, logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        """Return ``event_dict`` with secrets masked."""
        del logger, method_name
        return {key: self._value(key, value) for key, value in event_dict.items()}

    def _value(self, key: object, value: object) -> Any:  # noqa: ANN401 (log values are anything)
        if (
            isinstance(key, str)
            and _SECRET_KEY.search(key)
            and value is not None
            and value != ""
            and not isinstance(value, bool)
        ):
            return MASK
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, Mapping):
            return {k: self._value(k, v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return type(value)(self._value(None, item) for item in value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        text = str(value)
        redacted = self._text(text)
        return value if redacted == text else redacted

    def _text(self, text: str) -> str:
        text = _SESSION_MATERIAL.sub(lambda m: m.group("name") + MASK, text)
        if self._pattern is None:
            return text
        return self._pattern.sub(MASK, text)


def configure_logging(
    *,
    level: str,
    fmt: Literal["console", "json"],
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Send structlog and standard-library logs through one redacting handler.

    Args:
        level: ``DEBUG``, ``INFO``, ``WARNING`` or ``ERROR`` (any case).
        fmt: ``console`` (key=value lines, coloured on a terminal) or ``json`` (an object a line).
        secrets: secret values to mask wherever they appear (``config.secret_values(settings)``).
        stream: where to write; default ``sys.stderr``.

    Raises:
        ConfigError: the level or format is unknown.
    """
    numeric = _LEVELS.get(level.upper())
    if numeric is None:
        msg = f"log level must be one of {', '.join(_LEVELS)}, got {level!r}"
        raise ConfigError(msg, (("log_level", "argument", msg),))
    out = stream if stream is not None else sys.stderr
    renderer: Processor
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer()
    elif fmt == "console":
        renderer = structlog.dev.ConsoleRenderer(colors=_is_tty(out))
    else:
        msg = f"log format must be 'console' or 'json', got {fmt!r}"
        raise ConfigError(msg, (("log_format", "argument", msg),))

    reset_logging()
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                # Exceptions become text first, so the redactor sees tracebacks too.
                structlog.processors.format_exc_info,
                SecretRedactor(secrets),
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    _state.update(handler=handler, root_level=root.level, quiet={})
    root.addHandler(handler)
    root.setLevel(numeric)
    if numeric > logging.DEBUG:
        for name in _QUIET_LIBRARIES:
            library = logging.getLogger(name)
            _state["quiet"][name] = library.level
            library.setLevel(max(numeric, logging.WARNING))


def reset_logging() -> None:
    """Undo :func:`configure_logging`: structlog defaults, the root logger as it was."""
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    handler = _state.pop("handler", None)
    root = logging.getLogger()
    if handler is not None:
        root.removeHandler(handler)
        root.setLevel(_state.pop("root_level"))
    for name, level in _state.pop("quiet", {}).items():
        logging.getLogger(name).setLevel(level)


def _is_tty(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (colours only then)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
