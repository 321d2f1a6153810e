"""For you: a model of what the user wants, learnt from their own decisions.

Positives are the papers the user acted on: starred, tagged, highlighted, noted or
shortlisted. Negatives are the papers they skipped (a paper read with no other
action counts as a weak negative), plus a few random library papers: the
Scholar Inbox recipe, since a handful of decisions alone says little about what
the user does not want. The model is a logistic regression over the TF-IDF vectors
of storage/vectors.py, one for the Inbox and one per tag (arxiv-sanity trains a
linear SVM per tag; on the judged needs the two rank alike, and a probability is a
score a user can read). Everything stays in this process: no model is written
anywhere, and it is retrained in a second or less from the library itself.

The fit is scikit-learn's LogisticRegression(C=1, class_weight="balanced") written
out as a few Newton steps in numpy (`fit_logistic`; the tests hold it to
scikit-learn's coefficients): importing scikit-learn's solvers costs the app
process about 75 MB, more than the 100k-paper vectors themselves.

With fewer than MIN_POSITIVES positives there is nothing to learn from; the
ranking says so and orders by upvotes and recency instead.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from storage.vectors import IndexCache, VectorIndex, surface, term_names, top, update_vectors

MIN_POSITIVES = 5
RANDOM_NEGATIVES = 200
RANDOM_WEIGHT = 0.3  # a random paper is probably, not surely, of no interest
WEAK_WEIGHT = 0.5  # read and left alone: a softer "no" than a skip
MAX_NEGATIVES = 2000  # of each kind, newest first
WHY_TERMS = 4
WHY_LIKE = 2
# Candidates scored from their own stored vectors rather than by a pass over every
# paper: fewer than 1/FEW_ROWS of the library and at most FEW_MAX (reading 10k
# stored vectors at 1M took as long as the pass).
FEW_ROWS = 8
FEW_MAX = 2000


# ---------------------------------------------------------------- decisions
@dataclass
class Decisions:
    positives: dict[int, str] = field(default_factory=dict)  # id -> why it counts
    negatives: dict[int, float] = field(default_factory=dict)  # id -> sample weight


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _state_sql(conn: sqlite3.Connection) -> str | None:
    """SQL giving a paper's triage state, once the library has triage states."""
    if "state" in _columns(conn, "papers"):
        return "p.state"
    return None


def decisions(conn: sqlite3.Connection, tag: str | None = None) -> Decisions:
    """What the user's marks say: for the Inbox model, or for one tag's."""
    found = Decisions()
    state = _state_sql(conn)
    if tag is not None:
        for paper_id, in conn.execute(
                "SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE t.name = ? COLLATE NOCASE", (tag,)):
            found.positives[paper_id] = f"tagged #{tag}"
    else:
        # The kept papers come from the indexes (a scan of the papers table costs
        # half a second at 100k); their reasons are read for those papers alone.
        kept = sorted(kept_ids(conn))
        for start in range(0, len(kept), 500):
            chunk = kept[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for paper_id, starred, first_tag, highlighted, noted in conn.execute(
                    "SELECT p.id, p.starred, "
                    "(SELECT t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                    " WHERE pt.paper_id = p.id ORDER BY t.name LIMIT 1), "
                    "EXISTS (SELECT 1 FROM annotations a WHERE a.paper_id = p.id), "
                    f"p.note != '' FROM papers p WHERE p.id IN ({marks})", chunk):
                found.positives[paper_id] = (
                    "starred" if starred else f"tagged #{first_tag}" if first_tag
                    else "highlighted" if highlighted else "noted" if noted
                    else "shortlisted")
    # The newest negatives only: a year of skips must not make every retraining
    # slower; what the user turned down lately says the most.
    if state:
        for paper_id, in conn.execute(
                f"SELECT p.id FROM papers p WHERE {state} = 'skipped' "
                f"ORDER BY p.id DESC LIMIT ?", (MAX_NEGATIVES,)):
            if paper_id not in found.positives:
                found.negatives[paper_id] = 1.0
    # Read with no other action: the user looked and moved on.
    for paper_id, in conn.execute("SELECT id FROM papers WHERE read_at IS NOT NULL "
                                  "ORDER BY read_at DESC LIMIT ?", (MAX_NEGATIVES,)):
        if paper_id not in found.positives and paper_id not in found.negatives:
            found.negatives[paper_id] = WEAK_WEIGHT
    return found


