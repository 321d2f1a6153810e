"""Text helpers (desktop/text.py): sentence bounds and trimmed spans."""

from __future__ import annotations

from desktop.text import join_spans, sentence_bounds, trim_span


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
