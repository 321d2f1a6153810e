"""The query language on its own: tokenizer, parser and compiler (no library)."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.query import (
    MAX_ATOMS,
    MAX_DEPTH,
    And,
    Filter,
    Not,
    Or,
    Text,
    compile_query,
    describe,
    fts_string,
    parse,
    plain_words,
    some_expression,
    tokenize,
    with_root,
)

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=timezone.utc)


def root(text: str):
    return parse(text).root


# ------------------------------------------------------------------ parsing
def typed(text: str):
    return parse(text, typing=True).root


def test_words_are_whole_words_unless_being_typed() -> None:
    # The command line and Enter in the app: every word is a whole word, a space
    # after it or not.
    assert root("graph neural") == And((Text("graph"), Text("neural")))
    assert root("memory") == Text("memory")
    # The app's live search: the last word, with no space after it, is being typed.
    assert typed("graph neural") == And((Text("graph"), Text("neural", prefix=True)))
    assert typed("graph neural ") == And((Text("graph"), Text("neural")))


def test_prefix_needs_a_word_being_typed() -> None:
    assert typed("C++") == Text("C++")  # ends in punctuation: finished
    assert typed("ab") == Text("ab")  # two letters would expand to half the index
    assert typed("abc") == Text("abc", prefix=True)
    assert typed("-kan") == Not(Text("kan"))  # an exclusion is never a prefix
    assert typed('"mixture of"') == Text("mixture of", phrase=True)
    assert root("abc") == Text("abc")


def test_phrases_and_exclusions() -> None:
    assert root('"mixture of experts" -moe -"state space"') == And((
        Text("mixture of experts", phrase=True),
        Not(Text("moe")),
        Not(Text("state space", phrase=True)),
    ))
    # A hyphen inside a word is part of it.
    assert root("e-mail x") == And((Text("e-mail"), Text("x")))
    # An unclosed quote runs to the end: the phrase is still being typed.
    assert root('"large language') == Text("large language", phrase=True)


def test_or_binds_tighter_than_the_implicit_and() -> None:
    assert typed("kan OR lora graph") == And((Or((Text("kan"), Text("lora"))),
                                              Text("graph", prefix=True)))
    assert typed("a1 OR b1 OR c12") == Or((Text("a1"), Text("b1"), Text("c12", prefix=True)))
    assert root("a1 | b1 ") == Or((Text("a1"), Text("b1")))
    # Lower-case `or` is a word.
    assert root("kan or lora ") == And((Text("kan"), Text("or"), Text("lora")))


def test_parentheses_group_and_negate() -> None:
    assert root("(kan OR lora) -(graph neural) ") == And((
        Or((Text("kan"), Text("lora"))),
        Not(And((Text("graph"), Text("neural")))),
    ))
    assert root("NOT kan ") == Not(Text("kan"))
    assert root("--kan ") == Text("kan")  # two negations cancel


@pytest.mark.parametrize("text", ["(", ")", "((", "AND", "OR", "AND (", "NOT", "-", "*", "^",
                                  '"', '""', "()", ") (", "OR OR", "NEAR(", ":", "title:",
                                  "tag:", "-(", ""])
def test_nothing_to_search_is_no_tree_or_plain_words(text: str) -> None:
    query = parse(text)
    assert query.root is None or isinstance(query.root, Text)


def test_dangling_operators_are_dropped() -> None:
    assert root("kan OR") == Text("kan")
    assert root("OR kan ") == Text("kan")
    assert root("kan AND lora ") == And((Text("kan"), Text("lora")))
    assert root("(kan lora ") == And((Text("kan"), Text("lora")))
    assert root("kan) lora ") == And((Text("kan"), Text("lora")))
    assert "unmatched" in " ".join(parse("kan) lora").notes)


def test_fields() -> None:
    assert root("title:kan abstract:lora note:todo ") == And((
        Text("kan", field="title"), Text("lora", field="abstract"), Text("todo", field="note")))
    assert root('title:"mixture of experts"') == Text("mixture of experts", field="title",
                                                       phrase=True)
    assert root("TITLE:kan ") == Text("kan", field="title")
    assert typed("title:kan") == Text("kan", field="title", prefix=True)
    assert root("title:kan") == Text("kan", field="title")
    # A key that is no field or filter is part of the word.
    assert root("http://x.org ") == Text("http://x.org")


@pytest.mark.parametrize(("text", "expected"), [
    ("tag:rl", Filter("tag", "=", "rl", "tag:rl")),
    ('tag:"to read"', Filter("tag", "=", "to read", "tag:to read")),
    ("tag:none", Filter("tag", "none", None, "tag:none")),
    ("has:tag", Filter("tag", "any", None, "has:tag")),
    ("is:read", Filter("is", "=", "read", "is:read")),
    ("is:UNREAD", Filter("is", "=", "unread", "is:UNREAD")),
    ("is:starred", Filter("is", "=", "starred", "is:starred")),
    ("is:annotated", Filter("is", "=", "annotated", "is:annotated")),
    ("has:note", Filter("has", "=", "note", "has:note")),
    ("year:2024", Filter("year", "=", 2024, "year:2024")),
    ("year:>=2023", Filter("year", ">=", 2023, "year:>=2023")),
    ("year:<2020", Filter("year", "<", 2020, "year:<2020")),
    ("year:2024..2023", Filter("year", "range", (2023, 2024), "year:2024..2023")),
    ("upvotes:>5", Filter("upvotes", ">", 5, "upvotes:>5")),
    ("authors:<4", Filter("authors", "<", 4, "authors:<4")),
    ("added:today", Filter("added", "since", "today", "added:today")),
    ("added:7d", Filter("added", "since", 7, "added:7d")),
    ("added:2w", Filter("added", "since", 14, "added:2w")),
    ("source:004_2b9", Filter("source", "like", "004_2b9", "source:004_2b9")),
    ("org:nvidia", Filter("org", "like", "nvidia", "org:nvidia")),
])
def test_filters(text: str, expected: Filter) -> None:
    assert root(text) == expected


def test_negated_filter_and_combination() -> None:
    assert root("tag:keep is:unread -tag:rl") == And((
        Filter("tag", "=", "keep", "tag:keep"), Filter("is", "=", "unread", "is:unread"),
        Not(Filter("tag", "=", "rl", "tag:rl"))))


@pytest.mark.parametrize("text", ["is:maybe", "year:soon", "upvotes:lots", "has:wings",
                                  "added:sometime", "year:>=", "authors:<x"])
def test_a_filter_that_does_not_parse_is_searched_as_words(text: str) -> None:
    query = parse(text)
    assert query.root == Text(text, prefix=query.root.prefix)  # type: ignore[union-attr]
    assert any("not a filter" in note for note in query.notes)


def test_sort_words_are_taken_out_of_the_tree() -> None:
    query = parse("kan sort:upvotes")
    assert query.sort == "upvotes" and query.root == Text("kan")
    assert parse("sort:date").sort == "date" and parse("sort:date").root is None
    assert parse("sort:newest kan").sort == "date"
    unknown = parse("sort:random kan ")
    assert unknown.sort is None and "unknown sort" in unknown.notes[0]


def test_depth_and_size_are_bounded() -> None:
    deep = parse("(" * 500 + "kan" + ")" * 500)
    assert deep.root is None or isinstance(deep.root, (Text, And))
    assert any(str(MAX_DEPTH) in note for note in deep.notes)
    many = parse(" ".join(f"w{i}" for i in range(500)))
    assert isinstance(many.root, And) and len(many.root.children) == MAX_ATOMS


def test_control_characters_are_whitespace() -> None:
    assert root("kan\x00lora\x1f ") == And((Text("kan"), Text("lora")))
    assert tokenize("\ud800") == []


def test_describe_shows_the_tree() -> None:
    text = describe(root('title:kan -"state space" tag:rl'))
    assert "title:" in text and "not" in text and "filter tag" in text


# ---------------------------------------------------------------- compiling
def test_fts_strings_double_quotes() -> None:
    assert fts_string('say "hi"') == '"say ""hi"""'


