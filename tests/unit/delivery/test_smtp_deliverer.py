"""SmtpDeliverer against a real aiosmtpd server on 127.0.0.1 (plain, STARTTLS with AUTH, TLS)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from unifi_scanner.delivery import Deliverer, SmtpDeliverer, subject_line
from unifi_scanner.errors import DeliveryError


class Inbox:
    """An aiosmtpd handler that keeps each received message."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ARG002 - aiosmtpd's hook
        self.envelopes.append(envelope)
        return "250 OK queued"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)


@pytest.fixture(name="ca")
def ca_fixture():
    """A throwaway certificate authority."""
    return trustme.CA()


@pytest.fixture(name="client_tls")
def client_tls_fixture(ca):
    """A client TLS context trusting only the throwaway CA."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture(name="server_tls")
def server_tls_fixture(ca):
    """A server TLS context with a certificate for 127.0.0.1."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture(name="serve")
async def serve_fixture():
    """Start aiosmtpd servers on ephemeral loopback ports; close them afterwards."""
    servers = []

    async def _serve(inbox, *, ssl_context=None, **smtp_kwargs):
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(inbox, hostname="127.0.0.1", **smtp_kwargs),
            "127.0.0.1",
            0,
            ssl=ssl_context,
        )
        servers.append(server)
        return server.sockets[0].getsockname()[1]

    yield _serve
    for server in servers:
        server.close()
        await server.wait_closed()


def _parse(envelope):
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


async def test_plain_delivery_sends_text_and_html_alternatives(serve, report, rendered):
    """Without TLS on loopback, one multipart/alternative mail reaches every recipient."""
    inbox = Inbox()
    port = await serve(inbox)
    deliverer = SmtpDeliverer(
        host="127.0.0.1",
        port=port,
        sender="scanner@example.test",
        recipients=["a@example.test", "b@example.test"],
        starttls=False,
    )
    receipt = await deliverer.deliver(report, rendered)
    assert isinstance(deliverer, Deliverer)
    assert receipt.channel == "smtp"
    assert receipt.destinations == ("a@example.test", "b@example.test")
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "scanner@example.test"
    assert envelope.rcpt_tos == ["a@example.test", "b@example.test"]
    message = _parse(envelope)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "[UniFi Scanner] Home: no problems found"
    assert message.get_body(("plain",)).get_content().splitlines() == ["hi"]
    assert message.get_body(("html",)).get_content().strip() == "<p>hi</p>"


