"""TLS settings for the controller connection, including certificate pinning.

Pinning checks the SHA-256 of the server certificate (DER) inside the TLS handshake, before a
single byte of the request (and so the password) is sent. It replaces CA verification: the
usual self-signed controller certificate is accepted when, and only when, its fingerprint
matches.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import ssl
from typing import TYPE_CHECKING

from unifi_scanner.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "FingerprintMismatchError",
    "build_ssl_context",
    "certificate_matches",
    "normalize_fingerprint",
]

_HEX64 = re.compile(r"[0-9a-f]{64}")


class FingerprintMismatchError(ssl.SSLCertVerificationError):
    """The server certificate is not the pinned one."""


def normalize_fingerprint(fingerprint: str) -> str:
    """Return a SHA-256 fingerprint as 64 lower-case hex digits.

    Accepts ``AB:CD:…``, ``ab cd …``, an optional ``sha256:``/``SHA256=`` prefix.

    Raises:
        ConfigError: it is not a SHA-256 fingerprint.
    """
    text = fingerprint.strip().lower()
    text = re.sub(r"^sha-?256[:=]\s*", "", text)
    text = re.sub(r"[\s:\-]", "", text)
    if not _HEX64.fullmatch(text):
        message = "tls_fingerprint must be a SHA-256 fingerprint (64 hex digits, ':' optional)"
        raise ConfigError(message, (("tls_fingerprint", "settings", message),))
    return text


def certificate_matches(der: bytes | None, fingerprint: str) -> bool:
    """Whether a DER certificate has this SHA-256 fingerprint (normalised hex)."""
    if not der:
        return False
    return hmac.compare_digest(hashlib.sha256(der).hexdigest(), fingerprint)


class _PinnedSSLObject(ssl.SSLObject):
    """An SSLObject that refuses the peer unless its certificate has the pinned fingerprint."""

    def do_handshake(self) -> None:
        super().do_handshake()
        context = self.context
        expected = getattr(context, "pinned_sha256", None)
        if expected is None:  # pragma: no cover - only ever built by build_ssl_context
            return
        der = self.getpeercert(binary_form=True)
        if not certificate_matches(der, expected):
            got = hashlib.sha256(der).hexdigest() if der else "no certificate"
            msg = f"certificate fingerprint mismatch: expected sha256 {expected}, got {got}"
            raise FingerprintMismatchError(msg)


class _PinnedContext(ssl.SSLContext):
    """A client context that carries the pinned fingerprint for :class:`_PinnedSSLObject`."""

    pinned_sha256: str


def build_ssl_context(
    *, verify_ssl: bool = True, ca_bundle: Path | None = None, fingerprint: str | None = None
) -> ssl.SSLContext:
    """Build the TLS context for the controller's ``httpx.AsyncClient(verify=...)``.

    Args:
        verify_ssl: verify the certificate chain and host name (ignored when pinning).
        ca_bundle: a PEM file of extra trusted CAs (a self-signed controller's certificate).
        fingerprint: SHA-256 of the controller certificate; when given, the certificate must
            match it exactly and chain/host-name checks are not done.

    Returns:
        The context to pass as ``verify=`` to ``httpx.AsyncClient``.

    Raises:
        ConfigError: the fingerprint is malformed or the CA bundle cannot be read.
    """
    if fingerprint is not None:
        pinned = _PinnedContext(ssl.PROTOCOL_TLS_CLIENT)
        pinned.check_hostname = False
        pinned.verify_mode = ssl.CERT_NONE
        pinned.pinned_sha256 = normalize_fingerprint(fingerprint)
        pinned.sslobject_class = _PinnedSSLObject
        return pinned
    if not verify_ssl:
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE
        return insecure
    try:
        return ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
    except (OSError, ssl.SSLError) as err:
        message = f"ca_bundle {ca_bundle} cannot be read: {err}"
        raise ConfigError(message, (("ca_bundle", "settings", message),)) from err
