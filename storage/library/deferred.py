"""Indexes of `papers` that an import into an empty library builds once, after its load.

A B-tree index fed one row at a time pays a random insert per paper where the keys
arrive out of order (title keys, dates): at 100k papers papers_key cost 0.71 s of
CPU and papers_published 0.42 s, where CREATE INDEX over the loaded table, one
sort, costs 0.1-0.2 s each (bench/README, "Import at 100k", session 5). An index
whose keys arrive in order (ids, added_at of one import) gains nothing: the
rebuild's full scan of the table costs what the inserts did.

The record of what is missing is durable: the import drops the indexes and writes
their SQL to `meta` in the same transaction, so a kill before the first commit
takes both back, and after it the next open finds the record and builds them
(`repair`), unless the import that dropped them is still running (it holds its
`ImportLock`, and builds them itself when it ends). Until then every query is
still right, only slower where it would have used one of them (the date sort, the
title jump's prefix scan). The import itself asks no question the missing indexes
would answer: it builds papers_key first as soon as it must look a title up
(storage/identity.py, OwnPapers), and all of them at once when anyone else writes.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import suppress
from pathlib import Path

from storage.library.importlock import ImportLock

# The indexes a bulk import into an empty library builds after its load, in the
# order they are built (papers_key first: the import's own look-ups need it).
DEFERRED = ("papers_key", "papers_published")
RECORD = "deferred_indexes"  # the meta key of the record
_IF_NOT_EXISTS = re.compile(r"^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+)(?!IF\s+NOT\s+EXISTS\b)",
                            re.IGNORECASE)


def defer(conn: sqlite3.Connection, source_id: int) -> bool:
    """Inside the import's first transaction, into an empty library: drop DEFERRED
    and record them. False (nothing dropped) if a record is already there: those
    indexes are someone else's to build."""
    if conn.execute("SELECT 1 FROM meta WHERE key = ?", (RECORD,)).fetchone() is not None:
        return False
    marks = ", ".join("?" * len(DEFERRED))
    found = dict(conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'papers' "
        f"AND sql IS NOT NULL AND name IN ({marks})", DEFERRED).fetchall())
    indexes = {name: found[name] for name in DEFERRED if name in found}
    if not indexes:
        return False
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)",
                 (RECORD, json.dumps({"source_id": source_id, "indexes": indexes})))
    for name in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return True


def pending(conn: sqlite3.Connection) -> tuple[int | None, dict[str, str]]:
    """(the import that dropped them, {name: sql}) of the indexes still to build."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (RECORD,)).fetchone()
    if row is None:
        return None, {}
    record = json.loads(row[0])
    return record.get("source_id"), dict(record.get("indexes", {}))


def build(conn: sqlite3.Connection, names: tuple[str, ...] | None = None) -> None:
    """Inside the caller's write transaction: build the recorded indexes (`names`
    only, when given) and take them off the record (the record goes when empty).
    Idempotent: an index someone already built is left as it is."""
    source_id, indexes = pending(conn)
    wanted = [name for name in indexes if names is None or name in names]
    if not wanted:
        return
    for name in wanted:
        # The SQL as the schema wrote it, with IF NOT EXISTS: whoever built it
        # first (this import, an open after a kill) built the same index.
        conn.execute(_IF_NOT_EXISTS.sub(r"\1IF NOT EXISTS ", indexes.pop(name), count=1))
    if indexes:
        conn.execute("UPDATE meta SET value = ? WHERE key = ?",
                     (json.dumps({"source_id": source_id, "indexes": indexes}), RECORD))
    else:
        conn.execute("DELETE FROM meta WHERE key = ?", (RECORD,))


def build_each(conn: sqlite3.Connection) -> None:
    """Build every recorded index, each in its own write transaction: a writer
    (the app marking a paper read) waits for one index at most, not all."""
    while pending(conn)[1]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _, indexes = pending(conn)  # again, under the write lock
            if indexes:
                build(conn, (next(iter(indexes)),))
        except BaseException:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def repair(conn: sqlite3.Connection, library_path: Path) -> None:
    """At open: build the indexes a bulk import dropped and did not build (killed,
    or the disk filled), unless that import is still running: it holds its lock
    and builds them itself when it ends."""
    source_id, indexes = pending(conn)
    if not indexes:
        return
    if source_id is not None:
        lock = ImportLock(library_path, int(source_id))
        try:
            if not lock.try_acquire():
                return  # still running
        except OSError:
            return  # no lock file can be made here: cannot tell, leave it
        try:
            build_each(conn)
        finally:
            lock.release()
        return
    build_each(conn)
