"""One relevance-ordered FTS5 query: bm25 over a capped set of the newest
matches, so a word in every paper costs the same at 100k papers as at 1M, and
the older matches after them in list order."""

from __future__ import annotations

import math
import re
import sqlite3
from typing import NamedTuple

from storage.query import Compiled, Driver
from storage.schema import FILTER_COLUMNS, FILTER_INDEX, FTS_WEIGHTS
from storage.search.order import ListOrder

# Papers ranked by bm25: the newest matches, RANK_BUDGET / (terms in the MATCH)
# of them (bm25 costs ~1 us a row and term; a word found in every paper stays
# under ~10 ms at any library size). Older matches follow in list order.
RANK_BUDGET = 10_000
RANK_MIN = 1_000
BM25 = "bm25(papers_fts, " + ", ".join(f"{w:.1f}" for w in FTS_WEIGHTS) + ")"

Page = tuple[list[int], list[float], int | None]  # ids, scores, total if known


# Row columns a WHERE reads (`p.state`); user text never reaches it (parameters).
_ROW_COLUMN = re.compile(r"(?<![\w.])p\.(\w+)")
_NARROW = frozenset({"id", *FILTER_COLUMNS})


def narrow_enough(compiled: Compiled) -> bool:
    """Whether the filters read only columns the narrow filter index holds."""
    return all(column in _NARROW for column in _ROW_COLUMN.findall(compiled.where))


class Source(NamedTuple):
    """A statement driven by the full-text index: `select(columns, rest)` reads
    `columns` of the matches; `params` are the parameters of all but `rest`."""

    with_: str  # a WITH clause, or ""
    tables: str
    where: str
    params: list[object]

    def select(self, columns: str, rest: str = "") -> str:
        tail = f" {rest}" if rest else ""
        return f"{self.with_}SELECT {columns} FROM {self.tables} WHERE {self.where}{tail}"


# Up to this many listed papers, the list is joined as a CTE, which SQLite
# indexes with a Bloom filter in front of the index: 10,000 bytes, one bit per
# paper, so a match not listed costs ~16 ns, or a seek (~600 ns) for the share of
# them whose bit another paper set (1 - e^(-n/80,000): 9.5% at 8,000). Above it
# the list is tested with `rowid IN (...)`, ~90 ns a match whatever its size.
# `AS MATERIALIZED` is SQLite 3.35's, its Bloom filters 3.38's: before, IN only.
BLOOM_MOST = 8_000 if sqlite3.sqlite_version_info >= (3, 38, 0) else 0


def fts_from(compiled: Compiled, *, narrow: bool = False, driver: Driver | None = None,
             bloom: bool = False, exclude: Driver | None = None) -> Source:
    """The matches of `compiled`, as a statement driven by the index. CROSS
    JOIN pins the index as the outer loop: given a choice, SQLite may walk an
    index on `papers` and re-run the MATCH for every row (22 s for
    `is:unread diffusion` at 1M papers). `narrow`: the file has the filter index
    (schema v10); when the filters read only its columns, each match's test reads
    it instead of the wide row (SQLite would take the row: a lookup by id wins).
    `driver`: one of the filters, its papers listed once (see Ranker.driver),
    joined as a CTE (`bloom`: see BLOOM_MOST) or tested with IN; each text match
    is looked up among them before any row is read, and the other filters are
    tested on the rows of those found. `exclude`: a negated filter that is the
    whole of the filters (see Ranker.excluded), its few papers listed once and
    each match looked up among them instead of in its row. Neither changes what
    matches, only what is read."""
    text: list[object] = [compiled.fts]
    if not compiled.has_where:
        return Source("", "papers_fts", "papers_fts MATCH ?", text)
    if exclude is not None and driver is None and compiled.where == exclude.condition:
        # NOT IN is false for every row if the list holds a NULL: none may.
        return Source("", "papers_fts", "papers_fts MATCH ? AND +papers_fts.rowid NOT IN "
                      f"(WITH excluded(id) AS ({exclude.select}) "
                      "SELECT id FROM excluded WHERE id IS NOT NULL)",
                      [*text, *exclude.params])
    with_, tables, where = "", "papers_fts", "papers_fts MATCH ?"
    params: list[object] = []
    if driver is not None and bloom:
        # MATERIALIZED: kept whole, not folded into a join with `papers`.
        with_ = f"WITH listed(id) AS MATERIALIZED ({driver.select}) "
        tables += " CROSS JOIN listed ON listed.id = papers_fts.rowid"
        params += driver.params
    params += text
    if driver is not None and not bloom:
        # `+` keeps the test away from FTS5, which given `rowid IN (...)` runs the
        # MATCH (and bm25's idf over the whole index) once per listed id.
        where += f" AND +papers_fts.rowid IN ({driver.select})"
        params += driver.params
    if driver is not None and compiled.where == driver.condition:
        return Source(with_, tables, where, params)  # the list is the whole test
    table = "papers p"
    if narrow and narrow_enough(compiled):
        table = f"papers p INDEXED BY {FILTER_INDEX}"
    return Source(with_, f"{tables} CROSS JOIN {table} ON p.id = papers_fts.rowid",
                  f"{where} AND ({compiled.where})", [*params, *compiled.params])


