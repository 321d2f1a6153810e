"""More like this: the papers whose TF-IDF vectors are nearest (cosine) to a paper's.

The vectors are storage/vectors.py's: every word and word pair of the title and
abstract counts, weighed by how rare it is in the library. The older approach here
searched the full-text index for a dozen of the paper's words after dropping
those in more than 5% of papers and those found in one paper only, which threw
away "expert" and "mixture" from DeepSeekMoE: on the judged needs 40% of its top 5
were on topic, against 73% now (bench/README.md). The user's notes and highlights
never enter a paper's vector, so they cannot pull unrelated papers in.
"""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import scipy.sparse as sp

from storage.vectors import VectorIndex, term_counts, top


def query_vector(conn: sqlite3.Connection, index: VectorIndex, title: str,
                 abstract: str) -> sp.csr_matrix | None:
    """A paper's vector made now from its text, for a paper not vectorised yet (a
    read-only library, or an import a moment ago): same weights, unseen terms out."""
    counts = term_counts(title, abstract)
    if not counts or not len(index):
        return None
    terms = list(counts)
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(terms), 500):
        chunk = terms[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for term_id, term, df in conn.execute(
                f"SELECT id, term, df FROM vector_terms WHERE term IN ({marks})", chunk):
            if term_id < index.matrix.shape[1]:
                found[term] = (term_id, df)
    if not found:
        return None
    papers = len(index)
    cols = np.array([found[t][0] for t in found], np.int32)
    data = np.array([(1.0 + math.log(counts[t])) *
                     (math.log((1.0 + papers) / (1.0 + found[t][1])) + 1.0) for t in found],
                    np.float32)
    data /= np.linalg.norm(data)
    return sp.csr_matrix((data, cols, [0, len(cols)]), shape=(1, index.matrix.shape[1]))


def similar_papers(conn: sqlite3.Connection, index: VectorIndex, paper_id: int,
                   limit: int = 10) -> list[tuple[int, float]]:
    """(id, cosine) of the papers most like `paper_id`, best first; [] if none."""
    if index.row(paper_id) is not None:
        return index.similar(conn, paper_id, limit)
    row = conn.execute("SELECT title, abstract FROM papers WHERE id = ?",
                       (paper_id,)).fetchone()
    if row is None:
        return []
    vector = query_vector(conn, index, row[0], row[1] or "")
    if vector is None:
        return []
    scores = index.dot(vector.indices, vector.data)
    scores[index.ids == paper_id] = -1.0
    return top(index.ids, scores, limit, floor=0.0)
