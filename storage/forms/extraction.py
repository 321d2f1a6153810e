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
from storage.forms.onepass import read_cards

__all__ = ["extraction_listing"]

_CARD = re.compile(
    r"\n*### (?P<title>[^\n]+)\n(?:(?P<wrap>[^\n]+)\n)?\n"
    # The text: lines up to the byline, the repository or the blank line closing the card.
    r"(?P<body>[^\n]+(?:\n[^\n]+)*?)\n"
    r"(?:- (?P<n>[0-9]{1,6}) authors?\n)?"
    r"(?:\[(?P<gh>LINK: [^\[\]\n]*)\]\((?P<repo>https?://[^()\s]+)\)\n)?"
    r"(?:\n|\Z)"
)
_FIRST = re.compile(r"^### [^\n\[]+\n(?:[^\n]+\n)?\n[^\n#\[]", re.MULTILINE)


def extraction_listing(text: str, *, name: str, reference: date | None,
                       warnings: list[str]) -> ParsedListing | None:
    """The listing, or None when the copy is not the regular shape (read it generally)."""
    return read_cards(text, _FIRST, _read, name=name, reference=reference,
                      warnings=warnings, dated=False)


def _read(text: str, pos: int, before: _Card | None) -> tuple[_Card | None, int] | None:
    m = _CARD.match(text, pos)
    if m is None:
        return None  # the cards are over; the footer is read as the general reader does
    raw, wrap, body, n, gh, repo = m.groups()
    if wrap is not None:
        # A title wrapped onto a second line: joined, as the general reader's
        # _heading_tail joins a short line between a heading and a blank line.
        rest = wrap.strip()
        if len(rest) >= 120 or _structural(rest) or raw.rstrip().endswith("#"):
            return None, 0
        raw = f"{raw.strip()} {rest}"
    title = _title(raw, None)
    abstract = _paragraph(body, urls=True)
    if title is None or abstract is None:
        return None, 0
    card = _Card(title=title, title_at=0, canonical=True, heading=True)
    card.texts = [abstract]
    if n is not None:
        card.authors_count = int(n)
    # The link must be the repository's and say its stars, or it is text to the general
    # reader (and part of the abstract).
    if gh is not None and not (_read_link(_plain(gh), repo, card, False) and card.github_repo):
        return None, 0
    return card, m.end()
