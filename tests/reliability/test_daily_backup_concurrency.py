"""Today's automatic backup under concurrent writers, after a failure, and for a
huge library.

Real `winnow` write commands are started together on a library with no backup
today: each one either makes the backup or sees that another is making it, none
warns "backup failed", and exactly one sound daily backup exists afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.reliability.conftest import TEST_ENV, copy_library, winnow


def _dailies(path: Path) -> list[Path]:
    folder = path.parent / "backups"
    return sorted(folder.glob(f"{path.stem}-daily-*.db")) if folder.exists() else []


def _sound(path: Path) -> bool:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(4))
def test_concurrent_writers_make_exactly_one_backup(tmp_path: Path, base_template: Path,
                                                    round_: int) -> None:
    path = copy_library(base_template, tmp_path / "lib")
    commands = [["star", "1"], ["tag", "2", "--add", "x"], ["note", "3", "hello"],
                ["read", "4"], ["unstar", "5"], ["tag", "6", "--add", "y"]]
    processes = [subprocess.Popen([sys.executable, "-m", "desktop.cli", "--db", str(path),
                                   *args], cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env={**os.environ, **TEST_ENV})
                 for args in commands]
    for process, args in zip(processes, commands, strict=True):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, (args, err)
        assert b"backup failed" not in err and b"warning" not in err, (args, err)
    made = _dailies(path)
    assert len(made) == 1, [p.name for p in made]
    assert _sound(made[0])
    leftovers = [p.name for p in (path.parent / "backups").iterdir() if p not in made
                 and not p.name.startswith(".")]
    assert leftovers == []


def test_a_failed_daily_backup_is_tried_again(tmp_path: Path, base_template: Path) -> None:
    path = copy_library(base_template, tmp_path / "lib")
    blocker = path.parent / "backups"
    blocker.write_text("a file where the backups folder should be")
    first = winnow("star", "1", db=path)
    assert first.returncode == 0  # the star is saved; the backup could not be
    assert b"automatic backup failed" in first.stderr, first.stderr
    blocker.unlink()
    second = winnow("star", "2", db=path)
    assert second.returncode == 0 and b"backup failed" not in second.stderr, second.stderr
    [made] = _dailies(path)
    assert _sound(made)


def test_huge_library_backups_are_spaced_out_and_said(tmp_path: Path,
                                                      base_template: Path) -> None:
    """Over the size limit (made tiny here through WINNOW_BACKUP_LARGE_BYTES) the
    automatic backup is weekly, and each one is announced with its size."""
    path = copy_library(base_template, tmp_path / "lib")
    env = {"WINNOW_BACKUP_LARGE_BYTES": "100000"}
    first = winnow("star", "1", db=path, env=env)
    assert first.returncode == 0, first.stderr
    said = first.stderr.decode()
    assert "backup" in said and "MB" in said and "week" in said, said
    [made] = _dailies(path)
    day_and_a_half = time.time() - 36 * 3600
    os.utime(made, (day_and_a_half, day_and_a_half))
    second = winnow("star", "2", db=path, env=env)
    assert second.returncode == 0 and len(_dailies(path)) == 1, second.stderr
    assert b"backup" not in second.stderr, second.stderr
    week_ago = time.time() - 8 * 86400
    os.utime(made, (week_ago, week_ago))
    third = winnow("star", "3", db=path, env=env)
    assert third.returncode == 0 and len(_dailies(path)) == 2, third.stderr
