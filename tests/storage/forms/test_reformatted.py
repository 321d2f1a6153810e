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

from storage.listing import Listing, parse_listing
from storage.records import ListingError
from tests.storage.forms.helpers import FORMS, READ_ON, read

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


def test_a_title_whose_second_line_pandoc_dropped_is_named() -> None:
    """pandoc keeps only the first line of a clipper's title link written over two lines
    under its "###" ("### [Lattice-KV: ... Cache with" / "Learned Product Quantizers](...)"):
    the end is nowhere in its output (the real trending clipper copy: 7 of 50 titles cut,
    silently). The fixture is md-trending-clipped.md with that title so wrapped, through
    `pandoc -f markdown -t gfm`. The card is read with what is left, and the warning says
    that a title may be cut and names the one that ends mid-phrase."""
    name = "reformatted/md-trending-clipped-wrapped-title.pandoc-gfm.md"
    got = read(name)
    want = read("md-trending-clipped.md").records
    cut = "Lattice-KV: Compressing the Key-Value Cache with"
    assert [r.title for r in got.records] == [
        cut if r.title.startswith(cut) else r.title for r in want]
    assert got.warnings[-1] == (
        f"{name}: the tool that reformatted the copy kept only the first line of a title the "
        f"copy wrapped over two lines: a title may have lost its end; \"{cut}\" ends "
        f"mid-phrase (the whole title is in the copy it was made from)")


def test_what_pandoc_markdown_escapes_in_an_abstract_is_read_as_written() -> None:
    """`pandoc -t markdown` writes a caret escaped ("k\\^2") and LaTeX as raw TeX
    ("`\\textbf{exact}`{=tex}"); read as they were (the real text export: 3 abstracts). The
    fixture is text-urls-export.txt with a sentence holding both after its first abstract,
    through `pandoc -f markdown -t markdown`."""
    text = (FORMS / "text-urls-export.txt").read_text(encoding="utf-8")
    end = "We release kernels for three GPU families."
    added = " Each head keeps k^2 centroids, the \\textbf{exact} ones for recent tokens."
    want = read_text(text.replace(end, end + added))
    name = "reformatted/text-urls-export-tex.pandoc-markdown.md"
    written = (FORMS / name).read_text(encoding="utf-8")
    assert "k\\^2" in written and "`\\textbf{exact}`{=tex}" in written
    got = read(name)
    assert got.records[0].abstract.endswith(added.strip())
    # The authors counts pandoc dropped are named (test above); the rest is the copy's.
    assert [replace(r, authors_count=None) for r in got.records] == [
        replace(r, authors_count=None) for r in want.records]


def test_a_blank_pandoc_dropped_before_a_quote_it_took_for_a_closing_one_is_back() -> None:
    """After an unclosed quote ('drift ("Drift) or by loss'), pandoc's smart quotes take the
    next opening quote for a closing one and drop the blank before it: 'exhibits”link rot”'
    (the real firecrawl copy: one abstract). The fixture is md-firecrawl.md with that
    sentence after its first abstract, through `pandoc -f markdown -t gfm`."""
    text = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    end = "We release kernels for three GPU families."
    added = (' Old caches fail by drift ("Drift) or by loss. The cache graph exhibits "link rot"'
             ' at scale.')
    want = read_text(text.replace(end, end + added, 1))
    name = "reformatted/md-firecrawl-quote.pandoc-gfm.md"
    assert "exhibits\u201dlink rot\u201d" in (FORMS / name).read_text(encoding="utf-8")
    got = read(name)
    assert got.records[0].abstract.endswith(added.strip())
    assert [replace(r, date_source=None) for r in got.records] == [
        replace(r, date_source=None) for r in want.records]
    assert got.warnings == [f"{name}: {TYPOGRAPHY}"]


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


# `pandoc -f gfm -t gfm` (a GFM editor's or a GitHub round trip's formatting): a link whose
# text spans a blank line or begins with a list item (the clipper's "[Upvote\n\n142](...)",
# the text export's "[\n\n4 authors](...)", a firecrawl card's "[- ![](...)\\\n- 4
# authors](...)") is no link to GFM, so pandoc writes it as text with escaped brackets and
# its address in angle brackets. Nothing is lost. Before: firecrawl 7 cards with the
# authors row read as the organisation "4 authors](https://...)" and " [-" after the
# abstract; the clipper's 12 upvote counts lost; the text export's 7 authors counts.
GFM_ROUND_TRIP = ["md-trending-clipped", "md-trending", "text-urls-export", "md-firecrawl",
                  "md-search-highlight"]


@pytest.mark.parametrize("stem", GFM_ROUND_TRIP)
def test_a_gfm_round_trip_of_a_copy_reads_as_the_copy(stem: str) -> None:
    name = f"{stem}.pandoc-gfm-gfm.md"
    text = (FORMS / "reformatted" / name).read_text(encoding="utf-8")
    assert "\\](<https://" in text  # what pandoc made of the links GFM does not read
    got, want = read(f"reformatted/{name}"), clean(name)
    # pandoc writes no front matter: a yearless date resolves against the listing's date
    # (the same year here), and the records say so.
    assert [replace(r, date_source=None) for r in got.records] == [
        replace(r, date_source=None) for r in want.records]
    assert [r.published for r in got.records] == [r.published for r in want.records]
    assert got.warnings == [w.replace(source(name), f"reformatted/{name}")
                            for w in want.warnings]


def test_an_address_gfm_wrapped_onto_a_line_of_its_own_stays_in_the_abstract() -> None:
    """GFM reads a bare address as a link: pandoc writes it "<https://...>" and may wrap it
    onto a line of its own, where a text export's reader takes it for the card's GitHub
    link and ends the abstract before it (the real text export: 19 abstracts cut, 19
    GitHub links made up). The fixture is text-urls-export.txt with " Code: <address>"
    after its first abstract, through `pandoc -f gfm -t gfm` (tests/fixtures/README.md)."""
    text = (FORMS / "text-urls-export.txt").read_text(encoding="utf-8")
    end = "We release kernels for three GPU families."
    want = read_text(text.replace(end, f"{end} Code: https://github.com/lattice-kv/kernels"))
    name = "reformatted/text-urls-export-code.pandoc-gfm-gfm.md"
    assert "\n<https://github.com/lattice-kv/kernels>" in (FORMS / name).read_text(
        encoding="utf-8")
    got = read(name)
    assert want.records[0].abstract.endswith("Code: https://github.com/lattice-kv/kernels")
    assert want.records[0].github_repo is None
    assert got.records == want.records and got.warnings == []


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


def read_text(text: str) -> Listing:
    return parse_listing(text, name="copy.txt", reference=READ_ON)


@pytest.mark.parametrize("name", ["md-trending-clipped.pandoc-gfm.md",
                                  "md-trending-clipped-wrapped-title.pandoc-gfm.md",
                                  "text-urls-export.pandoc-gfm.md"])
def test_a_reformatted_copy_cut_anywhere_is_read_or_refused_as_cut(name: str) -> None:
    """A copy cut short (every 61st character) is read up to its cut or refused in one
    line; never an error (a heading cut to "### [](...)" had no last word to look at), and
    never taken for a rendered text export (a pandoc copy of the text export keeps its
    "[](...)" links: it was read before, its dropped texts named)."""
    text = (FORMS / "reformatted" / name).read_text(encoding="utf-8")
    for end in range(200, len(text), 61):
        try:
            read_text(text[:end])
        except ListingError as refused:
            assert "rendered as HTML" not in str(refused), end
