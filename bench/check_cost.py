"""What each integrity check costs on a real library, warm and cold.

    .venv/bin/python -m bench.check_cost /tmp/winnow-bench/lib-100k.db [...]

For each library file: the O(1) header check every command makes, `quick_check`,
`integrity_check`, `foreign_key_check` and the full-text index's own
'integrity-check', each run in a fresh process-like connection, warm (file in the
page cache) and cold (the file's pages dropped from the cache with
posix_fadvise(DONTNEED), which evicts only this file, not the machine's cache).
The baseline, measured in the same run, is what a write command costs without
any check: `winnow star ID` then `winnow unstar ID` in a subprocess (interpreter
start, open, one write, daily backup already made). Prints a Markdown table
with ratios against it; the load average before and after is printed too, since
the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _drop_cache(path: Path) -> None:
    for name in (str(path), f"{path}-wal"):
        if os.path.exists(name):
            fd = os.open(name, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def _warm(path: Path) -> None:
    with path.open("rb") as handle:
        while handle.read(1 << 24):
            pass


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None, timeout=30)


def _header(path: Path) -> None:
    from storage.integrity import header_problem

    assert header_problem(path) is None


def _pragma(name: str) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        conn = _connect(path)
        try:
            rows = conn.execute(f"PRAGMA {name}").fetchall()
            assert rows in ([("ok",)], []), rows[:3]
        finally:
            conn.close()
    return run


def _fts(path: Path) -> None:
    conn = _connect(path)
    try:
        conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


CHECKS: dict[str, Callable[[Path], None]] = {
    "header (size, page count)": _header,
    "quick_check": _pragma("quick_check"),
    "integrity_check": _pragma("integrity_check"),
    "foreign_key_check": _pragma("foreign_key_check"),
    "FTS5 integrity-check": _fts,
}


def _timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _baseline(path: Path, repeats: int) -> float:
    """A write command end to end, no check: the cost a check is compared to."""
    env = {**os.environ, "WINNOW_OPEN_CHECK": "none"}

    def once() -> None:
        for command in ("star", "unstar"):
            subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(path), command,
                            "1"], cwd=ROOT, env=env, check=True, capture_output=True)
    once()  # the daily backup, made once
    return statistics.median(_timed(once) / 2 for _ in range(repeats))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("libraries", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args(argv)
    print(f"load before: {os.getloadavg()}  sqlite {sqlite3.sqlite_version}", flush=True)
    print("| library | size | check | warm s | cold s | warm / write command |")
    print("|---|---|---|---|---|---|")
    for path in args.libraries:
        size = path.stat().st_size
        base = _baseline(path, args.repeat)
        print(f"| {path.name} | {size / 1e6:,.0f} MB | baseline: `winnow star 1` | "
              f"{base:.2f} | | 1.0 |", flush=True)
        for name, check in CHECKS.items():
            _warm(path)
            warm = statistics.median(_timed(lambda c=check, p=path: c(p))
                                     for _ in range(args.repeat))
            cold = ""
            if args.cold:
                _drop_cache(path)
                cold = f"{_timed(lambda c=check, p=path: c(p)):.2f}"
            print(f"| {path.name} | {size / 1e6:,.0f} MB | {name} | {warm:.3f} | {cold} | "
                  f"{warm / base:.2f} |", flush=True)
    print(f"load after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
