"""Quick latency probe of the search engine on an existing library file.

    python -m bench.search_probe LIBRARY.db [--rounds 5]

Runs the benchmark's 40-query mix (bench.workers.QUERIES) through
Library.search(limit=50) after a warm-up and prints p50/p95 per kind, the
slowest queries, every-id (limit=None) times, count() times and go-to-paper
keystroke times. For tuning; bench/run.py is the judge.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.workers import QUERIES
from storage import Library


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--search-only", action="store_true",
                        help="only the limit=50 mix (skip limit=None, count, go-to-paper)")
    args = parser.parse_args()
    lib = Library(args.db, check=False)
    clock = time.perf_counter
    # As bench.run times them: the unfinished prefixes as the app's live search.
    for kind, query in QUERIES:
        lib.search(query, limit=50, typing=kind == "prefix")
    times: dict[str, list[float]] = {q: [] for _, q in QUERIES}
    for _ in range(args.rounds):
        for kind, query in QUERIES:
            started = clock()
            lib.search(query, limit=50, typing=kind == "prefix")
            times[query].append((clock() - started) * 1000)
    kinds: dict[str, list[float]] = {}
    for kind, query in QUERIES:
        kinds.setdefault(kind, []).extend(times[query])
    every = [t for ts in times.values() for t in ts]
    print(f"search limit=50: p50 {pct(every, 50):.1f} ms, p95 {pct(every, 95):.1f} ms")
    for kind, values in kinds.items():
        print(f"  {kind:7s} p50 {pct(values, 50):5.1f}  p95 {pct(values, 95):5.1f}")
    slow = sorted(((statistics.median(ts), q) for q, ts in times.items()), reverse=True)[:12]
    print("  slowest:", "; ".join(f"{q} {ms:.1f}" for ms, q in slow))
    if args.search_only:
        lib.close()
        return
    for _kind, query in QUERIES:
        result = lib.search(query, limit=5)
        if result.corrections or not result.ids:
            print(f"  {query!r}: {len(result.ids)} hits, {result.message or 'no hits'}")
    all_ms, count_ms = [], []
    for _kind, query in QUERIES:
        started = clock()
        lib.search(query, limit=None)
        all_ms.append((clock() - started) * 1000)
        started = clock()
        lib.count(query)
        count_ms.append((clock() - started) * 1000)
    print(f"limit=None: p50 {pct(all_ms, 50):.1f} p95 {pct(all_ms, 95):.1f} ms; "
          f"count: p50 {pct(count_ms, 50):.1f} p95 {pct(count_ms, 95):.1f} ms")
    total = lib.stats()["total"]
    started = clock()
    lib.fuzzy_titles("a", 20)
    first = (clock() - started) * 1000
    fuzzy: list[float] = []
    found = 0
    wanted = [1 + (total - 1) * (i + 1) // 6 for i in range(5)]
    for paper_id in wanted:
        title = lib.get(paper_id).title
        hits: list = []
        for n in range(1, min(len(title), 40) + 1):
            started = clock()
            hits = lib.fuzzy_titles(title[:n], 20)
            fuzzy.append((clock() - started) * 1000)
        found += any(hit[0] == paper_id for hit in hits)
    print(f"fuzzy_titles: first {first:.0f} ms, p50 {pct(fuzzy, 50):.1f} "
          f"p95 {pct(fuzzy, 95):.1f} ms, found {found}/5")
    lib.close()


if __name__ == "__main__":
    main()
