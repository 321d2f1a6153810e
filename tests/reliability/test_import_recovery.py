"""A killed import never takes back what the user did meanwhile.

Real processes: `winnow import` of the big listing runs in one process; once some
of its batches are committed it is stopped (SIGSTOP, at a moment it holds no
lock: the test holds the write lock itself when it sends the signal), real
`winnow tag/note/star/read/annotate` commands act on papers that import brought
in, and then the importer is killed with SIGKILL. The next command recovers:
the import's other papers go, the ones the user acted on stay with everything
done to them, the command says so, undo and redo work, and no later paper ever
gets an id the dead import used.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from tests.reliability.conftest import (
    TEST_BATCH,
    copy_library,
    ids_in,
    read_only,
    start_winnow,
    wait_for,
    winnow,
    write_listing,
)

pytestmark = pytest.mark.slow


def _ok(result: subprocess.CompletedProcess[bytes]) -> str:
    out = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, out
    assert "FOREIGN KEY" not in out and "unexpected" not in out, out
    return out


def _stopped_mid_import(path: Path, listing: Path, started: list[subprocess.Popen[bytes]]
                        ) -> tuple[subprocess.Popen[bytes], int, list[int]]:
    """An importer stopped between two batch commits, with at least one committed:
    (the process, its sources id, the ids of its papers committed so far)."""
    with closing(read_only(path)) as conn:
        base_source, base_max = conn.execute(
            "SELECT max(id), (SELECT max(id) FROM papers) FROM sources").fetchone()
    for _attempt in range(3):
        process = start_winnow("import", str(listing), db=path)
        started.append(process)
        with closing(read_only(path)) as conn:
            wait_for(lambda p=process: conn.execute("SELECT max(id) FROM papers").fetchone()[0]
                     >= base_max + TEST_BATCH // 2 or p.poll() is not None)
        lock = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            lock.execute("BEGIN IMMEDIATE")  # the importer is between batches now
            process.send_signal(signal.SIGSTOP)
            status = lock.execute("SELECT status FROM sources WHERE id > ?",
                                  (base_source,)).fetchone()
            lock.execute("ROLLBACK")
        finally:
            lock.close()
        if status == ("importing",):
            [source] = ids_in(path, "SELECT id FROM sources WHERE id > ?", (base_source,))
            papers = ids_in(path, "SELECT id FROM papers WHERE first_source_id = ? "
                            "ORDER BY id", (source,))
            return process, source, papers
        process.kill()
        process.communicate()
        pytest.fail("the import finished before it could be stopped")  # pragma: no cover
    raise AssertionError("unreachable")


def test_killed_import_keeps_the_papers_the_user_acted_on(
        tmp_path: Path, base_template: Path, big_listing: Path,
        no_leaked_processes: list[subprocess.Popen[bytes]]) -> None:
    path = copy_library(base_template, tmp_path)
    base_papers = ids_in(path, "SELECT id FROM papers ORDER BY id")
    importer, _source, imported = _stopped_mid_import(path, big_listing, no_leaked_processes)
    tagged, noted, starred, read, highlighted, undone = imported[3:9]
    with closing(read_only(path)) as conn:
        abstract = conn.execute("SELECT abstract FROM papers WHERE id = ?",
                                (highlighted,)).fetchone()[0]
    assert "added 1" in _ok(winnow("tag", str(tagged), "--add", "meanwhile", db=path))
    assert "note saved" in _ok(winnow("note", str(noted), "written during the import",
                                      db=path))
    _ok(winnow("star", str(starred), db=path))
    _ok(winnow("read", str(read), db=path))
    _ok(winnow("annotate", str(highlighted), "--quote", abstract[:30], "--comment", "mine",
               db=path))
    _ok(winnow("star", str(undone), db=path))
    _ok(winnow("unstar", str(undone), db=path))
    high_water = max(ids_in(path, "SELECT id FROM papers"))

    importer.send_signal(signal.SIGKILL)
    importer.communicate()

    recovered = _ok(winnow("stats", db=path))
    assert "cut short" in recovered and "kept 6 papers" in recovered, recovered
    kept = {tagged, noted, starred, read, highlighted, undone}
    assert set(ids_in(path, "SELECT id FROM papers")) == set(base_papers) | kept
    listed = winnow("list", "--json", "--limit", "5000", db=path)
    shown = {p["id"]: p for p in json.loads(listed.stdout)}
    assert "meanwhile" in shown[tagged]["tags"]
    assert shown[noted]["note"] == "written during the import"
    assert shown[starred]["starred"] and shown[read]["read"]
    assert [a["comment"] for a in shown[highlighted]["annotations"]] == ["mine"]
    with closing(read_only(path)) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # Nothing of the dead import is left 'importing'.
        assert conn.execute("SELECT count(*) FROM sources WHERE status = 'importing'"
                            ).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM events WHERE paper_id NOT IN "
                            "(SELECT id FROM papers)").fetchone()[0] == 0
    assert winnow("check", db=path).returncode == 0

    # Every action taken during the import undoes and redoes cleanly.
    for _ in range(7):
        _ok(winnow("undo", db=path))
    for _ in range(7):
        _ok(winnow("redo", db=path))

    # The import runs again whole; the dead import's ids are never handed out again.
    report = _ok(winnow("import", str(big_listing), db=path))
    assert "papers" in report
    later = write_listing(tmp_path / "later.txt", 50, prefix="Later", seed=7)
    _ok(winnow("import", str(later), db=path))
    new_ids = ids_in(path, "SELECT id FROM papers WHERE id NOT IN ({})".format(
        ",".join(map(str, [*base_papers, *kept]))))
    assert new_ids and min(new_ids) > high_water
    with closing(read_only(path)) as conn:
        [[state]] = conn.execute("SELECT starred FROM papers WHERE id = ?", (starred,))
    assert state == 1


def _make_events(path: Path) -> tuple[int, int]:
    """A tag and a note on the newest paper, the tag undone: (its id, the max id)."""
    [newest] = ids_in(path, "SELECT max(id) FROM papers")
    _ok(winnow("tag", str(newest), "--add", "gone-soon", db=path))
    _ok(winnow("note", str(newest), "a note on a paper that will vanish", db=path))
    _ok(winnow("undo", db=path))  # the note
    _ok(winnow("undo", db=path))  # the tag
    return newest, newest


def _delete_outside_winnow(path: Path, paper_id: int) -> None:
    """What another tool (a DB browser, sqlite-utils) does: delete the paper itself."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN")
        for table in ("paper_tags", "annotations", "paper_sources"):
            conn.execute(f"DELETE FROM {table} WHERE paper_id = ?", (paper_id,))
        conn.execute("DELETE FROM papers WHERE id = ?", (paper_id,))
        conn.execute("COMMIT")


