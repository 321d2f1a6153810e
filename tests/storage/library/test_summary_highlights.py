"""Highlights on the AI summary of a card that has no abstract (a trending page's):
`Annotation.field` says which text a highlight's offsets are into; they re-anchor when an
import changes the summary, and go back with undo-import; schema 13 keeps every older
highlight on its abstract. Real library files."""

from __future__ import annotations

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
