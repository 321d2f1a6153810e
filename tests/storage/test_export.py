"""Exports read back by the tools people open them with: the csv module (as a
spreadsheet would see the cells), markdown-it (CommonMark), pybtex and bibtexparser.

Listing text is hostile here on purpose: formulas, links, images, HTML, braces.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import SeparateCoAuthors
from markdown_it import MarkdownIt
from pybtex.database import parse_file as pybtex_parse_file
from pybtex.database import parse_string as pybtex_parse_string

from storage import Library
from storage.export import to_bibtex, to_markdown

HOSTILE_TITLES = [
    "=HYPERLINK(\"http://evil/\",\"click\")",
    "+SUM(A1:A9) Gains",
    "-2+3 Cells",
    "@cmd Everywhere",
    "[click](javascript:alert(1)) Linked",
    "![x](http://tracker.example/p.png) Pixel",
    "R&D <b>bold</b> *not emphasis* & more",
    "# Not A Heading",
    "Braces { left open \\{ and \\ backslash",
]


def _listing(path: Path, titles: list[str]) -> Path:
    blocks = [f"{title}\n{'Abstract of ' + title + ' with a } and 50% $x$ #1 _a_ ^ ~.'}"
              for title in titles]
    path.write_text("\n".join(blocks) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def hostile(library: Library, tmp_path: Path) -> Library:
    report = library.import_files([_listing(tmp_path / "hostile.txt", HOSTILE_TITLES)])
    assert report.ok and report.new == len(HOSTILE_TITLES), report
    ids = [row[0] for row in library.conn.execute("SELECT id FROM papers ORDER BY id")]
    library.add_tags(ids[:1], ["=cmd|' /C calc'!A0", "[t](javascript:x)"])
    return library


def _title_id(lib: Library, prefix: str) -> int:
    row = lib.conn.execute("SELECT id FROM papers WHERE title LIKE ? || '%'",
                           (prefix,)).fetchone()
    assert row, prefix
    return row[0]


# ---------------------------------------------------------------------- CSV
def test_csv_cells_are_never_formulas(hostile: Library, tmp_path: Path) -> None:
    out = tmp_path / "papers.csv"
    hostile.export("", format="csv", out=out)
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(HOSTILE_TITLES)
    for row in rows:
        for column in ("title", "abstract", "organization", "tags", "note", "sources"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row[column]
    titles = {row["title"] for row in rows}
    # The text is kept whole behind the apostrophe a spreadsheet hides.
    assert "'=HYPERLINK(\"http://evil/\",\"click\")" in titles
    assert "'-2+3 Cells" in titles and "'@cmd Everywhere" in titles
    assert "R&D <b>bold</b> *not emphasis* & more" in titles
    tagged = next(row for row in rows if row["tags"])
    assert tagged["tags"].startswith("'=cmd")


# ----------------------------------------------------------------- Markdown
def _text_of(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def test_markdown_renders_listing_text_as_those_characters(hostile: Library) -> None:
    markdown = hostile.export("", format="markdown")
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<a " not in rendered and "<img" not in rendered
    assert "<b>" not in rendered and "<em>" not in rendered
    assert "&amp;" not in markdown  # "R&D" is written as R&D, not as an entity
    headings = [_text_of(h) for h in re.findall(r"<h2>(.*?)</h2>", rendered)]
    assert sorted(headings) == sorted(" ".join(t.split()) for t in HOSTILE_TITLES)
    # Nothing of a title became a heading of its own or lost its leading "#".
    assert "<h1>Not A Heading" not in rendered
    # The tags are text too: no live link from "[t](javascript:x)".
    assert "[t](javascript:x)" in _text_of(rendered)


def test_markdown_keeps_facts_on_their_own_lines_and_comments_with_quotes(
        seeded: Library) -> None:
    paper_id = _title_id(seeded, "TokenFormer")
    seeded.add_tags([paper_id], ["scaling", "to read"])
    seeded.set_read([paper_id])
    seeded.annotate_quote(paper_id, "natively scalable architecture", comment="why it scales")
    markdown = to_markdown([seeded.get(paper_id)])
    rendered = MarkdownIt("commonmark").render(markdown)
    items = [_text_of(li).strip() for li in re.findall(r"<li>(.*?)</li>", rendered, re.S)]
    assert "Status: Done" in items
    assert "Tags: #scaling #to-read" in items
    assert any(item.startswith("from ") or " · from " in item for item in items)
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", rendered, re.S)
    assert len(quotes) == 1
    assert "natively scalable architecture" in quotes[0] and "why it scales" in quotes[0]


def test_markdown_names_each_paper_s_triage_state_as_the_app_does(seeded: Library) -> None:
    """Reading notes said "Status: unread" for a paper in Later, the Shortlist, Skipped or
    the Inbox (attack N19): the state is what triage decided, so the notes name it."""
    ids = [row[0] for row in seeded.conn.execute("SELECT id FROM papers ORDER BY id LIMIT 6")]
    seeded.set_state(ids[:1], "later", until="2026-12-24")
    seeded.set_state(ids[1:2], "later")
    seeded.set_state(ids[2:3], "shortlist")
    seeded.set_state(ids[3:4], "skipped")
    seeded.set_state(ids[4:5], "done")
    seeded.set_starred(ids[5:6], True)
    markdown = to_markdown(seeded.get(i) for i in ids)
    rendered = MarkdownIt("commonmark").render(markdown)
    statuses = [_text_of(li).strip() for li in re.findall(r"<li>(.*?)</li>", rendered, re.S)
                if _text_of(li).startswith("Status:")]
    assert statuses == ["Status: Later, until 2026-12-24", "Status: Later, someday",
                        "Status: Shortlist", "Status: Skipped", "Status: Done",
                        "Status: Inbox, starred"]


# ------------------------------------------------------------------- BibTeX
def test_bibtex_names_the_authors_when_the_listing_did(library: Library,
                                                       tmp_path: Path) -> None:
    """The API and the saved page name the authors; the BibTeX entry had none (attack
    N20). pybtex reads each as a person, a name with "and" or a comma stays one."""
    papers = [{"paper": {"id": "2610.17765", "title": "Grounded Chart Reasoning",
                         "summary": "Chart question answering models often read values. " * 3,
                         "authors": [{"name": "Lea Dubois"}, {"name": "Arjun Mehta"},
                                     {"name": "Sun-hee Park"}, {"name": "Ng, Andrew"},
                                     {"name": "Smith and Sons Lab"}],
                         "upvotes": 31, "publishedAt": "2026-09-27T00:00:00.000Z"},
               "title": "Grounded Chart Reasoning", "publishedAt": "2026-09-27T00:00:00.000Z"}]
    answer = tmp_path / "day.json"
    answer.write_text(json.dumps(papers), encoding="utf-8")
    report = library.import_files([answer])
    assert report.ok and report.new == 1, report
    [paper_id] = [row[0] for row in library.conn.execute("SELECT id FROM papers")]
    text = to_bibtex([library.get(paper_id)])
    [entry] = pybtex_parse_string(text, "bibtex").entries.values()
    people = [str(p) for p in entry.persons["author"]]
    assert people == ["Dubois, Lea", "Mehta, Arjun", "Park, Sun-hee", "{Ng, Andrew}",
                      "{Smith and Sons Lab}"]
    parsed = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert not parsed.failed_blocks
    assert parsed.entries[0].fields_dict["author"].value == [
        "Lea Dubois", "Arjun Mehta", "Sun-hee Park", "{Ng, Andrew}", "{Smith and Sons Lab}"]
    # A listing without names (a copied page) gives no author field, not an empty one.
    assert "author" not in to_bibtex([replace(library.get(paper_id), authors=())])


def test_bibtex_is_read_whole_by_pybtex_and_bibtexparser(seeded: Library, tmp_path: Path,
                                                          hostile_path: Path) -> None:
    seeded.import_files([hostile_path])
    total = seeded.stats()["total"]
    out = tmp_path / "papers.bib"
    seeded.export("", format="bibtex", out=out)

    parsed = pybtex_parse_file(str(out), "bibtex")
    assert len(parsed.entries) == total
    library = bibtexparser.parse_file(str(out))
    assert not library.failed_blocks
    assert len(library.entries) == total
    keys = [entry.key for entry in library.entries]
    assert len(set(keys)) == total

    braces = parsed.entries[_key_of(library, "Braces {")].fields["title"]
    assert "textbraceleft" in braces and "textbackslash" in braces


def _key_of(library: bibtexparser.Library, title_start: str) -> str:
    for entry in library.entries:
        title = entry.fields_dict["title"].value
        plain = title.replace("\\textbraceleft{}", "{").replace("{", "").replace("}", "")
        if plain.startswith(title_start.replace("{", "")):
            return entry.key
    raise AssertionError(f"no entry titled {title_start!r}")


@pytest.fixture
def hostile_path(tmp_path: Path) -> Path:
    return _listing(tmp_path / "hostile.txt", HOSTILE_TITLES)


def test_bibtex_keys_name_who_when_and_what(seeded: Library) -> None:
    library = bibtexparser.parse_string(seeded.export("", format="bibtex"))
    keys = {entry.fields_dict["title"].value: entry.key for entry in library.entries}
    nemotron = next(k for t, k in keys.items() if "Nemotron-Flash" in t)
    assert nemotron == "nvidia2025nemotron"
    galore = next(k for t, k in keys.items() if t.startswith("{GaLore}"))
    assert galore.startswith("galore")
    # "Towards ..." is keyed by its first significant word, not by "towards".
    towards = [k for t, k in keys.items() if t.startswith("Towards the Fundamental Limits")]
    assert len(towards) == 1 and towards[0].startswith("fundamental")


def test_bibtex_acronyms_keep_their_case_in_a_real_style(seeded: Library) -> None:
    from pybtex.style.formatting.unsrt import Style

    paper_id = _title_id(seeded, "GaLore")
    data = pybtex_parse_string(to_bibtex([seeded.get(paper_id)]), "bibtex")
    [entry] = Style().format_entries(data.entries.values())
    text = entry.text.render_as("text")
    assert "GaLore: memory-efficient LLM training" in text


def test_bibtex_has_url_and_eprint_when_the_arxiv_id_is_known(seeded: Library) -> None:
    paper = seeded.get(_title_id(seeded, "GaLore"))
    assert paper is not None
    known = replace(paper, arxiv_id="2403.03507")
    data = pybtex_parse_string(to_bibtex([known, replace(known, id=paper.id + 10**6)]),
                               "bibtex")
    entries = list(data.entries.values())
    assert len(entries) == 2 and len(set(data.entries.keys())) == 2
    fields = entries[0].fields
    assert fields["eprint"] == "2403.03507"
    assert fields["archiveprefix"] == "arXiv"
    assert fields["url"] == "https://arxiv.org/abs/2403.03507"
    assert "arXiv: 2403.03507" in to_markdown([known])
    # Without an id there is neither (no guessed links).
    plain = pybtex_parse_string(to_bibtex([paper]), "bibtex")
    assert "url" not in next(iter(plain.entries.values())).fields


def test_exports_carry_no_terminal_escapes(library: Library, tmp_path: Path) -> None:
    listing = tmp_path / "esc.txt"
    listing.write_text("Title \x1b]0;owned\x07 here \x1b[2J\nAbstract \x1b[31mred\n",
                       encoding="utf-8")
    library.import_files([listing])
    for format in ("csv", "markdown", "bibtex"):
        text = library.export("", format=format)
        assert "\x1b" not in text and "\x07" not in text, format
    assert "\x1b" not in io.StringIO(library.export("", format="json")).read()
