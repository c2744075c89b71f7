"""An in-memory :class:`~unifi_scanner.state.base.StateStore`: state that must not outlive a run.

``unifi-scanner analyze`` runs the enrichers on an old export: their status, breakers and last
good data belong to the live service, so they go here and only their caches go to the file.
Tests use it too.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from unifi_scanner.errors import StateError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from unifi_scanner.state.base import Commit, SourceMark

__all__ = ["MemoryStateStore"]


class MemoryStateStore:
    """A dict-backed :class:`~unifi_scanner.state.base.StateStore`.

    Records are copied through JSON on the way in and out, so a test catches data that a
    real backend could not store, and nobody can change a stored record by mutating it.
    """

    def __init__(self) -> None:
        self._marks: dict[str, dict[str, SourceMark]] = {}
        self._seen: dict[str, dict[str, datetime]] = {}
        self._records: dict[str, dict[str, str]] = {}
        self.closed = False

    def _check_open(self) -> None:
        if self.closed:
            raise StateError("the state store is closed")

    def source_marks(self, site: str) -> Mapping[str, SourceMark]:
        """Return each feed's mark for ``site``, by feed name."""
        self._check_open()
        return dict(self._marks.get(site, {}))

    def commit(self, commit: Commit) -> None:
        """Store marks, seen ids and records at once (records are checked before anything)."""
        self._check_open()
        encoded = [(ns, key, self._encode(ns, key, value)) for ns, key, value in commit.records]
        self._marks.setdefault(commit.site, {}).update(commit.marks)
        self._seen.setdefault(commit.site, {}).update(dict.fromkeys(commit.seen, commit.at))
        for namespace, key, raw in encoded:
            self._records.setdefault(namespace, {})[key] = raw

    def seen_ids(self, site: str, ids: Iterable[str]) -> frozenset[str]:
        """Return those of ``ids`` already reported for ``site``."""
        self._check_open()
        seen = self._seen.get(site, {})
        return frozenset(i for i in ids if i in seen)

    def mark_seen(self, site: str, ids: Iterable[str], at: datetime) -> None:
        """Remember ``ids`` as reported for ``site``."""
        self._check_open()
        self._seen.setdefault(site, {}).update(dict.fromkeys(ids, at))

    def prune_seen(self, before: datetime) -> int:
        """Forget ids last marked before ``before``, for every site; return how many."""
        self._check_open()
        forgotten = 0
        for seen in self._seen.values():
            old = [seen_id for seen_id, at in seen.items() if at < before]
            for seen_id in old:
                del seen[seen_id]
            forgotten += len(old)
        return forgotten

    def get_record(self, namespace: str, key: str) -> Mapping[str, Any] | None:
        """Return the JSON record stored under ``namespace``/``key``."""
        self._check_open()
        raw = self._records.get(namespace, {}).get(key)
        return None if raw is None else dict(json.loads(raw))

    def put_record(self, namespace: str, key: str, value: Mapping[str, Any]) -> None:
        """Store a JSON record under ``namespace``/``key``, replacing any previous one."""
        self._check_open()
        self._records.setdefault(namespace, {})[key] = self._encode(namespace, key, value)

    @staticmethod
    def _encode(namespace: str, key: str, value: Mapping[str, Any]) -> str:
        try:
            return json.dumps(dict(value), allow_nan=False)
        except (TypeError, ValueError) as err:
            raise StateError(f"record {namespace}/{key} is not JSON: {err}") from err

    def delete_record(self, namespace: str, key: str) -> bool:
        """Delete the record under ``namespace``/``key``; return whether there was one."""
        self._check_open()
        return self._records.get(namespace, {}).pop(key, None) is not None

    def records(self, namespace: str) -> Mapping[str, Mapping[str, Any]]:
        """Return every record in ``namespace``, by key."""
        self._check_open()
        return {key: json.loads(raw) for key, raw in self._records.get(namespace, {}).items()}

    def close(self) -> None:
        """Close the store; later calls raise :class:`StateError`."""
        self.closed = True
