"""One bm25-ranked query over a capped window, then the older matches
(storage/search/ranking.py)."""

from __future__ import annotations

import pytest

from storage import Library
from storage.search import RANK_BUDGET, RANK_MIN
from storage.search.ranking import BLOOM_MOST, fts_from
from tests.storage.search.helpers import ids, raw_count


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
            engine.ranker.rank_budget, engine.ranker.rank_min = budget, budget
        try:
            for query in ("model", "language models ", "learning -model", "model is:unread"):
                every = ids(shared, query)
                assert len(every) == shared.count(query)
                pages: list[int] = []
                for offset in range(0, len(every) + 10, 9):
                    pages += shared.search(query, limit=9, offset=offset).ids
                assert pages == every
        finally:
            engine.ranker.rank_budget, engine.ranker.rank_min = RANK_BUDGET, RANK_MIN


def test_a_capped_window_is_ranked_and_the_older_matches_follow(shared: Library) -> None:
    ranker = shared._search.ranker
    compiled = shared._search.plan("model").compiled
    total = raw_count(shared, '"model"')
    assert ranker.count(compiled) == total > 20
    ranker.rank_budget = ranker.rank_min = 20
    try:
        ids, scores, known = ranker.ranked(compiled, None, 0)
    finally:
        ranker.rank_budget, ranker.rank_min = RANK_BUDGET, RANK_MIN
    assert len(ids) == len(set(ids)) == total and known == total
    # The 20 newest matches by bm25, best first; the rest unscored, in list order.
    newest = {r[0] for r in shared.conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH '\"model\"' "
        "ORDER BY rowid DESC LIMIT 20")}
    assert set(ids[:20]) == newest and all(s > 0 for s in scores[:20])
    assert scores[:20] == sorted(scores[:20], reverse=True)
    assert all(s == 0.0 for s in scores[20:])
    order = shared.search("", limit=None).ids
    assert ids[20:] == [i for i in order if i in set(ids[20:])]


def test_count_and_tier_totals(shared: Library) -> None:
    engine = shared._search
    ranker = engine.ranker
    for text, expr in (("kolmogorov", '"kolmogorov"'), ("kan OR lora", '"kan" OR "lora"')):
        compiled = engine.plan(text).compiled
        expected = raw_count(shared, expr)
        assert ranker.count(compiled) == expected > 2
        # Fewer matches than the cap: all are ranked, so a page knows the total.
        ids, _scores, total = ranker.tier(compiled, 2, 0)
        assert len(ids) == 2 and total == expected
        ranker.rank_budget = ranker.rank_min = 1
        try:
            ids, _scores, total = ranker.tier(compiled, 2, 0)
            assert len(ids) == 2 and total is None  # the page filled before the end
            ids, _scores, total = ranker.tier(compiled, 50, 0)
            assert len(ids) == expected == total  # the page ran out: that is the end
        finally:
            ranker.rank_budget, ranker.rank_min = RANK_BUDGET, RANK_MIN
    assert ranker.count(engine.plan("is:unread").compiled) == 415


def _marked(lib: Library) -> Library:
    """Read, starred and upvote marks on a third of the papers, so filters cut."""
    every = ids(lib, "")
    lib.set_read(every[::3])
    lib.set_starred(every[::7])
    return lib


FILTERED = ("model is:unread", "language models is:starred", "learning year:>=2024",
            "model upvotes:>3 -is:read", "diffusion tag:none", "model has:note",
            "model org:a", '"language model" is:unread')


