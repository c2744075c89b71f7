"""Login, sessions, CSRF, rate limit and API key of both flavours."""

from __future__ import annotations

import base64
import json

import pytest

from unifi_scanner.simulator import DEFAULT_API_KEY

OS = "/proxy/network/api/s/default"


async def test_unifi_os_root_is_html(make_client):
    """GET / on a console answers 200 HTML (the flavour probe)."""
    client = make_client()
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


async def test_unifi_os_login_sets_token_and_csrf(make_client, credentials):
    """A UniFi OS login returns the user object, a JWT-shaped TOKEN and an X-CSRF-Token."""
    client = make_client()
    response = await client.post("/api/auth/login", json=credentials | {"rememberMe": True})
    assert response.status_code == 200
    assert response.json()["username"] == credentials["username"]
    assert response.json()["isSuperAdmin"] is True
    token = client.cookies["TOKEN"]
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["csrfToken"] == response.headers["x-csrf-token"]
    assert "httponly" in response.headers["set-cookie"].lower()


async def test_unifi_os_bad_credentials_are_403(make_client):
    """Wrong credentials on UniFi OS answer 403 AUTHENTICATION_FAILED_INVALID_CREDENTIALS."""
    client = make_client()
    response = await client.post("/api/auth/login", json={"username": "admin", "password": "nope"})
    assert response.status_code == 403
    assert response.json()["code"] == "AUTHENTICATION_FAILED_INVALID_CREDENTIALS"


async def test_login_rate_limit_then_recovers(make_client, clock, credentials):
    """After N failures logins answer 429 with Retry-After until the lockout passes."""
    client = make_client(login_failure_limit=2)
    for _ in range(2):
        await client.post("/api/auth/login", json={"username": "admin", "password": "bad"})
    limited = await client.post("/api/auth/login", json=credentials)
    assert limited.status_code == 429
    assert limited.json()["code"] == "AUTHENTICATION_FAILED_LIMIT_REACHED"
    assert limited.headers["retry-after"] == "60"
    clock.advance(seconds=61)
    assert (await client.post("/api/auth/login", json=credentials)).status_code == 200


async def test_network_path_without_session_is_401(make_client):
    """A Network call without a session answers UniFi OS's 401 body."""
    client = make_client()
    response = await client.get(f"{OS}/stat/device")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "Unauthorized"}}


async def test_session_expires_on_the_clock(make_client, clock, login):
    """A TOKEN stops working once the session lifetime has passed."""
    client = make_client()
    await login(client)
    assert (await client.get(f"{OS}/stat/sta")).status_code == 200
    clock.advance(hours=2, seconds=1)
    assert (await client.get(f"{OS}/stat/sta")).status_code == 401


async def test_write_without_csrf_is_401(make_client, login):
    """A POST with the session but without the CSRF token is refused; with it, accepted."""
    client = make_client()
    headers = await login(client)
    assert (await client.post(f"{OS}/stat/device", json={})).status_code == 401
    assert (await client.post(f"{OS}/stat/device", json={}, headers=headers)).status_code == 200


async def test_csrf_rotation_accepts_newest_and_previous_once(make_client, login):
    """Every Nth request sends X-Updated-CSRF-Token; the old token works once more, then not."""
    client = make_client(csrf_rotate_every=2)
    headers = await login(client)
    first = await client.get(f"{OS}/stat/sta")
    assert "x-updated-csrf-token" not in first.headers
    second = await client.get(f"{OS}/stat/sta")
    new = second.headers["x-updated-csrf-token"]
    assert new != headers["X-CSRF-Token"]
    assert (await client.post(f"{OS}/stat/device", json={}, headers=headers)).status_code == 200
    assert (await client.post(f"{OS}/stat/device", json={}, headers=headers)).status_code == 401
    fresh = {"X-CSRF-Token": new}
    assert (await client.post(f"{OS}/stat/device", json={}, headers=fresh)).status_code == 200


async def test_api_key_replaces_session_and_csrf(make_client):
    """X-API-KEY reads and POSTs without login or CSRF; a wrong key is 401."""
    client = make_client()
    good = {"X-API-KEY": DEFAULT_API_KEY}
    assert (await client.get(f"{OS}/stat/device", headers=good)).status_code == 200
    assert (await client.post(f"{OS}/stat/device", json={}, headers=good)).status_code == 200
    assert (
        await client.get(f"{OS}/stat/device", headers={"X-API-KEY": "wrong"})
    ).status_code == 401


async def test_unifi_os_logout_ends_session(make_client, login):
    """After logout the old TOKEN is refused."""
    client = make_client()
    await login(client)
    token = client.cookies["TOKEN"]
    assert (await client.post("/api/auth/logout")).status_code == 200
    client.cookies.set("TOKEN", token)
    assert (await client.get(f"{OS}/stat/sta")).status_code == 401


async def test_legacy_root_redirects_to_manage(make_client):
    """GET / on a legacy controller is a 302 to /manage."""
    client = make_client(flavour="legacy")
    response = await client.get("/")
    assert response.status_code == 302
    assert response.headers["location"] == "/manage"


async def test_legacy_login_and_calls(make_client, credentials):
    """Legacy login answers the empty ok envelope with a unifises cookie; no prefix, no CSRF."""
    client = make_client(flavour="legacy")
    response = await client.post("/api/login", json=credentials)
    assert response.json() == {"meta": {"rc": "ok"}, "data": []}
    assert "unifises" in client.cookies
    assert (await client.post("/api/s/default/stat/device", json={})).status_code == 200
    assert (await client.get("/proxy/network/api/s/default/stat/device")).status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "msg"),
    [
        ({"username": "admin", "password": "bad"}, 400, "api.err.Invalid"),
    ],
)
async def test_legacy_bad_credentials(make_client, body, status, msg):
    """Legacy bad credentials answer 400 api.err.Invalid."""
    client = make_client(flavour="legacy")
    response = await client.post("/api/login", json=body)
    assert response.status_code == status
    assert response.json()["meta"] == {"rc": "error", "msg": msg}


async def test_legacy_expired_session_is_login_required(make_client, clock, login):
    """An expired legacy session answers 401 api.err.LoginRequired."""
    client = make_client(flavour="legacy")
    await login(client, legacy=True)
    clock.advance(hours=3)
    response = await client.get("/api/s/default/stat/sta")
    assert response.status_code == 401
    assert response.json() == {"meta": {"rc": "error", "msg": "api.err.LoginRequired"}, "data": []}


async def test_legacy_logout(make_client, login):
    """Legacy logout ends the session."""
    client = make_client(flavour="legacy")
    await login(client, legacy=True)
    token = client.cookies["unifises"]
    await client.post("/api/logout")
    client.cookies.set("unifises", token)
    assert (await client.get("/api/s/default/stat/sta")).status_code == 401


async def test_expire_sessions_control(make_client, login):
    """POST /__sim__/expire-sessions invalidates every session."""
    client = make_client()
    await login(client)
    await client.post("/__sim__/expire-sessions")
    assert (await client.get(f"{OS}/stat/sta")).status_code == 401
