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
