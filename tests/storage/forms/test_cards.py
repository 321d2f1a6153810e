"""Every form of the page, card by card: exactly the papers, with every field right.

The fixtures in tests/fixtures/forms/ are written by make_forms.py from catalogue.py, each in
the shape real copies of that form have (FORMATS.md). A test here parses one file through
the same entry points the import uses and compares each record with the catalogue.
The saved HTML page is in test_html.py, the Markdown forms in test_markdown.py and
test_scraper.py, yearless dates against the file's time in test_dates.py, detection by
content in test_forms.py; the helpers in helpers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.listing import Listing, ListingError, read_listing
from storage.records import PaperRecord
from tests.fixtures.forms.catalogue import API_ONLY, PAPERS
from tests.fixtures.forms.make_forms import FILES
from tests.storage.forms.helpers import FORMS, api_facts, assert_cards, page_facts, read


def test_every_fixture_is_current() -> None:
    """The committed files are what make_forms.py writes (regenerate after editing it)."""
    for name, make in FILES.items():
        assert (FORMS / name).read_text(encoding="utf-8") == make(), name


# ------------------------------------------------------------------- plain text


def test_select_all_text_of_a_daily_page() -> None:
    listing = read("text-daily.txt")
    assert (listing.form, listing.listing_date, listing.listing_date_raw) == (
        "text", "2026-10-02", "Oct 2")
    assert listing.capture_date is None and listing.warnings == []
    # No URLs in copied text: no ids. A "-" is 0 upvotes; "Oct 1 6" has 6 comments.
    assert_cards(listing, [page_facts(p, source_for_yearless="listing", ids=False)
                           for p in PAPERS])
    assert listing.records[3].upvotes == 0


def test_select_all_text_of_a_date_page_keeps_who_submitted() -> None:
    listing = read("text-date-page.txt")
    assert (listing.form, listing.listing_date) == ("text", "2026-10-02")
    assert_cards(listing, [page_facts(p, source_for_yearless="listing", ids=False,
                                      submitted=True) for p in PAPERS[:10]])


def test_trending_page_copied_as_text() -> None:
    listing = read("text-trending.txt")
    assert listing.form == "text" and listing.warnings == []
    expected = []
    for k, p in enumerate(PAPERS[:12]):
        want = page_facts(p, source_for_yearless="card", ids=False, comments=False,
                          submitted=k % 2 == 0)
        # Text has the star count but not the repository's address.
        want.update(year_inferred=False, date_source="card", github_stars=p.github_stars)
        if k % 4 != 3:
            want.update(abstract="", ai_summary=p.ai_summary)
        expected.append(want)
    assert_cards(listing, expected)


# -------------------------------------------------------------------------- API


def test_a_week_of_the_daily_papers_api() -> None:
    listing = read("api-week.json")
    assert (listing.form, listing.listing_date) == ("api", None)  # five days, no one date
    assert_cards(listing, [api_facts(p) for p in PAPERS[:12] + API_ONLY])


def test_one_paper_from_the_papers_api() -> None:
    listing = read("api-paper.json")
    assert listing.form == "api"
    assert_cards(listing, [api_facts(PAPERS[5])])
    assert listing.records[0].project_page == "https://walkgraph.github.io"


# ----------------------------------------------------------------- not listings


@pytest.mark.parametrize("name", ["not-readme.md", "not-shopping-list.txt",
                                  "not-article.txt", "not-other-site.html"])
def test_a_file_that_is_no_listing_is_refused_in_one_line(name: str) -> None:
    with pytest.raises(ListingError) as refused:
        read_listing(FORMS / name)
    assert str(refused.value) == f"{name}: no Daily Papers listing found in it"


def test_the_project_readme_is_no_listing() -> None:
    readme = Path(__file__).resolve().parents[3] / "README.md"
    with pytest.raises(ListingError, match=r"^README\.md: no Daily Papers listing found in it$"):
        read_listing(readme)


def records_of(listing: Listing) -> list[PaperRecord]:
    return listing.records
