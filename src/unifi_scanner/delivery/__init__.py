"""Delivery: the :class:`Deliverer` Protocol and its file, SMTP and capturing implementations."""

from unifi_scanner.delivery.base import Deliverer, DeliveryReceipt, require_formats
from unifi_scanner.delivery.capture import CapturedDelivery, CapturingDeliverer
from unifi_scanner.delivery.file import FileDeliverer, report_file_name
from unifi_scanner.delivery.smtp import SmtpDeliverer, build_message, subject_line

__all__ = [
    "CapturedDelivery",
    "CapturingDeliverer",
    "Deliverer",
    "DeliveryReceipt",
    "FileDeliverer",
    "SmtpDeliverer",
    "build_message",
    "report_file_name",
    "require_formats",
    "subject_line",
]
