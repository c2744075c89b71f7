"""SqliteStateStore: round-trips, persistence, migrations, pruning and errors."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from unifi_scanner.errors import StateError
from unifi_scanner.state import MIGRATIONS, Commit, SourceMark, SqliteStateStore, StateStore

T0 = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def _marks(end: datetime, reported: datetime | None = None) -> dict[str, SourceMark]:
    mark = SourceMark(complete_until=end, reported_until=reported or end)
    return {"events": mark, "ips": mark, "alarms": mark}


def _commit(store, site: str, end: datetime, **extra) -> None:
    store.commit(Commit(site=site, marks=_marks(end), seen=(), at=T0, **extra))


class FrozenClock:
    """A settable clock."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture(name="clock")
def clock_fixture():
    """A clock frozen at 2026-11-26 06:00 UTC."""
    return FrozenClock(T0)


@pytest.fixture(name="db_path")
def db_path_fixture(tmp_path):
    """A database path in a directory that does not exist yet."""
    return tmp_path / "nested" / "dir" / "state.sqlite3"


@pytest.fixture(name="store")
def store_fixture(db_path, clock):
    """An open store, closed after the test."""
    with SqliteStateStore(db_path, clock) as store:
        yield store


def test_satisfies_the_state_store_protocol(store):
    """SqliteStateStore can be used wherever a StateStore is expected."""
    typed: StateStore = store
    assert typed.source_marks("default") == {}


def test_creates_parent_directories_and_uses_wal(store, db_path):
    """Opening creates the directories and the file, in WAL mode at the latest schema."""
    assert db_path.is_file()
    assert store.path == db_path
    assert store.schema_version == len(MIGRATIONS)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_marks_round_trip_per_site_and_feed(store):
    """Each site keeps one mark per feed, returned as aware UTC; a later commit replaces it."""
    berlin = datetime(2026, 11, 26, 7, 0, 0, 123456, tzinfo=ZoneInfo("Europe/Berlin"))
    _commit(store, "default", berlin)
    _commit(store, "branch", T0)
    marks = store.source_marks("default")
    assert set(marks) == {"events", "ips", "alarms"}
    exact = datetime(2026, 11, 26, 6, 0, 0, 123456, tzinfo=UTC)
    assert marks["ips"] == SourceMark(complete_until=exact, reported_until=exact)
    assert marks["ips"].complete_until.tzinfo is UTC
    behind = SourceMark(complete_until=T0, reported_until=T0 + timedelta(hours=2))
    store.commit(Commit(site="default", marks={"ips": behind}, seen=(), at=T0))
    assert store.source_marks("default")["ips"] == behind
    assert store.source_marks("default")["events"].complete_until == exact
    assert store.source_marks("branch")["alarms"].complete_until == T0
    assert store.source_marks("other") == {}


def test_commit_stores_marks_seen_ids_and_records_together(store):
    """One commit stores the marks, the reported ids and the records."""
    store.commit(
        Commit(
            site="default",
            marks=_marks(T0),
            seen=["a", "b", "a"],
            at=T0,
            records=[("outbox", "file/R1", {"status": "pending"})],
        )
    )
    assert store.seen_ids("default", ["a", "b", "c"]) == frozenset({"a", "b"})
    assert store.get_record("outbox", "file/R1") == {"status": "pending"}
    assert store.source_marks("default")["events"].complete_until == T0


def test_a_failed_commit_stores_nothing(store):
    """A record that is not JSON fails the commit before anything of it is stored."""
    with pytest.raises(StateError, match="not JSON-compatible"):
        store.commit(
            Commit(
                site="default",
                marks=_marks(T0),
                seen=["a"],
                at=T0,
                records=[("outbox", "ok", {"v": 1}), ("outbox", "bad", {"when": T0})],
            )
        )
    assert store.source_marks("default") == {}
    assert store.seen_ids("default", ["a"]) == frozenset()
    assert store.records("outbox") == {}


