"""storage/library/ids.py: an id is never handed out twice (issue 13), on a real library:
a new paper or highlight never takes the id of one deleted or taken back."""

from __future__ import annotations

import pytest

from storage import Library
from storage.library.ids import next_id

THREE = ("First Paper Title\n\nAn abstract about quokkas and their grammars.\n\n"
         "Second Paper Title\n\nAn abstract about wombats digging burrows.\n\n"
         "Third Paper Title\n\nAn abstract about numbats eating termites.\n")


def test_the_next_paper_id_follows_the_highest_ever_used(library: Library) -> None:
    assert next_id(library.conn, "papers") == 1
    library.import_text(THREE, name="first")
    ids = sorted(library.search("", limit=None).ids)
    assert next_id(library.conn, "papers") == ids[-1] + 1
    library.delete_papers([ids[-1]], backup=False)
    assert next_id(library.conn, "papers") == ids[-1] + 1  # not the dead paper's id
    library.import_text("A Fresh Paper\n\nAn abstract about bilbies.\n", name="second")
    [fresh] = library.search("bilbies", limit=None).ids
    assert fresh == ids[-1] + 1


def test_papers_an_undone_import_took_back_leave_their_ids_unused(library: Library) -> None:
    library.import_text(THREE, name="first")
    second = library.import_text("A Fresh Paper\n\nAn abstract about bilbies.\n",
                                 name="second")
    [taken_back] = library.search("bilbies", limit=None).ids
    library.undo_import(second.source_id, backup=False)
    library.import_text("Another Paper\n\nAn abstract about dunnarts.\n", name="third")
    [later] = library.search("dunnarts", limit=None).ids
    assert later > taken_back


def test_a_new_highlight_never_takes_a_deleted_ones_id(library: Library) -> None:
    library.import_text(THREE, name="first")
    paper = library.search("quokkas", limit=None).ids[0]
    first = library.annotate_quote(paper, "quokkas").annotation
    second = library.annotate_quote(paper, "grammars").annotation
    assert first is not None and second is not None
    library.delete_annotation(second.id)
    assert next_id(library.conn, "annotations") == second.id + 1
    third = library.annotate_quote(paper, "abstract").annotation
    assert third is not None and third.id == second.id + 1


def test_only_tables_with_a_high_water_mark_are_asked(library: Library) -> None:
    with pytest.raises(ValueError, match="no high-water mark is kept for 'tags'"):
        next_id(library.conn, "tags")
