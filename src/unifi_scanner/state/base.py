"""The :class:`StateStore` Protocol: what the scanner remembers between runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

__all__ = ["Commit", "SourceMark", "StateStore"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceMark:
    """How far one feed of one site has been reported (aware UTC).

    Attributes:
        complete_until: everything of this feed before this time was read completely and is in
            a report: the next scan reads it from here (less the clock-skew margin).
        reported_until: a report may hold items of this feed up to here; it is later than
            ``complete_until`` while the feed is catching up after an incomplete read, and the
            remembered ids say which items in between were reported.
    """

    complete_until: datetime
    reported_until: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Commit:
    """Everything that makes one report count as done, written in one transaction.

    Attributes:
        site: the site.
        marks: each feed's new mark, by feed name.
        seen: ids to remember as reported.
        at: when (the time ids are remembered with).
        records: namespaced JSON records to store with it (the report's outbox entries), as
            ``(namespace, key, value)``.
    """

    site: str
    marks: Mapping[str, SourceMark]
    seen: Iterable[str]
    at: datetime
    records: Iterable[tuple[str, str, Mapping[str, Any]]] = ()


class StateStore(Protocol):
    """Durable memory between runs. All times are aware UTC.

    Namespaced key/value records are JSON-compatible mappings; backends store them as they are.
    """

    def source_marks(self, site: str) -> Mapping[str, SourceMark]:
        """Return each feed's mark for ``site``, by feed name (empty before the first report)."""
        ...

    def commit(self, commit: Commit) -> None:
        """Store a report's marks, seen ids and records all at once, or none of them."""
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
