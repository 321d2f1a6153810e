"""Papers with all the words first, then those with some; pages across tiers
(storage/search/tiers.py)."""

from __future__ import annotations

from dataclasses import replace

from storage import Library
from storage.search import RANK_BUDGET, RANK_MIN, tiers
from storage.search.result import TierCounts
from tests.storage.search.helpers import ids, raw_count


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
            engine.ranker.rank_budget, engine.ranker.rank_min = budget, budget
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
            engine.ranker.rank_budget, engine.ranker.rank_min = RANK_BUDGET, RANK_MIN


# ------------------------------------------------------------ the parts directly
def test_stages_split_informative_and_common_words(shared: Library) -> None:
    engine = shared._search
    merging = engine.stages(engine.plan("merging models"))
    assert len(merging) == 2  # papers with "merging", then those with only "models"
    assert '"merging"' in (merging[0].fts or "") and "NOT" in (merging[0].fts or "")
    assert len(engine.stages(engine.plan("agent memory"))) == 1  # both informative
    for one in ("kolmogorov", '"speculative decoding" draft', "title:draft decoding",
                "agent memory sort:date"):
        assert engine.stages(engine.plan(one)) == [], one


def test_run_counts_each_tier_and_pages_across_them(shared: Library) -> None:
    engine = shared._search
    plan = engine.plan("agent memory")
    later = engine.stages(plan)
    whole = tiers.run(engine.ranker, plan.compiled, later, None, 0)
    both = raw_count(shared, '"agent" AND "memory"')
    either = raw_count(shared, '"agent" OR "memory"')
    assert whole.counts == TierCounts(True, both, either - both, either - both)
    assert whole.total == either == len(whole.ids) == len(set(whole.ids))
    assert whole.scores[0] > 0
    page = tiers.run(engine.ranker, plan.compiled, later, 5, 3)
    assert page.ids == whole.ids[3:8]
    # The first tier (1 paper) was passed over: 2 skipped and 5 shown of the second,
    # which is small enough to be ranked whole, so its size is known too.
    assert page.counts == TierCounts(True, both, either - both, 7)
    assert page.total == either
    # A page that the first tier fills counts nothing beyond it.
    first = tiers.run(engine.ranker, plan.compiled, later, 1, 0)
    assert first.ids == whole.ids[:1] and first.counts == TierCounts(True, 1, None, None)


# ------------------------------------------- the words a paper has, weighed
def _listing(papers: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"{title}\n\n{abstract}" for title, abstract in papers) + "\n"


def test_a_later_tier_weighs_a_paper_by_how_telling_its_words_are(library: Library) -> None:
    # bm25 alone puts a paper with two common words in its title (weighted 10x)
    # above one that says the rare word once; scaled by the idf of the words
    # each has, the rare word wins. The first tier is not touched.
    filler = [(f"Neural Networks Study {i}", f"We train neural networks on task {i}.")
              for i in range(12)]
    library.import_text(_listing([
        ("Pruning Neural Networks", "We prune neural networks."),
        ("Neural Networks Everywhere", "Neural networks, and more neural networks."),
        ("Sparse Weights", "Pruning removes weights. " + "We study the cost of serving "
         "models on small devices, their memory, their latency and their energy. " * 4),
        *filler, *[(f"Other Topic {i}", "Unrelated text about graphs.") for i in range(16)]]))
    engine = library._search
    result = library.search("pruning neural networks", limit=None)
    plan = engine.plan("pruning neural networks")
    [stage] = engine.stages(plan)
    assert {atom for atom, _idf in stage.coordination} == {'"pruning"', '"neural"',
                                                           '"networks"'}
    idf = dict(stage.coordination)
    assert idf['"pruning"'] > idf['"neural"'] + idf['"networks"']
    pruning = idf['"pruning"']
    assert f'ranked by bm25 x the idf of the words a paper has: "pruning" {pruning:.2f}' \
        in library.explain("pruning neural networks")
    assert result.all_count == 1 and result.ids[0] == 1
    assert result.ids[1] == 3  # "pruning", once, in the abstract
    assert set(result.ids[2:]) == {2, *range(4, 16)}
    # The same tier ranked by bm25 alone: the title with both common words first.
    plain, _scores, _total = engine.ranker.ranked(replace(stage, coordination=()), None, 0)
    assert plain[0] == 2 and plain.index(3) > 0


def test_weighing_a_tier_reads_at_most_twice_its_window_of_each_word(
        library: Library) -> None:
    # When the window's papers are few among those with a word (most papers with it
    # have every word: the first tier), finding which have it would read them all:
    # past 2 x the window, the tier keeps its bm25 order.
    library.import_text(_listing([
        ("Graphs", "Message passing over networks."),
        *[(f"Study {i}", "We train neural networks.") for i in range(30)],
        *[(f"Pruning Neural Networks {i}", "We prune neural networks.") for i in range(6)],
        ("Sparse Weights", "Pruning removes weights. " + "We study serving costs. " * 2),
        ("Neural Networks Everywhere", "Neural networks, and more neural networks."),
        *[(f"Other Topic {i}", "Unrelated text about graphs.") for i in range(60)]]))
    sparse, everywhere = 38, 39
    engine = library._search
    [stage] = engine.stages(engine.plan("pruning neural networks"))
    ranker = engine.ranker
    weighed = ranker.ranked(stage, None, 0)[0]
    plain = ranker.ranked(replace(stage, coordination=()), None, 0)[0]
    assert weighed.index(sparse) < weighed.index(everywhere)
    assert plain.index(everywhere) < plain.index(sparse)
    ranker.rank_budget = ranker.rank_min = 3  # a window of 3: 6 entries of a word at most
    try:
        small = ranker.ranked(stage, None, 0)[0]
        assert small == ranker.ranked(replace(stage, coordination=()), None, 0)[0]
        assert small.index(everywhere) < small.index(sparse)
    finally:
        ranker.rank_budget, ranker.rank_min = RANK_BUDGET, RANK_MIN


def test_a_tier_of_one_word_is_not_weighed(shared: Library) -> None:
    # Every paper of it has the word: the same weight for all, not worth a read.
    engine = shared._search
    merging = engine.stages(engine.plan("merging models"))
    assert [len(stage.coordination) for stage in merging] == [0, 0]
    [tier] = engine.stages(engine.plan("agent memory"))
    assert [atom for atom, _idf in tier.coordination] == ['"agent"', '"memory"']
