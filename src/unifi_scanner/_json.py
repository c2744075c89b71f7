"""Bounded JSON: the size, depth and item-count limits on every JSON document from outside.

Private to the package. Controller answers, websocket frames and exported files are decoded
here, each kind with its own :class:`JsonLimits`; nothing else in the package decodes JSON it did
not write itself (the state store reads back only its own records). A document over a limit
raises :class:`~unifi_scanner.errors.InputLimitError` before it is decoded, with a message that
names the limit; each caller says which document it was (docs/exceptions.md, "Input limits").

The depth and item checks never walk the decoded objects in Python: they scan the bytes in a few
C-speed steps (``re.sub``, ``translate``, ``replace``), which costs about two thirds of what msgspec
needs to decode the same bytes (docs/performance.md). Without them a document nested a thousand
deep made msgspec raise ``RecursionError`` (on a thread with a small stack it can crash the
process), and an array of a million empty objects in 3 MB of JSON became 100 MB of dicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import msgspec

from unifi_scanner.errors import InputLimitError

__all__ = [
    "CONTROLLER_ANSWER",
    "EXPORTED_FILE",
    "MAX_DEPTH",
    "WEBSOCKET_FRAME",
    "WEBSOCKET_MESSAGE_CEILING",
    "JsonLimits",
    "check_nesting",
    "check_size",
    "decode_json",
]

_MIB: Final = 1024 * 1024

MAX_DEPTH: Final = 64
"""The deepest nesting of arrays and objects (``[]`` is 1 deep). Real answers reach 7."""


@dataclass(frozen=True, slots=True, kw_only=True)
class JsonLimits:
    """The limits on one kind of JSON document.

    Attributes:
        max_bytes: the largest document, in bytes (after any HTTP content decoding).
        max_items: the most items one array, or members one object, may hold.
        max_depth: the deepest nesting of arrays and objects; a scalar is 0 deep, ``[]`` 1.
    """

    max_bytes: int
    max_items: int
    max_depth: int = MAX_DEPTH


CONTROLLER_ANSWER: Final = JsonLimits(max_bytes=64 * _MIB, max_items=100_000)
"""One REST answer. A page of 3,000 events weighs 1.5-3 MB and a site of 1,000 devices with
10,000 clients about 30 MB; decoded, a document takes about 3.3 times its size in memory."""

WEBSOCKET_FRAME: Final = JsonLimits(max_bytes=4 * _MIB, max_items=100_000)
"""One websocket text frame; frames hold a few events or one device's sync (at most ~60 kB)."""

WEBSOCKET_MESSAGE_CEILING: Final = 4 * WEBSOCKET_FRAME.max_bytes
"""The websocket library's own bound: a message over it breaks the connection (close 1009)."""

EXPORTED_FILE: Final = JsonLimits(max_bytes=256 * _MIB, max_items=1_000_000)
"""One file given to ``analyze`` (about 500,000 events); larger exports go in several files."""

_BOM: Final = b"\xef\xbb\xbf"
_DECODER: Final = msgspec.json.Decoder()
# The scan keeps quotes, brackets and commas, with objects' braces turned into brackets.
_KEPT: Final = b'"[]{},'
_DROPPED: Final = bytes(sorted(set(range(256)) - set(_KEPT)))
_BRACKETS: Final = bytes.maketrans(b"{}", b"[]")
_LEAF: Final = re.compile(rb"\[,*\]")
_ESCAPE: Final = re.compile(rb"\\.", re.DOTALL)  # a backslash and the character it escapes


def check_size(size: int, limits: JsonLimits) -> None:
    """Refuse a document of ``size`` bytes when it is over ``limits.max_bytes``.

    Args:
        size: the document's size so far, or as announced, in bytes.
        limits: the limits of this kind of document.

    Raises:
        InputLimitError: ``size`` is over the limit (``limit="bytes"``).
    """
    if size > limits.max_bytes:
        message = f"larger than the limit of {_mib(limits.max_bytes)}"
        raise InputLimitError(message, limit="bytes", maximum=limits.max_bytes)


