"""What the counts refresh costs: `Library.stats()` against a same-run baseline.

    python -m bench.stats_counts LIBRARY.db [--repeat 200]
    python -m bench.stats_counts --import LISTING.txt [--rounds 3]

The app calls `Library.stats()` after writes (at most twice a second) for the sidebar's
per-state counts and the status bar's Inbox count. Before maintained counts it ran
`SELECT state, count(*) FROM papers GROUP BY state`, which walks every entry of the
state index: that query is timed here as the baseline, on the same connection, in
interleaved rounds with `stats()` itself, so load on the machine hits both alike.

Works on a copy-free library file: on first use it spreads the papers over the states
(fixed ids, through the Library API: 20% done, 3% later, 2% shortlist, 5% skipped) if
nothing is in Later yet. Prints one JSON object (medians and p95 in ms, load average).

`--import` measures what the counts cost where they are kept: an import of LISTING
into a new library as it is (the triggers on), into one with the three count triggers
dropped, and both again with temp files on disk (`temp_store = DEFAULT`; the connection
uses MEMORY since the triggers: this shows why). "no count triggers, temp on disk" is
the import as it was before: the baseline. Interleaved rounds, seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
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


def import_cost(listing: Path, rounds: int) -> dict[str, object]:
    import shutil
    import sqlite3
    import tempfile

    from storage import Library

    folder = Path(tempfile.mkdtemp(prefix="winnow-counts-"))
    Library(folder / "empty.db").close()
    kinds = ("triggers", "no count triggers", "triggers, temp on disk",
             "no count triggers, temp on disk")
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
    for n in range(rounds):
        for kind in kinds:
            path = folder / f"{n}-{kinds.index(kind)}.db"
            shutil.copy(folder / "empty.db", path)
            if kind.startswith("no count triggers"):
                with sqlite3.connect(path) as conn:
                    for what in ("insert", "delete", "update"):
                        conn.execute(f"DROP TRIGGER papers_state_count_{what}")
            lib = Library(path, check=False)
            if kind.endswith("on disk"):
                lib.conn.execute("PRAGMA temp_store = DEFAULT")
            started = time.perf_counter()
            lib.import_files([listing])
            seconds[kind].append(round(time.perf_counter() - started, 3))
            lib.close()
    shutil.rmtree(folder)
    return {kind: {"median_s": statistics.median(v), "runs": v} for kind, v in seconds.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", nargs="?")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--import", dest="listing", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    stamp = {"loadavg": [round(x, 2) for x in os.getloadavg()],
             "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    if args.listing is not None:
        print(json.dumps({"import": import_cost(args.listing, args.rounds), **stamp}))
        return 0
    if args.db is None:
        parser.error("give a LIBRARY.db, or --import LISTING")
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
