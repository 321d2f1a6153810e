"""A way back: "undo this import", delete, and the undo of both, on real files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage import Library, LibraryError
from tests.storage.test_identity import ABSTRACTS, TITLES, listing


def _fts_ids(library: Library, word: str) -> list[int]:
    return sorted(r[0] for r in library.conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?", (word,)))


def _by_title(library: Library) -> dict[str, int]:
    return {p.title: p.id for p in library.get_many(library.search("", limit=None).ids)}


@pytest.fixture
def two_imports(library: Library) -> tuple[Library, int, int]:
    """Monday lists papers 1-4; Tuesday lists 3-4 again (more upvotes, a revised
    abstract for 4) and brings 5-7."""
    monday = library.import_text(listing(list(zip(TITLES[:4], ABSTRACTS[:4], strict=True)),
                                         upvotes=5), name="monday")
    revised = ABSTRACTS[3].replace("We show that", "We show, with ablations, that")
    tuesday_pairs = [(TITLES[2], ABSTRACTS[2]), (TITLES[3], revised),
                     *zip(TITLES[4:7], ABSTRACTS[4:7], strict=True)]
    tuesday = library.import_text(listing(tuesday_pairs, upvotes=12), name="tuesday")
    assert (tuesday.new, tuesday.updated) == (3, 2)
    return library, monday.source_id, tuesday.source_id


def test_undo_import_removes_its_papers_and_takes_back_its_changes(
        two_imports: tuple[Library, int, int]) -> None:
    library, monday, tuesday = two_imports
    ids = _by_title(library)
    library.set_starred([ids[TITLES[4]]])  # the user acted on one of Tuesday's papers
    highlight = library.annotate_quote(ids[TITLES[3]], "with ablations").annotation

    result = library.undo_import(tuesday)
    assert sorted(result.removed) == sorted([ids[TITLES[5]], ids[TITLES[6]]])
    assert result.kept_acted_on == [ids[TITLES[4]]]
    assert sorted(result.reverted) == sorted([ids[TITLES[2]], ids[TITLES[3]]])

    left = _by_title(library)
    assert set(left) == {*TITLES[:5]}
    assert library.get(ids[TITLES[4]]).starred
    for title in TITLES[2:4]:
        assert library.get(ids[title]).upvotes == 5
    paper = library.get(ids[TITLES[3]])
    assert paper.abstract == ABSTRACTS[3]
    assert [h["abstract"] for h in library.abstract_history(paper.id)][-1].startswith(
        ABSTRACTS[3].replace("We show that", "We show, with ablations, that")[:40])
    assert library.annotation(highlight.id).orphaned  # its quote is not in the old text
    assert all(s.name == "monday" for p in library.get_many(list(left.values()))
               for s in p.sources if p.id != ids[TITLES[4]])
    assert [s["id"] for s in library.sources()] == [monday]
    [undone, _] = library.sources(undone=True)
    assert undone["id"] == tuesday and undone["status"] == "undone"
    assert _fts_ids(library, "weather") == []  # paper 7's abstract left the index
    with sqlite3.connect(library.path) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    backups = list(library.backup_dir().glob(f"*-before-undo-import-{tuesday}-*.db"))
    assert len(backups) == 1


def test_undo_of_the_undo_puts_the_import_back_and_redo_takes_it_again(
        two_imports: tuple[Library, int, int]) -> None:
    library, _, tuesday = two_imports
    before = {p.id: p for p in library.get_many(library.search("", limit=None).ids)}
    library.undo_import(tuesday)

    change = library.undo()
    assert change is not None and change.description == (
        f"Put back import {tuesday} (tuesday): 3 papers back in the library")
    after = {p.id: p for p in library.get_many(library.search("", limit=None).ids)}
    assert after == before  # same ids, same facts, same sources
    assert _fts_ids(library, "weather") == [_by_title(library)[TITLES[6]]]
    assert library.sources()[0]["id"] == tuesday

    again = library.redo()
    assert again is not None and again.description == (
        f"Took back import {tuesday} (tuesday) again: removed 3 papers")
    assert len(library.search("", limit=None).ids) == 4
    assert library.undo() is not None
    assert len(library.search("", limit=None).ids) == 7
    library.check(quick=False)


def test_a_later_import_keeps_what_it_changed_and_shared_papers_stay(
        two_imports: tuple[Library, int, int]) -> None:
    library, _, tuesday = two_imports
    # Wednesday lists paper 5 again (first brought by Tuesday) and raises 3's upvotes.
    wednesday = library.import_text(listing([(TITLES[2], ABSTRACTS[2]),
                                             (TITLES[4], ABSTRACTS[4])], upvotes=30),
                                    name="wednesday")
    ids = _by_title(library)
    result = library.undo_import(tuesday)
    assert ids[TITLES[4]] in result.kept_elsewhere
    assert library.get(ids[TITLES[2]]).upvotes == 30  # Wednesday's value stands
    assert ids[TITLES[2]] in result.skipped
    first = library.conn.execute("SELECT first_source_id FROM papers WHERE id = ?",
                                 (ids[TITLES[4]],)).fetchone()[0]
    assert first == wednesday.source_id


def test_an_undone_file_can_be_imported_again(two_imports: tuple[Library, int, int],
                                              tmp_path: Path) -> None:
    library, _, _ = two_imports
    page = tmp_path / "page.txt"
    page.write_text(listing([(TITLES[8], ABSTRACTS[8])]), encoding="utf-8")
    first = library.import_files([page]).files[0]
    library.undo_import(first.source_id)
    second = library.import_files([page]).files[0]
    assert second.new == 1 and second.source_id != first.source_id
    with pytest.raises(LibraryError, match="already undone"):
        library.undo_import(first.source_id)
    with pytest.raises(LibraryError, match="no import with id 999"):
        library.undo_import(999)


def test_delete_keeps_a_backup_and_undo_restores_everything(
        two_imports: tuple[Library, int, int]) -> None:
    library, _, _ = two_imports
    ids = _by_title(library)
    doomed = [ids[TITLES[0]], ids[TITLES[6]]]
    library.add_tags(doomed, ["gone"])
    library.set_note(doomed[0], "zanzibar note")
    highlight = library.annotate_quote(doomed[0], "strong baselines", comment="quokka").annotation
    before = library.get_many(doomed)

    change = library.delete_papers(doomed)
    assert change.paper_ids == tuple(doomed) and change.description == "Deleted 2 papers"
    assert library.get_many(doomed) == []
    assert _fts_ids(library, "zanzibar") == [] and _fts_ids(library, "quokka") == []
    assert library.tags() == [("gone", 0)]
    assert len(list(library.backup_dir().glob("*-before-delete-*.db"))) == 1
    # A new paper never takes a deleted paper's id, so undo can put it back.
    fresh = library.import_text(listing([(TITLES[8], ABSTRACTS[8])]), name="later")
    assert max(_by_title(library).values()) > max(ids.values())
    assert fresh.new == 1

    library.undo()  # the import is not a user action: undo reaches the delete
    assert library.get_many(doomed) == before
    assert library.annotation(highlight.id) is not None
    assert _fts_ids(library, "zanzibar") == [doomed[0]]
    assert _fts_ids(library, "quokka") == [doomed[0]]
    library.check(quick=False)
    library.redo()
    assert library.get_many(doomed) == []
    library.check(quick=False)


def test_delete_of_an_unknown_id_changes_nothing(library: Library) -> None:
    library.import_text(listing([(TITLES[0], ABSTRACTS[0])]), name="one")
    with pytest.raises(LibraryError, match="no paper with id 42"):
        library.delete_papers([1, 42])
    assert library.count() == 1


def test_delete_and_undo_import_after_papers_have_vectors(
        two_imports: tuple[Library, int, int]) -> None:
    """Vectors are derived binary rows: removing a paper drops them instead of
    writing them into the undo trash (they used to break it: bytes are not JSON)."""
    library, _, tuesday = two_imports
    ids = _by_title(library)
    assert library.update_vectors() == len(ids)
    library.similar(ids[TITLES[0]])

    library.delete_papers([ids[TITLES[0]]])
    result = library.undo_import(tuesday)
    assert sorted(result.removed) == sorted([ids[TITLES[4]], ids[TITLES[5]], ids[TITLES[6]]])
    vectors = {r[0] for r in library.conn.execute("SELECT paper_id FROM paper_vectors")}
    # Removed papers leave no vector behind; a reverted abstract's vector is remade later.
    assert vectors <= set(_by_title(library).values())

    library.undo()  # the import comes back
    library.undo()  # and the deleted paper
    assert set(_by_title(library)) == set(TITLES[:7])
    library.update_vectors()
    vectors = {r[0] for r in library.conn.execute("SELECT paper_id FROM paper_vectors")}
    assert vectors == set(ids.values())
    assert ids[TITLES[0]] not in library.similar(ids[TITLES[0]], limit=10)
    library.check(quick=False)


def test_trash_an_undo_could_not_put_back_goes_once_no_redo_can_reach_it(
        seeded: Library) -> None:
    # A deleted paper whose id another tool filled meanwhile cannot come back on
    # undo and stays in the trash. Once a new action makes that undone delete
    # unreachable (no redo), nothing can ever read its trash rows again: they go.
    # The trash of a delete still in effect stays, and its undo still works.
    trash = "SELECT paper_id FROM trash ORDER BY paper_id"
    seeded.delete_papers([7], backup=False)
    seeded.delete_papers([5], backup=False)
    seeded.conn.execute("INSERT INTO papers (id, key, title, abstract, added_at) "
                        "VALUES (5, 'other', 'Other', '', '2026-01-01')")
    seeded.undo()
    assert seeded.conn.execute(trash).fetchall() == [(5,), (7,)]
    assert seeded.get(5).title == "Other"

    seeded.set_read([6])
    assert seeded.conn.execute(trash).fetchall() == [(7,)]
    assert not seeded.can_redo()
    seeded.undo()  # the read
    seeded.undo()  # the first delete
    assert seeded.get(7) is not None
    assert seeded.conn.execute(trash).fetchall() == []
