"""Two copies of the page saved by different tools, glued in one file (attack F26).

``cat a.md b.txt`` must give the papers the two files give imported one after the other,
field by field, with or without a line end between the copies. Each glued file is made
here from two fixture copies; the expectation is the real import of the two files into
one library, compared with the real import of the glued file into another.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from storage import Library
from storage.forms import open_blocks
from storage.forms.copies import foreign_start, split_copies
from storage.listing import Listing, parse_listing, read_listing
from storage.records import ListingError

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
# One copy per tool: copied text, a scraper's front matter, a reference dump, a clipper's
# trending page, an extraction's trending page, a text export with URL lines.
COPIES = ["text-daily.txt", "md-firecrawl.md", "md-reference-links.md", "md-trending.md",
          "md-trending-extraction.md", "text-urls-export.txt"]
# What the library keeps of a paper, less what differs between any two imports.
SKIP = {"id", "added_at", "first_seen", "updated_at", "source_id", "first_source_id"}


def _glue(first: str, second: str, between: str) -> str:
    a = (FORMS / first).read_text(encoding="utf-8")
    b = (FORMS / second).read_text(encoding="utf-8")
    return a.rstrip("\n") + between + b


def _papers(path: Path) -> dict[str, dict[str, object]]:
    with closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        rows = [dict(row) for row in conn.execute("SELECT * FROM papers")]
    return {str(row["key"]): {k: v for k, v in row.items() if k not in SKIP} for row in rows}


def _imported(db: Path, files: list[Path]) -> dict[str, dict[str, object]]:
    lib = Library(db)
    try:
        for file in files:
            report = lib.import_files([file])
            assert report.files[0].error is None, report.files[0].error
    finally:
        lib.close()
    return _papers(db)


PAIRS = list(itertools.permutations(COPIES, 2))


@pytest.mark.parametrize("between", ["\n", ""], ids=["line-end", "glued"])
@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_two_copies_of_different_forms_are_the_two_files(tmp_path: Path, first: str,
                                                          second: str, between: str) -> None:
    glued = tmp_path / "both.md"
    glued.write_text(_glue(first, second, between), encoding="utf-8")
    one_by_one = _imported(tmp_path / "two.db", [FORMS / first, FORMS / second])
    together = _imported(tmp_path / "one.db", [glued])
    assert together.keys() == one_by_one.keys()
    for key, paper in one_by_one.items():
        assert together[key] == paper, key


def test_each_copy_begins_at_its_own_header() -> None:
    """The second copy's front matter is its own, even glued to the first's last line."""
    text = _glue("md-reference-links.md", "text-urls-export.txt", "")
    copies = split_copies(text)
    assert len(copies) == 2
    second = (FORMS / "text-urls-export.txt").read_text(encoding="utf-8")
    assert copies[1].text == second
    assert copies[0].text.rstrip("\n") == (FORMS / "md-reference-links.md").read_text(
        encoding="utf-8").rstrip("\n")


def test_two_pastes_of_one_copy_are_that_copy() -> None:
    """Same-form pairs (two pastes) are two copies, each read as its file would be: the
    papers of one copy, with its fields (the whole text read by one reader gave a
    trending page's last card its summary as abstract, attack session 4)."""
    for name in [*COPIES, "md-trending-clipped.md", "md-clipper-date-page.md",
                 "md-truncated.md", "text-date-page.txt", "text-trending.txt"]:
        text = (FORMS / name).read_text(encoding="utf-8")
        once = parse_listing(text, name=name)
        for twice in (text + text, text.rstrip("\n") + text):
            assert len(split_copies(twice)) == 2, name
            listing = parse_listing(twice, name=name)
            assert listing.records == once.records, name
            assert listing.warnings == once.warnings, name


def test_one_copy_is_one_part() -> None:
    for name in COPIES:
        assert len(split_copies((FORMS / name).read_text(encoding="utf-8"))) == 1, name


def test_winnow_import_json_reads_both_copies(tmp_path: Path) -> None:
    pair = [FORMS / "md-reference-links.md", FORMS / "text-urls-export.txt"]
    glued = tmp_path / "both.md"
    glued.write_text(_glue(pair[0].name, pair[1].name, "\n"), encoding="utf-8")
    one_by_one = _imported(tmp_path / "two.db", pair)
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         "--json", str(glued)],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["new"] == len(one_by_one)
    assert _papers(tmp_path / "lib.db") == one_by_one


