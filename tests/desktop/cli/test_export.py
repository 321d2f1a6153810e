"""`winnow export` (desktop/cli/export.py), run as the real command on a real library file."""

from __future__ import annotations

from pathlib import Path

from tests.desktop.cli.conftest import winnow


def test_export_to_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.bib"
    result = winnow("export", "--format", "bibtex", "-o", str(out), db=db)
    assert result.returncode == 0
    assert out.read_text(encoding="utf-8").count("@misc{") == 415
