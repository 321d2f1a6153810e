"""Search against real SQLite: every operator and filter on the seed library."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Library
from storage.search import SearchResult, corrected_query, fold, highlight_spans, stem

WORD = re.compile(r"[^\W_]+")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path
           ) -> Iterator[Library]:
    """One seeded library for the read-only tests (and for hypothesis, which
    cannot use a fresh fixture per example)."""
    path = tmp_path_factory.mktemp("shared") / "library.db"
    shutil.copy(_seeded_template, path)
    lib = Library(path)
    yield lib
    lib.close()


def ids(lib: Library, query: str, **kwargs) -> list[int]:
    return lib.search(query, limit=None, **kwargs).ids


def found(lib: Library, query: str) -> set[int]:
    """The papers with every word (the first tier of a relevance search)."""
    result = lib.search(query, limit=None)
    assert len(result.ids) == len(set(result.ids)), "an id came back twice"
    if result.all_count is not None:
        return set(result.ids[:result.all_count])
    return set(result.ids)


def typed(lib: Library, query: str) -> set[int]:
    """What the app's live search finds while the last word is being typed."""
    result = lib.search(query, limit=None, typing=True)
    if result.all_count is not None:
        return set(result.ids[:result.all_count])
    return set(result.ids)


def sql_ids(lib: Library, where: str, params: Iterable[object] = ()) -> set[int]:
    return {r[0] for r in lib.conn.execute(f"SELECT id FROM papers p WHERE {where}",
                                           list(params))}


def stems_of(text: str) -> list[str]:
    return [stem(fold(w)) for w in WORD.findall(text or "")]


def has_word(lib: Library, paper_id: int, word: str, *, fields=("title", "abstract", "note")
             ) -> bool:
    """Ground truth without FTS5: does a field hold a word with `word`'s stem?"""
    paper = lib.get(paper_id)
    assert paper is not None
    wanted = stem(fold(word))
    return any(wanted in stems_of(getattr(paper, f)) for f in fields)


def papers_with(lib: Library, word: str) -> set[int]:
    return {p.id for p in lib.get_many(ids(lib, ""))
            if stem(fold(word)) in stems_of(f"{p.title} {p.abstract} {p.note}")}


