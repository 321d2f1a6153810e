"""The one-pass reader of a clipper's Markdown (storage/forms/clipper.py) against the
general reader: on every text it takes, the same records, warnings and dates, card by
card.

It is the fast way for a note-taking clipper's copy of the page; a copy it is not sure of
goes to the general reader, so a difference could only come from a text wrongly taken.
Hypothesis cuts and mutates the fixture (and a long generated copy) to look for one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storage.forms.clipper import clipper_listing
from tests.fixtures.forms import make_forms as mf
from tests.fixtures.forms.catalogue import PAPERS
from tests.storage.forms.readers import edited, fast, general

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
COPIES = [
    (FORMS / "md-clipper-date-page.md").read_text(encoding="utf-8"),
    mf.md_clipper(PAPERS * 3),
]
PIECES = ["", "·", "-", "101", "### A Title", "### Bare Title", "4 authors", "Submitted by",
          "akhaliq", "![](https://huggingface.co/avatars/x.svg)", "Oct 2", "Jul 4, 2025",
          "[Content truncated]", "Content truncated", "compound \\\\", "&amp; co",
          "a [bracket](https://example.org) in text", "\\[escaped\\] text", "# A heading",
          "- a list item", "https://example.org/code", "<a id=\"x\"></a>", "```", "---",
          "12", "  spaced   out  ", "[![](https://cdn/x.png)Acme](https://huggingface.co/acme)",
          "[3](https://huggingface.co/login?next=%2Fpapers%2F2611.01234)",
          "A text that leaves a [bracket open", "A text with a [1] citation"]


@pytest.mark.parametrize("k", range(len(COPIES)))
def test_the_regular_copies_are_read_in_one_pass(k: int) -> None:
    # Not vacuous: the fixture (a title split over two headings, both kinds of breaks,
    # escapes) and the long copy go the fast way, with the same records.
    got = fast(clipper_listing, COPIES[k])
    assert got[0] == "read"
    assert got == general(COPIES[k])


@pytest.mark.parametrize("line", ["- a list item", "https://example.org/code", "12"])
def test_an_abstract_line_that_starts_an_item_goes_to_the_general_reader(line: str) -> None:
    # Inside an abstract such a line is an item of its own to the general reader (the
    # abstract ends there): not a copy of the regular shape.
    lines = COPIES[0].split("\n")
    k = next(i for i, s in enumerate(lines) if s.endswith(".\\"))
    lines.insert(k + 1, line)
    text = "\n".join(lines)
    assert fast(clipper_listing, text) == ("not taken",)


def test_an_abstract_that_leaves_a_bracket_open_goes_to_the_general_reader() -> None:
    # The general reader runs a link whose "[" is not closed on its first line over the
    # lines after it: the one-pass reader must not read the abstract alone.
    lines = COPIES[0].split("\n")
    k = next(i for i, s in enumerate(lines) if s.endswith(".\\")) - 0
    while lines[k - 1]:
        k -= 1  # the abstract's first line
    text = "\n".join([*lines[:k], f"Our method [see the appendix {lines[k]}", *lines[k + 1:]])
    assert fast(clipper_listing, text) == ("not taken",)


@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(COPIES) - 1),
       edits=st.lists(st.tuples(st.integers(0, 3), st.floats(0, 1), st.sampled_from(PIECES)),
                      max_size=5),
       cut=st.one_of(st.just(1.0), st.floats(0.2, 1)))
# Found at 00:20 on 2026-12-01: a copy cut inside the last card's comment link ("Aug 12" then
# "[64]") was named by the general reader only.
@example(which=0, edits=[], cut=0.5680859585828824)
def test_the_one_pass_reader_reads_what_the_general_reader_reads(
        which: int, edits: list[tuple[int, float, str]], cut: float) -> None:
    text = edited(COPIES[which], edits, cut)
    got = fast(clipper_listing, text)
    if got != ("not taken",):
        assert got == general(text)
