"""Every form of the page, card by card: exactly the papers, with every field right.

The fixtures in tests/fixtures/forms/ are written by make_forms.py from catalogue.py, each in
the shape real copies of that form have (FORMATS.md). A test here parses one file through
the same entry points the import uses and compares each record with the catalogue.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from storage.listing import Listing, ListingError, open_listing, parse_listing, read_listing
from storage.records import PaperRecord
from tests.fixtures.forms.catalogue import API_ONLY, PAPERS, Paper
from tests.fixtures.forms.make_forms import FILES, extraction_url, highlight_damage

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
# The day the copies are read (their files' time): after every page in the fixtures.
READ_ON = date(2026, 11, 30)


def read(name: str) -> Listing:
    path = FORMS / name
    return parse_listing(path.read_text(encoding="utf-8"), name=name, reference=READ_ON)


def page_facts(p: Paper, *, source_for_yearless: str, ids: bool = True,
               comments: bool = True, submitted: bool = False) -> dict[str, Any]:
    """What a card on the page says about a paper (no author names, no keywords)."""
    yearless = p.date.startswith("2026")
    return {
        "title": p.title,
        "abstract": p.abstract,
        "arxiv_id": p.arxiv_id if ids else None,
        "url": f"https://huggingface.co/papers/{p.arxiv_id}" if ids else None,
        "upvotes": p.upvotes,
        "comments": (p.comments or None) if comments else None,
        "authors_count": None if p.organization else len(p.authors),
        "organization": p.organization,
        "published": p.date,
        "year_inferred": yearless,
        "date_source": source_for_yearless if yearless else "card",
        "submitted_by": p.submitted_by if submitted else None,
        "ai_summary": None,
        "github_repo": None,
        "github_stars": None,
        "authors": (),
        "ai_keywords": (),
        "project_page": None,
    }


def assert_cards(listing: Listing, expected: list[dict[str, Any]]) -> None:
    assert [r.title for r in listing.records] == [e["title"] for e in expected]
    for record, want in zip(listing.records, expected, strict=True):
        got = {key: getattr(record, key) for key in want}
        assert got == want, record.title
    assert [r.position for r in listing.records] == list(range(1, len(expected) + 1))


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


# ------------------------------------------------------------------------- HTML


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


# --------------------------------------------------------------------- Markdown


def test_scraper_markdown_with_front_matter() -> None:
    listing = read("md-firecrawl.md")
    assert (listing.form, listing.listing_date, listing.capture_date) == (
        "markdown", "2026-10-02", "2026-10-02")
    assert listing.warnings == []
    assert_cards(listing, [page_facts(p, source_for_yearless="capture") for p in PAPERS])


def test_reference_links_without_definitions_and_wrapped_abstracts() -> None:
    listing = read("md-reference-links.md")
    assert (listing.form, listing.capture_date, listing.listing_date) == (
        "markdown", "2026-10-02", "2026-10-02")
    # The link definitions are missing, so no URL and no id survive; everything else does.
    assert_cards(listing, [page_facts(p, source_for_yearless="capture", ids=False)
                           for p in PAPERS[:12]])


def test_clipper_markdown_of_a_date_page() -> None:
    listing = read("md-clipper-date-page.md")
    assert (listing.form, listing.listing_date, listing.capture_date) == (
        "markdown", "2026-10-02", "2026-10-03")
    expected = [page_facts(p, source_for_yearless="capture", submitted=True, comments=False)
                for p in PAPERS[3:14]]
    for want in expected:
        want["url"] = f"https://huggingface.co/papers/{want['arxiv_id']}"  # from upvote links
    assert_cards(listing, expected)
    # A title split over two "###" lines is one title; "\\_" and "\\[" escapes are undone.
    assert listing.records[1].title == PAPERS[4].title


def test_trending_page_every_card_twice_with_summaries_and_stars() -> None:
    listing = read("md-trending.md")
    assert listing.form == "markdown" and listing.warnings == []
    expected = []
    for k, p in enumerate(PAPERS[:12]):
        want = page_facts(p, source_for_yearless="card", comments=False,
                          submitted=k % 2 == 0)
        want.update(year_inferred=False, date_source="card",
                    github_repo=p.github_repo, github_stars=p.github_stars)
        if k % 4 != 3:  # the card shows the AI summary, not the abstract
            want.update(abstract="", ai_summary=p.ai_summary)
        expected.append(want)
    assert_cards(listing, expected)
    assert listing.records[5].github_stars == 11300  # "GitHub 11.3k"


def test_trending_page_extracted_to_markdown_without_dates_or_upvotes() -> None:
    # The shape of a real extraction: bare "###" titles, every card twice, no date, no
    # upvote count; a wrapped abstract whose last line is a URL keeps it as its text.
    listing = read("md-trending-extraction.md")
    assert (listing.form, listing.warnings) == ("markdown", [])
    expected = []
    for k, p in enumerate([p for p in PAPERS if p.github_repo]):
        full = k % 4 == 3
        expected.append({
            "title": p.title,
            "abstract": f"{p.abstract} Project page: {extraction_url(p)}" if full else "",
            "ai_summary": None if full else p.ai_summary,
            "arxiv_id": None,
            "upvotes": None,
            "published": None,
            "authors_count": None if p.organization else len(p.authors),
            "github_repo": p.github_repo,
            "github_stars": p.github_stars,
        })
    assert_cards(listing, expected)


def test_truncated_copy_keeps_whole_cards_and_names_the_cut_one() -> None:
    listing = read("md-truncated.md")
    assert_cards(listing, [page_facts(p, source_for_yearless="capture") for p in PAPERS[:12]])
    assert listing.warnings == [
        f'md-truncated.md: the copy ends inside the card "{PAPERS[12].title}"; skipped']


def test_search_highlight_damage_is_kept_as_given() -> None:
    listing = read("md-search-highlight.md")
    expected = []
    for p in PAPERS[:11]:
        want = page_facts(p, source_for_yearless="capture")
        want.update(title=highlight_damage(p.title), abstract=highlight_damage(p.abstract))
        expected.append(want)
    assert_cards(listing, expected)
    assert listing.records[3].title == "When Do Agents Need (Memory)? A Controlled Study on " \
                                       "Web Navigation Tasks"


def test_text_export_with_urls_on_their_own_lines() -> None:
    listing = read("text-urls-export.txt")
    assert (listing.form, listing.capture_date) == ("text-urls", "2026-10-03")
    expected = []
    for p in PAPERS:
        want = page_facts(p, source_for_yearless="card")
        want.update(year_inferred=False)
        expected.append(want)
    assert_cards(listing, expected)


# -------------------------------------------------------------------------- API


def api_facts(p: Paper) -> dict[str, Any]:
    return {
        "title": p.title,
        "abstract": p.abstract,
        "arxiv_id": p.arxiv_id,
        "url": f"https://huggingface.co/papers/{p.arxiv_id}",
        "upvotes": p.upvotes,
        "comments": p.comments,
        "authors_count": len(p.authors),
        "authors": p.authors,
        "organization": p.organization,
        "published": p.date,
        "year_inferred": False,
        "date_source": "card",
        "submitted_by": p.submitted_by,
        "ai_summary": p.ai_summary,
        "ai_keywords": p.ai_keywords,
        "github_repo": p.github_repo,
        "github_stars": p.github_stars,
        "project_page": p.project_page,
    }


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


# -------------------------------------------------------------- detection, files


@pytest.mark.parametrize(("name", "form"), [
    ("text-daily.txt", "text"), ("html-daily.html", "html"), ("md-firecrawl.md", "markdown"),
    ("text-urls-export.txt", "text-urls"), ("api-week.json", "api"),
])
def test_the_form_comes_from_the_content_not_the_file_name(
        tmp_path: Path, name: str, form: str) -> None:
    disguised = tmp_path / "page.txt"
    disguised.write_bytes((FORMS / name).read_bytes())
    with open_listing(disguised) as stream:
        assert stream.form == form
        records = list(stream)
    assert [r.title for r in records] == [r.title for r in read(name).records]


def test_yearless_dates_never_land_after_the_files_time(tmp_path: Path) -> None:
    path = tmp_path / "copied.txt"
    path.write_bytes((FORMS / "text-daily.txt").read_bytes())
    stamp = 1_790_000_000  # 2026-09-21: before the page's "Oct 2"
    os.utime(path, (stamp, stamp))
    listing = read_listing(path)
    assert listing.listing_date == "2025-10-02"
    assert all(r.published <= "2025-10-02" for r in listing.records if r.year_inferred)
    assert {r.date_source for r in listing.records if r.year_inferred} == {"listing"}


def records_of(listing: Listing) -> list[PaperRecord]:
    return listing.records
