"""How good is search? Judged needs over the sample papers, scored in one run.

    .venv/bin/python -m bench.eval_search            # the tables
    .venv/bin/python -m bench.eval_search --per-need # and each need's figures

`bench/judgments/search.json` holds information needs written over the 415
papers of seeds/, each with the words a user would type and the papers judged
for it by reading their titles and abstracts: 2 = what the need asks for, 1 =
related and worth seeing, absent = not relevant. Papers are keyed by their
normalised title (storage.text.normalise_title), not by a database id, so the
judgments survive any import order.

`bench/judgments/search-heldout.json` holds 10 more needs, judged the same way
but written after the search was designed and never used to tune it: the
held-out set, reported apart so that a weakness the first set hides shows.

The seeds are imported into a fresh library in a temporary directory, and every
system ranks the same file:

- Winnow: `Library.search(query, limit=50)`, as the command line runs it;
- raw FTS5 bm25, all words: each word quoted, ANDed, `ORDER BY bm25(papers_fts)`;
- raw FTS5 bm25, any word: the same words ORed;
- TF-IDF cosine: scikit-learn-style TF-IDF (lower case, unigram, smoothed idf,
  sublinear tf off, l2) over title + abstract, cosine to the query.

Metrics: nDCG@10 with the graded gains (2^g - 1), and recall@50 of the papers
judged 1 or 2. Means are over needs.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "bench" / "judgments" / "search.json"
HELDOUT = ROOT / "bench" / "judgments" / "search-heldout.json"
SETS = {"judged needs (search.json)": JUDGMENTS,
        "held-out needs (search-heldout.json)": HELDOUT}
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


def _quoted(words: Sequence[str]) -> list[str]:
    return ['"' + w.replace('"', '""') + '"' for w in words]


def fts_all(conn: sqlite3.Connection, query: str, limit: int) -> list[int]:
    words = _quoted(query.split())
    return [r[0] for r in conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts) "
        "LIMIT ?", (" AND ".join(words), limit))]


def fts_any(conn: sqlite3.Connection, query: str, limit: int) -> list[int]:
    words = _quoted(query.split())
    return [r[0] for r in conn.execute(
        "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY bm25(papers_fts) "
        "LIMIT ?", (" OR ".join(words), limit))]


class TfIdf:
    """Plain TF-IDF cosine ranking over title + abstract."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.ids: list[int] = []
        counts: list[Counter[str]] = []
        df: Counter[str] = Counter()
        for paper_id, title, abstract in conn.execute(
                "SELECT id, title, abstract FROM papers ORDER BY id"):
            tokens = Counter(_TOKEN.findall(f"{title} {abstract}".lower()))
            self.ids.append(paper_id)
            counts.append(tokens)
            df.update(tokens.keys())
        n = len(self.ids)
        self.idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
        self.vectors: list[dict[str, float]] = []
        for tokens in counts:
            vector = {t: c * self.idf[t] for t, c in tokens.items()}
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            self.vectors.append({t: v / norm for t, v in vector.items()})

    def rank(self, query: str, limit: int) -> list[int]:
        tokens = Counter(t for t in _TOKEN.findall(query.lower()) if t in self.idf)
        if not tokens:
            return []
        q = {t: c * self.idf[t] for t, c in tokens.items()}
        norm = math.sqrt(sum(v * v for v in q.values()))
        scored = []
        for paper_id, vector in zip(self.ids, self.vectors, strict=True):
            score = sum(w * vector.get(t, 0.0) for t, w in q.items()) / norm
            if score > 0:
                scored.append((-score, paper_id))
        scored.sort()
        return [paper_id for _s, paper_id in scored[:limit]]


