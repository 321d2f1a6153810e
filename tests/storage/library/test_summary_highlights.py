"""Highlights on the AI summary of a card that has no abstract (a trending page's):
`Annotation.field` says which text a highlight's offsets are into; they re-anchor when an
import changes the summary, and go back with undo-import; schema 13 keeps every older
highlight on its abstract. A summary an import replaces is kept in `summary_history`
(schema 14), as abstracts are in `abstract_history`. Real library files."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library, LibraryError
from storage.records import PaperRecord
from tests.fixtures.make_fixture import load

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIRST = ("LatticeKV stores keys in a lattice. It halves the memory of attention caches. "
         "Code is released.")
# The summary a later capture shows: the highlighted sentence moved, one word changed
# elsewhere.
SECOND = ("Code and weights are released. LatticeKV stores keys in a lattice. It halves "
          "the memory of attention caches.")
THIRD = "A quantiser for key-value caches."


def _card(summary: str) -> PaperRecord:
    return PaperRecord("LatticeKV: Keys on a Lattice", "", 0, 4, None, "2026-11-28",
                       "Nov 28", False, 12, arxiv_id="2611.01234", ai_summary=summary)


def _trending(lib: Library, summary: str, name: str) -> int:
    report = lib.import_records([_card(summary)], name=name)
    assert report.ok, report
    return report.source_id


def test_a_sentence_of_the_summary_is_highlighted_and_commented(library: Library) -> None:
    _trending(library, FIRST, "trending.md")
    [paper_id] = library.search("", limit=None).ids
    sentence = "It halves the memory of attention caches."
    made = library.annotate_quote(paper_id, sentence, comment="the claim", colour="green",
                                  field="ai_summary").annotation
    assert (made.field, made.quote, made.start) == ("ai_summary", sentence, FIRST.index(sentence))
    assert FIRST[made.start:made.end] == sentence
    [shown] = library.get(paper_id).annotations
    assert shown == made and shown.to_json()["field"] == "ai_summary"
    # The comment is searchable as any highlight's.
    assert library.search("claim", limit=None).ids == [paper_id]
    # Offsets are checked against the text they are into; the abstract is empty.
    with pytest.raises(LibraryError, match=r"outside the abstract \(0-0\)"):
        library.annotate(paper_id, 0, 5)
    with pytest.raises(LibraryError, match="not in the AI summary"):
        library.annotate_quote(paper_id, "not there", field="ai_summary")
    with pytest.raises(LibraryError, match="abstract or the AI summary"):
        library.annotate(paper_id, 0, 5, field="title")
    # Deleted and brought back by undo: still on the summary.
    library.delete_annotation(made.id)
    library.undo()
    assert library.get(paper_id).annotations == (made,)


def test_a_summary_highlight_re_anchors_when_an_import_changes_the_summary(
        library: Library) -> None:
    _trending(library, FIRST, "monday.md")
    [paper_id] = library.search("", limit=None).ids
    sentence = "It halves the memory of attention caches."
    made = library.annotate_quote(paper_id, sentence, field="ai_summary").annotation
    library.annotate_quote(paper_id, "LatticeKV", field="ai_summary")
    later = _trending(library, SECOND, "tuesday.md")
    paper = library.get(paper_id)
    assert paper.ai_summary == SECOND
    moved = next(a for a in paper.annotations if a.id == made.id)
    assert (moved.start, moved.orphaned) == (SECOND.index(sentence), False)
    assert SECOND[moved.start:moved.end] == sentence
    # Taking the later import back puts the summary back, and the highlight with it.
    library.undo_import(later, backup=False)
    back = next(a for a in library.get(paper_id).annotations if a.id == made.id)
    assert library.get(paper_id).ai_summary == FIRST
    assert (back.start, back.end, back.orphaned) == (made.start, made.end, False)
    # A summary without the sentence: the highlight stays, orphaned, with its quote.
    _trending(library, THIRD, "wednesday.md")
    gone = next(a for a in library.get(paper_id).annotations if a.id == made.id)
    assert gone.orphaned and gone.quote == sentence


def test_schema_13_keeps_every_older_highlight_on_its_abstract(tmp_path: Path) -> None:
    # The last version before annotations.field.
    path = load((FIXTURES / "library-v12.sql").read_text(encoding="utf-8"),
                tmp_path / "library.db")
    with closing(sqlite3.connect(path)) as conn:
        before = conn.execute('SELECT id, paper_id, start, "end", quote, comment, colour, '
                              "orphaned FROM annotations ORDER BY id").fetchall()
    assert before
    with Library(path) as lib:
        after = [(a.id, a.paper_id, a.start, a.end, a.quote, a.comment, a.colour,
                  int(a.orphaned)) for a in sorted(lib.annotations(), key=lambda a: a.id)]
        assert after == before
        assert {a.field for a in lib.annotations()} == {"abstract"}
        for a in lib.annotations():
            assert lib.get(a.paper_id).abstract[a.start:a.end] == a.quote
        # The undo log's highlight events (written without a field) still replay.
        lib.delete_annotation(before[0][0])
        lib.undo()
        assert lib.annotation(before[0][0]).field == "abstract"


def test_a_reworded_summary_keeps_the_text_a_highlight_was_made_on(library: Library) -> None:
    _trending(library, FIRST, "monday.md")
    [paper_id] = library.search("", limit=None).ids
    sentence = "It halves the memory of attention caches."
    made = library.annotate_quote(paper_id, sentence, comment="the claim",
                                  field="ai_summary").annotation
    assert library.summary_history(paper_id) == []
    # A capture whose summary lacks the sentence: the highlight is orphaned, and the
    # summary it was made on is kept, dated and named by the import that replaced it.
    third = _trending(library, THIRD, "wednesday.md")
    [gone] = library.get(paper_id).annotations
    assert gone.orphaned and gone.quote == sentence and gone.comment == "the claim"
    [kept] = library.summary_history(paper_id)
    assert kept["ai_summary"] == FIRST and kept["source_id"] == third
    assert kept["ai_summary"][made.start:made.end] == sentence
    # A later copy with the sentence again: the highlight finds it, as an abstract's
    # does; the summary it replaced joins the history.
    fourth = _trending(library, SECOND, "thursday.md")
    [back] = library.get(paper_id).annotations
    assert (back.orphaned, SECOND[back.start:back.end]) == (False, sentence)
    assert [(h["ai_summary"], h["source_id"]) for h in library.summary_history(paper_id)] \
        == [(FIRST, third), (THIRD, fourth)]
    # Taking an import back puts its summary in the history too (it was read).
    library.undo_import(fourth, backup=False)
    assert library.get(paper_id).ai_summary == THIRD
    assert library.summary_history(paper_id)[-1]["ai_summary"] == SECOND
    # The same words typeset otherwise are not a new summary: nothing to keep.
    _trending(library, THIRD.replace("-", "\u2011"), "friday.md")
    assert len(library.summary_history(paper_id)) == 3


def test_the_summary_history_is_listing_data_and_goes_and_comes_with_its_paper(
        library: Library) -> None:
    first = _trending(library, FIRST, "monday.md")
    [paper_id] = library.search("", limit=None).ids
    later = _trending(library, THIRD, "tuesday.md")
    assert len(library.summary_history(paper_id)) == 1
    # Deleted and put back whole: its history with it.
    library.delete_papers([paper_id], backup=False)
    assert library.summary_history(paper_id) == []
    library.undo()
    assert [h["ai_summary"] for h in library.summary_history(paper_id)] == [FIRST]
    # A history row is not something the user did: with both imports taken back the
    # paper goes, as a paper nobody touched does (it is not kept as "acted on").
    library.undo_import(later, backup=False)
    report = library.undo_import(first, backup=False)
    assert (report.removed, report.kept_acted_on) == ([paper_id], [])
    assert library.get(paper_id) is None
    with closing(sqlite3.connect(library.path)) as conn:
        assert conn.execute("SELECT count(*) FROM summary_history").fetchone() == (0,)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_schema_14_keeps_the_summaries_a_v13_import_replaced(tmp_path: Path) -> None:
    # A v13 library where a later import reworded the highlighted card's summary: the
    # old text was only in that import's journal (what a v13 import wrote).
    path = load((FIXTURES / "library-v13.sql").read_text(encoding="utf-8"),
                tmp_path / "library.db")
    old = "Wallaby caches halve the memory of long contexts. Accuracy holds."
    new = "Accuracy holds. Wallaby caches halve the memory of long contexts."
    with closing(sqlite3.connect(path)) as conn, conn:
        [(card,)] = conn.execute("SELECT id FROM papers WHERE ai_summary = ?",
                                 (old,)).fetchall()
        source = conn.execute(
            "INSERT INTO sources (path, name, imported_at, status) VALUES "
            "('later.md', 'later.md', '2026-11-30T10:00:00+00:00', 'complete')").lastrowid
        undone = conn.execute(
            "INSERT INTO sources (path, name, imported_at, status) VALUES "
            "('undone.md', 'undone.md', '2026-11-30T11:00:00+00:00', 'undone')").lastrowid
        conn.execute("INSERT INTO import_changes VALUES (?, ?, ?, ?)",
                     (source, card, json.dumps({"ai_summary": old, "upvotes": 7}),
                      json.dumps({"ai_summary": new, "upvotes": 9})))
        # An undone import's journal, and one that changed no summary: neither is kept.
        conn.execute("INSERT INTO import_changes VALUES (?, ?, ?, ?)",
                     (undone, card, json.dumps({"ai_summary": "gone"}),
                      json.dumps({"ai_summary": old})))
        conn.execute("INSERT INTO import_changes VALUES (?, ?, ?, ?)",
                     (source, card - 1, json.dumps({"upvotes": 1}),
                      json.dumps({"upvotes": 2})))
        conn.execute("UPDATE papers SET ai_summary = ? WHERE id = ?", (new, card))
        marks = conn.execute('SELECT * FROM annotations ORDER BY id').fetchall()
    with Library(path) as lib:
        assert lib.summary_history(card) == [
            {"ai_summary": old, "replaced_at": "2026-11-30T10:00:00+00:00",
             "source_id": source}]
        assert lib.summary_history(card - 1) == []
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT * FROM annotations ORDER BY id").fetchall() == marks
