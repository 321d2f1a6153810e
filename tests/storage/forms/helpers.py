"""Helpers for the form tests: the fixture pages, what a card on the page says about a
catalogue paper, and the comparisons (shared by test_cards and the per-module files)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from storage.listing import Listing, parse_listing
from storage.records import ListingError
from tests.fixtures.forms.catalogue import Paper

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
# The day the copies are read (their files' time): after every page in the fixtures.
READ_ON = date(2026, 11, 30)


# A whole copy that ends with its last card's date cannot be told from one cut there (the
# date may have gone on with its year, the card with its comment count): the card is kept
# and named.
ENDS_AT_DATE = {
    "md-search-highlight.md": (
        'md-search-highlight.md: the copy ends with the date of "Weather-Aware Neural Fields '
        'for City-Scale Novel View Synthesis" (Jul 15): if it was cut there, its year or '
        "comment count is missing"),
}


def whole_warnings(name: str) -> list[str]:
    """What reading a whole fixture warns of: nothing, but for a copy that ends at a date."""
    return [ENDS_AT_DATE[name]] if name in ENDS_AT_DATE else []


def read(name: str) -> Listing:
    path = FORMS / name
    return parse_listing(path.read_text(encoding="utf-8"), name=name, reference=READ_ON)


def page_facts(p: Paper, *, source_for_yearless: str, ids: bool = True,
               comments: bool = True, submitted: bool = False) -> dict[str, Any]:
    """What a card on the page says about a paper (no author names, no keywords)."""
    yearless = p.date.startswith("2026")
    return {
        "title": p.title,
        "abstract": p.abstract,
        "arxiv_id": p.arxiv_id if ids else None,
        "url": f"https://huggingface.co/papers/{p.arxiv_id}" if ids else None,
        "upvotes": p.upvotes,
        "comments": (p.comments or None) if comments else None,
        "authors_count": None if p.organization else len(p.authors),
        "organization": p.organization,
        "published": p.date,
        "year_inferred": yearless,
        "date_source": source_for_yearless if yearless else "card",
        "submitted_by": p.submitted_by if submitted else None,
        "ai_summary": None,
        "github_repo": None,
        "github_stars": None,
        "authors": (),
        "ai_keywords": (),
        "project_page": None,
    }


def assert_cards(listing: Listing, expected: list[dict[str, Any]]) -> None:
    assert [r.title for r in listing.records] == [e["title"] for e in expected]
    for record, want in zip(listing.records, expected, strict=True):
        got = {key: getattr(record, key) for key in want}
        assert got == want, record.title
    assert [r.position for r in listing.records] == list(range(1, len(expected) + 1))


def api_facts(p: Paper) -> dict[str, Any]:
    return {
        "title": p.title,
        "abstract": p.abstract,
        "arxiv_id": p.arxiv_id,
        "url": f"https://huggingface.co/papers/{p.arxiv_id}",
        "upvotes": p.upvotes,
        "comments": p.comments,
        "authors_count": len(p.authors),
        "authors": p.authors,
        "organization": p.organization,
        "published": p.date,
        "year_inferred": False,
        "date_source": "card",
        "submitted_by": p.submitted_by,
        "ai_summary": p.ai_summary,
        "ai_keywords": p.ai_keywords,
        "github_repo": p.github_repo,
        "github_stars": p.github_stars,
        "project_page": p.project_page,
    }


def edited(text: str, edits: list[tuple[int, float, str]], cut: float) -> str:
    """The text with lines deleted, inserted, doubled or replaced, then cut."""
    lines = text.split("\n")
    for op, where, piece in edits:
        if not lines:
            lines = [""]
        i = min(int(where * len(lines)), len(lines) - 1)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, piece)
        elif op == 2:
            lines.insert(i, lines[i])
        else:
            lines[i] = piece
    text = "\n".join(lines)
    return text[: max(1, int(len(text) * cut))]


def outcome(run: object) -> tuple[object, ...]:
    try:
        listing = run()  # type: ignore[operator]
    except ListingError as error:
        return ("refused", str(error))
    if listing is None:
        return ("not taken",)
    return ("read", listing.records, listing.warnings, listing.listing_date,
            listing.listing_date_raw)
