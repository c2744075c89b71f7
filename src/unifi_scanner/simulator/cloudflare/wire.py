"""What the local Cloudflare API writes on the wire: times, ids, stable hashes, the V4 envelope."""

from __future__ import annotations

import hashlib
import math
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

__all__ = [
    "JsonObject",
    "ceil_seconds",
    "digest",
    "hex_id",
    "parse_time",
    "reason",
    "rfc3339",
    "rfc3339_micro",
    "stable_uuid",
    "v4_error",
    "v4_ok",
]

JsonObject = dict[str, Any]


def digest(*parts: object) -> int:
    """A stable 64-bit number from ``parts`` (the same on every run and platform).

    Args:
        parts: anything whose ``str`` names the value (seed, scenario, zone, index…).

    Returns:
        An integer in ``[0, 2**64)``.
    """
    data = "\x1f".join(map(str, parts)).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def hex_id(*parts: object) -> str:
    """A stable 32-hex-digit id (Cloudflare's account, zone, rule and token ids look so).

    Args:
        parts: anything that names the object uniquely.

    Returns:
        32 lowercase hex digits.
    """
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def stable_uuid(*parts: object) -> str:
    """A stable version-4-shaped UUID (tunnels, connectors, connections).

    Args:
        parts: anything that names the object uniquely.

    Returns:
        The UUID in its canonical text form.
    """
    return str(uuid.UUID(hex_id(*parts), version=4))


def rfc3339(value: datetime) -> str:
    """``2026-12-05T01:02:03Z``: whole seconds, UTC (GraphQL datetimes, most REST times).

    Args:
        value: an aware datetime.

    Returns:
        The text.
    """
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_micro(value: datetime) -> str:
    """``2026-12-05T01:02:03.456789Z``: with fractional seconds, as ``created_at`` is written.

    Args:
        value: an aware datetime.

    Returns:
        The text.
    """
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: object) -> datetime | None:
    """Read an RFC 3339 time (``Z`` or an offset; a naive one is taken as UTC).

    Args:
        value: the text.

    Returns:
        The aware datetime, or ``None`` when ``value`` is not such a time.
    """
    if not isinstance(value, str) or len(value) < len("2026-01-01"):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def ceil_seconds(value: float) -> int:
    """Whole seconds, rounded up, at least 1 (for ``retry-after``)."""
    return max(1, math.ceil(value))


def v4_ok(result: Any, result_info: JsonObject | None = None) -> JsonObject:  # noqa: ANN401
    """The V4 envelope of a successful answer.

    Args:
        result: the ``result`` (an object or a list).
        result_info: paging information for lists.

    Returns:
        ``{"success": true, "errors": [], "messages": [], "result": …}``.
    """
    body: JsonObject = {"success": True, "errors": [], "messages": [], "result": result}
    if result_info is not None:
        body["result_info"] = result_info
    return body


def v4_error(code: int, message: str) -> JsonObject:
    """The V4 envelope of a failed answer.

    Args:
        code: Cloudflare's error code (``10000``, ``1000``, ``971``…).
        message: its message.

    Returns:
        ``{"success": false, "errors": [{"code", "message"}], "messages": [], "result": null}``.
    """
    return {
        "success": False,
        "errors": [{"code": code, "message": message}],
        "messages": [],
        "result": None,
    }


def reason(status: int) -> str:
    """The reason phrase of an HTTP status (``"Service Unavailable"``), or ``"Error"``."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
