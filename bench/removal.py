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

`--part import`: `winnow import` of the listing killed (kill -9) once half its papers
are committed, then what the app's GUI thread does when it opens that library (the
baseline takes the import back there, in one transaction; this tree leaves it for
the worker, which takes it back in steps).

Every library here is made by the code that is then measured on it (its own
`winnow import` of the seeds and the listing, and for `--part import` its own
import killed half-way): a file made by this tree has this tree's schema, which an
older baseline refuses to open (session 6: a schema-13 kill file against a
schema-11 baseline). The papers and the point of the kill are the same for both.

`--part cut` (also in the default `all`): `winnow undo-import` killed (kill -9)
half-way, then what the app's GUI thread does when it opens that library (the
baseline finishes the job there; this tree opens with `finish_cut_short=False`
and finishes it on a worker), timed in a fresh process of each code; and Ctrl+C
half-way: how long the command takes to exit after SIGINT, its status, what the
next open then has to do, and whether the import is as before.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
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


# What the app does on its GUI thread when it opens a library, timed; then (this
# tree) what its worker does. Run in a fresh process of the code under test.
OPEN_AS_THE_APP = """
import sys, time
from storage import Library
started = time.perf_counter()
try:
    lib = Library(sys.argv[1], finish_cut_short=False)
    jobs = lib.removal_jobs()
except TypeError:  # a version that finishes the job while opening
    lib, jobs = Library(sys.argv[1]), []
gui = time.perf_counter() - started
started = time.perf_counter()
if jobs:
    lib.finish_cut_short()
worker = time.perf_counter() - started
print(f"{gui:.3f} {worker:.3f} {len(lib.notices)}")
lib.close()
"""


def _half_taken(path: Path, total: int) -> bool:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM trash").fetchone()[0] >= total // 2
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def _start(code: Path, path: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "desktop.cli", "--db", str(path), *args],
                            cwd=code, env={**os.environ, "PYTHONPATH": str(code)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _stop_half_way(code: Path, path: Path, source: int, total: int, how: int
                   ) -> tuple[float, int, str]:
    """`undo-import` stopped by signal `how` once half its papers are in the trash:
    (seconds from the signal to the exit, exit status, its last stderr line)."""
    process = _start(code, path, "undo-import", str(source))
    while not _half_taken(path, total) and process.poll() is None:
        time.sleep(0.02)
    sent = time.perf_counter()
    process.send_signal(how)
    _, err = process.communicate()
    lines = err.decode().strip().splitlines()
    return time.perf_counter() - sent, process.returncode, lines[-1] if lines else ""


def _open_as_the_app(code: Path, path: Path) -> tuple[float, float, int]:
    done = subprocess.run([sys.executable, "-c", OPEN_AS_THE_APP, str(path)], cwd=code,
                          env={**os.environ, "PYTHONPATH": str(code)}, capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"{code}: opening {path.name} failed: "
                         f"{done.stderr.decode().strip().splitlines()[-1:]}")
    out = done.stdout.decode().split()
    return float(out[0]), float(out[1]), int(out[2])


def _status(path: Path, source: int) -> str:
    with sqlite3.connect(path) as conn:
        papers = conn.execute("SELECT count(*) FROM papers WHERE first_source_id = ?",
                              (source,)).fetchone()[0]
        status = conn.execute("SELECT status FROM sources WHERE id = ?",
                              (source,)).fetchone()[0]
    return f"{status}, {papers:,} of its papers"


def cut_short(variants: list[tuple[str, Path, Path, int]], tmp: Path, total: int) -> None:
    print(f"\nundo-import stopped half-way ({total:,} papers); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    print(f"{'code':<22} {'stop':<8} {'exit after':>10} {'status':>6} {'GUI thread':>10} "
          f"{'worker':>7}  import after the next open")
    for label, code, base, source in variants:
        for name, how in (("kill -9", signal.SIGKILL), ("Ctrl+C", signal.SIGINT)):
            work = tmp / f"cut-{label.split()[0]}.db"
            shutil.copy(base, work)
            exit_after, status, _line = _stop_half_way(code, work, source, total, how)
            gui, worker, _told = _open_as_the_app(code, work)
            print(f"{label:<22} {name:<8} {exit_after:>9.2f}s {status:>6} {gui:>9.2f}s "
                  f"{worker:>6.2f}s  {_status(work, source)}", flush=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
            for lock in tmp.glob("cut-*.lock"):
                lock.unlink()
            shutil.rmtree(tmp / "backups", ignore_errors=True)


def _make_library(code: Path, path: Path, files: list[Path]) -> None:
    """A library of `files` made by `code`'s own `winnow import`, checkpointed so
    that a copy of the file alone holds it."""
    done = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(path), "import",
                           *map(str, files)], cwd=code,
                          env={**os.environ, "PYTHONPATH": str(code)}, capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"{code}: import failed: {done.stderr.decode().strip()}")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _source_of(path: Path, name: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT max(id) FROM sources WHERE name = ?",
                                (name,)).fetchone()[0])


