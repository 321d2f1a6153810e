"""Words as the full-text index sees them: folded, porter-stemmed, and back again.

The index (unicode61 with remove_diacritics 2, then porter) stores folded
stems; everything else in search compares typed and stored words through
these functions so that it agrees with what FTS5 matched.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[^\W_]+")

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
    """What unicode61 with remove_diacritics 2 compares: no accents, case folded.
    (Python's casefold also opens ß and ligatures, which unicode61 keeps whole: a
    leniency that only ever widens a highlight.)"""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def folded_with_map(text: str) -> tuple[str, list[int]]:
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


def common_prefix(a: str, b: str) -> str:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return a[:size]
