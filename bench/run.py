"""Winnow's benchmarks, each figure beside its baseline from the same run.

    python -m bench.run --sizes 10k,100k [--repeat 3] --out bench/out/results.json
    python -m bench.run --sizes 1M            # the big one: about half an hour

Prints a Markdown table and writes it, with every raw sample, as JSON. Listings are
generated into bench/data/ on first use (bench.generate); libraries go to --work
(default /tmp/winnow-bench) and are reused by the later measurements of a size.
Peak memory is each child process's own ru_maxrss (os.wait4).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bench.generate import ensure, jsonl_path, parse_size, size_label

ROOT = Path(__file__).resolve().parent.parent
# Where the children run: a snapshot of the last commit (default) or the working tree.
TREE = ROOT
PY = sys.executable
BIN = Path(PY).parent
BIG = 1_000_000


# ------------------------------------------------------------------ plumbing
@dataclass
class Proc:
    wall: float  # seconds, parent's clock around the whole process
    rss_mb: float  # the child's peak resident set
    code: int
    out: str
    err: str

    def json(self) -> dict:
        try:
            return json.loads(self.out.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            raise RuntimeError(f"worker failed ({self.code}): {self.err[-2000:]}") from None


# The child is started by this tiny wrapper, which reaps it with wait4 and reports that
# one process's peak RSS (KB) and wall time on stderr. (RUSAGE_CHILDREN in the parent
# would give the maximum over every child so far, not this one's.)
_WRAP = (
    "import os, sys, time\n"
    "t = time.perf_counter()\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execvp(sys.argv[1], sys.argv[1:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "sys.stderr.write(f'\\n@@maxrss {usage.ru_maxrss} {time.perf_counter() - t:.6f}\\n')\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def measured(cmd: list[str], *, env: dict | None = None, timeout: float = 3600) -> Proc:
    """Run `cmd` in a fresh process; its own wall time (from fork to exit) and peak RSS."""
    proc = subprocess.Popen([PY, "-c", _WRAP, *cmd], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=TREE, text=True,
                            env={**os.environ, **(env or {})}, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group of this one wrapper and its child
        out, err = proc.communicate()
        return Proc(timeout, 0.0, -9, out, err + "\n(timeout)")
    wall, rss = float("nan"), 0.0
    for line in err.splitlines()[::-1]:
        if line.startswith("@@maxrss "):
            _, kb, seconds = line.split()
            wall, rss = float(seconds), int(kb) / 1024
            break
    return Proc(wall, rss, proc.returncode, out, err)


def worker(kind: str, *args: object, **kw) -> Proc:
    return measured([PY, "-m", "bench.workers", kind, *map(str, args)], **kw)


def snapshot(work: Path) -> Path:
    """storage/, desktop/ and seeds/ as of HEAD in `work`, with this bench/ copied in:
    measures committed code, untouched by edits in flight in the shared working tree."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True)

    sha = git("rev-parse", "HEAD").stdout.decode().strip()
    dest = work / f"tree-{sha[:12]}"
    if not (dest / "storage").exists():
        tmp = work / f"tree-{sha[:12]}.part"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        paths = [p for p in ("storage", "desktop", "seeds", "assets")
                 if git("ls-tree", "--name-only", "HEAD", p).stdout.strip()]
        archive = git("archive", "--format=tar", "HEAD", *paths).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)
    shutil.rmtree(dest / "bench", ignore_errors=True)
    shutil.copytree(ROOT / "bench", dest / "bench",
                    ignore=shutil.ignore_patterns("data", "out", "__pycache__", "*.md"))
    return dest


def fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def pct(values: list[float], q: float) -> float:
    """Percentile with linear interpolation (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ machine
def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("PySide6-Essentials", "rapidfuzz", "sqlite-utils"):
        try:
            from importlib.metadata import version
            versions[name] = version(name)
        except Exception:
            versions[name] = None

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    # Search is a package (storage/search/): one digest over its files, in name order.
    search_files = sorted((TREE / "storage" / "search").glob("*.py"))
    search_digest = hashlib.sha256()
    for path in search_files:
        search_digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "packages": versions,
        "git_head": git("rev-parse", "--short", "HEAD"),
        "tree": "working tree" if TREE == ROOT else f"snapshot of HEAD ({TREE})",
        "search_py_last_commit": git("log", "-1", "--format=%h %s", "--", "storage/search"),
        "search_py_sha256": search_digest.hexdigest()[:12] if search_files else None,
    }


# ---------------------------------------------------------------- the rows
@dataclass
class Row:
    measure: str
    size: str
    winnow: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""
    note: str = ""
    data: dict = field(default_factory=dict)


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


# ------------------------------------------------------------- measurements
def bench_import(n: int, listing: Path, work: Path, repeats: int) -> tuple[list[Row], Path]:
    label = size_label(n)
    samples: dict[str, list] = {"library": [], "floor": [], "floor_defaults": [],
                                "parse": [], "su_insert": [], "su_fts": []}
    keep = work / f"lib-{label}.db"
    # The like-for-like floor builds the library's own full-text index: read it from
    # the tree being measured (a baseline tree may declare it differently).
    fts = work / "fts-config.json"
    spec = worker("fts-config", fts).json()
    for attempt in range(repeats):
        log(f"[import {label}] round {attempt + 1}/{repeats}")
        _import_round(n, listing, work, fts, samples, keep)
    rows = _import_rows(n, samples, repeats, spec)
    return rows, keep


def _sample(proc: Proc) -> dict:
    result = proc.json()
    return {"wall": proc.wall, "op": result["seconds"], "cpu": result.get("cpu"),
            "rss_mb": proc.rss_mb}


def _import_round(n: int, listing: Path, work: Path, fts: Path, samples: dict[str, list],
                  keep: Path) -> None:
    """One round of every import measurement, each in its own process on a fresh file;
    the library's file is kept for the search figures."""
    label = size_label(n)
    db = fresh(work / f"import-lib-{label}.db")
    proc = worker("import-library", listing, db)
    result = proc.json()
    if result["errors"] or result["papers"] != n:
        raise RuntimeError(f"library import: {result}")
    samples["library"].append(_sample(proc))
    fresh(keep)
    for suffix in ("", "-wal", "-shm"):
        if Path(str(db) + suffix).exists():
            Path(str(db) + suffix).replace(str(keep) + suffix)

    db = fresh(work / f"import-floor-{label}.db")
    samples["floor"].append(_sample(worker("import-floor", listing, db, fts)))
    fresh(db)
    samples["floor_defaults"].append(_sample(worker("import-floor", listing, db)))
    fresh(db)
    samples["parse"].append(_sample(worker("parse-only", listing)))

    db = fresh(work / f"import-su-{label}.db")
    su = str(BIN / "sqlite-utils")
    proc = measured([su, "insert", str(db), "papers", str(jsonl_path(listing)), "--nl"])
    if proc.code:
        raise RuntimeError(f"sqlite-utils insert: {proc.err[-1000:]}")
    fts_proc = measured([su, "enable-fts", str(db), "papers", "title", "abstract"])
    if fts_proc.code:
        raise RuntimeError(f"sqlite-utils enable-fts: {fts_proc.err[-1000:]}")
    samples["su_insert"].append({"wall": proc.wall, "rss_mb": proc.rss_mb})
    samples["su_fts"].append({"wall": fts_proc.wall, "rss_mb": fts_proc.rss_mb})
    fresh(db)


