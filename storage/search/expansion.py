"""Abbreviations the library defines (storage.abbrev), searched in both forms: a
typed short form also finds its long forms (`MoE` -> "mixture of experts"), and
a run of typed words that is a long form also finds its short forms. No
hand-written list: the pairs are mined from the abstracts at import."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace

from storage import abbrev
from storage.query import And, Node, Not, Query, Text, conjuncts, fts_string, is_soft, with_root
from storage.search.vocabulary import Vocabulary
from storage.search.words import WORD

# The longest run of typed words tried as a long form.
LONGEST_RUN = 8


def _plain(node: Node) -> bool:
    # A plain word, not already widened or being typed: one that may be a form.
    return is_soft(node) and not node.alternatives and not node.prefix  # type: ignore[union-attr]


def _long_form_at(conn: sqlite3.Connection, items: Sequence[Node], i: int
                  ) -> tuple[Text, list[tuple[str, str]], int] | None:
    """The longest run of plain words from items[i] that is a long form, searched
    as one unit beside its short forms: (node, expansions, words used)."""
    run = 0
    for item in items[i:i + LONGEST_RUN]:
        if not _plain(item):
            break
        run += 1
    for size in range(run, 1, -1):
        words = [items[k].value for k in range(i, i + size)]  # type: ignore[union-attr]
        shorts = abbrev.shorts_for(conn, abbrev.key_of(words))
        if not shorts:
            continue
        typed = " ".join(words)
        short_forms = list(dict.fromkeys(s for s, _l, _n in shorts))
        together = "(" + " AND ".join(fts_string(w) for w in words) + ")"
        alternatives = (together, *dict.fromkeys(fts_string(s) for s in short_forms))
        # One unit for "all words"; its single words for "some" (parts). Each
        # word marks on its own: the unit does not need them side by side, and a
        # paper listed for some of them has only those.
        node = Text(typed, alternatives=alternatives, marks=(*words, *short_forms),
                    parts=(*(fts_string(w) for w in words), *alternatives[1:]))
        return node, [(typed, s) for s in short_forms], size
    return None


def _short_form(conn: sqlite3.Connection, node: Text) -> tuple[Text, list[tuple[str, str]]]:
    """A typed short form beside the long forms the library gives it."""
    longs = abbrev.define(conn, node.value)
    if not longs or len(WORD.findall(node.value)) != 1:
        return node, []
    forms = list(dict.fromkeys(long for _s, long, _n in longs))
    expanded = replace(node, alternatives=(fts_string(node.value),
                                           *(fts_string(f) for f in forms)),
                       marks=(node.value, *forms))
    return expanded, [(node.value, f) for f in forms]


def expand(conn: sqlite3.Connection, vocabulary: Vocabulary, query: Query
           ) -> tuple[Query, list[tuple[str, str]]]:
    """The query with every abbreviation the library defines searched in both
    forms, and the (typed, also searched) pairs."""
    if query.root is None or not vocabulary.has_abbreviations():
        return query, []
    expansions: list[tuple[str, str]] = []
    items = list(conjuncts(query.root))
    out: list[Node] = []
    i = 0
    while i < len(items):
        node = items[i]
        if isinstance(node, Not) and _plain(node.child):
            # `-rl` leaves out what `rl` finds: the short form and its long forms.
            expanded, pairs = _short_form(conn, node.child)  # type: ignore[arg-type]
            out.append(Not(expanded))
            expansions.extend(pairs)
            i += 1
            continue
        if not _plain(node):
            out.append(node)
            i += 1
            continue
        grouped = _long_form_at(conn, items, i)
        if grouped is not None:
            unit, pairs, size = grouped
            out.append(unit)
            expansions.extend(pairs)
            i += size
            continue
        assert isinstance(node, Text)
        expanded, pairs = _short_form(conn, node)
        out.append(expanded)
        expansions.extend(pairs)
        i += 1
    if not expansions:
        return query, []
    root = out[0] if len(out) == 1 else And(tuple(out))
    return with_root(query, root), expansions
