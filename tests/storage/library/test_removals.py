"""storage/library/removals.py: delete and undo-import as Library operations on a real
file: the backup taken first, the Change each announces, the refusals, and undo and redo
through the events log. (What happens to the rows is storage/removal.py's, tested in
tests/storage/test_removal.py.)"""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from storage import Library, LibraryError
from storage.models import COUNTS, PAPERS, Change

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
