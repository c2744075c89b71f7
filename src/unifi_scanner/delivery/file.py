"""Write reports as files: ``unifi-report-<site>-<UTC time>-<report id>.<ext>``, atomically.

Each delivery also adds the report to the directory's ``index.json`` and makes the history page
``index.html`` again (:mod:`~unifi_scanner.delivery.history_index`).

A file is never overwritten: each report has its own id. A file that exists already holds this
same report when an earlier attempt wrote it but was stopped before it could say so (the outbox
then tries again): identical content counts as delivered; different content makes the delivery
fail rather than replace it.
"""

from __future__ import annotations

import asyncio
import os
import re
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from filelock import Timeout

from unifi_scanner.delivery._atomic import flushed_copy
from unifi_scanner.delivery.base import DeliveryReceipt, require_formats
from unifi_scanner.delivery.history_index import update_history
from unifi_scanner.errors import DeliveryError, RenderError
from unifi_scanner.reports import FILE_EXTENSIONS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from unifi_scanner.reports import Report

__all__ = ["FileDeliverer", "report_file_name"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_log = structlog.get_logger(__name__)


def report_file_name(report: Report, fmt: str) -> str:
    """Return the file name of ``report`` in format ``fmt``.

    The site name comes from the controller and is untrusted: anything but letters, digits,
    ``-`` and ``_`` becomes ``_``, so it cannot leave the directory.

    Args:
        report: the report; its site, ``generated_at`` and id name the file.
        fmt: a key of ``reports.FILE_EXTENSIONS``.

    Returns:
        ``unifi-report-<site>-<YYYYmmddTHHMMSSZ>-<report id>.<ext>``: names sort by time.
    """
    site = _UNSAFE.sub("_", report.site.name).strip("_") or "site"
    stamp = report.generated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    ident = _UNSAFE.sub("_", report.id) or "report"
    return f"unifi-report-{site}-{stamp}-{ident}.{FILE_EXTENSIONS[fmt]}"


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, flush it, then link it into place.

    A link never replaces a file. When ``path`` exists already with exactly ``text`` (this report,
    written by an attempt that was stopped before it was recorded), that is success.

    Raises:
        FileExistsError: ``path`` exists with other content.
    """
    if _holds(path, text):
        return
    with flushed_copy(path, text) as temp:
        try:
            os.link(temp, path)  # atomic, and never over an existing file
        except FileExistsError:
            if not _holds(path, text):
                raise


def _holds(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() == text.encode("utf-8")
    except FileNotFoundError:
        return False


class FileDeliverer:
    """Writes each configured format of a report into ``directory``.

    Files are written to a temporary name and linked into place, so a reader never sees half a
    report, and an existing file is never replaced. The directory is created when missing.

    Args:
        directory: where the files go.
        formats: which formats to write (keys of ``reports.FILE_EXTENSIONS``).

    Raises:
        ValueError: a format is unknown, or none is given.
    """

    def __init__(self, directory: Path | str, formats: Iterable[str] = ("html", "json")) -> None:
        self._directory = Path(directory)
        self._formats = tuple(dict.fromkeys(formats))
        unknown = sorted(set(self._formats) - set(FILE_EXTENSIONS))
        if unknown or not self._formats:
            raise ValueError(f"unknown or no report formats: {unknown}")

    @property
    def name(self) -> str:
        """``file``."""
        return "file"

    @property
    def formats(self) -> tuple[str, ...]:
        """The formats written, in the order given."""
        return self._formats

    @property
    def directory(self) -> Path:
        """Where the files go."""
        return self._directory

    def _write(self, report: Report, rendered: Mapping[str, str]) -> tuple[Path, ...]:
        self._directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for fmt in self._formats:
            path = self._directory / report_file_name(report, fmt)
            _write_atomically(path, rendered[fmt])
            paths.append(path)
        try:  # the history page is a convenience: the report is delivered either way
            written = dict(zip(self._formats, paths, strict=True))
            update_history(self._directory, report, written, now=report.generated_at)
        except (OSError, RenderError, Timeout) as err:
            _log.warning("the history page could not be updated", error=str(err))
        return tuple(paths)

    async def deliver(self, report: Report, rendered: Mapping[str, str]) -> DeliveryReceipt:
        """Write the report's files (in a worker thread, so the event loop is not blocked).

        Args:
            report: the report (its site and time name the files).
            rendered: the report's text by format.

        Returns:
            A receipt whose ``destinations`` are the written paths.

        Raises:
            DeliveryError: a format was not rendered, or a file could not be written.
        """
        require_formats(self.name, self._formats, rendered)
        try:
            paths = await asyncio.to_thread(self._write, report, rendered)
        except OSError as err:
            raise DeliveryError(
                f"could not write report to {self._directory}: {err}", channel=self.name
            ) from err
        return DeliveryReceipt(channel=self.name, destinations=tuple(str(p) for p in paths))