def _import_rows(n: int, samples: dict[str, list], repeats: int, spec: dict) -> list[Row]:
    label = size_label(n)

    def med(kind: str, key: str) -> float:
        return median([s[key] for s in samples[kind] if s.get(key) is not None])

    lib_s, floor_s = med("library", "wall"), med("floor", "wall")
    lib_op, floor_op = med("library", "op"), med("floor", "op")
    wall_x, op_x = lib_s / floor_s, lib_op / floor_op
    su_s = median([a["wall"] + b["wall"] for a, b in
                   zip(samples["su_insert"], samples["su_fts"], strict=True)])
    lib_rss = med("library", "rss_mb")
    su_rss = median([max(a["rss_mb"], b["rss_mb"]) for a, b in
                     zip(samples["su_insert"], samples["su_fts"], strict=True)])
    config = ", ".join(f"{k} {v}" for k, v in spec["config"]) or "FTS5 defaults"
    runs = f"median of {repeats}"
    rows = [
        Row("import: papers/s (parse+dedupe+store+index) vs like-for-like floor", label,
            f"{n / lib_s:,.0f}/s ({lib_s:.1f} s wall; import call {lib_op:.1f} s)",
            f"floor {n / floor_s:,.0f}/s ({floor_s:.1f} s wall; insert {floor_op:.1f} s)",
            f"{wall_x:.2f}x wall, {op_x:.2f}x call", "≤ 1.5x (issue 11)",
            verdict(max(wall_x, op_x) <= 1.5),
            f"{runs}; floor with the library's own FTS5 index ({len(spec['columns'])} "
            f"columns, {config}); CPU time of the two calls {med('library', 'cpu'):.1f} / "
            f"{med('floor', 'cpu'):.1f} s = {med('library', 'cpu') / med('floor', 'cpu'):.2f}x; "
            f"floor with FTS5 defaults (title and abstract, automerge 4) "
            f"{med('floor_defaults', 'wall'):.1f} s = {lib_s / med('floor_defaults', 'wall'):.2f}x "
            f"wall; parser alone {n / med('parse', 'op'):,.0f}/s"),
        Row("import: vs sqlite-utils insert --nl + enable-fts", label,
            f"{lib_s:.1f} s", f"sqlite-utils {su_s:.1f} s "
            f"({med('su_insert', 'wall'):.1f} + {med('su_fts', 'wall'):.1f})",
            f"{lib_s / su_s:.2f}x time", "< 1x", verdict(lib_s < su_s), runs),
        Row("import: peak RSS", label, f"{lib_rss:.0f} MB",
            f"sqlite-utils {su_rss:.0f} MB (floor {med('floor', 'rss_mb'):.0f} MB)",
            f"{lib_rss / su_rss:.2f}x", "< 0.33x", verdict(lib_rss < su_rss / 3),
            f"{runs}; sqlite-utils: larger of its two processes"),
    ]
    rows[0].data = samples
    return rows


def bench_search(n: int, db: Path, repeats: int) -> list[Row]:
    label = size_label(n)
    log(f"[search {label}] {repeats} rounds of 40 queries")
    result = worker("search", db, repeats).json()
    kinds: dict[str, list[float]] = {}
    for query, info in result["queries"].items():
        kinds.setdefault(info["kind"], []).extend(result["ms"][query])
    every = [t for ts in result["ms"].values() for t in ts]
    raw = [t for ts in result["raw_ms"].values() for t in ts]
    plain, typo = kinds.get("plain", []), kinds.get("typo", [])
    limit = 100.0 if n >= BIG else 16.0
    p95 = pct(every, 95)
    slowest = sorted(((median(ts), q) for q, ts in result["ms"].items()), reverse=True)[:3]
    by_kind = ", ".join(f"{k} {pct(v, 95):.1f}" for k, v in kinds.items())
    empty = [q for q, info in result["queries"].items() if info["hits"] == 0]
    all_ms = list(result["all_ids_ms"].values())
    rows = [
        Row("search: p50 / p95, 40 queries, limit 50", label,
            f"{pct(every, 50):.1f} / {p95:.1f} ms",
            f"raw FTS5 bm25 (plain words) {pct(raw, 50):.1f} / {pct(raw, 95):.1f} ms",
            f"{pct(plain, 95) / pct(raw, 95):.2f}x (plain p95)",
            f"p95 ≤ {limit:.0f} ms", verdict(p95 <= limit),
            f"{repeats} rounds after warm-up; p95 by kind: {by_kind}; slowest (median): "
            + "; ".join(f"{q} {ms:.0f} ms" for ms, q in slowest)
            + (f"; no hits: {', '.join(empty)}" if empty else "")),
        Row("search: typo p95 / plain p95", label, f"{pct(typo, 95):.1f} ms",
            f"plain {pct(plain, 95):.1f} ms", f"{pct(typo, 95) / pct(plain, 95):.2f}x",
            "≤ 3x", verdict(pct(typo, 95) <= 3 * pct(plain, 95)),
            "corrections: " + "; ".join(
                f"{q} -> {' '.join(c[1] for c in result['queries'][q]['corrections']) or '—'}"
                for q, info in result["queries"].items() if info["kind"] == "typo")),
        Row("search: every matching id (limit=None), p50 / p95", label,
            f"{pct(all_ms, 50):.1f} / {pct(all_ms, 95):.1f} ms", "", "", "", "—",
            "what a paper list holding all ids asks; 1 round; informative"),
    ]
    tiers = result.get("tier_ms") or {}
    if tiers:
        all_tier = [t for v in tiers.values() for t in v["all"]]
        some_tier = [t for v in tiers.values() for t in v["some"]]
        ratio = pct(some_tier, 95) / max(pct(all_tier, 95), 1e-9)
        rows.append(Row(
            "search: some-words tier p95 vs all-words tier p95, limit 50", label,
            f"{pct(some_tier, 50):.1f} / {pct(some_tier, 95):.1f} ms",
            f"all words {pct(all_tier, 50):.1f} / {pct(all_tier, 95):.1f} ms",
            f"{ratio:.2f}x (p95)", "≤ 2x", verdict(ratio <= 2),
            f"{len(tiers)} plain queries of several words ({', '.join(tiers)}); each tier "
            f"timed apart, {repeats} rounds after warm-up"))
    rows[0].data = result
    rows.append(_filter_row(n, db, repeats))
    return rows


