"""Raw v2 ``system-log/{class}`` reply and entry."""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["SystemLogPagePayload", "SystemLogParameter", "SystemLogPayload"]


class SystemLogParameter(TypedDict, total=False):
    """One value of an entry's ``parameters`` (what a ``{PLACEHOLDER}`` stands for)."""

    id: str
    name: str
    ip: str
    model: str
    target_id: str


class SystemLogPayload(TypedDict, total=False):
    """One system-log entry; ``timestamp`` is epoch ms."""

    id: str
    key: str
    category: str
    subcategory: str
    event: str
    severity: str
    status: str
    type: str
    target: str
    timestamp: int
    title_raw: str
    message_raw: str
    parameters: dict[str, SystemLogParameter]
    show_on_dashboard: bool


class SystemLogPagePayload(TypedDict, total=False):
    """The paged reply of ``system-log/{class}``."""

    data: list[SystemLogPayload]
    page_number: int
    total_element_count: int
    total_page_count: int
    extra: Any
