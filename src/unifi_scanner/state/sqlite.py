"""A :class:`~unifi_scanner.state.base.StateStore` in one SQLite file.

Concurrency: the database runs in WAL mode, so readers never block the writer. Every write is
one ``BEGIN IMMEDIATE`` transaction, which takes SQLite's own write lock on the file; a second
process (or a second store on the same file) waits up to ``busy_timeout_s`` for it and then fails
with :class:`~unifi_scanner.errors.StateError` rather than corrupting anything. Within one process
a store may be shared between threads (e.g. ``asyncio.to_thread``); a mutex serialises its use of
the one connection. WAL needs a local filesystem: do not put the file on NFS or SMB.

Schema versions are kept in ``PRAGMA user_version``; :data:`MIGRATIONS` brings any older file,
including a new empty one, up to date in one transaction each.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self

from unifi_scanner.errors import StateError
from unifi_scanner.state.base import SourceMark

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from types import TracebackType

    from unifi_scanner.state.base import Commit

__all__ = ["MIGRATIONS", "SqliteStateStore"]

MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE window_end (
        site TEXT PRIMARY KEY,
        end_at TEXT NOT NULL
    );
    CREATE TABLE seen_id (
        site TEXT NOT NULL,
        id TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (site, id)
    ) WITHOUT ROWID;
    CREATE INDEX seen_id_seen_at ON seen_id (seen_at);
    CREATE TABLE record (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
    ) WITHOUT ROWID;
    """,
    # 2: one mark per feed instead of one window end per site. A site's old window end becomes
    # every feed's mark (the feeds of version 1: events, ips, alarms); the shared "*" end of
    # `site: all` goes, each site having its own.
    """
    CREATE TABLE source_mark (
        site TEXT NOT NULL,
        feed TEXT NOT NULL,
        complete_until TEXT NOT NULL,
        reported_until TEXT NOT NULL,
        PRIMARY KEY (site, feed)
    ) WITHOUT ROWID;
    INSERT INTO source_mark (site, feed, complete_until, reported_until)
        SELECT w.site, f.feed, w.end_at, w.end_at
        FROM window_end AS w
        CROSS JOIN (SELECT 'events' AS feed UNION ALL SELECT 'ips' UNION ALL SELECT 'alarms') AS f
        WHERE w.site <> '*';
    DROP TABLE window_end;
    """,
)
"""Schema migrations; entry ``n`` takes ``user_version`` from ``n`` to ``n + 1``. Append only."""

_PUT_RECORD: Final = (
    "INSERT OR REPLACE INTO record (namespace, key, value, updated_at) VALUES (?, ?, ?, ?)"
)
_PUT_MARK: Final = (
    "INSERT OR REPLACE INTO source_mark (site, feed, complete_until, reported_until) "
    "VALUES (?, ?, ?, ?)"
)
_CHUNK = 500  # stays far below SQLite's host-parameter limit (999 on old builds)