def test_a_page_inside_the_window_is_ranked_in_one_pass_as_the_counted_window(
        seeded: Library) -> None:
    # A library bigger than the window ranks a page without counting first; the
    # page must be the one the counted window gives, scores and all.
    engine = _marked(seeded)._search
    ranker = engine.ranker
    ranker.rank_budget = ranker.rank_min = 60
    try:
        for query in ("model", "language models", "kolmogorov", *FILTERED):
            compiled = engine.plan(query).compiled
            matches = ranker.count(compiled)
            for offset in (0, 9, 45, 51):
                ranker.papers = 415
                one_pass = ranker.ranked(compiled, 9, offset)
                ranker.papers = 0  # as small as the window: counts first
                counted = ranker.ranked(compiled, 9, offset)
                assert one_pass[0] == counted[0], (query, offset)
                assert one_pass[1] == pytest.approx(counted[1])
                window = min(matches, ranker.rank_cap(compiled))
                if offset + 9 <= window:
                    assert one_pass[2] is None  # the page filled: the end not seen
                elif offset < window or offset == 0:
                    assert one_pass[2] == matches  # ran out inside the window: the end
    finally:
        ranker.rank_budget, ranker.rank_min = RANK_BUDGET, RANK_MIN
        ranker.papers = 415


def test_filters_read_the_narrow_index_and_find_what_the_rows_say(seeded: Library) -> None:
    lib = _marked(seeded)
    engine = lib._search
    assert "INDEXED BY papers_filters" in lib.explain("model is:unread year:>=2024")
    assert "INDEXED BY papers_filters" in lib.explain("model tag:none is:starred")
    # A filter on a column the index does not hold reads the row.
    assert "INDEXED BY" not in lib.explain("model has:note")
    assert "INDEXED BY" not in lib.explain("model org:a is:unread")
    with_index = {q: (ids(lib, q), lib.search(q, limit=20).ids, lib.count(q))
                  for q in FILTERED}
    # A file without the index (made before schema v10) searches the same.
    with lib.conn:
        lib.conn.execute("DROP INDEX papers_filters")
    engine.ranker = type(engine.ranker)(lib.conn, engine.order)
    engine.invalidate()
    assert "INDEXED BY" not in lib.explain("model is:unread")
    for query, expected in with_index.items():
        assert (ids(lib, query), lib.search(query, limit=20).ids, lib.count(query)) == \
            expected, query
    assert len(with_index["model is:unread"][0]) == len(ids(lib, "model")) - len(
        set(ids(lib, "model")) & set(ids(lib, "is:read")))


def _triaged(lib: Library) -> Library:
    """Marks of every kind a filter reads, on shares as uneven as a user's:
    read a third, starred a seventh, a few shortlisted and skipped, two tags,
    notes and annotations on a handful."""
    every = ids(lib, "")
    lib.set_read(every[::3])
    lib.set_starred(every[::7])
    lib.set_state(every[1::11], "shortlist")
    lib.set_state(every[2::13], "skipped")
    lib.add_tags(every[::5], ["rl"])
    lib.add_tags(every[3::17], ["toread"])
    for paper_id in every[4::19]:
        lib.set_note(paper_id, "a model worth reading again")
    for paper in lib.get_many(every[5::23]):
        lib.annotate(paper.id, 0, min(10, len(paper.abstract)), "see the model")
        lib.annotate(paper.id, 0, min(5, len(paper.abstract)))  # a paper twice
    return lib


# Each filter kind an index lists, beside a common word, a rare one, a phrase, a
# field term, several words (their later tiers) and an exclusion; and filters
# together, one listable and one not.
LISTABLE = ("is:starred", "is:read", "is:shortlist", "is:skipped", "tag:rl", "tag:ToRead",
            "tag:nosuchtag", "has:note", "is:annotated", "year:2024", "year:<2025",
            "upvotes:>20", "upvotes:3..10", "added:7d")
TEXTS = ("model", "kolmogorov", '"language model"', "title:model", "language models agents",
         "learning -model")
TOGETHER = ("is:starred tag:rl model", "is:starred -is:read model", "tag:rl is:unread learning",
            "has:note year:2024 model", "is:shortlist org:a model", "tag:rl OR is:starred model")
# Sorted searches list the driven matches and sort them (ListOrder.listed).
SORTED = tuple(f"{f} {t} sort:{s}" for f in ("is:starred", "tag:rl", "has:note", "is:annotated",
                                             "year:2024")
               for t in ("model", "language models")
               for s in ("date", "upvotes", "title", "added", "interest"))


