"""`winnow import`, `backup` and `restore` (desktop/cli/library.py),
run as the real command on a real library file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SEEDS
from tests.desktop.cli.conftest import winnow


def test_import_reports_each_file_and_json(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    result = winnow("import", *map(str, SEEDS), db=db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("000_21a6442399f68ffa.txt: 22 papers, 22 new")
    again = winnow("import", "--json", str(SEEDS[1]), db=db)
    report = json.loads(again.stdout)
    assert report["ok"] and report["new"] == 0
    assert report["files"][0]["found"] == 221


def test_bad_file_among_good_ones_fails_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary\x00" * 50)
    result = winnow("import", str(bad), str(SEEDS[0]), db=db)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        result.stderr.strip().splitlines()[0]]
    assert "bad.txt" in result.stderr and "Traceback" not in result.stderr
    assert "22 new" in result.stdout


def test_backup_and_restore_keep_the_current_file(db: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    assert winnow("backup", str(backup), db=db).returncode == 0
    winnow("star", "7", db=db)
    restored = winnow("restore", str(backup), db=db)
    assert restored.returncode == 0, restored.stderr
    assert not json.loads(winnow("show", "7", "--json", db=db).stdout)["starred"]
    kept = [p for p in db.parent.iterdir() if ".before-restore-" in p.name
            and not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1
    bogus = tmp_path / "bogus.db"
    bogus.write_text("not a database")
    assert winnow("restore", str(bogus), db=db).returncode == 1


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_a_refused_first_import_at_a_new_path_leaves_nothing_there(tmp_path: Path) -> None:
    """N13: a first import that brings nothing left an empty library file (and its
    folders) at a new `--db` path."""
    junk = tmp_path / "junk.txt"
    junk.write_text("QUJDREVGR0g=\n" * 4000, encoding="ascii")  # base64, no listing in it
    before = _tree(tmp_path)
    db = tmp_path / "new" / "deeper" / "lib.db"
    result = winnow("import", str(junk), db=db)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()  # refused in one line, naming the file
    assert line.startswith("winnow: junk.txt: ") and "Traceback" not in result.stderr
    assert _tree(tmp_path) == before  # no lib.db, no -wal, no folders, no backups/
    # Missing, unreadable and refused files together: still nothing made.
    assert winnow("import", str(junk), str(tmp_path / "missing.md"), db=db).returncode == 1
    assert _tree(tmp_path) == before
    # A later good import makes the library there as before, with its daily backup.
    made = winnow("import", str(junk), str(SEEDS[0]), db=db)
    assert made.returncode == 1 and "22 new" in made.stdout  # the good file is kept
    assert db.is_file()
    assert json.loads(winnow("stats", "--json", db=db).stdout)["counts"]["total"] == 22


def test_a_refused_import_into_a_library_that_exists_leaves_it_as_it_was(
        tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    assert winnow("init", db=db).returncode == 0  # an empty library the user made
    junk = tmp_path / "junk.txt"
    junk.write_text("QUJDREVGR0g=\n" * 400, encoding="ascii")
    assert winnow("import", str(junk), db=db).returncode == 1
    assert db.is_file()
    assert json.loads(winnow("stats", "--json", db=db).stdout)["counts"]["total"] == 0
