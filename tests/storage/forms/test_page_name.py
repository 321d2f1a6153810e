"""Which page a copy is of (daily or trending) is said by the page's own name over its
byline, "by AK and the research community", not by any words above the copy (attack
F33): a note's title "HF daily papers 2026-11-30" above a trending copy made it a daily
page, and the cards without an authors count or organisation were dropped (17 of 50 in
the real trending extraction), the others stored their AI summary as an abstract.

Every page fixture in Markdown and text is read with a user's line above it and must read
as the copy alone; the last test runs the real `winnow import` on one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from storage.forms.cards import Item, _page_name
from storage.listing import parse_listing
from tests.fixtures.forms.make_forms import FILES
from tests.storage.forms.helpers import FORMS, READ_ON, read

PAGES = sorted(name for name in FILES if name.endswith((".txt", ".md"))
               and not name.startswith("not-"))
TRENDING = [name for name in PAGES if "trending" in name]

# A note's title, an e-mail's first line, a reading list's heading: words of the user's
# that name one page or the other, or neither.
LINES = [
    "HF daily papers 2026-11-30",
    "Daily Papers",
    "Trending papers I liked",
    "Trending Papers",
    "daily papers -- trending papers",
    "My reading list",
]


def test_the_fixtures_say_which_page_they_are() -> None:
    """The trending fixtures are trending pages (their cards' short texts are AI summaries),
    the others daily pages: what the tests below hold them to."""
    assert len(TRENDING) == 4
    for name in PAGES:
        records = read(name).records
        summaries = [r for r in records if r.ai_summary]
        if name in TRENDING:
            assert summaries, name
        else:
            assert not summaries, name


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("name", PAGES)
def test_a_line_above_the_copy_changes_nothing(name: str, line: str) -> None:
    text = (FORMS / name).read_text(encoding="utf-8")
    alone = read(name)
    for above in (f"{line}\n\n", f"{line}\n"):
        listing = parse_listing(above + text, name=name, reference=READ_ON)
        assert listing.records == alone.records, (name, above)
        # A copy that begins with front matter begins there: the line above is said to
        # be left out (storage/forms/copies.py), and nothing else is said.
        left_out = [f"{name}: lines 1-{above.count(chr(10))}, before the copy of the page "
                    f"on line {above.count(chr(10)) + 1}, hold no listing that could be "
                    f"read; left out"]
        assert listing.warnings in (alone.warnings, left_out + alone.warnings), (name, above)


def test_the_trending_extraction_keeps_every_card_under_a_daily_note() -> None:
    """The attack's case: the extraction's cards with no authors count (an organisation
    or nothing after the summary) were dropped, the others read as daily cards."""
    name = "md-trending-extraction.md"
    text = (FORMS / name).read_text(encoding="utf-8")
    listing = parse_listing(f"HF daily papers 2026-11-30\n\n{text}", name=name,
                            reference=READ_ON)
    alone = read(name).records
    assert [r.title for r in listing.records] == [r.title for r in alone]
    assert len(alone) == 5
    short = [r for r in listing.records if r.ai_summary]
    assert len(short) == 4
    assert all(r.abstract == "" for r in short)


def _items(*texts: str | tuple[str, int] | tuple[str, str]) -> list[Item]:
    items = []
    for t in texts:
        if isinstance(t, tuple) and isinstance(t[1], int):
            items.append(Item(t[0], heading=t[1]))
        elif isinstance(t, tuple):
            items.append(Item(t[0], href=str(t[1])))
        else:
            items.append(Item(t))
    return items


def test_the_name_over_the_byline_decides() -> None:
    """The heads as the forms write them: the name over "by AK ...", with the text
    export's "by" / "AK" / address between; the tab under it and the chrome line say
    nothing; without a byline, the page's heading, then its title."""
    chrome = "Get trending papers in your email inbox once a day!"
    daily_tabs = _items(chrome, "Daily Papers", "by AK and the research community", "Daily",
                        ("Trending Papers", "https://huggingface.co/papers/trending"))
    assert _page_name(daily_tabs) == "daily papers"
    # select-all text: the tab is a plain line under the byline.
    assert _page_name(_items("HF trending papers", chrome, "Daily Papers",
                             "by AK and the research community", "Trending Papers")
                      ) == "daily papers"
    export = _items("Daily papers, Dec 1", chrome, "Daily Papers", "by",
                    ("AK", "https://huggingface.co/akhaliq"), "and the research community")
    assert _page_name(export) == "daily papers"
    trending = _items("Daily Papers", chrome, ("Trending Papers", 1),
                      "by[AK] and the research community", "Trending Papers")
    assert _page_name(trending) == "trending papers"
    # A byline with no name over it (a user's sentence) decides nothing.
    assert _page_name(_items("Papers picked by the research community", chrome,
                             ("Trending Papers", 2))) == "trending papers"
    assert _page_name(_items("Daily Papers", chrome, ("Trending Papers", 1))
                      ) == "trending papers"
    assert _page_name(_items("**URL:** https://paperswithcode.com **Page Title:** Trending "
                             "Papers - Hugging Face --------------------")) == "trending papers"
    assert _page_name(_items("Hugging Face - 2026 - Trending Papers")) == "trending papers"
    assert _page_name(_items("Daily Papers - Hugging Face")) == "daily papers"
    assert _page_name(_items(chrome, "HF daily papers 2026-11-30")) is None


def test_the_command_imports_every_trending_card_under_a_note(tmp_path: Path) -> None:
    """`winnow import --json` of a trending copy under a note's title: the copy's papers,
    each card's summary as its summary, as the copy alone imports them."""
    name = "md-trending-clipped.md"
    text = (FORMS / name).read_text(encoding="utf-8")
    (tmp_path / "alone.md").write_text(text, encoding="utf-8")
    (tmp_path / "noted.md").write_text(f"HF daily papers 2026-11-30\n\n{text}",
                                       encoding="utf-8")

    def winnow(db: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / db), *args],
            capture_output=True, text=True, timeout=120, check=False)

    papers = {}
    for file in ("alone.md", "noted.md"):
        done = winnow(f"{file}.db", "import", "--json", str(tmp_path / file))
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)["files"][0]
        assert report["warnings"] == []
        listed = winnow(f"{file}.db", "list", "--json", "--limit", "100")
        assert listed.returncode == 0, listed.stderr
        papers[file] = {p["title"]: (p["abstract"], p["ai_summary"], p["authors_count"])
                        for p in json.loads(listed.stdout)}
    assert len(papers["noted.md"]) == len(read(name).records) == 12
    assert papers["noted.md"] == papers["alone.md"]
    assert sum(1 for abstract, summary, _ in papers["noted.md"].values()
               if summary and not abstract) >= 9


@pytest.mark.parametrize("name", PAGES)
def test_cards_selected_without_the_page_head_say_which_page_they_are(name: str) -> None:
    """A selection from the first card on (drag-select, a reader view; attack N32): the
    trending cards were read as daily ones, each AI summary stored as the abstract. With
    no name in the head, the cards' own "arXiv Page" link or star count says trending."""
    text = (FORMS / name).read_text(encoding="utf-8")
    whole = read(name).records
    # The first card's own start: the line nearest its title from which it is read whole
    # (a daily card's upvote count comes before its title: a copy begun after it begins
    # inside the card, attack F44, and skips it).
    start = text.rfind("\n", 0, text.index(whole[0].title)) + 1
    while True:
        listing = parse_listing(text[start:], name=name, reference=READ_ON)
        if listing.records and listing.records[0].title == whole[0].title:
            break
        assert start > 0
        start = text.rfind("\n", 0, start - 1) + 1
    assert not any("begins inside" in w for w in listing.warnings)
    assert ([(r.title, r.abstract, r.ai_summary) for r in listing.records]
            == [(r.title, r.abstract, r.ai_summary) for r in whole])
    assert any(r.ai_summary for r in listing.records) == (name in TRENDING)