def _everything(lib: Library, query: str) -> tuple:
    """What a search shows of `query`: every id, pages, scores, counts, tiers."""
    whole = lib.search(query, limit=None)
    pages = [lib.search(query, limit=9, offset=offset) for offset in (0, 9, 40)]
    return (whole.ids, whole.all_count, whole.some_count, lib.count(query),
            [(p.ids, [round(h.score, 9) for h in p.hits], p.total, p.all_count, p.message)
             for p in pages])


def test_a_filter_driving_the_search_finds_what_testing_each_row_finds(seeded: Library
                                                                        ) -> None:
    # The plan that lists a small filter's papers and looks for the text among
    # them must give what testing each text match's row gives, for every kind
    # of filter, both ways of looking (a CTE behind a Bloom filter, IN), and
    # windows smaller than the matches (the older matches then follow).
    lib = _triaged(seeded)
    engine = lib._search
    ranker = engine.ranker
    queries = [f"{f} {t}" for f in LISTABLE for t in TEXTS] + list(TOGETHER) + list(SORTED)
    positive = len(queries)
    # A negated filter alone leaves its papers out by a list (Ranker.excluded).
    queries += [f"-{f} {t}" for f in LISTABLE for t in TEXTS]
    driven = excluded = 0
    try:
        for budget, bloom_most in ((RANK_BUDGET, 10**9), (RANK_BUDGET, 0), (40, 10**9)):
            ranker.rank_budget = ranker.rank_min = budget
            ranker.bloom_most = bloom_most
            for query in queries:
                ranker.drive = False
                expected = _everything(lib, query)
                ranker.drive = True
                assert _everything(lib, query) == expected, (query, budget, bloom_most)
                driven += ranker.driver(engine.plan(query).compiled)[0] is not None
                excluded += ranker.excluded(engine.plan(query).compiled) is not None
    finally:
        ranker.rank_budget, ranker.rank_min = RANK_BUDGET, RANK_MIN
        ranker.bloom_most = BLOOM_MOST
        ranker.drive = True
    # Not a vacuous comparison: most of these searches were driven by a filter,
    # and many negated ones left their papers out by a list.
    assert driven > positive * 3 // 2
    assert excluded > len(LISTABLE) * len(TEXTS) // 2


# The `is:` values that mean "not in this state or flag", and what they leave out.
OFF_VALUES = {"is:unstarred": "is:starred", "is:unread": "is:read"}


def test_an_off_value_leaves_its_papers_out_as_its_negation_does(seeded: Library) -> None:
    # `is:unstarred model` is `-is:starred model` written another way: the few
    # starred papers are listed and left out instead of each match's row being
    # tested; what it finds is what testing the rows finds, and what the
    # negation finds. Few papers read here, so `is:unread` is planned so too.
    lib = seeded
    every = ids(lib, "")
    lib.set_read(every[::23])
    lib.set_starred(every[1::9])
    engine = lib._search
    ranker = engine.ranker
    queries = [f"{f} {t}" for f in OFF_VALUES for t in TEXTS]
    excluded = 0
    try:
        for budget, bloom_most in ((RANK_BUDGET, 10**9), (RANK_BUDGET, 0), (40, 10**9)):
            ranker.rank_budget = ranker.rank_min = budget
            ranker.bloom_most = bloom_most
            for query in queries:
                ranker.drive = False
                expected = _everything(lib, query)
                ranker.drive = True
                assert _everything(lib, query) == expected, (query, budget, bloom_most)
                off, text = query.split(" ", 1)
                assert lib.search(query, limit=None).ids == \
                    lib.search(f"-{OFF_VALUES[off]} {text}", limit=None).ids, query
                excluded += ranker.excluded(engine.plan(query).compiled) is not None
    finally:
        ranker.rank_budget, ranker.rank_min = RANK_BUDGET, RANK_MIN
        ranker.bloom_most = BLOOM_MOST
        ranker.drive = True
    assert excluded > len(queries) // 2  # of 3 x 12: not a vacuous comparison
    for off, on in OFF_VALUES.items():
        chosen = ranker.excluded(engine.plan(f"{off} model").compiled)
        assert chosen is not None, off
        assert "+papers_fts.rowid NOT IN (WITH excluded(id)" in lib.explain(f"{off} model")
        assert chosen.select == engine.plan(f"{on} model").compiled.drivers[0].select


