"""SearchResult and its status line (storage/search/result.py)."""

from __future__ import annotations

from storage.search import SearchResult, corrected_query
from storage.search.result import TierCounts, status_line


def test_corrected_query_replaces_whole_words_only() -> None:
    assert corrected_query("kolmogorv arnld", [("kolmogorv", "kolmogorov")]) == \
        "kolmogorov arnld"
    assert corrected_query(r"x\1 modl", [("modl", "model")]) == r"x\1 model"
    assert corrected_query("modls modl", [("modl", "model")]) == "modls model"


def test_the_status_line_says_what_was_searched_and_how_many_have_all_words() -> None:
    nothing = TierCounts()
    assert status_line("kan", [], (), nothing, 3) == ""
    assert status_line("kolmogorv", [("kolmogorv", "kolmogorov")], (), nothing, 3) == \
        "Showing results for kolmogorov"
    assert status_line("a(b", [], ("searched as plain words",), nothing, 3) == \
        "Searched as plain words"
    assert status_line("agent memory", [], (), TierCounts(True, 1, 72, 72), 73) == \
        "1 has all words · 72 more have some"
    assert status_line("x y", [], (), TierCounts(True, 0, 5, 5), 5) == \
        "no paper has all words · 5 more have some"
    # Counts not made: at least what the page saw.
    assert status_line("x y", [], (), TierCounts(True, None, None, None), 50) == \
        "50+ have all words"
    assert status_line("x y", [], (), TierCounts(True, 12, None, 38), 50) == \
        "12 have all words · 38+ more have some"
    # Every paper has all the words: nothing to tell apart.
    assert status_line("x y", [], (), TierCounts(True, 12, 0, 0), 12) == ""
    assert status_line("x y", [], (), TierCounts(True, 1_234, 5_678, 0), 50) == \
        "1,234 have all words · 5,678 more have some"


def test_a_result_highlights_its_terms_and_says_when_it_failed() -> None:
    result = SearchResult("decoding", [1], terms=["decoding"])
    assert result.highlight("Fast decoders decode") == [(5, 13), (14, 20)]
    assert not result.failed and result.matches == [1]
    failed = SearchResult("x", [], error="disk I/O error")
    assert failed.failed and failed.highlight("x marks") == []


def test_the_status_line_says_which_filter_was_not_one() -> None:
    warning = "year:soon is not a filter (year: takes a number); searched as words"
    assert status_line("kan year:soon", [], (), TierCounts(), 3, [warning]) == warning
    assert status_line("kolmogorv year:soon", [("kolmogorv", "kolmogorov")], (),
                       TierCounts(True, 0, 4, 4), 4, [warning]) == \
        f"Showing results for kolmogorov year:soon · {warning} · no paper has all words · " \
        "4 more have some"
