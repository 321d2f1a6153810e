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
from storage.listing import open_listing
from tests.conftest import SEEDS
from tests.storage.forms.helpers import FORMS, READ_ON, read

PAGES = {
    "text-daily.txt": "text", "text-date-page.txt": "text", "text-trending.txt": "text",
    "html-daily.html": "html", "html-daily-props.html": "html",
    "md-firecrawl.md": "markdown", "md-reference-links.md": "markdown",
    "md-clipper-date-page.md": "markdown", "md-trending.md": "markdown",
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