def test_a_copy_that_cannot_be_read_on_its_own_is_named_by_its_line() -> None:
    """Unsure (the second copy holds no card of its own): the first is read as before and
    one warning names the file and the line where the unread copy begins."""
    page = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    stub = "---\ntitle: Daily Papers\nurl: https://huggingface.co/papers\n---\nnew\n" \
           "Get trending papers in your email inbox once a day!\nnothing here\n"
    alone = parse_listing(page, name="both.md")
    both = parse_listing(page + stub, name="both.md")
    assert both.records == alone.records
    line = page.count("\n") + 1
    assert both.warnings == [*alone.warnings,
                             f"both.md: line {line} begins another copy of the page that "
                             f"could not be read on its own; its papers may be missing "
                             f"(import that copy as a file of its own)"]


# ---------------------------------------------------------------- every form, either side
# A copy glued AFTER the seeds' layout (which streams), a saved HTML page or an API JSON
# document was not looked for: its papers vanished, after the seeds without a word. The
# copies without chrome (a clipper's date page) and cut short (a scraper's "[Content
# truncated]") were not found either.
SEEDS = Path(__file__).resolve().parents[3] / "seeds"
OTHERS = {"seeds": SEEDS / "000_21a6442399f68ffa.txt", "html": FORMS / "html-daily.html",
          "api": FORMS / "api-week.json", "date-page": FORMS / "md-clipper-date-page.md",
          "truncated": FORMS / "md-truncated.md"}
EVERY = [*OTHERS.values(), *(FORMS / name for name in COPIES)]
MIXED = [(a, b) for a, b in itertools.permutations(EVERY, 2)
         if a in OTHERS.values() or b in OTHERS.values()]
_ONE_BY_ONE: dict[tuple[Path, Path], dict[str, dict[str, object]]] = {}


def _glue_paths(first: Path, second: Path, between: str) -> str:
    a, b = first.read_text(encoding="utf-8"), second.read_text(encoding="utf-8")
    return a.rstrip("\n") + between + b


@pytest.mark.parametrize("between", ["\n", ""], ids=["line-end", "glued"])
@pytest.mark.parametrize(("first", "second"), MIXED,
                         ids=[f"{a.name}+{b.name}" for a, b in MIXED])
def test_every_form_before_or_after_another_is_the_two_files(
        tmp_path: Path, first: Path, second: Path, between: str) -> None:
    glued = tmp_path / "both.txt"
    glued.write_text(_glue_paths(first, second, between), encoding="utf-8")
    if (first, second) not in _ONE_BY_ONE:
        _ONE_BY_ONE[first, second] = _imported(tmp_path / "two.db", [first, second])
    one_by_one = _ONE_BY_ONE[first, second]
    together = _imported(tmp_path / "one.db", [glued])
    assert together.keys() == one_by_one.keys()
    for key, paper in one_by_one.items():
        assert together[key] == paper, key


@pytest.mark.parametrize("path", [*(FORMS / name for name in sorted(
    p.name for p in FORMS.iterdir() if p.suffix in (".md", ".txt", ".html", ".json")
    and not p.name.startswith("not-"))), *sorted(SEEDS.glob("*.txt"))],
    ids=lambda p: p.name)
def test_one_copy_is_never_split(path: Path) -> None:
    """Every fixture page and seed is one copy: the splitter finds no second one in it
    (so it reads exactly as its form's reader reads it), nor a copy of another form after
    a seeds' layout."""
    text = path.read_text(encoding="utf-8")
    assert [copy.start for copy in split_copies(text)] == [0]
    assert foreign_start(text) is None


def test_a_copy_after_the_seeds_layout_is_found_at_any_block_edge() -> None:
    """The seeds' layout streams in blocks of lines: a copy of another form whose header
    falls on a block's edge is found whole, wherever the edge is."""
    seeds = OTHERS["seeds"].read_text(encoding="utf-8")
    page = (FORMS / "text-urls-export.txt").read_text(encoding="utf-8")
    text = seeds.rstrip("\n") + "\n" + page
    whole = parse_listing(text, name="both.txt")
    assert len(whole.records) == len(parse_listing(seeds, name="s").records) + len(
        parse_listing(page, name="p").records)
    start = len(seeds.rstrip("\n")) + 1
    lines = text.split("\n")
    first_line = seeds.rstrip("\n").count("\n") + 1
    for cut in range(first_line - 3, first_line + 60):
        blocks = iter(["\n".join(lines[:cut]), "\n".join(lines[cut:])])
        listing = open_blocks(blocks, name="both.txt", reference=None)
        assert list(listing) == whole.records, cut
    assert text[start:].startswith("---")


