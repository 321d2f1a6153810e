"""SearchEngine end to end against real SQLite: every operator and filter on the seed
library, recall against raw FTS5, inputs that must never raise, and the index as
other tools see it (storage/search/engine.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Library
from storage.search import SearchResult, highlight_spans
from tests.storage.search.helpers import (
    CLASS_WORDS,
    found,
    has_word,
    ids,
    papers_with,
    raw_count,
    snapshot,
    sql_ids,
    stems_of,
)


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
    # The fixture may have been built before midnight: the papers it counts as added
    # today are stamped now, so the test does not depend on the hour it runs at.
    seeded.conn.execute("UPDATE papers SET added_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', "
                        "'now') WHERE id > 20")
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


def test_hit_spans_are_those_of_the_text_the_search_read(seeded: Library) -> None:
    # Spans are worked out when asked for, from the titles and abstracts read
    # with the search: a later change to the file does not move them.
    result = seeded.search("speculative decoding", limit=20)
    assert len(result.hits) == 20
    papers = {p.id: p for p in seeded.get_many(result.ids)}
    with seeded.conn:
        seeded.conn.execute("UPDATE papers SET title = 'Renamed', abstract = 'Gone.' "
                            "WHERE id = ?", (result.ids[0],))
    for hit in result.hits:
        paper = papers[hit.id]
        assert hit.title_spans == tuple(highlight_spans(paper.title, result.terms))
        assert hit.abstract_spans == tuple(highlight_spans(paper.abstract, result.terms))
        assert hit.title_spans or hit.abstract_spans
    assert result.hits[0] == type(result.hits[0])(result.ids[0], result.hits[0].score)


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


def test_new_words_are_found_after_an_import(library: Library) -> None:
    library.import_text("Zorblax Networks for Things\n\nWe study zorblax networks.\n")
    assert library.search("zorblax").ids == [1]
    assert library.search("zorblx ").corrections == [("zorblx", "zorblax")]
    library.import_text("Quuxify Everything\n\nQuuxify all the models.\n", name="second")
    assert library.search("quuxfy ").corrections == [("quuxfy", "quuxify")]


# ------------------------------------------------- recall: every inflection


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

    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
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


def test_count_agrees_with_the_list_for_every_order(shared: Library) -> None:
    for query in ("speculative decoding", "agent memory", "kolmogorov", "is:unread lora"):
        for sort in (None, "relevance", "date", "title"):
            listed = shared.search(query, limit=None, sort=sort).ids
            assert shared.count(query, sort=sort) == len(listed), (query, sort)
    # A sorted list holds only the papers with every word; relevance adds the rest.
    assert shared.count("agent memory", sort="date") < shared.count("agent memory")


def test_a_filter_with_a_value_it_does_not_take_is_named_in_the_message(
        shared: Library) -> None:
    for query, key in (("is:unred", "is"), ("year:abc", "year"), ("added:1.5d", "added"),
                       ("has:bogus", "has"), ("upvotes:lots kan", "upvotes")):
        result = shared.search(query)
        assert f"{query.split()[0]} is not a filter ({key}: takes " in result.message, query
        assert result.error is None
    assert "sort:colour is not an order" in shared.search("kan sort:colour").message
    assert "not a filter" not in shared.search("is:unread year:2024 added:7d").message
    # While it is being typed, a half-written filter is not yet a mistake.
    assert "not a filter" not in shared.search("kan is:unre", typing=True).message
    assert "not a filter" in shared.search("kan is:unre ", typing=True).message
