"""What For you and "more like this" cost at 100k (or 1M) papers.

    .venv/bin/python -m bench.scale_recommend --papers 100000
    .venv/bin/python -m bench.scale_recommend --papers 100000 --library /tmp/lib-100k.db
    .venv/bin/python -m bench.scale_recommend --papers 1000000 --synthetic-index

A synthetic listing (bench/generate.py) is imported into a fresh library (or an
existing one is reused with --library), then, each step timed:

1. vectorise every paper (the one-time cost after an upgrade or a bulk import);
2. import one more day's listing (250 papers) and vectorise just those;
3. in a fresh process: open the library, load the vectors, train the For you model
   for a user with 20 stars and 50 skips, rank the whole Inbox; then star one more
   paper and retrain (what the GUI's worker does after a decision); `similar` for
   200 random papers (p50/p95). Peak RSS and RSS after each step are reported; the
   baseline is the same process right after opening the library and running one
   search, before anything of this feature was imported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """The process's highest resident size so far (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def listing(papers: int, out: Path) -> Path:
    if not out.exists():
        subprocess.run([sys.executable, "-m", "bench.generate", "--papers", str(papers),
                        "--no-jsonl", "-o", str(out)], check=True, cwd=ROOT)
    return out


def build(library: Path, papers: int, data: Path) -> dict[str, float]:
    from storage import Library

    figures: dict[str, float] = {}
    with Library(library) as lib:
        if lib.is_empty():
            started = time.perf_counter()
            report = lib.import_files([listing(papers, data / f"listing-{papers}.txt")])
            assert report.ok, report
            figures["import_s"] = time.perf_counter() - started
        started = time.perf_counter()
        figures["vectorised"] = lib.update_vectors()
        figures["vectorise_all_s"] = time.perf_counter() - started
        day = data / "listing-day-250.txt"
        if not day.exists():
            # Another random seed: other titles, so the day's papers are new.
            subprocess.run([sys.executable, "-m", "bench.generate", "--papers", "250",
                            "--seed", "1", "--no-jsonl", "-o", str(day)], check=True,
                           cwd=ROOT)
        lib.import_files([day])
        started = time.perf_counter()
        figures["vectorised_day"] = lib.update_vectors()
        figures["vectorise_day_s"] = time.perf_counter() - started
        figures["db_mb"] = library.stat().st_size / 2**20
        figures["vector_table_mb"] = lib.conn.execute(
            "SELECT coalesce(sum(length(terms) + length(tf)), 0) FROM paper_vectors"
        ).fetchone()[0] / 2**20
        figures["terms"] = lib.conn.execute("SELECT count(*) FROM vector_terms").fetchone()[0]
    return figures


