"""State: the :class:`StateStore` Protocol and its SQLite backend."""

from unifi_scanner.state.base import Commit, SourceMark, StateStore
from unifi_scanner.state.sqlite import MIGRATIONS, SqliteStateStore

__all__ = ["MIGRATIONS", "Commit", "SourceMark", "SqliteStateStore", "StateStore"]
