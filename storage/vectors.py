"""Each paper as a weighted bag of its words: what "more like this" and For you use.

The representation is TF-IDF over the title and abstract: Porter stems and pairs
of neighbouring stems (bigrams: "knowledge distil", "specul decod"), English stop
words left out, title words counted twice, term frequency damped (1 + log tf).
On the judged needs in bench/ it beats a plain TF-IDF cosine on both "more like
this" and the ranked Inbox; a wordllama embedding (its weights ship in the wheel)
did worse alone and pulled the TF-IDF down when mixed in, so it is not used
(figures in bench/README.md).

Stored in the library, built incrementally:

- `vector_terms` is the vocabulary: one row per term ever seen, with the number of
  vectorised papers holding it (`df`). It only grows: a new paper's new words get
  new ids, so no paper's stored vector is ever invalidated by another's arrival.
- `paper_vectors` holds, per paper, its KEEP_TERMS most distinctive terms (by
  tf-idf when it was vectorised) and their damped term frequencies. IDF is applied
  when the vectors are loaded, from the current `df`, so weights follow the library
  as it grows; only the choice of which terms to keep dates from the paper's import.
- Triggers drop a paper's vector when its title or abstract changes or it is
  deleted, keeping the text it was made from in `vector_retired`.
  `update_vectors()` is the catch-up: it takes those texts' terms out of `df`, then
  vectorises whatever has no vector. An import runs it for what it brought (up to
  storage/library/learning.py's IMPORT_VECTORS); the app's worker and `recommend` /
  `similar` run it before any use. Nothing is recomputed whole at start.

`VectorIndex` is the in-memory form: one sparse matrix of L2-normalised float32
rows, held by column (an inverted index). At 100k papers it is about 76 MB
(KEEP_TERMS x 8 bytes a paper); at 1M about 800 MB, which is where it degrades
(see bench/README.md).
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from storage.search import fold, stem

TITLE_WEIGHT = 2.0
# Terms kept per paper. On the judged needs 96 ranks as well as keeping every
# term; 48 lost 4 points of P@5 on "more like this".
KEEP_TERMS = 96
BATCH = 500
# Rows weighed, normalised and placed in their columns at a time when loading:
# bounds the temporaries (~10 MB) whatever the library's size.
_NORMALISE_ROWS = 2048

_WORD = re.compile(r"[^\W_]+")


# scikit-learn's English stop words (BSD licence; sklearn.feature_extraction's
# ENGLISH_STOP_WORDS), copied so that tokenising never imports scikit-learn.
_STOP = frozenset("""
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst amoungst amount an and another any anyhow anyone anything
    anyway anywhere are around as at back be became because become becomes becoming been before
    beforehand behind being below beside besides between beyond bill both bottom but by call can
    cannot cant co con could couldnt cry de describe detail do done down due during each eg
    eight either eleven else elsewhere empty enough etc even ever every everyone everything
    everywhere except few fifteen fifty fill find fire first five for former formerly forty
    found four from front full further get give go had has hasnt have he hence her here
    hereafter hereby herein hereupon hers herself him himself his how however hundred i ie if in
    inc indeed interest into is it its itself keep last latter latterly least less ltd made many
    may me meanwhile might mill mine more moreover most mostly move much must my myself name
    namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere
    of off often on once one only onto or other others otherwise our ours ourselves out over own
    part per perhaps please put rather re same see seem seemed seeming seems serious several she
    should show side since sincere six sixty so some somehow someone something sometime
    sometimes somewhere still such system take ten than that the their them themselves then
    thence there thereafter thereby therefore therein thereupon these they thick thin third this
    those though three through throughout thru thus to together too top toward towards twelve
    twenty two un under until up upon us very via was we well were what whatever when whence
    whenever where whereafter whereas whereby wherein whereupon wherever whether which while
    whither who whoever whole whom whose why will with within without would yet you your yours
    yourself yourselves
