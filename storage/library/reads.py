"""Reading the library: papers, list rows, search, counts."""

from __future__ import annotations

import json
from collections.abc import Sequence

from storage import states
from storage.library.annotations import _ANNOTATION_COLUMNS, _annotation
from storage.library.core import Core, guarded
from storage.library.tags import tags_of
from storage.models import Annotation, Paper, PaperRow, SourceRef, byline
from storage.schema import CARD_COLUMNS
from storage.search import SearchEngine, SearchResult

_CARD_COLUMNS = tuple(column for column, _ in CARD_COLUMNS)


def _json_tuple(text: str | None) -> tuple[str, ...]:
    """A JSON list column (authors, keywords) as a tuple; damage reads as empty."""
    if not text:
        return ()
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


class Reads:
    """Reads of one library. Owns the search engine and its caches."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.conn = core.conn
        self.engine = SearchEngine(core.conn)

    @guarded
    def get(self, paper_id: int) -> Paper | None:
        papers = self.get_many([paper_id])
        return papers[0] if papers else None

    @guarded
    def get_many(self, ids: Sequence[int]) -> list[Paper]:
        """Full papers (abstracts, tags, annotations, sources) in the order of `ids`."""
        if not ids:
            return []
        conn = self.conn
        found: dict[int, Paper] = {}
        for start in range(0, len(ids), 500):
            chunk = [int(i) for i in ids[start:start + 500]]
            marks = ",".join("?" * len(chunk))
            tags = tags_of(conn, chunk, marks)
            annotations: dict[int, list[Annotation]] = {}
            for row in conn.execute(
                    f"SELECT {_ANNOTATION_COLUMNS} FROM annotations "
                    f"WHERE paper_id IN ({marks}) ORDER BY field, start, id", chunk):
                annotations.setdefault(row[1], []).append(_annotation(row))
            sources: dict[int, list[SourceRef]] = {}
            for paper_id, *fields in conn.execute(
                    f"SELECT ps.paper_id, s.path, s.name, s.listing_date, ps.position, "
                    f"s.imported_at FROM paper_sources ps JOIN sources s "
                    f"ON s.id = ps.source_id WHERE ps.paper_id IN ({marks}) "
                    f"ORDER BY s.listing_date, s.id", chunk):
                sources.setdefault(paper_id, []).append(SourceRef(*fields))
            for row in conn.execute(
                    f"SELECT id, title, abstract, authors_count, organization, published, "
                    f"published_raw, year_inferred, upvotes, added_at, read_at, starred, "
                    f"note, state, snooze_until, {', '.join(_CARD_COLUMNS)} FROM papers "
                    f"WHERE id IN ({marks})", chunk):
                paper_id = row[0]
                card = dict(zip(_CARD_COLUMNS, row[15:], strict=True))
                for column in ("authors", "ai_keywords"):
                    card[column] = _json_tuple(card[column])
                found[paper_id] = Paper(
                    id=paper_id, title=row[1], abstract=row[2], authors_count=row[3],
                    organization=row[4], published=row[5], published_raw=row[6],
                    year_inferred=bool(row[7]), upvotes=row[8], added_at=row[9],
                    read_at=row[10], starred=bool(row[11]), note=row[12], state=row[13],
                    snooze_until=row[14],
                    tags=tuple(tags.get(paper_id, ())),
                    annotations=tuple(annotations.get(paper_id, ())),
                    sources=tuple(sources.get(paper_id, ())),
                    **card,
                )
        return [found[i] for i in ids if i in found]

    @guarded
    def rows(self, ids: Sequence[int]) -> dict[int, PaperRow]:
        """List rows for `ids` without their abstracts: what the paper table shows."""
        conn = self.conn
        result: dict[int, PaperRow] = {}
        for start in range(0, len(ids), 500):
            chunk = [int(i) for i in ids[start:start + 500]]
            marks = ",".join("?" * len(chunk))
            tags = tags_of(conn, chunk, marks)
            for row in conn.execute(
                    f"SELECT id, title, read_at IS NOT NULL, starred, published, upvotes, "
                    f"organization, authors_count, annotation_text != '' OR EXISTS "
                    f"(SELECT 1 FROM annotations a WHERE a.paper_id = papers.id), "
                    f"note != '', state, (SELECT MIN(s.listing_date) FROM paper_sources ps "
                    f"JOIN sources s ON s.id = ps.source_id WHERE ps.paper_id = papers.id) "
                    f"FROM papers WHERE id IN ({marks})", chunk):
                result[row[0]] = PaperRow(
                    id=row[0], title=row[1], read=bool(row[2]), starred=bool(row[3]),
                    tags=tuple(tags.get(row[0], ())), published=row[4], upvotes=row[5],
                    byline=byline(row[6], row[7]), annotated=bool(row[8]), has_note=bool(row[9]),
                    state=row[10], listed=row[11],
                )
        return result

    @guarded
    def search(self, query: str = "", *, limit: int | None = 50, offset: int = 0,
               sort: str | None = None, typing: bool = False) -> SearchResult:
        """Papers matching `query` (the query language in the README), best first:
        those with every word, then those with some of them.

        `limit=None` returns every matching id (what the paper list holds).
        `typing=True` is the app's live search: a last word with no space after
        it also matches as a prefix. Everywhere else words are whole words.
        """
        return self.engine.search(query, limit=limit, offset=offset, sort=sort, typing=typing)

    @guarded
    def count(self, query: str = "", *, typing: bool = False, sort: str | None = None) -> int:
        """How many papers `search` lists for the same query, typing and sort."""
        return self.engine.count(query, typing=typing, sort=sort)

    @guarded
    def fuzzy_titles(self, text: str, limit: int = 20) -> list[tuple[int, str, float]]:
        """(id, title, score) of the titles nearest to `text`, for go-to-paper."""
        return self.engine.fuzzy_titles(text, limit)

    @guarded
    def explain(self, query: str, *, typing: bool = False) -> str:
        return self.engine.explain(query, typing=typing)

    @guarded
    def stats(self) -> dict[str, int]:
        """Counts for the sidebar and status bar: "total", one per state of the state
        table by its name ("inbox", "later", "done"...), one per flag ("starred"),
        "with_note", "annotated", and "read"/"unread" (done / not done, what
        `is:read` and `is:unread` find). Each is answered from an index or the
        per-state counts table, never by reading rows: at 1M papers a scan of the
        table costs seconds."""
        one = self.conn.execute
        counts = {"total": one("SELECT count(*) FROM papers").fetchone()[0]}
        # Kept by triggers (schema 9): a GROUP BY walks the whole state index.
        by_state = dict(one("SELECT state, papers FROM state_counts").fetchall())
        table = states.table()
        for state in table.states:
            counts[state.name] = by_state.get(state.name, 0)
        states.note_stored(self._core, {name for name, n in by_state.items() if n})
        for flag in table.flags:
            counts[flag.name] = one(
                f"SELECT count(*) FROM papers WHERE {flag.column}").fetchone()[0]
        counts["read"] = by_state.get("done", 0)
        counts["unread"] = counts["total"] - counts["read"]
        counts["with_note"] = one("SELECT count(*) FROM papers WHERE note != ''").fetchone()[0]
        counts["annotated"] = one(
            "SELECT count(DISTINCT paper_id) FROM annotations").fetchone()[0]
        return counts

    @guarded
    def unknown_states(self) -> dict[str, int]:
        """Papers per stored state that the state table does not define (a state
        removed from or renamed in states.json). Nothing rewrites such a state: the
        app shows each as a view of its own and `is:NAME` finds its papers."""
        by_state = dict(self.note_stored())
        table = states.table()
        return {name: n for name, n in sorted(by_state.items()) if table.get(name) is None}

    def note_stored(self) -> list[tuple[str, int]]:
        """The states this library holds papers in, told to storage/states.py (a
        look at the per-state counts table: a few rows); (state, papers) pairs."""
        held = self.conn.execute(
            "SELECT state, papers FROM state_counts WHERE papers > 0").fetchall()
        states.note_stored(self._core, {name for name, _n in held})
        return held

    @guarded
    def import_in_progress(self) -> bool:
        """Whether an import (in any process) has committed some batches but not its
        last: views wait for it, so a file shows up whole or not at all."""
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM sources WHERE status = 'importing')").fetchone()[0] == 1

    @guarded
    def has_unread(self) -> bool:
        """Whether any paper is not done (`is:unread`): cheaper than counting them."""
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM papers WHERE state != 'done')").fetchone()[0] == 1

    @guarded
    def has_state(self, state: str) -> bool:
        """Whether any paper is in `state` (the Inbox caught up: not inbox)."""
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM papers WHERE state = ?)", (state,)).fetchone()[0] == 1

    @guarded
    def is_empty(self) -> bool:
        return self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM papers)").fetchone()[0] == 1
