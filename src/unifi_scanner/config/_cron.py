"""A syntactic check of 5-field cron expressions (``minute hour day month weekday``).

TODO(schedule issue): once the scheduler library is chosen, validate with it instead
(for example APScheduler's ``CronTrigger.from_crontab``) so both agree on every edge case.
"""

from __future__ import annotations

import re

__all__ = ["check_cron"]

PRESETS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")

# (name, lowest, highest, names that map to lowest, lowest + 1, ...)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS),
)

_ITEM = re.compile(r"^(?P<range>\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(?P<step>[0-9]+))?$")


def _value(text: str, low: int, high: int, names: tuple[str, ...]) -> int | None:
    """The number a field value stands for, or None when it is not valid."""
    if text in names:
        return low + names.index(text)
    if text.isdigit() and low <= int(text) <= high:
        return int(text)
    return None


def _check_field(text: str, name: str, low: int, high: int, names: tuple[str, ...]) -> str | None:
    """Why one field is wrong, or None when it is fine."""
    for item in text.lower().split(","):
        match = _ITEM.match(item)
        if match is None:
            return f"{name} field {text!r} is not valid"
        step = match.group("step")
        if step is not None and int(step) == 0:
            return f"{name} field {text!r} has a step of 0"
        bounds = match.group("range")
        if bounds == "*":
            continue
        values = [_value(part, low, high, names) for part in bounds.split("-")]
        if any(value is None for value in values):
            return f"{name} field {text!r} is outside {low}-{high}"
    return None


def check_cron(expression: str) -> str | None:
    """Check a cron expression's syntax.

    Args:
        expression: five space-separated fields (``30 6 * * mon-fri``) or a preset (``@daily``).

    Returns:
        None when the expression is valid, otherwise a short description of what is wrong.
    """
    text = expression.strip()
    if text.startswith("@"):
        if text.lower() in PRESETS:
            return None
        return f"unknown preset {text!r}; use one of {', '.join(sorted(PRESETS))}"
    fields = text.split()
    if len(fields) != len(_FIELDS):
        return f"must have 5 fields (minute hour day month weekday), got {len(fields)}"
    for field_text, (name, low, high, names) in zip(fields, _FIELDS, strict=True):
        problem = _check_field(field_text, name, low, high, names)
        if problem is not None:
            return problem
    return None