def test_text_becomes_one_quoted_fts_expression() -> None:
    compiled = compile_query(parse('graph "mixture of experts" -moe neur', typing=True),
                             now=NOW)
    # The word being typed keeps its own match and adds a prefix query.
    assert compiled.fts == ('(("graph" AND "mixture of experts" AND ("neur" OR "neur"*)) '
                            'NOT "moe")')
    assert compiled.where == "1" and compiled.params == []
    assert compiled.terms == ["graph", "mixture of experts", "neur*"]
    assert compiled.sort == "relevance"
    whole = compile_query(parse('graph "mixture of experts" -moe neur'), now=NOW)
    assert whole.fts == '(("graph" AND "mixture of experts" AND "neur") NOT "moe")'


def test_plain_words_are_soft_the_rest_strict() -> None:
    compiled = compile_query(parse('agent memory "long context" title:kan -rag tag:x'),
                             now=NOW)
    assert compiled.soft == ['"agent"', '"memory"']
    assert compiled.strict == ['"long context"', 'title : "kan"']
    assert compiled.negative == ['"rag"']
    assert some_expression(compiled, compiled.soft) == (
        '((("long context" AND title : "kan" AND ("agent" OR "memory")) '
        'NOT ("agent" AND "memory")) NOT "rag")')
    # Papers brought in by some words only, less those another tier holds.
    three = compile_query(parse("the agent memory"), now=NOW)
    assert some_expression(three, ['"the"'], ['("agent" OR "memory")']) == (
        '((("the") NOT ("the" AND "agent" AND "memory")) NOT ("agent" OR "memory"))')


