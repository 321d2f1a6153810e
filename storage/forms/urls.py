"""A reader app's text export of the page (each link's text, then its URL on a line of its
own), read in one pass: card after card, two regular expressions around the abstract.

One card of such an export::

     [-] 101

    https://huggingface.co/login?next=%2Fpapers%2F2606.00683

    Lattice-KV: Compressing the Key-Value Cache

    https://huggingface.co/papers/2606.00683

    Serving long-context language models is bounded by the memory of the cache. ...

    https://huggingface.co/papers/2606.00683

    [

    4 authors](https://huggingface.co/papers/2606.00683)

    ·

    Oct 1, 2026

(an organisation is its name, then its page's URL, after an empty link to the paper; a
comment count and its ``#community`` URL may follow the date). The texts are read with the
general reader's own functions (storage/forms/markdown.py, cards.py); an export it is not
sure of goes to that reader whole, and its test holds the two to the same records on the
fixture and on cut and mutated copies of it.
"""

from __future__ import annotations

import re
from datetime import date

from storage.forms.base import ParsedListing
from storage.forms.cards import (
    _CHROME,
    _NOT_HANDLES,
    K_TEXT,
    _Card,
    _clean_title,
    _kind,
    _org_name,
)
from storage.forms.clipper import _paragraph
from storage.forms.onepass import Probe, dated, read_cards

__all__ = ["urls_listing"]

_ID = r"[0-9]{4}\.[0-9]{4,5}"
_PAPER = r"https://huggingface\.co/papers/"
# From the upvote count to the blank line after the title's URL.
_HEAD = re.compile(
    r"\n*[ \t]*\[-\][ \t]*(?P<up>-|[0-9]{1,9})[ \t]*\n\n"
    r"https://huggingface\.co/login\?next=%2Fpapers%2F(?P<id>" + _ID + r")\n\n"
    r"(?P<title>[^\n]+)\n\n"
    + _PAPER + r"(?P<id2>" + _ID + r")\n\n"
)
_FIRST = re.compile(r"^[ \t]*\[-\][ \t]*(?:-|[0-9]{1,9})[ \t]*\n\n"
                    r"https://huggingface\.co/login\?next=%2Fpapers%2F", re.MULTILINE)
# From the blank line after the abstract to the end of the date (and comment count).
_TAIL = re.compile(
    r"\n\n" + _PAPER + r"(?P<id3>" + _ID + r")\n\n"
    r"(?:\[\n\n(?P<n>[0-9]{1,6}) authors?\]\(" + _PAPER + r"(?P<id4>" + _ID + r")\)"
    r"|[ \t]*\n\n" + _PAPER + r"(?P<id5>" + _ID + r")\n\n"
    r"[ \t]*(?P<org>[^\n]+)\n\nhttps://huggingface\.co/(?P<handle>[A-Za-z0-9][\w.-]*))\n\n"
    r"·\n\n"
    r"(?P<date>[A-Za-z]{3,9} [0-9]{1,2}(?:, [0-9]{4})?)[ \t]*(?:\n\n|\n?\Z)"
    r"(?:(?P<c>[0-9]{1,9})\n\n" + _PAPER + r"(?P<id6>" + _ID + r")#community(?:\n\n|\n?\Z))?"
)


def urls_listing(text: str, *, name: str, reference: date | None,
                 warnings: list[str], probe: Probe | None = None) -> ParsedListing | None:
    """The listing, or None when the export is not the regular shape (read it generally)."""
    return read_cards(text, _FIRST, _read, name=name, reference=reference,
                      warnings=warnings, form="text-urls", probe=probe)


def _read(text: str, pos: int, before: _Card | None) -> tuple[_Card | None, int] | None:
    head = _HEAD.match(text, pos)
    if head is None:
        return None  # the cards are over; the footer is read as the general reader does
    start = head.end()
    end = text.find("\n\n", start)
    tail = _TAIL.match(text, end) if end > start else None
    if tail is None:
        return None, 0
    up, pid, raw, id2 = head.groups()
    _, n, id4, id5, org_raw, handle, day, comments, id6 = tail.groups()
    if {id2, tail["id3"], id4 or id5, id6 or pid} != {pid}:
        return None, 0  # links to another paper: the general reader
    title = _title(raw)
    abstract = _paragraph(text[start:end])
    if title is None or abstract is None:
        return None, 0
    card = _Card(title=title, title_at=0, canonical=True)
    card.arxiv_id = pid
    card.hf_link = True
    card.upvotes = 0 if up == "-" else int(up)
    card.texts = [abstract]
    if n is not None:
        card.authors_count = int(n)
    else:
        org = _paragraph(org_raw)
        if org is None or handle.lower() in _NOT_HANDLES or _kind(org)[0] != K_TEXT:
            return None, 0
        card.organization = _org_name(org)
    if not dated(card, day, comments):
        return None, 0
    return card, tail.end()


def _title(raw: str) -> str | None:
    """The title line as the general reader reads it: a paragraph of one line."""
    text = _paragraph(raw)
    if text is None or (len(text) < 24 and text.lower() in _CHROME):
        return None
    return _clean_title(text)
