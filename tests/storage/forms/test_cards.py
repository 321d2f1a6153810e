"""Every form of the page, card by card: exactly the papers, with every field right.

The fixtures in tests/fixtures/forms/ are written by make_forms.py from catalogue.py, each in
the shape real copies of that form have (FORMATS.md). A test here parses one file through
the same entry points the import uses and compares each record with the catalogue.
The saved HTML page is in test_html.py, the Markdown forms in test_markdown.py and
test_scraper.py, yearless dates against the file's time in test_dates.py, detection by
content in test_forms.py; the helpers in helpers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.listing import Listing, ListingError, parse_listing, read_listing
from storage.records import PaperRecord
from tests.fixtures.forms.catalogue import API_ONLY, PAPERS
from tests.fixtures.forms.make_forms import FILES
from tests.storage.forms.helpers import (
    FORMS,
    READ_ON,
    api_facts,
    assert_cards,
    page_facts,
    read,
    whole_warnings,
)


def test_every_fixture_is_current() -> None:
    """The committed files are what make_forms.py writes (regenerate after editing it)."""
    for name, make in FILES.items():
        assert (FORMS / name).read_text(encoding="utf-8") == make(), name


# ------------------------------------------------------------------- plain text


def test_select_all_text_of_a_daily_page() -> None:
    listing = read("text-daily.txt")
    assert (listing.form, listing.listing_date, listing.listing_date_raw) == (
        "text", "2026-10-02", "Oct 2")
    assert listing.capture_date is None and listing.warnings == []
    # No URLs in copied text: no ids. A "-" is 0 upvotes; "Oct 1 6" has 6 comments.
    assert_cards(listing, [page_facts(p, source_for_yearless="listing", ids=False)
                           for p in PAPERS])
    assert listing.records[3].upvotes == 0


def test_select_all_text_of_a_date_page_keeps_who_submitted() -> None:
    listing = read("text-date-page.txt")
    assert (listing.form, listing.listing_date) == ("text", "2026-10-02")
    assert_cards(listing, [page_facts(p, source_for_yearless="listing", ids=False,
                                      submitted=True) for p in PAPERS[:10]])


def test_trending_page_copied_as_text() -> None:
    listing = read("text-trending.txt")
    assert listing.form == "text" and listing.warnings == []
    expected = []
    for k, p in enumerate(PAPERS[:12]):
        want = page_facts(p, source_for_yearless="card", ids=False, comments=False,
                          submitted=k % 2 == 0)
        # Text has the star count but not the repository's address.
        want.update(year_inferred=False, date_source="card", github_stars=p.github_stars)
        if k % 4 != 3:
            want.update(abstract="", ai_summary=p.ai_summary)
        expected.append(want)
    assert_cards(listing, expected)


# -------------------------------------------------------------------------- API


def test_a_week_of_the_daily_papers_api() -> None:
    listing = read("api-week.json")
    assert (listing.form, listing.listing_date) == ("api", None)  # five days, no one date
    assert_cards(listing, [api_facts(p) for p in PAPERS[:12] + API_ONLY])


def test_one_paper_from_the_papers_api() -> None:
    listing = read("api-paper.json")
    assert listing.form == "api"
    assert_cards(listing, [api_facts(PAPERS[5])])
    assert listing.records[0].project_page == "https://walkgraph.github.io"


# ----------------------------------------------------------------- not listings


@pytest.mark.parametrize("name", ["not-readme.md", "not-shopping-list.txt",
                                  "not-article.txt", "not-other-site.html"])
def test_a_file_that_is_no_listing_is_refused_in_one_line(name: str) -> None:
    with pytest.raises(ListingError) as refused:
        read_listing(FORMS / name)
    assert str(refused.value) == f"{name}: no Daily Papers listing found in it"


def test_the_project_readme_is_no_listing() -> None:
    readme = Path(__file__).resolve().parents[3] / "README.md"
    with pytest.raises(ListingError, match=r"^README\.md: no Daily Papers listing found in it$"):
        read_listing(readme)


def records_of(listing: Listing) -> list[PaperRecord]:
    return listing.records


# ------------------------------------------------------------- a copy cut in its last card

# Every fixture of the page itself (the JSON forms have no card to cut into text).
PAGES = sorted(name for name in FILES if name.endswith((".txt", ".md", ".html"))
               and not name.startswith("not-") and name != "md-truncated.md")


TWICE = ("text-trending.txt", "md-trending.md", "md-trending-extraction.md")


def cut_points(name: str, text: str, title: str, body: str) -> dict[str, int]:
    """Where to cut a copy in its last card (in the first copy of a card that comes
    twice): inside the title, right after it, and inside the abstract (or summary)."""
    t = text.index(title) if name in TWICE else text.rindex(title)
    b = text.index(body[:30], t)
    return {"in the title": t + 10, "after the title": t + len(title),
            "in the abstract": b + len(body) // 2}


@pytest.mark.parametrize("where", ["in the title", "after the title", "in the abstract"])
@pytest.mark.parametrize("name", PAGES)
def test_a_copy_cut_inside_its_last_card_names_it_and_keeps_the_rest(
        name: str, where: str) -> None:
    # README: a card cut off at the end of a copy is skipped and reported by name. The
    # plain-text forms found titles by walking back from each card's "·" + date, which a
    # cut card does not have, and dropped it without a word; a card cut before 40
    # characters of its text was no record and went unnamed in every form.
    full = read(name)
    text = (FORMS / name).read_text(encoding="utf-8")
    last = full.records[-1]
    body = last.abstract or last.ai_summary or ""
    cut = cut_points(name, text, last.title, body)[where]
    listing = parse_listing(text[:cut], name=name, reference=READ_ON)
    if name == "html-daily-props.html":
        # Read from the page's JSON, which comes before the cards: nothing is lost.
        assert listing.records == full.records and listing.warnings == []
        return
    assert [r.title for r in listing.records] == [r.title for r in full.records[:-1]]
    shown = last.title[:10] if where == "in the title" else last.title
    assert listing.warnings == [f'{name}: the copy ends inside the card "{shown}"; skipped']


@pytest.mark.parametrize("name", TWICE)
def test_a_trending_copy_cut_in_a_cards_second_copy_loses_nothing(name: str) -> None:
    # Every card comes twice: the paper is in from its first copy, so nothing is named.
    full = read(name)
    text = (FORMS / name).read_text(encoding="utf-8")
    last = full.records[-1]
    second = text.rindex(last.title)
    for cut in (second + 10, second + len(last.title) + 60):
        listing = parse_listing(text[:cut], name=name, reference=READ_ON)
        assert [r.title for r in listing.records] == [r.title for r in full.records]
        assert listing.warnings == []


@pytest.mark.parametrize("name", PAGES)
def test_a_whole_copy_names_no_cut_card(name: str) -> None:
    # The footer after the last card (Previous / Next, the site's links) is no card.
    assert read(name).warnings == whole_warnings(name)


# ---------------------------------------------- no-break spaces; two copies in one file


@pytest.mark.parametrize("name", sorted(n for n in FILES if not n.startswith("not-")))
def test_a_copy_with_no_break_spaces_for_spaces_reads_as_the_copy(name: str) -> None:
    # Some browsers copy the page's spaces as U+00A0: "Submitted\xa0by", "3\xa0authors",
    # the chrome. Before, a date page read as one paper titled "Submitted by" and a
    # trending page as "arXiv Page"; the seeds' layout brought its chrome as two papers.
    text = (FORMS / name).read_text(encoding="utf-8")
    nbsp = parse_listing(text.replace(" ", "\xa0"), name=name, reference=READ_ON)
    assert nbsp.records == read(name).records


@pytest.mark.parametrize("name", sorted(n for n in FILES if n.endswith((".txt", ".md", ".html"))
                                        and not n.startswith("not-")))
@pytest.mark.parametrize("joint", ["", "\n"])
def test_two_copies_of_a_page_in_one_file_are_its_papers(name: str, joint: str) -> None:
    text = (FORMS / name).read_text(encoding="utf-8").rstrip("\n")
    both = parse_listing(text + joint + text, name=name, reference=READ_ON)
    assert [r.title for r in both.records] == [r.title for r in read(name).records]


# ------------------------------------------- a copy cut before its last card's title

# Where the card's head before its title (its upvote count, "Submitted by", a heading's
# "### [", a link to it) shows that a card began; the id where the form links it.
STARTED = {
    "html-daily.html": "2411.09130", "md-clipper-date-page.md": "2510.21877",
    "md-firecrawl.md": "2411.09130", "md-reference-links.md": None,
    "md-search-highlight.md": "2607.15526", "md-trending-extraction.md": None,
    "md-trending.md": "2606.03318", "md-trending-clipped.md": "2606.03318",
    "text-daily.txt": None, "text-date-page.txt": None,
    "text-urls-export.txt": "2411.09130",
}


def started_warning(name: str, before: str, arxiv: str | None) -> str:
    known = f" (arXiv {arxiv})" if arxiv else ""
    before = before if len(before) <= 80 else before[:79].rstrip() + "…"
    return (f'{name}: the copy ends inside a card after "{before}"{known}; '
            f"its title is cut off")


@pytest.mark.parametrize("name", PAGES)
def test_a_copy_cut_before_any_of_its_last_title_says_so(name: str) -> None:
    # Cut before the first character of the last card's title, nothing named the card
    # (plain text, HTML, the clipper's date page) or the warning named it '""'.
    full = read(name)
    text = (FORMS / name).read_text(encoding="utf-8")
    last = full.records[-1]
    cut = text.index(last.title) if name in TWICE else text.rindex(last.title)
    listing = parse_listing(text[:cut], name=name, reference=READ_ON)
    if name == "html-daily-props.html":
        assert listing.records == full.records and listing.warnings == []
        return
    assert listing.records == full.records[:-1]
    if name in STARTED:
        before = full.records[-2].title
        assert listing.warnings == [started_warning(name, before, STARTED[name])]
    else:
        # Nothing of the card is in the copy (a trending card's text starts with its
        # title): the copy ends between two cards.
        assert listing.warnings == []


DAILY = (FORMS / "text-daily.txt").read_text(encoding="utf-8")
LATTICE = "Lattice-KV: Compressing the Key-Value Cache with Learned Product Quantizers"
CALM = ('Teaching Small Models to Say "I Don\'t Know": Calibrated Abstention for '
        "Retrieval-Augmented QA")
SPARSE = "Sparse Mixture of Tokenizers for Multilingual Speech Recognition"


@pytest.mark.parametrize(("end", "before", "comments"), [
    ("Oct 1\n6\n\n87\n", LATTICE, 6),   # its comments, then the next card's upvotes
    ("Sep 29 3\n56\n", CALM, 3),        # comments on the date's line: 56 is upvotes
    ("Sep 30\n-\n", SPARSE, None),      # "-" is no comment count: 0 upvotes
])
def test_plain_text_cut_after_the_next_cards_count_names_where(
        end: str, before: str, comments: int | None) -> None:
    listing = parse_listing(DAILY[: DAILY.index(end) + len(end)], name="d.txt",
                            reference=READ_ON)
    assert [r.title for r in listing.records][-1] == before
    assert listing.records[-1].comments == comments
    assert listing.warnings == [started_warning("d.txt", before, None)]


def test_plain_text_cut_after_one_count_says_what_it_was_read_as() -> None:
    # "Oct 1 / 6": the card's comment count, or the upvotes of a card cut before its
    # title; nothing tells which. Read as the comment count, and said so.
    listing = parse_listing(DAILY[: DAILY.index("Oct 1\n6\n") + 8], name="d.txt",
                            reference=READ_ON)
    assert [r.title for r in listing.records] == [LATTICE]
    assert listing.records[0].comments == 6
    assert listing.warnings == [
        f'd.txt: the copy ends after "{LATTICE}" with the count 6: read as its comment '
        f"count; if a card began there, its title is cut off"]


def test_the_command_names_where_a_copy_cut_before_a_title_ends(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys
    cut = tmp_path / "cut.txt"
    cut.write_text(DAILY[: DAILY.index(CALM)], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "library.db"), "import",
         "--json", str(cut)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["files"]
    assert report["warnings"] == [started_warning("cut.txt", LATTICE, None)]
    assert report["found"] == report["new"] == 1


# --------------------------------------- a copy cut in its first card, or in a last date


def first_cut(name: str) -> tuple[str, str]:
    """The copy cut halfway through its first card's abstract (or summary), and the
    card's title."""
    text = (FORMS / name).read_text(encoding="utf-8")
    first = read(name).records[0]
    body = first.abstract or first.ai_summary or ""
    b = text.index(body[:30], text.index(first.title))
    return text[: b + len(body) // 2], first.title


@pytest.mark.parametrize("name", PAGES)
def test_a_copy_cut_inside_its_first_card_imports_nothing_and_names_it(name: str) -> None:
    # F27: a copy cut inside its only card imported it with half its abstract and no
    # authors, without a word (the last-card check needed a card before it to compare).
    if name == "html-daily-props.html":
        return  # read from the page's JSON before the cards
    # The plain-text forms (and the trending extraction) find a title by its card's
    # "·" + date, which a lone cut card does not have: it was refused as "no Daily
    # Papers listing found", not named; now it is read from its head after the page's.
    cut, title = first_cut(name)
    with pytest.raises(ListingError) as refused:
        parse_listing(cut, name=name, reference=READ_ON)
    assert str(refused.value) == f'{name}: the copy ends inside the card "{title}"; skipped'


def last_date_cut(name: str) -> tuple[str, str] | None:
    """The copy cut right after the first digit of its last card's two-digit day ("Oct 2"
    of "Oct 21"), or None when that day has one digit."""
    text = (FORMS / name).read_text(encoding="utf-8")
    last = read(name).records[-1]
    if not last.published_raw:
        return None
    at = text.rindex(last.published_raw)
    day = last.published_raw.split()[1].rstrip(",")
    if len(day) < 2:
        return None
    return text[: at + len(last.published_raw.split()[0]) + 2], last.title


# The fixtures whose last card's day has two digits (the saved page with its JSON is read
# from the JSON before the cards), decided when the tests are collected: a case that does
# not apply is no test, not a skip. Pinned by the test after them.
TWO_DIGIT_DAY = [name for name in PAGES
                 if name != "html-daily-props.html" and last_date_cut(name) is not None]


def test_the_date_cut_applies_to_the_fixtures_whose_last_day_has_two_digits() -> None:
    assert TWO_DIGIT_DAY == ["html-daily.html", "md-clipper-date-page.md", "md-firecrawl.md",
                             "md-search-highlight.md", "text-daily.txt",
                             "text-urls-export.txt"]
    for name in sorted(set(PAGES) - set(TWO_DIGIT_DAY) - {"html-daily-props.html"}):
        raw = read(name).records[-1].published_raw
        assert not raw or len(raw.split()[1].rstrip(",")) == 1, name


@pytest.mark.parametrize("name", TWO_DIGIT_DAY)
def test_a_copy_cut_inside_its_last_cards_date_names_the_card(name: str) -> None:
    # F27: "Oct 2" of "Oct 21, 2025" at the very end was stored as the 2nd, no warning.
    found = last_date_cut(name)
    assert found is not None
    cut, title = found
    full = read(name)
    listing = parse_listing(cut, name=name, reference=READ_ON)
    assert [r.title for r in listing.records] == [r.title for r in full.records[:-1]]
    assert listing.warnings == [f'{name}: the copy ends inside the card "{title}"; skipped']