def test_fields_become_column_filters() -> None:
    compiled = compile_query(parse("title:kan abstract:lora note:todo "), now=NOW)
    assert compiled.fts == ('(title : "kan" AND abstract : "lora" '
                            'AND {note annotation_text} : "todo")')


def test_or_and_groups() -> None:
    assert compile_query(parse("kan OR lora "), now=NOW).fts == '("kan" OR "lora")'
    mixed = compile_query(parse("kan OR tag:rl"), now=NOW)
    assert mixed.fts is None
    assert mixed.where.count("MATCH ?") == 1 and "t.name = ?" in mixed.where
    assert mixed.params == ['"kan"', "rl"]


def test_only_exclusions_go_to_sql() -> None:
    compiled = compile_query(parse("-kan"), now=NOW)
    assert compiled.fts is None
    assert compiled.where == ("p.id NOT IN (SELECT rowid FROM papers_fts "
                              "WHERE papers_fts MATCH ?)")
    assert compiled.params == ['"kan"']


def test_filters_compile_to_bound_parameters() -> None:
    compiled = compile_query(parse("year:2024 upvotes:>5 authors:2..4 org:50%_off"), now=NOW)
    assert compiled.params == ["2024", "2025", 5, 2, 4, "%50\\%\\_off%"]
    assert "p.upvotes > ?" in compiled.where and "BETWEEN ? AND ?" in compiled.where
    since = compile_query(parse("added:7d"), now=NOW).params[0]
    assert since == (NOW - timedelta(days=7)).isoformat(timespec="seconds")


def test_negated_filters_keep_rows_with_unknown_values() -> None:
    compiled = compile_query(parse("-upvotes:>5"), now=NOW)
    assert compiled.where == "(NOT coalesce((p.upvotes > ?), 0))"


def test_sort_argument_and_sort_word() -> None:
    assert compile_query(parse("kan"), sort="upvotes").sort == "upvotes"
    assert compile_query(parse("kan sort:date"), sort="upvotes").sort == "date"
    assert compile_query(parse("kan"), sort="nonsense").sort == "relevance"


def test_plain_words_fallback() -> None:
    query = plain_words('title:"x" (a OR b')
    assert query.root == And((Text("title:"), Text("x"), Text("(a"), Text("OR"), Text("b")))


# --------------------------------------------------- property: always safe
_QUOTES = re.compile(r"''|'\\'")


@pytest.fixture(scope="module")
def fts_table() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        """
        CREATE TABLE papers (id INTEGER PRIMARY KEY, title, abstract, note, annotation_text,
            authors_count, organization, published, upvotes, added_at, read_at, starred,
            state, ai_summary);
        CREATE VIRTUAL TABLE papers_fts USING fts5(title, abstract, note, annotation_text,
            ai_summary, content='papers', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2');
        CREATE TABLE tags (id INTEGER PRIMARY KEY, name);
        CREATE TABLE paper_tags (paper_id, tag_id);
        CREATE TABLE annotations (paper_id);
        CREATE TABLE sources (id INTEGER PRIMARY KEY, name, path);
        CREATE TABLE paper_sources (paper_id, source_id);
        INSERT INTO papers VALUES (1, 'Kolmogorov-Arnold Networks', 'e-mail it''s C++', '',
            '', 3, 'NVIDIA', '2024-05-01', 7, '2026-01-01', NULL, 0, 'inbox', 'A summary.');
        INSERT INTO papers_fts (rowid, title, abstract, note, annotation_text, ai_summary)
            SELECT id, title, abstract, note, annotation_text, ai_summary FROM papers;
        """
    )
    return conn


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
       | st.lists(st.sampled_from(['"', "(", ")", "-", "OR", "AND", "NOT", "*", "^", "title:",
                                   "tag:", "year:>=", "kan", "e-mail", "NEAR(", ":", "'",
                                   "sort:", "is:read", " ", "--", ";"]),
                  max_size=12).map("".join))
