"""The vocabulary as a Markdown table: every key, its family, what it means, how it is treated.

``docs/rules.md`` carries this table between two markers; a test fails when they differ, and
:func:`write_into` (the ``docs`` nox session) rewrites it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from unifi_scanner.vocabulary.actions import ROUTINE, THREAT
from unifi_scanner.vocabulary.keys import CLASSIC_KEYS, SEEN
from unifi_scanner.vocabulary.lookup import Entry, lookup
from unifi_scanner.vocabulary.v2 import V2_NAMES

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["END", "START", "markdown_table", "write_into"]

START: Final = "<!-- vocabulary table: generated from unifi_scanner.vocabulary, do not edit -->"
END: Final = "<!-- end of vocabulary table -->"
_SEEN: Final = frozenset(f"EVT_{f}_{a}" for f, actions in SEEN.items() for a in actions)


def _treatment(entry: Entry) -> str:
    if entry.rule == ROUTINE:
        return "routine summary (`site.routine`)"
    if entry.rule == THREAT:
        return "IPS triage (`ips.*`)"
    return f"`{entry.rule}`"


def _severity(entry: Entry) -> str:
    if entry.routine:
        return "low (counted)"
    policy = entry.policy
    if entry.family.critical and policy.critical is not None:
        return policy.critical
    if entry.rule == THREAT:
        return "by triage"
    return policy.describe()


def _family(entry: Entry) -> str:
    return f"{entry.family.code} ({entry.family.noun})" if entry.family.code else "any device"


def _row(key: str, entry: Entry, note: str) -> str:
    cells = (
        f"`{key}`",
        _family(entry),
        entry.action.says,
        _treatment(entry),
        _severity(entry),
        note,
    )
    return "| " + " | ".join(cells) + " |"


def markdown_table() -> str:
    """Every classic key, then every v2 name, one row each.

    Returns:
        The table, with its header, ending in a newline.
    """
    rows = [
        "| key | family | means: the subject… | treatment | severity | source |",
        "|---|---|---|---|---|---|",
    ]
    for key in CLASSIC_KEYS:
        entry = lookup(key)
        if entry is not None:
            rows.append(_row(key, entry, "real capture" if key in _SEEN else "catalogue"))
    for name, spec in V2_NAMES.items():
        entry = lookup(name)
        if entry is not None:
            twin = f"; as `EVT_{spec.family}_{spec.action}`" if spec.classic else ""
            rows.append(_row(name, entry, f"v2 ({spec.confidence}{twin})"))
    return "\n".join(rows) + "\n"


def write_into(path: Path) -> bool:
    """Replace the table between the markers in ``path``.

    Args:
        path: a Markdown file holding :data:`START` and :data:`END`.

    Returns:
        Whether the file changed.
    """
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(START + "\n")
    _, _, tail = rest.partition(END)
    updated = f"{head}{START}\n{markdown_table()}{END}{tail}"
    if updated == text:
        return False
    path.write_text(updated, encoding="utf-8")
    return True