def test_a_copy_after_a_long_seeds_layout_is_read(tmp_path: Path) -> None:
    """A seeds' file of megabytes (read in blocks), then a Markdown copy: its papers too."""
    seeds = (SEEDS / "001_2386f24fa6d6a846.txt").read_text(encoding="utf-8")
    page = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    path = tmp_path / "big.txt"
    path.write_text(seeds * 9 + page, encoding="utf-8")
    listing = read_listing(path)
    alone = parse_listing(page, name="big.txt")
    tail = listing.records[-len(alone.records):]
    assert [r.title for r in tail] == [r.title for r in alone.records]
    assert [r.arxiv_id for r in tail] == [r.arxiv_id for r in alone.records]
    assert listing.form == "seeds"


def test_an_unreadable_copy_after_the_seeds_layout_is_named_by_its_line(
        tmp_path: Path) -> None:
    seeds = OTHERS["seeds"].read_text(encoding="utf-8").rstrip("\n")
    stub = "---\ntitle: Daily Papers\nurl: https://huggingface.co/papers\n---\nnew\n" \
           "Get trending papers in your email inbox once a day!\nnothing here\n"
    path = tmp_path / "both.txt"
    path.write_text(seeds + "\n" + stub, encoding="utf-8")
    alone = parse_listing(seeds, name="both.txt")
    both = read_listing(path)
    assert both.records == alone.records
    line = seeds.count("\n") + 2
    assert both.warnings == [*alone.warnings,
                             f"both.txt: line {line} begins another copy of the page that "
                             f"could not be read on its own; its papers may be missing "
                             f"(import that copy as a file of its own)"]


def test_winnow_import_json_reads_copies_after_seeds_html_and_api(tmp_path: Path) -> None:
    """Through the real command: a Markdown copy after the seeds' layout, a text copy
    after a saved page, a clipper's date page glued to an API response."""
    pairs = [(OTHERS["seeds"], FORMS / "md-firecrawl.md", "\n"),
             (OTHERS["html"], FORMS / "text-daily.txt", "\n"),
             (OTHERS["api"], OTHERS["date-page"], "")]
    files = []
    for index, (first, second, between) in enumerate(pairs):
        glued = tmp_path / f"both{index}.txt"
        glued.write_text(_glue_paths(first, second, between), encoding="utf-8")
        files.append(glued)
    expected = _imported(tmp_path / "two.db", [path for a, b, _ in pairs for path in (a, b)])
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         "--json", *map(str, files)],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert [f["form"] for f in report["files"]] == ["seeds", "html", "api"]
    assert _papers(tmp_path / "lib.db") == expected


# ------------------------------------------------- attacks on the splitter and detector
READ_ON = date(2026, 11, 30)
THRICE = ["text-daily.txt", "md-firecrawl.md", "md-trending.md", "text-urls-export.txt",
          "md-clipper-date-page.md", "md-truncated.md", "html-daily.html", "api-week.json"]


def _read(text: str, name: str = "x.md") -> Listing:
    return parse_listing(text, name=name, reference=READ_ON)


@pytest.mark.parametrize("name", THRICE)
def test_the_same_copy_three_times_is_that_copy(name: str) -> None:
    text = (FORMS / name).read_text(encoding="utf-8")
    once = _read(text)
    for thrice in (text * 3, text.rstrip("\n") * 2 + text, f"{text}\n\n{text}\n\n{text}"):
        listing = _read(thrice)
        assert listing.records == once.records, name
        assert listing.warnings == once.warnings, name


def test_the_seeds_layout_three_times_imports_its_papers_once(tmp_path: Path) -> None:
    seeds = OTHERS["seeds"]
    thrice = tmp_path / "thrice.txt"
    thrice.write_text(seeds.read_text(encoding="utf-8") * 3, encoding="utf-8")
    assert _imported(tmp_path / "a.db", [thrice]) == _imported(tmp_path / "b.db", [seeds])


@pytest.mark.parametrize("name", ["text-daily.txt", "md-firecrawl.md", "md-trending.md",
                                  "md-reference-links.md"])
