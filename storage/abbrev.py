"""Abbreviations the library defines itself: "mixture of experts (MoE)".

Abstracts introduce their short forms in parentheses after the long form. At
import each new abstract is scanned for them (Schwartz & Hearst, "A simple
algorithm for identifying abbreviation definitions in biomedical text", 2003:
every character of the short form, right to left, found in the words before it,
its first character starting a word), and the pairs are kept in the
`abbreviations` table with the number of papers that define them. Search then
looks a typed word up as a short form, and a run of typed words up as a long
form, and searches both (storage.search). Nothing here is a hand-written list:
a pair exists because a paper of this library wrote it.

A pair stays when the papers that defined it are deleted: searching a long form
that no paper has costs nothing and finds nothing more.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["Abbreviation", "define", "find_definitions", "key_of", "record"]

# A parenthesised candidate: 2-10 characters of one word, no spaces ("(MoE)",
# "(KV)", "(RL)", "(3D-GS)"), closed or followed by a comma ("(MoE, ...)").
_PAREN = re.compile(r"\(([^\W_][\w\-.+&]{1,9})[),;]")
# The same, only where the candidate has an abbreviation's shape (`_SHORT_SHAPE`),
# tested by a lookahead over the same characters: of 174k candidates in 100k
# abstracts 38k fail it, and each cost a Python step to reject.
_SHAPED_PAREN = re.compile(
    r"\((?=[\w\-.+&]*?[A-Z][\w\-.+&]*?[A-Z0-9]|[\w\-.+&]*?[0-9][\w\-.+&]*?[A-Z])"
    r"([^\W_][\w\-.+&]{1,9})[),;]")
_WORD = re.compile(r"[^\W_]+")
# Long forms run at most min(|short| + 5, 2 |short|) words (Schwartz & Hearst).
_MAX_EXTRA = 5
# What a long form may hold besides letters and digits: "mixture-of-experts".
_LONG_OK = re.compile(r"[^\W_][\w\s\-'\u2019]*[^\W_]")

Abbreviation = tuple[str, str]  # (short as written, long as written)


def key_of(words: Iterable[str]) -> str:
    """The lookup key of a word sequence: porter stems of the folded words, so the
    long form typed in another inflection ("mixtures of expert") still meets it."""
    return _key(" ".join(words))


@lru_cache(maxsize=1 << 14)
def _key(text: str) -> str:
    from storage.search import fold, stem  # search imports this module

    return " ".join(stem(w) for w in _WORD.findall(fold(text)))


# Two capitals ("MoE", "KV", "LoRA"), or a capital and a digit ("3D", "GPT4"):
# "(see)", "(Ours)" or "(e.g." are no abbreviations.
_SHORT_SHAPE = re.compile(r".*?[A-Z].*?[A-Z0-9]|.*?[0-9].*?[A-Z]")
# What ends a clause when whitespace follows it: a long form starts after it.
_CLAUSE_END = frozenset(".;:!?)]}")


def _long_form(short: str, head: str) -> str | None:
    """Schwartz & Hearst's long form for `short` in `head`, the text before "(":
    each character of the short form, right to left, found in the words before
    it, the first one at the start of a word; at most min(|short| + 5,
    2 |short|) words, and none from before the clause began."""
    chars = short.lower()
    if not chars.isalnum():
        chars = "".join(c for c in chars if c.isalnum())
    most = min(len(chars) + _MAX_EXTRA, 2 * len(chars))
    # Only the last `most` words can count, so only they are split off (splitting
    # the whole 160-character head after cutting it at its last clause with a
    # regex was most of this function's time). A clause ends at a word that ends in one of
    # `_CLAUSE_END` with whitespace after it: any word of the window but the last,
    # and the last too when the head ends in whitespace. A clause that ended
    # before the window leaves the window whole.
    words = head.rsplit(None, most)
    if len(words) > most:
        del words[0]
    for k in range(len(words) - (1 if head[-1:].isspace() else 2), -1, -1):
        if words[k][-1] in _CLAUSE_END:
            del words[:k + 1]
            break
    if len(words) < 2:
        return None
    # Not memoised: the search below costs about what a cache look-up and its
    # upkeep did (in 100k abstracts, 106k of 136k windows were new).
    return _schwartz_hearst(short, chars, " ".join(words))


def _schwartz_hearst(short: str, chars: str, text: str) -> str | None:
    lowered = text.lower()
    end = len(text)  # search before this index
    for s_index in range(len(chars) - 1, 0, -1):
        end = lowered.rfind(chars[s_index], 0, end)
        if end < 0:
            return None
    at = lowered.rfind(chars[0], 0, end)
    while at > 0 and lowered[at - 1].isalnum():
        at = lowered.rfind(chars[0], 0, at)
    if at < 0:
        return None
    long_form = text[text.rfind(" ", 0, at) + 1:].strip(" ,;:-~\"'`")
    if _LONG_OK.fullmatch(long_form) is None:
        return None  # LaTeX, numbers with symbols: not a name
    long_words = _WORD.findall(long_form)
    # One word is not a long form worth a second name, and a long form that
    # holds the short form itself ("MoE layers (MoE)") defines nothing.
    if len(long_words) < 2 or short.lower() in map(str.lower, long_words):
        return None
    return long_form


def find_definitions(text: str) -> list[Abbreviation]:
    """The (short, long) pairs that `text` defines, in order."""
    if not text or "(" not in text:
        return []
    found: list[Abbreviation] = []
    for match in _SHAPED_PAREN.finditer(text):
        start = match.start()
        short = match[1]
        long_form = _long_form(short, text[max(0, start - 160):start])
        if long_form is not None:
            found.append((short, long_form))
    return found


def record(conn: sqlite3.Connection, abstracts: Iterable[str]) -> int:
    """Add the definitions in `abstracts` (new papers) to the table; returns how
    many definitions were seen. Runs inside the caller's transaction."""
    pairs: Counter[tuple[str, str, str, str]] = Counter()
    for abstract in abstracts:
        found = find_definitions(abstract)
        if not found:
            continue
        seen: set[tuple[str, str]] = set()
        for short, long_form in found:
            skey, lkey = _key(short), _key(long_form)  # key_of of one word sequence
            if skey and lkey and (skey, lkey) not in seen:
                seen.add((skey, lkey))
                pairs[(skey, lkey, short, long_form.lower())] += 1
    if pairs:
        conn.executemany(
            "INSERT INTO abbreviations (short_key, long_key, short, long, papers) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (short_key, long_key) "
            "DO UPDATE SET papers = papers + excluded.papers",
            [(*k, n) for k, n in pairs.items()])
    return sum(pairs.values())


def define(conn: sqlite3.Connection, short: str) -> list[tuple[str, str, int]]:
    """(short, long, papers) of the long forms this library gives `short`, most
    used first."""
    key = key_of([short])
    if not key:
        return []
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        "SELECT short, long, papers FROM abbreviations WHERE short_key = ? "
        "ORDER BY papers DESC, long LIMIT 3", (key,))]


def shorts_for(conn: sqlite3.Connection, long_key: str) -> list[tuple[str, str, int]]:
    """(short, long, papers) of the short forms of the long form with this key."""
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        "SELECT short, long, papers FROM abbreviations WHERE long_key = ? "
        "ORDER BY papers DESC, short LIMIT 3", (long_key,))]
