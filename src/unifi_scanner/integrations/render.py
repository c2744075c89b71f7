"""The default :class:`~unifi_scanner.integrations.base.SectionRenderer`: a key/value table.

Used for every integration that brings no renderer of its own. HTML goes through an
autoescaping Jinja environment, so data from an external service can never inject markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import jinja2
from markupsafe import Markup

from unifi_scanner._untrusted import markdown_escape, one_line

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from unifi_scanner.integrations.base import IntegrationSection

__all__ = [
    "DEFAULT_RENDERER",
    "Block",
    "BlockSectionRenderer",
    "DefaultSectionRenderer",
    "SectionView",
    "defang",
    "section_note",
    "text_table",
]

_ENV: Final = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_BLOCKS_HTML: Final = _ENV.from_string(
    """{% if v.note %}<p class="integration-note">{{ v.note }}</p>{% endif %}
{%- if v.period %}<p>{{ v.period }}</p>{% endif %}
{%- for block in v.blocks %}
<p><strong>{{ block.title }}</strong>{% if block.summary %}: {{ block.summary }}{% endif %}</p>
{%- if block.rows %}
<table class="grid" cellpadding="0" cellspacing="0"><tr>
{%- for head in block.header %}<th>{{ head }}</th>{% endfor %}</tr>
{%- for row in block.rows %}<tr>
{%- for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}
</table>
{%- endif %}
{%- for line in block.lines %}<p class="integration-note">{{ line }}</p>{% endfor %}
{%- endfor %}"""
)
_HTML: Final = _ENV.from_string(
    """{% if note %}<p class="integration-note">{{ note }}</p>{% endif %}
{%- if rows %}<table class="integration-data">
{%- for key, value in rows %}<tr><th>{{ key }}</th><td>{{ value }}</td></tr>{% endfor -%}
</table>{% elif not note %}<p class="integration-note">No data.</p>{% endif %}"""
)


def section_note(section: IntegrationSection) -> str | None:
    """Return the line to show above the data: the error, or None when the data is current."""
    return section.error_message


def _cell(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


def _rows(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(key), _cell(value)) for key, value in data.items()]


_CELL_WIDTH: Final = 44


def _fit(cell: str) -> str:
    flat = one_line(cell)
    return flat if len(flat) <= _CELL_WIDTH else flat[: _CELL_WIDTH - 1] + "…"


def text_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  "
) -> list[str]:
    """Return a plain-text table: a header, a rule, aligned columns; long cells shortened.

    Args:
        header: the column names.
        rows: the rows (as many cells as the header).
        indent: what each line starts with.

    Returns:
        The lines (none when there are no rows).
    """
    if not rows:
        return []
    table = [[_fit(str(cell)) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [
        indent + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in table
    ]
    lines.insert(1, indent + "  ".join("-" * width for width in widths))
    return [line.rstrip() for line in lines]


def defang(name: str) -> str:
    """Return a harmful domain or URL that no mail client or viewer turns into a link.

    ``login-paypa1.example`` becomes ``login-paypa1[.]example``; ``http`` becomes ``hxxp``.
    """
    text = name.replace("http://", "hxxp://").replace("https://", "hxxps://")
    return text.replace(".", "[.]")


@dataclass(slots=True)
class Block:
    """One part of a section: a heading, a one-line summary, a table, notes (plain strings)."""

    title: str
    summary: str = ""
    header: tuple[str, ...] = ()
    rows: Sequence[tuple[str, ...]] = ()
    lines: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SectionView:
    """A section as plain strings, shared by every format: a note, a period line, blocks."""

    note: str | None
    period: str
    blocks: list[Block]


class BlockSectionRenderer:
    """Render a section as :class:`Block` s in every format; subclasses say what the blocks are.

    Everything in a view is untrusted text: HTML goes through an autoescaping Jinja
    environment, Markdown through one escaper (``markdown_escape``), text tables are aligned
    and shortened, and every string is one line with controls removed in every format.
    """

    def view(self, section: IntegrationSection) -> SectionView:
        """Return the section as blocks (override)."""
        raise NotImplementedError

    def _view(self, section: IntegrationSection) -> SectionView:
        """:meth:`view` with every string on one line, controls out, bidi controls visible."""
        view = self.view(section)
        return SectionView(
            one_line(view.note) if view.note else None,
            one_line(view.period),
            [
                Block(
                    one_line(block.title),
                    one_line(block.summary),
                    tuple(one_line(h) for h in block.header),
                    [tuple(one_line(str(c)) for c in row) for row in block.rows],
                    [one_line(line) for line in block.lines],
                )
                for block in view.blocks
            ],
        )

    def text(self, section: IntegrationSection) -> str:
        """Return the section as plain text (no heading)."""
        view = self._view(section)
        lines = [view.note] if view.note else []
        if view.period:
            lines.append(view.period)
        for block in view.blocks:
            lines.append("")
            lines.append(f"{block.title}: {block.summary}" if block.summary else block.title)
            lines.extend(text_table(block.header, block.rows))
            lines.extend(f"  {line}" for line in block.lines)
        return "\n".join(lines)

    def markdown(self, section: IntegrationSection) -> str:
        """Return the section as Markdown (no heading), every external text escaped."""
        view = self._view(section)
        parts = [f"_{markdown_escape(view.note)}_"] if view.note else []
        if view.period:
            parts.append(markdown_escape(view.period))
        for block in view.blocks:
            head = f"**{markdown_escape(block.title)}**"
            parts.append(f"{head}: {markdown_escape(block.summary)}" if block.summary else head)
            if block.rows:
                table = [
                    "| " + " | ".join(markdown_escape(h) for h in block.header) + " |",
                    "|" + " --- |" * len(block.header),
                ]
                table += [
                    "| " + " | ".join(markdown_escape(c) for c in row) + " |" for row in block.rows
                ]
                parts.append("\n".join(table))
            parts.extend(f"- {markdown_escape(line)}" for line in block.lines)
        return "\n\n".join(parts)

    def html(self, section: IntegrationSection) -> Markup:
        """Return the section as HTML (no heading), autoescaped."""
        return Markup(_BLOCKS_HTML.render(v=self._view(section)))  # noqa: S704 (autoescaped by Jinja)

    def json(self, section: IntegrationSection) -> Mapping[str, Any]:
        """Return the section's data (:meth:`IntegrationSection.as_dict`)."""
        return section.as_dict()