def _encode_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("times given to the state store must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _decode_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class SqliteStateStore:
    """Durable state in a SQLite file: feed marks, seen ids and namespaced JSON records.

    Opening creates the parent directories and the file, switches to WAL mode and applies any
    pending migrations. Use it as a context manager, or call :meth:`close`.

    Args:
        path: the database file.
        now: the clock (aware UTC), used for record timestamps and pruning.
        busy_timeout_s: how long to wait for another writer's lock before failing.

    Raises:
        StateError: the file cannot be created or opened, is not a SQLite database, or was
            written by a newer version of UniFi Scanner.
    """

    def __init__(
        self,
        path: Path | str,
        now: Callable[[], datetime],
        *,
        busy_timeout_s: float = 5.0,
    ) -> None:
        self._path = Path(path)
        self._now = now
        self._mutex = threading.Lock()
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._conn: sqlite3.Connection | None = sqlite3.connect(
                self._path,
                timeout=busy_timeout_s,
                isolation_level=None,
                check_same_thread=False,
            )
        except (OSError, sqlite3.Error) as err:
            raise StateError(f"cannot open state store {self._path}: {err}") from err
        try:
            self._conn.execute("PRAGMA journal_mode=WAL").fetchone()
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except (sqlite3.Error, StateError) as err:
            self._conn.close()
            self._conn = None
            if isinstance(err, StateError):
                raise
            raise StateError(f"state store {self._path} is unusable: {err}") from err

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def schema_version(self) -> int:
        """The file's ``user_version`` (equals ``len(MIGRATIONS)`` once open)."""
        row = self._read("PRAGMA user_version", ())
        return int(row[0][0])

    def _migrate(self) -> None:
        assert self._conn is not None  # noqa: S101 - only called while open
        version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise StateError(
                f"state store {self._path} has schema {version}; this version knows up to "
                f"{len(MIGRATIONS)}: upgrade UniFi Scanner or use another file"
            )
        for target, script in enumerate(MIGRATIONS[version:], start=version + 1):
            statements = [s for s in script.split(";") if s.strip()]
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {target:d}")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StateError(f"state store {self._path} is closed")
        return self._conn

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        with self._mutex:
            try:
                return self._connection().execute(sql, params).fetchall()
            except sqlite3.Error as err:
                raise StateError(f"cannot read state store {self._path}: {err}") from err

    def _write(self, statements: Iterable[tuple[str, tuple[Any, ...]]]) -> int:
        """Run ``statements`` in one write transaction; return how many rows they changed."""
        with self._mutex:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    changed = 0
                    for sql, params in statements:
                        changed += conn.execute(sql, params).rowcount
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as err:
                raise StateError(f"cannot write state store {self._path}: {err}") from err
            return changed

    def source_marks(self, site: str) -> Mapping[str, SourceMark]:
        """Return each feed's mark for ``site``, by feed name (empty before the first report)."""
        sql = "SELECT feed, complete_until, reported_until FROM source_mark WHERE site = ?"
        return {
            feed: SourceMark(
                complete_until=_decode_time(complete), reported_until=_decode_time(reported)
            )
            for feed, complete, reported in self._read(sql, (site,))
        }

    def commit(self, commit: Commit) -> None:
        """Store a report's marks, seen ids and records in one transaction: all or nothing.

        Raises:
            ValueError: a time is naive.
            StateError: a record is not JSON-compatible, or the write failed (nothing is stored).
        """
        stamp = _encode_time(commit.at)
        statements: list[tuple[str, tuple[Any, ...]]] = [
            (
                _PUT_MARK,
                (
                    commit.site,
                    feed,
                    _encode_time(mark.complete_until),
                    _encode_time(mark.reported_until),
                ),
            )
            for feed, mark in commit.marks.items()
        ]
        seen_sql = "INSERT OR REPLACE INTO seen_id (site, id, seen_at) VALUES (?, ?, ?)"
        statements.extend((seen_sql, (commit.site, i, stamp)) for i in dict.fromkeys(commit.seen))
        statements.extend(
            (_PUT_RECORD, (namespace, key, self._encode_record(namespace, key, value), stamp))
            for namespace, key, value in commit.records
        )
        self._write(statements)

    def seen_ids(self, site: str, ids: Iterable[str]) -> frozenset[str]:
        """Return those of ``ids`` already reported for ``site``."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id FROM seen_id WHERE site = ? AND id IN ({marks})"  # noqa: S608
            found.update(row[0] for row in self._read(sql, (site, *chunk)))
        return frozenset(found)

    def mark_seen(self, site: str, ids: Iterable[str], at: datetime) -> None:
        """Remember ``ids`` as reported for ``site`` at ``at`` (a later mark refreshes it).

        Raises:
            ValueError: ``at`` is naive.
            StateError: the write failed.
        """
        stamp = _encode_time(at)
        sql = "INSERT OR REPLACE INTO seen_id (site, id, seen_at) VALUES (?, ?, ?)"
        self._write((sql, (site, item, stamp)) for item in dict.fromkeys(ids))

    def prune_seen(self, before: datetime) -> int:
        """Forget seen ids last marked before ``before``, for every site.

        Args:
            before: ids marked earlier than this are forgotten.

        Returns:
            How many ids were forgotten.
        """
        cutoff = _encode_time(before)
        return self._write([("DELETE FROM seen_id WHERE seen_at < ?", (cutoff,))])

    def get_record(self, namespace: str, key: str) -> Mapping[str, Any] | None:
        """Return the JSON record stored under ``namespace``/``key``."""
        sql = "SELECT value FROM record WHERE namespace = ? AND key = ?"
        rows = self._read(sql, (namespace, key))
        return self._decode_record(rows[0][0]) if rows else None

    def put_record(self, namespace: str, key: str, value: Mapping[str, Any]) -> None:
        """Store a JSON record under ``namespace``/``key``, replacing any previous one.

        Raises:
            StateError: ``value`` is not JSON-compatible, or the write failed.
        """
        text = self._encode_record(namespace, key, value)
        self._write([(_PUT_RECORD, (namespace, key, text, _encode_time(self._now())))])

    @staticmethod
    def _encode_record(namespace: str, key: str, value: Mapping[str, Any]) -> str:
        try:
            return json.dumps(dict(value), sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as err:
            raise StateError(f"record {namespace}/{key} is not JSON-compatible: {err}") from err

    def delete_record(self, namespace: str, key: str) -> bool:
        """Delete the record under ``namespace``/``key``; return whether there was one."""
        sql = "DELETE FROM record WHERE namespace = ? AND key = ?"
        return self._write([(sql, (namespace, key))]) > 0

    def records(self, namespace: str) -> Mapping[str, Mapping[str, Any]]:
        """Return every record in ``namespace``, by key (sorted by key)."""
        sql = "SELECT key, value FROM record WHERE namespace = ? ORDER BY key"
        return {key: self._decode_record(text) for key, text in self._read(sql, (namespace,))}

    def _decode_record(self, text: str) -> Mapping[str, Any]:
        try:
            value = json.loads(text)
        except ValueError as err:
            raise StateError(f"state store {self._path} holds a broken record: {err}") from err
        if not isinstance(value, dict):
            raise StateError(f"state store {self._path} holds a record that is not an object")
        return value

    def close(self) -> None:
        """Close the database; later calls raise :class:`StateError`. Closing twice is fine."""
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        """Return the store itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()
