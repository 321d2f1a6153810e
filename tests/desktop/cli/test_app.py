"""`winnow gui` (desktop/cli/app.py): screenshots offscreen, no display, first start,
run as the real command on a real library file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.desktop.cli.conftest import WINNOW


def test_screenshot_renders_offscreen_without_being_told(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    result = subprocess.run([*WINNOW, "--db", str(db), "gui", "--screenshot", str(out),
                             "--search", "kolmogorov"], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_app_without_a_display_says_so_in_one_line(db: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([*WINNOW, "--db", str(db)], capture_output=True, text=True,
                            env=env, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "winnow: no display to open the app on (DISPLAY and WAYLAND_DISPLAY are unset); "
        "use the commands in `winnow --help`, or `winnow gui --screenshot OUT.png`")


def _papers_in(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM papers").fetchone()[0]


def test_first_start_on_a_named_new_library_imports_the_samples(tmp_path: Path) -> None:
    """WINNOW_DB naming a file that does not exist yet is a first start like the
    default library's: the sample listings go in, so there is something to triage."""
    path = tmp_path / "fresh" / "library.db"
    env = {**os.environ, "WINNOW_DB": str(path), "QT_QPA_PLATFORM": "offscreen",
           "WINNOW_CONFIG_DIR": str(tmp_path / "config")}
    shot = subprocess.run([*WINNOW, "gui", "--screenshot", str(tmp_path / "shot.png")],
                          capture_output=True, text=True, env=env, timeout=180, check=False)
    assert shot.returncode == 0, shot.stderr
    assert _papers_in(path) == 415
    # A second start finds the library and imports nothing again.
    again = subprocess.run([*WINNOW, "gui", "--screenshot", str(tmp_path / "again.png")],
                           capture_output=True, text=True, env=env, timeout=180, check=False)
    assert again.returncode == 0, again.stderr
    assert _papers_in(path) == 415
