"""A text extractor's Markdown of the trending page (bare ``###`` titles, every card twice,
no dates or upvotes, ``- N authors`` for a card without an organisation, the repository as
``[LINK: GitHub 11.3k](...)``), read in one pass: one regular expression a card.

One card of such a copy (it comes twice)::

    ### Agent Lightning: Train ANY AI Agents with Reinforcement Learning

    Agent Lightning is a flexible RL framework for training LLMs in various agents, ...
    - 8 authors
    [LINK: GitHub 11.3k](https://github.com/microsoft/agent-lightning)

The texts are read with the general reader's own functions (storage/forms/markdown.py,
cards.py); a copy it is not sure of goes to that reader whole, and its test holds the two to
the same records on the fixture and on cut and mutated copies of it.
"""

from __future__ import annotations

import re
from datetime import date

from storage.forms.base import ParsedListing
from storage.forms.cards import _Card, _read_link
from storage.forms.clipper import _paragraph, _title
from storage.forms.markdown import _plain, _structural
from storage.forms.onepass import Probe, Read, read_cards
from storage.records import ListingError

__all__ = ["extraction_listing"]

_CARD = re.compile(
    r"\n*(### (?P<title>[^\n]+)\n(?:(?P<wrap>[^\n]+)\n)?\n"
    # The text: lines up to the byline, the repository or the blank line closing the card.
    r"(?P<body>[^\n]+(?:\n[^\n]+)*?)\n"
    r"(?:- (?P<n>[0-9]{1,6}) authors?\n)?"
    r"(?:\[(?P<gh>LINK: [^\[\]\n]*)\]\((?P<repo>https?://[^()\s]+)\)\n)?)"
    r"(?:\n|\Z)"
    # The card's second copy, the same to the character: compared by backreference.
    r"(?P<twice>\1(?:\n|\Z))?"
)
_FIRST = re.compile(r"^### [^\n\[]+\n(?:[^\n]+\n)?\n[^\n#\[]", re.MULTILINE)


def extraction_listing(text: str, *, name: str, reference: date | None,
                       warnings: list[str], probe: Probe | None = None) -> ParsedListing | None:
    """The listing, or None when the copy is not the regular shape (read it generally).

    A card's second copy, the same to the character, is left out: the general reader
    would merge the same record into the first. That is exact when every card read makes
    a record of its own (then no count of cards that are records, nor which card is
    whole, comes out otherwise); when one does not, the copy is read again with every
    second copy in, as the general reader has it."""
    read: list[int] = [0]
    said: list[str] = []
    try:
        listing = read_cards(text, _FIRST, _reader(read, twice=True), name=name,
                             reference=reference, warnings=said, dated=False, probe=probe)
    except ListingError:
        listing = None
    if listing is not None and not said and len(listing.records) == read[0]:
        listing.warnings = warnings
        return listing
    return read_cards(text, _FIRST, _reader(read, twice=False), name=name,
                      reference=reference, warnings=warnings, dated=False, probe=probe)


def _reader(read: list[int], *, twice: bool) -> Read:
    """The card reader; ``twice``: a second copy matched with its card is left out (else
    it is a card again). ``read`` counts the cards it hands out."""
    read[0] = 0

    def step(text: str, pos: int, before: _Card | None) -> tuple[_Card | None, int] | None:
        m = _CARD.match(text, pos)
        if m is None:
            return None  # the cards are over; the footer is read as the general reader does
        card = _card(m)
        read[0] += 1
        if m["twice"] is None or twice:
            return card, m.end()
        return card, m.start("twice")  # the second copy is read again, as a card

    return step


def _card(m: re.Match[str]) -> _Card | None:
    raw, wrap, body, n, gh, repo = m.group("title", "wrap", "body", "n", "gh", "repo")
    if wrap is not None:
        # A title wrapped onto a second line: joined, as the general reader's
        # _heading_tail joins a short line between a heading and a blank line.
        rest = wrap.strip()
        if len(rest) >= 120 or _structural(rest) or raw.rstrip().endswith("#"):
            return None
        raw = f"{raw.strip()} {rest}"
    title = _title(raw, None)
    abstract = _paragraph(body, urls=True)
    if title is None or abstract is None:
        return None
    card = _Card(title=title, title_at=0, canonical=True, heading=True)
    card.texts = [abstract]
    if n is not None:
        card.authors_count = int(n)
    # The link must be the repository's and say its stars, or it is text to the general
    # reader (and part of the abstract).
    if gh is not None and not (_read_link(_plain(gh), repo, card, False) and card.github_repo):
        return None
    return card
