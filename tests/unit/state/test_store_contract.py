"""Both StateStore implementations keep the same contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from unifi_scanner.state import Commit, SourceMark, SqliteStateStore
from unifi_scanner.testing import MemoryStateStore

T0 = datetime(2026, 11, 26, 12, tzinfo=UTC)


@pytest.fixture(name="any_store", params=["sqlite", "memory"])
def any_store_fixture(request, tmp_path):
    """A SQLite store and the in-memory test store, in turn."""
    store = (
        SqliteStateStore(tmp_path / "state.sqlite3", lambda: T0)
        if request.param == "sqlite"
        else MemoryStateStore()
    )
    yield store
    store.close()


def test_commit_round_trips_marks_ids_and_records(any_store):
    """A commit's marks are kept per site and feed, its ids and records with them."""
    mark = SourceMark(complete_until=T0, reported_until=T0 + timedelta(hours=1))
    any_store.commit(
        Commit(
            site="default",
            marks={"events": mark},
            seen=["a"],
            at=T0,
            records=[("outbox", "k", {"v": 1})],
        )
    )
    assert any_store.source_marks("default") == {"events": mark}
    assert any_store.source_marks("branch") == {}
    assert any_store.seen_ids("default", ["a", "b"]) == frozenset({"a"})
    assert any_store.get_record("outbox", "k") == {"v": 1}


def test_a_commit_with_a_bad_record_stores_nothing(any_store):
    """A record that is not JSON fails the whole commit."""
    from unifi_scanner.errors import StateError

    with pytest.raises(StateError):
        any_store.commit(
            Commit(
                site="default",
                marks={"events": SourceMark(complete_until=T0, reported_until=T0)},
                seen=["a"],
                at=T0,
                records=[("outbox", "k", {"when": T0})],
            )
        )
    assert any_store.source_marks("default") == {}
    assert any_store.seen_ids("default", ["a"]) == frozenset()


def test_prune_forgets_ids_marked_before_the_cutoff(any_store):
    """prune_seen forgets old ids in every site and says how many."""
    any_store.mark_seen("default", ["old", "new"], T0 - timedelta(days=100))
    any_store.mark_seen("default", ["new"], T0)
    any_store.mark_seen("branch", ["old"], T0 - timedelta(days=100))
    assert any_store.prune_seen(T0 - timedelta(days=90)) == 2
    assert any_store.seen_ids("default", ["old", "new"]) == frozenset({"new"})
    assert any_store.seen_ids("branch", ["old"]) == frozenset()


def test_records_are_namespaced(any_store):
    """Records of one namespace are invisible in another."""
    any_store.put_record("breaker", "x", {"state": "open"})
    assert any_store.get_record("breaker", "x") == {"state": "open"}
    assert any_store.get_record("status", "x") is None
    assert dict(any_store.records("breaker")) == {"x": {"state": "open"}}
