"""Provisional search engine: the contract the Library relies on.

Replaced by the query-language engine (issue 4); keep the public names.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    score: float
    title_spans: tuple[tuple[int, int], ...] = ()
    abstract_spans: tuple[tuple[int, int], ...] = ()


@dataclass(slots=True)
class SearchResult:
    query: str
    ids: list[int]
    hits: list[Hit] = field(default_factory=list)
    corrections: list[tuple[str, str]] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)


class SearchEngine:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def invalidate(self) -> None:
        pass

    def _where(self, query: str) -> tuple[str, list[object]]:
        words = query.split()
        if not words:
            return "1", []
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        return "id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)", [match]

    def search(self, query: str, *, limit: int | None = 50, offset: int = 0,
               sort: str | None = None) -> SearchResult:
        where, params = self._where(query)
        sql = f"SELECT id FROM papers WHERE {where} ORDER BY first_source_id DESC, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        ids = [r[0] for r in self.conn.execute(sql, params)]
        return SearchResult(query=query, ids=ids, hits=[Hit(i, 0.0) for i in ids])

    def count(self, query: str) -> int:
        where, params = self._where(query)
        return self.conn.execute(f"SELECT count(*) FROM papers WHERE {where}", params).fetchone()[0]

    def fuzzy_titles(self, text: str, limit: int = 20) -> list[tuple[int, str, float]]:
        return []

    def explain(self, query: str) -> str:
        return repr(self._where(query))