def test_undo_and_redo_skip_a_paper_that_no_longer_exists(tmp_path: Path,
                                                          base_template: Path) -> None:
    path = copy_library(base_template, tmp_path)
    gone, _ = _make_events(path)
    _delete_outside_winnow(path, gone)
    # Redo would put the tag back on a paper that is gone: skipped, said so.
    redone = _ok(winnow("redo", db=path))
    assert "no longer in the library" in redone and str(gone) in redone, redone
    redone = _ok(winnow("redo", db=path))
    assert "no longer in the library" in redone, redone
    with closing(read_only(path)) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_ids_of_deleted_papers_are_never_handed_out_again(tmp_path: Path,
                                                         base_template: Path) -> None:
    path = copy_library(base_template, tmp_path)
    gone, high = _make_events(path)
    _delete_outside_winnow(path, gone)
    later = write_listing(tmp_path / "later.txt", 20, prefix="Later", seed=11)
    _ok(winnow("import", str(later), db=path))
    with closing(read_only(path)) as conn:
        assert conn.execute("SELECT count(*) FROM papers WHERE id = ?", (gone,)
                            ).fetchone()[0] == 0
        assert conn.execute("SELECT min(id) FROM papers WHERE title LIKE 'Later%'"
                            ).fetchone()[0] > high
    # The old log entries about the vanished paper never land on a new one.
    redone = _ok(winnow("redo", db=path))
    assert "no longer in the library" in redone, redone
    with closing(read_only(path)) as conn:
        assert conn.execute("SELECT count(*) FROM paper_tags pt JOIN tags t ON "
                            "t.id = pt.tag_id WHERE t.name = 'gone-soon'").fetchone()[0] == 0


def test_library_api_recovery_reports_what_it_kept(tmp_path: Path, base_template: Path,
                                                   big_listing: Path,
                                                   no_leaked_processes: list) -> None:
    path = copy_library(base_template, tmp_path)
    importer, _source, imported = _stopped_mid_import(path, big_listing, no_leaked_processes)
    with Library(path) as lib:  # the import is alive (stopped): left alone
        assert lib.notices == []
        lib.set_starred([imported[0]])
    importer.send_signal(signal.SIGKILL)
    importer.communicate()
    with Library(path) as lib:
        [notice] = lib.notices
        assert "kept 1 paper " in notice and big_listing.name in notice, notice
        assert lib.get(imported[0]).starred
        assert lib.get(imported[1]) is None
