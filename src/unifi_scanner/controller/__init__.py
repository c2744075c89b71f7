"""Stage 1: talk to the UniFi controller (REST client, auth, TLS, endpoint paths, raw payloads)."""

from unifi_scanner.controller.client import (
    SYSTEM_LOG_CATEGORIES,
    SYSTEM_LOG_SEVERITIES,
    ControllerClient,
)
from unifi_scanner.controller.flavour import Flavour
from unifi_scanner.controller.page import Page
from unifi_scanner.controller.session import DEFAULT_PORTS
from unifi_scanner.controller.tls import (
    FingerprintMismatchError,
    build_ssl_context,
    normalize_fingerprint,
)
from unifi_scanner.controller.websocket import (
    HEARTBEAT_S,
    ControllerWebsocket,
    EventStream,
    MemoryEventStream,
)

__all__ = [
    "DEFAULT_PORTS",
    "HEARTBEAT_S",
    "SYSTEM_LOG_CATEGORIES",
    "SYSTEM_LOG_SEVERITIES",
    "ControllerClient",
    "ControllerWebsocket",
    "EventStream",
    "FingerprintMismatchError",
    "Flavour",
    "MemoryEventStream",
    "Page",
    "build_ssl_context",
    "normalize_fingerprint",
]
