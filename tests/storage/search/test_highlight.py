"""Spans of the matched words (storage/search/highlight.py)."""

from __future__ import annotations

from storage.search import highlight_spans
from storage.search.highlight import prepare_terms, spans


def test_highlight_spans() -> None:
    text = "Speculative Decoding with decoders; naïve DECODER, undecoded"
    assert [text[a:b] for a, b in highlight_spans(text, ["decoding"])] == [
        "Decoding", "decoders", "DECODER"]
    assert [text[a:b] for a, b in highlight_spans(text, ["naive", "spec*"])] == [
        "Speculative", "naïve"]
    phrase = "Mixture of Experts, mixture-of-experts and a mixture of models"
    assert [phrase[a:b] for a, b in highlight_spans(phrase, ["mixture of experts"])] == [
        "Mixture of Experts", "mixture-of-experts"]
    assert highlight_spans("", ["x"]) == [] and highlight_spans("abc", []) == []
    assert highlight_spans("ﬁne-tuned Straße", ["fine", "strasse"]) == [(0, 3), (10, 16)]
    # A short form marks its own inflections only, not every word sharing a letter.
    short = "LMs beat an LM; lamps do not, nor does SDXL for SD"
    assert [short[a:b] for a, b in highlight_spans(short, ["LMs", "SD"])] == [
        "LMs", "LM", "SD"]
    # A word porter stems to nothing ("s") marks nothing and raises nothing.
    assert highlight_spans("S is a letter", ["S"]) == [(0, 1)]
    # Overlapping terms merge into one span.
    assert highlight_spans("large language models", ["large language", "language models"]) \
        == [(0, 21)]


def test_prepared_terms_know_their_stems_lead_and_prefix() -> None:
    decoding, spec, lms, phrase = prepare_terms(["Decoding", "spec*", "LMs",
                                                 "mixture of experts"])
    assert decoding.words == ("decoding",) and decoding.stems == ("decod",)
    assert decoding.lead == "deco" and not decoding.prefix
    assert spec.prefix and spec.words == ("spec",)
    assert lms.lead == "lm"  # a short stem begins its words whole
    assert phrase.words == ("mixture", "of", "experts") and len(phrase.stems) == 3
    assert prepare_terms(["", "!!", "*"]) == []
    text = "Speculative decoding"
    assert spans(text, [spec, decoding]) == [(0, 11), (12, 20)] == highlight_spans(
        text, ["spec*", "Decoding"])