def test_a_copy_in_a_markdown_code_fence_is_that_copy(name: str) -> None:
    text = (FORMS / name).read_text(encoding="utf-8")
    fenced = f"# Notes\n\nWhat I saved today:\n\n```\n{text}\n```\n\nThat is all.\n"
    assert _read(fenced).records == _read(text).records


QUOTES = {
    "inline": ' The banner said "Get trending papers in your email inbox once a day!" there.',
    "own line": "\nGet trending papers in your email inbox once a day!",
    "own line, badge over it": "\nnew\nGet trending papers in your email inbox once a day!",
}


@pytest.mark.parametrize("quote", list(QUOTES), ids=list(QUOTES))
@pytest.mark.parametrize("name", ["text-daily.txt", "md-firecrawl.md", "md-trending.md",
                                  "md-clipper-date-page.md", "text-urls-export.txt"])
def test_an_abstract_that_quotes_the_chrome_line_is_no_second_copy(name: str,
                                                                   quote: str) -> None:
    text = (FORMS / name).read_text(encoding="utf-8")
    once = _read(text)
    k, card = next((k, r) for k, r in enumerate(once.records) if r.abstract)
    last = card.abstract.rsplit(". ", 1)[-1]
    end = text.index(last) + len(last)
    quoted = text[:end] + QUOTES[quote] + text[end:]
    assert len(split_copies(quoted)) == 1
    listing = _read(quoted)
    assert [r.title for r in listing.records] == [r.title for r in once.records]
    assert listing.records[:k] + listing.records[k + 1:] == once.records[:k] + once.records[
        k + 1:]
    assert "Get trending papers" in listing.records[k].abstract
    assert listing.warnings == once.warnings


NOTES = (FORMS / "not-readme.md").read_text(encoding="utf-8")


def test_a_readme_before_a_copy_is_left_out_and_said_so() -> None:
    page = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    listing = _read(NOTES + "\n" + page, name="notes.md")
    assert listing.records == _read(page).records
    last = NOTES.count("\n") + 1
    assert listing.warnings == [
        f"notes.md: lines 1-{last}, before the copy of the page on line {last + 1}, hold no "
        f"listing that could be read; left out"]


def test_winnow_import_json_leaves_out_a_readme_before_the_copy(tmp_path: Path) -> None:
    page = FORMS / "md-firecrawl.md"
    both = tmp_path / "notes.md"
    both.write_text(NOTES + "\n" + page.read_text(encoding="utf-8"), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         "--json", str(both)],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    (report,) = json.loads(run.stdout)["files"]
    assert (report["found"], report["new"]) == (15, 15)
    assert report["warnings"][0].startswith("notes.md: lines 1-")
    assert _papers(tmp_path / "lib.db") == _imported(tmp_path / "one.db", [page])


def test_a_readme_after_a_copy_adds_no_paper() -> None:
    """Its last section ("### Exporting", a paragraph, "- 3 authors of this README",
    "- May 12") was a junk paper; since i12's cut-card rules (F27) it is named as a card
    the copy ends inside and skipped."""
    page = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    assert _read(page + "\n" + NOTES).records == _read(page).records


# A README's own "### Heading" + paragraph sections around one pasted card were read as
# cards: "Exporting" (a paragraph, "- 3 authors of this README", "- May 12") became a paper
# dated May 12 (found by i11, session 5). On a page that links its cards to their papers,
# a card with a date and no other card fact is the user's text; the card linked to its
# paper with its "·" is the page's own however few of the sections are cards.
def test_a_readme_with_one_pasted_card_is_that_card() -> None:
    page = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    card = page[page.index("[142]"):page.index("[87]")]
    at = NOTES.index("### Reading")
    listing = _read(NOTES[:at] + card + "\n" + NOTES[at:])
    (got,) = listing.records
    # The page's own date came from its capture; the card alone dates from the file.
    assert replace(got, date_source=None) == replace(_read(page).records[0], date_source=None)
    assert listing.warnings == []


def test_a_readme_without_a_card_is_still_refused() -> None:
    with pytest.raises(ListingError, match=r"x\.md: no Daily Papers listing found in it$"):
        _read(NOTES)
    # Its dated section alone, under a heading linked to no paper: no card either.
    with pytest.raises(ListingError, match=r"no Daily Papers listing found in it$"):
        _read(NOTES[NOTES.index("### Exporting"):])


