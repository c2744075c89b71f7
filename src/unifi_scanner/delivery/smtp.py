"""Send reports by email: one ``multipart/alternative`` message (plain text + inline-CSS HTML).

Settings arrive as plain constructor arguments (the ``app`` package maps ``settings.smtp``).
Transport security: ``use_tls`` speaks TLS from the first byte (port 465); ``starttls`` upgrades
a plain connection (port 587) and fails if the server does not offer it; with neither, the
message and any password travel in clear, so use that only on loopback.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING

import aiosmtplib

from unifi_scanner._untrusted import one_line
from unifi_scanner.delivery.base import DeliveryReceipt, require_formats
from unifi_scanner.errors import DeliveryError

if TYPE_CHECKING:
    import ssl
    from collections.abc import Mapping, Sequence

    from unifi_scanner.reports import Report

__all__ = ["SmtpDeliverer", "build_message", "message_id", "subject_line"]

_FORMATS = ("text", "email-html")


def subject_line(report: Report, prefix: str = "UniFi Scanner") -> str:
    """Return the email subject: site and severity counts, or "no problems found".

    An incomplete report says so first, and never "no problems found" alone. Controller strings
    are untrusted: control characters (CR/LF) are replaced by spaces.
    """
    site = report.site.description or report.site.name
    counts = report.summary
    if report.is_empty:
        status = "no problems found" if report.complete else "no problems found so far"
    else:
        status = f"{counts.severe} severe, {counts.medium} medium, {counts.low} low"
    if not report.complete:
        status = f"INCOMPLETE, {status}"
    return one_line(f"[{prefix}] {site}: {status}")  # no line break: no header injection


def message_id(report: Report, sender: str) -> str:
    """Return the e-mail ``Message-ID`` of ``report``: the same for every copy of it.

    Derived from the report id, so a message sent again (the outbox retrying after a send
    whose answer was lost) is recognisably the same one; mail systems drop such duplicates.
    The domain is the sender's, when it has one.
    """
    _, at, domain = parseaddr(sender)[1].rpartition("@")
    domain = domain if at and domain else "unifi-scanner.invalid"
    return f"<report-{report.id}@{''.join(one_line(domain).split())}>"


def build_message(
    report: Report,
    rendered: Mapping[str, str],
    *,
    sender: str,
    recipients: Sequence[str],
    subject_prefix: str = "UniFi Scanner",
) -> EmailMessage:
    """Build the email for ``report`` from its text and HTML renderings.

    Args:
        report: the report (subject and date).
        rendered: must hold ``text`` and ``email-html``.
        sender: the ``From`` address.
        recipients: the ``To`` addresses.
        subject_prefix: the bracketed tag at the start of the subject.

    Returns:
        A ``multipart/alternative`` message, plain text first (clients show the last part
        they can display, HTML).
    """
    message = EmailMessage()
    message["Subject"] = subject_line(report, subject_prefix)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(report.generated_at)
    message["Message-ID"] = message_id(report, sender)
    message.set_content(rendered["text"], subtype="plain", charset="utf-8")
    message.add_alternative(rendered["email-html"], subtype="html", charset="utf-8")
    return message


class SmtpDeliverer:
    """Emails the report to fixed recipients through one SMTP server.

    Args:
        host: the SMTP server.
        port: its port (587 for STARTTLS, 465 for TLS, 25 plain).
        sender: the ``From`` address.
        recipients: the ``To`` addresses; at least one.
        username: the login, when the server needs one.
        password: the password (a plain string: unwrap ``SecretStr`` at the composition root).
        starttls: upgrade with STARTTLS, and fail if the server does not offer it.
        use_tls: connect with TLS from the start (exclusive with ``starttls``).
        timeout_s: the timeout of each SMTP step.
        tls_context: the TLS settings (CA bundle, pinning); the system defaults when None.
        subject_prefix: the bracketed tag at the start of the subject.

    Raises:
        ValueError: no recipients, or both ``starttls`` and ``use_tls``.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int = 587,
        sender: str,
        recipients: Sequence[str],
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        use_tls: bool = False,
        timeout_s: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
        subject_prefix: str = "UniFi Scanner",
    ) -> None:
        if not recipients:
            raise ValueError("SMTP delivery needs at least one recipient")
        if starttls and use_tls:
            raise ValueError("choose either starttls or use_tls, not both")
        self._host = host
        self._port = port
        self._sender = sender
        self._recipients = tuple(recipients)
        self._username = username
        self._password = password
        self._starttls = starttls
        self._use_tls = use_tls
        self._timeout_s = timeout_s
        self._tls_context = tls_context
        self._subject_prefix = subject_prefix

    @property
    def name(self) -> str:
        """``smtp``."""
        return "smtp"

    @property
    def formats(self) -> tuple[str, ...]:
        """``text`` and ``html``."""
        return _FORMATS

    async def deliver(self, report: Report, rendered: Mapping[str, str]) -> DeliveryReceipt:
        """Send the report as one email to every recipient.

        Args:
            report: the report.
            rendered: holds ``text`` and ``html``.

        Returns:
            A receipt listing the recipients that accepted it, with the server's reply.

        Raises:
            DeliveryError: the server could not be reached, refused the login or every
                recipient, or timed out. The password never appears in the message.
        """
        require_formats(self.name, _FORMATS, rendered)
        try:
            message = build_message(
                report,
                rendered,
                sender=self._sender,
                recipients=self._recipients,
                subject_prefix=self._subject_prefix,
            )
        except (ValueError, TypeError) as err:
            raise DeliveryError(f"the e-mail could not be built: {err}", channel=self.name) from err
        try:
            refused, reply = await aiosmtplib.send(
                message,
                sender=self._sender,
                recipients=list(self._recipients),
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                use_tls=self._use_tls,
                timeout=self._timeout_s,
                tls_context=self._tls_context,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as err:
            raise DeliveryError(
                f"could not send to {self._host}:{self._port}: {type(err).__name__}: {err}",
                channel=self.name,
            ) from err
        accepted = tuple(r for r in self._recipients if r not in refused)
        return DeliveryReceipt(channel=self.name, destinations=accepted, detail=reply)
