"""Delivery: deliverers (file, SMTP, webhook, capture) and the outbox that keeps failures.

The :class:`Deliverer` Protocol is the seam; :class:`Outbox` sends a report through deliverers
and keeps what failed in the state store for the next run.
"""

from unifi_scanner.delivery.base import Deliverer, DeliveryReceipt, require_formats
from unifi_scanner.delivery.capture import CapturedDelivery, CapturingDeliverer
from unifi_scanner.delivery.chat import ChatFormat, chat_payload, detect_format
from unifi_scanner.delivery.file import FileDeliverer, report_file_name
from unifi_scanner.delivery.outbox import (
    OUTBOX_NAMESPACE,
    Outbox,
    OutboxEntry,
    OutboxResult,
    Staged,
    report_id,
)
from unifi_scanner.delivery.smtp import SmtpDeliverer, build_message, subject_line
from unifi_scanner.delivery.webhook import (
    USER_AGENT,
    WebhookDeliverer,
    redact_url,
    webhook_deliverers,
)

__all__ = [
    "OUTBOX_NAMESPACE",
    "USER_AGENT",
    "CapturedDelivery",
    "CapturingDeliverer",
    "ChatFormat",
    "Deliverer",
    "DeliveryReceipt",
    "FileDeliverer",
    "Outbox",
    "OutboxEntry",
    "OutboxResult",
    "SmtpDeliverer",
    "Staged",
    "WebhookDeliverer",
    "build_message",
    "chat_payload",
    "detect_format",
    "redact_url",
    "report_file_name",
    "report_id",
    "require_formats",
    "subject_line",
    "webhook_deliverers",
]
