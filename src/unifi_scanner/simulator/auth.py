"""Sessions, CSRF tokens and the login rate limit of the simulated controller."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from unifi_scanner.simulator.config import SimulatorConfig

__all__ = ["Session", "SessionStore"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(slots=True)
class Session:
    """One logged-in session.

    Attributes:
        token: the cookie value (a JWT-shaped string on UniFi OS).
        csrf: the current CSRF token.
        previous_csrf: the token before the last rotation, accepted for one more request.
        expires: when the session stops being accepted.
        requests: authenticated requests made so far (drives CSRF rotation).
    """

    token: str
    csrf: str
    expires: datetime
    previous_csrf: str | None = None
    requests: int = 0


@dataclass(slots=True)
class SessionStore:
    """Issues and checks sessions; counts failed logins.

    Args:
        config: the simulator's configuration (clock, lifetime, limits).
    """

    config: SimulatorConfig
    sessions: dict[str, Session] = field(default_factory=dict)
    failures: int = 0
    locked_until: datetime | None = None

    def login(self) -> Session:
        """Start a session (the caller has checked the credentials).

        Returns:
            The new session.
        """
        now = self.config.now()
        csrf = str(uuid.uuid4())
        expires = now + self.config.session_lifetime
        if self.config.flavour == "unifi-os":
            header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
            claims = {"userId": "sim-user", "csrfToken": csrf, "iat": int(now.timestamp())}
            claims["exp"] = int(expires.timestamp())
            token = f"{header}.{_b64(json.dumps(claims).encode())}.{_b64(secrets.token_bytes(32))}"
        else:
            token = secrets.token_hex(16)
        session = Session(token=token, csrf=csrf, expires=expires)
        self.sessions[token] = session
        self.failures = 0
        return session

    def lookup(self, token: str | None) -> Session | None:
        """The live session for a cookie value, or ``None`` when unknown or expired.

        Args:
            token: the cookie value, if the request had one.

        Returns:
            The session, or ``None``.
        """
        session = self.sessions.get(token or "")
        if session is None:
            return None
        if self.config.now() >= session.expires:
            del self.sessions[session.token]
            return None
        return session

    def logout(self, token: str | None) -> None:
        """End a session (unknown tokens are ignored).

        Args:
            token: the cookie value.
        """
        self.sessions.pop(token or "", None)

    def expire_all(self) -> None:
        """Forget every session, as a controller restart would."""
        self.sessions.clear()

    def check_csrf(self, session: Session, sent: str | None) -> bool:
        """Whether ``sent`` is the session's current CSRF token (or the previous one, once).

        Args:
            session: the request's session.
            sent: the ``X-CSRF-Token`` header, if any.

        Returns:
            ``True`` when accepted.
        """
        if sent is not None and sent == session.csrf:
            return True
        if sent is not None and sent == session.previous_csrf:
            session.previous_csrf = None  # a grace of one request
            return True
        return False

    def count_request(self, session: Session, *, rotate: bool = False) -> str | None:
        """Count an authenticated request and rotate the CSRF token when it is due.

        Args:
            session: the request's session.
            rotate: rotate now whatever ``csrf_rotate_every`` says (the ``csrf-rotation`` fault).

        Returns:
            The new token to send as ``X-Updated-CSRF-Token``, or ``None``.
        """
        session.requests += 1
        every = self.config.csrf_rotate_every
        if not rotate and (every <= 0 or session.requests % every):
            return None
        session.previous_csrf, session.csrf = session.csrf, str(uuid.uuid4())
        return session.csrf

    def rate_limited(self) -> float | None:
        """Seconds left of the login lockout, or ``None`` when logins are allowed.

        Returns:
            The remaining lockout in seconds (at least 1), or ``None``.
        """
        if self.locked_until is None:
            return None
        left = (self.locked_until - self.config.now()).total_seconds()
        if left <= 0:
            self.locked_until = None
            self.failures = 0
            return None
        return max(left, 1.0)

    def record_failure(self) -> None:
        """Count a failed login; reaching the limit starts the lockout."""
        self.failures += 1
        if self.failures >= self.config.login_failure_limit:
            self.locked_until = self.config.now() + self.config.login_lockout
