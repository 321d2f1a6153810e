"""Text helpers (desktop/text.py): sentence bounds and trimmed spans."""

from __future__ import annotations

from desktop.text import sentence_bounds, trim_span


def test_text_helpers() -> None:
    text = "Kolmogorov networks. KANs beat MLPs! Done"
    assert sentence_bounds(text) == [0, 21, 37]
    assert trim_span(text, 27, 20) == (21, 27)
