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
