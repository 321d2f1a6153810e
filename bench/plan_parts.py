"""Where a filtered search's time goes, and two plans of the same search side by side.

    python -m bench.plan_parts parts LIBRARY.db "is:starred" model
    python -m bench.plan_parts plans LIBRARY.db "is:unstarred model" ... [--rounds 7]

`parts` times, as raw statements on the file, the pieces of the plan the engine
runs for FILTER WORD when FILTER lists its papers (storage.search.ranking): the
word's doclist walked alone, walked with each match looked up in the filter's
list (`+rowid IN (...)`), the same with bm25 (the engine's statement), bm25's
idf alone (FTS5 counts every row with the word before the first score), and the
filter's list alone. `plans` times Library.search(query, limit=50) with the
engine's plan and with `Ranker.drive` off (each text match's row tested: the
plan before drivers), interleaved round by round in one process, after checking
that both give the same ids and scores. CPU time (time.process_time: SQLite runs
in this process), the median of the rounds; the load average is printed beside.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Sequence

from storage import Library
from storage.query import compile_query, fts_string, parse
from storage.search.ranking import BM25


def _cpu_ms(run: Callable[[], object], rounds: int) -> float:
    run()  # warm: pages in the OS cache, statements prepared
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(1000 * (time.process_time() - start))
    return statistics.median(times)


def parts(db: str, filter_text: str, word: str, rounds: int) -> None:
    lib = Library(db)
    conn = lib.conn
    compiled = compile_query(parse(f"{filter_text} {word}"))
    (driver,) = [d for d in compiled.drivers if not d.exclude]
    match = fts_string(word)
    listed = f"+papers_fts.rowid IN ({driver.select})"
    pieces = {
        "the word's doclist walked (count)":
            ("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", [match]),
        "walked, each match looked up in the list":
            (f"SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ? AND {listed}",
             [match, *driver.params]),
        "walked, looked up, bm25 of those listed (the engine's statement)":
            (f"SELECT rowid FROM (SELECT papers_fts.rowid AS rowid, {BM25} AS score "
             f"FROM papers_fts WHERE papers_fts MATCH ? AND {listed} "
             "ORDER BY papers_fts.rowid DESC LIMIT 10000) ORDER BY score LIMIT 50",
             [match, *driver.params]),
        "bm25 of one match (its idf: every row with the word counted)":
            (f"SELECT {BM25} FROM papers_fts WHERE papers_fts MATCH ? LIMIT 1", [match]),
        "the filter's list alone":
            (f"SELECT count(*) FROM ({driver.select})", list(driver.params)),
    }
    counts = {name: conn.execute(sql, params).fetchone()[0]
              for name, (sql, params) in pieces.items() if sql.startswith("SELECT count")}
    print(f"{db}: {filter_text} {word}; load average {os.getloadavg()[0]:.1f}")
    for name, (sql, params) in pieces.items():
        ms = _cpu_ms(lambda s=sql, p=params: conn.execute(s, p).fetchall(), rounds)
        found = f" ({counts[name]:,} rows)" if name in counts else ""
        print(f"  {ms:8.1f} ms CPU  {name}{found}")
    start = time.process_time()
    lib.search(f"{filter_text} {word}", limit=50)
    print(f"  {1000 * (time.process_time() - start):8.1f} ms CPU  Library.search, once; "
          f"load average {os.getloadavg()[0]:.1f}")
    lib.close()


def plans(db: str, queries: Sequence[str], rounds: int) -> None:
    lib = Library(db)
    ranker = lib._search.ranker
    print(f"{db}: load average {os.getloadavg()[0]:.1f}")
    print("| query | plan | engine's plan, CPU ms | rows tested (drive off), CPU ms | ratio |")
    print("|---|---|---|---|---|")
    for query in queries:
        def run(drive: bool, q: str = query) -> tuple:
            ranker.drive = drive
            try:
                result = lib.search(q, limit=50)
            finally:
                ranker.drive = True
            return result.ids, [round(h.score, 9) for h in result.hits]
        if run(True) != run(False):
            raise SystemExit(f"{query}: the two plans differ")
        compiled = lib._search.plan(query).compiled
        plan = ("list left out" if ranker.excluded(compiled) is not None else
                "list driven" if ranker.driver(compiled)[0] is not None else "rows tested")
        on, off = [], []
        run(True), run(False)
        for _ in range(rounds):
            for drive, times in ((True, on), (False, off)):
                start = time.process_time()
                run(drive)
                times.append(1000 * (time.process_time() - start))
        a, b = statistics.median(on), statistics.median(off)
        print(f"| `{query}` | {plan} | {a:.1f} | {b:.1f} | {a / b:.2f}x |")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    lib.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.plan_parts")
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("parts")
    one.add_argument("db")
    one.add_argument("filter")
    one.add_argument("word")
    one.add_argument("--rounds", type=int, default=3)
    two = sub.add_parser("plans")
    two.add_argument("db")
    two.add_argument("queries", nargs="+")
    two.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    if args.command == "parts":
        parts(args.db, args.filter, args.word, args.rounds)
    else:
        plans(args.db, args.queries, args.rounds)


if __name__ == "__main__":
    main()
