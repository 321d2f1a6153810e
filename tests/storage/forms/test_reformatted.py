"""A Markdown copy reformatted by a Markdown tool reads as the copy did (attack F34).

pandoc (`-t gfm`, `-t markdown`, `-t commonmark`, `markdown_strict`) and prettier
(`--prose-wrap always`, what an editor's "format document" does) wrap every paragraph at 72
or 80 columns but never a heading, break inside a link's text (pandoc) or move a whole link
to the next line (prettier), run a trending extraction's card parts into one paragraph or
list item, put a blank line between a title and its end, and (pandoc's Markdown reader)
make quotes and dashes typographic. Before: the real trending clipper copy through pandoc
had 103 fields wrong (organisations read as "GitHub 3.29k arXiv Page"), the trending
extraction 9 titles cut and 50 authors counts lost, silently.

The copies in tests/fixtures/forms/reformatted/ were made from our fixtures with the real
tools (commands in tests/fixtures/README.md). What a tool dropped for good (pandoc drops
the clipper's upvote count, "[Upvote\\n\\n142](...)", and the text of a link that spans a
blank line) is named in a warning.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from storage.listing import Listing
from tests.storage.forms.helpers import FORMS, read

TYPOGRAPHY = ("every quote and dash in the copy is typographic (\u2019 \u201c \u201d \u2013), "
              "as pandoc writes them: read as the page's ASCII ones (' \" --)")

# Read as exactly the clean copy's records, with exactly these warnings.
EXACT = {
    "md-trending-clipped.prettier.md": [],
    "md-trending-extraction.prettier.md": [],
    "md-trending-extraction.pandoc-gfm.md": [],
    "md-trending-extraction.pandoc-commonmark.md": [],
    "md-trending-extraction.pandoc-strict.md": [],
    "md-firecrawl.prettier.md": [],
}


def source(name: str) -> str:
    stem = name.split(".", 1)[0]
    return f"{stem}.txt" if stem.startswith("text-") else f"{stem}.md"


def clean(name: str) -> Listing:
    return read(source(name))


@pytest.mark.parametrize("name", sorted(EXACT))
def test_a_reformatted_copy_reads_as_the_copy(name: str) -> None:
    got = read(f"reformatted/{name}")
    assert got.records == clean(name).records
    assert got.warnings == EXACT[name]


@pytest.mark.parametrize("name", ["md-firecrawl.pandoc-gfm.md",
                                  "md-clipper-date-page.pandoc-gfm.md"])
def test_pandocs_typographic_quotes_are_read_as_the_pages_and_said(name: str) -> None:
    got = read(f"reformatted/{name}")
    want = clean(name).records
    # pandoc -t gfm writes no front matter: the year of a yearless date comes from the
    # listing's date instead of the capture's (the same year here), and says so.
    assert [replace(r, date_source=None) for r in got.records] == [
        replace(r, date_source=None) for r in want]
    assert [r.published for r in got.records] == [r.published for r in want]
    assert got.warnings == [f"reformatted/{name}: {TYPOGRAPHY}"]


@pytest.mark.parametrize("name", ["md-trending-clipped.pandoc-gfm.md",
                                  "md-trending-clipped.pandoc-markdown.md"])
def test_upvote_counts_pandoc_dropped_are_named_and_left_empty(name: str) -> None:
    got = read(f"reformatted/{name}")
    want = clean(name).records
    assert [replace(r, upvotes=None) for r in got.records] == [
        replace(r, upvotes=None) for r in want]
    assert all(r.upvotes is None for r in got.records)
    dropped = [w for w in got.warnings if "upvote counts" in w]
    assert dropped == [
        f"reformatted/{name}: the upvote counts of 12 cards were dropped by the tool that "
        f"reformatted the copy (\"[Upvote]\" with no number): \"{want[0].title}\", "
        f"\"{want[1].title}\", \"{want[2].title}\" and 9 more; their upvotes are left empty"]


def test_a_text_export_whose_link_texts_pandoc_dropped_names_those_cards() -> None:
    name = "text-urls-export.pandoc-gfm.md"
    got = read(f"reformatted/{name}")
    want = clean(name).records
    lost = [r.arxiv_id for r, g in zip(want, got.records, strict=True)
            if r.authors_count != g.authors_count]
    assert lost and all(g.authors_count is None for r, g in zip(want, got.records, strict=True)
                        if r.arxiv_id in lost)
    assert [replace(r, authors_count=None) for r in got.records] == [
        replace(r, authors_count=None) for r in want]
    more = f" and {len(lost) - 3} more" if len(lost) > 3 else ""
    assert got.warnings == [
        f"reformatted/{name}: {TYPOGRAPHY}",
        f"reformatted/{name}: the tool that reformatted the copy dropped the text of "
        f"{len(lost)} cards' links (\"[](...)\"; their authors counts, say): "
        f"{', '.join(str(i) for i in lost[:3])}{more}"]


def test_the_command_imports_a_prettier_formatted_trending_copy_as_the_copy(
        tmp_path: Path) -> None:
    """Through the real `winnow import`: the library holds the same papers with the same
    fields as a library of the clean copy."""
    def imported(path: Path, db: Path) -> list[tuple[object, ...]]:
        run = subprocess.run(
            [sys.executable, "-m", "desktop.cli", "--db", str(db), "import", "--json",
             str(path)], capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, run.stderr
        report = json.loads(run.stdout)
        assert report["files"][0]["warnings"] == []
        with closing(sqlite3.connect(db)) as conn:
            return conn.execute(
                "SELECT arxiv_id, title, abstract, organization, authors_count, upvotes, "
                "github_repo, github_stars, ai_summary, published FROM papers "
                "ORDER BY arxiv_id").fetchall()

    clean_rows = imported(FORMS / "md-trending-clipped.md", tmp_path / "clean.db")
    rows = imported(FORMS / "reformatted/md-trending-clipped.prettier.md", tmp_path / "p.db")
    assert len(rows) == 12 and rows == clean_rows
