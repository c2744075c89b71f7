"""configure_logging(): structlog + stdlib through one handler, secrets redacted in both formats."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog

from unifi_scanner.errors import ConfigError
from unifi_scanner.logging import SecretRedactor, configure_logging, reset_logging

SECRET = "hunter2-very-secret"


@pytest.fixture(autouse=True)
def _reset_logging():
    """Every test starts and ends with default logging."""
    reset_logging()
    yield
    reset_logging()


@pytest.fixture(name="stream")
def stream_fixture() -> io.StringIO:
    return io.StringIO()


def _json_lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_secret_inside_message_is_redacted(stream, fmt):
    """A configured secret inside the message is replaced in both formats."""
    configure_logging(level="INFO", fmt=fmt, secrets=[SECRET], stream=stream)
    structlog.get_logger("unifi_scanner.test").info(f"login as admin with {SECRET} failed")
    output = stream.getvalue()
    assert SECRET not in output
    assert "login as admin with ********** failed" in output


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_secret_looking_keys_are_redacted(stream, fmt):
    """Values under password/token/authorization/cookie keys are masked, even nested."""
    configure_logging(level="INFO", fmt=fmt, stream=stream)
    structlog.get_logger("t").info(
        "request",
        password="p1-value",
        api_key="k1-value",
        headers={"Authorization": "Bearer t1-value", "Cookie": "unifises=c1-value"},
        site="default",
    )
    output = stream.getvalue()
    for value in ("p1-value", "k1-value", "t1-value", "c1-value"):
        assert value not in output
    assert "default" in output


def test_json_lines_have_level_logger_and_timestamp(stream):
    """JSON output is one object per line with event, level, logger and timestamp."""
    configure_logging(level="INFO", fmt="json", stream=stream)
    structlog.get_logger("unifi_scanner.collect").info("polled", events=3)
    (line,) = _json_lines(stream)
    assert line["event"] == "polled"
    assert line["events"] == 3
    assert line["level"] == "info"
    assert line["logger"] == "unifi_scanner.collect"
    assert str(line["timestamp"]).endswith("Z")


def test_library_logs_go_through_the_redactor(stream):
    """A standard-library logger's record is rendered and redacted too."""
    configure_logging(level="INFO", fmt="json", secrets=[SECRET], stream=stream)
    logging.getLogger("somelib").warning("connecting with %s", SECRET)
    (line,) = _json_lines(stream)
    assert line["event"] == "connecting with **********"
    assert line["logger"] == "somelib"


def _fail_with_secret() -> None:
    raise RuntimeError(f"bad credentials {SECRET}")


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_secret_in_exception_text_is_redacted(stream, fmt):
    """A secret inside a logged exception's traceback is masked."""
    configure_logging(level="INFO", fmt=fmt, secrets=[SECRET], stream=stream)
    try:
        _fail_with_secret()
    except RuntimeError:
        structlog.get_logger("t").exception("login failed")
    output = stream.getvalue()
    assert "RuntimeError" in output
    assert SECRET not in output


def test_level_filters(stream):
    """Below the configured level nothing is written."""
    configure_logging(level="warning", fmt="json", stream=stream)
    structlog.get_logger("t").info("quiet")
    logging.getLogger("lib").info("quiet too")
    structlog.get_logger("t").warning("loud")
    assert [line["event"] for line in _json_lines(stream)] == ["loud"]


def test_chatty_libraries_are_quiet_at_info(stream):
    """Request logs of httpx are hidden at INFO and restored by reset_logging()."""
    before = logging.getLogger("httpx").level
    configure_logging(level="INFO", fmt="json", stream=stream)
    logging.getLogger("httpx").info("HTTP Request: GET https://ctrl/api")
    assert stream.getvalue() == ""
    reset_logging()
    assert logging.getLogger("httpx").level == before


def test_reconfiguring_replaces_the_handler(stream):
    """Configuring twice writes each record once, to the new stream."""
    configure_logging(level="INFO", fmt="json", stream=io.StringIO())
    configure_logging(level="INFO", fmt="json", stream=stream)
    structlog.get_logger("t").info("once")
    assert len(_json_lines(stream)) == 1


def test_reset_restores_root_logger(stream):
    """reset_logging() removes our handler and restores the root level."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging(level="DEBUG", fmt="console", stream=stream)
    reset_logging()
    assert root.handlers == handlers
    assert root.level == level


def test_unknown_level_is_a_config_error():
    """An unknown level is a ConfigError naming the allowed ones."""
    with pytest.raises(ConfigError, match="log level must be one of"):
        configure_logging(level="LOUD", fmt="json")


def test_unknown_format_is_a_config_error():
    """An unknown format is a ConfigError."""
    with pytest.raises(ConfigError, match="log format"):
        configure_logging(level="INFO", fmt="xml")  # type: ignore[arg-type]


def test_redactor_masks_inside_containers_and_objects():
    """Secrets inside lists, tuples and arbitrary objects' text are masked; others untouched."""

    class Url:
        def __str__(self) -> str:
            return f"https://x/?token={SECRET}"

    redactor = SecretRedactor([SECRET, "abc"])
    event = redactor(
        None,
        "info",
        {"event": "e", "items": [f"a {SECRET}", 1], "pair": ("x", SECRET), "url": Url(), "n": 5},
    )
    assert event["items"] == ["a **********", 1]
    assert event["pair"] == ("x", "**********")
    assert event["url"] == "https://x/?token=**********"
    assert event["n"] == 5
    assert event["event"] == "e"


def test_short_secrets_are_not_searched():
    """Secrets shorter than 4 characters do not mangle every message."""
    event = SecretRedactor(["ab"])(None, "info", {"event": "abc"})
    assert event["event"] == "abc"


def test_secret_keys_keep_none_and_booleans():
    """password=None and password_set=True stay visible; they are not secrets."""
    event = SecretRedactor()(None, "info", {"password": None, "password_set": True})
    assert event == {"password": None, "password_set": True}


@pytest.mark.parametrize(
    ("line", "leak"),
    [
        ("> Cookie: TOKEN=eyJhbGciOi.payload.sig", "eyJhbGciOi"),
        ("< Set-Cookie: unifises=0123456789abcdef; path=/", "0123456789abcdef"),
        ("(b'X-CSRF-Token', b'e9770b28-1ff3-4379')", "e9770b28"),
        ("< X-Updated-CSRF-Token: 11112222-3333", "11112222"),
        ("> X-API-KEY: sim-readonly-api-key", "sim-readonly"),
        ("Authorization: Bearer abc.def.ghi", "abc.def"),
    ],
)
def test_session_material_in_debug_wire_logs_is_masked(stream, line, leak):
    """Cookies and tokens the controller hands out never reach the log, even at DEBUG."""
    configure_logging(level="DEBUG", fmt="json", stream=stream)
    logging.getLogger("websockets.client").debug(line)
    (record,) = _json_lines(stream)
    assert leak not in json.dumps(record)
    assert "**********" in record["event"]
