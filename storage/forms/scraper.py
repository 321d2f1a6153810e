"""Markdown of the page from a scraper (firecrawl-like: every card's parts as inline links
to huggingface.co), read in one pass: card after card, two regular expressions around
a search for the abstract's end.

The fast way for the common scraped copy. It reads each card as the general Markdown
reader (storage/forms/markdown.py, then storage/forms/cards.py) does, using the same
functions for the texts, and hands every copy it is not sure of to that reader: reference
links, a cut copy, a heading or a link it cannot place. A test holds the two to the same
records on the fixtures and on cut and mutated copies of them. The loop, the page's head
and its footer are storage/forms/onepass.py's, shared with the other one-pass readers.
"""

from __future__ import annotations

import re
from datetime import date

from storage.forms.base import ParsedListing
from storage.forms.cards import _NOT_HANDLES, K_TEXT, _Card, _kind, _org_name
from storage.forms.markdown import _plain
from storage.forms.onepass import Probe, abstract_text, dated, inline_text, read_cards

__all__ = ["scraper_listing"]

_ID = r"[0-9]{4}\.[0-9]{4,5}"
_HF = r"https://huggingface\.co/"
# From the upvote count to the abstract's opening bracket.
_HEAD = re.compile(
    r"\[(?P<up>-|[0-9]{1,9})\]\(" + _HF + r"login\?next=%2Fpapers%2F" + _ID + r"\)\n\n"
    r"### \[(?P<title>[^\[\]\n]+)\]\(" + _HF + r"papers/(?P<id>" + _ID + r")\)\n\n\["
)
_FIRST = re.compile(r"^\[(?:-|[0-9]{1,9})\]\(" + _HF + r"login\?next=%2Fpapers%2F",
                    re.MULTILINE)
# After the abstract's link: the authors (avatar rows, "N authors") or the organisation,
# "·", the date and the comment count.
_TAIL = re.compile(
    r"(?:\[(?:- !\[\]\([^()\s\[\]]*\)\\\\\n)*- (?P<n>[0-9]{1,6}) authors?\]\(" + _HF
    + r"papers/(?P<id>" + _ID + r")\)"
    r"|\[!\[[^\[\]\n]*\]\([^()\s\[\]]*\)(?P<org>[^\[\]\n\\]+)\]\(" + _HF
    + r"(?P<handle>[A-Za-z0-9][\w.-]*)\))\n\n"
    r"·\n\n"
    r"(?P<date>[A-Za-z]{3,9} [0-9]{1,2}(?:, [0-9]{4})?)"
    r"(?:\[(?P<c>[0-9]{1,9})\]\(" + _HF + r"papers/(?P<cid>" + _ID + r")#community\))?\n\n"
)
# An abstract longer than this is no card's.
_ABSTRACT_MAX = 64 * 1024


def scraper_listing(text: str, *, name: str, reference: date | None,
                    warnings: list[str], probe: Probe | None = None) -> ParsedListing | None:
    """The listing, or None when the copy is not the regular shape (read it generally)."""
    return read_cards(text, _FIRST, _read, name=name, reference=reference, warnings=warnings,
                      probe=probe)


def _read(text: str, pos: int, before: _Card | None) -> tuple[_Card | None, int] | None:
    head = _HEAD.match(text, pos)
    if head is None:
        return None  # the cards are over; the footer is read as the general reader does
    up, raw, pid = head.groups()
    # The abstract is the link's text up to the link to the same paper: found at C speed
    # rather than matched character by character.
    start = head.end()
    close = f"](https://huggingface.co/papers/{pid})\n\n"
    end = text.find(close, start, start + _ABSTRACT_MAX)
    tail = _TAIL.match(text, end + len(close)) if end >= 0 else None
    if tail is None:
        return None, 0
    n, tid, org_raw, handle, day, comments, cid = tail.groups()
    if (tid or pid) != pid or (cid or pid) != pid or raw.endswith("\\"):
        return None, 0  # another paper's link; "\\]", an escaped bracket
    title = inline_text(raw)
    abstract = abstract_text(text[start:end])
    if (not title or not abstract or "·" in abstract
            or (len(abstract) < 80 and _kind(abstract)[0] != K_TEXT)):
        return None, 0
    # _clean_title of a text whose blanks inline_text collapsed already.
    card = _Card(title=title.rstrip("\\").strip(), title_at=0, canonical=True, heading=True)
    card.arxiv_id = pid
    card.hf_link = True
    card.upvotes = 0 if up == "-" else int(up)
    card.texts = [abstract]
    if n is not None:
        card.authors_count = int(n)
    else:
        org = _plain(org_raw)
        if (handle.lower() in _NOT_HANDLES or not org or _kind(org)[0] != K_TEXT
                or "·" in org):
            return None, 0
        card.organization = _org_name(org)
    if not dated(card, day if comments is None else f"{day} {comments}", comments):
        return None, 0
    return card, tail.end()