def kept_ids(conn: sqlite3.Connection, tag: str | None = None) -> set[int]:
    """The positives alone (cheap: indexes only), for leaving them out of a ranking."""
    if tag is not None:
        return {r[0] for r in conn.execute(
            "SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
            "WHERE t.name = ? COLLATE NOCASE", (tag,))}
    state = _state_sql(conn)
    found = {r[0] for r in conn.execute(
        "SELECT id FROM papers WHERE starred UNION SELECT id FROM papers WHERE note != '' "
        "UNION SELECT paper_id FROM paper_tags UNION SELECT paper_id FROM annotations")}
    if state:
        found.update(r[0] for r in conn.execute(
            f"SELECT p.id FROM papers p WHERE {state} = 'shortlist'"))
    return found


def marks_version(conn: sqlite3.Connection) -> tuple[int, int]:
    """Changes whenever the user decides anything (every action is logged) or undoes it."""
    row = conn.execute("SELECT coalesce(max(id), 0), coalesce(sum(undone), 0) FROM events"
                       ).fetchone()
    return int(row[0]), int(row[1])


# -------------------------------------------------------------------- model
@dataclass
class InterestModel:
    coef: np.ndarray  # float32, one weight per vector term
    intercept: float
    positive_ids: np.ndarray
    reasons: dict[int, str]
    tag: str | None
    version: tuple[int, int, int]  # (vectors generation, marks version)
    index: VectorIndex
    _all: np.ndarray | None = field(default=None, repr=False)  # scores, made on first use

    def scores(self, rows: np.ndarray, conn: sqlite3.Connection | None = None
               ) -> np.ndarray:
        """Probability of interest of the index rows given."""
        if not len(rows):
            return np.zeros(0, np.float32)
        if (self._all is None and conn is not None and len(rows) <= FEW_MAX
                and len(rows) * FEW_ROWS < len(self.index)):
            # A few candidates (a triaged Inbox, a tag's suggestions in a big
            # library): their stored vectors alone, not a pass over every paper
            # (193 ms at 1M).
            vectors = self.index.vectors(conn, self.index.ids[rows])
            return _probability(vectors @ self.coef, self.intercept)
        # Many: every row at once, then the ones asked for: one pass over the
        # matrix, where reading their vectors one by one would cost more.
        self.warm()
        assert self._all is not None
        return self._all[rows]

    def warm(self) -> None:
        """Score every paper now: the app's worker does, so that the GUI thread only
        looks scores up."""
        if self._all is None:
            self._all = _probability(self.index.matrix @ self.coef, self.intercept)

    def why(self, conn: sqlite3.Connection, paper_id: int) -> Why | None:
        """The terms that weighed most for this paper and the kept papers nearest to it."""
        row = self.index.row(paper_id)
        if row is None:
            return None
        vector = self.index.vectors(conn, [paper_id])
        indices, values = vector.indices, vector.data
        inside = indices < len(self.coef)
        contrib = np.zeros(len(indices), np.float32)
        contrib[inside] = values[inside] * self.coef[indices[inside]]
        order = np.argsort(-contrib)
        best = [int(indices[i]) for i in order[:WHY_TERMS * 2] if contrib[i] > 0]
        title, abstract = conn.execute("SELECT title, abstract FROM papers WHERE id = ?",
                                       (paper_id,)).fetchone()
        names = term_names(conn, best)
        words: list[str] = []
        for term_id in best:
            word = surface(names.get(term_id, ""), title, abstract or "")
            # "speculative" says nothing more once "speculative decoding" is there.
            if word and not any(word in w or w in word for w in words):
                words.append(word)
            if len(words) == WHY_TERMS:
                break
        like: list[tuple[int, str, str]] = []
        pos_rows, pos_ids = self.index.rows_of(self.positive_ids)
        pos_ids = pos_ids[pos_rows != row]
        pos_rows = pos_rows[pos_rows != row]
        if len(pos_rows):
            kept = self.index.vectors(conn, pos_ids)
            sims = np.asarray((kept @ vector.T).todense()).ravel()
            for other, _ in top(pos_ids, sims, WHY_LIKE, floor=0.02):
                found = conn.execute("SELECT title FROM papers WHERE id = ?",
                                     (other,)).fetchone()
                if found:
                    like.append((other, found[0], self.reasons.get(other, "kept")))
        return Why(words, like)


