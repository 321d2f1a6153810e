"""The search engine: runs the query language (storage.query) against the library.

What it adds to the compiled query:
- typo widening: a word with no hit in the index is searched as the nearest
  index terms (rapidfuzz over the FTS5 vocabulary), and the result says so;
- ranking: bm25 over a capped candidate set, so a word that is in every paper
  costs the same at 100k papers as at 1M;
- match spans for highlighting, computed in Python on the returned rows only;
- a fuzzy title finder for go-to-paper.

Every statement is a SELECT with user text bound as parameters; any sqlite
error falls back to a plain-words search, so no query raises and none writes.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
import sqlite3
import threading
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from storage import abbrev
from storage.query import (
    DEFAULT_ORDER,
    FIELD_COLUMNS,
    ORDER_BY,
    And,
    Compiled,
    Node,
    Query,
    Text,
    compile_query,
    conjuncts,
    describe,
    fts_expression,
    fts_string,
    is_soft,
    map_text,
    parse,
    plain_words,
    some_expression,
    with_root,
)
from storage.schema import FTS_WEIGHTS
from storage.text import normalise_title

__all__ = ["Hit", "SearchEngine", "SearchResult", "highlight_spans"]

# Papers ranked by bm25: the newest matches, RANK_BUDGET / (terms in the MATCH)
# of them (bm25 costs ~1 us a row and term; a word found in every paper stays
# under ~10 ms at any library size). Older matches follow in list order.
RANK_BUDGET = 10_000
RANK_MIN = 1_000
# Index terms a half-typed last word stands for (see SearchEngine._completions).
PREFIX_TERMS = 8
# A prefix with at most this many index terms is searched as those terms, ORed
# (see SearchEngine._spelled_prefix).
PREFIX_SPELLED = 12
# A typo'd word is replaced by index terms at least this similar (OSA, 0-100):
# one edit in a 4-letter word, two in a 7-letter one.
TYPO_CUTOFF = 70.0
_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from",
    "how", "in", "into", "is", "it", "of", "on", "or", "our", "the", "their", "to",
    "towards", "via", "vs", "we", "what", "when", "why", "with", "without"})
# Go-to-paper candidates per stage, and the score under which the slow stage runs.
FUZZY_PREFIX_ROWS = 50
FUZZY_WORD_ROWS = 100
FUZZY_RATIO_ROWS = 100
FUZZY_GOOD = 75.0
_BM25 = "bm25(papers_fts, " + ", ".join(f"{w:.1f}" for w in FTS_WEIGHTS) + ")"
_WORD = re.compile(r"[^\W_]+")
# What can follow a stem in a word still being typed (`decodi` -> `decod` +
# `ing`): lets the last word match while it is half-written, since FTS5 only
# indexes porter stems and `"decodi"*` matches none of them.
_SUFFIXES = (
    "ing", "ings", "ion", "ions", "ive", "ively", "ives", "ize", "ized", "izes", "izing",
    "ization", "ise", "ised", "ising", "isation", "ate", "ated", "ates", "ating", "ation",
    "ations", "ational", "ative", "ator", "ators", "ed", "er", "ers", "es", "s", "al",
    "ally", "ly", "ness", "ment", "ments", "ity", "ities", "able", "ible", "ic", "ical",
    "ful", "ous", "ously", "ance", "ence", "ant", "ent", "ism", "ist", "ists", "e", "y",
    "ies", "iness",
)


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    score: float  # higher is better within its tier (negated bm25); 0.0 when not ranked
    title_spans: tuple[tuple[int, int], ...] = ()
    abstract_spans: tuple[tuple[int, int], ...] = ()


@dataclass(slots=True)
class SearchResult:
    """What a search gives every view: the matches, the line to show about them,
    the error if the search failed, and the highlighter for the matched words.
    Views use these and derive none of them again."""

    query: str
    ids: list[int]
    hits: list[Hit] = field(default_factory=list)  # one per id when a limit was given
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, searched)
    terms: list[str] = field(default_factory=list)  # what to highlight (highlight_spans)
    total: int | None = None  # every match, when known without another count
    sort: str = "relevance"
    message: str = ""  # for the status line: corrections, "12 have all words · ..."
    error: str | None = None  # set only when the search itself failed
    # Papers with every word, and papers with only some of them (listed after
    # those with all). None: not counted (a page was filled before the count).
    all_count: int | None = None
    some_count: int | None = None
    # Abbreviations the library defines that the search used: (typed, also searched).
    expansions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def matches(self) -> list[int]:
        return self.ids

    @property
    def failed(self) -> bool:
        return self.error is not None

    def highlight(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the matched words in `text` (a title, an abstract)."""
        return highlight_spans(text, self.terms) if self.terms else []


# ------------------------------------------------------------------- helpers
_local = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    # Snowball stemmers keep state between calls: one per thread.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("porter")
    return stemmer


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """FTS5's porter stem of a folded word (snowball's "porter" is the same algorithm)."""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1 << 14)
def fold(text: str) -> str:
    """What unicode61 with remove_diacritics 2 compares: no accents, case folded."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, when folding changed its length, for each folded
    character the index of the character it came from."""
    if text.isascii():
        return text.lower(), []
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    if len(folded) == len(text):
        return folded, []  # one character for one (accents dropped): same positions
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        piece = fold(char)
        out.append(piece)
        where.extend([index] * len(piece))
    return "".join(out), where


@dataclass(frozen=True, slots=True)
class _Term:
    words: tuple[str, ...]  # folded
    stems: tuple[str, ...]
    prefix: bool  # the last word also matches words it begins
    lead: str  # every word the first word can match begins with this


