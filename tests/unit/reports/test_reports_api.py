"""The public API of unifi_scanner.reports."""

from __future__ import annotations

from unifi_scanner import reports


def _isort_key(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name


def test_all_is_sorted_and_complete():
    """__all__ is sorted both plainly and ruff's way, and every name in it exists."""
    assert reports.__all__ == sorted(reports.__all__)
    assert reports.__all__ == sorted(reports.__all__, key=_isort_key)
    for name in reports.__all__:
        assert hasattr(reports, name)


def test_renderers_and_extensions_cover_the_same_formats():
    """Every renderer has a file extension and both tables are read-only."""
    assert (
        set(reports.RENDERERS)
        == set(reports.FILE_EXTENSIONS)
        == {
            "email-html",
            "html",
            "json",
            "markdown",
            "text",
        }
    )
    assert reports.RENDERERS["json"] is reports.render_json
    assert reports.FILE_EXTENSIONS["markdown"] == "md"