def snapshot(lib: Library) -> str:
    digest = hashlib.sha256()
    for line in lib.conn.iterdump():
        digest.update(line.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


# ------------------------------------------------------------ words, phrases
def test_empty_query_is_every_paper_newest_import_first(shared: Library) -> None:
    expected = [r[0] for r in shared.conn.execute(
        "SELECT id FROM papers ORDER BY first_source_id DESC, id ASC")]
    assert len(expected) == 415
    result = shared.search("", limit=None)
    assert result.ids == expected and result.total == 415
    assert shared.search("").ids == expected[:50]
    assert shared.search("", limit=10, offset=400).ids == expected[400:410]
    assert shared.count("") == 415


def test_all_words_come_first_by_stem(shared: Library) -> None:
    result = found(shared, "graph neural")
    assert result == papers_with(shared, "graph") & papers_with(shared, "neural")
    assert len(result) >= 5
    # The stem, not the spelling: "decoders" finds "decoding".
    assert found(shared, "decoders") == found(shared, "decoding")


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


def test_phrase(shared: Library) -> None:
    result = found(shared, '"mixture of experts"')
    assert 5 <= len(result) < len(found(shared, "mixture experts "))
    for paper in shared.get_many(sorted(result)):
        words = " ".join(stems_of(f"{paper.title} {paper.abstract} {paper.note}"))
        assert "mixtur of expert" in words


def test_exclusion(shared: Library) -> None:
    both = found(shared, "mixture experts")
    without = found(shared, "mixture -experts")
    assert without and without.isdisjoint(both)
    assert without | both == found(shared, "mixture ")
    assert not any(has_word(shared, i, "experts") for i in without)
    phrase_out = found(shared, 'mixture -"mixture of experts"')
    assert phrase_out == found(shared, "mixture ") - found(shared, '"mixture of experts"')
    # Only exclusions: everything else.
    assert found(shared, "-experts") == set(ids(shared, "")) - found(shared, "experts ")


def test_or_and_parentheses(shared: Library) -> None:
    kan, lora = found(shared, "kan "), found(shared, "lora ")
    assert kan and lora
    assert found(shared, "kan OR lora ") == kan | lora
    quant = found(shared, "quantization ")
    assert found(shared, "(kan OR lora) -quantization ") == (kan | lora) - quant
    assert found(shared, "(kan OR lora) quantization ") == (kan | lora) & quant


def test_fields(shared: Library) -> None:
    titled = found(shared, "title:kolmogorov ")
    assert len(titled) == 3
    assert all(has_word(shared, i, "kolmogorov", fields=("title",)) for i in titled)
    in_abstract = found(shared, "abstract:lora ")
    assert in_abstract and all(has_word(shared, i, "lora", fields=("abstract",))
                               for i in in_abstract)
    assert found(shared, 'title:"speculative decoding"') <= found(shared, '"speculative decoding"')


def test_note_field_covers_notes_and_annotation_comments(seeded: Library) -> None:
    seeded.set_note(5, "reread the zebrafinch section")
    paper = seeded.get(7)
    assert paper is not None
    seeded.annotate_quote(7, paper.abstract[:20], comment="zebrafinch again")
    assert found(seeded, "note:zebrafinch ") == {5, 7}
    assert found(seeded, "zebrafinch ") == {5, 7}
    assert found(seeded, "title:zebrafinch ") == set()
    assert found(seeded, "has:note") == {5}
    assert found(seeded, "is:annotated") == {7}


def test_org(shared: Library) -> None:
    nvidia = sql_ids(shared, "organization LIKE '%nvidia%'")
    assert len(nvidia) == 1
    assert found(shared, "org:nvidia") == nvidia == found(shared, "org:NVIDIA")
    assert found(shared, 'org:"westlake univ"') == sql_ids(
        shared, "organization = 'Westlake University'")
    assert found(shared, "org:100%") == set()  # % is a character, not a wildcard


# --------------------------------------------------------------- user data
def test_tags(seeded: Library) -> None:
    seeded.add_tags([1, 2, 3], ["keep"])
    seeded.add_tags([3, 4], ["to read"])
    everything = set(ids(seeded, ""))
    assert found(seeded, "tag:keep") == {1, 2, 3} == found(seeded, "tag:KEEP")
    assert found(seeded, 'tag:"to read"') == {3, 4}
    assert found(seeded, "-tag:keep") == everything - {1, 2, 3}
    assert found(seeded, "tag:none") == everything - {1, 2, 3, 4}
    assert found(seeded, "has:tag") == {1, 2, 3, 4}
    assert found(seeded, "tag:keep tag:\"to read\"") == {3}
    assert found(seeded, "tag:keep OR tag:\"to read\"") == {1, 2, 3, 4}
    assert found(seeded, "tag:nosuchtag") == set()


def test_read_starred_annotated(seeded: Library) -> None:
    seeded.set_read([1, 2, 3])
    seeded.set_starred([2, 9])
    paper = seeded.get(4)
    assert paper is not None
    seeded.annotate_quote(4, paper.abstract[:10])  # a highlight without a comment
    everything = set(ids(seeded, ""))
    assert found(seeded, "is:read") == {1, 2, 3}
    assert found(seeded, "is:unread") == everything - {1, 2, 3}
    assert found(seeded, "is:starred") == {2, 9}
    assert found(seeded, "is:unstarred") == everything - {2, 9}
    assert found(seeded, "is:annotated") == {4}
    assert found(seeded, "is:read is:starred") == {2}
    assert found(seeded, "is:read -is:starred") == {1, 3}


def test_tag_and_unread_combine_with_text(seeded: Library) -> None:
    speculative = found(seeded, "speculative ")
    chosen = sorted(speculative)[:4]
    seeded.add_tags(chosen, ["keep"])
    seeded.set_read(chosen[:1])
    assert found(seeded, "tag:keep is:unread") == set(chosen[1:])
    assert found(seeded, "tag:keep is:unread speculative ") == set(chosen[1:])
    assert found(seeded, "tag:keep is:read speculative ") == set(chosen[:1])
    assert found(seeded, "tag:keep -speculative") == set()
    ranked = seeded.search("speculative decoding tag:keep is:unread")
    assert set(ranked.ids) <= set(chosen[1:]) and ranked.ids


@pytest.mark.parametrize(("query", "where", "params"), [
    ("year:2024", "published >= '2024' AND published < '2025'", ()),
    ("year:>=2023", "published >= '2023'", ()),
    ("year:>2023", "published >= '2024'", ()),
    ("year:<2020", "published < '2020'", ()),
    ("year:<=2020", "published < '2021'", ()),
    ("year:2021..2022", "published >= '2021' AND published < '2023'", ()),
    ("upvotes:>5", "upvotes > 5", ()),
    ("upvotes:2", "upvotes = 2", ()),
    ("upvotes:>=1", "upvotes >= 1", ()),
    ("authors:<4", "authors_count < 4", ()),
    ("authors:3..5", "authors_count BETWEEN 3 AND 5", ()),
    ("-upvotes:>5", "NOT coalesce(upvotes > 5, 0)", ()),
    ("-year:2024", "NOT coalesce(published >= '2024' AND published < '2025', 0)", ()),
])
def test_numeric_filters(shared: Library, query: str, where: str, params: tuple) -> None:
    expected = sql_ids(shared, where, params)
    assert expected, "the seeds should have papers for this filter"
    assert found(shared, query) == expected
    assert shared.count(query) == len(expected)


def test_added(seeded: Library) -> None:
    everything = set(ids(seeded, ""))
    seeded.conn.execute("UPDATE papers SET added_at = '2020-01-01T00:00:00+00:00' "
                        "WHERE id <= 10")
    seeded.conn.execute("UPDATE papers SET added_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', "
                        "'now', '-3 days') WHERE id BETWEEN 11 AND 20")
    recent = everything - set(range(1, 21))
    assert found(seeded, "added:today") == recent
    assert found(seeded, "added:7d") == recent | set(range(11, 21))
    assert found(seeded, "added:1d") == recent
    assert found(seeded, "-added:7d") == set(range(1, 11))


def test_source(shared: Library) -> None:
    in_004 = {r[0] for r in shared.conn.execute(
        "SELECT ps.paper_id FROM paper_sources ps JOIN sources s ON s.id = ps.source_id "
        "WHERE s.name LIKE '004%'")}
    assert len(in_004) == 70
    assert found(shared, "source:004_") == in_004
    assert found(shared, "source:2b9f25e6") == in_004  # any part of the name
    assert found(shared, "source:seeds/004") == in_004  # or of the path
    assert found(shared, "source:nosuchfile") == set()
    assert found(shared, "source:004_ kolmogorov ") == {349, 352, 378}


# ------------------------------------------------------------------- sorting
def test_sort_orders(shared: Library) -> None:
    by_date = [r[0] for r in shared.conn.execute(
        "SELECT id FROM papers ORDER BY published DESC, id DESC")]
    assert ids(shared, "sort:date") == by_date
    assert ids(shared, "", sort="date") == by_date
    by_votes = [r[0] for r in shared.conn.execute(
        "SELECT id FROM papers ORDER BY upvotes DESC, id DESC")]
    assert ids(shared, "sort:upvotes") == by_votes
    by_title = [r[0] for r in shared.conn.execute(
        "SELECT id FROM papers ORDER BY title COLLATE NOCASE, id")]
    assert ids(shared, "sort:title") == by_title
    by_added = [r[0] for r in shared.conn.execute(
        "SELECT id FROM papers ORDER BY added_at DESC, id")]
    assert ids(shared, "sort:added") == by_added
    # Text with a sort: the matches, in that order.
    matched = found(shared, "quantization ")
    assert ids(shared, "quantization sort:date") == [i for i in by_date if i in matched]
    # What was typed beats the argument.
    assert shared.search("quantization sort:upvotes", sort="date").sort == "upvotes"
    assert ids(shared, "quantization ", sort="upvotes") == [i for i in by_votes
                                                           if i in matched]


def test_relevance_puts_title_matches_first(shared: Library) -> None:
    result = shared.search("speculative decoding ", limit=20)
    assert result.sort == "relevance"
    assert result.all_count is not None and result.all_count > 5
    # Best first within the papers that have both words (those with some follow).
    scores = [hit.score for hit in result.hits[:result.all_count]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    # The four papers with both words in the title, then the rest.
    titles = [p.title.lower() for p in shared.get_many(result.ids[:5])]
    assert ["speculative decoding" in t for t in titles] == [True] * 4 + [False]


def test_pages_and_the_unranked_tail_agree(shared: Library) -> None:
    engine = shared._search
    for budget in (None, 7):
        if budget is not None:
            engine.rank_budget, engine.rank_min = budget, budget
        try:
            for query in ("model", "language models ", "learning -model", "model is:unread"):
                every = ids(shared, query)
                assert len(every) == shared.count(query)
                pages: list[int] = []
                for offset in range(0, len(every) + 10, 9):
                    pages += shared.search(query, limit=9, offset=offset).ids
                assert pages == every
        finally:
            engine.rank_budget, engine.rank_min = type(engine).rank_budget, \
                type(engine).rank_min


def test_large_and_small_results_share_the_list_order(shared: Library) -> None:
    engine = shared._search
    order = ids(shared, "")
    for size in (1, 5, 12, 13, 100, 415):
        chosen = set(order[::max(1, len(order) // size)][:size])
        assert engine._ordered(chosen) == [i for i in order if i in chosen]


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


def test_new_words_are_found_after_an_import(library: Library) -> None:
    library.import_text("Zorblax Networks for Things\n\nWe study zorblax networks.\n")
    assert library.search("zorblax").ids == [1]
    assert library.search("zorblx ").corrections == [("zorblx", "zorblax")]
    library.import_text("Quuxify Everything\n\nQuuxify all the models.\n", name="second")
    assert library.search("quuxfy ").corrections == [("quuxfy", "quuxify")]


# ------------------------------------------------------------------ spans
def test_hits_carry_spans_of_the_matched_words(shared: Library) -> None:
    result = shared.search('speculative decoding "draft model"', limit=10)
    assert result.hits and [h.id for h in result.hits] == result.ids
    for hit in result.hits:
        paper = shared.get(hit.id)
        assert paper is not None
        marked = [paper.title[a:b].lower() for a, b in hit.title_spans]
        marked += [paper.abstract[a:b].lower() for a, b in hit.abstract_spans]
        assert marked
        for text in marked:
            assert stems_of(text)[0] in ("specul", "decod", "draft")
    assert shared.search("", limit=None).hits == []  # no spans for a whole list


def test_highlight_spans() -> None:
    text = "Speculative Decoding with decoders; naïve DECODER, undecoded"
    assert [text[a:b] for a, b in highlight_spans(text, ["decoding"])] == [
        "Decoding", "decoders", "DECODER"]
    assert [text[a:b] for a, b in highlight_spans(text, ["naive", "spec*"])] == [
        "Speculative", "naïve"]
    phrase = "Mixture of Experts, mixture-of-experts and a mixture of models"
    assert [phrase[a:b] for a, b in highlight_spans(phrase, ["mixture of experts"])] == [
        "Mixture of Experts", "mixture-of-experts"]
    assert highlight_spans("", ["x"]) == [] and highlight_spans("abc", []) == []
    assert highlight_spans("ﬁne-tuned Straße", ["fine", "strasse"]) == [(0, 3), (10, 16)]
    # A short form marks its own inflections only, not every word sharing a letter.
    short = "LMs beat an LM; lamps do not, nor does SDXL for SD"
    assert [short[a:b] for a, b in highlight_spans(short, ["LMs", "SD"])] == [
        "LMs", "LM", "SD"]
    # A word porter stems to nothing ("s") marks nothing and raises nothing.
    assert highlight_spans("S is a letter", ["S"]) == [(0, 1)]
    # Overlapping terms merge into one span.
    assert highlight_spans("large language models", ["large language", "language models"]) \
        == [(0, 21)]


# --------------------------------------------------------- never raises
NASTY = [
    "e-mail", "C++", "it's", "10.1000/xyz", '"', "AND", "(", "*", "NEAR(", "^",
    "'; DROP TABLE papers; --", "x" * 5000, "深度学习 模型", "🙂🚀 emoji", ")", "OR",
    "NOT", "a AND OR b", "title:", "{title}: x", "col:val", "\\", "%", "_", "$VILA^2$",
    "O(tau^{-1}SAK)", "<script>alert(1)</script>", '"unclosed phrase', "NEAR(a b, 2)",
    "tag:\x00", "year:99999999999 upvotes:>99999999999999 authors:<-1",
    "(" * 300 + "kan" + ")" * 300, " ".join(["model"] * 2000), "naïve Straße", "-", "--",
    "x:y:z", "title:\"", "sort:", "-(", "kan OR", "\x00\x01\x02", "🙂" * 2000,
]


def test_nasty_inputs_never_raise_and_change_nothing(seeded: Library) -> None:
    seeded.add_tags([1], ["keep"])
    before = snapshot(seeded)
    changes = seeded.conn.total_changes
    for text in NASTY:
        result = seeded.search(text)
        assert isinstance(result, SearchResult) and result.error is None, text
        assert seeded.count(text) == len(seeded.search(text, limit=None).ids), text
        seeded.fuzzy_titles(text)
        assert "tree:" in seeded.explain(text)
    assert seeded.conn.total_changes == changes
    assert snapshot(seeded) == before
    assert seeded.count("") == 415


def test_sql_fragments_are_searched_as_text(shared: Library) -> None:
    result = shared.search("'; DROP TABLE papers; --")
    assert result.all_count == 0 and result.error is None
    assert result.message.startswith("no paper has all words · ")
    assert shared.count("") == 415
    assert shared.search("papers").error is None


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
       | st.lists(st.sampled_from(['"', "(", ")", "-", " OR ", " ", "AND", "*", "title:",
                                   "tag:keep", "is:read", "year:>=2023", "kolmogorv", "kan",
                                   "model", "sort:upvotes", "NEAR(", "^", ":", "decodi"]),
                  max_size=10).map("".join))
def test_any_text_is_a_query(shared: Library, text: str) -> None:
    result = shared.search(text, limit=20)
    assert isinstance(result, SearchResult) and result.error is None
    assert len(result.hits) == len(result.ids) <= 20
    every = shared.search(text, limit=None).ids
    assert shared.count(text) == len(every) == len(set(every))
    assert result.ids == every[:20]


def test_explain(shared: Library) -> None:
    text = shared.explain('kolmogorv "mixture of experts" tag:keep -is:read')
    assert "corrected: kolmogorv -> kolmogorov" in text
    assert 'fts5 MATCH: \'("kolmogorov" AND "mixture of experts")\'' in text
    assert "t.name = ? COLLATE NOCASE" in text and "['keep', 'done']" in text


# ------------------------------------------------------------- go to paper
def test_fuzzy_titles(shared: Library) -> None:
    hits = shared.fuzzy_titles("activaton space kolmogorv")
    assert hits[0][:2] == (349, "Activation Space Selectable Kolmogorov-Arnold Networks")
    assert all(0 <= score <= 100 for _i, _t, score in hits) and len(hits) <= 20
    scores = [score for _i, _t, score in hits]
    assert scores == sorted(scores, reverse=True)
    assert shared.fuzzy_titles("") == [] and shared.fuzzy_titles("!!!") == []
    assert len(shared.fuzzy_titles("model", limit=3)) == 3


def test_fuzzy_titles_while_typing_a_title(shared: Library) -> None:
    title = "Kangaroo: Lossless Self-Speculative Decoding via Double Early Exiting"
    for n in (6, 12, 25, len(title)):
        assert shared.fuzzy_titles(title[:n])[0][1] == title


def test_corrected_query_replaces_whole_words_only() -> None:
    assert corrected_query("kolmogorv arnld", [("kolmogorv", "kolmogorov")]) == \
        "kolmogorov arnld"
    assert corrected_query(r"x\1 modl", [("modl", "model")]) == r"x\1 model"
    assert corrected_query("modls modl", [("modl", "model")]) == "modls model"


# ------------------------------------------------- recall: every inflection
# Words of each class that broke (issue 12): each must find exactly what raw
# FTS5 finds for the word quoted, on the same file. None of them is a short
# form the seeds define (those also search their long forms: see below).
WORD_CLASSES = {
    "-y": ["memory", "policy", "entropy", "strategy", "quality", "energy", "theory", "accuracy"],
    "-ies": ["studies", "strategies", "policies", "properties"],
    "-ing": ["learning", "reasoning", "decoding", "training"],
    "-ed": ["proposed", "based", "trained", "fine-tuned"],
    "-s": ["models", "agents", "tasks", "results"],
    "short": ["gpt", "o1", "t5", "2d"],
    "digits": ["3d", "gpt4", "int8", "fp16", "llama2", "a100"],
}
CLASS_WORDS = [(kind, word) for kind, words in WORD_CLASSES.items() for word in words]


def raw_count(lib: Library, expr: str) -> int:
    return lib.conn.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?",
                            (expr,)).fetchone()[0]


@pytest.mark.parametrize(("kind", "word"), CLASS_WORDS)
def test_a_word_finds_every_paper_raw_fts5_finds(shared: Library, kind: str, word: str) -> None:
    expected = raw_count(shared, '"' + word + '"')
    assert expected > 0, f"the seeds should have {word!r}"
    result = shared.search(word, limit=None)
    assert len(result.ids) == expected == shared.count(word), (kind, word)
    assert result.corrections == [] and result.message == "" and result.error is None
    # The live search finds the same papers and more (the prefix), never fewer.
    typed_ids = set(shared.search(word, limit=None, typing=True).ids)
    assert typed_ids >= set(result.ids)
    # Shorter than three letters, a word is never a prefix: it would expand to
    # half the index.
    prefix = f' OR "{word}"*' if len(word) >= 3 else ""
    assert len(typed_ids) == raw_count(shared, f'"{word}"{prefix}')
    assert result.all_count is None  # one word: no tiers


def test_the_issue_counts(shared: Library) -> None:
    for word, count in (("memory", 52), ("policy", 31), ("quality", 41), ("strategy", 60),
                        ("entropy", 11)):
        assert len(shared.search(word, limit=None).ids) == count


@pytest.mark.parametrize("word", ["energy", "study", "theory", "accuracy", "memory"])
def test_a_word_in_the_index_is_never_corrected(shared: Library, word: str) -> None:
    for typing in (False, True):
        result = shared.search(word, typing=typing)
        assert result.corrections == [] and result.message == "", (word, typing)
        assert "corrected" not in shared.explain(word, typing=typing)


# ------------------------------------------------------- all, then some
def test_papers_with_all_words_come_first_then_those_with_some(shared: Library) -> None:
    result = shared.search("agent memory", limit=None)
    both = {r[0] for r in shared.conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH '\"agent\" AND \"memory\"'")}
    either = {r[0] for r in shared.conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH '\"agent\" OR \"memory\"'")}
    assert len(both) == 1, "the issue: one paper has both words"
    assert result.all_count == 1 and set(result.ids[:1]) == both
    assert set(result.ids) == either and len(result.ids) == len(either)
    assert result.some_count == len(either) - 1
    assert result.message == f"1 has all words · {len(either) - 1} more have some"
    assert shared.count("agent memory") == len(either)
    # A page says what it knows: the first tier's count, at least what it saw of
    # the second.
    page = shared.search("agent memory", limit=10)
    assert page.ids == result.ids[:10]
    assert page.message.startswith("1 has all words · ")


def test_phrases_fields_filters_and_exclusions_stay_strict(seeded: Library) -> None:
    seeded.add_tags([151, 153], ["keep"])
    for query, strict in (
            ('"speculative decoding" draft', '"speculative decoding"'),
            ("title:speculative draft", 'title : "speculative"'),
            ("-draft speculative decoding", None)):
        result = seeded.search(query, limit=None)
        if strict:
            must = {r[0] for r in seeded.conn.execute(
                "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?", (strict,))}
            assert set(result.ids) <= must, query
    excluded = seeded.search("-draft speculative decoding", limit=None)
    drafts = {r[0] for r in seeded.conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH '\"draft\"'")}
    assert excluded.ids and not set(excluded.ids) & drafts
    tagged = seeded.search("tag:keep speculative memory", limit=None)
    assert set(tagged.ids) <= {151, 153} and tagged.ids


def test_a_word_in_most_papers_lists_its_papers_after_the_informative_ones(
        shared: Library) -> None:
    # "models" is in over half the seeds: papers with only it follow every paper
    # with "merging".
    result = shared.search("merging models", limit=None)
    merging = {r[0] for r in shared.conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH '\"merging\"'")}
    models = {r[0] for r in shared.conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH '\"models\"'")}
    assert len(models) > 415 / 2
    assert set(result.ids) == merging | models
    first = len(merging)
    assert set(result.ids[:first]) == merging


def test_pages_agree_with_the_whole_list_across_tiers(shared: Library) -> None:
    engine = shared._search
    for budget in (None, 7):
        if budget is not None:
            engine.rank_budget, engine.rank_min = budget, budget
        try:
            for query in ("agent memory", "merging models", "speculative decoding draft",
                          "learning rate schedule", "kv cache"):
                every = ids(shared, query)
                assert len(every) == len(set(every)) == shared.count(query), query
                pages: list[int] = []
                for offset in range(0, len(every) + 10, 13):
                    pages += shared.search(query, limit=13, offset=offset).ids
                assert pages == every, query
        finally:
            engine.rank_budget, engine.rank_min = type(engine).rank_budget, \
                type(engine).rank_min


# ------------------------------------------------------------ abbreviations
def test_abbreviations_the_library_defines_are_mined_at_import(library: Library) -> None:
    library.import_text(
        "Sparse Routing\n\nWe scale a mixture of experts (MoE) with a compressed "
        "key-value (KV) cache, trained by reinforcement learning (RL) (see Fig. 2).\n\n"
        "Plain Paper\n\nNothing (here) is defined (e.g. this).\n")
    pairs = {(r[0], r[1]) for r in library.conn.execute(
        "SELECT short, long FROM abbreviations")}
    assert pairs == {("MoE", "mixture of experts"), ("KV", "key-value"),
                     ("RL", "reinforcement learning")}


def test_a_short_form_finds_its_long_form_and_back(library: Library) -> None:
    library.import_text(
        "Defines It\n\nA sparse mixture of experts (MoE) layer.\n\n"
        "Long Form Only\n\nWe route tokens in a mixture of experts.\n\n"
        "Short Form Only\n\nOur MoE routes tokens.\n\n"
        "Neither\n\nA dense transformer.\n")
    assert set(library.search("MoE", limit=None).ids) == {1, 2, 3}
    assert set(library.search("moe", limit=None).ids) == {1, 2, 3}
    assert set(library.search("mixture of experts", limit=None).ids) == {1, 2, 3}
    # Strict forms are not widened: a quoted phrase is what it says.
    assert set(library.search('"mixture of experts"', limit=None).ids) == {1, 2}
    result = library.search("MoE routes", limit=None)
    assert result.expansions == [("MoE", "mixture of experts")]
    assert "MoE" in result.terms and "mixture of experts" in result.terms
    explained = library.explain("MoE")
    assert "abbreviation (defined in this library): MoE -> also 'mixture of experts'" \
        in explained
    assert "abbreviation (defined in this library): mixture of experts -> also 'MoE'" \
        in library.explain("mixture of experts")


def test_abbreviations_of_the_seeds(shared: Library) -> None:
    moe = set(shared.search("MoE", limit=None).ids)
    long = {r[0] for r in shared.conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH "
        "'\"moe\" OR \"mixture of experts\"'")}
    assert moe == long and len(moe) > raw_count(shared, '"moe"')
    kv = shared.search("KV cache", limit=None)
    assert ("KV", "key-value") in kv.expansions


# ------------------------------------------------- sqlite-utils / Datasette
def test_sqlite_utils_finds_the_full_text_index(seeded_path: Path) -> None:
    import json
    import subprocess
    import sys

    with Library(seeded_path) as lib:
        expected = raw_count(lib, '"memory"')
    tool = Path(sys.executable).with_name("sqlite-utils")
    out = subprocess.run([str(tool), "search", str(seeded_path), "papers", "memory",
                          "--limit", "1000", "-c", "id"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    rows = json.loads(out)
    assert len(rows) == expected == 52
    import sqlite_utils

    db = sqlite_utils.Database(seeded_path)
    assert db["papers"].detect_fts() == "papers_fts"
    db.close()


def test_an_upgraded_v1_library_is_seen_by_sqlite_utils_and_knows_its_abbreviations(
        tmp_path: Path) -> None:
    import sqlite_utils

    from tests.fixtures.make_fixture import load

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    path = load((fixtures / "library-v1.sql").read_text(encoding="utf-8"),
                tmp_path / "library.db")
    db = sqlite_utils.Database(path)
    assert db["papers"].detect_fts() is None  # v1 declared content='papers'
    db.close()
    with Library(path) as lib:
        assert lib.conn.execute("SELECT count(*) FROM abbreviations").fetchone()[0] > 0
        lib.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
    db = sqlite_utils.Database(path)
    assert db["papers"].detect_fts() == "papers_fts"
    assert list(db["papers"].search("zanzibar", columns=["id"])) == [{"id": 2}]
    db.close()


def test_datasette_search_finds_the_full_text_index(seeded_path: Path) -> None:
    import asyncio

    from datasette.app import Datasette

    async def ask(path: str) -> list[dict]:
        response = await Datasette([str(seeded_path)]).client.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    rows = asyncio.run(ask("/library/papers.json?_search=memory&_shape=array&_size=max"
                           "&_col=id"))
    with Library(seeded_path) as lib:
        expected = {r[0] for r in lib.conn.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH '\"memory\"'")}
    assert {row["id"] for row in rows} == expected and len(expected) == 52
