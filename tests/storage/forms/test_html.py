"""storage/forms/html.py: a saved page, read from its data-props JSON or else from its
rendered cards, card by card against the catalogue."""

from __future__ import annotations

import pytest

from storage.listing import parse_listing
from tests.fixtures.forms.catalogue import PAPERS
from tests.storage.forms.helpers import FORMS, READ_ON, api_facts, assert_cards, page_facts, read


def test_saved_html_page() -> None:
    listing = read("html-daily.html")
    assert (listing.form, listing.listing_date) == ("html", "2026-10-02")
    assert listing.warnings == []
    assert_cards(listing, [page_facts(p, source_for_yearless="listing") for p in PAPERS])
    # Entities are decoded once; the text stays as the page showed it.
    assert listing.records[1].title.startswith('Teaching Small Models to Say "I Don\'t Know"')
    assert "Not A Card From A Script" not in {r.title for r in listing.records}


def test_saved_html_page_is_read_from_its_data_props_json() -> None:
    # The page as served holds the listing as JSON too: ids, author names, organisations,
    # summaries and keywords that the rendered cards do not show.
    listing = read("html-daily-props.html")
    assert (listing.form, listing.listing_date) == ("html", "2026-10-02")
    assert listing.warnings == []
    assert_cards(listing, [api_facts(p) for p in PAPERS])


@pytest.mark.parametrize("damage", [
    ('data-props="{&quot;periodType', 'data-props="{,&quot;periodType'),  # not JSON
    ("&quot;dailyPapers&quot;: [", "&quot;dailyPapers&quot;: [], &quot;x&quot;: ["),  # empty
])
def test_saved_html_page_without_usable_json_is_read_from_its_cards(
        damage: tuple[str, str]) -> None:
    text = (FORMS / "html-daily-props.html").read_text(encoding="utf-8")
    assert damage[0] in text
    listing = parse_listing(text.replace(damage[0], damage[1], 1), name="page.html",
                            reference=READ_ON)
    assert (listing.form, listing.listing_date) == ("html", "2026-10-02")
    assert_cards(listing, [page_facts(p, source_for_yearless="listing") for p in PAPERS])