def test_winnow_import_json_reads_the_one_card_pasted_into_a_readme(tmp_path: Path) -> None:
    page = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    card = page[page.index("[142]"):page.index("[87]")]
    at = NOTES.index("### Reading")
    notes = tmp_path / "README.md"
    notes.write_text(NOTES[:at] + card + "\n" + NOTES[at:], encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         "--json", str(notes)],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    (report,) = json.loads(run.stdout)["files"]
    assert (report["found"], report["new"], report["warnings"]) == (1, 1, [])
    with closing(sqlite3.connect(tmp_path / "lib.db")) as conn:
        assert conn.execute("SELECT title, arxiv_id, upvotes FROM papers").fetchall() == [
            ("Lattice-KV: Compressing the Key-Value Cache with Learned Product Quantizers",
             "2611.01234", 142)]


# A card of today's page copied as text (select-all, or a drag over one card) pasted into
# a README: its lines were joined into paragraphs by the Markdown reader, its title,
# abstract and facts one text under the README's heading before it: two junk papers
# ("Importing" dated Oct 1, "Reading" with the card's comment count as its upvotes) and
# the card lost (attack F48). Now the card, field by field, wherever it stands.
def _text_cards(name: str) -> list[tuple[str, str]]:
    """(title, the card's lines as copied) of each card of a copied text page: from its
    upvote count to the next card's."""
    page = (FORMS / name).read_text(encoding="utf-8")
    lines = page.split("\n")
    titles = [r.title for r in _read(page).records]
    starts = []
    for title in titles:
        at = lines.index(title) - 1
        while not (lines[at] == "-" or lines[at].isdigit()):
            at -= 1
        starts.append(at)
    ends = [*starts[1:], lines.index("Previous")]
    return [(title, "\n".join(lines[start:end]).strip("\n") + "\n")
            for title, start, end in zip(titles, starts, ends, strict=True)]


def _trending_cards() -> list[tuple[str, str]]:
    """(title, the card's lines) of each card of the trending page copied as text (every
    card twice: both)."""
    page = (FORMS / "text-trending.txt").read_text(encoding="utf-8")
    titles = {r.title for r in _read(page).records}
    return [(next(line for line in block.split("\n") if line in titles), block + "\n")
            for block in page.split("\n\n") if "\nUpvote\n" in block]


def _pasted(card: str, where: str) -> str:
    at = NOTES.index("### Reading")
    return {"in a section": NOTES[:at] + card + "\n" + NOTES[at:],
            "above": card + "\n" + NOTES, "below": NOTES + "\n" + card}[where]


WHERE = ["in a section", "above", "below"]
TEXT_CARDS = [(name, k) for name in ("text-daily.txt", "text-date-page.txt")
              for k in range(len(_text_cards(name)))]


def _same_card(got: Listing, page: str, title: str) -> None:
    want = next(r for r in _read((FORMS / page).read_text(encoding="utf-8")).records
                if r.title == title)
    # The page's own date came from its listing; the card alone dates from the file.
    assert [replace(r, date_source=None) for r in got.records] == [
        replace(want, position=1, date_source=None)]


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize(("name", "k"), TEXT_CARDS)
def test_a_text_card_pasted_into_a_readme_is_that_card(name: str, k: int, where: str) -> None:
    title, card = _text_cards(name)[k]
    listing = _read(_pasted(card, where), name="README.md")
    _same_card(listing, name, title)
    # Last in the file, the card says what a text page that ends with it says (it may
    # have been cut at its date, or its comment count may be the next card's upvotes).
    assert all(w.startswith("README.md: the copy ends ") for w in listing.warnings)
    assert not listing.warnings or where == "below"


# The README is hard-wrapped at 92 columns: a summary as long as that is taken for a line
# the README's tool wrapped, and joined to the line under it (storage/forms/unwrap.py). The
# card's facts go with it: refused in one line, never a junk paper.
WRAPPED_AWAY = "Weather-Aware Neural Fields for City-Scale Novel View Synthesis"


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("k", range(len(_trending_cards())))
def test_a_trending_card_copied_as_text_into_a_readme_is_that_card(k: int,
                                                                   where: str) -> None:
    title, card = _trending_cards()[k]
    if title == WRAPPED_AWAY:
        with pytest.raises(ListingError, match=r"^README\.md: no Daily Papers listing found "
                                               r"in it$"):
            _read(_pasted(card, where), name="README.md")
        return
    listing = _read(_pasted(card, where), name="README.md")
    _same_card(listing, "text-trending.txt", title)
    assert listing.warnings == []


