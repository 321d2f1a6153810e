"""What the tests of the one-pass readers share: the general reader's result on a text,
a one-pass reader's, and texts cut and mutated to tell them apart.

A one-pass reader (storage/forms/text.py, scraper.py, refs.py, clipper.py, urls.py) takes
a text of its shape or declines it; whatever it takes, it must read exactly as the general
reader (storage/forms/markdown.py or plain_items, then cards.py) does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from storage.forms.base import ParsedListing
from storage.forms.cards import assemble
from storage.forms.markdown import markdown_items
from storage.records import ListingError

READ_ON = date(2026, 11, 30)

Reader = Callable[..., ParsedListing | None]


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


def outcome(run: Callable[[], ParsedListing | None]) -> tuple[object, ...]:
    try:
        listing = run()
    except ListingError as error:
        return ("refused", str(error))
    if listing is None:
        return ("not taken",)
    return ("read", listing.records, listing.warnings, listing.listing_date,
            listing.listing_date_raw, listing.capture_date)


def general(text: str, *, form: str = "markdown") -> tuple[object, ...]:
    """The general Markdown reader (``form="text-urls"``: with each link's URL on the
    line after its text)."""
    def run() -> ParsedListing:
        tokens = markdown_items(text, url_lines=form == "text-urls")
        return assemble(tokens.items, name="t.md", form=form, reference=READ_ON,
                        capture_date=tokens.capture_date, listing_date=tokens.listing_date,
                        truncated=tokens.truncated, warnings=[])
    return outcome(run)


def fast(reader: Reader, text: str) -> tuple[object, ...]:
    return outcome(lambda: reader(text, name="t.md", reference=READ_ON, warnings=[]))
