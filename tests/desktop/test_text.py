"""Text helpers (desktop/text.py): sentence bounds and trimmed spans."""

from __future__ import annotations

import pytest

from desktop.text import balanced_bidi, isolated, join_spans, sentence_bounds, trim_span


def test_text_helpers() -> None:
    text = "Kolmogorov networks. KANs beat MLPs! Done"
    assert sentence_bounds(text) == [0, 21, 37]
    assert trim_span(text, 27, 20) == (21, 27)


def test_hits_a_hyphen_or_slash_apart_join_and_others_stay_apart() -> None:
    text = "Kolmogorov-Arnold nets and encoder/decoder pairs, not mixture of experts"
    k, a = text.index("Kolmogorov"), text.index("Arnold")
    e, d = text.index("encoder"), text.index("decoder")
    m, x = text.index("mixture"), text.index("experts")
    spans = [(x, x + 7), (k, k + 10), (a, a + 6), (e, e + 7), (d, d + 7), (m, m + 7)]
    assert join_spans(text, spans) == [(k, a + 6), (e, d + 7), (m, m + 7), (x, x + 7)]
    # Overlapping and touching spans are one; a space keeps two words two.
    assert join_spans("abcdef", [(0, 3), (2, 4), (4, 6)]) == [(0, 6)]
    assert join_spans("ab cd", [(0, 2), (3, 5)]) == [(0, 2), (3, 5)]
    assert join_spans("a--b", [(0, 1), (3, 4)]) == [(0, 4)]
    assert join_spans("a---b", [(0, 1), (4, 5)]) == [(0, 1), (4, 5)]
    assert join_spans("", []) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("plain title", "plain title"),
    ("\u202eopen override", "\u2060open override"),  # unclosed: made inert
    ("a\u202ebc\u202cd", "a\u202ebc\u202cd"),  # closed in the text: kept
    ("stray\u202c pdf and \u2069 pdi", "stray\u2060 pdf and \u2060 pdi"),
    # A PDF cannot close an embedding across an open isolate; the PDI closes the
    # isolate and leaves the embedding before it open.
    ("\u202a\u2066x\u202c\u2069", "\u2060\u2066x\u2060\u2069"),
    # A PDI closes its isolate and whatever was left open inside it.
    ("\u2068a\u202eb\u2069c", "\u2068a\u2060b\u2069c"),
    ("a\u2069\u202eb", "a\u2060\u2060b"),  # the PDI that would close the app's isolate
])
def test_balanced_bidi_keeps_pairs_and_the_length(text: str, expected: str) -> None:
    assert balanced_bidi(text) == expected
    assert len(balanced_bidi(text)) == len(text)
    assert isolated(text) == f"\u2068{expected}\u2069"
