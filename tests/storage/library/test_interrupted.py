"""An import a kill cut short (storage/library/interrupted.py): left by a Library opened
with `finish_cut_short=False` for `finish_cut_short()`, taken back there in steps that
commit between them, with progress; a paper the user acts on between two steps stays;
Cancel stops between two steps and the next open goes on. Real library files; the
kill is what it leaves: the sources row still 'importing' and its lock free."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from tests.reliability.conftest import write_listing


def _cut_short_import(library: Library, tmp_path: Path, papers: int = 600
                      ) -> tuple[int, list[int]]:
    """An import of `papers` papers whose process died between two batch commits:
    it had changed paper 1's upvotes (journalled), and its row still says importing."""
    report = library.import_files([write_listing(tmp_path / "big.txt", papers)])
    assert report.new == papers
    source = library.sources()[0]["id"]
    ids = [row[0] for row in library.conn.execute(
        "SELECT id FROM papers WHERE first_source_id = ? ORDER BY id", (source,))]
    conn = library.conn
    conn.execute("BEGIN IMMEDIATE")
    old = conn.execute("SELECT upvotes FROM papers WHERE id = 1").fetchone()[0]
    conn.execute("INSERT INTO import_undo (source_id, paper_id, facts) VALUES (?, 1, ?)",
                 (source, f'{{"upvotes": {old}}}'))
    conn.execute("UPDATE papers SET upvotes = 9999 WHERE id = 1")
    conn.execute("UPDATE sources SET status = 'importing' WHERE id = ?", (source,))
    conn.execute("COMMIT")
    return source, ids


def _sound(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")


def test_an_import_cut_short_is_left_for_the_worker_and_taken_back_in_steps(
        seeded: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, ids = _cut_short_import(seeded, tmp_path)
    upvotes = seeded.conn.execute("SELECT upvotes FROM papers WHERE id = 2").fetchone()[0]
    seeded.set_starred([ids[10]])  # acted on before the kill
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "50")

    # As the app's window opens it: nothing taken back on the opening thread.
    opened = Library(seeded.path, finish_cut_short=False)
    try:
        assert opened.stats()["total"] == 1015 and opened.notices == []
        assert opened.removal_jobs() == [{"kind": "import", "source": source,
                                          "name": "big.txt", "papers": 600,
                                          "what": f"import {source} (big.txt)"}]
        steps: list[tuple[int, int]] = []

        def progress(done: int, total: int) -> None:
            steps.append((done, total))
            if len(steps) == 3:  # the user stars a paper not reached yet, between steps
                seeded.set_starred([ids[-1]])

        told = opened.finish_cut_short(progress=progress)
    finally:
        opened.close()
    assert steps == [(n, 600) for n in range(50, 601, 50)]
    assert told == ["big.txt: an import that was cut short has been taken back (598 "
                    "papers); kept 2 papers you had read, starred, tagged, noted or "
                    "highlighted meanwhile, with all you did to them"]
    assert {r[0] for r in seeded.conn.execute(
        "SELECT id FROM papers WHERE first_source_id = ?", (source,))} == {ids[10], ids[-1]}
    assert seeded.stats()["total"] == 417
    assert seeded.get(ids[-1]).starred and seeded.get(ids[10]).starred
    # The listing fact it changed in a paper it did not bring is back.
    assert seeded.conn.execute("SELECT upvotes FROM papers WHERE id = 1").fetchone()[0] != 9999
    assert seeded.conn.execute("SELECT upvotes FROM papers WHERE id = 2").fetchone()[0] == \
        upvotes
    [row] = [s for s in seeded.sources() if s["id"] == source]
    assert (row["status"], row["found"], row["papers"]) == ("interrupted", 2, 2)
    assert seeded.removal_jobs() == []
    _sound(seeded.path)


def test_cancel_stops_between_two_steps_and_the_next_open_goes_on(
        seeded: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, ids = _cut_short_import(seeded, tmp_path)
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "50")
    steps: list[int] = []
    opened = Library(seeded.path, finish_cut_short=False)
    try:
        told = opened.finish_cut_short(progress=lambda done, _total: steps.append(done),
                                       cancel=lambda: len(steps) == 2)
        assert told == [] and steps == [50, 100]
        # Two steps committed, the rest waits, still 'importing' with its lock free.
        [job] = opened.removal_jobs()
        assert (job["kind"], job["papers"]) == ("import", 500)
        assert seeded.conn.execute("SELECT status FROM sources WHERE id = ?",
                                   (source,)).fetchone() == ("importing",)
        assert seeded.get(ids[99]) is None and seeded.get(ids[100]) is not None
    finally:
        opened.close()
    _sound(seeded.path)
    # The next open (the command line's, a test's: finish_cut_short=True) ends it.
    with Library(seeded.path) as again:
        assert again.notices == [
            "big.txt: an import that was cut short has been taken back (500 papers)"]
        assert again.stats()["total"] == 415 and again.removal_jobs() == []
        assert again.conn.execute("SELECT count(*) FROM sources WHERE id = ?",
                                  (source,)).fetchone() == (0,)
        assert again.conn.execute("SELECT upvotes FROM papers WHERE id = 1"
                                  ).fetchone()[0] != 9999
    _sound(seeded.path)


def test_an_import_still_running_elsewhere_is_not_offered_nor_touched(
        seeded: Library, tmp_path: Path) -> None:
    from storage.library.importlock import ImportLock

    source, _ids = _cut_short_import(seeded, tmp_path, papers=60)
    lock = ImportLock(seeded.path, source)  # its importer, alive
    assert lock.try_acquire()
    try:
        with Library(seeded.path, finish_cut_short=False) as opened:
            assert opened.removal_jobs() == []
            assert opened.finish_cut_short() == []
            assert opened.stats()["total"] == 475
    finally:
        lock.release()