def _filter_row(n: int, db: Path, repeats: int) -> Row:
    """bench.filter_probe's filtered searches, with the plan that tests each text
    match's row (the plan before filters drove) and raw FTS5 in the same rounds."""
    label = size_label(n)
    log(f"[search {label}] {repeats} rounds of filtered searches")
    result = worker("filters", db, repeats).json()
    ms, info = result["ms"], result["queries"]

    def wall(way: str, kind: str | None = None) -> list[float]:
        return [s[0] for q, samples in ms[way].items()
                if kind is None or info[q]["kind"] == kind for s in samples]

    now, rows_tested, raw = wall("now"), wall("rows"), wall("raw")
    kinds = dict.fromkeys(i["kind"] for i in info.values())
    by_kind = "; ".join(f"{k} {pct(wall('now', k), 95):.1f} (rows tested "
                        f"{pct(wall('rows', k), 95):.1f})" for k in kinds)
    slowest = sorted(((median([s[0] for s in ts]), q) for q, ts in ms["now"].items()),
                     reverse=True)[:3]
    limit = 100.0 if n >= BIG else 16.0
    marks = ", ".join(f"{k} {v:,}" for k, v in result["marks"].items())
    row = Row(
        f"search: a filter with a word, {len(info)} queries, limit 50", label,
        f"{pct(now, 50):.1f} / {pct(now, 95):.1f} ms",
        f"each match's row tested {pct(rows_tested, 50):.1f} / {pct(rows_tested, 95):.1f} ms; "
        f"raw FTS5 bm25 (the words alone) {pct(raw, 50):.1f} / {pct(raw, 95):.1f} ms",
        f"{pct(now, 95) / pct(rows_tested, 95):.2f}x (p95 vs rows tested)",
        f"p95 ≤ {limit:.0f} ms", verdict(pct(now, 95) <= limit),
        f"bench.filter_probe's queries (rare/common filter x rare/common word), "
        f"{repeats} rounds after warm-up, the three ways interleaved; p95 by kind: "
        f"{by_kind}; slowest (median): " + "; ".join(f"{q} {v:.0f} ms" for v, q in slowest)
        + f"; marks: {marks}")
    row.data = result
    return row


