"""Findings history: what changed since the last report, and what the owner acknowledged."""

from unifi_scanner.history.track import (
    ACK_NAMESPACE,
    HISTORY_NAMESPACE,
    HISTORY_RETENTION,
    Acknowledgement,
    FindingHistory,
    FindingStatus,
    History,
    ResolvedFinding,
    history_key,
    site_history,
    track,
)

__all__ = [
    "ACK_NAMESPACE",
    "HISTORY_NAMESPACE",
    "HISTORY_RETENTION",
    "Acknowledgement",
    "FindingHistory",
    "FindingStatus",
    "History",
    "ResolvedFinding",
    "history_key",
    "site_history",
    "track",
]
