"""Abbreviations the library defines, searched in both forms (storage/search/expansion.py)."""

from __future__ import annotations

from storage import Library
from storage.query import Text, conjuncts, parse
from storage.search.expansion import expand
from storage.search.vocabulary import Vocabulary
from tests.storage.search.helpers import raw_count


# ------------------------------------------------------------ abbreviations
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
    # A typed long form marks its words one by one, as the search matched them:
    # apart, and in the papers listed for some of them.
    typed = library.search("mixture of experts", limit=None)
    assert typed.terms == ["mixture", "of", "experts", "MoE"]
    assert typed.highlight("Experts in a mixture") == [(0, 7), (13, 20)]


def test_abbreviations_of_the_seeds(shared: Library) -> None:
    moe = set(shared.search("MoE", limit=None).ids)
    long = {r[0] for r in shared.conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH "
        "'\"moe\" OR \"mixture of experts\"'")}
    assert moe == long and len(moe) > raw_count(shared, '"moe"')
    kv = shared.search("KV cache", limit=None)
    assert ("KV", "key-value") in kv.expansions


def test_expand_turns_a_long_form_into_one_unit_and_leaves_the_rest(library: Library) -> None:
    library.import_text("Defines It\n\nA sparse mixture of experts (MoE) layer.\n")
    vocabulary = Vocabulary(library.conn)
    query, pairs = expand(library.conn, vocabulary, parse("sparse mixture of experts routing"))
    assert pairs == [("mixture of experts", "MoE")]
    words = [n.value for n in conjuncts(query.root)]  # type: ignore[union-attr]
    assert words == ["sparse", "mixture of experts", "routing"]
    unit = conjuncts(query.root)[1]
    assert isinstance(unit, Text) and '"MoE"' in unit.alternatives
    assert set(unit.parts) >= {'"mixture"', '"experts"', '"MoE"'}
    # Quoted, in a field or being typed: left as they are.
    for text in ('"mixture of experts"', "title:MoE", "abstract:mixture of"):
        assert expand(library.conn, vocabulary, parse(text))[1] == [], text
    # Excluded: it leaves out both forms, as the search of `MoE` finds both.
    assert expand(library.conn, vocabulary, parse("-MoE"))[1] == [("MoE", "mixture of experts")]
    assert expand(library.conn, vocabulary, parse("MoE"))[1] == [("MoE", "mixture of experts")]
    _, typing = expand(library.conn, vocabulary, parse("MoE", typing=True))
    assert typing == []


def test_expand_does_nothing_in_a_library_without_abbreviations(library: Library) -> None:
    library.import_text("Zorblax Networks for Things\n\nWe study zorblax networks.\n")
    query = parse("mixture of experts MoE")
    assert expand(library.conn, Vocabulary(library.conn), query) == (query, [])


def test_a_filter_with_no_value_is_no_search_for_its_name(library: Library) -> None:
    # `tag:"` once searched the words "tag:", and so the abbreviation TAG.
    library.import_text(
        "Graphs With Text\n\nWe learn on a text-attributed graph (TAG) of papers.\n\n"
        "Other\n\nNothing about graphs.\n")
    assert library.search("tag", limit=None).expansions == [("tag", "text-attributed graph")]
    for text in ('tag:"', 'TAG:""', 'tag:" '):
        result = library.search(text, limit=None)
        assert result.expansions == [] and sorted(result.ids) == [1, 2], text
        assert result.message == 'tag:"" has no value; ignored'


def test_an_excluded_short_form_leaves_out_what_it_finds(shared: Library) -> None:
    """Every paper is found by exactly one of `X` and `-X`: an exclusion takes out
    the long forms the search of the short form adds (`rl` found 15 papers that
    `-rl` kept)."""
    total = shared.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    for short in ("rl", "moe", "llm", "MoE"):
        found = set(shared.search(short, limit=None).ids)
        left = set(shared.search(f"-{short}", limit=None).ids)
        assert found and not found & left, short
        assert len(found) + len(left) == total, short
    # Beside a word too: the exclusion holds inside a conjunction.
    with_word = set(shared.search("learning -rl", limit=None).ids)
    assert with_word and not with_word & set(shared.search("rl", limit=None).ids)