def bench_fuzzy(n: int, db: Path) -> list[Row]:
    label = size_label(n)
    log(f"[fuzzy {label}]")
    result = worker("fuzzy", db).json()
    ms = result["ms"]
    note = (f"{len(ms)} keystrokes: first 40 chars of {len(result['titles'])} titles; "
            f"typed title in top 20 at the end: {result['found']}/{len(result['titles'])}; "
            f"first call {result['first_ms']:.0f} ms")
    row = Row("fuzzy title jump: p50 / p95 per keystroke", label,
              f"{pct(ms, 50):.1f} / {pct(ms, 95):.1f} ms", "", "",
              "p95 ≤ 16 ms (one frame; no target in the issue)", verdict(pct(ms, 95) <= 16),
              note, data=result)
    if result["found"] == 0:
        row.note += " (fuzzy_titles returned nothing: engine not implemented?)"
        row.met = "—"
    return [row]


def gui_available() -> str | None:
    """None if the screenshot path can run, else why not."""
    if not (TREE / "desktop" / "app.py").exists():
        return "desktop/app.py (run_gui) does not exist yet"
    return None


def bench_gui(dbs: dict[str, Path], repeats: int, work: Path) -> list[Row]:
    why = gui_available()
    if why:
        return [Row("app cold start to first paint (--screenshot)", ", ".join(dbs), "skipped",
                    met="—", note=why)]
    env = {"QT_QPA_PLATFORM": "offscreen"}
    winnow = [PY, "-m", "desktop.cli"]  # the `winnow` script, run from TREE
    results: dict[str, dict] = {}
    for label, db in dbs.items():
        log(f"[gui {label}] {repeats} starts")
        walls, rss = [], []
        shot = work / f"shot-{label}.png"
        measured([*winnow, "--db", str(db), "gui", "--screenshot", str(shot)], env=env)  # warm
        for _ in range(repeats):
            shot.unlink(missing_ok=True)
            proc = measured([*winnow, "--db", str(db), "gui", "--screenshot", str(shot)],
                            env=env, timeout=600)
            if proc.code or not shot.exists():
                return [Row("app cold start to first paint (--screenshot)", label, "failed",
                            met="—", note=(proc.err.strip().splitlines() or ["?"])[-1][:200])]
            walls.append(proc.wall)
            rss.append(proc.rss_mb)
        results[label] = {"walls": walls, "rss_mb": rss}
    rows = []
    base = median(results["415"]["walls"]) if "415" in results else None
    for label, r in results.items():
        wall, mem = median(r["walls"]), median(r["rss_mb"])
        ratio = wall / base if base else None
        big = label not in ("415", "10k")
        rows.append(Row(
            "app cold start to first paint (--screenshot)", label,
            f"{wall:.2f} s, {mem:.0f} MB",
            f"415 papers {base:.2f} s" if base and label != "415" else "",
            f"{ratio:.2f}x" if ratio and label != "415" else "",
            "≤ 1.3x of 415; < 250 MB at 100k" if big else "",
            verdict((ratio or 0) <= 1.3 and (mem < 250 or label != "100k")) if big else "—",
            f"median of {repeats} fresh processes after one warm-up (OS file cache warm)",
            data=r))
    return rows


def bench_triage(n: int, db: Path, presses: int = 100) -> list[Row]:
    label = size_label(n)
    why = gui_available()
    if why:
        return [Row("triage step: r -> next abstract painted, p95", label, "skipped",
                    met="—", note=why)]
    log(f"[triage {label}]")
    proc = measured([PY, "-m", "bench.triage", str(db), "--presses", str(presses)],
                    env={"QT_QPA_PLATFORM": "offscreen"},
                    timeout=900)
    try:
        result = proc.json()
    except RuntimeError as error:
        return [Row("triage step: r -> next abstract painted, p95", label, "failed", met="—",
                    note=str(error)[-300:])]
    if result.get("skipped"):
        return [Row("triage step: r -> next abstract painted, p95", label, "skipped",
                    met="—", note=result["skipped"])]
    ms = result["ms"]
    return [Row("triage step: r -> next abstract painted, p50 / p95", label,
                f"{pct(ms, 50):.1f} / {pct(ms, 95):.1f} ms", "", "", "p95 < 16 ms",
                verdict(pct(ms, 95) < 16), f"{len(ms)} presses; {result.get('note', '')}",
                data=result)]