""".split())  # noqa: SIM905  (a word list reads better as text)
_GENERATION = "vectors_generation"


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text)) if len(w) > 1 and not w.isdigit()]


def tokens(text: str) -> list[str]:
    """The terms of a text: stems of its words (stop words out) and of neighbouring pairs."""
    stems = [None if w in _STOP else stem(w) for w in _words(text)]
    out = [s for s in stems if s]
    # A pair never spans a stop word: "mixture of experts" gives no "mixtur expert".
    out.extend(f"{a} {b}" for a, b in itertools.pairwise(stems) if a and b)
    return out


def term_counts(title: str, abstract: str) -> Counter[str]:
    counts = Counter(tokens(abstract))
    for term in tokens(title):
        counts[term] += TITLE_WEIGHT
    return counts


def idf(df: np.ndarray, papers: int) -> np.ndarray:
    """Smoothed inverse document frequency, as scikit-learn's TfidfTransformer."""
    return (np.log((1.0 + papers) / (1.0 + df)) + 1.0).astype(np.float32)


def surface(term: str, title: str, abstract: str) -> str:
    """The paper's own words a term stands for, as printed ("specul decod" ->
    "speculative decoding", "larg scale" -> "large-scale"): what a user reads in an
    explanation. The most frequent spelling wins; the stem if none is found."""
    parts = term.split(" ")
    seen: Counter[str] = Counter()
    for text in (title, abstract):
        words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
        words = [(stem(fold(w)), a, b) for w, a, b in words
                 if len(w) > 1 and not w.isdigit()]
        for i in range(len(words) - len(parts) + 1):
            window = words[i:i + len(parts)]
            if all(w[0] == p for w, p in zip(window, parts, strict=False)):
                seen[text[window[0][1]:window[-1][2]]] += 1
    return seen.most_common(1)[0][0] if seen else term


