"""The one-pass readers (copied text: storage/forms/text.py; scraped Markdown:
storage/forms/scraper.py) against the general reader (storage/forms/markdown.py and
cards.py): on every text they take, the same records, warnings and dates.

They are the fast way for the common copies; a text they are not sure of goes to the
general reader, so a difference could only come from a text wrongly taken. Hypothesis cuts
and mutates the fixtures of those forms (and a long generated page) to look for one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.forms.cards import assemble
from storage.forms.markdown import markdown_items, plain_items
from storage.forms.scraper import scraper_listing
from storage.forms.text import text_listing
from storage.records import ListingError
from tests.fixtures.forms import make_forms as mf
from tests.fixtures.forms.catalogue import PAPERS

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


def edited(text: str, edits: list[tuple[int, float, str]], cut: float) -> str:
    """The text with lines deleted, inserted, doubled or replaced, then cut."""
    lines = text.split("\n")
    for op, where, piece in edits:
        if not lines:
            lines = [""]
        i = min(int(where * len(lines)), len(lines) - 1)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, piece)
        elif op == 2:
            lines.insert(i, lines[i])
        else:
            lines[i] = piece
    text = "\n".join(lines)
    return text[: max(1, int(len(text) * cut))]


def outcome(run: object) -> tuple[object, ...]:
    try:
        listing = run()  # type: ignore[operator]
    except ListingError as error:
        return ("refused", str(error))
    if listing is None:
        return ("not taken",)
    return ("read", listing.records, listing.warnings, listing.listing_date,
            listing.listing_date_raw)


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


# ------------------------------------------------------------ scraped Markdown, one pass

MARKDOWN = [
    (FORMS / "md-firecrawl.md").read_text(encoding="utf-8"),
    (FORMS / "md-search-highlight.md").read_text(encoding="utf-8"),
    (FORMS / "md-truncated.md").read_text(encoding="utf-8"),
    mf.md_firecrawl(PAPERS * 3),
]
MD_PIECES = ["", "·", "[-](https://huggingface.co/login?next=%2Fpapers%2F2611.01234)",
             "### [A Title](https://huggingface.co/papers/2611.01234)", "### Bare Title",
             "[3](https://huggingface.co/papers/2611.01234#community)", "- 4 authors",
             "[Content truncated]", "[GitHub 1.2k](https://github.com/a/b)", "Oct 2",
             "[31]: https://huggingface.co/papers/2611.01234", "compound \\\\", "&amp; co",
             "[Next](https://huggingface.co/papers/date/2026-10-03)", "Submitted by"]


def general_markdown(text: str) -> tuple[object, ...]:
    def run() -> object:
        tokens = markdown_items(text)
        return assemble(tokens.items, name="t.md", form="markdown", reference=READ_ON,
                        capture_date=tokens.capture_date, listing_date=tokens.listing_date,
                        truncated=tokens.truncated, warnings=[])
    return outcome(run)


@pytest.mark.parametrize("k", [0, 1, 3])
def test_the_regular_scraped_copies_are_read_in_one_pass(k: int) -> None:
    fast = scraper_listing(MARKDOWN[k], name="t.md", reference=READ_ON, warnings=[])
    assert fast is not None
    assert outcome(lambda: fast) == general_markdown(MARKDOWN[k])


@settings(max_examples=500, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(MARKDOWN) - 1),
       edits=st.lists(st.tuples(st.integers(0, 3), st.floats(0, 1),
                                st.sampled_from(MD_PIECES)), max_size=5),
       cut=st.one_of(st.just(1.0), st.floats(0.2, 1)))
def test_the_one_pass_scraper_reader_reads_what_the_general_reader_reads(
        which: int, edits: list[tuple[int, float, str]], cut: float) -> None:
    text = edited(MARKDOWN[which], edits, cut)
    fast = outcome(lambda: scraper_listing(text, name="t.md", reference=READ_ON,
                                           warnings=[]))
    if fast != ("not taken",):
        assert fast == general_markdown(text)
