"""What the tests of the one-pass readers share: the general reader's result on a text,
a one-pass reader's, and texts cut and mutated to tell them apart.

A one-pass reader (storage/forms/text.py, scraper.py, refs.py, clipper.py, urls.py) takes
a text of its shape or declines it; whatever it takes, it must read exactly as the general
reader (storage/forms/markdown.py or plain_items, then cards.py) does.
"""

from __future__ import annotations

from collections.abc import Callable

from storage.forms.base import ParsedListing
from storage.forms.cards import assemble
from storage.forms.markdown import markdown_items
from tests.storage.forms.helpers import READ_ON, edited, outcome

__all__ = ["READ_ON", "edited", "fast", "general"]

Reader = Callable[..., ParsedListing | None]


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