def test_a_commit_interrupted_by_the_database_stores_nothing(db_path, clock):
    """When the write lock cannot be had, the commit fails whole and can be retried."""
    store = SqliteStateStore(db_path, clock, busy_timeout_s=0)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StateError, match="locked"):
            _commit(store, "default", T0, records=[("outbox", "k", {"v": 1})])
        other.execute("ROLLBACK")
        assert store.source_marks("default") == {}
        assert store.records("outbox") == {}
    finally:
        other.close()
        store.close()


def test_version_1_window_ends_become_every_feeds_mark(db_path, clock):
    """A version-1 file's window ends become each site's feed marks; the shared '*' end goes."""
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    for statement in (s for s in MIGRATIONS[0].split(";") if s.strip()):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO window_end VALUES ('default', ?), ('*', ?)", (T0.isoformat(),) * 2)
    conn.execute("INSERT INTO seen_id VALUES ('default', 'a', ?)", (T0.isoformat(),))
    conn.close()
    with SqliteStateStore(db_path, clock) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.source_marks("default") == _marks(T0)
        assert store.source_marks("*") == {}
        assert store.seen_ids("default", ["a"]) == frozenset({"a"})


def test_naive_times_are_rejected(store):
    """A naive time is a programming error and nothing is written."""
    with pytest.raises(ValueError, match="timezone-aware"):
        _commit(store, "default", datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        store.mark_seen("default", ["a"], datetime(2026, 1, 1))  # noqa: DTZ001
    assert store.seen_ids("default", ["a"]) == frozenset()


def test_seen_ids_are_per_site(store):
    """Only ids marked for the same site count as seen."""
    store.mark_seen("default", ["a", "b", "a"], T0)
    assert store.seen_ids("default", ["a", "c", "b"]) == frozenset({"a", "b"})
    assert store.seen_ids("branch", ["a"]) == frozenset()
    assert store.seen_ids("default", []) == frozenset()


def test_seen_ids_handle_more_ids_than_sqlite_parameters(store):
    """Thousands of ids are looked up in chunks below SQLite's parameter limit."""
    ids = [f"id-{n}" for n in range(2500)]
    store.mark_seen("default", ids[:1200], T0)
    assert store.seen_ids("default", ids) == frozenset(ids[:1200])


def test_prune_forgets_only_old_ids(store, clock):
    """Pruning forgets ids marked before the cutoff, for every site, and counts them."""
    store.mark_seen("default", ["old"], T0 - timedelta(days=31))
    store.mark_seen("branch", ["old"], T0 - timedelta(days=40))
    store.mark_seen("default", ["new"], T0 - timedelta(days=29))
    assert store.prune_seen(T0 - timedelta(days=30)) == 2
    assert store.seen_ids("default", ["old", "new"]) == frozenset({"new"})
    assert store.seen_ids("branch", ["old"]) == frozenset()


def test_marking_again_refreshes_the_age(store, clock):
    """An id marked again is as young as its latest mark."""
    store.mark_seen("default", ["x"], T0 - timedelta(days=60))
    store.mark_seen("default", ["x"], T0)
    assert store.prune_seen(T0 - timedelta(days=30)) == 0


def test_records_round_trip_by_namespace(store):
    """Records are JSON mappings kept per namespace and key; a put replaces the old one."""
    store.put_record("breaker", "alpha", {"state": "open", "failures": 3, "nested": [1, None]})
    store.put_record("breaker", "alpha", {"state": "closed", "failures": 0})
    store.put_record("breaker", "beta", {"state": "open"})
    store.put_record("last_good", "alpha", {"data": {"x": 1}})
    assert store.get_record("breaker", "alpha") == {"state": "closed", "failures": 0}
    assert store.get_record("breaker", "gamma") is None
    assert store.records("breaker") == {
        "alpha": {"state": "closed", "failures": 0},
        "beta": {"state": "open"},
    }
    assert store.records("empty") == {}


def test_delete_record_reports_whether_it_existed(store):
    """Deleting removes the record and says whether there was one."""
    store.put_record("ns", "k", {"v": 1})
    assert store.delete_record("ns", "k") is True
    assert store.delete_record("ns", "k") is False
    assert store.get_record("ns", "k") is None


@pytest.mark.parametrize("value", [{"when": T0}, {"x": float("nan")}])
def test_non_json_record_raises_state_error(store, value):
    """A record JSON cannot represent fails as StateError and is not stored."""
    with pytest.raises(StateError, match="not JSON-compatible"):
        store.put_record("ns", "k", value)
    assert store.get_record("ns", "k") is None


def test_reopening_keeps_everything(db_path, clock):
    """Data written by one store is there when the file is opened again."""
    with SqliteStateStore(db_path, clock) as first:
        _commit(first, "default", T0)
        first.mark_seen("default", ["a"], T0)
        first.put_record("ns", "k", {"v": 1})
    with SqliteStateStore(db_path, clock) as second:
        assert second.source_marks("default") == _marks(T0)
        assert second.seen_ids("default", ["a"]) == frozenset({"a"})
        assert second.get_record("ns", "k") == {"v": 1}


def test_migrates_an_empty_file(db_path, clock):
    """An existing empty file is migrated to the latest schema."""
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    with SqliteStateStore(db_path, clock) as store:
        assert store.schema_version == len(MIGRATIONS)
        _commit(store, "default", T0)
        assert store.source_marks("default") == _marks(T0)


def test_newer_schema_is_refused(db_path, clock):
    """A file from a newer version is refused rather than misread."""
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StateError, match="upgrade UniFi Scanner"):
        SqliteStateStore(db_path, clock)


