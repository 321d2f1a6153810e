"""The longest write-lock hold while an import is taken back and put back.

    python -m bench.removal --papers 30k --baseline-rev 5729b74

A library of the seeds plus a generated listing of N papers (imported in batches
of WINNOW_IMPORT_BATCH=5000, as in attack F19). Then, for the baseline revision
(its `storage/` and `desktop/` unpacked from git into a temp folder) and for this
tree, in the same run on copies of the same file: the real `winnow undo-import ID`
and then `winnow undo` (putting the import back) run as subprocesses while a
prober thread here tries `BEGIN IMMEDIATE` every 50 ms, as the app's next key
press would. Reported per command: the longest the prober waited for the write
lock (what an app write would wait), how many of its tries waited over 1 s, the
command's wall time and CPU time (user + system, from wait4). The machine is
shared: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

from bench.generate import ensure, parse_size
from storage import Library

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


class Prober(threading.Thread):
    """Takes and drops the write lock every `every` s; keeps how long each try waited."""

    def __init__(self, path: Path, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.every = every
        self.waits: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=600)
        try:
            while not self.stop.is_set():
                started = time.perf_counter()
                conn.execute("BEGIN IMMEDIATE")
                self.waits.append(time.perf_counter() - started)
                conn.execute("ROLLBACK")
                time.sleep(self.every)
        finally:
            conn.close()


def _unpack(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "storage", "desktop"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _run(code: Path, path: Path, *args: str) -> dict[str, float]:
    prober = Prober(path)
    prober.start()
    time.sleep(0.2)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "desktop.cli", "--db", str(path), *args],
                               cwd=code, env={**os.environ, "PYTHONPATH": str(code)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    time.sleep(0.2)
    prober.stop.set()
    prober.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {err or out}")
    waits = prober.waits
    return {"longest_wait_s": max(waits), "waits_over_1s": sum(w > 1 for w in waits),
            "tries": len(waits), "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "out": out.strip().splitlines()[0] if out.strip() else ""}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=parse_size, default=30_000)
    parser.add_argument("--baseline-rev", help="git revision to compare with (same run)")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    args = parser.parse_args(argv)
    listing = ensure(args.papers, args.data)
    with tempfile.TemporaryDirectory(prefix="winnow-removal-") as folder:
        tmp = Path(folder)
        base = tmp / "base.db"
        os.environ["WINNOW_IMPORT_BATCH"] = "5000"
        with Library(base) as lib:
            lib.import_files(SEEDS)
            report = lib.import_files([listing])
            assert report.ok, report
            source = lib.sources()[0]["id"]
            lib.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        variants = [("this tree", ROOT)]
        if args.baseline_rev:
            variants.insert(0, (f"baseline {args.baseline_rev}",
                                _unpack(args.baseline_rev, tmp / "baseline")))
        print(f"{args.papers} papers taken back and put back; load average before "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs, "
              f"sqlite {sqlite3.sqlite_version}", flush=True)
        print(f"{'code':<22} {'command':<14} {'longest wait':>12} {'>1 s':>5} {'tries':>6} "
              f"{'wall':>7} {'cpu':>7}")
        for label, code in variants:
            work = tmp / f"work-{label.split()[0]}.db"
            shutil.copy(base, work)
            for command in (("undo-import", str(source)), ("undo",)):
                row = _run(code, work, *command)
                print(f"{label:<22} {command[0]:<14} {row['longest_wait_s']:>11.2f}s "
                      f"{row['waits_over_1s']:>5} {row['tries']:>6} {row['wall_s']:>6.1f}s "
                      f"{row['cpu_s']:>6.1f}s  {row['out'][:60]}", flush=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
            shutil.rmtree(tmp / "backups", ignore_errors=True)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
