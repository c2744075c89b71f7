"""Building a one-screen :class:`~unifi_scanner.errors.ConfigError` from a list of problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from unifi_scanner.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_LINES = 20
"""Problems shown before the rest are summarised as "… and N more"."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the configuration.

    Attributes:
        label: how its line starts: ``UNIFI_PORT (environment)``, ``smtp.port ('c.yaml', line 3)``.
        field: the setting's dotted path, e.g. ``smtp.port``.
        source: ``environment``, the ``*_FILE`` variable, the YAML file's path, or ``default``.
        message: what is wrong, e.g. ``must be an integer, got 'abc'``.
    """

    label: str
    field: str
    source: str
    message: str


def config_error(problems: Sequence[Problem]) -> ConfigError:
    """One ``ConfigError`` whose text lists every problem, one line each.

    Args:
        problems: what is wrong; duplicates are shown once.

    Returns:
        The error; ``str(err)`` fits on one screen and ``err.problems`` holds the triples.
    """
    unique = list(dict.fromkeys(problems))
    count = len(unique)
    lines = [f"  {problem.label}: {problem.message}" for problem in unique[:MAX_LINES]]
    if count > MAX_LINES:
        lines.append(f"  … and {count - MAX_LINES} more")
    header = f"invalid configuration ({count} problem{'s' if count != 1 else ''}):"
    return ConfigError(
        "\n".join([header, *lines]),
        tuple((problem.field, problem.source, problem.message) for problem in unique),
    )
