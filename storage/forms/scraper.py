"""Markdown of the page from a scraper (firecrawl-like: every card's parts as inline links
to huggingface.co), read in one pass: one regular expression matches a whole card.

The fast way for the common scraped copy. It reads each card as the general Markdown
reader (storage/forms/markdown.py, then storage/forms/cards.py) does, using the same
functions for the texts, and hands every copy it is not sure of to that reader: reference
links, a cut copy, a heading or a link it cannot place. A test holds the two to the same
records on the fixtures and on cut and mutated copies of them.
"""

from __future__ import annotations

import re
from datetime import date

from storage.forms.base import ParsedListing
from storage.forms.cards import (
    _NOT_HANDLES,
    K_AUTH,
    K_DASH,
    K_DATE,
    K_DOT,
    K_GH,
    K_SUBMIT,
    K_TEXT,
    K_UP,
    K_UPWORD,
    Item,
    _Card,
    _classify,
    _kind,
    _org_name,
    finish,
    paper_id,
)
from storage.forms.markdown import _HEADING, Tokens, _cut_here, _header, _plain, _scan

__all__ = ["scraper_listing"]

_ID = r"[0-9]{4}\.[0-9]{4,5}"
_HF = r"https://huggingface\.co/"
_CARD = re.compile(
    r"^\[(?P<up>-|[0-9]{1,9})\]\(" + _HF + r"login\?next=%2Fpapers%2F" + _ID + r"\)\n\n"
    r"### \[(?P<title>[^\[\]\n\\#]+)\]\(" + _HF + r"papers/(?P<id>" + _ID + r")\)\n\n"
    r"\[(?P<abs>[^\[\]]+)\]\(" + _HF + r"papers/(?P=id)\)\n\n"
    r"(?:\[(?:- !\[\]\([^()\s\[\]]*\)\\\\\n)*- (?P<n>[0-9]{1,6}) authors?\]\(" + _HF
    + r"papers/(?P=id)\)"
    r"|\[!\[[^\[\]\n]*\]\([^()\s\[\]]*\)(?P<org>[^\[\]\n\\]+)\]\(" + _HF
    + r"(?P<handle>[A-Za-z0-9][\w.-]*)\))\n\n"
    r"·\n\n"
    r"(?P<date>[A-Za-z]{3,9} [0-9]{1,2}(?:, [0-9]{4})?)"
    r"(?:\[(?P<c>[0-9]{1,9})\]\(" + _HF + r"papers/(?P=id)#community\))?\n\n",
    re.MULTILINE,
)


def scraper_listing(text: str, *, name: str, reference: date | None,
                    warnings: list[str]) -> ParsedListing | None:
    """The listing, or None when the copy is not the regular shape (read it generally)."""
    first = _CARD.search(text)
    if first is None or "]:" in text:
        return None  # reference definitions change how the whole text is read
    head = _head(text[: first.start()])
    if head is None:
        return None
    items, tokens = head
    cards: list[_Card] = []
    match = first
    pos = first.start()
    while match is not None:
        card = _card(match)
        if card is None:
            return None
        cards.append(card)
        pos = match.end()
        match = _CARD.match(text, pos)
    if not _tail(text[pos:], cards[-1]):
        return None
    return finish(cards, items, name=name, form="markdown", reference=reference,
                  warnings=warnings, capture_date=tokens.capture_date,
                  listing_date=tokens.listing_date)


def _head(head: str) -> tuple[list[Item], Tokens] | None:
    """The page's chrome before the first card, read by the general reader; None if it
    holds anything that could take part in a card."""
    lines = head.split("\n")
    tokens = Tokens([])
    start = _header(lines, tokens)
    if _scan(lines, start, {}, tokens.items, False):
        return None  # cut before the first card
    for it in tokens.items:
        kind = _classify(it)
        # A third-level heading would be a title, a heading linked to a paper could change
        # which level the titles are; counts and "Submitted by" belong to cards.
        if (it.heading == 3 or (it.heading and it.href and paper_id(it.href))
                or kind in (K_UP, K_DASH, K_SUBMIT, K_UPWORD, K_DOT) or "·" in it.text):
            return None
    return tokens.items, tokens


def _card(m: re.Match[str]) -> _Card | None:
    raw = m["title"]
    if "&" in raw:
        return None  # entities: the general reader
    # _plain and _clean_title of a title without backslashes or entities: blanks collapsed.
    title = " ".join(raw.split())
    if not title:
        return None
    card = _Card(title=title, title_at=0, canonical=True)
    card.arxiv_id = m["id"]
    card.hf_link = True
    up = m["up"]
    card.upvotes = 0 if up == "-" else int(up)
    abstract = _abstract(m["abs"])
    if not abstract or "·" in abstract or _kind(abstract)[0] != K_TEXT:
        return None
    card.texts = [abstract]
    if m["n"] is not None:
        card.authors_count = int(m["n"])
    else:
        if m["handle"].lower() in _NOT_HANDLES:
            return None
        org = _plain(m["org"])
        if not org or _kind(org)[0] != K_TEXT or "·" in org:
            return None
        card.organization = _org_name(org)
    card.has_meta_dot = True
    day = m["date"] if m["c"] is None else f'{m["date"]} {m["c"]}'
    kind, found = _kind(day)
    if kind != K_DATE:
        return None
    card.date_raw = found["raw"]  # type: ignore[index]
    if m["c"] is not None:
        card.comments = int(m["c"])
    return card


def _abstract(inner: str) -> str | None:
    """The text of the link around the abstract, as the general reader makes it: lines
    stripped, a line's closing backslashes (a hard break) a space, blanks collapsed."""
    if "&" in inner:
        return None  # entities: the general reader
    if "\n" not in inner:
        if "\\" in inner:
            return None
        return " ".join(inner.split())
    parts = []
    for line in inner.split("\n"):
        s = line.strip()
        if s and ((s[0] == "#" and _HEADING.fullmatch(s)) or _cut_here(s)):
            return None  # a heading or a truncation marker inside: the general reader
        core = s.rstrip("\\")
        if "\\" in core:
            return None  # an escape inside the text: the general reader
        parts.append(core)
    return " ".join(" ".join(parts).split())


def _tail(tail: str, card: _Card) -> bool:
    """After the last card (footer, next-day links): read as the general reader reads what
    follows a card's date; none of it may be a card's or change this one's facts."""
    items: list[Item] = []
    if _scan(tail.split("\n"), 0, {}, items, False):
        return False
    for it in items:
        kind = _classify(it)
        if it.heading == 3 or kind in (K_DOT, K_UPWORD, K_SUBMIT, K_AUTH, K_GH):
            return False
        for _, href in ((it.text, it.href), *it.links):
            if href and ("github.com" in href or "arxiv.org" in href or "next=" in href
                         or "#community" in href or paper_id(href)):
                return False
        if kind in (K_UP, K_DASH) and card.comments is None:
            card.comments = it.value  # type: ignore[assignment]
    return True