def measure(library: Path) -> dict[str, float]:
    """Run in a fresh process: memory is this process's own."""
    from storage import Library

    figures: dict[str, float] = {}
    lib = Library(library)
    lib.search("model", limit=50)
    base = rss_mb()
    figures["rss_base_mb"] = base
    rng = random.Random(7)
    ids = [r[0] for r in lib.conn.execute("SELECT id FROM papers")]
    # A user: 20 stars among papers on one made-up topic word, 50 skips.
    topical = [r[0] for r in lib.conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'quantization' LIMIT 400")]
    stars = rng.sample(topical, 20)
    skips = rng.sample(ids, 50)
    lib.set_starred(stars)
    lib.set_read(skips)
    rec = lib.recommender
    started = time.perf_counter()
    import storage.learn  # noqa: F401  (numpy, scipy, scikit-learn)
    figures["import_modules_s"] = time.perf_counter() - started
    figures["rss_modules_mb"] = rss_mb() - base
    started = time.perf_counter()
    index = rec.vectors.get(lib.conn)
    figures["load_vectors_s"] = time.perf_counter() - started
    figures["rss_vectors_mb"] = rss_mb() - base
    # The load's own transient peak (nothing else of this feature has run yet).
    figures["peak_load_mb"] = peak_mb() - base
    matrix = index.matrix
    figures["matrix_mb"] = (matrix.data.nbytes + matrix.indices.nbytes
                            + matrix.indptr.nbytes) / 2**20
    started = time.perf_counter()
    rec.refresh(lib.conn, vectorise=False)
    figures["train_first_s"] = time.perf_counter() - started
    rank_times = []
    for _ in range(5):
        started = time.perf_counter()
        ranking = rec.ranking(lib.conn, train=False)
        rank_times.append(time.perf_counter() - started)
    figures["inbox"] = len(ranking.ids)
    figures["rank_inbox_ms_median"] = statistics.median(rank_times) * 1000
    retrain = []
    fresh = [p for p in topical if not lib.get(p).starred]
    for paper in rng.sample(fresh, 5):
        lib.set_starred([paper])
        started = time.perf_counter()
        rec.refresh(lib.conn, vectorise=False)
        retrain.append(time.perf_counter() - started)
    figures["retrain_after_decision_s_median"] = statistics.median(retrain)
    figures["retrain_after_decision_s_max"] = max(retrain)
    started = time.perf_counter()
    why = [rec.why(lib.conn, pid) for pid in ranking.ids[:20]]
    figures["why_ms_each"] = (time.perf_counter() - started) * 1000 / 20
    assert all(w is not None and w.terms for w in why)
    lib.learn_in_background = True  # as the GUI: no vectorising on the caller's thread
    times = []
    for pid in rng.sample(ids, 200):
        started = time.perf_counter()
        lib.similar(pid, 10)
        times.append(time.perf_counter() - started)
    times.sort()
    figures["similar_ms_p50"] = times[len(times) // 2] * 1000
    figures["similar_ms_p95"] = times[int(len(times) * 0.95)] * 1000
    figures["rss_after_all_mb"] = rss_mb() - base
    figures["peak_rss_mb"] = peak_mb()
    figures["peak_added_mb"] = peak_mb() - base
    figures.update(_similar_by_rows(rec.vectors.peek(), lib.conn,
                                    rng.sample(ids, 200)))
    # Last: its thread loads a second copy of the vectors (the app shares one).
    figures.update(main_thread_while_learning(library, lib, ids, rng))
    lib.close()
    return figures


def synthetic_index(papers: int) -> dict[str, float]:
    """The in-memory side alone at a size whose library would take an hour to build
    here (1M): random rows of KEEP_TERMS terms over a Zipf-like vocabulary, then the
    same matrix operations as the app (load excluded: it reads the same bytes)."""
    import numpy as np

    from storage.learn import Decisions, train
    from storage.vectors import KEEP_TERMS, VectorIndex

    rng = np.random.default_rng(1)
    base = rss_mb()
    vocabulary = papers * 6  # measured: 668k terms at 100k papers
    terms = [np.unique(np.minimum((rng.pareto(0.6, KEEP_TERMS) * 50).astype(np.int64),
                                  vocabulary - 1)).astype(np.int32).tobytes()
             for _ in range(papers)]
    tfs = [np.ones(len(t) // 4, np.float32).tobytes() for t in terms]
    df = np.bincount(np.frombuffer(b"".join(terms), np.int32),
                     minlength=vocabulary).astype(np.float32)
    # The stored side, for what reads a few papers' vectors (training, a query).
    folder = tempfile.mkdtemp()
    store = Path(folder) / "vectors.db"
    conn = sqlite3.connect(store, isolation_level=None)
    conn.execute("CREATE TABLE paper_vectors (paper_id INTEGER PRIMARY KEY, terms BLOB, "
                 "tf BLOB)")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO paper_vectors VALUES (?, ?, ?)",
                     zip(range(1, papers + 1), terms, tfs, strict=True))
    conn.execute("COMMIT")
    started = time.perf_counter()
    index = VectorIndex.build(list(range(1, papers + 1)), terms, tfs, df, 1)
    build_s = time.perf_counter() - started
    del terms, tfs
    figures: dict[str, float] = {"build_s": build_s, "rss_index_mb": rss_mb() - base}
    found = Decisions({int(i): "starred" for i in rng.choice(papers, 20, replace=False) + 1},
                      {int(i): 1.0 for i in rng.choice(papers, 50, replace=False) + 1})
    started = time.perf_counter()
    model = train(index, found, conn)
    figures["train_s"] = time.perf_counter() - started
    rows = np.arange(len(index))
    started = time.perf_counter()
    model._all = None
    model.scores(rows)
    figures["score_all_ms"] = (time.perf_counter() - started) * 1000
    # A triaged Inbox: 1% of the library. Scored alone (what ranking does for a
    # few candidates), beside a full pass then a look-up, in the same run.
    few = np.sort(rng.choice(papers, papers // 100, replace=False))
    started = time.perf_counter()
    model._all = None
    model.scores(few, conn)
    figures["score_1pct_alone_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    model._all = None
    model.warm()
    model.scores(few)
    figures["score_1pct_via_all_ms"] = (time.perf_counter() - started) * 1000
    # The head of a ranking of every paper (`recommend --limit 50`): partition and
    # sort the head, beside the full stable sort it replaced.
    scores = model.scores(rows)
    from storage.learn import best_first
    started = time.perf_counter()
    head = best_first(scores, 50)
    figures["top50_partition_ms"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    full = np.argsort(-scores, kind="stable")[:50]
    figures["top50_full_sort_ms"] = (time.perf_counter() - started) * 1000
    assert head.tolist() == full.tolist()
    picked = [int(p) for p in rng.choice(papers, 50, replace=False) + 1]
    times = []
    for pid in picked:
        started = time.perf_counter()
        index.similar(conn, pid, 10)
        times.append(time.perf_counter() - started)
    times.sort()
    figures["similar_ms_p50"] = times[len(times) // 2] * 1000
    figures["similar_ms_p95"] = times[int(len(times) * 0.95)] * 1000
    figures["rss_after_all_mb"] = rss_mb() - base
    figures.update(_similar_by_rows(index, conn, picked))
    conn.close()
    store.unlink()
    os.rmdir(folder)
    return figures


def _similar_by_rows(index, conn: sqlite3.Connection, picked: list[int]
                     ) -> dict[str, float]:
    """The same-run baseline for `similar`: the previous way, one pass over every
    row (a row-major copy of the matrix, made here after the memory figures)."""
    import numpy as np

    from storage.vectors import top

    by_row = index.matrix.tocsr()
    times = []
    for pid in picked:
        started = time.perf_counter()
        vector = index.vectors(conn, [pid])
        dense = np.zeros(by_row.shape[1], np.float32)
        dense[vector.indices] = vector.data
        scores = by_row @ dense
        scores[index.row(pid)] = -1.0
        top(index.ids, scores, 10, floor=0.0)
        times.append(time.perf_counter() - started)
    times.sort()
    return {"similar_by_rows_ms_p50": times[len(times) // 2] * 1000,
            "similar_by_rows_ms_p95": times[int(len(times) * 0.95)] * 1000}


def main_thread_while_learning(library: Path, lib, ids: list[int],
                               rng: random.Random) -> dict[str, float]:
    """What the GUI thread feels while the worker reloads the vectors and retrains
    (a Python thread with its own connection, as desktop/learner.py): the longest
    wait of a 5 ms tick, and the time to write a star (a key press that writes)."""
    import sqlite3
    import threading

    from storage.learn import Recommender

    def work() -> None:
        conn = sqlite3.connect(library, isolation_level=None, check_same_thread=False)
        fresh = Recommender()
        fresh.refresh(conn, vectorise=False)
        conn.close()

    worker = threading.Thread(target=work)
    worker.start()
    gaps, stars = [], []
    while worker.is_alive():
        started = time.perf_counter()
        time.sleep(0.005)
        gaps.append(time.perf_counter() - started - 0.005)
        if len(gaps) % 20 == 0:
            started = time.perf_counter()
            lib.set_starred([rng.choice(ids)])
            stars.append(time.perf_counter() - started)
    worker.join()
    return {"worker_round_ticks": len(gaps),
            "main_thread_max_wait_ms": max(gaps) * 1000 if gaps else 0.0,
            "main_thread_p95_wait_ms": sorted(gaps)[int(len(gaps) * 0.95)] * 1000
            if gaps else 0.0,
            "star_during_worker_ms_max": max(stars) * 1000 if stars else 0.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--library", type=Path, help="reuse (or create) this library file")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--synthetic-index", action="store_true",
                        help="only the in-memory side, on random vectors (for 1M)")
    args = parser.parse_args(argv)
    if args.synthetic_index:
        for key, value in synthetic_index(args.papers).items():
            print(f"{key:34s} {value:.3f}")
        return 0
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    args.data.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        library = args.library or Path(tmp) / "library.db"
        figures = build(library, args.papers, args.data)
        out = subprocess.run([sys.executable, "-m", "bench.scale_recommend", "--measure",
                              str(library)], check=True, cwd=ROOT, capture_output=True,
                             text=True)
        figures.update(json.loads(out.stdout.strip().splitlines()[-1]))
    with open("/proc/loadavg") as f:
        figures["loadavg"] = f.read().split()[:3]
    for key, value in figures.items():
        print(f"{key:34s} {value:.3f}" if isinstance(value, float) else f"{key:34s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
