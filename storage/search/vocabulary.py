"""What the full-text index holds: its terms, how many papers have each, and the
real words a term stands for. Read lazily, a letter at a time, and cached until
the library's text changes (SearchEngine calls `reset`)."""

from __future__ import annotations

import bisect
import heapq
import sqlite3
from collections import Counter
from dataclasses import dataclass

from storage.search.words import WORD, fold, index_term_query, stem

# Index terms a half-typed last word stands for (see Vocabulary.completions).
PREFIX_TERMS = 8


@dataclass(frozen=True, slots=True)
class Bucket:
    terms: list[str]  # sorted
    docs: list[int]  # documents holding terms[i]
    docs_of: dict[str, int]

    def span(self, start: str) -> tuple[int, int]:
        """The index range of the terms that begin with `start`."""
        low = bisect.bisect_left(self.terms, start)
        return low, bisect.bisect_left(self.terms, start + "\U0010ffff", low)


class Vocabulary:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # max(id) stands in for the paper count: O(1), and near enough for shares.
        self.papers = 1
        self.reset()

    def reset(self) -> None:
        self._buckets: dict[str, Bucket] = {}
        self._forms: dict[tuple[str, str | None], tuple[str, ...]] = {}
        self._docs: dict[str, int] = {}
        self._abbreviations: bool | None = None

    def bucket(self, first: str) -> Bucket:
        """Index terms starting with `first` and their document counts. Loaded a
        letter at a time: fts5vocab reads every doclist it lists, ~0.4 s for the
        whole vocabulary at 100k papers but a few ms for one letter."""
        bucket = self._buckets.get(first)
        if bucket is None:
            rows = self.conn.execute(
                "SELECT term, doc FROM papers_fts_vocab WHERE term >= ? AND term < ?",
                (first, chr(ord(first) + 1))).fetchall()
            rows.sort()  # fts5vocab already returns them so; bisect depends on it
            bucket = self._buckets[first] = Bucket([r[0] for r in rows],
                                                   [r[1] for r in rows], dict(rows))
        return bucket

    def beginning(self, start: str) -> list[str]:
        """Every index term that begins with `start`."""
        if not start:
            return []
        bucket = self.bucket(start[0])
        low, high = bucket.span(start)
        return bucket.terms[low:high]

    def completions(self, start: str) -> tuple[str, ...]:
        """The index terms that begin with `start`, the most common first, at most
        PREFIX_TERMS of them. FTS5 expands `"lear"*` by merging the doclists of every
        such term before returning a row (2-20 ms at 100k papers); the few common
        terms as an OR stream lazily, and the rare ones only matter until the next
        keystroke narrows the prefix."""
        if not start:
            return ()
        bucket = self.bucket(start[0])
        low, high = bucket.span(start)
        if high - low <= 1:
            return tuple(bucket.terms[low:high])
        best = heapq.nlargest(PREFIX_TERMS, range(low, high), key=bucket.docs.__getitem__)
        # Each term costs bm25 a pass over its doclist; one in a hundred of the
        # commonest one's papers adds nothing worth that.
        floor = bucket.docs[best[0]] / 100
        return tuple(bucket.terms[i] for i in sorted(best) if bucket.docs[i] >= floor)

    def has_hit(self, expr: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM papers_fts WHERE papers_fts MATCH ? LIMIT 1", (expr,)
        ).fetchone() is not None

    def display_forms(self, term: str, column: str | None) -> tuple[str, ...]:
        """Real words that the index term `term` (a stem) stands for, most common
        first, read from a few papers that have it. Empty if `term` finds nothing."""
        key = (term, column)
        if key in self._forms:
            return self._forms[key]
        expr = (f"{column} : " if column else "") + index_term_query(term)
        rows = self.conn.execute(
            "SELECT p.title, p.abstract, p.note, p.annotation_text FROM papers p "
            "WHERE p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? LIMIT 4)",
            (expr,)).fetchall()
        counts: Counter[str] = Counter()
        lead = term[:-1] if len(term) > 1 else term
        for row in rows:
            for text in row:
                for word in WORD.findall(text or ""):
                    lowered = word.lower()
                    folded = fold(lowered)
                    if folded.startswith(lead) and stem(folded) == term:
                        counts[lowered] += 1
        forms = tuple(w for w, _ in counts.most_common(6))
        if rows and not forms:
            forms = (term,)  # found, but only in a form we cannot read back: show the stem
        self._forms[key] = forms
        return forms

    def share(self, word: str) -> float:
        """The share of papers holding the (folded) word, from the index's
        vocabulary, cached."""
        term = stem(word)
        docs = self._docs.get(term)
        if docs is None:
            try:
                row = self.conn.execute("SELECT doc FROM papers_fts_vocab WHERE term = ?",
                                        (term,)).fetchone()
            except sqlite3.OperationalError:
                row = None  # no vocabulary table: every word counts as informative
            docs = self._docs[term] = row[0] if row else 0
        return docs / max(1, self.papers)

    def has_abbreviations(self) -> bool:
        """Does the library define any short forms (storage.abbrev)?"""
        if self._abbreviations is None:
            try:
                self._abbreviations = self.conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM abbreviations)").fetchone()[0] == 1
            except sqlite3.OperationalError:
                self._abbreviations = False  # a file from before the table
        return self._abbreviations