def test_corrupt_file_raises_state_error(db_path, clock):
    """A file that is not a SQLite database fails as StateError chained to sqlite3's error."""
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database, just some bytes" * 100)
    with pytest.raises(StateError) as caught:
        SqliteStateStore(db_path, clock)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)


def test_unopenable_path_raises_state_error(tmp_path, clock):
    """A path under a regular file cannot be created and fails as StateError."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(StateError, match="cannot open"):
        SqliteStateStore(blocker / "state.sqlite3", clock)


def test_closed_store_raises_state_error(db_path, clock):
    """After close, every call fails as StateError; closing twice is harmless."""
    store = SqliteStateStore(db_path, clock)
    store.close()
    store.close()
    with pytest.raises(StateError, match="closed"):
        store.source_marks("default")
    with pytest.raises(StateError, match="closed"):
        store.put_record("ns", "k", {})


def test_broken_record_raises_state_error(store, db_path):
    """A record that is not a JSON object in the file fails as StateError when read."""
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO record (namespace, key, value, updated_at) VALUES ('ns', 'a', '[1]', 'x'), "
        "('ns', 'b', '{broken', 'x')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="not an object"):
        store.get_record("ns", "a")
    with pytest.raises(StateError, match="broken record"):
        store.get_record("ns", "b")


def test_two_stores_on_one_file_see_each_others_writes(db_path, clock):
    """Two stores on the same file (as two processes would) share data without corruption."""
    with SqliteStateStore(db_path, clock) as one, SqliteStateStore(db_path, clock) as two:
        one.put_record("ns", "a", {"v": 1})
        two.put_record("ns", "b", {"v": 2})
        one.mark_seen("default", ["x"], T0)
        assert two.records("ns") == {"a": {"v": 1}, "b": {"v": 2}}
        assert two.seen_ids("default", ["x"]) == frozenset({"x"})
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_writer_lock_held_elsewhere_raises_state_error(db_path, clock):
    """While another connection holds the write lock, a write times out as StateError."""
    store = SqliteStateStore(db_path, clock, busy_timeout_s=0)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StateError, match="locked"):
            _commit(store, "default", T0)
        other.execute("ROLLBACK")
        _commit(store, "default", T0)
        assert store.source_marks("default") == _marks(T0)
    finally:
        other.close()
        store.close()


def test_failed_migration_rolls_back(db_path, clock, monkeypatch):
    """A migration that fails leaves the file at its previous version, with nothing half-made."""
    from unifi_scanner.state import sqlite as sqlite_module

    with SqliteStateStore(db_path, clock):
        pass
    broken = (*MIGRATIONS, "CREATE TABLE extra (x INTEGER); CREATE TABLE extra (y INTEGER)")
    monkeypatch.setattr(sqlite_module, "MIGRATIONS", broken)
    with pytest.raises(StateError, match="unusable"):
        SqliteStateStore(db_path, clock)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "extra" not in tables
    finally:
        conn.close()
