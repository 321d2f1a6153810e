"""storage/forms/scraper.py: a scraper's Markdown read in one pass, card by card against
the catalogue, and held to what the general reader (markdown.py, then cards.py) reads on
cut and mutated copies (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.forms.cards import assemble
from storage.forms.markdown import markdown_items
from storage.forms.scraper import scraper_listing
from tests.fixtures.forms import make_forms as mf
from tests.fixtures.forms.catalogue import PAPERS
from tests.storage.forms.helpers import (
    FORMS,
    READ_ON,
    assert_cards,
    edited,
    outcome,
    page_facts,
    read,
)


def test_scraper_markdown_with_front_matter() -> None:
    listing = read("md-firecrawl.md")
    assert (listing.form, listing.listing_date, listing.capture_date) == (
        "markdown", "2026-10-02", "2026-10-02")
    assert listing.warnings == []
    assert_cards(listing, [page_facts(p, source_for_yearless="capture") for p in PAPERS])


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
