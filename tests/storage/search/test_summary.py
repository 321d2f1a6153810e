"""A trending card's AI summary in the full-text index (schema 12): a word only the
summary has finds the card, from the command line and the Library alike; `summary:`
searches it alone; it weighs less than the title and the abstract; the hit says the
match is in the summary; the index stays in step with every write that touches a
summary (an import that brings one later, a delete and its undo).

Real library files; the trending copy is the committed clipper fixture, imported by
the real `winnow import`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storage import Library
from storage.records import PaperRecord
from storage.search import highlight_spans
from tests.reliability.conftest import winnow
from tests.storage.forms.helpers import FORMS, read

TRENDING = FORMS / "md-trending-clipped.md"
CARDS = read("md-trending-clipped.md").records
SUMMARY_ONLY = [card for card in CARDS if not card.abstract and card.ai_summary]
WORD = re.compile(r"[^\W\d_]{6,}")


def summary_words(library: Library) -> dict[str, str]:
    """For each summary-only card (by title), a word of its summary that no title,
    abstract, note or other summary in the library has: only the summary can find it."""
    texts = [" ".join(row) for row in library.conn.execute(
        "SELECT title, abstract, note, coalesce(ai_summary, '') FROM papers")]
    words = {}
    for card in SUMMARY_ONLY:
        for word in WORD.findall(card.ai_summary or ""):
            elsewhere = [t for t in texts if highlight_spans(t, [word])]
            if len(elsewhere) == 1 and not highlight_spans(card.title, [word]):
                words[card.title] = word
                break
    return words


@pytest.fixture
def trending(tmp_path: Path) -> Path:
    db = tmp_path / "library.db"
    done = winnow("import", str(TRENDING), db=db)
    assert done.returncode == 0, done.stderr
    return db


def record(title: str, abstract: str, summary: str | None, arxiv_id: str) -> PaperRecord:
    return PaperRecord(title, abstract, 0, 3, None, "2026-10-01", "Oct 1, 2026", False, 5,
                       arxiv_id=arxiv_id, ai_summary=summary)


def check_index(library: Library) -> None:
    # FTS5's own check of an external-content index against its table: every
    # indexed column's tokens, row by row.
    library.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")


def test_a_word_only_the_summary_has_finds_the_card_from_the_command_line(
        trending: Path) -> None:
    with Library(trending) as library:
        words = summary_words(library)
    assert len(SUMMARY_ONLY) >= 8 and len(words) >= 6  # the fixture has them to look for
    for title, word in list(words.items())[:2]:  # the rest through the Library below
        done = winnow("list", "--json", word, db=trending)
        assert done.returncode == 0, done.stderr
        assert [p["title"] for p in json.loads(done.stdout)] == [title], word
        done = winnow("list", "--json", f"summary:{word}", db=trending)
        assert [p["title"] for p in json.loads(done.stdout)] == [title], word
        done = winnow("list", "--json", f"title:{word}", db=trending)
        assert json.loads(done.stdout) == [], word


def test_the_hit_says_the_match_is_in_the_summary(trending: Path) -> None:
    with Library(trending) as library:
        words = summary_words(library)
        assert len(words) >= 6
        for title, word in words.items():
            assert library.search(f"summary:{word}").ids == library.search(word).ids
            assert library.search(f"title:{word}").ids == []
            result = library.search(word)
            (hit,) = result.hits
            paper = library.get(hit.id)
            assert paper is not None and paper.title == title
            assert hit.matched_in == ("summary",)
            assert hit.title_spans == () and hit.abstract_spans == ()
            marked = [paper.ai_summary[s:e] for s, e in hit.summary_spans]  # type: ignore[index]
            assert marked and all(w.lower().startswith(word.lower()[:4]) for w in marked)
        # A word in the title and the summary: both said, title first.
        lattice = library.search("quantizers").hits[0]
        assert lattice.matched_in == ("title", "summary")
        check_index(library)


def test_summary_field_phrases_and_exclusions(trending: Path) -> None:
    card = next(c for c in SUMMARY_ONLY if "abstain" in (c.ai_summary or ""))
    with Library(trending) as library:
        by_title = {p.title: p.id for p in library.get_many(library.search("", limit=None).ids)}
        target = by_title[card.title]
        assert library.search('summary:"abstain when retrieved"', limit=None).ids == [target]
        assert library.search('summary:"retrieved abstain"', limit=None).ids == []
        assert library.search("abstain", limit=None).ids == [target]
        assert target not in library.search("-summary:abstain", limit=None).ids
        assert target not in library.search("models -abstain", limit=None).ids
        assert target in library.search("models", limit=None).ids
        assert library.count("summary:abstain") == 1


def test_the_summary_weighs_less_than_the_title_and_more_than_the_abstract(
        library: Library) -> None:
    # A summary is one sentence of the paper's topic words: a word there says more
    # than one in an abstract (bench.eval_summary), less than one in the title.
    library.import_records([
        record("Quokka routing in burrows", "We study burrows.", None, "2610.00001"),
        record("Burrow maps", "Routing for the quokka in burrows.", None, "2610.00002"),
        record("Burrow paths", "", "Routing for the quokka in burrows.", "2610.00003"),
    ], name="made.txt")
    result = library.search("quokka")
    assert [p.title for p in library.get_many(result.ids)] == [
        "Quokka routing in burrows", "Burrow paths", "Burrow maps"]
    # At the same length, the same text as a summary outranks it as an abstract.
    library.import_records([
        record("Alpha", "A wombat study of length six.", None, "2610.00005"),
        record("Beta", "", "A wombat study of length six.", "2610.00006"),
    ], name="more.txt")
    assert [p.title for p in library.get_many(library.search("wombat").ids)] == [
        "Beta", "Alpha"]


def test_a_summary_brought_by_a_later_import_is_indexed_and_follows_delete_and_undo(
        library: Library) -> None:
    library.import_records([record("Marsupial navigation", "We map burrows.", None,
                                   "2610.00011")], name="daily.txt")
    assert library.search("wallaby", limit=None).ids == []
    library.import_records([record("Marsupial navigation", "", "A wallaby finds its way.",
                                   "2610.00011")], name="trending.txt")
    (paper_id,) = library.search("wallaby", limit=None).ids
    assert library.search("burrows", limit=None).ids == [paper_id]  # the abstract kept
    check_index(library)
    library.delete_papers([paper_id])
    assert library.search("wallaby", limit=None).ids == []
    check_index(library)
    assert library.undo()
    assert library.search("summary:wallaby", limit=None).ids == [paper_id]
    check_index(library)
