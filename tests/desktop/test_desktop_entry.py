"""The desktop entry as the freedesktop validator and the app's own launcher see it."""

from __future__ import annotations

import shutil
import subprocess
from configparser import ConfigParser
from pathlib import Path

import pytest

ENTRY = Path(__file__).resolve().parents[2] / "assets" / "winnow.desktop"


def _section() -> dict[str, str]:
    parser = ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read(ENTRY, encoding="utf-8")
    return dict(parser["Desktop Entry"])


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-validate is not installed (apt-get install "
                           "desktop-file-utils)")
def test_desktop_entry_passes_desktop_file_validate() -> None:
    result = subprocess.run(["desktop-file-validate", str(ENTRY)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    # Hints are not failures, but each one is a menu that shows the app twice.
    assert result.stdout.strip() == "", result.stdout


def test_desktop_entry_claims_no_file_type_the_launcher_cannot_open() -> None:
    section = _section()
    # `winnow-gui` takes no file arguments: a MimeType (and %F) would put Winnow in
    # "Open with" for files it then refuses on its command line.
    assert "MimeType" not in section
    assert "%" not in section["Exec"]
    from desktop.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["gui", "notes.txt"])
