"""The one-pass reader of copied text (storage/forms/text.py) against the general reader
(storage/forms/markdown.py and cards.py): on every text it takes, the same records,
warnings and dates. (The scraped-Markdown one is held to it in test_scraper.py.)

It is the fast way for the common copies; a text it is not sure of goes to the general
reader, so a difference could only come from a text wrongly taken. Hypothesis cuts and
mutates the fixtures of that form (and a long generated page) to look for one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.forms.cards import assemble
from storage.forms.markdown import plain_items
from storage.forms.text import text_listing
from tests.fixtures.forms import make_forms as mf
from tests.fixtures.forms.catalogue import PAPERS
from tests.storage.forms.helpers import edited, outcome

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
READ_ON = date(2026, 11, 30)
TEXTS = [
    (FORMS / "text-daily.txt").read_text(encoding="utf-8"),
    (FORMS / "text-date-page.txt").read_text(encoding="utf-8"),
    (FORMS / "text-trending.txt").read_text(encoding="utf-8"),
    mf.text_daily(PAPERS * 3),
]
PIECES = ["", "-", "7", "·", "Oct 2", "Sep 29 3", "3 authors", "Submitted by", "akhaliq",
          "Submitted by akhaliq", "Google", "Upvote", "GitHub 1.2k", "Content truncated",
          "[Content truncated]", "Daily", "  spaced  out  ", "\tTabbed", "A short line.",
          "· Oct 1", "Org · Sep 30, 2025", "[图片：无替代文本]"]


def general(text: str) -> tuple[object, ...]:
    def run() -> object:
        tokens = plain_items(text)
        return assemble(tokens.items, name="t.txt", form="text", reference=READ_ON,
                        truncated=tokens.truncated, warnings=[])
    return outcome(run)


@pytest.mark.parametrize("k", [0, 1, 3])
def test_the_regular_copies_are_read_in_one_pass(k: int) -> None:
    # Not vacuous: the daily page and the date page go the fast way, with the same result.
    fast = text_listing(TEXTS[k], name="t.txt", reference=READ_ON, warnings=[])
    assert fast is not None
    assert outcome(lambda: fast) == general(TEXTS[k])


def test_a_trending_copy_goes_to_the_general_reader() -> None:
    assert text_listing(TEXTS[2], name="t.txt", reference=READ_ON, warnings=[]) is None


@settings(max_examples=500, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(TEXTS) - 1),
       edits=st.lists(st.tuples(st.integers(0, 3), st.floats(0, 1), st.sampled_from(PIECES)),
                      max_size=5),
       cut=st.one_of(st.just(1.0), st.floats(0.2, 1)))
def test_the_one_pass_reader_reads_what_the_general_reader_reads(
        which: int, edits: list[tuple[int, float, str]], cut: float) -> None:
    text = edited(TEXTS[which], edits, cut)
    fast = outcome(lambda: text_listing(text, name="t.txt", reference=READ_ON, warnings=[]))
    if fast != ("not taken",):  # else the general reader reads it
        assert fast == general(text)
