"""Taking papers out of a library so that they can be put back: `winnow delete`
and "undo this import", and the undo of both.

A removed paper is kept whole in `trash` (its row and every row of every table
that refers to it by a foreign key: tags, highlights, sources, abstract and summary
history, and whatever a later schema adds), under the events batch that removed it. Undo
puts the rows back with the same ids; ids are never reused, so nothing else can
have taken them meanwhile.

Functions here take a connection inside a write transaction the Library opened.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from storage.schema import DERIVED_TABLES, FTS_COLUMNS, LISTING_TABLES

# Listing facts an import may change in a paper it did not bring (the journal's
# columns); user data is never among them.
LISTING_FACTS = (
    "title", "abstract", "authors_count", "organization", "published", "published_raw",
    "year_inferred", "upvotes", "arxiv_id", "url", "comments", "authors", "submitted_by",
    "ai_summary", "ai_keywords", "github_repo", "github_stars", "project_page", "date_source",
)


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[tuple[list[int], str]]:
    for start in range(0, len(ids), size):
        chunk = [int(i) for i in ids[start:start + size]]
        yield chunk, ",".join("?" * len(chunk))


def paper_tables(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, column) of every table whose foreign key points at papers(id): a
    paper's rows in them go (to the trash, or away) with the paper, whoever added
    the table."""
    found = []
    for (table,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name").fetchall():
        for row in conn.execute(f'PRAGMA foreign_key_list("{table}")'):
            if row[2] == "papers" and table != "papers" and row[4] in (None, "id"):
                found.append((table, row[3]))
    return found


def user_tables(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """The `paper_tables` that hold what the user did (tags, highlights, and what a
    later schema adds): all but the listing and derived ones (storage/schema.py)."""
    return [(table, column) for table, column in paper_tables(conn)
            if table not in LISTING_TABLES and table not in DERIVED_TABLES]


def acted_on(conn: sqlite3.Connection, ids: Iterable[int], *,
             undone_too: bool = False) -> set[int]:
    """The papers among `ids` that carry anything the user did: a read mark, a star,
    a note, a row in any user table (tags, highlights...), or an action in the undo
    log (a triage state, say). `undone_too` counts undone actions as well: redo
    could still bring them back onto the paper."""
    ids = sorted({int(i) for i in ids})
    marks = ["read_at IS NOT NULL", "starred != 0", "coalesce(note, '') != ''"]
    marks += [f'EXISTS (SELECT 1 FROM "{table}" u WHERE u."{column}" = papers.id)'
              for table, column in user_tables(conn)]
    result: set[int] = set()
    for chunk, qs in _chunks(ids):
        result.update(row[0] for row in conn.execute(
            f"SELECT id FROM papers WHERE id IN ({qs}) AND ({' OR '.join(marks)})", chunk))
    remaining = set(ids) - result
    if remaining:
        # The log has no index on paper_id: one pass over its tail, not one per paper.
        undone = "" if undone_too else " AND undone = 0"
        result.update(row[0] for row in conn.execute(
            f"SELECT DISTINCT paper_id FROM events WHERE paper_id >= ?{undone}",
            (min(remaining),)) if row[0] in remaining)
    return result


def _rows(conn: sqlite3.Connection, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def trash_papers(conn: sqlite3.Connection, ids: Sequence[int], *, batch: int,
                 now: str) -> list[int]:
    """Move papers whole into `trash` under `batch`; returns the ids removed."""
    children = paper_tables(conn)
    removed: list[int] = []
    for chunk, marks in _chunks(ids):
        papers = _rows(conn, f"SELECT * FROM papers WHERE id IN ({marks})", chunk)
        related: dict[int, dict[str, list[dict[str, Any]]]] = {p["id"]: {} for p in papers}
        for table, column in children:
            if table in DERIVED_TABLES:
                continue
            for row in _rows(conn, f'SELECT * FROM "{table}" WHERE "{column}" IN ({marks})',
                             chunk):
                related[row[column]].setdefault(table, []).append(row)
        conn.executemany(
            "INSERT INTO trash (batch, paper_id, data, deleted_at) VALUES (?, ?, ?, ?)",
            [(batch, p["id"], json.dumps({"paper": p, "related": related[p["id"]]}), now)
             for p in papers])
        for table, column in children:
            conn.execute(f'DELETE FROM "{table}" WHERE "{column}" IN ({marks})', chunk)
        conn.execute(f"DELETE FROM papers WHERE id IN ({marks})", chunk)
        removed.extend(p["id"] for p in papers)
    return removed


def _insert_rows(conn: sqlite3.Connection, table: str, rows: Sequence[dict[str, Any]],
                 columns: dict[str, set[str]]) -> None:
    """Insert saved rows, one statement per set of columns: the columns a row was
    saved with that the table still has (a later schema may have dropped one)."""
    if table not in columns:
        columns[table] = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
    known = columns[table]
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        names = tuple(k for k in row if k in known)
        groups.setdefault(names, []).append(tuple(row[k] for k in names))
    for names, values in groups.items():
        quoted = ", ".join(f'"{k}"' for k in names)
        marks = ", ".join("?" * len(names))
        conn.executemany(f'INSERT OR IGNORE INTO "{table}" ({quoted}) VALUES ({marks})',
                         values)


def purge_trash(conn: sqlite3.Connection, batches: Sequence[int]) -> None:
    """Drop what `batches` left in the trash: batches no undo or redo can reach any
    more. Undoing a batch empties its trash, except for a paper whose id was taken
    again meanwhile (`restore_trash` skips it); once a new action puts the undone
    batch out of redo's reach, nothing reads those rows again."""
    if batches:
        conn.execute("DELETE FROM trash WHERE batch IN (SELECT value FROM json_each(?))",
                     (json.dumps(list(batches)),))


def restore_trash(conn: sqlite3.Connection, batch: int, paper_id: int | None = None
                  ) -> tuple[list[int], list[int]]:
    """Put back the papers `batch` removed (only `paper_id`, if given). Returns
    (restored, skipped): a paper whose id is taken again is skipped and stays in the
    trash (only a library that reused ids could get there)."""
    sql, args = "SELECT id, paper_id, data FROM trash WHERE batch = ?", [batch]
    if paper_id is not None:
        sql, args = sql + " AND paper_id = ?", [batch, paper_id]
    return restore_rows(conn, conn.execute(sql + " ORDER BY id", args).fetchall())


def trash_rows(conn: sqlite3.Connection, batch: int, *, after: int = 0,
               limit: int = -1) -> list[tuple[int, int, str]]:
    """(trash id, paper id, saved data) of `batch`'s trash past trash id `after`,
    oldest first, at most `limit` (-1: all): one step of a batched put-back."""
    return conn.execute("SELECT id, paper_id, data FROM trash WHERE batch = ? AND id > ? "
                        "ORDER BY id LIMIT ?", (batch, after, limit)).fetchall()


def restore_rows(conn: sqlite3.Connection, rows: Sequence[tuple[int, int, str]]
                 ) -> tuple[list[int], list[int]]:
    """Put back the trash `rows` (from `trash_rows`); (restored, skipped) as
    `restore_trash`.

    Each table's rows go in with one statement per chunk: row by row, putting back
    30,000 papers took 29 s (bench/README, "Taking an import back"), most of it
    SQLite's per-statement work."""
    columns: dict[str, set[str]] = {}
    restored: list[int] = []
    skipped: list[int] = []
    fts = ", ".join(FTS_COLUMNS)
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        marks = ",".join("?" * len(chunk))
        taken = {row[0] for row in conn.execute(
            f"SELECT id FROM papers WHERE id IN ({marks})", [r[1] for r in chunk])}
        saved = []
        for trash_id, trashed_id, data in chunk:
            if trashed_id in taken:
                skipped.append(trashed_id)
            else:
                saved.append((trash_id, trashed_id, json.loads(data)))
        if not saved:
            continue
        _insert_rows(conn, "papers", [s["paper"] for _, _, s in saved], columns)
        # Imports and deletes keep the index by hand; the rows must be in it before
        # the annotation triggers update their annotation text.
        conn.executemany(
            f"INSERT INTO papers_fts (rowid, {fts}) VALUES (?, "
            f"{', '.join('?' * len(FTS_COLUMNS))})",
            [(trashed_id, *(s["paper"].get(c) or "" for c in FTS_COLUMNS))
             for _, trashed_id, s in saved])
        related: dict[str, list[dict[str, Any]]] = {}
        for _, _, s in saved:
            for table, table_rows in s["related"].items():
                related.setdefault(table, []).extend(table_rows)
        for table, table_rows in related.items():
            _insert_rows(conn, table, table_rows, columns)
        conn.executemany("DELETE FROM trash WHERE id = ?", [(t,) for t, _, _ in saved])
        restored.extend(trashed_id for _, trashed_id, _ in saved)
    return restored, skipped


@dataclass(slots=True)
class ImportUndo:
    """What undoing one import did (or would do), for the message and for redo."""

    source_id: int
    name: str
    removed: list[int] = field(default_factory=list)
    kept_acted_on: list[int] = field(default_factory=list)
    kept_elsewhere: list[int] = field(default_factory=list)
    reverted: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # changed again by a later import
    cancelled: bool = False  # stopped by the user: everything put back as it was

    def to_json(self) -> dict[str, Any]:
        return {"source_id": self.source_id, "name": self.name,
                "removed": len(self.removed), "kept_acted_on": self.kept_acted_on,
                "kept_in_other_imports": len(self.kept_elsewhere),
                "reverted": len(self.reverted), "left_changed": self.skipped}


# Re-anchors a paper's highlights after its abstract (given, or None: as stored) or its
# AI summary changed.
Reanchor = Callable[[int, "str | None"], None]


def _set_facts(conn: sqlite3.Connection, paper_id: int, facts: dict[str, Any],
               *, now: str, source_id: int, reanchor: Reanchor) -> None:
    """Write listing facts into a paper; a replaced abstract or AI summary goes to
    its history."""
    if not facts:
        return
    if "abstract" in facts:
        conn.execute(
            "INSERT INTO abstract_history (paper_id, abstract, replaced_at, source_id) "
            "SELECT id, abstract, ?, ? FROM papers WHERE id = ? AND abstract != ''",
            (now, source_id, paper_id))
    if "ai_summary" in facts:
        conn.execute(
            "INSERT INTO summary_history (paper_id, ai_summary, replaced_at, source_id) "
            "SELECT id, ai_summary, ?, ? FROM papers WHERE id = ? AND ai_summary != '' "
            "AND ai_summary IS NOT ?", (now, source_id, paper_id, facts["ai_summary"]))
    assignments = ", ".join(f'"{column}" = ?' for column in facts)
    conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?", (*facts.values(), paper_id))
    if "abstract" in facts or "ai_summary" in facts:
        reanchor(paper_id, facts.get("abstract"))


def _current(conn: sqlite3.Connection, paper_id: int, columns: Iterable[str]
             ) -> dict[str, Any] | None:
    names = list(columns)
    row = conn.execute(f"SELECT {', '.join(names)} FROM papers WHERE id = ?",
                       (paper_id,)).fetchone()
    return None if row is None else dict(zip(names, row, strict=True))


def plan_import_undo(conn: sqlite3.Connection, source_id: int) -> dict[str, Any]:
    """What taking one finished import back will remove and keep; writes nothing.

    Papers only this import brought go to the trash, except those the user acted on
    (kept, and reported). Papers another import also listed stay, credited to the
    oldest other import (`finish_import_undo`). LookupError if the import cannot be
    taken back.
    """
    row = conn.execute("SELECT name, status FROM sources WHERE id = ?",
                       (source_id,)).fetchone()
    if row is None:
        raise LookupError(f"no import with id {source_id}")
    name, status = row
    if status == "undone":
        raise LookupError(f"import {source_id} ({name}) is already undone")
    if status not in ("complete", "interrupted"):
        raise LookupError(f"import {source_id} ({name}) has not finished")
    brought = [r[0] for r in conn.execute(
        "SELECT id FROM papers WHERE first_source_id = ? ORDER BY id", (source_id,))]
    elsewhere = set(_listed_elsewhere(conn, source_id, brought))
    alone = [i for i in brought if i not in elsewhere]
    acted = acted_on(conn, alone)
    return {"source": source_id, "name": name, "remove": [i for i in alone if i not in acted],
            "kept_acted_on": sorted(acted), "kept_elsewhere": sorted(elsewhere),
            "status": status}


def trash_unacted(conn: sqlite3.Connection, ids: Sequence[int], *, batch: int,
                  now: str) -> tuple[list[int], list[int]]:
    """Trash `ids` but those the user acted on since they were planned for removal
    (a step of a take-back that commits between steps: the user may star a paper
    meanwhile). Returns (removed, kept)."""
    kept = sorted(acted_on(conn, ids))
    keep = set(kept)
    return trash_papers(conn, [i for i in ids if i not in keep], batch=batch, now=now), kept


def finish_import_undo(conn: sqlite3.Connection, plan: dict[str, Any], *, batch: int,
                       now: str, reanchor: Reanchor, late_kept: Sequence[int] = ()
                       ) -> tuple[ImportUndo, dict[str, Any]]:
    """The last step of taking an import back, after its papers went to the trash
    under `batch`: credit the papers other imports list to them, put back the
    listing facts it changed where they still hold its value (a later import's or
    the user's change wins), drop its links, mark it undone. Returns what was done
    and the state redo needs."""
    source_id = plan["source"]
    result = ImportUndo(source_id, plan["name"])
    result.kept_elsewhere = list(plan["kept_elsewhere"])
    result.kept_acted_on = sorted({*plan["kept_acted_on"], *late_kept})
    brought = [r[0] for r in conn.execute(
        "SELECT id FROM papers WHERE first_source_id = ? ORDER BY id", (source_id,))]
    first_source = _credit_elsewhere(conn, source_id, brought)
    # An import a crash cut short had what it changed put back by the recovery.
    status = plan.get("status", "complete")
    reverted = {} if status == "interrupted" else \
        _revert_changes(conn, source_id, result, now=now, reanchor=reanchor)
    result.removed = [r[0] for r in conn.execute(
        "SELECT paper_id FROM trash WHERE batch = ? ORDER BY paper_id", (batch,))]
    links = [list(r) for r in conn.execute(
        "SELECT paper_id, position FROM paper_sources WHERE source_id = ?", (source_id,))]
    conn.execute("DELETE FROM paper_sources WHERE source_id = ?", (source_id,))
    conn.execute("UPDATE sources SET status = 'undone', undone_at = ? WHERE id = ?",
                 (now, source_id))
    state = {"source": source_id, "batch": batch, "links": links,
             "first_source": first_source, "reverted": reverted, "status": status}
    return result, state


def undo_import(conn: sqlite3.Connection, source_id: int, *, batch: int, now: str,
                reanchor: Reanchor) -> tuple[ImportUndo, dict[str, Any]]:
    """Take one finished import back in one transaction (see `plan_import_undo`).
    Returns what was done and the state redo needs."""
    plan = plan_import_undo(conn, source_id)
    trash_papers(conn, plan["remove"], batch=batch, now=now)
    return finish_import_undo(conn, plan, batch=batch, now=now, reanchor=reanchor)


def _listed_elsewhere(conn: sqlite3.Connection, source_id: int, brought: Sequence[int]
                      ) -> dict[int, int]:
    """{paper: oldest other finished import listing it} for papers `source_id` brought."""
    found: dict[int, int] = {}
    for chunk, marks in _chunks(brought):
        found.update(conn.execute(
            f"SELECT ps.paper_id, min(ps.source_id) FROM paper_sources ps "
            f"JOIN sources s ON s.id = ps.source_id WHERE ps.paper_id IN ({marks}) "
            f"AND ps.source_id != ? AND s.status = 'complete' GROUP BY ps.paper_id",
            (*chunk, source_id)).fetchall())
    return found


def _credit_elsewhere(conn: sqlite3.Connection, source_id: int, brought: Sequence[int]
                      ) -> list[list[int]]:
    """[paper, oldest other import] for the papers `source_id` brought that another
    finished import lists too; each such paper is credited to that import now."""
    first_source = [[paper_id, other] for paper_id, other in
                    _listed_elsewhere(conn, source_id, brought).items()]
    conn.executemany("UPDATE papers SET first_source_id = ? WHERE id = ?",
                     [(other, paper_id) for paper_id, other in first_source])
    return first_source


def _revert_changes(conn: sqlite3.Connection, source_id: int, result: ImportUndo, *,
                    now: str, reanchor: Reanchor) -> dict[str, dict[str, list[Any]]]:
    """Put back the listing facts `source_id` changed where they still hold its
    value; returns {paper id: {column: [before, after]}} of what was put back."""
    reverted: dict[str, dict[str, list[Any]]] = {}
    for paper_id, before_json, after_json in conn.execute(
            "SELECT paper_id, before, after FROM import_changes WHERE source_id = ? "
            "ORDER BY paper_id", (source_id,)).fetchall():
        before, after = json.loads(before_json), json.loads(after_json)
        current = _current(conn, paper_id, after)
        if current is None:
            continue  # deleted since
        back = {c: before[c] for c in after if current[c] == after[c] and before[c] != after[c]}
        if len(back) < len(after):
            result.skipped.append(paper_id)
        if back:
            _set_facts(conn, paper_id, back, now=now, source_id=source_id, reanchor=reanchor)
            reverted[str(paper_id)] = {c: [before[c], after[c]] for c in back}
            result.reverted.append(paper_id)
    return reverted


def redo_import(conn: sqlite3.Connection, state: dict[str, Any], *, now: str,
                reanchor: Reanchor) -> list[int]:
    """Put an undone import back as it was, in one transaction: the undo of "undo
    this import". Returns the ids of the papers it touched."""
    restored, _ = restore_trash(conn, state["batch"])
    return [*restored, *finish_import_redo(conn, state, now=now, reanchor=reanchor)]


def finish_import_redo(conn: sqlite3.Connection, state: dict[str, Any], *, now: str,
                       reanchor: Reanchor) -> list[int]:
    """The last step of putting an undone import back, after its papers came back
    from the trash: its links, its credits, the listing facts it had changed (where
    they still hold what the undo put back), its status. Returns the ids of the
    papers whose facts it set again."""
    source_id = state["source"]
    conn.executemany("INSERT OR IGNORE INTO paper_sources (paper_id, source_id, position) "
                     "SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM papers WHERE id = ?)",
                     [(p, source_id, pos, p) for p, pos in state["links"]])
    conn.executemany("UPDATE papers SET first_source_id = ? WHERE id = ?",
                     [(source_id, p) for p, _ in state["first_source"]])
    touched = []
    for key, fields in state["reverted"].items():
        paper_id = int(key)
        current = _current(conn, paper_id, fields)
        if current is None:
            continue
        again = {c: after for c, (before, after) in fields.items() if current[c] == before}
        _set_facts(conn, paper_id, again, now=now, source_id=source_id, reanchor=reanchor)
        touched.append(paper_id)
    conn.execute("UPDATE sources SET status = ?, undone_at = NULL WHERE id = ?",
                 (state.get("status", "complete"), source_id))
    return touched