class Ranker:
    rank_budget = RANK_BUDGET
    rank_min = RANK_MIN
    # Off: every filtered search tests each text match's row (the plan before
    # drivers; the tests and bench.filter_probe compare the two).
    drive = True
    bloom_most = BLOOM_MOST

    def __init__(self, conn: sqlite3.Connection, order: ListOrder) -> None:
        self.conn = conn
        self.order = order
        self._narrow: bool | None = None
        # Papers in the library, at most (the highest id; the engine keeps it).
        self.papers = 0
        # How many papers pass a driver, counted up to a limit: {(sql, params):
        # (count, limit)}, for this connection's writes so far (`_changes`).
        self._sizes: dict[tuple[str, tuple[object, ...]], tuple[int, int]] = {}
        self._changes = -1

    def reset(self) -> None:
        """Forget the filters' sizes: another connection wrote to the file."""
        self._sizes.clear()

    def source(self, compiled: Compiled) -> Source:
        """fts_from, through the filter index when this file has it, driven by
        the smallest filter when it is small (`driver`)."""
        if self._narrow is None:
            self._narrow = self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                (FILTER_INDEX,)).fetchone() is not None
        driver, listed = self.driver(compiled)
        exclude = self.excluded(compiled) if driver is None else None
        return fts_from(compiled, narrow=self._narrow, driver=driver,
                        bloom=listed <= self.bloom_most, exclude=exclude)

    def excluded(self, compiled: Compiled) -> Driver | None:
        """The negated filter to leave its papers out by a list, if the filters are
        that one alone (`-is:starred model`) and few papers pass its inner filter:
        listing a paper costs 330-600 ns and looking a match up in the list ~150,
        where testing a match's row in the filter index costs ~400 ns (bench/README,
        "Session 6"). A match is walked for each of up to the window's papers, so
        the list pays when it holds at most a quarter as many as that."""
        if not self.drive or compiled.fts is None:
            return None
        candidates = [d for d in compiled.drivers if d.exclude and d.condition == compiled.where]
        if not candidates:
            return None
        cap = self.rank_cap(compiled)
        matches = self._size("SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?",
                             [compiled.fts], cap)
        most = min(cap, matches) // 4
        chosen = candidates[0]
        return chosen if self._size(chosen.select, chosen.params, most) <= most else None

    def driven(self, compiled: Compiled) -> Source | None:
        """The matches, when a small filter drives the search; else None."""
        if self.driver(compiled)[0] is None:
            return None
        return self.source(compiled)

    def driver(self, compiled: Compiled) -> tuple[Driver | None, int]:
        """The filter to look for the text among, if any, and how many papers pass
        it: the one fewest pass, when listing them costs less than testing the
        rows of the matches walked. Listing a paper costs 330-600 ns, after which a
        match costs 16-90 ns (BLOOM_MOST). A match's row test is a lookup in an
        index of the whole library: ~300 ns at 1M papers when the matches are
        dense (their rows share pages), ~2 us when they are sparse (a rare word).
        The walk stops when the window is full: after every match, or after about
        cap x papers / passing. So a filter drives when at most
        sqrt(cap x papers / 2) papers pass it (at 1M papers and a window of
        10,000: 70,710; at 100k: 22,360), and at most four times as many as the
        text matches (a word in 3 papers is tested on 3 rows, not listed against)."""
        if not self.drive or compiled.fts is None or not compiled.drivers:
            return None, 0
        most = math.isqrt(self.rank_cap(compiled) * max(1, self.papers) // 2)
        chosen: Driver | None = None
        for driver in compiled.drivers:
            if driver.exclude:
                continue  # see excluded()
            size = self._size(driver.select, driver.params, most)
            if size <= most:
                chosen, most = driver, size
        if chosen is None:
            return None, 0
        matches = self._size("SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?",
                             [compiled.fts], most // 4)
        return (chosen, most) if matches > most // 4 else (None, 0)

    def _size(self, sql: str, params: list[object], most: int) -> int:
        """How many rows `sql` gives, or some number above `most`. Kept until the
        next write: a count that is out of date costs time, never a result (what
        matches does not depend on the driver)."""
        if self.conn.total_changes != self._changes:
            self._sizes.clear()
            self._changes = self.conn.total_changes
        key = (sql, tuple(params))
        known = self._sizes.get(key)
        # Exact when below its limit; else it says only "above the limit".
        if known is not None and (known[0] <= known[1] or most <= known[1]):
            return known[0]
        count = self.conn.execute(f"SELECT count(*) FROM ({sql} LIMIT ?)",
                                  [*params, most + 1]).fetchone()[0]
        self._sizes[key] = (count, most)
        return count

    def rank_cap(self, compiled: Compiled) -> int:
        return max(1, int(self.rank_min), int(self.rank_budget) // max(1, compiled.phrases))

    def count(self, compiled: Compiled) -> int:
        """Every paper the compiled query matches."""
        if compiled.fts is not None:
            source = self.source(compiled)
            return self.conn.execute(source.select("count(*)"), source.params).fetchone()[0]
        if not compiled.has_where:
            return self.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        return self.conn.execute(f"SELECT count(*) FROM papers p WHERE {compiled.where}",
                                 compiled.params).fetchone()[0]

    def _window(self, compiled: Compiled) -> tuple[int, int, int | None]:
        """(matches counted up to the cap, the rowid the ranked window starts at,
        how many matches pass the filters: None when not counted)."""
        cap = self.rank_cap(compiled)

        def threshold(source: Source) -> tuple[int, int]:
            newest = source.select("papers_fts.rowid AS rowid",
                                   "ORDER BY papers_fts.rowid DESC LIMIT ?")
            return self.conn.execute(f"SELECT count(*), min(rowid) FROM ({newest})",
                                     [*source.params, cap]).fetchone()

        # The text alone first: it needs no row of `papers`. When it has fewer
        # matches than the cap, all of them are ranked and the filters are
        # applied once, in the ranking query, instead of in a second pass.
        found, floor = threshold(Source("", "papers_fts", "papers_fts MATCH ?", [compiled.fts]))
        if not found or not compiled.has_where:
            return found, floor, found
        if found < cap:
            return found, floor, None  # how many pass the filters: not counted
        found, floor = threshold(self.source(compiled))
        return found, floor, found

    def _page(self, compiled: Compiled, cap: int, limit: int, offset: int) -> Page:
        """A page that lies inside the ranked window, in one pass: the newest `cap`
        matches streamed in id order, ranked by bm25, with no count first (the
        count was 0.5-2.6 ms of a search at 100k papers). The total is known only
        when the window ran out before the page did: then it held every match."""
        source = self.source(compiled)
        newest = source.select(f"papers_fts.rowid AS rowid, {BM25} AS score",
                               "ORDER BY papers_fts.rowid DESC LIMIT ?")
        rows = self.conn.execute(
            f"SELECT rowid, score FROM ({newest}) ORDER BY score, rowid DESC LIMIT ? OFFSET ?",
            [*source.params, cap, limit, offset]).fetchall()
        total = offset + len(rows) if len(rows) < limit and (rows or not offset) else None
        return [r[0] for r in rows], [-r[1] for r in rows], total

    def _coordinated(self, compiled: Compiled, limit: int | None, offset: int) -> Page:
        """A later tier's page: each paper of the window scored by its bm25 times
        the idf of the tier's words it has (`compiled.coordination`), so that a
        paper with the telling word outranks one with two common words in its
        title, and a word searched in two forms (an abbreviation) counts once."""
        cap = self.rank_cap(compiled)
        source = self.source(compiled)
        rows = self.conn.execute(
            source.select(f"papers_fts.rowid, {BM25}", "ORDER BY papers_fts.rowid DESC LIMIT ?"),
            [*source.params, cap]).fetchall()
        if not rows:
            return [], [], 0  # the newest matches are none: there are none
        floor = rows[-1][0]
        weight = self._weights(compiled, [row[0] for row in rows], floor, cap)
        # Best first, the newest first among equals (as ORDER BY score, rowid DESC).
        if weight:
            ordered = sorted([(-score * weight[paper_id], paper_id) for paper_id, score in rows],
                             reverse=True)
        else:
            ordered = sorted([(-score, paper_id) for paper_id, score in rows], reverse=True)
        page = ordered[offset:None if limit is None else offset + limit]
        ids = [paper_id for _score, paper_id in page]
        scores = [score for score, _paper_id in page]
        found = len(rows)
        if found < cap:
            return ids, scores, found  # every match was ranked
        wanted = None if limit is None else limit - len(ids)
        if wanted is not None and wanted <= 0:
            return ids, scores, None
        tail = self._older(compiled, floor, wanted, max(0, offset - found))
        return ids + tail, scores + [0.0] * len(tail), \
            found + len(tail) if limit is None else None

    def _weights(self, compiled: Compiled, ids: list[int], floor: int, cap: int
                 ) -> dict[int, float]:
        """The idf of the tier's words each paper of the window has; empty when
        finding out would read more than 2 x cap index entries for one word (the
        window's papers are few among those with the word: most of them have every
        word, and are in the first tier), and the window keeps its bm25 order."""
        weight = dict.fromkeys(ids, 0.0)
        most = 2 * cap
        for expr, idf in compiled.coordination:
            found = self.conn.execute(
                "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? AND rowid >= ? LIMIT ?",
                (expr, floor, most + 1)).fetchall()
            if len(found) > most:
                return {}
            for (paper_id,) in found:
                if paper_id in weight:
                    weight[paper_id] += idf
        return weight

    def ranked(self, compiled: Compiled, limit: int | None, offset: int) -> Page:
        """Relevance order: the newest matches by bm25, then the older ones in list
        order. Returns ids, scores and the total if it is known."""
        if compiled.coordination:
            return self._coordinated(compiled, limit, offset)
        cap = self.rank_cap(compiled)
        # A library with more papers than the window: a page inside it is ranked
        # without counting first. A smaller one counts (it costs little there),
        # so its status line says exactly how many papers have all the words.
        if limit is not None and offset + limit <= cap < self.papers:
            return self._page(compiled, cap, limit, offset)
        found, floor, known = self._window(compiled)
        if not found:
            return [], [], 0
        source = self.source(compiled)
        ids: list[int] = []
        scores: list[float] = []
        if known is None or offset < known:
            if known is None:
                take = -1 if limit is None else limit
            else:
                take = known - offset if limit is None else min(limit, known - offset)
            for paper_id, score in self.conn.execute(
                    source.select(f"papers_fts.rowid, {BM25} AS score",
                                  "AND papers_fts.rowid >= ? "
                                  "ORDER BY score, papers_fts.rowid DESC LIMIT ? OFFSET ?"),
                    [*source.params, floor, take, offset]):
                ids.append(paper_id)
                scores.append(-score)
        if known is None or known < self.rank_cap(compiled):
            return ids, scores, known  # every match was ranked
        wanted = None if limit is None else limit - len(ids)
        if wanted is not None and wanted <= 0:
            return ids, scores, None
        tail = self._older(compiled, floor, wanted, max(0, offset - found))
        ids.extend(tail)
        scores.extend(0.0 for _ in tail)
        return ids, scores, found + len(tail) if limit is None else None

    def _older(self, compiled: Compiled, floor: int, wanted: int | None, skip: int
               ) -> list[int]:
        """The matches older than the ranked window, in list order."""
        if wanted is None:
            # Every older match: fetch them from the index, then put them in list order.
            source = self.source(compiled)
            rows = self.conn.execute(
                source.select("papers_fts.rowid", "AND papers_fts.rowid < ?"),
                [*source.params, floor])
            return self.order.ordered({r[0] for r in rows})[skip:]
        clauses = ["p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? "
                   "AND rowid < ?)"]
        params = [compiled.fts, floor]
        if compiled.has_where:
            clauses.append(f"({compiled.where})")
            params.extend(compiled.params)
        return self.order.in_list_order(clauses, params, wanted, skip)

    def tier(self, compiled: Compiled, limit: int | None, offset: int) -> Page:
        """One tier's page and its size, counting it only when the page left it
        unknown and a later tier needs to know where it ends."""
        ids, scores, total = self.ranked(compiled, limit, offset)
        if total is None and (limit is None or len(ids) < limit) and (ids or offset == 0):
            total = offset + len(ids)  # the page ran out before the limit: the end
        return ids, scores, total
