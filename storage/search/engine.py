"""The search engine: the one face over search's parts.

    planning   typed text -> what to run (corrections, abbreviations, prefixes)
    tiers      papers with all the words, then those with some
    ranking    one bm25-ranked FTS5 query over a capped window
    order      list order, for sorted searches and the unranked tail
    highlight  spans of the matched words on the rows returned
    goto       the fuzzy title finder for go-to-paper

Every statement is a SELECT with user text bound as parameters; any sqlite
error falls back to a plain-words search, so no query raises and none writes.
"""

from __future__ import annotations

import sqlite3
import threading

from storage.query import ORDER_BY, Compiled, describe
from storage.search import tiers
from storage.search.goto import TitleFinder
from storage.search.highlight import prepare_terms
from storage.search.order import ListOrder
from storage.search.planning import Plan, Planner
from storage.search.ranking import BM25, Ranker
from storage.search.result import Hit, PageText, SearchResult, TierCounts, status_line
from storage.search.vocabulary import Vocabulary


def _interrupted(error: sqlite3.Error) -> bool:
    return "interrupt" in str(error).lower()


class SearchEngine:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self.vocabulary = Vocabulary(conn)
        self.planner = Planner(conn, self.vocabulary)
        self.order = ListOrder(conn)
        self.ranker = Ranker(conn, self.order)
        self.titles = TitleFinder(conn, self.planner)

    # ------------------------------------------------------------- caches
    def invalidate(self) -> None:
        """Forget the vocabulary and titles: the text of the library changed."""
        with self._lock:
            self._key = None
            self.vocabulary.reset()
            self.order.reset()
            self.titles.reset()
            self.ranker.reset()

    def _fresh(self) -> None:
        # Another process may import into the same file: its commits move
        # data_version, and new papers move max(id). Both are O(1).
        key = (self.conn.execute("PRAGMA data_version").fetchone()[0],
               self.conn.execute("SELECT coalesce(max(id), 0) FROM papers").fetchone()[0])
        if key != self._key:
            self.invalidate()
            self._key = key
            self.vocabulary.papers = max(1, key[1])
            self.ranker.papers = key[1]

    def plan(self, text: str, sort: str | None = None, *, plain: bool = False,
             typing: bool = False) -> Plan:
        """What `search` runs for `text` (for explain and the benchmark)."""
        self._fresh()
        return self.planner.plan(text, sort, plain=plain, typing=typing)

    def stages(self, plan: Plan) -> list[Compiled]:
        """The later tiers of a relevance search (papers with some of the words)."""
        return tiers.stages(plan, self.vocabulary)

    # ------------------------------------------------------------- search
    def search(self, query: str, *, limit: int | None = 50, offset: int = 0,
               sort: str | None = None, typing: bool = False) -> SearchResult:
        """Papers matching `query`, best first. `limit=None` returns every id (and
        no hits: spans are for the rows on screen). `typing`: the app's live search
        while a word is being typed; an unfinished last word then also matches as a
        prefix, beside its own match."""
        query = query if isinstance(query, str) else str(query)
        limit = None if limit is None else max(0, int(limit))
        offset = max(0, int(offset))
        try:
            return self._run(self.plan(query, sort, typing=typing), query, limit, offset)
        except sqlite3.Error as error:
            if _interrupted(error):
                return SearchResult(query, [], error="interrupted",
                                    message="Search interrupted")
            first = error
        try:
            result = self._run(self.plan(query, sort, plain=True), query, limit, offset)
            result.message = result.message.replace(
                "Searched as plain words", f"Searched as plain words ({first})", 1)
            return result
        except sqlite3.Error as error:
            return SearchResult(query, [], error=str(error),
                                message=f"Search failed: {error}")

    def _run(self, plan: Plan, query: str, limit: int | None, offset: int) -> SearchResult:
        compiled = plan.compiled
        ranked = compiled.fts is not None and compiled.sort == "relevance"
        later = self.stages(plan) if ranked else []
        counts = TierCounts()
        total: int | None = None
        if later:
            page = tiers.run(self.ranker, compiled, later, limit, offset)
            ids, scores, counts, total = page.ids, page.scores, page.counts, page.total
        elif ranked:
            ids, scores, total = self.ranker.ranked(compiled, limit, offset)
        else:
            ids = self.order.listed(compiled, limit, offset, self.ranker.driven(compiled))
            scores = [0.0] * len(ids)
        if limit is None:
            total = offset + len(ids) if offset == 0 or total is None else total
        elif len(ids) < limit and (ids or offset == 0):
            total = offset + len(ids)
        hits = self._hits(ids, scores, compiled.terms) if limit is not None else []
        result = SearchResult(query=query, ids=ids, hits=hits, corrections=plan.corrections,
                              terms=compiled.terms, total=total, sort=compiled.sort,
                              all_count=counts.all_count, some_count=counts.some_count,
                              expansions=plan.expansions, notes=tuple(plan.query.notes),
                              warnings=tuple(plan.query.warnings))
        result.message = status_line(query, plan.corrections, plan.query.notes, counts,
                                     offset + len(ids), plan.query.warnings)
        return result

    def _hits(self, ids: list[int], scores: list[float], terms: list[str]) -> list[Hit]:
        prepared = prepare_terms(terms)
        if not ids or not prepared:
            return [Hit(i, s) for i, s in zip(ids, scores, strict=True)]
        # The texts are read now, with the search (a hit never goes back to the
        # file, from whichever thread holds it); their spans when asked for.
        texts: dict[int, tuple[str, ...]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for paper_id, title, abstract, summary in self.conn.execute(
                    f"SELECT id, title, abstract, ai_summary FROM papers WHERE id IN ({marks})",
                    chunk):
                texts[paper_id] = (title or "", abstract or "", summary or "")
        page = PageText(texts, prepared)
        return [Hit(paper_id, score, page) for paper_id, score in zip(ids, scores, strict=True)]

    def count(self, query: str, *, typing: bool = False, sort: str | None = None) -> int:
        """How many papers `search` lists for these arguments (with a relevance
        order, those with all the words and those with some); never ranks."""
        query = query if isinstance(query, str) else str(query)
        for plain in (False, True):
            try:
                plan = self.plan(query, sort, plain=plain, typing=typing)
                return self.ranker.count(plan.compiled) + sum(
                    self.ranker.count(stage) for stage in self.stages(plan))
            except sqlite3.Error as error:
                if _interrupted(error):
                    return 0
        return 0

    def explain(self, query: str, *, typing: bool = False) -> str:
        """The parsed tree, the corrections, and the FTS5/SQL the search runs."""
        try:
            plan = self.plan(query, None, typing=typing)
        except sqlite3.Error as error:
            return f"query: {query!r}\nerror: {error}"
        compiled = plan.compiled
        lines = [f"query: {query!r}", "tree:", describe(plan.query.root, 1)]
        lines += [f"note: {note}" for note in plan.query.notes]
        lines += [f"corrected: {typed} -> {shown}" for typed, shown in plan.corrections]
        lines += [f"abbreviation (defined in this library): {typed} -> also {other!r}"
                  for typed, other in plan.expansions]
        lines.append(f"sort: {compiled.sort}")
        lines.append(f"fts5 MATCH: {compiled.fts!r}" if compiled.fts else "fts5 MATCH: (none)")
        for number, stage in enumerate(self.stages(plan), 2):
            lines.append(f"then papers with some of the words ({number}): fts5 MATCH: "
                         f"{stage.fts!r}")
            if stage.coordination:
                weights = ", ".join(f"{atom} {idf:.2f}" for atom, idf in stage.coordination)
                lines.append(f"  ranked by bm25 x the idf of the words a paper has: {weights}")
        lines.append(f"sql WHERE: {compiled.where}")
        lines.append(f"sql params: {compiled.params!r}")
        if compiled.fts is not None and compiled.sort == "relevance":
            source = self.ranker.source(compiled)
            ranked = source.select(f"papers_fts.rowid, {BM25}", "AND rowid >= "
                                   f"<{self.ranker.rank_cap(compiled)}th newest match> "
                                   "ORDER BY 2")
            lines.append(f"ranked: {ranked}")
        else:
            lines.append(f"order: {ORDER_BY[compiled.sort]}")
        return "\n".join(lines)

    # ----------------------------------------------------------- go to paper
    def fuzzy_titles(self, text: str, limit: int = 20) -> list[tuple[int, str, float]]:
        """(id, title, score 0-100) of the titles nearest to `text`, best first."""
        try:
            self._fresh()
            return self.titles.find(text, max(0, int(limit)))
        except sqlite3.Error:
            return []