def _probability(margin: np.ndarray, intercept: float) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -(margin + np.float32(intercept)))).astype(np.float32)


@dataclass
class Why:
    terms: list[str]
    like: list[tuple[int, str, str]]  # (id, title, "starred" / "tagged #x" / ...)

    def text(self, isolate: Callable[[str], str] = str) -> str:
        """One sentence or two. `isolate` wraps each title (the app puts them in
        bidi isolates: an open U+202E in a title turned the app's words after it
        around)."""
        parts = []
        if self.terms:
            parts.append("Words that weighed most: " + ", ".join(self.terms) + ".")
        if self.like:
            parts.append("Closest to " + "; ".join(
                f"\u201c{isolate(title)}\u201d ({reason})"
                for _, title, reason in self.like) + ".")
        return " ".join(parts) or "Ranked by your model; no single word stands out."

    def as_dict(self) -> dict[str, object]:
        return {"terms": self.terms,
                "like": [{"id": i, "title": t, "reason": r} for i, t, r in self.like],
                "text": self.text()}


def fit_logistic(features: sp.csr_matrix, labels: np.ndarray, sample_weight: np.ndarray,
                 *, c: float = 1.0, tol: float = 1e-5, steps: int = 30
                 ) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression with balanced class weights and an
    unpenalised intercept, as scikit-learn's LogisticRegression(C=c,
    class_weight="balanced"): minimise c * sum(s_i * log(1 + exp(-t_i (x_i.w + b))))
    + |w|^2 / 2 by Newton steps whose systems are solved by conjugate gradients
    (Hessian-vector products only: the Hessian is never formed)."""
    x = features.astype(np.float64).tocsr()
    xt = x.T.tocsr()
    y = labels.astype(int)
    d = x.shape[1]
    weight = sample_weight.astype(np.float64)
    # "balanced" as scikit-learn counts it: by the classes' total sample weight.
    totals = np.bincount(y, weights=weight, minlength=2)
    s = c * weight * (weight.sum() / (2.0 * totals))[y]
    t = 2.0 * y - 1.0
    w = np.zeros(d + 1)

    def loss(v: np.ndarray) -> float:
        z = t * (x @ v[:-1] + v[-1])
        return float(s @ np.logaddexp(0.0, -z) + 0.5 * v[:-1] @ v[:-1])

    for _ in range(steps):
        z = t * (x @ w[:-1] + w[-1])
        p = np.exp(-np.logaddexp(0.0, z))  # sigmoid(-z), without overflow
        g = -s * t * p
        grad = np.concatenate([xt @ g + w[:-1], [g.sum()]])
        if np.abs(grad).max() < tol:
            break
        curve = s * p * (1.0 - p)

        def hess(v: np.ndarray, curve: np.ndarray = curve) -> np.ndarray:
            dv = curve * (x @ v[:-1] + v[-1])
            # A whisper of curvature on the intercept keeps the system definite.
            return np.concatenate([xt @ dv + v[:-1], [dv.sum() + 1e-10 * v[-1]]])

        step = _conjugate_gradients(hess, -grad, tol=min(0.5, np.sqrt(np.abs(grad).max())))
        before, slope, size = loss(w), float(grad @ step), 1.0
        while size > 1e-6 and loss(w + size * step) > before + 1e-4 * size * slope:
            size /= 2
        w = w + size * step
    return w[:-1].astype(np.float32), float(w[-1])


def _conjugate_gradients(apply, rhs: np.ndarray, *, tol: float, limit: int = 100
                         ) -> np.ndarray:
    out = np.zeros_like(rhs)
    r = rhs.copy()
    p = r.copy()
    rr = r @ r
    goal = (tol * np.sqrt(rr)) ** 2
    for _ in range(limit):
        if rr <= goal:
            break
        ap = apply(p)
        curvature = p @ ap
        if curvature <= 0:
            break
        alpha = rr / curvature
        out += alpha * p
        r -= alpha * ap
        new = r @ r
        p = r + (new / rr) * p
        rr = new
    return out


def train(index: VectorIndex, found: Decisions, conn: sqlite3.Connection, *,
          tag: str | None = None, version: tuple[int, int, int] = (0, 0, 0),
          seed: int = 0) -> InterestModel | None:
    """Fit the model, or None while there are fewer than MIN_POSITIVES positives."""
    pos_rows, pos_ids = index.rows_of(found.positives)
    if len(pos_rows) < MIN_POSITIVES:
        return None
    neg_ids = list(found.negatives)
    neg_rows, neg_ids_kept = index.rows_of(neg_ids)
    neg_weights = np.array([found.negatives[int(i)] for i in neg_ids_kept], np.float32)
    decided = np.zeros(len(index), bool)
    decided[pos_rows] = True
    decided[neg_rows] = True
    rng = np.random.default_rng(seed)
    pool = np.flatnonzero(~decided)
    extra = rng.choice(pool, size=min(RANDOM_NEGATIVES, len(pool)), replace=False) \
        if len(pool) else np.zeros(0, np.int64)
    rows = np.concatenate([pos_rows, neg_rows, extra]).astype(np.int64)
    labels = np.concatenate([np.ones(len(pos_rows)), np.zeros(len(neg_rows) + len(extra))])
    weights = np.concatenate([np.ones(len(pos_rows)), neg_weights,
                              np.full(len(extra), RANDOM_WEIGHT)])
    if labels.min() == labels.max():
        return None
    # A few thousand papers at most: their stored vectors, weighed as the index.
    features = index.vectors(conn, index.ids[rows])
    # Only the terms the decided papers hold can get a weight: fitting over those
    # columns alone keeps the solver's vectors small at any vocabulary size.
    used = np.unique(features.indices)
    weights_used, intercept = fit_logistic(features[:, used], labels, weights)
    coef = np.zeros(index.matrix.shape[1], np.float32)
    coef[used] = weights_used
    return InterestModel(coef, intercept, pos_ids.copy(),
                         {int(i): found.positives[int(i)] for i in pos_ids}, tag, version,
                         index)


# ------------------------------------------------------------------ ranking
@dataclass
class Ranking:
    """The Inbox (or a tag's unread candidates) in the order to read them."""

    ids: list[int]
    scores: list[float]  # probability of interest; upvotes-and-recency rank when cold
    cold: bool
    positives: int
    tag: str | None
    message: str


def candidates(conn: sqlite3.Connection, tag: str | None) -> list[int]:
    state = _state_sql(conn)
    inbox = f"{state} = 'inbox'" if state else "p.read_at IS NULL"
    if tag is None:
        return [r[0] for r in conn.execute(f"SELECT p.id FROM papers p WHERE {inbox}")]
    return [r[0] for r in conn.execute(
        f"SELECT p.id FROM papers p WHERE {inbox} AND p.id NOT IN ("
        "SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
        "WHERE t.name = ? COLLATE NOCASE)", (tag,))]


def cold_order(conn: sqlite3.Connection, ids: list[int]) -> list[int]:
    """Upvotes, then the newest first: what the community found worth reading."""
    if not ids:
        return []
    wanted = set(ids)
    return [r[0] for r in conn.execute(
        "SELECT id FROM papers ORDER BY coalesce(upvotes, 0) DESC, published DESC, "
        "added_at DESC, id DESC") if r[0] in wanted]


def _cold_message(positives: int, tag: str | None) -> str:
    what = f"papers tagged #{tag}" if tag else \
        "papers starred, tagged, highlighted, noted or shortlisted"
    return (f"Not enough to learn from yet: {positives} of {MIN_POSITIVES} {what}. "
            f"Ordered by upvotes and recency meanwhile.")


class Recommender:
    """Models of one library, kept in memory and retrained when the marks change.

    Thread-safe: a background thread calls `refresh()` on its own connection while
    the GUI thread reads `ranking()` with `train=False`, which never fits a model.
    """

    def __init__(self) -> None:
        self.vectors = IndexCache()
        self._models: dict[str | None, InterestModel | None] = {}
        self._versions: dict[str | None, tuple[int, int, int]] = {}
        self._lock = threading.Lock()

    def _version(self, conn: sqlite3.Connection, index: VectorIndex) -> tuple[int, int, int]:
        return (index.generation, *marks_version(conn))

    def stale(self, conn: sqlite3.Connection, tag: str | None = None) -> bool:
        from storage.vectors import generation

        with self._lock:
            seen = self._versions.get(_key(tag))
        return seen != (generation(conn), *marks_version(conn))

    def refresh(self, conn: sqlite3.Connection, tag: str | None = None,
                *, vectorise: bool = True, warm: bool = False) -> InterestModel | None:
        """Bring vectors and the model up to date (the slow part: call off the GUI
        thread). Returns the model, None when cold. `warm` scores every paper too,
        before the model is handed out (the app's worker)."""
        if vectorise:
            update_vectors(conn)
        index = self.vectors.get(conn)
        version = self._version(conn, index)
        key = _key(tag)
        with self._lock:
            if self._versions.get(key) == version:
                return self._models.get(key)
        model = train(index, decisions(conn, tag), conn, tag=tag, version=version)
        if model is not None and warm:
            model.warm()
        with self._lock:
            self._models[key] = model
            self._versions[key] = version
        return model

    def model(self, tag: str | None = None) -> InterestModel | None:
        with self._lock:
            return self._models.get(_key(tag))

    def trained(self, tag: str | None = None) -> bool:
        with self._lock:
            return _key(tag) in self._versions

    def ranking(self, conn: sqlite3.Connection, tag: str | None = None, *,
                train: bool = True, limit: int | None = None,
                vectorise: bool = True) -> Ranking:
        """The ranked candidates. `train=False` uses the last model as it is."""
        model = self.refresh(conn, tag, vectorise=vectorise) if train else self.model(tag)
        # What the user already kept is decided: the ranking is of what is left.
        kept = kept_ids(conn, tag)
        ids = [i for i in candidates(conn, tag) if i not in kept]
        if model is None:
            positives = len(kept)
            ordered = cold_order(conn, ids)
            if limit is not None:
                ordered = ordered[:limit]
            message = _cold_message(positives, tag)
            if not train and not self.trained(tag) and positives >= MIN_POSITIVES:
                message = "Learning from your decisions\u2026 ordered by upvotes and recency " \
                          "until the model is ready."
            return Ranking(ordered, [1.0 / (1 + i) for i in range(len(ordered))], True,
                           positives, tag, message)
        rows, vectorised = model.index.rows_of(ids)
        scores = model.scores(rows, conn)
        order = best_first(scores, limit)
        ranked: list[int] = vectorised[order].tolist()
        ranked_scores: list[float] = scores[order].tolist()
        # Papers without a vector yet (imported a moment ago) follow, unranked.
        rest: list[int] = []
        if len(vectorised) < len(ids):
            seen = set(vectorised.tolist())
            rest = [i for i in ids if i not in seen]
            if limit is not None:
                rest = rest[:max(0, limit - len(ranked))]
        what = f"#{tag}" if tag else "your"
        return Ranking(ranked + rest, ranked_scores + [0.0] * len(rest), False,
                       len(model.positive_ids), tag,
                       f"Ranked by a model of {what} {len(model.positive_ids)} kept papers.")

    def why(self, conn: sqlite3.Connection, paper_id: int, tag: str | None = None
            ) -> Why | None:
        model = self.model(tag)
        return None if model is None else model.why(conn, paper_id)


def best_first(scores: np.ndarray, limit: int | None) -> np.ndarray:
    """Positions of the `limit` highest scores, best first, ties in the order given
    (a stable sort's order). With a limit, only those are sorted: ordering all of a
    1M Inbox to print 20 cost more than scoring it."""
    if limit is None or limit >= len(scores):
        return np.argsort(-scores, kind="stable")
    if limit <= 0:
        return np.zeros(0, np.int64)
    # Everything scoring at least the limit-th best, so that ties at the boundary
    # are settled by position as a full stable sort would.
    threshold = -np.partition(-scores, limit - 1)[limit - 1]
    part = np.flatnonzero(scores >= threshold)
    return part[np.lexsort((part, -scores[part]))][:limit]


def _key(tag: str | None) -> str | None:
    return None if tag is None else tag.casefold()
