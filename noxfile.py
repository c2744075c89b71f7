"""Developer sessions; CI runs the same steps through `.ci/run`."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typing", "tests"]


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """Type-check the package with mypy --strict."""
    session.install("-e", ".[test]")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """The README's test command."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Regenerate the key table of docs/rules.md from the vocabulary."""
    session.install("-e", ".")
    session.run(
        "python",
        "-c",
        "from pathlib import Path; from unifi_scanner.vocabulary import write_into; "
        "print('updated' if write_into(Path('docs/rules.md')) else 'up to date')",
    )
