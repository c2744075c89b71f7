"""Record skeletons shipped under ``data/templates/``: every key a real record has, neutral values.

The builders fill in the values that matter; the skeletons keep the shape (key names and JSON
types) equal to what a controller sends, so shapes cannot drift.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from importlib import resources
from typing import Any

__all__ = ["load_json", "object_id", "template"]

JsonObject = dict[str, Any]


@functools.cache
def _read(relative: str) -> Any:  # noqa: ANN401 - any JSON value
    path = resources.files("unifi_scanner.simulator").joinpath("data", *relative.split("/"))
    return json.loads(path.read_text(encoding="utf-8"))


def load_json(relative: str) -> Any:  # noqa: ANN401 - any JSON value
    """Load a data file below ``simulator/data/`` (a fresh copy each call).

    Args:
        relative: the path below ``data/``, e.g. ``"scenarios/demo.json"``.

    Returns:
        The parsed JSON.
    """
    return copy.deepcopy(_read(relative))


def template(name: str) -> JsonObject:
    """A fresh copy of the skeleton ``data/templates/<name>.json``.

    Args:
        name: e.g. ``"device_usw"`` or ``"port_switch"``.

    Returns:
        The skeleton record.
    """
    value = load_json(f"templates/{name}.json")
    if not isinstance(value, dict):  # pragma: no cover - the shipped files are objects
        raise TypeError(f"template {name} is not an object")
    return value


def object_id(*parts: object) -> str:
    """A stable 24-hex-digit id shaped like a controller's MongoDB ``_id``.

    Args:
        parts: anything that names the object uniquely within the scenario.

    Returns:
        24 lowercase hex digits.
    """
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:24]
