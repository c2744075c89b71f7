"""State: the :class:`StateStore` Protocol, its SQLite backend and an in-memory one."""

from unifi_scanner.state.base import Commit, SourceMark, StateStore
from unifi_scanner.state.memory import MemoryStateStore
from unifi_scanner.state.sqlite import MIGRATIONS, SqliteStateStore

__all__ = [
    "MIGRATIONS",
    "Commit",
    "MemoryStateStore",
    "SourceMark",
    "SqliteStateStore",
    "StateStore",
]