# ------------------------------------------------------------------- storage
def generation(conn: sqlite3.Connection) -> int:
    """Bumped by every change to the stored vectors (see the schema's triggers)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_GENERATION,)).fetchone()
    return int(row[0]) if row else 0


def missing(conn: sqlite3.Connection) -> int:
    """Papers without a vector."""
    return conn.execute(
        "SELECT (SELECT count(*) FROM papers) - (SELECT count(*) FROM paper_vectors)"
    ).fetchone()[0]


def retired(conn: sqlite3.Connection) -> int:
    """Dropped vectors whose terms are still counted in `df`."""
    return conn.execute("SELECT count(*) FROM vector_retired").fetchone()[0]


def behind(conn: sqlite3.Connection) -> int:
    """Work for `update_vectors`: papers without a vector and counts to take back."""
    return missing(conn) + retired(conn)


def _take_back(conn: sqlite3.Connection, *, batch: int,
               cancel: Callable[[], bool] | None) -> int:
    """Take the terms of dropped vectors (deleted papers, changed texts) out of `df`:
    a paper's terms are those of the text its vector was made from, which the
    schema's trigger kept. As for vectorising, the words are read outside the write
    lock, and inside it only the rows still there are counted, so two processes
    catching up at once never take a paper out twice."""
    done = 0
    after = 0
    while cancel is None or not cancel():
        rows = conn.execute("SELECT id, title, abstract FROM vector_retired WHERE id > ? "
                            "ORDER BY id LIMIT ?", (after, batch)).fetchall()
        if not rows:
            break
        after = rows[-1][0]
        terms = {row_id: term_counts(title, abstract or "").keys()
                 for row_id, title, abstract in rows}
        marks = ",".join("?" * len(terms))
        conn.execute("BEGIN IMMEDIATE")
        try:
            still = [r[0] for r in conn.execute(
                f"SELECT id FROM vector_retired WHERE id IN ({marks})", list(terms))]
            counts: Counter[str] = Counter()
            for row_id in still:
                counts.update(terms[row_id])
            conn.executemany("UPDATE vector_terms SET df = max(df - ?, 0) WHERE term = ?",
                             [(n, term) for term, n in counts.items()])
            conn.execute(f"DELETE FROM vector_retired WHERE id IN ({marks})", list(terms))
            if still:  # every idf moved: copies in memory must reload
                conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                             "WHERE key = ?", (_GENERATION,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        done += len(still)
        if len(rows) < batch:
            break
    return done


def _start_after(conn: sqlite3.Connection) -> int | None:
    """Where to look for papers without a vector. Usually they are the newest (an
    import just brought them) and only those above the last vectorised id are read:
    finding them among all papers reads the whole table (~150 ms at 100k), ten
    times a day's import. Otherwise (a changed abstract, an undone delete) all.
    None: no paper is without a vector."""
    count = missing(conn)
    if count <= 0:
        return None
    last = conn.execute("SELECT coalesce(max(paper_id), 0) FROM paper_vectors").fetchone()[0]
    above = conn.execute("SELECT count(*) FROM papers WHERE id > ?", (last,)).fetchone()[0]
    return last if above == count else 0


def update_vectors(conn: sqlite3.Connection, *, batch: int = BATCH,
                   cancel: Callable[[], bool] | None = None) -> int:
    """Catch up: take the papers whose vectors were dropped out of the document
    frequencies, then vectorise every paper that has no vector, up to `batch`
    papers a transaction.

    The slow part, reading the words, happens outside any transaction: the write
    lock is held only to store a batch, so a key press in the app that writes a
    star never waits for the tokeniser. Inside the lock each paper is checked again
    (still without a vector, same text), so two processes doing this at once never
    store a paper twice or a vector of an old text. The caller's connection must
    be outside a transaction. Returns how many were vectorised.
    """
    _take_back(conn, batch=batch, cancel=cancel)
    done = 0
    after = _start_after(conn)
    if after is None:
        return 0
    while cancel is None or not cancel():
        rows = conn.execute(
            "SELECT p.id, p.title, p.abstract FROM papers p "
            "LEFT JOIN paper_vectors v ON v.paper_id = p.id "
            "WHERE v.paper_id IS NULL AND p.id > ? ORDER BY p.id LIMIT ?",
            (after, batch)).fetchall()
        if not rows:
            break
        after = rows[-1][0]
        counted = {paper_id: (title, abstract, term_counts(title, abstract or ""))
                   for paper_id, title, abstract in rows}
        conn.execute("BEGIN IMMEDIATE")
        try:
            done += _store_batch(conn, counted)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if len(rows) < batch:
            break
    return done


def _store_batch(conn: sqlite3.Connection,
                 counted: dict[int, tuple[str, str, Counter[str]]]) -> int:
    ids = list(counted)
    marks = ",".join("?" * len(ids))
    still = {row[0] for row in conn.execute(
        f"SELECT p.id, p.title, p.abstract FROM papers p WHERE p.id IN ({marks}) "
        f"AND NOT EXISTS (SELECT 1 FROM paper_vectors v WHERE v.paper_id = p.id)", ids)
        if (row[1], row[2]) == counted[row[0]][:2]}
    counted_now = [(paper_id, counted[paper_id][2]) for paper_id in ids if paper_id in still]
    if not counted_now:
        return 0
    return _vectorise_counted(conn, counted_now)


def _vectorise_counted(conn: sqlite3.Connection,
                       counted: list[tuple[int, Counter[str]]]) -> int:
    rows = counted
    terms = sorted({t for _, counts in counted for t in counts})
    known: dict[str, tuple[int, int]] = {}
    for start in range(0, len(terms), 500):
        chunk = terms[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for term_id, term, df in conn.execute(
                f"SELECT id, term, df FROM vector_terms WHERE term IN ({marks})", chunk):
            known[term] = (term_id, df)
    next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM vector_terms").fetchone()[0]
    new_terms = []
    batch_df: Counter[str] = Counter()
    for _, counts in counted:
        batch_df.update(counts.keys())
    for term in terms:
        if term not in known:
            known[term] = (next_id, 0)
            new_terms.append((next_id, term))
            next_id += 1
    conn.executemany("INSERT INTO vector_terms (id, term, df) VALUES (?, ?, 0)", new_terms)
    conn.executemany("UPDATE vector_terms SET df = df + ? WHERE id = ?",
                     [(n, known[t][0]) for t, n in batch_df.items()])
    papers = conn.execute("SELECT count(*) FROM paper_vectors").fetchone()[0] + len(rows)
    # Every (paper, term) of the batch as flat arrays: weighing and choosing the
    # KEEP_TERMS heaviest per paper in numpy, not a sorted list per paper, made
    # this step several times faster (bench/README.md, session 2).
    sizes = np.fromiter((len(counts) for _, counts in counted), np.int64, len(counted))
    total = int(sizes.sum())
    term_ids = np.fromiter((known[t][0] for _, counts in counted for t in counts),
                           np.int64, total)
    dfs = np.fromiter((known[t][1] + batch_df[t] for _, counts in counted for t in counts),
                      np.float64, total)
    damped = 1.0 + np.log(np.fromiter(
        (tf for _, counts in counted for tf in counts.values()), np.float64, total))
    weight = damped * (np.log((1.0 + papers) / (1.0 + dfs)) + 1.0)
    owner = np.repeat(np.arange(len(counted)), sizes)
    # Per paper, heaviest first; ties to the larger term id, as before.
    order = np.lexsort((-term_ids, -weight, owner))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    keep = order[np.arange(total) - np.repeat(starts, sizes) < KEEP_TERMS]
    kept_owner = owner[keep]
    bounds = np.searchsorted(kept_owner, np.arange(len(counted) + 1))
    kept_ids = term_ids[keep].astype(np.int32)
    kept_tf = damped[keep].astype(np.float32)
    out = [(paper_id, kept_ids[bounds[i]:bounds[i + 1]].tobytes(),
            kept_tf[bounds[i]:bounds[i + 1]].tobytes())
           for i, (paper_id, _) in enumerate(counted)]
    conn.executemany("INSERT INTO paper_vectors (paper_id, terms, tf) VALUES (?, ?, ?)", out)
    conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = ?",
                 (_GENERATION,))
    return len(rows)


def term_names(conn: sqlite3.Connection, term_ids: Iterable[int]) -> dict[int, str]:
    wanted = [int(t) for t in term_ids]
    names: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ",".join("?" * len(chunk))
        names.update(conn.execute(
            f"SELECT id, term FROM vector_terms WHERE id IN ({marks})", chunk).fetchall())
    return names


# ----------------------------------------------------------------- in memory
@dataclass
class VectorIndex:
    """Every vectorised paper as one row of an L2-normalised sparse matrix, held by
    column: for each term, the papers holding it and its weight in each (an
    inverted index). More like this then reads only the columns of the paper's own
    terms (~48k entries of 9.6M at 100k papers: 0.4 ms where a pass over every row
    took 11 ms; bench/README.md), and scoring every paper by a model is still one
    pass. A few papers' rows (a model's training set, an explanation, the paper
    asked about) are read from their stored vectors, weighed with this index's idf.
    """

    ids: np.ndarray  # int64, ascending: row i is paper ids[i]
    matrix: sp.csc_matrix  # float32, rows normalised
    generation: int
    weights: np.ndarray  # float32 idf of each term (column) as loaded

    @classmethod
    def empty(cls) -> VectorIndex:
        return cls(np.zeros(0, np.int64), sp.csc_matrix((0, 1), dtype=np.float32), -1,
                   np.ones(1, np.float32))

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> VectorIndex:
        """Read the stored vectors (a read transaction, so one consistent picture),
        straight into the columns' arrays of their final size, in two passes: the
        first counts each column's papers, the second places each slice of rows,
        weighed and normalised. Building rows first and turning them into columns
        held both copies at once (+77 MB at 100k)."""
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            gen = generation(conn)
            width = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM vector_terms"
                                 ).fetchone()[0]
            df = np.zeros(width, np.float32)
            for term_id, count in conn.execute("SELECT id, df FROM vector_terms"):
                df[term_id] = count
            count = conn.execute("SELECT count(*) FROM paper_vectors").fetchone()[0]
            weights = idf(df, count)
            del df
            ids, lengths, indptr = _count_columns(conn, count, width)
            rows, data = _place_rows(conn, lengths, indptr, weights)
        finally:
            if own:
                conn.execute("COMMIT")
        matrix = sp.csc_matrix((data, rows, indptr), shape=(count, width))
        return cls(ids, matrix, gen, weights)

    @classmethod
    def build(cls, ids: Sequence[int], terms: Sequence[bytes], tfs: Sequence[bytes],
              df: np.ndarray, gen: int) -> VectorIndex:
        """From rows as stored (term-id and tf bytes per paper), all in memory."""
        lengths = np.fromiter((len(b) // 4 for b in terms), dtype=np.int64, count=len(terms))
        indices = np.frombuffer(b"".join(terms), dtype=np.int32)
        data = np.frombuffer(b"".join(tfs), dtype=np.float32).copy()
        weights = idf(df, len(ids))
        _weigh(data, indices, lengths, weights)
        indptr = np.zeros(len(ids) + 1, np.int64)
        np.cumsum(lengths, out=indptr[1:])
        matrix = sp.csr_matrix((data, indices, indptr), shape=(len(ids), len(df))).tocsc()
        return cls(np.asarray(ids, np.int64), matrix, gen, weights)

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, paper_ids: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        """(rows, ids) of those papers that have a vector, in the order given."""
        wanted = np.asarray(paper_ids if isinstance(paper_ids, (list, np.ndarray))
                            else list(paper_ids), dtype=np.int64)
        if not len(self.ids) or not len(wanted):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        pos = np.searchsorted(self.ids, wanted)
        pos[pos >= len(self.ids)] = 0
        hit = self.ids[pos] == wanted
        return pos[hit], wanted[hit]

    def row(self, paper_id: int) -> int | None:
        rows, _ = self.rows_of([paper_id])
        return int(rows[0]) if len(rows) else None

    def vectors(self, conn: sqlite3.Connection, paper_ids: Sequence[int]) -> sp.csr_matrix:
        """The rows of these papers, one each in the order given, from their stored
        vectors weighed as this index's rows; empty for a paper without one (its
        vector dropped since this index was loaded)."""
        wanted = [int(i) for i in paper_ids]
        stored: dict[int, tuple[bytes, bytes]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            stored.update((r[0], (r[1], r[2])) for r in conn.execute(
                f"SELECT paper_id, terms, tf FROM paper_vectors WHERE paper_id IN ({marks})",
                chunk))
        width = self.matrix.shape[1]
        blobs = [stored.get(i, (b"", b"")) for i in wanted]
        terms = np.frombuffer(b"".join(t for t, _ in blobs), np.int32)
        data = np.frombuffer(b"".join(f for _, f in blobs), np.float32).copy()
        lengths = np.fromiter((len(t) // 4 for t, _ in blobs), np.int64, len(blobs))
        # Terms newer than this index have no column: left out, as a query's are.
        known = terms < width
        if not known.all():
            owner = np.repeat(np.arange(len(blobs)), lengths)
            lengths = np.bincount(owner[known], minlength=len(blobs)).astype(np.int64)
            terms, data = terms[known], data[known]
        _weigh(data, terms, lengths, self.weights)
        indptr = np.zeros(len(blobs) + 1, np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return sp.csr_matrix((data, terms, indptr), shape=(len(blobs), width))

    def similar(self, conn: sqlite3.Connection, paper_id: int, limit: int = 10
                ) -> list[tuple[int, float]]:
        """(id, cosine) of the papers nearest to `paper_id`, best first."""
        row = self.row(paper_id)
        if row is None or limit <= 0:
            return []
        vector = self.vectors(conn, [paper_id])
        scores = self.dot(vector.indices, vector.data)
        scores[row] = -1.0
        return top(self.ids, scores, limit, floor=0.0)

    def dot(self, terms: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Cosine of every row with a sparse vector: only the columns of its terms
        are read (their papers' entries), not every row."""
        inside = terms < self.matrix.shape[1]
        if not len(self.ids) or not inside.any():
            return np.zeros(len(self.ids), np.float32)
        return np.asarray(self.matrix[:, terms[inside]] @ weights[inside], np.float32)


