"""Where the matched words are in a title or an abstract, for highlighting.

Computed in Python on the rows on screen only, mirroring what FTS5 matched: a
word marks the words that share its porter stem (and, for the word being typed,
the words it begins); a phrase marks its words in a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from storage.search.words import WORD, common_prefix, fold, folded_with_map, stem


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]  # folded
    stems: tuple[str, ...]
    prefix: bool  # the last word also matches words it begins
    lead: str  # every word the first word can match begins with this


def prepare_terms(terms: Iterable[str]) -> list[Term]:
    prepared = []
    for term in terms:
        words = tuple(WORD.findall(fold(term)))
        if words:
            prefix = term.rstrip().endswith("*")
            stems = tuple(stem(w) for w in words)
            # Porter only rewrites a word's ending, so a stem less its last letter
            # begins every word that has it. A short stem that does not end in a
            # rewritten letter (y -> i, an added e) begins them whole: "lm" for
            # "LMs", where one letter would stem every word starting with "l".
            short = 0 < len(stems[0]) <= 3 and stems[0][-1] not in "ie"
            lead = stems[0] if short and words[0].startswith(stems[0]) else common_prefix(
                words[0], stems[0][:-1] if len(stems[0]) > 2 else stems[0][:1])
            prepared.append(Term(words, stems, prefix, lead))
    return prepared


@lru_cache(maxsize=256)
def _finder(leads: tuple[str, ...]) -> re.Pattern[str]:
    # Whole words that begin with one of the leads: the only words worth stemming.
    alternatives = "|".join(re.escape(lead) for lead in sorted(set(leads), key=len,
                                                                 reverse=True))
    return re.compile(r"(?<![^\W_])(?:" + alternatives + r")[^\W_]*")


def _word_matches(word: str, term: Term, k: int) -> bool:
    # Mirrors what FTS5 matched: the same porter stem, or, for the word being
    # typed, any word it begins.
    if stem(word) == term.stems[k]:
        return True
    return term.prefix and k == len(term.words) - 1 and word.startswith(term.words[k])


def _merged(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    found.sort()
    merged = [found[0]]
    for start, end in found[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def spans(text: str, terms: Sequence[Term]) -> list[tuple[int, int]]:
    """Spans of prepared `terms` in `text` (see highlight_spans)."""
    if not text or not terms:
        return []
    folded, where = folded_with_map(text)
    found: list[tuple[int, int]] = []
    for match in _finder(tuple(t.lead for t in terms)).finditer(folded):
        word = match.group()
        for term in terms:
            if not word.startswith(term.lead) or not _word_matches(word, term, 0):
                continue
            end = match.end()
            for k in range(1, len(term.words)):  # a phrase: the next words in a row
                following = WORD.search(folded, end)
                if following is None or not _word_matches(following.group(), term, k):
                    break
                end = following.end()
            else:
                found.append((match.start(), end))
    if not found:
        return []
    merged = _merged(found)
    if where:
        # Back to positions in the original text (folding changed lengths).
        merged = [(where[s], where[e - 1] + 1) for s, e in merged]
    return merged


def highlight_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) character spans of `terms` in `text`, end exclusive, sorted,
    non-overlapping. A word matches words it begins or that share its porter stem
    ("decoding" marks "decoder"); a phrase marks its words in a row."""
    return spans(text, prepare_terms(terms))
