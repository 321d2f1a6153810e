"""The saved page rendered as text by a text browser or converter (issue 11, item 2).

The dumps in tests/fixtures/forms/dumps/ were made from html-daily.html with the real
tools (commands in tests/fixtures/README.md). Before, each was read as the page's text form
and gave 1 to 7 of its 15 papers, silently. lynx and pandoc keep a mark between a card's
date and its comment count: they read as exactly the page's cards; lynx's references also
give each card its arXiv id. w3m, links and html2text run the date into the count
("·Oct 16"): refused with one line that says why, nothing written.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from storage.forms import detect
from storage.listing import Listing, parse_listing
from storage.records import ListingError
from tests.fixtures.forms.catalogue import PAPERS
from tests.storage.forms.helpers import FORMS, READ_ON, assert_cards, page_facts, read

GLUED = ["dumps/w3m.txt", "dumps/links.txt", "dumps/html2text.txt"]


def test_lynx_dump_reads_as_the_page_with_ids_from_its_references() -> None:
    listing = read("dumps/lynx.txt")
    assert (listing.form, listing.listing_date, listing.warnings) == (
        "lynx-dump", "2026-10-02", [])
    assert_cards(listing, [page_facts(p, source_for_yearless="listing") for p in PAPERS])


def test_pandoc_plain_reads_as_the_page() -> None:
    listing = read("dumps/pandoc.txt")
    assert (listing.form, listing.listing_date, listing.warnings) == (
        "pandoc-dump", "2026-10-02", [])
    assert_cards(listing, [page_facts(p, source_for_yearless="listing", ids=False)
                           for p in PAPERS])


def test_a_title_wrapped_onto_a_line_that_says_references_is_no_reference_list() -> None:
    """lynx wraps "... Author-Written" / "References": the card's title, not its list."""
    listing = read("dumps/lynx.txt")
    assert any(r.title.endswith("Author-Written References") for r in listing.records)


@pytest.mark.parametrize("name", GLUED)
def test_a_dump_that_runs_dates_into_counts_is_refused_naming_the_file(name: str) -> None:
    assert detect((FORMS / name).read_text(encoding="utf-8")) == "dump"
    with pytest.raises(ListingError) as caught:
        read(name)
    message = str(caught.value)
    assert message.startswith(f"{name}: a text dump of the page (w3m, links or html2text)")
    assert "Oct 16" in message and "\n" not in message


def test_select_all_copies_are_no_dumps() -> None:
    for name in ["text-daily.txt", "text-date-page.txt", "text-trending.txt",
                 "text-urls-export.txt", "md-firecrawl.md", "md-trending.md"]:
        assert detect((FORMS / name).read_text(encoding="utf-8")) != "dump", name


def test_a_select_all_copy_with_its_dates_run_into_the_dot_is_no_dump() -> None:
    """A browser that copies "·" and the date as one line is still the text form (its
    abstracts on one line each): read, not refused as a dump."""
    text = (FORMS / "text-daily.txt").read_text(encoding="utf-8").replace("·\n", "·")
    assert "·Oct 1\n6\n" in text
    assert detect(text) == "text"
    assert len(read_text(text).records) == 15


def read_text(text: str) -> Listing:
    return parse_listing(text, name="copy.txt", reference=READ_ON)


def _count(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM papers").fetchone()[0])


def test_winnow_import_reports_the_tool_and_refuses_what_it_cannot_read(
        tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(db), "import", "--json",
         str(FORMS / "dumps/lynx.txt"), str(FORMS / "dumps/pandoc.txt")],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert [(f["form"], f["found"]) for f in report["files"]] == [
        ("lynx-dump", 15), ("pandoc-dump", 15)]
    # The same 15 papers: pandoc's cards (no ids) are lynx's by their titles.
    assert report["new"] == 15 and _count(db) == 15
    refused = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "other.db"), "import",
         str(FORMS / "dumps/w3m.txt")],
        capture_output=True, text=True, timeout=300, check=False)
    assert refused.returncode == 1
    assert "w3m.txt: a text dump of the page" in refused.stderr
    lib = Library(tmp_path / "other.db")
    try:
        assert lib.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 0
    finally:
        lib.close()


