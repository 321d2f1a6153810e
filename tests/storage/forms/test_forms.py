"""storage/forms/__init__.py: the one detector (the content decides the form, never the
file's name) and the entry points that stream the seeds' layout and parse every other form
whole, whether the text comes in lines or in blocks."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.forms import HEAD_LINES, ParsedListing, detect, open_blocks, open_form, parse_form
from storage.forms.seeds import ListingStream
from storage.listing import open_listing, parse_listing, read_listing
from tests.conftest import SEEDS
from tests.storage.forms.helpers import FORMS, READ_ON, read

PAGES = {
    "text-daily.txt": "text", "text-date-page.txt": "text", "text-trending.txt": "text",
    "html-daily.html": "html", "html-daily-props.html": "html",
    "md-firecrawl.md": "markdown", "md-reference-links.md": "markdown",
    "md-clipper-date-page.md": "markdown", "md-trending.md": "markdown",
    "md-trending-clipped.md": "markdown",
    "md-trending-extraction.md": "markdown", "md-truncated.md": "markdown",
    "md-search-highlight.md": "markdown", "text-urls-export.txt": "text-urls",
    "api-week.json": "api", "api-paper.json": "api",
}


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


def test_every_fixture_page_is_named_here() -> None:
    pages = {p.name for p in FORMS.iterdir()
             if p.suffix in (".txt", ".md", ".html", ".json") and not p.name.startswith("not-")}
    assert pages == set(PAGES)


@pytest.mark.parametrize(("name", "form"), sorted(PAGES.items()))
def test_each_page_is_detected_as_its_form(name: str, form: str) -> None:
    assert detect((FORMS / name).read_text(encoding="utf-8")) == form


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_the_seed_listings_are_the_older_layout(seed: Path) -> None:
    assert detect(seed.read_text(encoding="utf-8")) == "seeds"


@pytest.mark.parametrize(("head", "form"), [
    ("# Daily Papers\n\nA Markdown copy cut after its heading", "markdown"),
    ("Daily\nWeekly\nMonthly\n", "text"),  # today's tabs: a copy of today's page
    ("142\nSome Title\n", "text"),  # one mark of today's page, none of the older one
    ("A shopping list\neggs\nmilk\n", "seeds"),  # nothing of either: the older reader says
    ("[click](javascript:alert(1))\n[me](javascript:x)\n", "seeds"),  # no link to the site
])
def test_small_heads_go_to_the_reader_that_can_tell(head: str, form: str) -> None:
    assert detect(head) == form


def counted(lines: list[str], pulled: list[int]) -> Iterator[str]:
    for line in lines:
        pulled[0] += 1
        yield line


def test_the_older_layout_streams_and_reads_only_its_head_to_decide() -> None:
    lines = SEEDS[0].read_text(encoding="utf-8").split("\n") * 20
    assert len(lines) > 2 * HEAD_LINES
    pulled = [0]
    stream = open_form(counted(lines, pulled), name="big.txt", reference=READ_ON)
    assert isinstance(stream, ListingStream)
    assert pulled[0] <= HEAD_LINES  # nothing read past the head yet
    first = next(iter(stream))
    assert first.title and pulled[0] < len(lines)


@pytest.mark.parametrize("name", ["md-firecrawl.md", "text-daily.txt", "html-daily.html",
                                  "api-week.json", "text-urls-export.txt"])
def test_lines_or_blocks_of_any_size_give_the_same_records(name: str) -> None:
    text = (FORMS / name).read_text(encoding="utf-8")
    whole = read(name)
    lines = text.split("\n")
    by_lines = open_form(iter(lines), name=name, reference=READ_ON)
    assert isinstance(by_lines, ParsedListing) and by_lines.form == whole.form
    assert list(by_lines) == whole.records
    for size in (1, 7, 500):
        blocks = ("\n".join(lines[i:i + size]) for i in range(0, len(lines), size))
        by_blocks = open_blocks(blocks, name=name, reference=READ_ON)
        assert list(by_blocks) == whole.records, size


def test_parsing_leaves_the_garbage_collector_as_it_found_it() -> None:
    text = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    assert gc.isenabled()
    assert parse_form(text, "markdown", name="p.md", reference=READ_ON).records
    assert gc.isenabled()
    gc.disable()
    try:
        parse_form(text, "markdown", name="p.md", reference=READ_ON)
        assert not gc.isenabled()
    finally:
        gc.enable()


# ------------------------------------------------- invisible characters from other tools

# Zero-width spaces, word joiners and soft hyphens (web pages, Word and Google Docs exports,
# copy tools), and byte-order marks where copies were appended: invisible in every view.
# Inside words they split "Submitted", "authors" and the months, so cards lost their facts
# or became chrome and junk ("Subscribe", "Daily Papers"); a line of only a zero-width space
# was a seeds paper titled "\u200b"; a line of only a BOM crashed the seeds reader.
INVISIBLE = ["\u200b", "\u2060", "\xad"]
EVERY = sorted([*(p for p in FORMS.iterdir() if p.suffix in (".txt", ".md", ".html", ".json")
                  and not p.name.startswith("not-")), *SEEDS], key=lambda p: p.name)


def sprinkled(text: str, char: str, every: int = 7) -> str:
    """``char`` between two letters at every ``every``-th place, and on blank lines."""
    out, seen = [], 0
    for k, c in enumerate(text):
        out.append(c)
        if c.isalpha() and k + 1 < len(text) and text[k + 1].isalpha():
            seen += 1
            if seen % every == 0:
                out.append(char)
    return "".join(out).replace("\n\n", f"\n{char}\n")


@pytest.mark.parametrize("char", INVISIBLE)
@pytest.mark.parametrize("path", EVERY, ids=lambda p: p.name)
def test_invisible_characters_change_nothing(path: Path, char: str) -> None:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        text = text.replace("\n\n", "\n")  # inside JSON only in strings: not on blank lines
    whole = parse_listing(text, name=path.name, reference=READ_ON)
    got = parse_listing(sprinkled(text, char), name=path.name, reference=READ_ON)
    assert got.records == whole.records
    assert got.warnings == whole.warnings


@pytest.mark.parametrize("path", EVERY, ids=lambda p: p.name)
def test_a_line_of_only_a_byte_order_mark_is_a_blank_line(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    whole = parse_listing(text, name=path.name, reference=READ_ON)
    marked = text.replace("\n\n", "\n\ufeff\n") if path.suffix != ".json" else text
    got = parse_listing(marked, name=path.name, reference=READ_ON)
    assert got.records == whole.records


def test_the_command_imports_a_seed_with_a_byte_order_mark_line(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys
    copy = tmp_path / "seed.txt"
    copy.write_text(SEEDS[0].read_text(encoding="utf-8").replace("\n\n", "\n\ufeff\n"),
                    encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "library.db"), "import",
         "--json", str(copy)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["files"]
    assert report["new"] == len(read_listing(SEEDS[0]).records)


EDGES = {
    # A word processor's text export indents every paragraph with a tab: the detector
    # took today's page for the older layout and read 45 "papers" out of 15 cards.
    "a tab before each line": lambda s: "\n".join("\t" + x if x else x for x in s.split("\n")),
    # Bidi marks at the edges of lines (copied around right-to-left text): "\u200e142" is
    # no count and "\u200eSubmitted by" no submitter; every Markdown copy was refused.
    "a left-to-right mark before each line": lambda s: "\n".join(
        "\u200e" + x if x else x for x in s.split("\n")),
    "a right-to-left mark after each line": lambda s: "\n".join(
        x + "\u200f" if x else x for x in s.split("\n")),
}


@pytest.mark.parametrize("edge", sorted(EDGES))
@pytest.mark.parametrize("path", [p for p in EVERY if p.suffix != ".json"], ids=lambda p: p.name)
def test_what_other_tools_put_at_line_edges_changes_nothing(path: Path, edge: str) -> None:
    text = path.read_text(encoding="utf-8")
    whole = parse_listing(text, name=path.name, reference=READ_ON)
    got = parse_listing(EDGES[edge](text), name=path.name, reference=READ_ON)
    assert got.records == whole.records
    assert got.warnings == whole.warnings


# ------------------------------------------- text wrapped at a fixed width by a tool

PLAIN = ["text-daily.txt", "text-date-page.txt", "text-trending.txt"]


def wrapped(text: str, width: int, *, indent: str = "", blank: bool = True,
            hyphens: bool = True) -> str:
    """The page as pandoc -t plain, w3m -dump or lynx -dump write it: each line of the
    copy a block, filled to ``width`` columns, with a blank line after it."""
    import textwrap
    out: list[str] = []
    for line in text.split("\n"):
        out += textwrap.wrap(line, width, initial_indent=indent, subsequent_indent=indent,
                             break_on_hyphens=hyphens) or [""]
        if blank and line.strip():
            out.append("")
    return "\n".join(out)


@pytest.mark.parametrize(("width", "indent", "hyphens"), [
    (72, "", True), (72, "", False), (79, "", True), (79, "   ", False), (60, "  ", True)])
@pytest.mark.parametrize("name", PLAIN)
def test_a_copy_wrapped_by_a_text_tool_reads_as_the_copy(
        name: str, width: int, indent: str, hyphens: bool) -> None:
    # Titles wrapped onto a second line lost their end to the abstract (7 of 15 cards of
    # the daily page at 72 columns); a title wrapped at its hyphen read "Fine- Tuning".
    text = (FORMS / name).read_text(encoding="utf-8")
    got = parse_listing(wrapped(text, width, indent=indent, hyphens=hyphens), name=name,
                        reference=READ_ON)
    assert got.records == read(name).records
    assert got.warnings == []


@pytest.mark.parametrize("name", PLAIN)
def test_a_copy_wrapped_without_blank_lines_warns_that_titles_may_be_cut(name: str) -> None:
    # Without blank lines a full title line cannot be told from a wrapped one: the cards
    # are all there, and the warning says their titles may not be whole.
    text = wrapped((FORMS / name).read_text(encoding="utf-8"), 72, blank=False)
    got = parse_listing(text, name=name, reference=READ_ON)
    assert len(got.records) == len(read(name).records)
    assert got.warnings == [
        f"{name}: the text is wrapped at 72 columns with no blank lines between a card's "
        f"parts: a title wrapped onto a second line may have lost its end to the abstract"]


def test_the_command_imports_a_wrapped_copy(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys
    copy = tmp_path / "pandoc.txt"
    copy.write_text(wrapped((FORMS / "text-daily.txt").read_text(encoding="utf-8"), 72),
                    encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "library.db"), "import",
         "--json", str(copy)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["files"]
    assert (report["form"], report["new"], report["warnings"]) == ("text", 15, [])
    listed = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "library.db"), "list",
         "--json"], capture_output=True, text=True, timeout=120, check=True)
    titles = {paper["title"] for paper in json.loads(listed.stdout)}
    assert titles == {r.title for r in read("text-daily.txt").records}
