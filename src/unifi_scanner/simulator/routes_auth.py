"""Flavour detection (``GET /``), login and logout for both flavours."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from unifi_scanner.simulator.state import SimulatorState, classic_error, classic_ok

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = ["LOGIN_LIMIT_BODY", "auth_routes", "is_login_path"]

LOGIN_LIMIT_BODY: dict[str, str] = {
    "code": "AUTHENTICATION_FAILED_LIMIT_REACHED",
    "message": "You've reached the login attempt limit",
}
"""What UniFi OS answers (429) to a login while its login rate limit is in force."""

_LOGIN_PATHS = frozenset({"/api/auth/login", "/api/login"})

_CONSOLE_HTML = (
    "<!doctype html><html><head><title>UniFi OS</title></head>"
    "<body><div id=app></div></body></html>"
)
_LEGACY_HTML = (
    "<!doctype html><html><head><title>UniFi Network</title></head><body>manage</body></html>"
)


def _user(username: str) -> dict[str, Any]:
    """Our own user object, shaped like UniFi OS's login reply."""
    uid = "5f1e0d9c-0000-4000-8000-00000000a001"
    return {
        "unique_id": uid,
        "id": uid,
        "username": username,
        "first_name": "Simulated",
        "last_name": "Admin",
        "full_name": "Simulated Admin",
        "email": "",
        "email_status": "UNVERIFIED",
        "phone": "",
        "avatar": "",
        "avatar_relative_path": "",
        "status": "ACTIVE",
        "sso_account": "",
        "sso_uuid": "",
        "sso_username": "",
        "create_time": 1_700_000_000,
        "update_time": 1_700_000_000,
        "local_account_exist": True,
        "uid_sso_id": "",
        "uid_sso_account": "",
        "password_revision": 1_700_000_000,
        "extras": None,
        "nfc_token": "",
        "nfc_display_id": "",
        "groups": [],
        "roles": [
            {
                "unique_id": "5f1e0d9c-0000-4000-8000-00000000b001",
                "name": "Super Administrator",
                "system_role": True,
                "system_key": "super_administrator",
                "level": 2,
            }
        ],
        "permissions": {"network.management": ["admin"], "system.management.user": ["admin"]},
        "scopes": ["view:controller:network", "manage:controller:network", "view:systemlog"],
        "cloud_access_granted": False,
        "isOwner": False,
        "isSuperAdmin": True,
    }


def is_login_path(path: str) -> bool:
    """Whether ``path`` is a login route of either flavour.

    Args:
        path: a request's path.

    Returns:
        ``True`` for ``/api/auth/login`` (UniFi OS) and ``/api/login`` (legacy).
    """
    return path.rstrip("/") in _LOGIN_PATHS


async def _root(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    if state.config.flavour == "unifi-os":
        return HTMLResponse(_CONSOLE_HTML)
    return RedirectResponse("/manage", status_code=302)


async def _manage(_request: Request) -> Response:
    return HTMLResponse(_LEGACY_HTML)


async def _credentials(request: Request) -> tuple[str, str] | None:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    return str(body.get("username", "")), str(body.get("password", ""))


async def _login(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    config = state.config
    unifi_os = config.flavour == "unifi-os"
    if unifi_os and (left := state.sessions.rate_limited()) is not None:
        return JSONResponse(LOGIN_LIMIT_BODY, 429, {"Retry-After": str(int(left + 0.999))})
    sent = await _credentials(request)
    if sent != (config.username, config.password):
        state.sessions.record_failure()
        if unifi_os:
            body = {
                "code": "AUTHENTICATION_FAILED_INVALID_CREDENTIALS",
                "message": "Invalid username or password",
            }
            return JSONResponse(body, 403)
        return classic_error("api.err.Invalid", 400)
    session = state.sessions.login()
    if unifi_os:
        response = state.reply("login", _user(config.username))
        response.headers["X-CSRF-Token"] = session.csrf
        response.set_cookie(
            "TOKEN", session.token, path="/", secure=True, httponly=True, samesite="none"
        )
        return response
    response = state.reply("login", classic_ok([]))
    response.set_cookie("unifises", session.token, path="/", secure=True, httponly=True)
    response.set_cookie("csrf_token", session.csrf, path="/", secure=True)
    return response


async def _logout(request: Request) -> Response:
    state: SimulatorState = request.app.state.sim
    cookie = "TOKEN" if state.config.flavour == "unifi-os" else "unifises"
    state.sessions.logout(request.cookies.get(cookie))
    response: Response = JSONResponse(classic_ok([]))
    response.delete_cookie(cookie, path="/")
    return response


def auth_routes(state: SimulatorState) -> list[Route]:
    """The routes outside the Network prefix: ``/``, login and logout.

    Args:
        state: the simulator's state (for the flavour).

    Returns:
        Starlette routes.
    """
    if state.config.flavour == "unifi-os":
        return [
            Route("/", _root),
            Route("/api/auth/login", _login, methods=["POST"]),
            Route("/api/auth/logout", _logout, methods=["POST"]),
        ]
    return [
        Route("/", _root),
        Route("/manage", _manage),
        Route("/api/login", _login, methods=["POST"]),
        Route("/api/logout", _logout, methods=["POST"]),
        Route("/logout", _logout, methods=["GET", "POST"]),
    ]