def _count_columns(conn: sqlite3.Connection, count: int, width: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First pass: each paper's id and number of terms, each column's offset."""
    ids = np.empty(count, np.int64)
    lengths = np.empty(count, np.int64)
    per_column = np.zeros(width, np.int64)
    pending: list[bytes] = []

    def tally() -> None:
        # In place: a vocabulary-sized count per slice (bincount: 5 MB at 100k, 48 MB
        # at 1M) left the heap fragmented, and sorting the slice (unique) was 8x slower.
        np.add.at(per_column, np.frombuffer(b"".join(pending), np.int32), 1)
        pending.clear()

    for row, (paper_id, term_blob) in enumerate(conn.execute(
            "SELECT paper_id, terms FROM paper_vectors ORDER BY paper_id")):
        if row >= count:
            break
        ids[row] = paper_id
        lengths[row] = len(term_blob) // 4
        pending.append(term_blob)
        if len(pending) == _NORMALISE_ROWS:
            tally()
    if pending:
        tally()
    wide = int(per_column.sum()) >= np.iinfo(np.int32).max
    indptr = np.zeros(width + 1, np.int64 if wide else np.int32)
    np.cumsum(per_column, out=indptr[1:])
    return ids, lengths, indptr


def _place_rows(conn: sqlite3.Connection, lengths: np.ndarray, indptr: np.ndarray,
                weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Second pass: each slice of rows weighed, normalised and put in its columns.
    Rows come in ascending order, so each column's papers stay sorted."""
    nnz = int(indptr[-1])
    rows = np.empty(nnz, np.int32)
    data = np.empty(nnz, np.float32)
    cursor = indptr[:-1].astype(np.int64)
    terms: list[bytes] = []
    tfs: list[bytes] = []
    start = 0

    def place(end: int) -> None:
        cols = np.frombuffer(b"".join(terms), np.int32)
        values = np.frombuffer(b"".join(tfs), np.float32).copy()
        if not len(cols):
            return  # papers of stop words only: empty rows
        _weigh(values, cols, lengths[start:end], weights)
        owner = np.repeat(np.arange(start, end, dtype=np.int32), lengths[start:end])
        # By column, then by position in the slice (so by row): one plain sort of
        # unique int64 keys, about twice as fast as a stable argsort of the columns.
        keys = np.sort((cols.astype(np.int64) << 32) | np.arange(len(cols)))
        order = keys & 0xFFFFFFFF
        cols = (keys >> 32).astype(np.int32)
        # Within one column, the slice's entries go after those placed before.
        first = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
        sizes = np.diff(np.r_[first, len(cols)])
        at = cursor[cols] + (np.arange(len(cols)) - np.repeat(first, sizes))
        rows[at] = owner[order]
        data[at] = values[order]
        cursor[cols[first]] += sizes

    for row, (term_blob, tf_blob) in enumerate(conn.execute(
            "SELECT terms, tf FROM paper_vectors ORDER BY paper_id")):
        if row >= len(lengths):
            break
        terms.append(term_blob)
        tfs.append(tf_blob)
        if len(terms) == _NORMALISE_ROWS:
            place(row + 1)
            start = row + 1
            terms.clear()
            tfs.clear()
    if terms:
        place(len(lengths))
    return rows, data


def _weigh(data: np.ndarray, indices: np.ndarray, lengths: np.ndarray,
           weights: np.ndarray) -> None:
    """Multiply consecutive rows' damped tf by idf and scale each row to unit length,
    in place. Called a slice of rows at a time: done on the whole matrix at once,
    the temporaries (idf per entry, squares, a norm per entry) were each as large as
    the matrix's data and put the load's peak 173 MB over the baseline at 100k."""
    data *= weights[indices]
    rows = np.repeat(np.arange(len(lengths)), lengths)
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=len(lengths)))
    norms[norms == 0] = 1.0  # a paper of stop words only: an empty row stays empty
    data /= norms[rows].astype(np.float32)


def top(ids: np.ndarray, scores: np.ndarray, limit: int, *, floor: float | None = None
        ) -> list[tuple[int, float]]:
    """The `limit` best (id, score), best first; ties by ascending id; above `floor`."""
    if limit <= 0 or not len(scores):
        return []
    k = min(limit, len(scores))
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    order = part[np.lexsort((ids[part], -scores[part]))]
    return [(int(ids[i]), float(scores[i])) for i in order
            if floor is None or scores[i] > floor]


class IndexCache:
    """One VectorIndex per library, reloaded only when the stored vectors changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index = VectorIndex.empty()

    def peek(self) -> VectorIndex:
        """The index as last loaded, without looking at the library (never waits)."""
        return self._index

    def get(self, conn: sqlite3.Connection) -> VectorIndex:
        gen = generation(conn)
        with self._lock:
            if self._index.generation != gen:
                self._index = VectorIndex.load(conn)
            return self._index

    @property
    def loaded(self) -> VectorIndex:
        return self._index
