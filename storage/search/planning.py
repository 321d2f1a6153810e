"""From typed text to what to run: parse, expand abbreviations, widen typos, and
spell out the word being typed; then compile (storage.query).

- typo widening: a word with no hit in the index is searched as the nearest
  index terms (rapidfuzz over the FTS5 vocabulary), and the plan says so;
- a word the index has is never "corrected";
- while typing (the app's live search only), the last word keeps its own match
  and also matches as a prefix.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from storage.query import (
    FIELD_COLUMNS,
    Compiled,
    Node,
    Query,
    Text,
    compile_query,
    fts_expression,
    fts_string,
    map_text,
    parse,
    plain_words,
    with_root,
)
from storage.search.expansion import expand
from storage.search.vocabulary import Vocabulary
from storage.search.words import WORD, common_prefix, fold, index_term_query, stem

# A prefix with at most this many index terms is searched as those terms, ORed
# (see Planner._spelled_prefix).
PREFIX_SPELLED = 12
# A typo'd word is replaced by index terms at least this similar (OSA, 0-100):
# one edit in a 4-letter word, two in a 7-letter one.
TYPO_CUTOFF = 70.0
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


@dataclass(slots=True)
class Plan:
    query: Query
    compiled: Compiled
    corrections: list[tuple[str, str]]  # (typed, searched instead)
    expansions: list[tuple[str, str]] = field(default_factory=list)  # (typed, also searched)


def _fts(node: Text) -> str:
    expr = fts_expression(node)
    assert expr is not None  # a Text always has one
    return expr


class Planner:
    def __init__(self, conn: sqlite3.Connection, vocabulary: Vocabulary) -> None:
        self.conn = conn
        self.vocabulary = vocabulary

    def plan(self, text: str, sort: str | None, *, plain: bool = False,
             typing: bool = False) -> Plan:
        """What to run for `text`. `plain`: every piece as a plain word (the
        fallback after an sqlite error); `typing`: the app's live search."""
        query = plain_words(text) if plain else parse(text, typing=typing)
        query, expansions = expand(self.conn, self.vocabulary, query)
        query, corrections = self.widen(query)
        return Plan(query, compile_query(query, sort=sort), corrections, expansions)

    def widen(self, query: Query) -> tuple[Query, list[tuple[str, str]]]:
        """Each typo'd word searched as the index terms nearest to it, and each word
        being typed as its completions; the corrections made, to tell the user."""
        corrections: list[tuple[str, str]] = []

        def visit(node: Text, negated: bool) -> Node:
            if negated or node.phrase or node.alternatives:
                return node
            return self._widen_word(node, corrections)

        root = map_text(query.root, visit)
        return with_root(query, root), corrections

    def _widen_word(self, node: Text, corrections: list[tuple[str, str]]) -> Node:
        word = fold(node.value)
        if WORD.fullmatch(word) is None or len(word) > 40:
            return node  # several tokens (`e-mail`), or no typo worth guessing
        if node.prefix:
            spelled = self._spelled_prefix(node, word)
            if spelled is not None:
                return spelled
        if self.vocabulary.has_hit(_fts(node)):
            # A word the index has is searched as typed: its own match (every
            # inflection) and, while it is being typed, a prefix query too.
            return node
        if node.prefix:
            completed = self._completed(node, word)
            if completed is not None:
                return completed
        # No hit, or (for the word being typed) nothing in the vocabulary
        # continues it: a typo. The vocabulary is re-read after imports, so a
        # word first written in a note since then, typed half-way, may be taken
        # for a typo of an older word; whole, it has a hit and is searched.
        column = FIELD_COLUMNS.get(node.field or "")
        nearest = [] if len(word) < 4 or word.isdigit() else self._nearest(word, column)
        # Nothing nearer than the word itself (a word the field lacks): no
        # correction to announce.
        nearest = [n for n in nearest if fold(n[1]) != word]
        if not nearest:
            return node
        shown = " or ".join(dict.fromkeys(s for _t, s, _sim in nearest))
        corrections.append((node.value, shown))
        return replace(node, alternatives=tuple(index_term_query(t) for t, _s, _sim in nearest),
                       prefix=False, display=shown,
                       marks=tuple(dict.fromkeys(s for _t, s, _sim in nearest)))

    # ------------------------------------------------------- the word being typed
    def _spelled_prefix(self, node: Text, word: str) -> Text | None:
        """The word being typed as its own match plus every index term its prefix
        query would match, spelled out, when there are few: the same papers as
        `"lear"*`, but FTS5 streams an OR of terms lazily where it merges a prefix's
        doclists whole first (27 ms for `reinforcement lear` at 100k papers). None
        when the prefix has no term or too many: then the real prefix query."""
        start = stem(word)
        if not start:
            return None
        beginning = self.vocabulary.beginning(start)
        if not 0 < len(beginning) <= PREFIX_SPELLED:
            return None
        own = fts_string(node.value)
        terms = [index_term_query(t) for t in beginning if t != start]
        return replace(node, alternatives=tuple(dict.fromkeys([own, *terms])), prefix=False,
                       marks=(node.value + "*",))

    def _completed(self, node: Text, word: str) -> Text | None:
        """A half-written ending the stemmer cannot read (`decodi`: no index term
        begins with it) searched as the stems it can become; None if none."""
        found = self._complete(word)
        if not found:
            return None
        mark = common_prefix(stem(word), found[0]) or word
        return replace(node, alternatives=(
            fts_string(node.value), fts_string(node.value) + "*",
            *map(index_term_query, found)), prefix=False, marks=(mark + "*",))

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
        return tuple(t for t in self.vocabulary.completions(start)
                     if t.startswith(word) or word.startswith(t))

    # ------------------------------------------------------------------ typos
    def _shortlist(self, word: str) -> dict[str, int]:
        """Index terms that may be what a typo'd word meant, with their counts.
        Terms starting with the word's first or second letter: a typo in the
        first letter itself is not corrected (the price of not reading the
        whole vocabulary)."""
        shortlist: dict[str, int] = {}
        for first in dict.fromkeys(word[:2]):
            bucket = self.vocabulary.bucket(first)
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
        return shortlist

    def _nearest(self, word: str, column: str | None) -> list[tuple[str, str, float]]:
        """(index term, display word, score) of the terms nearest to `word`."""
        shortlist = self._shortlist(word)
        total = max(1, self.vocabulary.papers)
        scored: list[tuple[float, str, str, float]] = []
        for term, docs in shortlist.items():
            forms = self.vocabulary.display_forms(term, column)
            if not forms:
                continue
            similarity, shown = max((OSA.normalized_similarity(word, fold(f)) * 100, f)
                                    for f in forms)
            if similarity < TYPO_CUTOFF:
                continue
            # Among equally close terms, the common one is the likelier meaning.
            weight = similarity + 10 * math.log1p(docs) / math.log1p(total)
            scored.append((weight, term, shown, similarity))
        if not scored:
            return []
        scored.sort(reverse=True)
        best = scored[0][0]
        return [(term, shown, sim) for weight, term, shown, sim in scored[:3]
                if weight >= best - 1.0]
