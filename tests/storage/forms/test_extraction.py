"""The one-pass reader of a text extractor's Markdown of the trending page
(storage/forms/extraction.py) against the general reader: on every text it takes, the
same records, warnings and dates, card by card.

It is the fast way for such a copy; a copy it is not sure of goes to the general reader,
so a difference could only come from a text wrongly taken. Hypothesis cuts and mutates the
fixture (and a long generated copy) to look for one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.forms.extraction import extraction_listing
from tests.fixtures.forms import make_forms as mf
from tests.fixtures.forms.catalogue import PAPERS
from tests.storage.forms.readers import edited, fast, general

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
COPIES = [
    (FORMS / "md-trending-extraction.md").read_text(encoding="utf-8"),
    mf.md_trending_extraction([p for p in PAPERS * 3 if p.github_repo]),
]
PIECES = ["", "### A Title", "  wrapped onto a second line", "- 4 authors", "- a list item",
          "[LINK: GitHub 1.2k](https://github.com/a/b)", "[LINK: Project](https://a.b/c)",
          "https://example.org/code", "Oct 2", "12", "[Content truncated]", "&amp; co",
          "compound \\\\", "# A heading", "<a id=\"x\"></a>", "Submitted by", "·",
          "A short line.", "Some text [with a link](https://example.org) in it",
          "A text that leaves a [bracket open", "A text with a [1] citation"]


@pytest.mark.parametrize("k", range(len(COPIES)))
def test_the_regular_copies_are_read_in_one_pass(k: int) -> None:
    # Not vacuous: the fixture (an abstract ending in a URL line) and the long copy go the
    # fast way, with the same records.
    got = fast(extraction_listing, COPIES[k])
    assert got[0] == "read"
    assert got == general(COPIES[k])


def test_a_title_wrapped_onto_a_second_line_is_one_title() -> None:
    # As in the real extraction ("### SmolDocling: ... end-to-end" / "  multi-modal ...").
    title = PAPERS[0].title
    cut = title.index(" ", 20)
    text = COPIES[0].replace(f"### {title}\n", f"### {title[:cut]}\n  {title[cut + 1:]}\n")
    got = fast(extraction_listing, text)
    assert got[0] == "read"
    assert got == general(text)
    assert title in [r.title for r in got[1]]  # type: ignore[union-attr]


def test_a_link_that_is_no_repository_goes_to_the_general_reader() -> None:
    # "[LINK: Project](...)" is text of the card to the general reader, not its repo.
    text = COPIES[0].replace("[LINK: GitHub", "[LINK: Project", 1)
    assert fast(extraction_listing, text) == ("not taken",)


def test_second_copies_that_differ_are_read_and_merged_as_the_general_reader_does() -> None:
    # A second copy the same to the character is left out (its record would merge into
    # the first without a change); one that differs is a card again, and merged.
    paper = next(p for p in PAPERS if p.github_repo)
    stars = f"[LINK: GitHub {mf.compact_stars(paper.github_stars or 0)}]({paper.github_repo})"
    first = COPIES[0].index(stars)
    second = COPIES[0].index(stars, first + 1)
    text = COPIES[0][:second] + f"[LINK: GitHub 99]({paper.github_repo})" + COPIES[0][
        second + len(stars):]
    got = fast(extraction_listing, text)
    assert got[0] == "read" and got == general(text)


@pytest.mark.parametrize("summary", ["Too short to be a card.", "Short, and in both."])
def test_a_card_that_makes_no_record_is_read_with_every_copy_in(summary: str) -> None:
    # Leaving second copies out is exact only while every card makes a record: a card
    # with a text too short for one (or none) changes how many of the cards are records,
    # so the copy is read again with every second copy in, as the general reader has it.
    paper = next(p for p in PAPERS if p.github_repo and p.ai_summary)
    text = COPIES[1].replace(f"\n{paper.ai_summary}\n", f"\n{summary}\n")
    assert text != COPIES[1]
    got = fast(extraction_listing, text)
    assert got != ("not taken",) and got == general(text)


def test_an_abstract_that_leaves_a_bracket_open_goes_to_the_general_reader() -> None:
    # The general reader runs a link whose "[" is not closed on its first line over the
    # lines after it (the byline, the repository): the one-pass reader read the text alone.
    lines = COPIES[0].split("\n")
    k = next(i for i, s in enumerate(lines) if s.startswith("### ")) + 2
    text = "\n".join([*lines[:k], f"Our method [see the appendix {lines[k]}", *lines[k + 1:]])
    assert fast(extraction_listing, text) == ("not taken",)
    assert general(text)[0] == "read"
    balanced = "\n".join([*lines[:k], f"Our method [1] {lines[k]}", *lines[k + 1:]])
    got = fast(extraction_listing, balanced)
    assert got[0] == "read" and got == general(balanced)


@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(COPIES) - 1),
       edits=st.lists(st.tuples(st.integers(0, 3), st.floats(0, 1), st.sampled_from(PIECES)),
                      max_size=5),
       cut=st.one_of(st.just(1.0), st.floats(0.2, 1)))
def test_the_one_pass_reader_reads_what_the_general_reader_reads(
        which: int, edits: list[tuple[int, float, str]], cut: float) -> None:
    text = edited(COPIES[which], edits, cut)
    got = fast(extraction_listing, text)
    if got != ("not taken",):
        assert got == general(text)
