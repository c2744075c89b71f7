"""Text from outside (controller names, messages, integration data) made safe to show: one place.

Private to the package; the report renderers, the integrations' sections, chat and e-mail all
ask this module, so no format neutralises a different set of characters than another.

* **Terminal escapes** (``ESC [ … m``, ``ESC ] … BEL`` and the like) are removed whole: in a
  terminal or a log viewer they recolour, retitle or clear the screen.
* **Bidirectional controls** (embeddings, overrides and isolates, U+202A to U+202E and
  U+2066 to U+2069) are made visible as ``[U+202E]``: ``report``, U+202E, ``gnp.exe`` would
  show as ``reportexe.png``. The invisible direction marks (U+200E, U+200F, U+061C) go.
* **Other control characters** (C0 but tab and line breaks, DEL, C1) are removed; carriage
  returns and the Unicode line and paragraph separators become line breaks.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["markdown_escape", "one_line", "plain"]

_ESCAPE: Final = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clearing
    r"|\x9b[0-?]*[ -/]*[@-~]"  # the same, as one C1 character
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC: window titles, hyperlinks
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # any other escape (and a lone ESC)
)
_BREAKS: Final = re.compile("\r\n?|[\u2028\u2029\x85]")
_BIDI: Final = re.compile("[\u202a-\u202e\u2066-\u2069]")
_DROP: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c]")
_MD_SPECIAL: Final = re.compile(r"([\\`*_\[\]|~#!])")


def _visible(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group()):04X}]"


def plain(text: str) -> str:
    """``text`` with terminal escapes and controls removed, bidi controls visible.

    Tabs and line breaks stay (CR LF, a lone CR, U+2028 and U+2029 become LF).
    """
    if text.isprintable():
        return text  # the common case: nothing to do (controls and bidi are not printable)
    text = _ESCAPE.sub("", text)
    text = _BREAKS.sub("\n", text)
    text = _BIDI.sub(_visible, text)
    return _DROP.sub("", text)


def one_line(text: str) -> str:
    """Untrusted ``text`` for one line: :func:`plain`, every whitespace run one space."""
    if text.isprintable() and "  " not in text and text == text.strip():
        return text
    return " ".join(plain(text).split())


def markdown_escape(text: str) -> str:
    """Make untrusted ``text`` inert inside one line of Markdown (a paragraph or table cell).

    :func:`one_line`, so it cannot start a block; ``&``, ``<`` and ``>`` become entities, so it
    cannot carry raw HTML; inline markup characters are backslash-escaped, so it cannot open
    emphasis, code, links or tables.
    """
    flat = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", flat)
