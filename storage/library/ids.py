"""Ids are never handed out twice.

An undo log entry, an annotation's undo and a trashed paper name their row by
id; a new row given a dead row's id would receive what was meant for the old
one (issue 13: once new papers reused the ids of papers an interrupted import
took back, undo and redo re-applied a lost note and star to unrelated papers).
Schema 4 keeps the highest id each table has ever used in `id_high_water` (a
delete trigger raises it), and every insert that picks an id starts above it.
"""

from __future__ import annotations

import sqlite3

__all__ = ["next_id"]


def next_id(conn: sqlite3.Connection, table: str) -> int:
    """The id the next new row of `table` ("papers", "annotations") gets."""
    if table not in ("papers", "annotations"):
        raise ValueError(f"no high-water mark is kept for {table!r}")
    row = conn.execute(
        f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "
        f"coalesce((SELECT id FROM id_high_water WHERE name = ?), 0)) + 1", (table,)
    ).fetchone()
    return int(row[0])
