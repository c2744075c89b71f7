"""Session helpers: Retry-After parsing, CSRF from the UniFi OS JWT, host formatting."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from unifi_scanner.controller._http import csrf_from_jwt, format_host, parse_retry_after


def _jwt(claims) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"header.{payload}.signature"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"Retry-After": "-5"}, 0.0),
        (
            {
                "Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT",
                "Date": "Wed, 21 Oct 2015 07:28:00 GMT",
            },
            30.0,
        ),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers, expected):
    """Retry-After is read as seconds or as an HTTP date relative to Date; junk is ignored."""
    assert parse_retry_after(httpx.Response(429, headers=headers)) == expected


def test_csrf_from_jwt():
    """The csrfToken claim is read from the TOKEN JWT payload; malformed tokens give None."""
    assert csrf_from_jwt(_jwt({"csrfToken": "abc"})) == "abc"
    assert csrf_from_jwt(_jwt({"other": 1})) is None
    assert csrf_from_jwt("a.!!!.c") is None
    assert csrf_from_jwt("not-a-jwt") is None
    assert csrf_from_jwt(None) is None


def test_format_host_brackets_ipv6():
    """IPv6 literals are bracketed in URLs; names and IPv4 are left alone."""
    assert format_host("::1") == "[::1]"
    assert format_host("[::1]") == "[::1]"
    assert format_host("10.0.0.1") == "10.0.0.1"


async def test_login_reads_csrf_from_token_cookie_when_header_missing(fake, make_client):
    """Without an X-CSRF-Token header the token comes from the TOKEN cookie's JWT."""
    token = _jwt({"csrfToken": "from-jwt"})
    fake.add(
        "POST",
        "/api/auth/login",
        httpx.Response(200, json={}, headers={"Set-Cookie": f"TOKEN={token}; path=/; secure"}),
    )
    devices = "/proxy/network/api/s/default/stat/device"
    fake.add("GET", devices, httpx.Response(200, json=fake.envelope([])))

    await make_client().devices()

    assert fake.sent("GET", devices)[0].headers["X-CSRF-Token"] == "from-jwt"
