"""What schema 12 (the AI summary in the full-text index) costs a library that upgrades.

    python -m bench.summary_migration LIBRARY.db [--summaries 0.3] [--keep]

Works on a copy of LIBRARY.db (any schema-12 library, e.g. bench.workers'
import-library of listing-100k.txt). The copy is made a v11 library as the old code
left it: `--summaries` of its papers (every id whose last digit is below ten times
the share) get an AI summary, the first sentence of their abstract, as trending
imports stored them; the index is the v11 one (four columns, the summary not in
it), built by FTS5's 'rebuild'. That rebuild is timed: it is the baseline, what
re-indexing the same papers costs without the new column, in the same run. Then
`migrate()` brings the copy to 12 (timed: wall and CPU), and a few searches check
that the summaries are found and the rest is as before.

Prints JSON. Say the load average beside the figures (it is printed too).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from storage.schema import V1_FTS_COLUMNS, migrate, user_version


def _timed(conn: sqlite3.Connection, sql: str) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    conn.execute(sql)
    return time.perf_counter() - wall, time.process_time() - cpu


def make_v11(path: Path, share: float) -> dict[str, float]:
    """Turn a schema-12 library into the v11 file the old code would have left."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert user_version(conn) >= 12, "give a library at schema 12 or later"
        conn.execute("BEGIN")
        conn.execute("DROP TRIGGER papers_fts_update")
        conn.execute("DROP TRIGGER papers_fts_delete")
        conn.execute("DROP TABLE papers_fts_vocab")
        conn.execute("DROP TABLE papers_fts")
        tenths = round(share * 10)
        conn.execute("UPDATE papers SET ai_summary = substr(abstract, 1, "
                     "instr(abstract || '.', '.')) WHERE id % 10 < ?", (tenths,))
        columns = ", ".join(V1_FTS_COLUMNS)
        conn.execute(f"CREATE VIRTUAL TABLE papers_fts USING fts5({columns}, "
                     "content=\"papers\", content_rowid='id', "
                     "tokenize='porter unicode61 remove_diacritics 2')")
        conn.execute("CREATE VIRTUAL TABLE papers_fts_vocab USING fts5vocab(papers_fts, 'row')")
        wall, cpu = _timed(conn, "INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
        conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', 16)")
        old = ", ".join(f"old.{c}" for c in V1_FTS_COLUMNS)
        new = ", ".join(f"new.{c}" for c in V1_FTS_COLUMNS)
        conn.execute(f"CREATE TRIGGER papers_fts_update AFTER UPDATE OF {columns} ON papers "
                     f"BEGIN INSERT INTO papers_fts(papers_fts, rowid, {columns}) VALUES "
                     f"('delete', old.id, {old}); INSERT INTO papers_fts(rowid, {columns}) "
                     f"VALUES (new.id, {new}); END")
        conn.execute(f"CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN "
                     f"INSERT INTO papers_fts(papers_fts, rowid, {columns}) VALUES "
                     f"('delete', old.id, {old}); END")
        conn.execute("PRAGMA user_version = 11")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        summaries = conn.execute("SELECT count(*) FROM papers WHERE ai_summary IS NOT NULL "
                                 "AND ai_summary != ''").fetchone()[0]
    finally:
        conn.close()
    return {"v11_rebuild_wall": wall, "v11_rebuild_cpu": cpu, "summaries": summaries}


def upgrade(path: Path) -> dict[str, float]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        found = migrate(conn)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert found == 11
        papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        # A summary's own word finds its paper now (the first word of one).
        probe = conn.execute("SELECT id, ai_summary FROM papers WHERE ai_summary != '' "
                             "ORDER BY id DESC LIMIT 1").fetchone()
        hits = 0 if probe is None else conn.execute(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?",
            (f"ai_summary : \"{probe[1].split()[0]}\"",)).fetchone()[0]
    finally:
        conn.close()
    return {"migrate_wall": wall, "migrate_cpu": cpu, "papers": papers,
            "summary_probe_hits": hits}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library")
    parser.add_argument("--summaries", type=float, default=0.3)
    parser.add_argument("--keep", action="store_true", help="keep the upgraded copy")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="summary-migration-"))
    copy = folder / "library.db"
    try:
        shutil.copy(args.library, copy)
        result = {"load_before": os.getloadavg(), **make_v11(copy, args.summaries)}
        result.update(upgrade(copy))
        result["ratio_wall"] = result["migrate_wall"] / result["v11_rebuild_wall"]
        result["ratio_cpu"] = result["migrate_cpu"] / result["v11_rebuild_cpu"]
        result["load_after"] = os.getloadavg()
        result["library"] = str(copy) if args.keep else args.library
        print(json.dumps(result, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