def seeds_db(work: Path) -> Path:
    db = work / "lib-415.db"
    if not db.exists():
        code = subprocess.run([PY, "-c", "import sys; from storage import Library; "
                               "Library(sys.argv[1]).import_files(sys.argv[2:])", str(db),
                               *map(str, sorted((TREE / "seeds").glob("*.txt")))],
                              cwd=TREE).returncode
        if code:
            raise RuntimeError("could not build the seeds library")
    return db


# ------------------------------------------------------------------ output
COLUMNS = ("Measure", "Papers", "Winnow", "Baseline (same run)", "Ratio", "Target", "Met",
           "Notes")


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        cells = (r.measure, r.size, r.winnow, r.baseline, r.ratio, r.target, r.met, r.note)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def header(info: dict) -> str:
    return (f"{info['date'][:10]} · {info['cpu']} · {info['cores']} cores · "
            f"{info['memory_gb']} GB · Python {info['python']} · SQLite {info['sqlite']} · "
            f"PySide6 {info['packages'].get('PySide6-Essentials')} · load average "
            f"{info['load_average_at_start'][1]:.1f} at start, "
            f"{info.get('load_average_at_end', [0, 0])[1]:.1f} at end · "
            f"storage/search {info['search_py_last_commit'] or 'uncommitted'} "
            f"(sha256 {info['search_py_sha256']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k",
                        help="comma-separated library sizes (10k,100k; 1M when asked)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per figure below 1M (default 3)")
    parser.add_argument("--repeat-big", type=int, default=1,
                        help="import runs per figure at 1M and above (default 1)")
    parser.add_argument("--search-rounds", type=int, default=5,
                        help="rounds of the 40 queries (default 5; 2 at 1M)")
    parser.add_argument("--only", default="import,search,fuzzy,gui,triage",
                        help="subset of import,search,fuzzy,gui,triage")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "results.json")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--work", type=Path, default=Path("/tmp/winnow-bench"))
    parser.add_argument("--tree", choices=("head", "working"), default="head",
                        help="measure the last commit (default) or the working tree as is")
    args = parser.parse_args(argv)
    global TREE
    args.work.mkdir(parents=True, exist_ok=True)
    TREE = snapshot(args.work) if args.tree == "head" else ROOT
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    only = set(args.only.split(","))
    args.work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(args.work).free / 2**30
    if max(sizes) >= BIG and free < 12:
        log(f"warning: only {free:.0f} GB free in {args.work}; 1M needs about 10 GB")
    info = machine()
    started = time.perf_counter()
    rows: list[Row] = []
    gui_dbs: dict[str, Path] = {}
    if "gui" in only:
        gui_dbs["415"] = seeds_db(args.work)
    for n in sizes:
        label = size_label(n)
        listing = ensure(n, args.data)
        big = n >= BIG
        db = args.work / f"lib-{label}.db"
        if "import" in only or not db.exists():
            import_rows, db = bench_import(n, listing, args.work,
                                           args.repeat_big if big else args.repeat)
            if "import" in only:
                rows += import_rows
        prep = worker("prepare", db).json()
        log(f"[prepare {label}] {prep['stats']} in {prep['seconds']:.1f} s")
        if "search" in only:
            rows += bench_search(n, db, min(args.search_rounds, 2) if big
                                 else args.search_rounds)
        if "fuzzy" in only:
            rows += bench_fuzzy(n, db)
        if "gui" in only:
            gui_dbs[label] = db
        if "triage" in only and n >= 100_000:
            rows += bench_triage(n, db, 30 if big else 100)
    if "gui" in only:
        rows += bench_gui(gui_dbs, 3, args.work)
    order = ["import", "search", "fuzzy", "app", "triage"]
    rows.sort(key=lambda r: next(i for i, p in enumerate(order) if r.measure.startswith(p)))
    info["seconds"] = round(time.perf_counter() - started, 1)
    info["load_average_at_end"] = os.getloadavg()
    text = f"{header(info)}\n\n{table(rows)}\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": info, "sizes": [size_label(n) for n in sizes],
                                    "rows": [asdict(r) for r in rows], "markdown": text},
                                   indent=1))
    log(f"wrote {args.out} ({info['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
