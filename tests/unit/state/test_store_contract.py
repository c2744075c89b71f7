"""Both StateStore implementations keep the same contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from unifi_scanner.state import SqliteStateStore
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


def test_window_end_round_trips_per_site(any_store):
    """The window end is remembered per site."""
    any_store.set_window_end("default", T0)
    assert any_store.get_window_end("default") == T0
    assert any_store.get_window_end("branch") is None


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
