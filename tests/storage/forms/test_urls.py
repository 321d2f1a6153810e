"""The one-pass reader of text exports with URLs on their own lines (storage/forms/urls.py)
against the general reader: on every text it takes, the same records, warnings and dates,
card by card.

It is the fast way for a reader app's export; an export it is not sure of goes to the
general reader, so a difference could only come from a text wrongly taken. Hypothesis
cuts and mutates the fixture (and a long generated export) to look for one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.forms.urls import urls_listing
from tests.fixtures.forms import make_forms as mf
from tests.fixtures.forms.catalogue import PAPERS
from tests.storage.forms.readers import edited, fast, general

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
EXPORTS = [
    (FORMS / "text-urls-export.txt").read_text(encoding="utf-8"),
    mf.text_urls(PAPERS * 3),
]
LINK = "https://huggingface.co/papers/2611.01877"
PIECES = ["", " ", "·", " [-] 7", " [-] -", "https://huggingface.co/login?next=%2Fpapers%2F2611.01234",
          LINK, f"{LINK}#community", "A Title Of A Paper", "[", f"4 authors]({LINK})",
          " Acme Research", "https://huggingface.co/acme", "Oct 2, 2026 ", "12",
          "[Content truncated]", "# A heading", "- a list item", "&amp; co", "compound \\\\",
          "Submitted by", "https://example.org/code", "[x](https://example.org)"]


@pytest.mark.parametrize("k", range(len(EXPORTS)))
def test_the_regular_exports_are_read_in_one_pass(k: int) -> None:
    # Not vacuous: the fixture and the long export go the fast way, with the same records.
    got = fast(urls_listing, EXPORTS[k])
    assert got[0] == "read"
    assert got == general(EXPORTS[k], form="text-urls")


def test_a_card_whose_links_name_another_paper_goes_to_the_general_reader() -> None:
    # The title's link and the upvote's login link disagree: which id is the card's is the
    # general reader's to say.
    first = EXPORTS[0].index("https://huggingface.co/papers/2")
    text = EXPORTS[0][:first] + LINK + EXPORTS[0][first + len(LINK):]
    assert fast(urls_listing, text) == ("not taken",)
    assert general(text, form="text-urls")[0] == "read"


@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(EXPORTS) - 1),
       edits=st.lists(st.tuples(st.integers(0, 3), st.floats(0, 1), st.sampled_from(PIECES)),
                      max_size=5),
       cut=st.one_of(st.just(1.0), st.floats(0.2, 1)))
def test_the_one_pass_reader_reads_what_the_general_reader_reads(
        which: int, edits: list[tuple[int, float, str]], cut: float) -> None:
    text = edited(EXPORTS[which], edits, cut)
    got = fast(urls_listing, text)
    if got != ("not taken",):
        assert got == general(text, form="text-urls")
