"""More like this: papers of the library that share a paper's distinctive words.

Offline and model-free: the paper's own words are weighed by tf-idf against the
full-text index's vocabulary, and the most distinctive ones are searched with
bm25. Words in the title count more, as they do in search.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter

from storage.schema import FTS_WEIGHTS
from storage.search import fold, stem

_WORD = re.compile(r"[^\W_]+")
# Candidates looked up in the vocabulary: each lookup reads that term's doclist,
# so the count is bounded whatever the abstract's length.
CANDIDATES = 40
QUERY_TERMS = 12
TITLE_BOOST = 3.0
# A term in more than this share of the library says nothing about a paper.
COMMON_SHARE = 0.05


def distinctive_terms(conn: sqlite3.Connection, title: str, abstract: str,
                      total: int) -> list[tuple[str, float]]:
    """The paper's index terms, most distinctive first, with their weights."""
    title_terms = {stem(w) for w in _WORD.findall(fold(title)) if len(w) > 2}
    counts: Counter[str] = Counter()
    for word in _WORD.findall(fold(f"{title} {abstract}")):
        if len(word) > 2 and not word.isdigit():
            counts[stem(word)] += 1
    for term in title_terms:
        counts[term] += TITLE_BOOST
    weighted = []
    for term, tf in counts.most_common(CANDIDATES):
        row = conn.execute("SELECT doc FROM papers_fts_vocab WHERE term = ?",
                           (term,)).fetchone()
        docs = row[0] if row else 0
        # Found in this paper alone, or in a large share of all papers: no signal.
        if docs < 2 or docs > max(2, total * COMMON_SHARE):
            continue
        weighted.append((term, tf * math.log(total / docs)))
    weighted.sort(key=lambda pair: -pair[1])
    return weighted[:QUERY_TERMS]


def similar_papers(conn: sqlite3.Connection, paper_id: int, limit: int = 10
                   ) -> list[tuple[int, float]]:
    """(id, score) of the papers most like `paper_id`, best first; [] if none."""
    row = conn.execute("SELECT title, abstract FROM papers WHERE id = ?",
                       (paper_id,)).fetchone()
    if row is None:
        return []
    total = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    terms = distinctive_terms(conn, row[0], row[1], total)
    if not terms:
        return []
    # Index terms are letters and digits only, so quoting them keeps the MATCH
    # expression safe; the column filter leaves the user's own notes out.
    match = "{title abstract} : (" + " OR ".join(f'"{t}"' for t, _ in terms) + ")"
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    rows = conn.execute(
        f"SELECT rowid, bm25(papers_fts, {weights}) AS score FROM papers_fts "
        f"WHERE papers_fts MATCH ? AND rowid != ? ORDER BY score LIMIT ?",
        (match, paper_id, limit)).fetchall()
    return [(rowid, -score) for rowid, score in rows]
