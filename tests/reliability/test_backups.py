"""Backups: consistent while others write, automatic after writes, and restore
round trips that keep the current file aside and refuse what would lose data."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from storage.schema import current_version
from tests.conftest import ROOT
from tests.reliability.conftest import (
    assert_sound,
    copy_library,
    counts,
    fingerprint,
    one_line_error,
    quick_check,
    read_only,
    start_winnow,
    wait_for,
    winnow,
)


def _text(result: subprocess.CompletedProcess[bytes]) -> str:
    assert result.returncode == 0, result.stderr
    assert not result.stderr.strip(), result.stderr
    return result.stdout.decode()


@pytest.fixture
def library_file(tmp_path: Path, base_template: Path) -> Path:
    return copy_library(base_template, tmp_path / "lib")


@pytest.mark.slow
def test_backup_completes_while_another_process_is_mid_import(
        library_file: Path, big_listing: Path, tmp_path: Path,
        no_leaked_processes: list[subprocess.Popen[bytes]]) -> None:
    before = counts(library_file)
    importer = start_winnow("import", str(big_listing), db=library_file)
    no_leaked_processes.append(importer)
    with closing(read_only(library_file)) as conn:
        wait_for(lambda: conn.execute(
            "SELECT count(*) FROM sources WHERE status = 'importing'").fetchone()[0] == 1
            and conn.execute("SELECT max(id) FROM papers").fetchone()[0] > 415)
    start = time.perf_counter()
    result = winnow("backup", str(tmp_path / "mid-import.db"), db=library_file, timeout=30)
    took = time.perf_counter() - start
    mid_import = importer.poll() is None
    _text(result)
    importer.communicate(timeout=60)
    assert importer.returncode == 0
    print(f"\nwinnow backup took {took:.2f} s with an import running "
          f"(import still running when it finished: {mid_import})")

    backup = tmp_path / "mid-import.db"
    assert quick_check(backup) == "ok"
    # The copy holds committed batches of an import that never finished in it:
    # opening it undoes them, as after a crash.
    with Library(backup) as lib:
        assert lib.stats()["total"] == before["papers"]
    assert_sound(backup)


def test_restore_round_trip_keeps_user_data_and_the_current_file(
        library_file: Path, tmp_path: Path) -> None:
    backup = tmp_path / "saved" / "backup.db"
    assert "backed up to" in _text(winnow("backup", str(backup), db=library_file))
    at_backup = fingerprint(library_file)
    for args in (["star", "3", "4"], ["tag", "3", "--add", "after-backup"],
                 ["note", "4", "written after the backup"], ["read", "5"],
                 ["search", "save", "later", "is:starred"]):
        _text(winnow(*args, db=library_file))
    after_changes = fingerprint(library_file)
    assert after_changes != at_backup

    output = _text(winnow("restore", str(backup), db=library_file))
    assert fingerprint(library_file) == at_backup
    [kept] = [p for p in library_file.parent.iterdir() if ".before-restore-" in p.name
              and not p.name.endswith(("-wal", "-shm"))]
    assert str(kept) in output
    assert fingerprint(kept) == after_changes  # nothing done since the backup is lost
    assert not list(library_file.parent.glob("*.restoring"))
    assert_sound(library_file)


def _smash(path: Path) -> None:
    with closing(read_only(path)) as conn:
        page = conn.execute("SELECT pageno FROM dbstat WHERE name = 'papers' AND "
                            "pagetype = 'leaf' LIMIT 1 OFFSET 2").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(b"\xde\xad" * 100)


def _foreign_db(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.commit()


def _too_new(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {current_version() + 1}")


@pytest.mark.parametrize("make_bad, message", [
    (_smash, "damaged"),
    (_foreign_db, "not a Winnow library"),
    (_too_new, "newer Winnow"),
])
def test_restore_refuses_a_bad_backup_and_changes_nothing(
        library_file: Path, tmp_path: Path, make_bad: object, message: str) -> None:
    backup = tmp_path / "bad.db"
    if make_bad is _foreign_db:
        _foreign_db(backup)
    else:
        _text(winnow("backup", str(backup), db=library_file))
        make_bad(backup)  # type: ignore[operator]
    before = library_file.read_bytes()
    error = one_line_error(winnow("restore", str(backup), db=library_file))
    assert message in error and "bad.db" in error
    assert library_file.read_bytes() == before
    assert sorted(p.name for p in library_file.parent.iterdir()) == ["library.db"]


def test_restore_refuses_while_the_library_is_open_elsewhere(
        library_file: Path, tmp_path: Path) -> None:
    backup = tmp_path / "b.db"
    _text(winnow("backup", str(backup), db=library_file))
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from storage import Library; "
         "lib = Library(sys.argv[1]); print('open', flush=True); time.sleep(60)",
         str(library_file)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"open\n"
        error = one_line_error(winnow("restore", str(backup), db=library_file))
        assert "open in another program" in error
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate()
    assert not any(".before-restore-" in p.name for p in library_file.parent.iterdir())
    _text(winnow("restore", str(backup), db=library_file))


def test_restore_refuses_the_library_itself_and_odd_paths(library_file: Path,
                                                         tmp_path: Path) -> None:
    assert "the library itself" in one_line_error(
        winnow("restore", str(library_file), db=library_file))
    assert "no such backup" in one_line_error(
        winnow("restore", str(tmp_path), db=library_file))
    backup = tmp_path / "b.db"
    _text(winnow("backup", str(backup), db=library_file))
    assert "not a library file" in one_line_error(winnow("restore", str(backup), db=tmp_path))


def test_cli_writes_make_the_daily_backup_once_a_day(library_file: Path) -> None:
    folder = library_file.parent / "backups"
    assert not folder.exists()
    _text(winnow("star", "5", db=library_file))
    [daily] = folder.glob("library-daily-*.db")
    _text(winnow("tag", "5", "--add", "x", db=library_file))
    listed = winnow("list", "--limit", "1", db=library_file)
    assert listed.returncode == 0 and not listed.stderr.startswith(b"winnow"), listed.stderr
    assert list(folder.iterdir()) == [daily]  # one a day; reads make none
    assert quick_check(daily) == "ok"
    with daily.open("rb") as handle:  # a self-contained file, not a WAL database
        assert handle.read(20)[18:20] == b"\x01\x01"
    with Library(daily) as lib:
        assert lib.get(5).starred


def test_backup_into_a_folder_and_never_over_a_file(library_file: Path,
                                                   tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    output = _text(winnow("backup", str(folder), db=library_file))
    [made] = folder.iterdir()
    assert str(made) in output and quick_check(made) == "ok"
    precious = tmp_path / "precious.db"
    precious.write_text("do not overwrite me")
    assert "already exists" in one_line_error(
        winnow("backup", str(precious), db=library_file))
    assert precious.read_text() == "do not overwrite me"


@pytest.mark.slow
def test_a_backup_killed_half_way_never_passes_for_a_backup(
        tmp_path: Path, imported_template: Path) -> None:
    library = copy_library(imported_template, tmp_path)
    target = tmp_path / "backups" / "library-daily-20000101-000000.db"
    partials = f"{target.name}.*partial"  # unique per process: name.PID-TOKEN.partial
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from storage import Library; "
         "Library(sys.argv[1]).backup(sys.argv[2])", str(library), str(target)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: any(target.parent.glob(partials)) or process.poll() is not None)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    if not any(target.parent.glob(partials)):
        pytest.skip("the backup finished before it could be killed")
    assert not target.exists()
    two_hours_ago = time.time() - 7200
    for left in target.parent.glob("*.partial*"):  # the copy and its journal
        os.utime(left, (two_hours_ago, two_hours_ago))
    with Library(library) as lib:
        made = lib.daily_backup()
    assert made is not None and quick_check(made) == "ok"
    assert sorted(p.name for p in target.parent.iterdir()) == [made.name]
