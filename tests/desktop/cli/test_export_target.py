"""An export or a plot never lands on the library's own file: `winnow export -o
library.db` replaced the live library with CSV and printed "wrote library.db".
The real command on a real library; the app exports through the same Library call."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library, LibraryError
from tests.conftest import ROOT
from tests.desktop.cli.conftest import WINNOW, winnow


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def same_names(db: Path) -> list[str]:
    """The library named every way a user might: as given, relative, through a
    symlink, a hard link, '..', and its journal files."""
    (db.parent / "link.db").symlink_to(db)
    os.link(db, db.parent / "hard.db")
    return [str(db), db.name, f"./{db.name}", "link.db", "hard.db",
            f"../{db.parent.name}/{db.name}", f"{db}-wal", f"{db}-shm"]


def test_export_and_plot_refuse_the_library_file(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn:  # a live WAL beside it, as in use
        conn.execute("PRAGMA journal_mode=WAL")
        before = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    library_bytes = digest(db)
    for name in same_names(db):
        for args in (("export", "--format", "csv", "-o", name), ("stats", "--plot", name)):
            done = run_in(db.parent, *args, db=db)
            assert done.returncode == 1, (args, done.stdout, done.stderr)
            shown = name if args[0] == "export" else str(Path(name))
            assert done.stderr.strip().splitlines() == [
                f"winnow: {shown}: is the library's own file; "
                f"{args[0] if args[0] == 'export' else 'plot'} to another file"], done.stderr
    assert digest(db) == library_bytes
    assert winnow("check", db=db).returncode == 0
    assert len(winnow("list", "--limit", "1000", db=db).stdout.splitlines()) == before
    elsewhere = winnow("export", "--format", "csv", "-o", str(db.parent / "out.csv"), db=db)
    assert elsewhere.returncode == 0 and (db.parent / "out.csv").stat().st_size > 0


def run_in(folder: Path, *args: str, db: Path) -> subprocess.CompletedProcess[str]:
    """`winnow` started in `folder`, so relative names mean what a user means."""
    return subprocess.run([*WINNOW, "--db", str(db), *args], capture_output=True, text=True,
                          cwd=folder, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_library_api_refuses_it_too(tmp_path: Path) -> None:
    with Library(tmp_path / "library.db") as lib:
        with pytest.raises(LibraryError, match="is the library's own file"):
            lib.export("", format="markdown", out=tmp_path / "library.db")
        assert lib.count() == 0  # still a library: it answers


@pytest.mark.parametrize("days", ["0", "1000000", "2000000000", "99999999999"])
def test_stats_days_out_of_the_calendar_is_a_usage_line(db: Path, days: str) -> None:
    # Past ~739,000 days the dates run off the calendar: "unexpected error:
    # OverflowError" before.
    done = winnow("stats", "--days", days, db=db)
    assert done.returncode == 1
    assert done.stderr == "winnow: stats: --days must be between 1 and 36,525 (100 years)\n"
