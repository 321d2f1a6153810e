"""Does a trending card's AI summary help search find it? Judged needs over cards
that have one, scored in one run with the summary's weight varied.

    .venv/bin/python -m bench.eval_summary              # the tables
    .venv/bin/python -m bench.eval_summary --per-need   # and each need's figures
    .venv/bin/python -m bench.eval_summary --pool NEED  # the pool judged for a need

The library is the 415 sample papers of seeds/ (abstracts, no summaries) and two
real copies of the Hugging Face Trending page (bench/judgments/trending/: 91 papers,
67 of them with an AI summary and no abstract, 24 with an abstract), imported into
a fresh file in a temporary directory. `bench/judgments/summary.json` holds
information needs whose relevant papers include summary-only cards, judged by
reading the titles, summaries and abstracts of a pool (see its "about"). Each need
is in the "tune" half or the "held-out" half, fixed in the file before any figure
was computed: the weight is chosen on the tune half and reported on the held-out
half.

Systems, every one ranking the same file:

- Winnow at summary weight w: `Library.search(query, limit=50)` with bm25's
  column weights (title 10, abstract 1, notes 4, annotations 4, summary w);
- Winnow, title + abstract only: the same search over a copy of the index with
  every summary taken out (what schema 11 indexed: a summary-only card is found
  by its title alone);
- FTS5 bm25, any word: the words ORed, `bm25(papers_fts)` with every column
  weighted 1, over the index with the summaries;
- TF-IDF cosine over title + abstract + summary.

Metrics: nDCG@10 with graded gains (2^g - 1), P@10 (papers judged 1 or 2 among
the first ten) and recall@50. Means are over needs.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sqlite3
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.eval_search import SEEDS, fts_any, ndcg, recall

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "bench" / "judgments" / "summary.json"
TRENDING = sorted((ROOT / "bench" / "judgments" / "trending").glob("*.md"))
WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def precision(ranked: Sequence[int], grades: dict[int, int], k: int = 10) -> float:
    return sum(1 for pid in ranked[:k] if grades.get(pid, 0) > 0) / k


class TfIdf:
    """Plain TF-IDF cosine ranking over title + abstract + AI summary."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.ids: list[int] = []
        counts: list[Counter[str]] = []
        df: Counter[str] = Counter()
        for paper_id, text in conn.execute(
                "SELECT id, title || ' ' || abstract || ' ' || coalesce(ai_summary, '') "
                "FROM papers ORDER BY id"):
            tokens = Counter(_TOKEN.findall(text.lower()))
            self.ids.append(paper_id)
            counts.append(tokens)
            df.update(tokens.keys())
        n = len(self.ids)
        self.idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
        self.vectors = []
        for tokens in counts:
            vector = {t: c * self.idf[t] for t, c in tokens.items()}
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            self.vectors.append({t: v / norm for t, v in vector.items()})

    def rank(self, query: str, limit: int) -> list[int]:
        tokens = Counter(t for t in _TOKEN.findall(query.lower()) if t in self.idf)
        if not tokens:
            return []
        q = {t: c * self.idf[t] for t, c in tokens.items()}
        scored = sorted((-sum(w * vector.get(t, 0.0) for t, w in q.items()), paper_id)
                        for paper_id, vector in zip(self.ids, self.vectors, strict=True))
        return [paper_id for score, paper_id in scored[:limit] if score < 0]


@contextmanager
def summary_weight(weight: float):
    """Library.search with bm25's summary column weighted `weight` (the ranker
    reads the module's BM25 text at each query)."""
    from storage.schema import FTS_WEIGHTS
    from storage.search import ranking

    saved = ranking.BM25
    weights = (*FTS_WEIGHTS[:-1], weight)
    ranking.BM25 = "bm25(papers_fts, " + ", ".join(f"{w!r}" for w in weights) + ")"
    try:
        yield
    finally:
        ranking.BM25 = saved


def build(folder: Path):
    """The library with the summaries in its index, and a copy without them."""
    from storage import Library
    from storage.schema import FTS_COLUMNS

    lib = Library(folder / "library.db")
    report = lib.import_files([*SEEDS, *TRENDING])
    if not report.ok:
        raise SystemExit(f"importing the seeds and trending copies failed: {report}")
    lib.close()
    shutil.copy(folder / "library.db", folder / "no-summary.db")
    conn = sqlite3.connect(folder / "no-summary.db")
    columns = ", ".join(FTS_COLUMNS)
    values = ", ".join(f"coalesce({c}, '')" for c in FTS_COLUMNS)
    kept = ", ".join("''" if c == "ai_summary" else f"coalesce({c}, '')" for c in FTS_COLUMNS)
    with conn:
        rows = "FROM papers WHERE coalesce(ai_summary, '') != ''"
        conn.execute(f"INSERT INTO papers_fts(papers_fts, rowid, {columns}) "
                     f"SELECT 'delete', id, {values} {rows}")
        conn.execute(f"INSERT INTO papers_fts(rowid, {columns}) SELECT id, {kept} {rows}")
    conn.close()
    return Library(folder / "library.db"), Library(folder / "no-summary.db")