def check_nesting(data: bytes, limits: JsonLimits) -> None:
    """Refuse a document nested too deep or with too many items in one array or object.

    Exact for valid JSON. For bytes that are not JSON it may refuse what the decoder would
    have refused anyway (it never lets through what would make the decoder recurse too deep).

    Args:
        data: the document's UTF-8 bytes.
        limits: the limits of this kind of document.

    Raises:
        InputLimitError: ``limit="depth"`` or ``limit="items"``.
    """
    marks = _marks(data)
    if marks.count(b",") >= limits.max_items:  # else no array or object can hold too many
        marks = _outside_strings(marks)
        if _too_many_items(marks, limits.max_items):
            message = (
                f"with more than the limit of {limits.max_items:,} items in one array or object"
            )
            raise InputLimitError(message, limit="items", maximum=limits.max_items)
    brackets = _outside_strings(marks.translate(None, b","))
    if _too_deep(brackets, limits.max_depth):
        message = f"nested deeper than the limit of {limits.max_depth} levels"
        raise InputLimitError(message, limit="depth", maximum=limits.max_depth)


def decode_json(data: bytes | str, limits: JsonLimits) -> object:
    """Check ``data`` against ``limits``, then decode it (msgspec; a UTF-8 BOM is allowed).

    Args:
        data: the document, as bytes (UTF-8) or text.
        limits: the limits of this kind of document.

    Returns:
        The decoded value: dicts, lists, strings, numbers, booleans and ``None``.

    Raises:
        InputLimitError: the document is over a limit; nothing was decoded.
        ValueError: the document is not UTF-8 JSON (``msgspec.DecodeError``).
    """
    if isinstance(data, str):
        check_size(len(data), limits)  # never fewer bytes than characters
        data = data.encode()
    data = data.removeprefix(_BOM)
    check_size(len(data), limits)
    check_nesting(data, limits)
    return _DECODER.decode(data)


def _mib(size: int) -> str:
    return f"{size / _MIB:g} MiB"


def _marks(data: bytes) -> bytes:
    """The quotes, brackets (``{}`` as ``[]``) and commas of ``data``, escaped quotes left out."""
    if b"\\" in data:  # an escaped quote ends no string: drop every escape sequence
        data = _ESCAPE.sub(b"", data)
    return data.translate(_BRACKETS, _DROPPED)


def _outside_strings(marks: bytes) -> bytes:
    """``marks`` without what is inside strings (the quotes go too)."""
    # Most strings hold no bracket or comma and are left as "": dropping an even run of
    # adjacent quotes keeps every other quote's parity, so what is inside a string stays inside.
    marks = marks.replace(b'""""', b"").replace(b'""', b"")
    if b'"' in marks:
        marks = b"".join(marks.split(b'"')[::2])
    return marks


def _too_many_items(skeleton: bytes, max_items: int) -> bool:
    """Whether one array or object holds more than ``max_items`` items (commas plus one)."""
    if skeleton.count(b",") < max_items:
        return False
    too_many = b"," * max_items
    while too_many not in skeleton:
        # Innermost containers go; their parents' commas close up around where they were.
        pruned = _LEAF.sub(b"", skeleton)
        if len(pruned) == len(skeleton):
            return False
        skeleton = pruned
    return True


def _too_deep(brackets: bytes, max_depth: int) -> bool:
    """Whether ``brackets`` nest deeper than ``max_depth``; each pass removes the innermost."""
    if b"[" * (max_depth + 1) in brackets:
        return True
    depth = 0
    while brackets:
        pruned = brackets.replace(b"[]", b"")
        if len(pruned) == len(brackets):
            # Not JSON (closers, then openers never closed): count the open ones as depth.
            return depth + brackets.count(b"[") > max_depth
        depth += 1
        if depth > max_depth:
            return True
        brackets = pruned
    return False
