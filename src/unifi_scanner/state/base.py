"""The :class:`StateStore` Protocol: what the scanner remembers between runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

__all__ = ["StateStore"]


class StateStore(Protocol):
    """Durable memory between runs. All times are aware UTC.

    Namespaced key/value records are JSON-compatible mappings; backends store them as they are.
    """

    def get_window_end(self, site: str) -> datetime | None:
        """Return the end of the last successful scan window of ``site``."""
        ...

    def set_window_end(self, site: str, end: datetime) -> None:
        """Remember the end of the last successful scan window of ``site``."""
        ...

    def seen_ids(self, site: str, ids: Iterable[str]) -> frozenset[str]:
        """Return those of ``ids`` already reported for ``site``."""
        ...

    def mark_seen(self, site: str, ids: Iterable[str], at: datetime) -> None:
        """Remember ``ids`` as reported for ``site``."""
        ...

    def prune_seen(self, before: datetime) -> int:
        """Forget ids last marked before ``before`` (every site); return how many."""
        ...

    def get_record(self, namespace: str, key: str) -> Mapping[str, Any] | None:
        """Return the JSON record stored under ``namespace``/``key``."""
        ...

    def put_record(self, namespace: str, key: str, value: Mapping[str, Any]) -> None:
        """Store a JSON record under ``namespace``/``key``, replacing any previous one."""
        ...

    def delete_record(self, namespace: str, key: str) -> bool:
        """Delete the record under ``namespace``/``key``; return whether there was one."""
        ...

    def records(self, namespace: str) -> Mapping[str, Mapping[str, Any]]:
        """Return every record in ``namespace``, by key."""
        ...

    def close(self) -> None:
        """Release the backend."""
        ...
