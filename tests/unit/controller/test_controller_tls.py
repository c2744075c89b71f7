"""TLS context building and certificate pinning, including a real handshake on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import ssl

import httpx
import pytest
import trustme

from unifi_scanner.controller import build_ssl_context, normalize_fingerprint
from unifi_scanner.controller.tls import certificate_matches
from unifi_scanner.errors import ConfigError

HEX = "ab" * 32


@pytest.mark.parametrize(
    "text",
    [HEX, HEX.upper(), ":".join(["AB"] * 32), f"sha256:{HEX}", f"SHA256={' '.join(['ab'] * 32)}"],
)
def test_fingerprint_forms_normalise_to_hex(text):
    """Colons, spaces, case and a sha256 prefix are all accepted."""
    assert normalize_fingerprint(text) == HEX


@pytest.mark.parametrize("text", ["", "ab" * 31, "zz" * 32, "ab" * 20])
def test_malformed_fingerprint_is_config_error(text):
    """Anything that is not 64 hex digits is a configuration error."""
    with pytest.raises(ConfigError, match="tls_fingerprint"):
        normalize_fingerprint(text)


def test_certificate_compare():
    """A DER certificate matches only its own SHA-256."""
    der = b"certificate bytes"
    assert certificate_matches(der, hashlib.sha256(der).hexdigest())
    assert not certificate_matches(der, HEX)
    assert not certificate_matches(None, HEX)


def test_contexts_for_each_setting(tmp_path):
    """Default verifies; verify off does not; an unreadable CA bundle is a config error."""
    assert build_ssl_context().verify_mode is ssl.CERT_REQUIRED
    insecure = build_ssl_context(verify_ssl=False)
    assert insecure.verify_mode is ssl.CERT_NONE
    assert not insecure.check_hostname
    with pytest.raises(ConfigError, match="ca_bundle"):
        build_ssl_context(ca_bundle=tmp_path / "missing.pem")


@pytest.fixture(name="tls_server")
async def tls_server_fixture():
    """A minimal HTTPS server on 127.0.0.1 with a trustme certificate."""
    ca = trustme.CA()
    cert = ca.issue_cert("controller.test")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_context)

    async def handle(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    yield port, hashlib.sha256(der).hexdigest(), ca
    server.close()
    await server.wait_closed()


async def test_pinned_fingerprint_accepts_matching_certificate(tls_server):
    """A self-signed certificate is accepted when its SHA-256 matches the pin."""
    port, fingerprint, _ = tls_server
    context = build_ssl_context(fingerprint=fingerprint)
    async with httpx.AsyncClient(verify=context) as http:
        response = await http.get(f"https://127.0.0.1:{port}/")
    assert response.text == "ok"


async def test_pinned_fingerprint_refuses_other_certificate(tls_server):
    """A certificate that does not match the pin fails the handshake before any request."""
    port, _, _ = tls_server
    context = build_ssl_context(fingerprint=HEX)
    async with httpx.AsyncClient(verify=context) as http:
        with pytest.raises(httpx.ConnectError, match="fingerprint mismatch"):
            await http.get(f"https://127.0.0.1:{port}/")


async def test_default_context_refuses_unknown_ca(tls_server):
    """Without pin or CA bundle the trustme certificate is refused."""
    port, _, _ = tls_server
    async with httpx.AsyncClient(verify=build_ssl_context()) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"https://127.0.0.1:{port}/")


async def test_client_reports_pin_mismatch_as_unreachable(tls_server):
    """The client turns a pin mismatch into ControllerUnreachableError naming the mismatch."""
    from pydantic import SecretStr

    from unifi_scanner.controller import ControllerClient, Flavour
    from unifi_scanner.errors import ControllerUnreachableError

    port, _, _ = tls_server
    async with httpx.AsyncClient(verify=build_ssl_context(fingerprint=HEX)) as http:
        client = ControllerClient(
            http, host="127.0.0.1", port=port, flavour=Flavour.UNIFI_OS, api_key=SecretStr("k")
        )
        with pytest.raises(ControllerUnreachableError, match="fingerprint mismatch"):
            await client.devices()