class DefaultSectionRenderer:
    """Render a section's data as a two-column key/value table, with its error note above."""

    def text(self, section: IntegrationSection) -> str:
        """Return ``key: value`` lines, the note first.

        Args:
            section: the section to render.

        Returns:
            Plain text without a heading.
        """
        lines = [note] if (note := section_note(section)) else []
        rows = _rows(section.data)
        width = max((len(key) for key, _ in rows), default=0)
        lines.extend(f"{key + ':':<{width + 1}} {value}" for key, value in rows)
        return "\n".join(lines or ["No data."])

    def markdown(self, section: IntegrationSection) -> str:
        """Return a Markdown table, the note first in italics.

        Args:
            section: the section to render.

        Returns:
            Markdown without a heading.
        """
        parts = [f"_{markdown_escape(note)}_"] if (note := section_note(section)) else []
        if rows := _rows(section.data):
            table = ["| Key | Value |", "| --- | --- |"]
            table.extend(f"| {markdown_escape(k)} | {markdown_escape(v)} |" for k, v in rows)
            parts.append("\n".join(table))
        return "\n\n".join(parts or ["No data."])

    def html(self, section: IntegrationSection) -> Markup:
        """Return an HTML table, autoescaped.

        Args:
            section: the section to render.

        Returns:
            Safe markup without a heading.
        """
        return Markup(_HTML.render(note=section_note(section), rows=_rows(section.data)))  # noqa: S704 (autoescaped by Jinja)

    def json(self, section: IntegrationSection) -> Mapping[str, Any]:
        """Return :meth:`IntegrationSection.as_dict`.

        Args:
            section: the section to render.

        Returns:
            JSON-compatible data.
        """
        return section.as_dict()


DEFAULT_RENDERER: Final = DefaultSectionRenderer()