def test_two_text_cards_in_a_readme_are_those_cards() -> None:
    (_, first), (_, second), (_, third) = _text_cards("text-daily.txt")[:3]
    listing = _read(_pasted(first + second, "in a section").replace(
        "### Exporting", third + "\n### Exporting"), name="README.md")
    page = _read((FORMS / "text-daily.txt").read_text(encoding="utf-8"))
    assert [replace(r, date_source=None) for r in listing.records] == [
        replace(r, date_source=None) for r in page.records[:3]]


def test_winnow_import_json_reads_a_text_card_pasted_into_a_readme(tmp_path: Path) -> None:
    _, card = _text_cards("text-daily.txt")[0]
    notes = tmp_path / "README.md"
    notes.write_text(_pasted(card, "in a section"), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         "--json", str(notes)],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    (report,) = json.loads(run.stdout)["files"]
    assert (report["found"], report["new"], report["warnings"]) == (1, 1, [])
    with closing(sqlite3.connect(tmp_path / "lib.db")) as conn:
        assert conn.execute("SELECT title, upvotes, comments, authors_count, published_raw "
                            "FROM papers").fetchall() == [
            ("Lattice-KV: Compressing the Key-Value Cache with Learned Product Quantizers",
             142, 6, 4, "Oct 1")]


# A note, a mail's lines or a fence's opening line above a copy: lines that hold no card
# belong to the copy below them (a preamble). Before (attack F38, N17): a part of its own,
# read by the seeds' reader as a paper ("Reading list for the week"), a title "cut off", a
# JSON response or the seeds' listing date lost, or the whole file refused.
PREAMBLES = {
    "note": "Reading list for the week\n\nSome papers I want to read, saved from HF today.\n\n",
    "title": "Reading list\n",
    "reply": "Here you go.\n\nOn Mon, 30 Nov 2026 at 09:12, Alice <a@example.org> wrote:\n",
    "fence": "```\n",
    "heading": "# My papers\n\n",
}
PAGES = sorted(path.name for path in FORMS.iterdir()
               if path.suffix in (".md", ".txt", ".html", ".json")
               and not path.name.startswith("not-"))
SEED_FILES = sorted(path.name for path in SEEDS.glob("*.txt"))


@pytest.mark.parametrize("preamble", list(PREAMBLES), ids=list(PREAMBLES))
@pytest.mark.parametrize("name", PAGES + SEED_FILES)
def test_lines_above_a_copy_that_hold_no_card_are_its_preamble(tmp_path: Path, name: str,
                                                               preamble: str) -> None:
    page = (SEEDS / name if name in SEED_FILES else FORMS / name).read_text(encoding="utf-8")
    clean, noted = tmp_path / "clean.txt", tmp_path / "noted.txt"
    clean.write_text(page, encoding="utf-8")
    noted.write_text(PREAMBLES[preamble] + page, encoding="utf-8")
    expected = read_listing(clean)
    assert expected.records
    for got in (read_listing(noted), _read(PREAMBLES[preamble] + page, name="clean.txt")):
        assert got.records == expected.records
        assert [w.replace("noted.txt", "clean.txt") for w in got.warnings] == expected.warnings
        assert got.listing_date == expected.listing_date
        assert got.form == expected.form


def test_a_preamble_is_the_first_copys_own_where_copies_follow() -> None:
    # A note above two glued copies: still two copies, the note in neither's papers.
    first = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    second = (FORMS / "text-urls-export.txt").read_text(encoding="utf-8")
    both = _read(first + second)
    noted = _read(PREAMBLES["note"] + first + second)
    assert noted.records == both.records
    assert noted.warnings == both.warnings
    copies = split_copies(PREAMBLES["note"] + first + second)
    assert [c.lead for c in copies] == [len(PREAMBLES["note"]), 0]


def test_lines_that_hold_a_card_above_a_copy_are_no_preamble() -> None:
    # The older layout's card (title, abstract, "• N authors", "·", a date) above a
    # clipper's copy is a copy of its own, read as the two files would be.
    seeds = (SEEDS / SEED_FILES[0]).read_text(encoding="utf-8")
    card = seeds[seeds.index("BadVLA"):seeds.index("Automating the Enterprise")]
    page = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    copies = split_copies(card + page)
    assert len(copies) == 2 and copies[0].lead == 0
    titles = [r.title for r in _read(card + page).records]
    assert titles[0].startswith("BadVLA")
    assert titles[1:] == [r.title for r in _read(page).records]