def test_any_text_compiles_to_sql_and_fts5_that_run(fts_table: sqlite3.Connection,
                                                    text: str) -> None:
    compiled = compile_query(parse(text), now=NOW)
    # User text never reaches the SQL: the only quotes in it are our own literals.
    assert "'" not in _QUOTES.sub("", compiled.where) and '"' not in compiled.where
    assert compiled.where.count("?") == len(compiled.params)
    sql = "SELECT p.id FROM papers p WHERE " + compiled.where
    params = list(compiled.params)
    if compiled.fts is not None:
        sql += " AND p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"
        params.append(compiled.fts)
    fts_table.execute(sql, params).fetchall()  # raises on any syntax error


def test_warnings_name_the_filter_and_what_it_takes() -> None:
    query = parse("kan is:bogus year:soon has:x added:1.5d sort:colour")
    assert [w.split(" (")[0] for w in query.warnings] == [
        "is:bogus is not a filter", "year:soon is not a filter", "has:x is not a filter",
        "added:1.5d is not a filter", "sort:colour is not an order"]
    assert "is: takes " in query.warnings[0] and "inbox" in query.warnings[0]
    assert "year: takes a number" in query.warnings[1]
    assert parse("is:unread year:2024 tag:x sort:date").warnings == ()
    # The last filter, while typed, is not warned about until the word ends.
    assert parse("kan is:re", typing=True).warnings == ()
    assert parse("kan is:re ", typing=True).warnings != ()
    assert parse("is:re kan", typing=True).warnings != ()
    assert parse("is:re kan").warnings != ()
    # Warnings survive the planner's rewrites of the tree.
    assert with_root(query, None).warnings == query.warnings


def test_a_field_or_filter_with_nothing_after_it_says_what_to_write() -> None:
    # `summary:` alone listed every paper without a word of why.
    for text, example in (("summary:", "summary:word"), ("Title:", "title:word"),
                          ("note:", "note:word"), ('abstract:""', "abstract:word"),
                          ("tag:", "tag:name"), ("is:", "is:starred"), ("year:", "year:2024"),
                          ("-summary:", "summary:word"), ("(summary:)", "summary:word")):
        query = parse(text)
        assert query.root is None, text
        (warning,) = query.warnings
        assert warning.endswith(f"has nothing after it (write {example}, with no space); "
                                "every paper is listed"), (text, warning)
    # With a word after the space that split them: that word, and the rest is searched.
    query = parse("summary: agent memory")
    assert query.root == And((Text("agent"), Text("memory")))
    assert query.warnings == ("summary: has nothing after it (write summary:agent, with no "
                              "space); ignored",)
    assert parse("model sort:").warnings == (
        "sort: has nothing after it (write sort:date, with no space); ignored",)
    # A field still being typed in the live search is not one yet; once a space
    # ends it, it is.
    assert parse("summary:", typing=True).warnings == ()
    assert parse('kan title:"', typing=True).warnings == ()
    assert parse("summary: ", typing=True).warnings != ()
    assert parse("summary:agent").warnings == ()


@pytest.mark.parametrize("text", ['tag:"', 'tag:""', 'tag:"  "', 'org:"', 'source:""',
                                  'TAG:"'])
def test_a_filter_with_an_empty_quoted_value_is_ignored_and_said(text: str) -> None:
    # Not a search for the word "tag" (which a library may define as an
    # abbreviation): no filter at all, as `tag:` with nothing after it.
    query = parse("kan " + text)
    assert query.root == Text("kan")
    key = text.split(":")[0].lower()
    assert query.warnings == (f'{key}:"" has no value; ignored',)
    # Still being typed: the quote opens a value to come.
    assert parse("kan " + text, typing=True).warnings == ()
    assert parse('kan tag:"to read"').root == And((Text("kan"), Filter(
        "tag", "=", "to read", "tag:to read")))


