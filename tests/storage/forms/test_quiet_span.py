"""The search for glued copies leaves out the cards a one-pass reader matched, when none of
them can hold what begins a copy (storage/forms/onepass.py Probe, copies.py Quiet): the
text reads exactly as when the whole of it is searched, first split, then each copy read."""

from __future__ import annotations

import pytest

from bench.parse_forms import FORMS, papers
from storage import forms
from storage.forms.copies import split_copies
from storage.listing import parse_listing
from storage.records import ListingError
from tests.storage.forms.helpers import FORMS as FIXTURES
from tests.storage.forms.helpers import READ_ON

TRENDING = ("md-trending.md", "md-trending-clipped.md")


def _split_first(text: str, name: str) -> object:
    """The order before: the whole text searched for copies, then read."""
    warnings: list[str] = []
    try:
        listing = forms._parse_copies(text, "markdown", name=name, reference=READ_ON,
                                      warnings=warnings)
        if listing is None:
            listing = forms.parse_form(text, "markdown", name=name, reference=READ_ON,
                                       warnings=warnings)
    except ListingError as refused:
        return ("refused", str(refused))
    return (listing.records, warnings)


def _read(text: str, name: str) -> object:
    try:
        listing = parse_listing(text, name=name, reference=READ_ON)
    except ListingError as refused:
        return ("refused", str(refused))
    assert listing.form == "markdown"
    return (listing.records, listing.warnings)


def _probe(text: str) -> forms.Probe:
    probe = forms.Probe()
    listing, _ = forms._one_pass(text, "markdown", name="x", reference=READ_ON, warnings=[],
                                 probe=probe)
    assert listing is not None, "the trending reader read the copy"
    return probe


def _pages() -> dict[str, str]:
    pages = {name: (FIXTURES / name).read_text(encoding="utf-8") for name in TRENDING}
    listed = papers(300)
    for label in ("markdown (trending, cards twice)", "markdown (trending, clipper's shape)"):
        pages[f"bench: {label}"] = FORMS[label](listed)
    return pages


PAGES = _pages()


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_trending_page_is_quiet_and_its_span_leaves_out_nothing(name: str) -> None:
    text = PAGES[name]
    probe = _probe(text)
    assert probe.text is text and probe.span is not None
    start, end = probe.span
    assert start == 0 or text[start - 1] == "\n"
    # The span is the cards: the page's head and footer stay searched.
    assert text.count('<a id="source-section-', start, end) >= 10
    assert split_copies(text, quiet=probe.span) == split_copies(text)
    assert _read(text, name) == _split_first(text, name)


def _summary_line(text: str) -> int:
    """Where the line of a card's text (its summary) in the middle of the page begins."""
    at = text.index("\n### [", len(text) // 2)
    at = text.index("\n\n", at + 1)
    while text[at] == "\n":
        at += 1
    return at


# What a card's text may quote, inside its lines (a line that begins with "<" or "-" is no
# text the trending reader takes: the general reader reads such a copy): a saved page's
# doctype (which begins a copy wherever it stands), a tag, a line that ends in "---" over
# a "key: value" line (front matter's first line).
MARKS = {
    "doctype": "A page saved whole begins <!DOCTYPE html> and the summary goes on after it.",
    "html tag": "The summary quotes <html> in its text and goes on at some length after it.",
    "less-than": "The error falls below 3 <5 of the baseline, and the summary goes on here.",
    "front matter": "The summary ends its first line with ---\ntitle: and a second line "
                    "that reads as a key.",
}


@pytest.mark.parametrize("mark", sorted(MARKS))
@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_card_that_quotes_a_copys_start_gets_the_whole_search(name: str, mark: str) -> None:
    text = PAGES[name]
    at = _summary_line(text)
    quoted = text[:at] + MARKS[mark] + "\n" + text[at:]
    probe = forms.Probe()
    listing, _ = forms._one_pass(quoted, "markdown", name=name, reference=READ_ON,
                                 warnings=[], probe=probe)
    assert listing is not None, "the trending reader read the copy"
    assert probe.span is None, "a card holding a copy's start is not quiet"
    assert _read(quoted, name) == _split_first(quoted, name)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_copy_glued_after_the_cards_is_found(name: str) -> None:
    text = PAGES[name]
    other = (FIXTURES / "md-clipper-date-page.md").read_text(encoding="utf-8")
    glued = text.rstrip("\n") + "\n\n" + other
    assert len(split_copies(glued)) == 2
    got = _read(glued, name)
    assert got == _split_first(glued, name)
    alone = {r.title for r in parse_listing(text, name=name, reference=READ_ON).records}
    clipped = {r.title for r in parse_listing(other, name="o", reference=READ_ON).records}
    assert {r.title for r in got[0]} == alone | clipped  # type: ignore[index]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_less_than_sign_outside_a_summary_is_the_general_readers(name: str) -> None:
    """A "<" stands in a trending card only in its anchor's tags and its summary for the
    one-pass reader (so the summaries are all that must be looked at); a title or an alt
    text with one is read by the general reader, to the same records."""
    text = PAGES[name]
    at = text.index("### [", len(text) // 2) + len("### [")
    quoted = text[:at] + "<html> " + text[at:]
    assert forms._one_pass(quoted, "markdown", name=name, reference=READ_ON,
                           warnings=[])[0] is None
    assert _read(quoted, name) == _split_first(quoted, name)
