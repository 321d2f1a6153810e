"""List order: newest import first, then each import's papers in listing order.
What the paper list shows for an empty query, what a sorted search uses, and
where a relevance search puts the older matches it does not rank."""

from __future__ import annotations

import sqlite3
from array import array
from typing import TYPE_CHECKING

from storage.query import DEFAULT_ORDER, ORDER_BY, Compiled

if TYPE_CHECKING:
    from storage.search.ranking import Source


class ListOrder:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.reset()

    def reset(self) -> None:
        self._covered: bool | None = None
        self._order: array[int] | None = None

    def _sources_cover_all(self) -> bool:
        """Does every paper name the import that brought it in? Then list order can
        walk imports newest first and each import's papers by id, with no sort."""
        if self._covered is None:
            self._covered = self.conn.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM papers WHERE first_source_id IS NULL)"
            ).fetchone()[0] == 1
        return self._covered

    def in_list_order(self, clauses: list[str], params: list[object], limit: int | None,
                      offset: int) -> list[int]:
        """Ids passing `clauses` (over `papers p`), newest import first and listing
        order within it. `ORDER BY first_source_id DESC, id` sorts every match
        (70 ms for 80k at 100k papers: one import is one big group); the nested
        loop below delivers rows already in that order and stops at the limit."""
        if self._sources_cover_all():
            sql = "SELECT p.id FROM sources s CROSS JOIN papers p ON p.first_source_id = s.id"
            order = "s.id DESC, p.id ASC"
        else:
            sql, order = "SELECT p.id FROM papers p", DEFAULT_ORDER
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += f" ORDER BY {order}"
        params = list(params)
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params.extend([-1 if limit is None else limit, offset])
        return [r[0] for r in self.conn.execute(sql, params)]

    def every_id(self) -> array[int]:
        """Every id in list order, kept between searches: what the paper list shows
        for an empty query, and the order any large result is put in."""
        if self._order is None:
            self._order = array("q", self.in_list_order([], [], None, 0))
        return self._order

    def ordered(self, wanted: set[int]) -> list[int]:
        """`wanted` in list order. A large set is picked out of the cached order
        (one pass, ~60 ms at 1M papers, where sorting 400k joined rows took ~1 s);
        a small one is sorted on its own import and id."""
        if not wanted:
            return []
        order = self.every_id()
        if len(wanted) * 32 >= len(order):
            return [i for i in order if i in wanted]
        keyed: list[tuple[int, int]] = []
        chosen = list(wanted)
        for start in range(0, len(chosen), 500):
            chunk = chosen[start:start + 500]
            marks = ",".join("?" * len(chunk))
            keyed.extend(self.conn.execute(
                f"SELECT id, first_source_id FROM papers WHERE id IN ({marks})", chunk))
        # first_source_id DESC (a missing one last), then id.
        keyed.sort(key=lambda row: (row[1] is None, -(row[1] or 0), row[0]))
        return [paper_id for paper_id, _source in keyed]

    def listed(self, compiled: Compiled, limit: int | None, offset: int,
               matches: Source | None = None) -> list[int]:
        """A search that is not ranked: its matches in the sort it asks for.
        `matches`: the text's matches that pass the filters, found through the
        index driven by a small filter (Ranker.driven); they are few, so they are
        found first and sorted, where SQLite would list every match of the text
        (436k for `language` at 1M papers) and walk the sort's index testing each
        row: `is:starred language sort:date` 674 -> 68 ms."""
        order = ORDER_BY[compiled.sort]
        params: list[object] = []
        clauses = []
        if matches is not None and order != DEFAULT_ORDER:
            clauses.append(f"p.id IN ({matches.select('papers_fts.rowid')})")
            params.extend(matches.params)
        else:
            if compiled.fts is not None:
                clauses.append(
                    "p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
                params.append(compiled.fts)
            if compiled.has_where:
                clauses.append(f"({compiled.where})")
                params.extend(compiled.params)
        if order == DEFAULT_ORDER and limit is None:
            if not clauses:
                return list(self.every_id())[offset:]
            rows = self.conn.execute("SELECT p.id FROM papers p WHERE " + " AND ".join(clauses),
                                     params)
            return self.ordered({r[0] for r in rows})[offset:]
        if order == DEFAULT_ORDER:
            return self.in_list_order(clauses, params, limit, offset)
        sql = "SELECT p.id FROM papers p"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += f" ORDER BY {order}"
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params.extend([-1 if limit is None else limit, offset])
        return [r[0] for r in self.conn.execute(sql, params)]