def _import_killed_half_way(code: Path, path: Path, listing: Path, total: int
                            ) -> tuple[int, int]:
    """`code`'s `winnow import` of `listing` killed with SIGKILL once half its
    papers are committed; returns its sources id, left 'importing', and how many of
    its papers were committed."""
    with sqlite3.connect(path) as conn:
        before = conn.execute("SELECT max(id) FROM sources").fetchone()[0]
    process = _start(code, path, "import", str(listing))
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        while process.poll() is None:
            row = conn.execute("SELECT count(*) FROM papers WHERE first_source_id = "
                               "(SELECT max(id) FROM sources WHERE id > ?)",
                               (before,)).fetchone()
            if row[0] >= total // 2:
                break
            time.sleep(0.02)
    finally:
        conn.close()
    process.kill()
    process.communicate()
    conn = sqlite3.connect(path)
    try:
        source, status, papers = conn.execute(
            "SELECT s.id, s.status, (SELECT count(*) FROM papers WHERE first_source_id = s.id)"
            " FROM sources s WHERE id > ?", (before,)).fetchone()
        # Its committed batches into the file itself: each code gets a copy of it.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    if status != "importing":
        raise SystemExit(f"the import ended ({status}) before it could be killed")
    return int(source), int(papers)


def import_cut_short(variants: list[tuple[str, Path]], tmp: Path, listing: Path,
                     total: int) -> None:
    """An import killed half-way, then what the app's GUI thread does when it opens
    that library (the baseline takes the import back there; this tree leaves it for
    the worker), in a fresh process. Each code makes its own library of the seeds
    and kills its own import of the listing in it (a file the other code made may
    have a schema it cannot open)."""
    print(f"\nimport of {total:,} papers killed half-way; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    print(f"{'code':<22} {'killed at':>9} {'GUI thread':>10} {'worker':>7} "
          f"{'longest wait':>12}  import after the next open")
    for label, code in variants:
        work = tmp / f"icut-{label.split()[0]}.db"
        _make_library(code, work, SEEDS)
        source, committed = _import_killed_half_way(code, work, listing, total)
        # What a write of the app (or of any program) waits meanwhile.
        prober = Prober(work)
        prober.start()
        gui, worker, _told = _open_as_the_app(code, work)
        prober.stop.set()
        prober.join()
        with sqlite3.connect(work) as conn:
            left = conn.execute("SELECT count(*) FROM papers WHERE first_source_id = ?",
                                (source,)).fetchone()[0]
            row = conn.execute("SELECT status FROM sources WHERE id = ?",
                               (source,)).fetchone()
        print(f"{label:<22} {committed:>9,} {gui:>9.2f}s {worker:>6.2f}s "
              f"{max(prober.waits):>11.2f}s  {row[0] if row else 'gone'}, {left:,} of its "
              f"papers", flush=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        for lock in tmp.glob("icut-*.lock"):
            lock.unlink()
        shutil.rmtree(tmp / "backups", ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=parse_size, default=30_000)
    parser.add_argument("--baseline-rev", help="git revision to compare with (same run)")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--part", choices=("all", "lock", "cut", "import"), default="all",
                        help="the write-lock table, the stopped half-way table, both, or "
                             "an import killed half-way")
    args = parser.parse_args(argv)
    listing = ensure(args.papers, args.data)
    with tempfile.TemporaryDirectory(prefix="winnow-removal-") as folder:
        tmp = Path(folder)
        os.environ["WINNOW_IMPORT_BATCH"] = "5000"
        variants = [("this tree", ROOT)]
        if args.baseline_rev:
            variants.insert(0, (f"baseline {args.baseline_rev}",
                                _unpack(args.baseline_rev, tmp / "baseline")))
        if args.part == "import":
            import_cut_short(variants, tmp, listing, args.papers)
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            return 0
        # Each code's own library of the seeds and the listing (see the module's text).
        made = []
        for label, code in variants:
            base = tmp / f"base-{label.split()[0]}.db"
            _make_library(code, base, [*SEEDS, listing])
            made.append((label, code, base, _source_of(base, listing.name)))
        if args.part == "cut":
            cut_short(made, tmp, args.papers)
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            return 0
        print(f"{args.papers} papers taken back and put back; load average before "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs, "
              f"sqlite {sqlite3.sqlite_version}", flush=True)
        print(f"{'code':<22} {'command':<14} {'longest wait':>12} {'>1 s':>5} {'tries':>6} "
              f"{'wall':>7} {'cpu':>7}")
        for label, code, base, source in made:
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
        if args.part == "all":
            cut_short(made, tmp, args.papers)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
