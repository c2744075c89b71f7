"""One page of a paged controller reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Page"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Page(Generic[T]):
    """Items of one page plus what the controller said about the rest.

    Attributes:
        items: the items on this page.
        total: how many items match in all (classic ``meta.count``, v2 ``total_element_count``),
            when the controller said.
        page_number: this page's number (v2), when given.
        page_count: how many pages there are (v2 ``total_page_count``), when given.
        has_next: whether a next page exists (v2 ``has_next``), when given.
    """

    items: tuple[T, ...]
    total: int | None = None
    page_number: int | None = None
    page_count: int | None = None
    has_next: bool | None = None
