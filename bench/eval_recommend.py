"""How well For you and "more like this" find what a user wants, on judged needs.

    .venv/bin/python -m bench.eval_recommend                  # the judged needs in the repo
    .venv/bin/python -m bench.eval_recommend --judgments other.json --draws 5
    .venv/bin/python -m bench.eval_recommend --wordllama      # also the embedding, if installed

The sample listings (seeds/) are imported into a temporary library. Each need of
the judgments file (bench/judgments/recommend.json: a name, the need in words, and
the normalised titles of the papers judged relevant by reading them) makes
simulated users: one stars 5 of the need's papers and skips 10 papers outside it
(a skip is the Skipped state where the library has triage states, else "read and
left alone"), through the real Library. Then the Inbox is ranked and precision@10
and nDCG@10 are measured for the need's other papers, beside, in the same run:

- listing order: the Inbox as it is listed (newest listing first);
- TF-IDF centroid: scikit-learn's TfidfVectorizer over title + abstract, papers
  ranked by cosine to the mean of the 5 starred ones.

"More like this" is scored by P@5: for every judged paper, the share of its 5
nearest that share a need with it, beside a plain TF-IDF cosine over the same texts.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from storage import Library, sample_listings

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "bench" / "judgments" / "recommend.json"
STARS = 5
SKIPS = 10
K = 10


def load_needs(lib: Library, path: Path) -> list[tuple[str, list[int]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    ids = dict(lib.conn.execute("SELECT key, id FROM papers"))
    needs = []
    for need in data["needs"]:
        found = [ids[k] for k in need["relevant"] if k in ids]
        lost = [k for k in need["relevant"] if k not in ids]
        if lost:
            print(f"{path}: need {need['name']!r}: {len(lost)} titles not in the sample "
                  f"library (first: {lost[0]!r})", file=sys.stderr)
        if len(found) > STARS:
            needs.append((need["name"], found))
    return needs


def skip(lib: Library, ids: list[int], undo: bool = False) -> None:
    set_state = getattr(lib, "set_state", None)
    if set_state is not None:
        set_state(ids, "inbox" if undo else "skipped")
    else:
        lib.set_read(ids, not undo)


def precision_ndcg(order: list[int], target: set[int]) -> tuple[float, float]:
    gains = [1.0 if i in target else 0.0 for i in order[:K]]
    dcg = sum(g / math.log2(r + 2) for r, g in enumerate(gains))
    ideal = sum(1 / math.log2(r + 2) for r in range(min(K, len(target))))
    return sum(gains) / K, (dcg / ideal if ideal else 0.0)


def plain_tfidf(lib: Library) -> tuple[list[int], np.ndarray]:
    rows = lib.conn.execute("SELECT id, title, abstract FROM papers ORDER BY id").fetchall()
    matrix = TfidfVectorizer(stop_words="english").fit_transform(
        [f"{t} {a}" for _, t, a in rows])
    return [r[0] for r in rows], matrix


def wordllama_vectors(lib: Library) -> tuple[list[int], np.ndarray] | None:
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError:
        print("wordllama is not installed: skipped", file=sys.stderr)
        return None
    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    rows = lib.conn.execute("SELECT id, title, abstract FROM papers ORDER BY id").fetchall()
    return [r[0] for r in rows], normalize(model.embed([f"{t}. {a}" for _, t, a in rows]))


def dense_sims(matrix: object) -> np.ndarray:
    sims = matrix @ matrix.T
    return sims.toarray() if hasattr(sims, "toarray") else np.asarray(sims)


def similar_p5(needs: list[tuple[str, list[int]]], neighbours) -> float:
    shares: dict[int, set[int]] = {}
    for _, rel in needs:
        for paper in rel:
            shares.setdefault(paper, set()).update(rel)
    scores = []
    for paper, relevant in shares.items():
        found = [i for i in neighbours(paper) if i != paper][:5]
        scores.append(sum(1 for i in found if i in relevant) / 5)
    return float(np.mean(scores))


def run(judgments: Path, draws: int, with_wordllama: bool) -> dict[str, object]:
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Path(tmp) / "library.db")
        report = lib.import_files(sample_listings())
        if not report.ok:
            raise SystemExit(f"could not import the samples: {report}")
        started = time.perf_counter()
        lib.update_vectors()
        vector_seconds = time.perf_counter() - started
        needs = load_needs(lib, judgments)
        all_ids = [r[0] for r in lib.conn.execute("SELECT id FROM papers")]
        listing = lib.search("is:unread", limit=None).ids
        plain_ids, plain = plain_tfidf(lib)
        plain_row = {i: r for r, i in enumerate(plain_ids)}
        extra = wordllama_vectors(lib) if with_wordllama else None
        methods = ["For you (Winnow)", "TF-IDF centroid", "listing order"]
        if extra is not None:
            methods.append("wordllama centroid")
        per_need: dict[str, dict[str, list[tuple[float, float]]]] = {}
        train_times = []
        for n, (name, relevant) in enumerate(needs):
            per_need[name] = {m: [] for m in methods}
            outside = sorted(set(all_ids) - set(relevant))
            for draw in range(draws):
                rng = random.Random(f"{name}/{draw}")
                stars = rng.sample(relevant, STARS)
                skips = rng.sample(outside, SKIPS)
                target = set(relevant) - set(stars)
                decided = set(stars) | set(skips)
                lib.set_starred(stars)
                skip(lib, skips)
                started = time.perf_counter()
                ranking = lib.recommend()
                train_times.append(time.perf_counter() - started)
                assert not ranking.cold, ranking.message
                per_need[name]["For you (Winnow)"].append(precision_ndcg(ranking.ids, target))
                inbox = [i for i in listing if i not in decided]
                per_need[name]["listing order"].append(precision_ndcg(inbox, target))
                centre = np.asarray(plain[[plain_row[i] for i in stars]].mean(axis=0)).ravel()
                rows = [plain_row[i] for i in inbox]
                scores = np.asarray(plain[rows] @ centre).ravel()
                order = [inbox[i] for i in np.argsort(-scores, kind="stable")]
                per_need[name]["TF-IDF centroid"].append(precision_ndcg(order, target))
                if extra is not None:
                    ids_e, emb = extra
                    row_e = {i: r for r, i in enumerate(ids_e)}
                    centre = emb[[row_e[i] for i in stars]].mean(axis=0)
                    scores = emb[[row_e[i] for i in inbox]] @ centre
                    order = [inbox[i] for i in np.argsort(-scores, kind="stable")]
                    per_need[name]["wordllama centroid"].append(precision_ndcg(order, target))
                lib.set_starred(stars, False)
                skip(lib, skips, undo=True)
            print(f"  {n + 1}/{len(needs)} {name}", file=sys.stderr)
        summary = {}
        for method in methods:
            pairs = [p for need in per_need.values() for p in need[method]]
            summary[method] = {"P@10": float(np.mean([p for p, _ in pairs])),
                               "nDCG@10": float(np.mean([d for _, d in pairs]))}
        results["ranking"] = summary
        results["ranking_per_need"] = {
            name: {m: round(float(np.mean([p for p, _ in v])), 3) for m, v in need.items()}
            for name, need in per_need.items()}
        plain_sims = dense_sims(plain)

        def plain_neighbours(paper: int) -> list[int]:
            row = plain_sims[plain_row[paper]].copy()
            row[plain_row[paper]] = -1
            return [plain_ids[i] for i in np.argsort(-row, kind="stable")[:5]]

        similar = {"Winnow similar": similar_p5(needs, lambda p: lib.similar(p, limit=5)),
                   "TF-IDF cosine": similar_p5(needs, plain_neighbours)}
        if extra is not None:
            ids_e, emb = extra
            sims_e = emb @ emb.T
            row_e = {i: r for r, i in enumerate(ids_e)}

            def emb_neighbours(paper: int) -> list[int]:
                row = sims_e[row_e[paper]].copy()
                row[row_e[paper]] = -1
                return [ids_e[i] for i in np.argsort(-row, kind="stable")[:5]]

            similar["wordllama cosine"] = similar_p5(needs, emb_neighbours)
        results["similar_P@5"] = similar
        results["needs"] = len(needs)
        results["users"] = len(needs) * draws
        results["vectorise_seconds_415"] = vector_seconds
        results["recommend_seconds_median"] = float(np.median(train_times))
        lib.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--judgments", type=Path, default=JUDGMENTS)
    parser.add_argument("--draws", type=int, default=5, help="simulated users per need")
    parser.add_argument("--wordllama", action="store_true")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    results = run(args.judgments, args.draws, args.wordllama)
    print(f"{results['needs']} needs, {results['users']} simulated users "
          f"({STARS} stars, {SKIPS} skips each)\n")
    print("| Inbox ranking | P@10 | nDCG@10 |\n|---|---|---|")
    for method, figures in results["ranking"].items():
        print(f"| {method} | {figures['P@10']:.3f} | {figures['nDCG@10']:.3f} |")
    print("\n| More like this | P@5 |\n|---|---|")
    for method, p5 in results["similar_P@5"].items():
        print(f"| {method} | {p5:.3f} |")
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
