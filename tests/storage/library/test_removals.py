"""storage/library/removals.py: delete and undo-import as Library operations on a real
file: the backup taken first, the Change each announces, the refusals, and undo and redo
through the events log. (What happens to the rows is storage/removal.py's, tested in
tests/storage/test_removal.py.)"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library, LibraryError
from storage.models import COUNTS, PAPERS, Change
from tests.reliability.conftest import write_listing

THREE = ("First Paper Title\n\nAn abstract about quokkas and their grammars.\n\n"
         "Second Paper Title\n\nAn abstract about wombats digging burrows.\n\n"
         "Third Paper Title\n\nAn abstract about numbats eating termites.\n")


@pytest.fixture
def three(library: Library) -> list[int]:
    library.import_text(THREE, name="monday")
    return sorted(library.search("", limit=None).ids)


def test_a_delete_is_backed_up_first_and_announced_once(library: Library,
                                                        three: list[int]) -> None:
    seen: list[Change] = []
    library.listen(seen.append)
    change = library.delete_papers([three[0], three[0]])
    assert seen == [change]
    assert (change.description, change.paper_ids, change.count) == (
        "Deleted 1 paper", (three[0],), 1)
    assert change.aspects == frozenset({PAPERS, COUNTS})
    [backup] = library.backup_dir().glob("library-before-delete-*.db")
    with closing(sqlite3.connect(backup)) as conn:  # the backup still holds the paper
        assert conn.execute("SELECT count(*) FROM papers WHERE id = ?",
                            (three[0],)).fetchone()[0] == 1
    assert library.count() == 2


def test_a_delete_without_backup_writes_none(library: Library, three: list[int]) -> None:
    assert library.delete_papers(three[1:], backup=False).description == "Deleted 2 papers"
    assert list(library.backup_dir().glob("*before-delete*")) == []
    nothing = library.delete_papers([], backup=False)
    assert nothing.description == "Deleted no paper" and not nothing


def test_undo_puts_deleted_papers_back_and_redo_takes_them_again(
        library: Library, three: list[int]) -> None:
    library.set_note(three[1], "keep this note")
    library.delete_papers(three[1:], backup=False)
    undone = library.undo()
    assert undone.origin == "undo" and set(undone.paper_ids) == set(three[1:])
    assert library.count() == 3 and library.get(three[1]).note == "keep this note"
    redone = library.redo()
    assert redone.origin == "redo" and library.count() == 1


def test_undo_import_refuses_what_it_cannot_take_back(library: Library,
                                                      three: list[int]) -> None:
    source_id = library.sources()[0]["id"]
    with pytest.raises(LibraryError, match=r"^no import with id 77 \(see `winnow sources`\)$"):
        library.undo_import(77)
    result = library.undo_import(source_id, backup=False)
    assert sorted(result.removed) == three and library.count() == 0
    with pytest.raises(LibraryError) as again:
        library.undo_import(source_id)
    assert str(again.value) == (f"import {source_id} (monday) is already undone; "
                                f"`winnow undo` puts it back")
    library.undo()  # the import comes back: its papers with their ids
    assert sorted(library.search("", limit=None).ids) == three


def test_an_import_still_running_is_not_taken_back(library: Library, three: list[int]
                                                   ) -> None:
    source_id = library.sources()[0]["id"]
    library.conn.execute("UPDATE sources SET status = 'importing' WHERE id = ?", (source_id,))
    with pytest.raises(LibraryError, match=rf"^import {source_id} \(monday\) is still running$"):
        library.undo_import(source_id)
    assert library.count() == 3


def test_undo_import_backs_up_first_and_announces_everything(library: Library,
                                                             three: list[int]) -> None:
    seen: list[Change] = []
    library.listen(seen.append)
    source_id = library.sources()[0]["id"]
    library.undo_import(source_id)
    assert len(list(library.backup_dir().glob(
        f"library-before-undo-import-{source_id}-*.db"))) == 1
    [change] = seen
    assert change.description == f"Took back import {source_id}"
    assert change.everything and change.count == 3 and set(change.paper_ids) == set(three)


# ------------------------------------------------- in steps (WINNOW_REMOVAL_BATCH)
def _rows(library: Library) -> dict[str, list[tuple[object, ...]]]:
    """Everything a take-back or a delete could touch, row by row."""
    return {table: library.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("papers", "paper_sources", "paper_tags", "annotations", "sources",
                          "trash", "meta", "events", "state_counts")}


def test_a_take_back_in_steps_reports_progress_and_ends_as_one_in_one_step(
        seeded: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    report = seeded.import_files([write_listing(tmp_path / "listing.txt", 120)])
    source_id = seeded.sources()[0]["id"]
    brought = sorted(seeded.conn.execute(
        "SELECT id FROM papers WHERE first_source_id = ?", (source_id,)).fetchall())
    assert report.new == len(brought) == 120
    seeded.set_starred([brought[-1][0]])
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "25")
    seen: list[tuple[int, int]] = []
    result = seeded.undo_import(source_id, backup=False,
                                progress=lambda done, total: seen.append((done, total)))
    assert not result.cancelled and result.kept_acted_on == [brought[-1][0]]
    assert len(result.removed) == 119
    assert seen == [(25, 119), (50, 119), (75, 119), (100, 119), (119, 119)]
    assert seeded.removal_jobs() == [] and seeded.count() == 416
    stepped = _rows(seeded)
    seeded.undo()
    assert seeded.count() == 535
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "100000")
    # The same take-back in one transaction (redo): the same rows.
    assert seeded.redo().description == (
        f"Took back import {source_id} (listing.txt) again: removed 119 papers")
    whole = _rows(seeded)
    for table in ("papers", "paper_sources", "paper_tags", "annotations", "state_counts"):
        assert whole[table] == stepped[table], table
    assert [r[1:4] for r in whole["trash"]] == [r[1:4] for r in stepped["trash"]]


def test_cancel_puts_back_what_a_take_back_took_so_far(
        seeded: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seeded.import_files([write_listing(tmp_path / "listing.txt", 120)])
    source_id = seeded.sources()[0]["id"]
    seeded.set_starred([2])  # the last action before: undo must still reach it
    before = _rows(seeded)
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "20")
    steps: list[int] = []
    result = seeded.undo_import(source_id, backup=False,
                                progress=lambda done, _total: steps.append(done),
                                cancel=lambda: len(steps) >= 2)
    assert result.cancelled and result.removed == []
    assert steps[:2] == [20, 40] and steps[-1] == 0  # back down as it put them back
    assert _rows(seeded) == before
    assert seeded.undo().description == "Undid star on 1 paper"


def test_cancel_puts_back_what_a_delete_took_so_far(
        seeded: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    seeded.add_tags([5, 6], ["kept"])
    seeded.set_note(6, "a note on a paper being deleted")
    before = _rows(seeded)
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "50")
    calls: list[int] = []
    # Cancel once a step ran (before any, nothing starts: see the next tests).
    change = seeded.delete_papers(range(1, 301), backup=False,
                                  progress=lambda done, _total: calls.append(done),
                                  cancel=lambda: bool(calls))
    assert change.description == "Deleted no paper (cancelled)" and not change.paper_ids
    assert calls[0] == 50
    assert _rows(seeded) == before
    assert seeded.get(6).note == "a note on a paper being deleted"


def test_a_delete_in_steps_is_undone_and_redone_in_steps(
        seeded: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    seeded.add_tags([5, 6], ["kept"])
    before = _rows(seeded)
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "40")
    assert seeded.delete_papers(range(1, 301), backup=False).count == 300
    assert seeded.count() == 115 and seeded.removal_jobs() == []
    undone = seeded.undo()
    assert undone.description == "Undid delete on 300 papers" and len(undone.paper_ids) == 300
    after_undo = _rows(seeded)
    for table in ("papers", "paper_sources", "paper_tags", "annotations", "trash",
                  "state_counts"):
        assert after_undo[table] == before[table], table
    assert seeded.redo().description == "Redid delete on 300 papers"
    assert seeded.count() == 115 and [t[0] for t in seeded.tags()] == ["kept"]
    assert seeded.conn.execute("SELECT count(*) FROM trash").fetchone()[0] == 300


def test_the_size_of_the_next_undo_and_its_progress(
        seeded: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seeded.import_files([write_listing(tmp_path / "listing.txt", 120)])
    source_id = seeded.sources()[0]["id"]
    assert seeded.papers_to_replay() == 0  # an import is not undone by undo
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "50")
    seeded.undo_import(source_id, backup=False)
    assert seeded.papers_to_replay() == 120 and seeded.papers_to_replay(redo=True) == 0
    seen: list[tuple[int, int]] = []
    seeded.undo(progress=lambda done, total: seen.append((done, total)))
    assert seen == [(50, 120), (100, 120), (120, 120)]
    assert seeded.papers_to_replay(redo=True) == 120
    seeded.delete_papers(range(1, 201), backup=False)
    assert seeded.papers_to_replay() == 200
    seeded.set_starred([300])
    assert seeded.papers_to_replay() == 0


# ------------------------------------------- Cancel of a put-back, of a small job
def test_cancel_of_putting_an_import_back_takes_it_out_again(
        seeded: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seeded.import_files([write_listing(tmp_path / "listing.txt", 120)])
    source_id = seeded.sources()[0]["id"]
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "20")
    seeded.undo_import(source_id, backup=False)
    taken = _rows(seeded)
    steps: list[int] = []
    change = seeded.undo(progress=lambda done, _total: steps.append(done),
                         cancel=lambda: len(steps) >= 3)
    assert not change and change.description == (
        f"Undo cancelled: import {source_id} stays taken back")
    assert steps[:3] == [20, 40, 60] and steps[-1] == 0  # back down as it took them out
    after = _rows(seeded)
    for table in ("papers", "paper_sources", "paper_tags", "annotations", "sources",
                  "events", "meta", "state_counts"):
        assert after[table] == taken[table], table
    # The same papers in the trash, under the same batch (new trash rows).
    assert sorted(r[1:3] for r in after["trash"]) == sorted(r[1:3] for r in taken["trash"])
    assert seeded.removal_jobs() == []
    # Still undoable: the next undo puts all 120 back, and redo takes them again.
    assert seeded.undo().description == (
        f"Put back import {source_id} (listing.txt): 120 papers back in the library")
    assert seeded.count() == 535 and seeded.sources()[0]["status"] == "complete"
    assert seeded.redo().description == (
        f"Took back import {source_id} (listing.txt) again: removed 120 papers")
    assert seeded.count() == 415


def test_cancel_of_undoing_a_delete_deletes_again_and_of_redo_puts_back(
        seeded: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    seeded.add_tags([5, 6], ["kept"])
    seeded.set_note(6, "a note on a deleted paper")
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "50")
    seeded.delete_papers(range(1, 301), backup=False)
    deleted = _rows(seeded)
    calls: list[int] = []
    change = seeded.undo(progress=lambda done, _total: calls.append(done),
                         cancel=lambda: bool(calls))
    assert change.description == "Undo cancelled: the deleted papers stay deleted"
    assert calls[0] == 50 and calls[-1] == 0
    for table in ("papers", "paper_tags", "events", "meta", "state_counts"):
        assert _rows(seeded)[table] == deleted[table], table
    assert seeded.undo().description == "Undid delete on 300 papers"
    assert seeded.get(6).note == "a note on a deleted paper"
    before_redo = _rows(seeded)
    redone: list[int] = []
    change = seeded.redo(progress=lambda done, _total: redone.append(done),
                         cancel=lambda: bool(redone))
    assert change.description == "Redo cancelled: the papers stay in the library"
    for table in ("papers", "paper_tags", "events", "meta", "state_counts"):
        assert _rows(seeded)[table] == before_redo[table], table
    assert seeded.redo().description == "Redid delete on 300 papers"


def test_cancel_of_a_job_of_one_step_rolls_it_back_whole(
        library: Library, three: list[int]) -> None:
    before = _rows(library)
    source_id = library.sources()[0]["id"]
    result = library.undo_import(source_id, backup=False, cancel=lambda: True)
    assert result.cancelled and result.removed == []
    assert library.delete_papers(three, backup=False, cancel=lambda: True).description == (
        "Deleted no paper (cancelled)")
    assert _rows(library) == before
    # Cancelled once the job's one transaction ran: rolled back all the same.
    asked: list[bool] = []

    def late() -> bool:
        asked.append(True)
        return len(asked) > 1

    assert library.undo_import(source_id, backup=False, cancel=late).cancelled
    assert asked == [True, True] and _rows(library) == before
    assert library.undo().description == "Nothing to undo"


def test_a_job_a_kill_left_waits_for_finish_cut_short_when_asked(
        seeded: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seeded.import_files([write_listing(tmp_path / "listing.txt", 120)])
    source_id = seeded.sources()[0]["id"]
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "20")
    seen: list[int] = []

    class Killed(BaseException):
        pass

    def kill_after_two(done: int, _total: int) -> None:
        seen.append(done)
        if len(seen) == 2:
            raise Killed  # the process dies between two steps, its lock with it
    with pytest.raises(Killed):
        seeded.undo_import(source_id, backup=False, progress=kill_after_two)
    path = seeded.path
    seeded.close()
    with Library(path, finish_cut_short=False) as later:
        [job] = later.removal_jobs()
        assert (job["what"], job["pos"], job["total"]) == (
            f"taking back import {source_id}", 40, 120)
        assert later.count() == 495 and later.notices == []
        steps: list[tuple[int, int]] = []
        told = later.finish_cut_short(progress=lambda d, t: steps.append((d, t)))
        assert told == [f"library.db: taking back import {source_id} was cut short; it has "
                        f"been finished"]
        assert steps == [(60, 120), (80, 120), (100, 120), (120, 120)]
        assert later.removal_jobs() == [] and later.count() == 415


def test_cancel_of_finishing_a_cut_short_job_rolls_it_back(
        seeded: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seeded.import_files([write_listing(tmp_path / "listing.txt", 120)])
    source_id = seeded.sources()[0]["id"]
    before = _rows(seeded)
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "20")

    class Killed(BaseException):
        pass

    def kill(done: int, _total: int) -> None:
        if done == 60:
            raise Killed
    with pytest.raises(Killed):
        seeded.undo_import(source_id, backup=False, progress=kill)
    path = seeded.path
    seeded.close()
    with Library(path, finish_cut_short=False) as later:
        told = later.finish_cut_short(cancel=lambda: True)
        assert told == [f"library.db: taking back import {source_id} was cut short; "
                        f"finishing it was cancelled, so it has been rolled back"]
        after = _rows(later)
    for table in ("papers", "paper_sources", "paper_tags", "sources", "events", "meta",
                  "state_counts", "trash"):
        assert after[table] == before[table], table
