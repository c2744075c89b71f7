"""Raw ``get/setting`` item: one per settings section, told apart by ``key``."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["SettingPayload"]


class SettingPayload(TypedDict, total=False):
    """One ``get/setting`` entry; the ``ips`` one carries ``ips_mode``."""

    _id: str
    key: str
    site_id: str
    ips_mode: str
    enabled_categories: list[str]
