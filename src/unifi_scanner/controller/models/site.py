"""Raw ``self/sites`` item."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["SitePayload"]


class SitePayload(TypedDict, total=False):
    """One ``self/sites`` item: ``name`` is the short id used in paths."""

    _id: str
    name: str
    desc: str
    role: str
    attr_hidden_id: str
    attr_no_delete: bool