def test_winnow_import_json_takes_a_note_above_the_copy_as_its_preamble(
        tmp_path: Path) -> None:
    page = FORMS / "md-firecrawl.md"
    noted = tmp_path / "week.md"
    noted.write_text(PREAMBLES["note"] + page.read_text(encoding="utf-8"), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         "--json", str(noted)],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    (report,) = json.loads(run.stdout)["files"]
    assert (report["form"], report["found"], report["new"], report["warnings"]) == (
        "markdown", 15, 15, [])
    assert _papers(tmp_path / "lib.db") == _imported(tmp_path / "one.db", [page])


# A reader's or clipper's copy that kept its title block ("# Title" + "- Source ...", "#
# Web source", "Title:" + "URL Source:") but not the page's chrome, glued after the older
# layout (which streams) or after a copy without links: it was not found. After a bare
# seeds file the seeds' reader took its lines for ~600 papers; after a seeds copy with
# chrome the whole text was read as Markdown and the seeds' papers were lost.
HEADED = ["md-trending-clipped.md", "md-trending-extraction.md", "md-reference-links.md",
          "text-urls-export.txt"]


def _chromeless(name: str, tmp_path: Path) -> Path:
    lines = (FORMS / name).read_text(encoding="utf-8").split("\n")
    kept = [line for line in lines if not line.startswith("Get trending papers")]
    path = tmp_path / f"chromeless-{name}"
    path.write_text("\n".join(kept), encoding="utf-8")
    assert split_copies(path.read_text(encoding="utf-8"))[0].header != "none"
    return path


@pytest.mark.parametrize("between", ["\n", ""], ids=["line-end", "glued"])
@pytest.mark.parametrize("name", HEADED)
@pytest.mark.parametrize("seed", SEED_FILES)
def test_a_chromeless_copy_after_the_seeds_layout_is_the_two_files(
        tmp_path: Path, seed: str, name: str, between: str) -> None:
    page = _chromeless(name, tmp_path)
    glued = tmp_path / "both.txt"
    glued.write_text(_glue_paths(SEEDS / seed, page, between), encoding="utf-8")
    one_by_one = _imported(tmp_path / "two.db", [SEEDS / seed, page])
    together = _imported(tmp_path / "one.db", [glued])
    assert together.keys() == one_by_one.keys()
    for key, paper in one_by_one.items():
        assert together[key] == paper, key


def test_winnow_import_json_finds_a_chromeless_copy_after_the_seeds(tmp_path: Path) -> None:
    seeds, page = SEEDS / SEED_FILES[1], _chromeless("md-trending-clipped.md", tmp_path)
    glued = tmp_path / "both.txt"
    glued.write_text(_glue_paths(seeds, page, ""), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         "--json", str(glued)],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    (report,) = json.loads(run.stdout)["files"]
    expected = _imported(tmp_path / "two.db", [seeds, page])
    assert (report["found"], report["new"], report["warnings"]) == (
        len(expected), len(expected), [])
    assert _papers(tmp_path / "lib.db") == expected


def test_a_text_card_selected_into_the_next_cards_count_is_that_card() -> None:
    # The selection ran on into the next card's upvote count ("87"), then the README goes
    # on: its "### Reading" was a paper with 87 upvotes (i14s, on F48's first fix).
    (title, first), (_, second) = _text_cards("text-daily.txt")[:2]
    over = first + second.split("\n", 1)[0] + "\n"
    assert over.endswith("6\n87\n")
    for where in WHERE:
        listing = _read(_pasted(over, where), name="README.md")
        _same_card(listing, "text-daily.txt", title)


def test_a_text_card_pasted_as_a_list_is_that_card() -> None:
    # A note app's "paste as list": every line of the card an item ("- 142", "- Lattice…").
    title, card = _text_cards("text-daily.txt")[0]
    listed = "".join(f"- {line}\n" for line in card.strip("\n").split("\n"))
    for where in WHERE:
        listing = _read(_pasted(listed, where), name="README.md")
        _same_card(listing, "text-daily.txt", title)
