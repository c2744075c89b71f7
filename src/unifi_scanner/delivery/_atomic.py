"""A flushed temporary copy of a new file content, next to the file: step one of an atomic write."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["flushed_copy"]


@contextlib.contextmanager
def flushed_copy(path: Path, text: str) -> Iterator[Path]:
    """Write ``text`` to a temporary file next to ``path``, flushed to disk; remove it after.

    The caller links or renames it into place inside the ``with`` block; whatever happens, the
    temporary name is gone afterwards.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        yield temp
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
