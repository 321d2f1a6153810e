"""Go to paper: fuzzy titles (storage/search/goto.py)."""

from __future__ import annotations

from storage import Library


# ------------------------------------------------------------- go to paper
def test_fuzzy_titles(shared: Library) -> None:
    hits = shared.fuzzy_titles("activaton space kolmogorv")
    assert hits[0][:2] == (349, "Activation Space Selectable Kolmogorov-Arnold Networks")
    assert all(0 <= score <= 100 for _i, _t, score in hits) and len(hits) <= 20
    scores = [score for _i, _t, score in hits]
    assert scores == sorted(scores, reverse=True)
    assert shared.fuzzy_titles("") == [] and shared.fuzzy_titles("!!!") == []
    assert len(shared.fuzzy_titles("model", limit=3)) == 3


def test_fuzzy_titles_while_typing_a_title(shared: Library) -> None:
    title = "Kangaroo: Lossless Self-Speculative Decoding via Double Early Exiting"
    for n in (6, 12, 25, len(title)):
        assert shared.fuzzy_titles(title[:n])[0][1] == title


def test_the_finder_stages(shared: Library) -> None:
    finder = shared._search.titles
    # What a title begins with, from the index on its key.
    assert finder.find("kangaroo lossless", 1)[0][1].startswith("Kangaroo: Lossless")
    assert finder.find("kangaroo lossless", 1)[0][2] > 90
    # Words from anywhere in the title, one misspelt, the last still being typed.
    words = finder.find("selectable kolmogorv activ", 3)
    assert words[0][0] == 349
    # Neither: edit similarity over every title finds a garbled title.
    garbled = finder.find("Kolmogrov-Arnold Transfromer", 1)
    assert garbled[0][1] == "Kolmogorov-Arnold Transformer"
    assert finder.find("", 5) == [] and finder.find("kangaroo", 0) == []