def grades_by_id(lib, need: dict) -> dict[int, int]:
    from storage.text import normalise_title

    keys = {normalise_title(t): g for t, g in need["judged"].items()}
    found = {key: pid for pid, key in lib.conn.execute("SELECT id, key FROM papers")
             if key in keys}
    missing = set(keys) - set(found)
    if missing:
        raise SystemExit(f"{need['id']}: judged titles not in the library: {sorted(missing)}")
    return {found[key]: g for key, g in keys.items() if g > 0}


Ranked = Callable[[str, int], list[int]]


def systems(lib, bare) -> dict[str, Ranked]:
    tfidf = TfIdf(lib.conn)

    def weighted(weight: float) -> Ranked:
        def rank(query: str, n: int) -> list[int]:
            with summary_weight(weight):
                return lib.search(query, limit=n).ids
        return rank

    found = {f"Winnow, summary x{w:g}": weighted(w) for w in WEIGHTS}
    found["Winnow, title + abstract only"] = lambda q, n: bare.search(q, limit=n).ids
    found["FTS5 bm25, any word"] = lambda q, n: fts_any(lib.conn, q, n)
    found["TF-IDF cosine"] = tfidf.rank
    return found


Means = dict[str, tuple[float, float, float]]  # system -> nDCG@10, P@10, recall@50


def score(lib, ranked: dict[str, Ranked], needs: list[dict], per_need: bool) -> Means:
    sums: dict[str, list[tuple[float, float, float]]] = {name: [] for name in ranked}
    for need in needs:
        grades = grades_by_id(lib, need)
        row = []
        for name, rank in ranked.items():
            ids = rank(need["query"], 50)
            triple = (ndcg(ids, grades), precision(ids, grades), recall(ids, grades))
            sums[name].append(triple)
            row.append(f"{triple[0]:.2f}")
        if per_need:
            print(f"{need['id']:<24} {need['query']!r:<34} {len(grades):>3} relevant  "
                  + " ".join(row))
    return {name: tuple(sum(t[i] for t in triples) / len(triples) for i in range(3))
            for name, triples in sums.items()}  # type: ignore[misc]


def pool(lib, ranked: dict[str, Ranked], query: str, depth: int = 20) -> None:
    """Every paper in the first `depth` of any system, for judging."""
    seen: dict[int, list[str]] = {}
    for name, rank in ranked.items():
        for pid in rank(query, depth):
            seen.setdefault(pid, []).append(name)
    for pid in sorted(seen):
        title, abstract, summary = lib.conn.execute(
            "SELECT title, abstract, coalesce(ai_summary, '') FROM papers WHERE id = ?",
            (pid,)).fetchone()
        text = summary or abstract
        kind = "S" if summary else "A"
        print(f"{pid:>4} {kind} {title}\n       {' '.join(text.split())[:420]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_summary",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-need", action="store_true")
    parser.add_argument("--pool", metavar="QUERY", help="print the pool of QUERY and stop")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        lib, bare = build(Path(folder))
        try:
            ranked = systems(lib, bare)
            if args.pool:
                pool(lib, ranked, args.pool)
                return 0
            needs = json.loads(JUDGMENTS.read_text(encoding="utf-8"))["needs"]
            halves = {half: [n for n in needs if n["half"] == half]
                      for half in ("tune", "held-out")}
            results = {}
            for half, chosen in halves.items():
                if args.per_need:
                    print(f"\n{half}: nDCG@10 per need ({', '.join(ranked)})")
                results[half] = score(lib, ranked, chosen, args.per_need)
        finally:
            lib.close()
            bare.close()
    weighted = [name for name in ranked if name.startswith("Winnow, summary x")]
    best = max(weighted, key=lambda name: (round(results["tune"][name][0], 6),
                                           -abs(float(name.rsplit("x", 1)[1]) - 0.5)))
    for half, means in results.items():
        chosen = halves[half]
        print(f"\n{half} half: {len(chosen)} needs, "
              f"{sum(len(n['judged']) for n in chosen)} judgments\n")
        print("| System | nDCG@10 | P@10 | recall@50 |")
        print("|---|---|---|---|")
        for name, (n10, p10, r50) in means.items():
            mark = " (chosen on the tune half)" if name == best else ""
            print(f"| {name}{mark} | {n10:.3f} | {p10:.3f} | {r50:.3f} |")
    print(f"\nWeight chosen on the tune half: {best.rsplit('x', 1)[1]}; held-out: "
          f"nDCG@10 {results['held-out'][best][0]:.3f}, P@10 {results['held-out'][best][1]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
