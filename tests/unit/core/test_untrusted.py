"""Outside text made safe to show: the one module every format uses."""

from __future__ import annotations

import pytest

from unifi_scanner._untrusted import markdown_escape, one_line, plain


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("AP-Office", "AP-Office"),
        ("Name \x1b[31mred\x1b[0m", "Name red"),
        ("x\x1b[2J\x1b[Hy", "xy"),
        ("title\x1b]0;pwned\x07 end", "title end"),
        ("link \x1b]8;;http://evil\x1b\\here\x1b]8;;\x1b\\", "link here"),
        ("csi \x9b31mone", "csi one"),
        ("nul\x00 bell\x07 del\x7f c1\x85", "nul bell del c1\n"),
        ("report\u202egnp.exe", "report[U+202E]gnp.exe"),
        ("a\u2066b\u2069c", "a[U+2066]b[U+2069]c"),
        ("marks\u200e\u200f\u061c gone", "marks gone"),
        ("line\r\nbreaks\rand\u2028more", "line\nbreaks\nand\nmore"),
        ("tab\tstays", "tab\tstays"),
        ("lone ESC\x1b", "lone ESC"),
        ("Café, 東京 🙂", "Café, 東京 🙂"),
    ],
)
def test_plain_removes_escapes_and_controls_and_shows_bidi(raw, shown):
    """Escapes go whole, controls go, bidi controls are visible, line breaks are LF."""
    assert plain(raw) == shown


def test_plain_text_is_returned_as_is():
    """Printable text is not copied (the common case costs one check)."""
    text = "Switch-Lobby lost contact"
    assert plain(text) is text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("10.0.0.5\n\nCRITICAL: all clear", "10.0.0.5 CRITICAL: all clear"),
        ("  spaced   out  ", "spaced out"),
        ("a\u2028b\x85c", "a b c"),
        ("x\x1b[1m y", "x y"),
    ],
)
def test_one_line_can_never_start_another_line(raw, shown):
    """Every whitespace run, line breaks included, is one space."""
    assert one_line(raw) == shown


def test_the_markdown_escaper_makes_markup_inert():
    """No block, no raw HTML, no link, no emphasis, no table cell; controls and bidi handled."""
    hostile = "# *bold* [x](http://e) <b>|</b> `c` ~s~ !i \x1b[31m\u202e\n- item"
    assert markdown_escape(hostile) == (
        r"\# \*bold\* \[x\](http://e) &lt;b&gt;\|&lt;/b&gt; \`c\` \~s\~ \!i \[U+202E\] - item"
    )