async def test_starttls_with_login(serve, report, rendered, server_tls, client_tls):
    """STARTTLS upgrades the connection before the login, and the mail arrives."""
    inbox = Inbox()
    port = await serve(
        inbox,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    deliverer = SmtpDeliverer(
        host="127.0.0.1",
        port=port,
        sender="scanner@example.test",
        recipients=["a@example.test"],
        username="scanner",
        password="s3cret",
        tls_context=client_tls,
    )
    await deliverer.deliver(report, rendered)
    assert len(inbox.envelopes) == 1


async def test_wrong_password_raises_delivery_error(
    serve, report, rendered, server_tls, client_tls
):
    """A refused login fails as DeliveryError(channel="smtp") without showing the password."""
    inbox = Inbox()
    port = await serve(
        inbox,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    deliverer = SmtpDeliverer(
        host="127.0.0.1",
        port=port,
        sender="scanner@example.test",
        recipients=["a@example.test"],
        username="scanner",
        password="wrong-pass",
        tls_context=client_tls,
    )
    with pytest.raises(DeliveryError) as caught:
        await deliverer.deliver(report, rendered)
    assert caught.value.channel == "smtp"
    assert "wrong-pass" not in str(caught.value)
    assert inbox.envelopes == []


async def test_implicit_tls(serve, report, rendered, server_tls, client_tls):
    """With use_tls the connection is TLS from the first byte."""
    inbox = Inbox()
    port = await serve(inbox, ssl_context=server_tls)
    deliverer = SmtpDeliverer(
        host="127.0.0.1",
        port=port,
        sender="scanner@example.test",
        recipients=["a@example.test"],
        starttls=False,
        use_tls=True,
        tls_context=client_tls,
    )
    await deliverer.deliver(report, rendered)
    assert len(inbox.envelopes) == 1


async def test_untrusted_certificate_raises_delivery_error(serve, report, rendered, server_tls):
    """A server certificate the client does not trust fails as DeliveryError."""
    port = await serve(Inbox(), ssl_context=server_tls)
    deliverer = SmtpDeliverer(
        host="127.0.0.1",
        port=port,
        sender="s@example.test",
        recipients=["a@example.test"],
        starttls=False,
        use_tls=True,
        tls_context=ssl.create_default_context(),
    )
    with pytest.raises(DeliveryError, match=r"127\.0\.0\.1"):
        await deliverer.deliver(report, rendered)


async def test_missing_starttls_raises_delivery_error(serve, report, rendered):
    """A server that does not offer STARTTLS is refused when STARTTLS is asked for."""
    port = await serve(Inbox())
    deliverer = SmtpDeliverer(
        host="127.0.0.1",
        port=port,
        sender="s@example.test",
        recipients=["a@example.test"],
        starttls=True,
    )
    with pytest.raises(DeliveryError) as caught:
        await deliverer.deliver(report, rendered)
    assert caught.value.__cause__ is not None


async def test_closed_port_raises_delivery_error(report, rendered):
    """A port nobody listens on fails as DeliveryError chained to the connection error."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    deliverer = SmtpDeliverer(
        host="127.0.0.1",
        port=port,
        sender="s@example.test",
        recipients=["a@example.test"],
        starttls=False,
        timeout_s=5,
    )
    with pytest.raises(DeliveryError, match="could not send") as caught:
        await deliverer.deliver(report, rendered)
    assert caught.value.channel == "smtp"


def test_subject_counts_findings_and_strips_line_breaks(make_report):
    """The subject names the site and cannot be split by a newline in the site's name."""
    report = make_report("default", "Home\r\nBcc: x@example.test")
    assert subject_line(report) == "[UniFi Scanner] Home Bcc: x@example.test: no problems found"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"recipients": []}, "recipient"), ({"use_tls": True, "starttls": True}, "either")],
)
def test_invalid_settings_are_rejected(kwargs, match):
    """No recipients, or both TLS modes, is a configuration mistake."""
    base = {"host": "127.0.0.1", "sender": "s@example.test", "recipients": ["a@example.test"]}
    with pytest.raises(ValueError, match=match):
        SmtpDeliverer(**{**base, **kwargs})


def test_subject_counts_each_severity(report):
    """A report with findings puts its severity counts in the subject."""
    import dataclasses

    from unifi_scanner.analysis.findings import Finding, Severity
    from unifi_scanner.reports import SeverityCounts

    finding = Finding(rule="r", severity=Severity.SEVERE, title="t", explanation="e")
    busy = dataclasses.replace(
        report, findings=(finding,), summary=SeverityCounts(severe=1, medium=2, low=3)
    )
    assert subject_line(busy, "Lab") == "[Lab] Home: 1 severe, 2 medium, 3 low"


@pytest.mark.parametrize("breaker", ["\u2028", "\u2029", "\x85", "\r\n"])
def test_unicode_line_breaks_in_the_site_name_cannot_break_the_subject(breaker):
    """Every line break str.splitlines() knows is flattened out of the subject line."""
    from datetime import UTC, datetime

    from unifi_scanner.collect import ControllerInfo, Flavour, Site, Snapshot, Window
    from unifi_scanner.delivery import subject_line
    from unifi_scanner.integrations import IntegrationResults
    from unifi_scanner.reports import build_report

    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    snapshot = Snapshot(
        site=Site(id="s", name="default", description=f"Office{breaker}Bcc: evil@example.com"),
        controller=ControllerInfo(flavour=Flavour.UNIFI_OS),
        window=Window(start=now, end=now),
    )
    report = build_report(snapshot, [], IntegrationResults(), generated_at=now)
    subject = subject_line(report)
    assert len(subject.splitlines()) == 1


@pytest.mark.parametrize(
    ("sender", "domain"),
    [
        ("UniFi Scanner <scanner@example.org>", "example.org"),
        ("scanner@mail.example.net", "mail.example.net"),
        ("no-domain", "unifi-scanner.invalid"),
    ],
)
def test_message_id_comes_from_the_report_id(report, rendered, sender, domain):
    """Every copy of one report has one Message-ID, in the sender's domain when it has one."""
    from unifi_scanner.delivery.smtp import build_message, message_id

    expected = f"<report-{report.id}@{domain}>"
    assert message_id(report, sender) == expected
    first = build_message(report, rendered, sender=sender, recipients=["a@example.org"])
    again = build_message(report, rendered, sender=sender, recipients=["a@example.org"])
    assert first["Message-ID"] == again["Message-ID"] == expected
