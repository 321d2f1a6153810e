"""Filtered searches at scale: a filter (rare or common) with a word (rare or
common), timed through Library.search(limit=50) beside the same run's raw FTS5.

    python -m bench.filter_probe LIBRARY.db [--rounds 5] [--mark] [--plans]

`--mark` first gives the library the marks the filters look at, on top of
bench.workers' `prepare` (20% read, 1% starred, 2% tag rl, 1% tag toread):
0.5% shortlisted, 3% skipped, 0.2% with a note (fixed ids, Library API; once).
`--plans` prints what the engine runs for each query (Library.explain).

Each round times three ways one after the other: the search as it is, the same
search with `Ranker.drive` off (each text match's row tested: the plan before
filters drove), and raw FTS5 over the query's words alone, `SELECT rowid FROM
papers_fts WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts) LIMIT 50` (no
filter: what FTS5 pays to rank the words). Wall and CPU times. For the
before/after table in bench/README.md; bench.run is the judge of the mix.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import time

from bench.search_probe import pct
from storage import Library

# (kind, query, the words for the raw FTS5 baseline)
FILTERED: list[tuple[str, str, str]] = [
    # a rare filter with a common word: the word's matches are many, few pass
    ("rare x common", "is:starred language", "language"),
    ("rare x common", "is:starred model", "model"),
    ("rare x common", "tag:rl learning", "learning"),
    ("rare x common", "tag:toread models", "models"),
    ("rare x common", "is:shortlist language", "language"),
    ("rare x common", "has:note model", "model"),
    ("rare x common", "is:starred language models", "language models"),
    ("rare x common", "year:2019 model", "model"),
    # a rare filter with a rare word
    ("rare x rare", "is:starred kolmogorov", "kolmogorov"),
    ("rare x rare", "tag:rl quantization", "quantization"),
    # a common filter with a rare word
    ("common x rare", "is:unread kolmogorov", "kolmogorov"),
    ("common x rare", "is:unread gezibeba", "gezibeba"),
    ("common x rare", "year:>=2023 speculative decoding", "speculative decoding"),
    ("common x rare", "-is:starred quantization", "quantization"),
    # both common
    ("common x common", "is:unread language", "language"),
    ("common x common", "is:unread diffusion", "diffusion"),
    ("common x common", "is:read diffusion", "diffusion"),
    ("common x common", "-is:starred model", "model"),
    ("common x common", "year:>=2023 language models", "language models"),
]


def mark(db: str) -> dict:
    """The marks beyond bench.workers.prepare's, at fixed ids, once."""
    lib = Library(db)
    total = lib.stats()["total"]
    started = time.perf_counter()
    done = lib.conn.execute("SELECT count(*) FROM papers WHERE state = 'shortlist'").fetchone()[0]
    if not done:
        lib.set_state([i for i in range(1, total + 1) if i % 200 == 13], "shortlist")
        lib.set_state([i for i in range(1, total + 1) if i % 100 in (21, 22, 23)], "skipped")
        for paper_id in range(29, total + 1, 500):
            lib.set_note(paper_id, f"worth a second look {paper_id % 7}")
    seconds = time.perf_counter() - started
    counts = dict(lib.conn.execute("SELECT state, count(*) FROM papers GROUP BY state"))
    counts["starred"] = lib.conn.execute("SELECT count(*) FROM papers WHERE starred"
                                         ).fetchone()[0]
    counts["noted"] = lib.conn.execute("SELECT count(*) FROM papers WHERE note != ''"
                                       ).fetchone()[0]
    lib.close()
    return {"seconds": seconds, "counts": counts}


def _raw_match(words: str) -> str:
    return " ".join('"' + w.replace('"', '""') + '"' for w in words.split())


def _cpu_ms(run) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def measure(db: str, rounds: int) -> dict:
    """Each query of FILTERED three ways per round, after a warm-up round: the
    search as it is, the same search with each text match's row tested
    (`Ranker.drive` off: the plan before filters drove), and raw FTS5 bm25 over
    its words alone. {way: {query: [(wall ms, cpu ms), ...]}}, and what drove."""
    lib = Library(db, check=False)
    ranker = lib._search.ranker
    raw = sqlite3.connect(db)
    raw_sql = ("SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? "
               "ORDER BY bm25(papers_fts) LIMIT 50")
    times: dict[str, dict[str, list[tuple[float, float]]]] = {
        w: {q: [] for _, q, _ in FILTERED} for w in WAYS}
    for round_ in range(rounds + 1):
        for _kind, query, words in FILTERED:
            for way in WAYS:
                ranker.drive = way != "rows"
                if way == "raw":
                    sample = _cpu_ms(lambda w=words: raw.execute(
                        raw_sql, (_raw_match(w),)).fetchall())
                else:
                    sample = _cpu_ms(lambda q=query: lib.search(q, limit=50))
                if round_:
                    times[way][query].append(sample)
    ranker.drive = True
    info = {}
    for kind, query, _words in FILTERED:
        driver, size = ranker.driver(lib._search.plan(query).compiled)
        info[query] = {"kind": kind, "count": lib.count(query),
                       "driver": size if driver is not None else None}
    lib.close()
    raw.close()
    return {"ms": times, "queries": info}


WAYS = ("now", "rows", "raw")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mark", action="store_true")
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args()
    if args.mark:
        print("marks:", mark(args.db))
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.plans:
        with Library(args.db, check=False) as lib:
            for _kind, query, _words in FILTERED:
                print(lib.explain(query))
                print()
    result = measure(args.db, args.rounds)
    times, info = result["ms"], result["queries"]
    print(f"{'query':36s} {'hits':>6s} {'driver':>7s}  {'now p50/p95 (cpu)':>22s}  "
          f"{'rows tested p50/p95 (cpu)':>26s}  {'raw FTS5 p50/p95':>17s}")
    for _kind, query, _words in FILTERED:
        cells = []
        for way in WAYS:
            wall = [s[0] for s in times[way][query]]
            cpu = [s[1] for s in times[way][query]]
            cells.append(f"{statistics.median(wall):6.1f} /{pct(wall, 95):6.1f} "
                         f"({statistics.median(cpu):5.1f})")
        driver = info[query]["driver"]
        print(f"{query:36s} {info[query]['count']:6d} {'-' if driver is None else driver:>7}  "
              + "  ".join(cells))
    for kind in dict.fromkeys(k for k, _q, _w in FILTERED):
        cols = []
        for way in WAYS:
            wall = [s[0] for k, q, _w in FILTERED if k == kind for s in times[way][q]]
            cpu = [s[1] for k, q, _w in FILTERED if k == kind for s in times[way][q]]
            cols.append(f"{way} {pct(wall, 50):6.1f} / {pct(wall, 95):6.1f} "
                        f"(cpu p95 {pct(cpu, 95):6.1f})")
        print(f"  {kind:16s} " + "   ".join(cols))
    wall = {w: [s[0] for q in times[w] for s in times[w][q]] for w in WAYS}
    print("all filtered, wall p50 / p95: " + "; ".join(
        f"{w} {pct(wall[w], 50):.1f} / {pct(wall[w], 95):.1f} ms" for w in WAYS)
        + f"; now / rows tested p95 {pct(wall['now'], 95) / pct(wall['rows'], 95):.2f}x")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
