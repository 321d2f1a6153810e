"""From typed text to what to run: the word being typed, typo corrections, and words
never corrected (storage/search/planning.py)."""

from __future__ import annotations

import pytest

from storage import Library
from storage.query import Text
from tests.storage.search.helpers import found, has_word, papers_with, typed


def test_last_word_matches_as_a_prefix_only_while_typing(shared: Library) -> None:
    now = typed(shared, "graph neu")
    assert found(shared, "graph neural") | found(shared, "graph neurons") <= now
    assert all(has_word(shared, i, "graph") for i in now)
    # A half-written ending the stemmer cannot read still finds the word.
    assert typed(shared, "decodi") >= found(shared, "decoding")
    quantiz = typed(shared, "quantiz")
    assert quantiz >= papers_with(shared, "quantization") | papers_with(shared, "quantized")
    # Typing a whole word never loses its own matches to the prefix.
    for word in ("memory", "policy", "energy", "study"):
        assert typed(shared, word) >= found(shared, word) == papers_with(shared, word)
    # Anywhere but the live search, the same text is a whole word.
    assert "graphic" not in shared.explain("graph")
    assert '"graph" | "graphic"' in shared.explain("graph", typing=True)
    # A prefix with few index terms spells them out (the same papers as the real
    # prefix query, faster); one with many is the real prefix query.
    assert typed(shared, "graph") == {r[0] for r in shared.conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH '\"graph\" OR \"graph\"*'")}
    assert '"re"*' not in shared.explain("re", typing=True)  # two letters: no prefix
    assert '"pro"*' in shared.explain("pro", typing=True)


# ------------------------------------------------------------------ typos
def test_typos_are_widened_to_the_nearest_words(shared: Library) -> None:
    result = shared.search("kolmogorv arnld")
    assert set(result.ids[:5]) >= {349, 352, 378}
    assert result.corrections == [("kolmogorv", "kolmogorov"), ("arnld", "arnold")]
    assert result.message == "Showing results for kolmogorov arnold"  # all 3 have both
    assert result.terms == ["kolmogorov", "arnold"]

    result = shared.search("speculativ decodng")
    assert [c[0] for c in result.corrections] == ["speculativ", "decodng"]
    assert result.corrections[1][1] == "decoding"
    top = shared.get_many(result.ids[:4])
    assert len(top) == 4 and all("speculative decoding" in p.title.lower() for p in top)


def test_a_typo_in_the_word_being_typed_is_not_taken_for_a_prefix(seeded: Library) -> None:
    # `difusion` stems to `difus`, and `difusuj` begins with that: yet no word
    # that begins with what was typed is in the library.
    seeded.import_text("Difusuj Networks\n\nWe study difusuj networks.\n")
    result = seeded.search("difusion")
    assert result.corrections == [("difusion", "diffusion")]
    assert set(result.ids) == found(seeded, "diffusion ")


def test_correct_words_are_not_corrected(shared: Library) -> None:
    result = shared.search("kolmogorov")
    assert result.corrections == [] and result.message == ""
    assert set(result.ids) >= {349, 352, 378}
    assert shared.search("transformer quantization").corrections == []


def test_hopeless_words_stay_as_typed(shared: Library) -> None:
    result = shared.search("xqzvvkjw ")
    assert result.ids == [] and result.corrections == [] and result.error is None
    assert shared.search("-kolmogorv").corrections == []  # exclusions are never guessed


@pytest.mark.parametrize("word", ["energy", "study", "theory", "accuracy", "memory"])
def test_a_word_in_the_index_is_never_corrected(shared: Library, word: str) -> None:
    for typing in (False, True):
        result = shared.search(word, typing=typing)
        assert result.corrections == [] and result.message == "", (word, typing)
        assert "corrected" not in shared.explain(word, typing=typing)


# ------------------------------------------------------------- the plan itself
def test_a_plan_spells_out_a_short_prefix_and_keeps_a_long_one(shared: Library) -> None:
    planner = shared._search.planner
    graph = planner.plan("graph", None, typing=True).query.root
    assert isinstance(graph, Text) and not graph.prefix
    assert graph.alternatives[0] == '"graph"' and len(graph.alternatives) > 1
    assert graph.marks == ("graph*",)
    # "pro" begins more index terms than are worth spelling out: the real prefix.
    pro = planner.plan("pro", None, typing=True).query.root
    assert isinstance(pro, Text) and pro.prefix and not pro.alternatives
    # The same text, not typing: a whole word with no alternatives.
    whole = planner.plan("graph", None).query.root
    assert isinstance(whole, Text) and not whole.prefix and not whole.alternatives


def test_a_plan_backs_off_a_half_written_ending_and_corrects_typos(shared: Library) -> None:
    planner = shared._search.planner
    decodi = planner.plan("decodi", None, typing=True)
    root = decodi.query.root
    assert isinstance(root, Text) and decodi.corrections == []
    assert '"decodi"' in root.alternatives and any("decod" in a for a in root.alternatives[2:])
    typo = planner.plan("kolmogorv transformer", None)
    assert typo.corrections == [("kolmogorv", "kolmogorov")]
    assert typo.compiled.fts is not None and "kolmogorv" not in typo.compiled.fts
    # Excluded and quoted words are never guessed at.
    assert planner.plan('-kolmogorv "kolmogorv"', None).corrections == []
