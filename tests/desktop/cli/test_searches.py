"""`winnow search save|list|delete` (desktop/cli/searches.py),
run as the real command on a real library file."""

from __future__ import annotations

from pathlib import Path

from tests.desktop.cli.conftest import winnow


def test_saved_searches(db: Path) -> None:
    assert winnow("search", "save", "kan", "kolmogorov", db=db).returncode == 0
    listed = winnow("search", "list", db=db).stdout
    assert "kan: kolmogorov" in listed
    assert winnow("search", "delete", "kan", db=db).returncode == 0
    assert winnow("search", "delete", "kan", db=db).returncode == 1
