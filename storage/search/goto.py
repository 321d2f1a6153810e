"""Go to paper: the titles nearest to what is typed, for the go-to box."""

from __future__ import annotations

import sqlite3

from rapidfuzz import fuzz, process

from storage.query import fts_expression, parse
from storage.search.planning import Planner
from storage.text import normalise_title

# Candidates per stage, and the score under which the slow stage runs.
FUZZY_PREFIX_ROWS = 50
FUZZY_WORD_ROWS = 100
FUZZY_RATIO_ROWS = 100
FUZZY_GOOD = 75.0
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from",
    "how", "in", "into", "is", "it", "of", "on", "or", "our", "the", "their", "to",
    "towards", "via", "vs", "we", "what", "when", "why", "with", "without"})

Scored = list[tuple[float, int, int, str]]  # (score, -id, id, title), best first


class TitleFinder:
    def __init__(self, conn: sqlite3.Connection, planner: Planner) -> None:
        self.conn = conn
        self.planner = planner
        self.reset()

    def reset(self) -> None:
        self._titles: tuple[list[int], list[str]] | None = None

    def _title_list(self) -> tuple[list[int], list[str]]:
        if self._titles is None:
            ids: list[int] = []
            keys: list[str] = []
            # `key` is normalise_title(title), stored at import: no work here.
            for paper_id, key in self.conn.execute("SELECT id, key FROM papers"):
                ids.append(paper_id)
                keys.append(key)
            self._titles = (ids, keys)
        return self._titles

    def find(self, text: str, limit: int) -> list[tuple[int, str, float]]:
        """(id, title, score 0-100) of the titles nearest to `text`, best first."""
        wanted = normalise_title(text if isinstance(text, str) else str(text))
        if not wanted or not limit:
            return []
        candidates: dict[int, None] = {}
        # Stage 1a: titles that begin with what was typed, from the unique index
        # on `key` (normalise_title of the title): the usual case, and O(log n).
        candidates.update((r[0], None) for r in self.conn.execute(
            "SELECT id FROM papers WHERE key >= ? AND key < ? ORDER BY key LIMIT ?",
            (wanted, wanted + "\U0010ffff", FUZZY_PREFIX_ROWS)))
        candidates.update((i, None) for i in self._by_words(text, wanted))
        scored = self._rerank(wanted, list(candidates))
        if not scored or scored[0][0] < FUZZY_GOOD:
            # Stage 1c, only when the cheap stages found nothing close: edit
            # similarity against every title, in C (~12 ms at 100k; score_cutoff
            # skips titles whose length alone rules them out).
            ids, keys = self._title_list()
            more = [ids[index] for _k, _s, index in process.extract(
                wanted, keys, scorer=fuzz.ratio, processor=None, limit=FUZZY_RATIO_ROWS,
                score_cutoff=50)]
            scored = self._rerank(wanted, list(dict.fromkeys(list(candidates) + more)))
        return [(paper_id, title, round(score, 1))
                for score, _neg, paper_id, title in scored[:limit]]

    def _by_words(self, text: str, wanted: str) -> list[int]:
        """Stage 1b: the typed words anywhere in a title, typo-widened, through the
        title index (a long title found from a few of its words)."""
        typed = wanted.split()
        # The last word is left out while it is being typed: its completions
        # would cost a vocabulary read, and 1a and the rerank cover it.
        if not text[-1:].isspace():
            typed = typed[:-1]
        # Little words are in half the titles: ANDing them costs FTS5 a walk down
        # huge doclists (30 ms at 1M papers) and narrows nothing. The longest words
        # are the rarest.
        typed = sorted((w for w in typed if w not in STOPWORDS), key=len, reverse=True)
        words = parse(" ".join(f"title:{w}" for w in typed[:5]) + " ")
        widened, _ = self.planner.widen(words)
        expr = fts_expression(widened.root) if widened.root is not None else None
        if expr is None:
            return []
        return [r[0] for r in self.conn.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? "
            "ORDER BY rowid DESC LIMIT ?", (expr, FUZZY_WORD_ROWS))]

    def _rows(self, ids: list[int]) -> list[tuple[int, str, str]]:
        rows: list[tuple[int, str, str]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows.extend(self.conn.execute(
                f"SELECT id, key, title FROM papers WHERE id IN ({marks})", chunk))
        return rows

    def _rerank(self, wanted: str, ids: list[int]) -> Scored:
        """Score candidates for quality: WRatio over the whole title plus the share of
        typed words that have a close word in it (the last one may be half typed).
        A title that begins with exactly what was typed is what the user is
        typing. Best first."""
        query_words = wanted.split()
        *complete, last = query_words
        scored = []
        for paper_id, key, title in self._rows(ids):
            if key.startswith(wanted):
                score = 90.0 + 10.0 * len(wanted) / max(1, len(key))
                scored.append((score, -paper_id, paper_id, title))
                continue
            title_words = key.split()
            covered = sum(1 for w in complete if _close(w, title_words))
            if any(t.startswith(last) for t in title_words) or _close(last, title_words):
                covered += 1
            score = min(89.9, 0.6 * fuzz.WRatio(wanted, key, processor=None)
                        + 40.0 * covered / len(query_words))
            scored.append((score, -paper_id, paper_id, title))
        scored.sort(reverse=True)
        return scored


def _close(word: str, title_words: list[str]) -> bool:
    return word in title_words or process.extractOne(
        word, title_words, scorer=fuzz.ratio, processor=None, score_cutoff=75) is not None
