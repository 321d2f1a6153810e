"""storage/forms/markdown.py: the general Markdown reader (reference links, clipped date
pages, trending pages, cut copies, search-highlight damage, text exports with URL lines),
card by card against the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.forms.markdown import markdown_items
from storage.listing import parse_listing
from tests.fixtures.forms.catalogue import PAPERS
from tests.fixtures.forms.make_forms import extraction_url, highlight_damage
from tests.storage.forms.helpers import FORMS, READ_ON, assert_cards, page_facts, read


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


def test_a_linked_title_wrapped_over_two_heading_lines_is_one_title() -> None:
    """A reference dump wraps a long ``### [title][n]`` into a second ``### `` line: the
    title is the two lines' text, without the brackets or the reference number (F21)."""
    page = (FORMS / "md-reference-links.md").read_text(encoding="utf-8")
    one_line = ("### [Lattice-KV: Compressing the Key-Value Cache with Learned Product "
                "Quantizers][32]")
    assert one_line in page
    wrapped = page.replace(one_line, "### [Lattice-KV: Compressing the Key-Value Cache with\n"
                                     "### Learned Product Quantizers][32]")
    headings = [item.text for item in markdown_items(wrapped).items if item.heading == 3]
    title = "Lattice-KV: Compressing the Key-Value Cache with Learned Product Quantizers"
    assert title in headings
    assert [h for h in headings if "[" in h or "]" in h] == []
    alone = parse_listing(page, name="one.md", reference=READ_ON)
    read_wrapped = parse_listing(wrapped, name="wrapped.md", reference=READ_ON)
    assert read_wrapped.records == alone.records


# Obsidian keeps a clipped page's images as embeds of the files it downloaded ("![[Pasted
# image 20261130091200.png]]" for "![](https://huggingface.co/avatars/x.svg)"): read as text,
# every avatar row and organisation logo became part of a card's organisation (134 fields of
# the real firecrawl copy: "![[Pasted image ...]]OCC", authors counts lost).
@pytest.mark.parametrize("name", ["md-firecrawl.md", "md-clipper-date-page.md", "md-truncated.md",
                                  "md-search-highlight.md"])
def test_obsidian_image_embeds_are_images(name: str, tmp_path: Path) -> None:
    import json
    import re
    import subprocess
    import sys
    text = (FORMS / name).read_text(encoding="utf-8")
    embedded = re.sub(r"!\[[^\]]*\]\([^)]*\)", "![[Pasted image 20261130091200.png]]", text)
    assert embedded.count("![[") >= 5
    assert parse_listing(embedded, name=name, reference=READ_ON).records == parse_listing(
        text, name=name, reference=READ_ON).records
    if name == "md-firecrawl.md":
        path = tmp_path / "clipped.md"
        path.write_text(embedded, encoding="utf-8")
        run = subprocess.run([sys.executable, "-m", "desktop.cli", "--db",
                              str(tmp_path / "l.db"), "import", "--json", str(path)],
                             capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, run.stderr
        (report,) = json.loads(run.stdout)["files"]
        assert (report["found"], report["warnings"]) == (15, [])