# Markdown copies of the page rendered as HTML by pandoc and dumped by the real text
# browsers (tests/fixtures/README.md has the commands). Before, each was read as a page:
# the firecrawl copy's lynx dump as the older layout (114 papers from 15: "[1]Subscribe",
# "[4]142" as titles), the clipper's trending copy as 10 to 22 papers of 12, the others
# as their 15 papers with dates run into counts ("Oct 16" for Oct 1 and 6 comments) and
# logos run into organisations, silently (attack F35).
BROWSERS = "w3m -dump, links -dump or lynx -dump -nolist; or a copy re-wrapped at a fixed width"
RENDERED = {
    "md-firecrawl.lynx.txt": "lynx -dump",
    "md-firecrawl.lynx-nolist.txt": BROWSERS,
    "md-firecrawl.links.txt": BROWSERS,
    "md-firecrawl.w3m.txt": BROWSERS,
    "md-firecrawl.html2text.txt": "html2text",
    "md-trending-clipped.lynx.txt": "lynx -dump",
    "md-trending-clipped.lynx-nolist.txt": BROWSERS,
    "md-trending-clipped.links.txt": BROWSERS,
    "md-trending-clipped.w3m.txt": BROWSERS,
    "md-trending-clipped.html2text.txt": "html2text",
    "md-trending-extraction.lynx.txt": "lynx -dump",
}


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_a_dump_of_a_rendered_markdown_copy_is_refused_naming_the_file_and_tool(
        name: str) -> None:
    path = f"dumps/rendered/{name}"
    assert detect((FORMS / path).read_text(encoding="utf-8")) == "dump"
    with pytest.raises(ListingError) as caught:
        read(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: a text dump of the page ({RENDERED[name]}")
    assert "not read" in message and "Markdown copy" in message and "\n" not in message


# The text export (URLs on their own lines) rendered as HTML by pandoc and dumped: each
# card's authors count is a link whose text spans a blank line ("[\n\n4 authors](...)"),
# which the rendering drops. Before, each was read as the text export with every authors
# count lost, silently (lynx, lynx -nolist, links, w3m: 15 papers, 7 counts lost), and
# html2text's (its "******" title taken for a preamble) as 1 paper of 15 (attack F47).
EXPORT_DUMPS = {
    "text-urls-export.lynx.txt": "lynx -dump, links -dump or w3m -dump",
    "text-urls-export.lynx-nolist.txt": "lynx -dump, links -dump or w3m -dump",
    "text-urls-export.links.txt": "lynx -dump, links -dump or w3m -dump",
    "text-urls-export.w3m.txt": "lynx -dump, links -dump or w3m -dump",
    "text-urls-export.html2text.txt": "html2text",
}


@pytest.mark.parametrize("name", sorted(EXPORT_DUMPS))
def test_a_rendered_text_export_is_refused_naming_the_file_the_tool_and_the_loss(
        name: str) -> None:
    path = f"dumps/rendered/{name}"
    assert not re.search(r"[0-9] authors", (FORMS / path).read_text(encoding="utf-8"))
    with pytest.raises(ListingError) as caught:
        read(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: a text export of the page rendered as HTML and dumped "
                              f"as text ({EXPORT_DUMPS[name]}): the rendering dropped every "
                              f"card's authors count"), message
    assert "\n" not in message


def test_the_text_export_the_dumps_came_from_keeps_its_authors_counts() -> None:
    """What the refusal says was lost is in the copy itself: the cards with no organisation
    have their authors counts."""
    records = read("text-urls-export.txt").records
    assert len(records) == 15
    assert [r.authors_count is not None for r in records] == [
        r.organization is None for r in records]
    assert sum(r.authors_count is not None for r in records) == 7


def test_a_rendered_text_export_is_refused_by_winnow_import_with_nothing_written(
        tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    name = "text-urls-export.html2text.txt"
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(db), "import",
         str(FORMS / "dumps/rendered" / name)],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"{name}: a text export of the page rendered as HTML and " \
        "dumped as text (html2text)" in lines[0], run.stderr
    assert not db.exists() or _count(db) == 0


def test_a_rendered_dump_is_refused_by_winnow_import_with_nothing_written(
        tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(db), "import",
         str(FORMS / "dumps/rendered/md-firecrawl.lynx.txt")],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "md-firecrawl.lynx.txt: a text dump of the page (lynx -dump)" \
        in lines[0], run.stderr
    assert not db.exists() or _count(db) == 0


@pytest.mark.parametrize("name", ["md-firecrawl.md", "md-trending-clipped.md",
                                  "md-trending-extraction.md", "text-urls-export.txt",
                                  "text-daily.txt", "md-reference-links.md"])
def test_the_copies_the_dumps_were_made_from_are_read_as_before(name: str) -> None:
    assert detect((FORMS / name).read_text(encoding="utf-8")) != "dump"
    assert read(name).records


def test_a_text_copy_wrapped_without_blank_lines_is_still_the_text_form() -> None:
    """fold -s of a select-all copy: no blank lines between a card's parts. It is read
    with the text form's warning, not refused as a dump."""
    text = (FORMS / "text-daily.txt").read_text(encoding="utf-8")
    folded = subprocess.run(["fold", "-s", "-w", "80"], input=text, capture_output=True,
                            text=True, check=True).stdout
    assert max(map(len, folded.splitlines())) <= 80
    assert detect(folded) == "text"
    listing = read_text(folded)
    assert len(listing.records) == 15


def test_a_reference_dump_lynx_cut_at_80_columns_reads_as_the_copy() -> None:
    """The reference dump is one fenced block: pandoc renders it preformatted and lynx cuts
    each of its lines at 80 columns wherever the column falls ("parallel windo" / "ws for
    low latency"). Joined with a blank, as a re-wrap is, 12 of the real copy's 33 titles
    and 21 fields were wrong; joined as cut, it reads as the copy."""
    got = read("dumps/rendered/md-reference-links.lynx.txt")
    assert got.records == read("md-reference-links.md").records
    assert got.warnings == []


def test_a_reference_dump_html2text_wrapped_at_79_columns_reads_as_the_copy() -> None:
    """html2text wraps the dump's preformatted block at 79 columns, breaking at a blank or
    after a hyphen or slash ("At the inter-" / "chunk level") and between a title's "]" and
    its "[47]". Joined with a blank, a card's title became a junk paper and abstracts read
    "inter- chunk" (the real copy: 4 junk papers for 4 lost, 16 fields, silently)."""
    got = read("dumps/rendered/md-reference-links.html2text.txt")
    assert got.records == read("md-reference-links.md").records
    assert got.warnings == []