def _prepare_terms(terms: Iterable[str]) -> list[_Term]:
    prepared = []
    for term in terms:
        words = tuple(_WORD.findall(fold(term)))
        if words:
            prefix = term.rstrip().endswith("*")
            stems = tuple(stem(w) for w in words)
            # Porter only rewrites a word's ending, so a stem less its last letter
            # begins every word that has it. A short stem that does not end in a
            # rewritten letter (y -> i, an added e) begins them whole: "lm" for
            # "LMs", where one letter would stem every word starting with "l".
            short = 0 < len(stems[0]) <= 3 and stems[0][-1] not in "ie"
            lead = stems[0] if short and words[0].startswith(stems[0]) else _common_prefix(
                words[0], stems[0][:-1] if len(stems[0]) > 2 else stems[0][:1])
            prepared.append(_Term(words, stems, prefix, lead))
    return prepared


@lru_cache(maxsize=256)
def _finder(leads: tuple[str, ...]) -> re.Pattern[str]:
    # Whole words that begin with one of the leads: the only words worth stemming.
    alternatives = "|".join(re.escape(lead) for lead in sorted(set(leads), key=len,
                                                                 reverse=True))
    return re.compile(r"(?<![^\W_])(?:" + alternatives + r")[^\W_]*")


def _word_matches(word: str, term: _Term, k: int) -> bool:
    # Mirrors what FTS5 matched: the same porter stem, or, for the word being
    # typed, any word it begins.
    if stem(word) == term.stems[k]:
        return True
    return term.prefix and k == len(term.words) - 1 and word.startswith(term.words[k])


_REBUILD_SUFFIXES = ("", "e", "s", "es", "ing", "ed", "ion", "er", "y", "al", "ate", "ation",
                     "ize", "ic", "ness")


@lru_cache(maxsize=1 << 14)
def index_term_query(term: str) -> str:
    """An FTS5 query for exactly the index term `term` (a porter stem). FTS5 stems
    the query too, and a stem is not always its own stem (`diffus` -> `diffu`), so
    find a word that stems to it (`diffuse`); failing that, the prefix query
    `"diffus"*`, a superset."""
    for suffix in _REBUILD_SUFFIXES:
        if stem(term + suffix) == term:
            return '"' + term + suffix + '"'
    return '"' + term.replace('"', '""') + '"*'


def _common_prefix(a: str, b: str) -> str:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return a[:size]