def ndcg(ranked: Sequence[int], grades: dict[int, int], k: int = 10) -> float:
    gain = sum((2 ** grades.get(pid, 0) - 1) / math.log2(rank + 2)
               for rank, pid in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2 ** g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return gain / best if best else 0.0


def recall(ranked: Sequence[int], grades: dict[int, int], k: int = 50) -> float:
    relevant = {pid for pid, g in grades.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def load_needs(path: Path = JUDGMENTS) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["needs"]


def build_library(folder: Path):
    from storage import Library

    lib = Library(folder / "library.db")
    report = lib.import_files(SEEDS)
    if not report.ok:
        raise SystemExit(f"importing the seeds failed: {report}")
    return lib


def systems(lib) -> dict[str, Callable[[str, int], list[int]]]:
    tfidf = TfIdf(lib.conn)
    return {
        "Winnow": lambda q, n: lib.search(q, limit=n).ids,
        "FTS5 bm25, all words": lambda q, n: fts_all(lib.conn, q, n),
        "FTS5 bm25, any word": lambda q, n: fts_any(lib.conn, q, n),
        "TF-IDF cosine": tfidf.rank,
    }


def grades_by_id(lib, need: dict) -> dict[int, int]:
    from storage.text import normalise_title

    keys = {normalise_title(t): g for t, g in need["judged"].items()}
    found = {key: pid for pid, key in lib.conn.execute("SELECT id, key FROM papers")
             if key in keys}
    missing = set(keys) - set(found)
    if missing:
        raise SystemExit(f"{need['id']}: judged titles not in the library: {sorted(missing)}")
    return {found[key]: g for key, g in keys.items() if g > 0}


Means = dict[str, tuple[float, float]]  # system -> (mean nDCG@10, mean recall@50)


def score_needs(lib, ranked: dict[str, Callable[[str, int], list[int]]], needs: list[dict],
                per_need: bool = False) -> Means:
    """Mean nDCG@10 and recall@50 of each system over `needs`."""
    scores: dict[str, list[tuple[float, float]]] = {name: [] for name in ranked}
    for need in needs:
        grades = grades_by_id(lib, need)
        row = []
        for name, rank in ranked.items():
            ids = rank(need["query"], 50)
            pair = (ndcg(ids, grades), recall(ids, grades))
            scores[name].append(pair)
            row.append(f"{pair[0]:.2f}/{pair[1]:.2f}")
        if per_need:
            print(f"{need['id']:<28} {need['query']!r:<42} {len(grades):>3} relevant  "
                  + "  ".join(row))
    return {name: (sum(p[0] for p in pairs) / len(pairs), sum(p[1] for p in pairs) / len(pairs))
            for name, pairs in scores.items()}


def evaluate(per_need: bool = False, sets: dict[str, Path] = SETS) -> dict[str, Means]:
    """Each set's means, every system ranking the same freshly imported library."""
    with tempfile.TemporaryDirectory() as folder:
        lib = build_library(Path(folder))
        try:
            ranked = systems(lib)
            results = {}
            for label, path in sets.items():
                if per_need:
                    print(f"\n{label}: nDCG@10/recall@50 per system ({', '.join(ranked)})")
                results[label] = score_needs(lib, ranked, load_needs(path), per_need)
        finally:
            lib.close()
    return results


def _table(label: str, needs: list[dict], means: Means) -> bool:
    """Print one set's table; True when Winnow is at or above the best baseline on both."""
    print(f"\n{label}: {len(needs)} needs, {sum(len(n['judged']) for n in needs)} judgments\n")
    print("| System | mean nDCG@10 | mean recall@50 |")
    print("|---|---|---|")
    for name, (n10, r50) in means.items():
        print(f"| {name} | {n10:.3f} | {r50:.3f} |")
    baselines = [v for k, v in means.items() if k != "Winnow"]
    best_ndcg = max(b[0] for b in baselines)
    best_recall = max(b[1] for b in baselines)
    ours = means["Winnow"]
    print(f"\nWinnow vs the best baseline: nDCG@10 {ours[0]:.3f} vs {best_ndcg:.3f}, "
          f"recall@50 {ours[1]:.3f} vs {best_recall:.3f}")
    return ours[0] >= best_ndcg and ours[1] >= best_recall


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval_search",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-need", action="store_true", help="print each need's figures")
    args = parser.parse_args(argv)
    results = evaluate(per_need=args.per_need)
    print(f"\nOver the {len(SEEDS)} seed listings:")
    ok = [_table(label, load_needs(SETS[label]), means) for label, means in results.items()]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