def test_a_small_filter_drives_and_a_common_one_or_a_rare_word_does_not(seeded: Library
                                                                          ) -> None:
    lib = _triaged(seeded)
    engine = lib._search

    def driver(query: str) -> str | None:
        chosen, _size = engine.ranker.driver(engine.plan(query).compiled)
        return None if chosen is None else chosen.condition

    assert driver("is:starred model") == "(p.starred)"
    # The smallest of two listable filters drives; the other is tested on its rows.
    assert driver("is:read is:starred model") == "(p.starred)"
    assert "paper_tags" in (driver("tag:toread is:read model") or "")
    # Most of the library passes: testing each match's row stays cheaper.
    assert driver("is:unread model") is None
    assert driver("-is:starred model") is None
    # ... but its few starred papers are left out by a list, not by testing rows.
    excluded = engine.ranker.excluded(engine.plan("-is:starred model").compiled)
    assert excluded is not None and excluded.condition == "(NOT coalesce((p.starred), 0))"
    assert "+papers_fts.rowid NOT IN (WITH excluded(id) AS (SELECT p.id FROM papers p WHERE " \
        "p.starred)" in lib.explain("-is:starred model")
    # Not with another filter beside it (its rows are read anyway), nor a rare word.
    assert engine.ranker.excluded(engine.plan("-is:starred year:2024 model").compiled) is None
    assert engine.ranker.excluded(engine.plan("-is:starred kolmogorov").compiled) is None
    assert engine.ranker.excluded(engine.plan("-is:unread model").compiled) is None
    assert driver("org:a model") is None  # no index lists it
    # A word in fewer papers than a quarter of the filter's: its rows are tested.
    rare = engine.plan("kolmogorov").compiled
    assert 0 < engine.ranker.count(rare) * 4 <= len(ids(lib, "is:read"))
    assert driver("is:read kolmogorov") is None
    # What --explain shows, for each way of looking.
    assert "WITH listed(id) AS MATERIALIZED (SELECT p.id FROM papers p WHERE p.starred)" in \
        lib.explain("is:starred model")
    engine.ranker.bloom_most = 0
    try:
        assert "+papers_fts.rowid IN (SELECT p.id FROM papers p WHERE p.starred)" in \
            lib.explain("is:starred model")
    finally:
        engine.ranker.bloom_most = BLOOM_MOST


def test_a_driver_is_listed_through_an_index_and_joined_behind_a_bloom_filter(
        seeded: Library) -> None:
    # Listing a filter's papers must cost what passes it, not a scan of the
    # library; and the list, joined, must be indexed (SQLite's Bloom filter
    # comes with that automatic index), the full-text index the outer loop.
    lib = _triaged(seeded)
    engine = lib._search
    for query in [f"{f} model" for f in LISTABLE]:
        compiled = engine.plan(query).compiled
        (driver,) = compiled.drivers
        plan = [row[3] for row in lib.conn.execute(
            f"EXPLAIN QUERY PLAN {driver.select}", driver.params)]
        assert all("INDEX" in step or "PRIMARY KEY" in step or "SUBQUERY" in step
                   for step in plan), (query, plan)
        source = fts_from(compiled, narrow=True, driver=driver, bloom=True)
        plan = [row[3] for row in lib.conn.execute(
            f"EXPLAIN QUERY PLAN {source.select('papers_fts.rowid')}", source.params)]
        loops = [step for step in plan if step.startswith(("SCAN", "SEARCH"))]
        assert loops[-2].startswith("SCAN papers_fts VIRTUAL TABLE"), (query, plan)
        assert loops[-1] == "SEARCH listed USING AUTOMATIC COVERING INDEX (id=?)", plan
        bytecode = [row[1] for row in lib.conn.execute(f"EXPLAIN {source.select('1')}",
                                                       source.params)]
        assert "Filter" in bytecode and "FilterAdd" in bytecode, query