def _spans(text: str, terms: Sequence[_Term]) -> list[tuple[int, int]]:
    if not text or not terms:
        return []
    folded, where = _folded_with_map(text)
    found: list[tuple[int, int]] = []
    for match in _finder(tuple(t.lead for t in terms)).finditer(folded):
        word = match.group()
        for term in terms:
            if not word.startswith(term.lead) or not _word_matches(word, term, 0):
                continue
            end = match.end()
            for k in range(1, len(term.words)):  # a phrase: the next words in a row
                following = _WORD.search(folded, end)
                if following is None or not _word_matches(following.group(), term, k):
                    break
                end = following.end()
            else:
                found.append((match.start(), end))
    if not found:
        return []
    found.sort()
    merged = [found[0]]
    for start, end in found[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    if where:
        # Back to positions in the original text (folding changed lengths).
        merged = [(where[s], where[e - 1] + 1) for s, e in merged]
    return merged


def highlight_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) character spans of `terms` in `text`, end exclusive, sorted,
    non-overlapping. A word matches words it begins or that share its porter stem
    ("decoding" marks "decoder"); a phrase marks its words in a row."""
    return _spans(text, _prepare_terms(terms))


@dataclass(frozen=True, slots=True)
class _Bucket:
    terms: list[str]  # sorted
    docs: list[int]  # documents holding terms[i]
    docs_of: dict[str, int]


@dataclass(slots=True)
class _Plan:
    query: Query
    compiled: Compiled
    corrections: list[tuple[str, str]]
    expansions: list[tuple[str, str]] = field(default_factory=list)


# -------------------------------------------------------------------- engine
class SearchEngine:
    rank_budget = RANK_BUDGET
    rank_min = RANK_MIN

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._buckets: dict[str, _Bucket] = {}
        self._forms: dict[tuple[str, str | None], tuple[str, ...]] = {}
        self._titles: tuple[list[int], list[str]] | None = None
        self._covered: bool | None = None
        self._order: array[int] | None = None
        self._abbreviations: bool | None = None
        self._docs: dict[str, int] = {}

    # ------------------------------------------------------------- caches
    def invalidate(self) -> None:
        """Forget the vocabulary and titles: the text of the library changed."""
        with self._lock:
            self._key = None
            self._buckets = {}
            self._forms = {}
            self._titles = None
            self._covered = None
            self._order = None
            self._abbreviations = None
            self._docs = {}

    def _fresh(self) -> None:
        # Another process may import into the same file: its commits move
        # data_version, and new papers move max(id). Both are O(1).
        key = (self.conn.execute("PRAGMA data_version").fetchone()[0],
               self.conn.execute("SELECT coalesce(max(id), 0) FROM papers").fetchone()[0])
        if key != self._key:
            self.invalidate()
            self._key = key

    def _bucket(self, first: str) -> _Bucket:
        """Index terms starting with `first` and their document counts. Loaded a
        letter at a time: fts5vocab reads every doclist it lists, ~0.4 s for the
        whole vocabulary at 100k papers but a few ms for one letter."""
        bucket = self._buckets.get(first)
        if bucket is None:
            rows = self.conn.execute(
                "SELECT term, doc FROM papers_fts_vocab WHERE term >= ? AND term < ?",
                (first, chr(ord(first) + 1))).fetchall()
            rows.sort()  # fts5vocab already returns them so; bisect depends on it
            bucket = self._buckets[first] = _Bucket([r[0] for r in rows],
                                                    [r[1] for r in rows], dict(rows))
        return bucket

    def _completions(self, start: str) -> tuple[str, ...]:
        """The index terms that begin with `start`, the most common first, at most
        PREFIX_TERMS of them. FTS5 expands `"lear"*` by merging the doclists of every
        such term before returning a row (2-20 ms at 100k papers); the few common
        terms as an OR stream lazily, and the rare ones only matter until the next
        keystroke narrows the prefix."""
        if not start:
            return ()
        bucket = self._bucket(start[0])
        low = bisect.bisect_left(bucket.terms, start)
        high = bisect.bisect_left(bucket.terms, start + "\U0010ffff")
        if high - low <= 1:
            return tuple(bucket.terms[low:high])
        best = heapq.nlargest(PREFIX_TERMS, range(low, high), key=bucket.docs.__getitem__)
        # Each term costs bm25 a pass over its doclist; one in a hundred of the
        # commonest one's papers adds nothing worth that.
        floor = bucket.docs[best[0]] / 100
        return tuple(bucket.terms[i] for i in sorted(best) if bucket.docs[i] >= floor)

    def _has_hit(self, expr: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM papers_fts WHERE papers_fts MATCH ? LIMIT 1", (expr,)
        ).fetchone() is not None

    def _display_forms(self, term: str, column: str | None) -> tuple[str, ...]:
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
                if not text:
                    continue
                for word in _WORD.findall(text):
                    lowered = word.lower()
                    folded = fold(lowered)
                    if folded.startswith(lead) and stem(folded) == term:
                        counts[lowered] += 1
        forms = tuple(w for w, _ in counts.most_common(6))
        if rows and not forms:
            forms = (term,)  # found, but only in a form we cannot read back: show the stem
        self._forms[key] = forms
        return forms

    # ------------------------------------------------------ typo widening
    def _complete(self, word: str) -> tuple[str, ...]:
        """The index terms the word being typed can become. `"lear"*` in FTS5 is
        the terms that begin with porter("lear"); when the stemmer leaves a
        half-written ending the index never holds (`decodi`), back off to the
        longest stem whose rest could begin a suffix (`decod` + `ing`)."""
        found = self._continuations(word, stem(word))
        if found:
            return found
        for cut in range(len(word) - 1, max(2, len(word) - 6), -1):
            rest = word[cut:]
            if any(s.startswith(rest) for s in _SUFFIXES):
                found = self._continuations(word, word[:cut])
                if found:
                    return found
        return ()

    def _continuations(self, word: str, start: str) -> tuple[str, ...]:
        # A term continues the word if one begins with the other (`lear` ->
        # `learn`, `models` -> `model`). `difusion` stems to `difus`, whose only
        # completion `difusuj` is another word: that is a typo, not a prefix.
        return tuple(t for t in self._completions(start)
                     if t.startswith(word) or word.startswith(t))

    def _spelled_prefix(self, node: Text, word: str) -> Text | None:
        """The word being typed as its own match plus every index term its prefix
        query would match, spelled out, when there are few: the same papers as
        `"lear"*`, but FTS5 streams an OR of terms lazily where it merges a prefix's
        doclists whole first (27 ms for `reinforcement lear` at 100k papers). None
        when the prefix has no term or too many: then the real prefix query."""
        start = stem(word)
        if not start:
            return None
        bucket = self._bucket(start[0])
        low = bisect.bisect_left(bucket.terms, start)
        high = bisect.bisect_left(bucket.terms, start + "\U0010ffff")
        if not 0 < high - low <= PREFIX_SPELLED:
            return None
        own = fts_string(node.value)
        terms = [index_term_query(t) for t in bucket.terms[low:high] if t != start]
        return replace(node, alternatives=tuple(dict.fromkeys([own, *terms])), prefix=False,
                       marks=(node.value + "*",))

    def _nearest(self, word: str, column: str | None) -> list[tuple[str, str, float]]:
        """(index term, display word, score) of the terms nearest to `word`."""
        # Terms starting with the word's first or second letter: a typo in the
        # first letter itself is not corrected (the price of not reading the
        # whole vocabulary).
        buckets = [self._bucket(first) for first in dict.fromkeys(word[:2])]
        shortlist: dict[str, int] = {}
        for bucket in buckets:
            for probe in dict.fromkeys((stem(word), word)):
                for term, _score, _i in process.extract(
                        probe, bucket.terms, scorer=fuzz.ratio, processor=None, limit=8,
                        score_cutoff=60):
                    shortlist[term] = bucket.docs_of[term]
            # A stem the typed word begins with (`specul` for `speculativ`): a typo
            # in the ending defeats the stemmer, so the stem never looks close.
            for cut in range(len(word) - 1, max(2, len(word) // 2) - 1, -1):
                if word[:cut] in bucket.docs_of:
                    shortlist[word[:cut]] = bucket.docs_of[word[:cut]]
        if not shortlist:
            return []
        # max(id) stands in for the paper count: it is O(1) and near enough here.
        total = max(1, self._key[1] if self._key else 1)
        scored: list[tuple[float, str, str, float]] = []
        for term in list(shortlist):
            forms = self._display_forms(term, column)
            if not forms:
                continue
            similarity, shown = max((OSA.normalized_similarity(word, fold(f)) * 100, f)
                                    for f in forms)
            if similarity < TYPO_CUTOFF:
                continue
            # Among equally close terms, the common one is the likelier meaning.
            weight = similarity + 10 * math.log1p(shortlist[term]) / math.log1p(total)
            scored.append((weight, term, shown, similarity))
        if not scored:
            return []
        scored.sort(reverse=True)
        best = scored[0][0]
        return [(term, shown, sim) for weight, term, shown, sim in scored[:3]
                if weight >= best - 1.0]

    def _widen(self, query: Query) -> tuple[Query, list[tuple[str, str]]]:
        corrections: list[tuple[str, str]] = []

        def visit(node: Text, negated: bool) -> Node:
            if negated or node.phrase or node.alternatives:
                return node
            word = fold(node.value)
            if _WORD.fullmatch(word) is None or len(word) > 40:
                return node  # several tokens (`e-mail`), or no typo worth guessing
            column = FIELD_COLUMNS.get(node.field or "")
            if node.prefix:
                spelled = self._spelled_prefix(node, word)
                if spelled is not None:
                    return spelled
            if self._has_hit(_fts(node)):
                # A word the index has is searched as typed: its own match (every
                # inflection) and, while it is being typed, a prefix query too.
                return node
            if node.prefix:
                # A half-written ending the stemmer cannot read (`decodi`: no
                # index term begins with it): the stems it can still become.
                found = self._complete(word)
                if found:
                    mark = _common_prefix(stem(word), found[0]) or word
                    return replace(node, alternatives=(
                        fts_string(node.value), fts_string(node.value) + "*",
                        *map(index_term_query, found)), prefix=False, marks=(mark + "*",))
            # No hit, or (for the word being typed) nothing in the vocabulary
            # continues it: a typo. The vocabulary is re-read after imports, so a
            # word first written in a note since then, typed half-way, may be taken
            # for a typo of an older word; whole, it has a hit and is searched.
            nearest = [] if len(word) < 4 or word.isdigit() else self._nearest(word, column)
            # Nothing nearer than the word itself (a word the field lacks): no
            # correction to announce.
            nearest = [n for n in nearest if fold(n[1]) != word]
            if not nearest:
                return node
            shown = " or ".join(dict.fromkeys(s for _t, s, _sim in nearest))
            corrections.append((node.value, shown))
            return replace(node, alternatives=tuple(index_term_query(t) for t, _s, _sim
                                                    in nearest),
                           prefix=False, display=shown,
                           marks=tuple(dict.fromkeys(s for _t, s, _sim in nearest)))

        root = map_text(query.root, visit)
        return with_root(query, root), corrections

    # ----------------------------------------------------------- planning
    def _expand(self, query: Query) -> tuple[Query, list[tuple[str, str]]]:
        """Abbreviations the library defines, searched in both forms: a typed
        short form also finds its long forms (`MoE` -> "mixture of experts"), and
        a run of typed words that is a long form also finds its short forms."""
        if query.root is None or not self._has_abbreviations():
            return query, []
        expansions: list[tuple[str, str]] = []
        items = list(conjuncts(query.root))
        out: list[Node] = []
        i = 0
        while i < len(items):
            node = items[i]
            if not is_soft(node) or node.alternatives or node.prefix:  # type: ignore[union-attr]
                out.append(node)
                i += 1
                continue
            # The longest run of plain words from here that is a long form.
            run = 0
            for j in range(i, min(len(items), i + 8)):
                item = items[j]
                if not is_soft(item) or item.alternatives or item.prefix:  # type: ignore[union-attr]
                    break
                run += 1
            grouped = None
            for size in range(run, 1, -1):
                words = [items[k].value for k in range(i, i + size)]  # type: ignore[union-attr]
                shorts = abbrev.shorts_for(self.conn, abbrev.key_of(words))
                if shorts:
                    grouped = (size, words, shorts)
                    break
            if grouped is not None:
                size, words, shorts = grouped
                typed = " ".join(words)
                together = "(" + " AND ".join(fts_string(w) for w in words) + ")"
                alternatives = (together, *dict.fromkeys(fts_string(s) for s, _l, _n in shorts))
                marks = (typed, *dict.fromkeys(s for s, _l, _n in shorts))
                out.append(Text(typed, alternatives=alternatives, marks=marks,
                                parts=(*(fts_string(w) for w in words),
                                       *alternatives[1:])))
                expansions.extend((typed, s) for s in dict.fromkeys(s for s, _l, _n in shorts))
                i += size
                continue
            longs = abbrev.define(self.conn, node.value)  # type: ignore[union-attr]
            if longs and len(_WORD.findall(node.value)) == 1:  # type: ignore[union-attr]
                value = node.value  # type: ignore[union-attr]
                forms = list(dict.fromkeys(long for _s, long, _n in longs))
                out.append(replace(node, alternatives=(  # type: ignore[arg-type]
                    fts_string(value), *(fts_string(f) for f in forms)),
                    marks=(value, *forms)))
                expansions.extend((value, f) for f in forms)
            else:
                out.append(node)
            i += 1
        if not expansions:
            return query, []
        root = out[0] if len(out) == 1 else And(tuple(out))
        return with_root(query, root), expansions

    def _has_abbreviations(self) -> bool:
        if self._abbreviations is None:
            try:
                self._abbreviations = self.conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM abbreviations)").fetchone()[0] == 1
            except sqlite3.OperationalError:
                self._abbreviations = False  # a file from before the table
        return self._abbreviations

    def _plan(self, text: str, sort: str | None, *, plain: bool = False,
              typing: bool = False) -> _Plan:
        self._fresh()
        query = plain_words(text) if plain else parse(text, typing=typing)
        query, expansions = self._expand(query)
        query, corrections = self._widen(query)
        return _Plan(query, compile_query(query, sort=sort), corrections, expansions)

    @staticmethod
    def _fts_from(compiled: Compiled) -> tuple[str, str, list[object]]:
        """FROM and WHERE for a query driven by the index, with its parameters.
        CROSS JOIN pins the index as the outer loop: given a choice, SQLite may
        walk an index on `papers` and re-run the MATCH for every row (22 s for
        `is:unread diffusion` at 1M papers)."""
        if compiled.has_where:
            return ("papers_fts CROSS JOIN papers p ON p.id = papers_fts.rowid",
                    f"papers_fts MATCH ? AND ({compiled.where})",
                    [compiled.fts, *compiled.params])
        return "papers_fts", "papers_fts MATCH ?", [compiled.fts]

    def _rank_cap(self, compiled: Compiled) -> int:
        return max(1, int(self.rank_min), int(self.rank_budget) // max(1, compiled.phrases))

    def _ranked(self, compiled: Compiled, limit: int | None, offset: int
                ) -> tuple[list[int], list[float], int | None]:
        """Relevance order: the newest matches by bm25, then the older ones in list
        order. Returns ids, scores and the total if it is known."""
        source, where, params = self._fts_from(compiled)
        cap = self._rank_cap(compiled)
        threshold = ("SELECT count(*), min(rowid) FROM (SELECT papers_fts.rowid AS rowid "
                     "FROM {} WHERE {} ORDER BY papers_fts.rowid DESC LIMIT ?)")
        # The text alone first: it needs no row of `papers`. When it has fewer
        # matches than the cap, all of them are ranked and the filters are
        # applied once, in the ranking query, instead of in a second pass.
        found, floor = self.conn.execute(
            threshold.format("papers_fts", "papers_fts MATCH ?"), [compiled.fts, cap]
        ).fetchone()
        if not found:
            return [], [], 0
        known: int | None = found
        if compiled.has_where:
            if found < cap:
                known = None  # how many pass the filters: not counted
            else:
                found, floor = self.conn.execute(threshold.format(source, where),
                                                 [*params, cap]).fetchone()
                known = found
                if not found:
                    return [], [], 0
        more = known is not None and known >= cap  # older matches beyond the ranked
        ids: list[int] = []
        scores: list[float] = []
        if known is None or offset < known:
            if known is None:
                take = -1 if limit is None else limit
            else:
                take = known - offset if limit is None else min(limit, known - offset)
            for paper_id, score in self.conn.execute(
                    f"SELECT papers_fts.rowid, {_BM25} AS score FROM {source} "
                    f"WHERE {where} AND papers_fts.rowid >= ? "
                    f"ORDER BY score, papers_fts.rowid DESC LIMIT ? OFFSET ?",
                    [*params, floor, take, offset]):
                ids.append(paper_id)
                scores.append(-score)
        if not more:
            return ids, scores, known
        wanted = None if limit is None else limit - len(ids)
        if wanted is not None and wanted <= 0:
            return ids, scores, None
        skip = max(0, offset - found)
        if wanted is None:
            # Every older match: fetch them from the index, then put them in list order.
            rows = self.conn.execute(f"SELECT papers_fts.rowid FROM {source} WHERE {where} "
                                     f"AND papers_fts.rowid < ?", [*params, floor])
            tail = self._ordered({r[0] for r in rows})[skip:]
        else:
            clauses = ["p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? "
                       "AND rowid < ?)"]
            tail_params: list[object] = [compiled.fts, floor]
            if compiled.has_where:
                clauses.append(f"({compiled.where})")
                tail_params.extend(compiled.params)
            tail = self._in_list_order(clauses, tail_params, wanted, skip)
        ids.extend(tail)
        scores.extend(0.0 for _ in tail)
        total = found + len(tail) if limit is None else None
        return ids, scores, total

    def _sources_cover_all(self) -> bool:
        """Does every paper name the import that brought it in? Then list order can
        walk imports newest first and each import's papers by id, with no sort."""
        if self._covered is None:
            self._covered = self.conn.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM papers WHERE first_source_id IS NULL)"
            ).fetchone()[0] == 1
        return self._covered

    def _in_list_order(self, clauses: list[str], params: list[object], limit: int | None,
                       offset: int) -> list[int]:
        """Ids passing `clauses` (over `papers p`), newest import first and listing
        order within it. `ORDER BY first_source_id DESC, id` sorts every match
        (70 ms for 80k at 100k papers: one import is one big group); the nested
        loop below delivers rows already in that order and stops at the limit."""
        if self._sources_cover_all():
            sql = "SELECT p.id FROM sources s CROSS JOIN papers p ON p.first_source_id = s.id"
            order = "s.id DESC, p.id ASC"
        else:
            sql, order = "SELECT p.id FROM papers p", DEFAULT_ORDER
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += f" ORDER BY {order}"
        params = list(params)
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params.extend([-1 if limit is None else limit, offset])
        return [r[0] for r in self.conn.execute(sql, params)]

    def _list_order(self) -> array[int]:
        """Every id in list order, kept between searches: what the paper list shows
        for an empty query, and the order any large result is put in."""
        if self._order is None:
            self._order = array("q", self._in_list_order([], [], None, 0))
        return self._order

    def _ordered(self, wanted: set[int]) -> list[int]:
        """`wanted` in list order. A large set is picked out of the cached order
        (one pass, ~60 ms at 1M papers, where sorting 400k joined rows took ~1 s);
        a small one is sorted on its own import and id."""
        if not wanted:
            return []
        order = self._list_order()
        if len(wanted) * 32 >= len(order):
            return [i for i in order if i in wanted]
        keyed: list[tuple[int, int]] = []
        chosen = list(wanted)
        for start in range(0, len(chosen), 500):
            chunk = chosen[start:start + 500]
            marks = ",".join("?" * len(chunk))
            keyed.extend(self.conn.execute(
                f"SELECT id, first_source_id FROM papers WHERE id IN ({marks})", chunk))
        # first_source_id DESC (a missing one last), then id.
        keyed.sort(key=lambda row: (row[1] is None, -(row[1] or 0), row[0]))
        return [paper_id for paper_id, _source in keyed]

    def _listed(self, compiled: Compiled, limit: int | None, offset: int) -> list[int]:
        order = ORDER_BY[compiled.sort]
        params: list[object] = []
        clauses = []
        if compiled.fts is not None:
            clauses.append("p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
            params.append(compiled.fts)
        if compiled.has_where:
            clauses.append(f"({compiled.where})")
            params.extend(compiled.params)
        if order == DEFAULT_ORDER and limit is None:
            if not clauses:
                return list(self._list_order())[offset:]
            rows = self.conn.execute("SELECT p.id FROM papers p WHERE " + " AND ".join(clauses),
                                     params)
            return self._ordered({r[0] for r in rows})[offset:]
        if order == DEFAULT_ORDER:
            return self._in_list_order(clauses, params, limit, offset)
        sql = "SELECT p.id FROM papers p"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += f" ORDER BY {order}"
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params.extend([-1 if limit is None else limit, offset])
        return [r[0] for r in self.conn.execute(sql, params)]

    def _document_share(self, node: Node) -> float:
        """The share of papers holding the word of a plain-word node (0 when it is
        not one plain word): read from the index's vocabulary, cached."""
        if not isinstance(node, Text) or node.alternatives or node.prefix:
            return 0.0
        words = _WORD.findall(fold(node.value))
        if len(words) != 1:
            return 0.0
        term = stem(words[0])
        docs = self._docs.get(term)
        if docs is None:
            try:
                row = self.conn.execute("SELECT doc FROM papers_fts_vocab WHERE term = ?",
                                        (term,)).fetchone()
            except sqlite3.OperationalError:
                row = None  # no vocabulary table: every word counts as informative
            docs = self._docs[term] = row[0] if row else 0
        papers = max(1, self._key[1] if self._key else 1)
        return docs / papers

    def _stages(self, plan: _Plan) -> list[Compiled]:
        """What a relevance search lists after the papers with every plain word:
        papers with some of them. First those with a word that tells papers apart,
        then those with only words that most papers have (over half: bm25 gives
        them no weight, so among such papers there is no order worth paying for
        before the informative ones). Empty for fewer than two plain words."""
        compiled = plan.compiled
        if compiled.sort != "relevance" or not compiled.soft:
            return []
        words = sum(len(n.parts) or 1 for n in conjuncts(plan.query.root)
                    if is_soft(n) and isinstance(n, Text))
        if words < 2:
            return []  # one word: all or nothing
        informative: list[str] = []
        common: list[str] = []
        for node in conjuncts(plan.query.root):
            if not is_soft(node) or fts_expression(node) is None:
                continue
            assert isinstance(node, Text)
            if node.parts:
                for part in node.parts:
                    word = part.strip('"')
                    share = self._document_share(Text(word))
                    (common if share > 0.5 else informative).append(part)
                continue
            share = self._document_share(node)
            (common if share > 0.5 else informative).append(fts_expression(node) or "")
        stages = []
        phrases = 2 * compiled.phrases  # the NOT repeats the words; bm25 visits both
        first = some_expression(compiled, informative)
        if first is not None:
            stages.append(replace(compiled, fts=first, phrases=phrases))
        later = some_expression(compiled, common, ["(" + " OR ".join(informative) + ")"]
                                if informative else [])
        if later is not None:
            stages.append(replace(compiled, fts=later, phrases=phrases))
        return stages

    def _tier(self, compiled: Compiled, limit: int | None, offset: int
              ) -> tuple[list[int], list[float], int | None]:
        """One tier's page and its size, counting it only when the page left it
        unknown and a later tier needs to know where it ends."""
        ids, scores, total = self._ranked(compiled, limit, offset)
        if total is None and (limit is None or len(ids) < limit) and (ids or offset == 0):
            total = offset + len(ids)  # the page ran out before the limit: the end
        return ids, scores, total

    def _run(self, plan: _Plan, query: str, limit: int | None, offset: int) -> SearchResult:
        compiled = plan.compiled
        ranked = compiled.fts is not None and compiled.sort == "relevance"
        total: int | None
        stages = self._stages(plan) if ranked else []
        all_count: int | None = None
        some_count: int | None = None
        some_seen: int | None = None  # how far the page reached past the first tier
        if stages:
            ids, scores, all_count = self._tier(compiled, limit, offset)
            if limit is None or len(ids) < limit:
                if all_count is None:
                    all_count = self._count(compiled)
                before = all_count  # papers listed ahead of this stage
                some_count = 0
                some_seen = 0
                for stage in stages:
                    more = None if limit is None else limit - len(ids)
                    if more == 0:
                        some_count = None
                        break
                    skip = max(0, offset - before)
                    stage_ids, stage_scores, stage_count = self._tier(stage, more, skip)
                    ids += stage_ids
                    scores += stage_scores
                    some_seen += skip + len(stage_ids)
                    if stage_count is None:
                        some_count = None
                        break
                    some_count += stage_count
                    before += stage_count
            total = None if all_count is None or some_count is None else \
                all_count + some_count
        elif ranked:
            ids, scores, total = self._ranked(compiled, limit, offset)
        else:
            ids = self._listed(compiled, limit, offset)
            scores = [0.0] * len(ids)
            total = None
        if limit is None:
            total = offset + len(ids) if offset == 0 or total is None else total
        elif len(ids) < limit and (ids or offset == 0):
            total = offset + len(ids)
        hits = self._hits(ids, scores, compiled.terms) if limit is not None else []
        result = SearchResult(query=query, ids=ids, hits=hits, corrections=plan.corrections,
                              terms=compiled.terms, total=total, sort=compiled.sort,
                              all_count=all_count, some_count=some_count,
                              expansions=plan.expansions)
        result.message = _message(query, plan, bool(stages), all_count,
                                  offset + len(ids), some_count, some_seen)
        return result

    def _hits(self, ids: list[int], scores: list[float], terms: list[str]) -> list[Hit]:
        prepared = _prepare_terms(terms)
        if not ids or not prepared:
            return [Hit(i, s) for i, s in zip(ids, scores, strict=True)]
        texts: dict[int, tuple[str, str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for paper_id, title, abstract in self.conn.execute(
                    f"SELECT id, title, abstract FROM papers WHERE id IN ({marks})", chunk):
                texts[paper_id] = (title or "", abstract or "")
        hits = []
        for paper_id, score in zip(ids, scores, strict=True):
            title, abstract = texts.get(paper_id, ("", ""))
            hits.append(Hit(paper_id, score, tuple(_spans(title, prepared)),
                            tuple(_spans(abstract, prepared))))
        return hits

    # ------------------------------------------------------------ public
    def search(self, query: str, *, limit: int | None = 50, offset: int = 0,
               sort: str | None = None, typing: bool = False) -> SearchResult:
        """Papers matching `query`, best first. `limit=None` returns every id (and
        no hits: spans are for the rows on screen). `typing`: the app's live search
        while a word is being typed; an unfinished last word then also matches as a
        prefix, beside its own match."""
        query = query if isinstance(query, str) else str(query)
        limit = None if limit is None else max(0, int(limit))
        offset = max(0, int(offset))
        try:
            return self._run(self._plan(query, sort, typing=typing), query, limit, offset)
        except sqlite3.Error as error:
            if _interrupted(error):
                return SearchResult(query, [], error="interrupted",
                                    message="Search interrupted")
            first = error
        try:
            result = self._run(self._plan(query, sort, plain=True), query, limit, offset)
            result.message = result.message.replace(
                "Searched as plain words", f"Searched as plain words ({first})", 1)
            return result
        except sqlite3.Error as error:
            return SearchResult(query, [], error=str(error),
                                message=f"Search failed: {error}")

    def count(self, query: str, *, typing: bool = False) -> int:
        """How many papers match (those with all the words and those with some);
        never ranks."""
        query = query if isinstance(query, str) else str(query)
        for plain in (False, True):
            try:
                plan = self._plan(query, None, plain=plain, typing=typing)
                return self._count(plan.compiled) + sum(
                    self._count(stage) for stage in self._stages(plan))
            except sqlite3.Error as error:
                if _interrupted(error):
                    return 0
        return 0

    def _count(self, compiled: Compiled) -> int:
        if compiled.fts is not None:
            source, where, params = self._fts_from(compiled)
            return self.conn.execute(f"SELECT count(*) FROM {source} WHERE {where}",
                                     params).fetchone()[0]
        if not compiled.has_where:
            return self.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        return self.conn.execute(f"SELECT count(*) FROM papers p WHERE {compiled.where}",
                                 compiled.params).fetchone()[0]

    def explain(self, query: str, *, typing: bool = False) -> str:
        """The parsed tree, the corrections, and the FTS5/SQL the search runs."""
        try:
            plan = self._plan(query, None, typing=typing)
        except sqlite3.Error as error:
            return f"query: {query!r}\nerror: {error}"
        compiled = plan.compiled
        lines = [f"query: {query!r}", "tree:", describe(plan.query.root, 1)]
        lines += [f"note: {note}" for note in plan.query.notes]
        lines += [f"corrected: {typed} -> {shown}" for typed, shown in plan.corrections]
        lines += [f"abbreviation (defined in this library): {typed} -> also {other!r}"
                  for typed, other in plan.expansions]
        lines.append(f"sort: {compiled.sort}")
        lines.append(f"fts5 MATCH: {compiled.fts!r}" if compiled.fts else "fts5 MATCH: (none)")
        for number, stage in enumerate(self._stages(plan), 2):
            lines.append(f"then papers with some of the words ({number}): fts5 MATCH: "
                         f"{stage.fts!r}")
        lines.append(f"sql WHERE: {compiled.where}")
        lines.append(f"sql params: {compiled.params!r}")
        if compiled.fts is not None and compiled.sort == "relevance":
            source, where, _ = self._fts_from(compiled)
            lines.append(f"ranked: SELECT papers_fts.rowid, {_BM25} FROM {source} WHERE "
                         f"{where} AND rowid >= <{self._rank_cap(compiled)}th newest "
                         f"match> "
                         f"ORDER BY 2")
        else:
            lines.append(f"order: {ORDER_BY[compiled.sort]}")
        return "\n".join(lines)

    # ----------------------------------------------------------- go to paper
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

    def fuzzy_titles(self, text: str, limit: int = 20) -> list[tuple[int, str, float]]:
        """(id, title, score 0-100) of the titles nearest to `text`, best first."""
        try:
            return self._fuzzy_titles(text, max(0, int(limit)))
        except sqlite3.Error:
            return []

    def _fuzzy_titles(self, text: str, limit: int) -> list[tuple[int, str, float]]:
        wanted = normalise_title(text if isinstance(text, str) else str(text))
        if not wanted or not limit:
            return []
        self._fresh()
        candidates: dict[int, None] = {}
        # Stage 1a: titles that begin with what was typed, from the unique index
        # on `key` (normalise_title of the title): the usual case, and O(log n).
        candidates.update((r[0], None) for r in self.conn.execute(
            "SELECT id FROM papers WHERE key >= ? AND key < ? ORDER BY key LIMIT ?",
            (wanted, wanted + "\U0010ffff", FUZZY_PREFIX_ROWS)))
        # Stage 1b: the typed words anywhere in a title, typo-widened, through the
        # title index (a long title found from a few of its words).
        # The last word is left out while it is being typed: its completions
        # would cost a vocabulary read, and 1a and the rerank cover it.
        typed = wanted.split()
        if not text[-1:].isspace():
            typed = typed[:-1]
        # Little words are in half the titles: ANDing them costs FTS5 a walk down
        # huge doclists (30 ms at 1M papers) and narrows nothing. The longest words
        # are the rarest.
        typed = sorted((w for w in typed if w not in _STOPWORDS), key=len, reverse=True)
        words = parse(" ".join(f"title:{w}" for w in typed[:5]) + " ")
        widened, _ = self._widen(words)
        expr = fts_expression(widened.root) if widened.root is not None else None
        if expr is not None:
            candidates.update((r[0], None) for r in self.conn.execute(
                "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? "
                "ORDER BY rowid DESC LIMIT ?", (expr, FUZZY_WORD_ROWS)))
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

    def _rerank(self, wanted: str, ids: list[int]) -> list[tuple[float, int, int, str]]:
        """Score candidates for quality: WRatio over the whole title plus the share of
        typed words that have a close word in it (the last one may be half typed).
        A title that begins with exactly what was typed is what the user is
        typing. Best first."""
        rows: list[tuple[int, str, str]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows.extend(self.conn.execute(
                f"SELECT id, key, title FROM papers WHERE id IN ({marks})", chunk))
        query_words = wanted.split()
        *complete, last = query_words
        scored = []
        for paper_id, key, title in rows:
            if key.startswith(wanted):
                score = 90.0 + 10.0 * len(wanted) / max(1, len(key))
                scored.append((score, -paper_id, paper_id, title))
                continue
            title_words = key.split()
            covered = sum(
                1 for w in complete
                if w in title_words or process.extractOne(
                    w, title_words, scorer=fuzz.ratio, processor=None,
                    score_cutoff=75) is not None)
            if any(t.startswith(last) for t in title_words) or process.extractOne(
                    last, title_words, scorer=fuzz.ratio, processor=None,
                    score_cutoff=75) is not None:
                covered += 1
            score = min(89.9, 0.6 * fuzz.WRatio(wanted, key, processor=None)
                        + 40.0 * covered / len(query_words))
            scored.append((score, -paper_id, paper_id, title))
        scored.sort(reverse=True)
        return scored


def _count_text(count: int | None, at_least: int) -> str:
    return f"{count:,}" if count is not None else f"{at_least:,}+"


def _message(query: str, plan: _Plan, tiered: bool, all_count: int | None, shown: int,
             some_count: int | None, some_seen: int | None) -> str:
    """The status line: what was searched instead, and how many papers have all
    the words and how many only some (a count not made is given as at least what
    was seen: "50+"). Empty when there is nothing to say."""
    parts = []
    if plan.corrections:
        parts.append("Showing results for " + corrected_query(query, plan.corrections))
    if plan.query.notes and plan.query.notes[-1] == "searched as plain words":
        parts.append("Searched as plain words")
    if tiered and some_count != 0:  # nothing to tell apart when no paper has only some
        if all_count == 0:
            parts.append("no paper has all words")
        else:
            verb = "has" if all_count == 1 else "have"
            parts.append(f"{_count_text(all_count, shown)} {verb} all words")
        if some_count is None and some_seen:
            parts.append(f"{some_seen:,}+ more have some")
        elif some_count:
            parts.append(f"{some_count:,} more have some")
    return " · ".join(parts)


def _fts(node: Text) -> str:
    expr = fts_expression(node)
    assert expr is not None  # a Text always has one
    return expr


def _interrupted(error: sqlite3.Error) -> bool:
    return "interrupt" in str(error).lower()


def corrected_query(query: str, corrections: Sequence[tuple[str, str]]) -> str:
    """The query as searched: each corrected word replaced by what was searched instead."""
    text = query
    for typed, shown in corrections:
        text = re.sub(r"(?<![^\W_])" + re.escape(typed) + r"(?![^\W_])",
                      lambda _m, s=shown: s, text, count=1)
    return text