# ------------------------------------------------- what the index cannot find
def test_symbols_and_cjk_are_looked_for_as_substrings(tmp_path) -> None:
    """unicode61 drops emoji and symbols and keeps an unspaced Chinese or Japanese
    run as one token: `🚀` listed the whole library and `推論` found nothing."""
    from storage import Library

    lib = Library(tmp_path / "library.db")
    try:
        lib.import_text(
            "Rocket 🚀 Science\n\nA model that flies.\n\n"
            "大規模言語モデルの推論効率化\n\nEfficient inference for large models.\n\n"
            "中文大模型的安全对齐\n\nSafety alignment of Chinese models.\n\n"
            "Plain Title\n\nA model on the ground ≥ 3 times.\n")
        ids = {lib.get(i).title: i for i in lib.search("", limit=None).ids}
        rocket, japanese, chinese, plain = (ids[t] for t in (
            "Rocket 🚀 Science", "大規模言語モデルの推論効率化", "中文大模型的安全对齐",
            "Plain Title"))

        def found(text: str) -> set[int]:
            return set(lib.search(text, limit=None).ids)

        assert found("🚀") == found('"🚀"') == found("title:🚀") == {rocket}
        assert found("abstract:🚀") == set()
        assert found("-🚀") == {japanese, chinese, plain}
        assert found("🚀 model") == {rocket} and found("😀 model") == set()
        assert found("≥") == {plain}
        assert found("推論") == found("言語モデル") == {japanese}
        assert found("安全") == found("中文") == {chinese}
        assert found("-安全") == {rocket, japanese, plain}
        # A term with nothing to look for is ignored, and the user is told so.
        result = lib.search("*", limit=None)
        assert len(result.ids) == 4
        assert result.message.startswith("* has no letter, digit or symbol to search for; "
                                         "every paper is listed")
    finally:
        lib.close()


def test_drivers_are_the_top_level_filters_an_index_lists() -> None:
    # Each is a SELECT of ids beside its own part of the WHERE, which keeps
    # every filter: a driver only says where the search may start.
    compiled = compile_query(parse("is:starred tag:rl year:2024 org:meta -is:read model"))
    assert [d.condition for d in compiled.drivers if not d.exclude] == [
        "(p.starred)", compiled.where.split(" AND ")[1],
        "(p.published >= ? AND p.published < ?)"]
    assert all(d.condition in compiled.where for d in compiled.drivers)
    # A negated listable filter lists the papers it leaves out.
    (negated,) = [d for d in compiled.drivers if d.exclude]
    assert negated.condition == "(NOT coalesce((p.state = ?), 0))"
    assert negated.select == "SELECT p.id FROM papers p WHERE p.state = ?"
    assert compiled.drivers[1].params == ["rl"]
    assert compiled.drivers[1].select.startswith("SELECT pt.paper_id FROM paper_tags")
    # What most papers pass, what no index lists, and anything below the top level.
    for text in ("tag:none model", "tag:any model",
                 "org:meta model", "authors:>3 model", "source:seeds model",
                 "(is:starred OR tag:rl) model", "-org:meta model", "🚀 model"):
        assert compile_query(parse(text)).drivers == [], text
    assert [d.exclude for d in compile_query(parse("-is:starred model")).drivers] == [True]
    # A value meaning "not in it" lists the papers in it, to leave them out, as
    # its negation does; its own condition stays the filter's part of the WHERE.
    for off, on, condition in (("is:unstarred", "is:starred", "(NOT p.starred)"),
                               ("is:unread", "is:done", "(p.state != ?)")):
        (excluded,) = compile_query(parse(f"{off} model")).drivers
        (listed,) = compile_query(parse(f"{on} model")).drivers
        assert excluded.exclude and not listed.exclude
        assert (excluded.select, excluded.params) == (listed.select, listed.params)
        assert excluded.condition == condition == compile_query(parse(f"{off} model")).where
    for text in ("is:shortlist x", "is:done x", "is:annotated x", "has:note x", "upvotes:>5 x",
                 "added:7d x", "year:2020..2022 x"):
        assert len(compile_query(parse(text)).drivers) == 1, text
