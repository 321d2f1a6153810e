"""`winnow gui --screenshot` as a user runs it: what is open over the window is in
the picture, and the offscreen plugin's chatter is not on the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

WINNOW = Path(sys.executable).with_name("winnow")


def _shoot(tmp_path: Path, db: Path, out: Path, *keys: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WINNOW_CONFIG_DIR": str(tmp_path / "config"),
           "WINNOW_THEME": "light"}
    env.pop("QT_QPA_PLATFORM", None)  # as from a terminal: the command picks offscreen
    command = [str(WINNOW), "--db", str(db), "gui", "--screenshot", str(out)]
    if keys:
        command += ["--keys", " ".join(keys)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=90,
                          check=False)


def _changed_share(a: QImage, b: QImage, x0: int, y0: int, x1: int, y1: int) -> float:
    changed = total = 0
    for x in range(x0, x1, 4):
        for y in range(y0, y1, 4):
            total += 1
            changed += a.pixel(x, y) != b.pixel(x, y)
    return changed / total


def test_screenshot_shows_the_cheat_sheet_and_prints_no_plugin_noise(
        tmp_path: Path, seeded_path: Path) -> None:
    plain, sheet = tmp_path / "plain.png", tmp_path / "sheet.png"
    first = _shoot(tmp_path, seeded_path, plain)
    second = _shoot(tmp_path, seeded_path, sheet, "?")
    for result in (first, second):
        assert result.returncode == 0, result.stderr
        assert "This plugin does not support" not in result.stderr, result.stderr
        assert result.stderr.strip() == "", result.stderr
    a, b = QImage(str(plain)), QImage(str(sheet))
    assert (b.width(), b.height()) == (1280, 800)
    # The same state twice gives the same picture; the cheat sheet over the window
    # changes much of it.
    again = tmp_path / "again.png"
    assert _shoot(tmp_path, seeded_path, again).returncode == 0
    assert _changed_share(a, QImage(str(again)), 40, 60, 1240, 740) < 0.01
    assert _changed_share(a, b, 40, 60, 1240, 740) > 0.15
