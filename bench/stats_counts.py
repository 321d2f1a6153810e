"""What the counts refresh costs: `Library.stats()` against a same-run baseline.

    python -m bench.stats_counts LIBRARY.db [--repeat 200]

The app calls `Library.stats()` after writes (at most twice a second) for the sidebar's
per-state counts and the status bar's Inbox count. Before maintained counts it ran
`SELECT state, count(*) FROM papers GROUP BY state`, which walks every entry of the
state index: that query is timed here as the baseline, on the same connection, in
interleaved rounds with `stats()` itself, so load on the machine hits both alike.

Works on a copy-free library file: on first use it spreads the papers over the states
(fixed ids, through the Library API: 20% done, 3% later, 2% shortlist, 5% skipped) if
nothing is in Later yet. Prints one JSON object (medians and p95 in ms, load average).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage import Library


def _spread(lib: Library) -> None:
    total = lib.stats()["total"]
    if lib.stats()["later"]:
        return
    ids = range(1, total + 1)
    if not lib.stats()["done"]:
        lib.set_state([i for i in ids if i % 5 == 0], "done")
    lib.set_state([i for i in ids if i % 100 in (1, 2, 3)], "later", "someday")
    lib.set_state([i for i in ids if i % 100 in (4, 6)], "shortlist")
    lib.set_state([i for i in ids if i % 20 == 9], "skipped")


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 3),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    from storage import Library

    lib = Library(args.db, check=False)
    _spread(lib)
    group_by = "SELECT state, count(*) FROM papers GROUP BY state"
    baseline, counts = [], []
    lib.stats()
    lib.conn.execute(group_by).fetchall()  # warm both
    for _ in range(args.repeat):
        started = time.perf_counter()
        by_state = dict(lib.conn.execute(group_by).fetchall())
        baseline.append(time.perf_counter() - started)
        started = time.perf_counter()
        stats = lib.stats()
        counts.append(time.perf_counter() - started)
    agree = all(stats[name] == by_state.get(name, 0) for name in by_state)
    lib.close()
    print(json.dumps({
        "papers": stats["total"], "per_state": by_state, "counts_agree": agree,
        "stats": _ms(counts), "baseline_group_by": _ms(baseline),
        "ratio_median": round(statistics.median(counts) / statistics.median(baseline), 3),
        "repeat": args.repeat, "loadavg": [round(x, 2) for x in os.getloadavg()],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
