"""Today's page copied as plain text, read in one pass: one regular expression matches a
whole card at a time (upvotes, "Submitted by" + user, title, abstract, authors or
organisation, ``·``, date and comments), from the first card to the last.

This is the fast way for the common copy; it reads cards exactly as the general reader
(storage/forms/cards.py) does, and hands every text it is not sure of to that reader: a
line it cannot place, a page that is cut, a trending page. A test holds the two to the
same records on every fixture and on cut and mutated copies of them.
"""

from __future__ import annotations

import re
from datetime import date

from storage.forms.base import ParsedListing
from storage.forms.cards import (
    _CHROME,
    K_AUTH,
    K_BLANK,
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
    _clean_title,
    _cut_title,
    _kind,
    _org_name,
    card_head_at_end,
    finish,
)
from storage.forms.markdown import _cut_here

__all__ = ["text_listing"]

_SEP = r"\n(?:[ \t]*\n)*"
# A line as the general reader keeps it: no blank at either end (inner runs of blanks are
# checked per card, see _card).
_L = r"[^\s](?:[^\n]*[^\s])?"
_CARD = re.compile(
    r"^(?:[ \t]*\n)*"
    # The count lines before the title: the last is the card's upvotes, any before it
    # belong to the card before (its comment count).
    r"(?P<gap>(?:(?:-|[0-9]{1,9})" + _SEP + r")*)"
    r"(?P<up>-|[0-9]{1,9})" + _SEP
    + r"(?:Submitted by(?:" + _SEP + r"(?P<user>" + _L + r")|[ \t]+(?P<by>" + _L + r"))"
    + _SEP + r")?"
    r"(?!(?:-|[0-9]{1,9})[ \t]*\n)(?P<title>" + _L + r")" + _SEP
    + r"(?P<body>(?:" + _L + _SEP + r")+?)"
    r"·" + _SEP + r"(?P<date>" + _L + r")[ \t]*(?:\n|\Z)",
    re.MULTILINE,
)
_SEP_RE = re.compile(_SEP)


def _line(s: str) -> str:
    s = s.strip()
    if "  " in s or "\t" in s:
        s = " ".join(s.split())
    return s


def _plain(s: str) -> bool:
    """Not a scraper's "[Content truncated]" line (a cut copy is read generally)."""
    return not (s and s[0] in "cC[" and _cut_here(s))


def text_listing(text: str, *, name: str, reference: date | None,
                 warnings: list[str]) -> ParsedListing | None:
    """The listing, or None when the text is not the regular shape (read it generally)."""
    first = _CARD.search(text)
    if first is None:
        return None
    head = _head_items(text[: first.start()])
    if head is None:
        return None
    cards: list[_Card] = []
    pos = first.start()
    match = first
    while match is not None:
        card = _card(match, cards[-1] if cards else None)
        if card is None:
            return None
        cards.append(card)
        pos = match.end()
        match = _CARD.match(text, pos)
    if not _tail(text[pos:], cards[-1]):
        return None
    return finish(cards, head, name=name, form="text", reference=reference,
                  warnings=warnings, ending=text)


def _head_items(head: str) -> list[Item] | None:
    """The page's chrome before the first card, as items; None if anything in it could be
    part of a card (a count, "Submitted by", a card's meta)."""
    items = []
    for raw in head.split("\n"):
        s = _line(raw)
        if not s:
            continue
        kind, value = _kind(s)
        if kind in (K_UP, K_DASH, K_SUBMIT, K_DOT, K_UPWORD) or "·" in s or not _plain(s):
            return None
        items.append(Item(s, None, 0, (), 0, kind, value))
    return items


def _card(m: re.Match[str], before: _Card | None) -> _Card | None:
    whole = m[0]
    if "  " in whole or "\t" in whole:
        return None  # blanks to collapse: the general reader's business
    title = m["title"]
    kind, _ = _kind(title)
    if (kind != K_TEXT or "·" in title or (len(title) < 20 and title.lower() in _CHROME)
            or not _plain(title)):
        return None
    # A printable title has no blanks but single spaces: nothing to clean but a final "\\".
    clean = title if title.isprintable() and title[-1] != "\\" else _clean_title(title)
    card = _Card(title=clean, title_at=0)
    up = m["up"]
    card.upvotes = 0 if up == "-" else int(up)
    if m["gap"] and not _read_gap(m["gap"], before):
        return None
    if (m["by"] is not None or m["user"] is not None) and not _read_submitter(
            m["by"], m["user"], card):
        return None
    body = m["body"]
    if "·" in body:
        return None  # a card meta of its own: the general reader's business
    lines = [s for s in body.split("\n") if s and s[0] not in " \t"]
    if not _read_body(lines, card):
        return None
    return card if _read_date(m["date"], card) else None


def _read_gap(gap: str, before: _Card | None) -> bool:
    """Counts before the upvotes: the first of them is the card before's comment count,
    unless all are dashes (the general reader skips those as it walks back)."""
    counts = [c for c in gap.split("\n") if c and c[0] not in " \t"]
    if all(c == "-" for c in counts):
        return True
    if before is None:
        return False
    if before.comments is None:
        before.comments = 0 if counts[0] == "-" else int(counts[0])
    return True


def _read_submitter(by: str | None, user: str | None, card: _Card) -> bool:
    if by is not None:
        # "Submitted by akhaliq" on one line; a longer line is text to the general reader.
        card.submitted_by = by
        return len(by) < 80 - 13
    name = user or ""
    kind, _ = _kind(name)
    if (kind != K_TEXT or len(name) >= 64 or name.startswith("![") or "·" in name
            or not _plain(name)):
        return False
    card.submitted_by = name
    return True


def _read_body(lines: list[str], card: _Card) -> bool:
    """Abstract lines, then "N authors" or an organisation's name."""
    texts = []
    for k, s in enumerate(lines):
        kind, value = _kind(s)
        if kind == K_AUTH and k == len(lines) - 1:
            card.authors_count = value  # type: ignore[assignment]
        elif kind == K_TEXT and _plain(s):
            texts.append(s)
        else:
            return False
    if card.authors_count is None and len(texts) >= 2:
        last = texts[-1]
        if len(last) <= 100 and not last.endswith("."):
            card.organization = _org_name(last)
            texts.pop()
    card.texts = texts
    card.has_meta_dot = True
    return True


def _read_date(s: str, card: _Card) -> bool:
    kind, m = _kind(s)
    if kind != K_DATE or s[0] == "·":
        return False
    card.date_raw = m["raw"]  # type: ignore[index]
    n = m["n"]  # type: ignore[index]
    if n is not None:
        card.comments = 0 if n == "-" else int(n)
    return True


def _tail(tail: str, card: _Card) -> bool:
    """After the last card: the footer, read as the general reader reads what follows a
    card's date; None of it may look like another card (a card the copy ends inside is
    the general reader's to name)."""
    items = []
    for raw in tail.split("\n"):
        s = _line(raw)
        if not s:
            continue
        kind, value = _kind(s)
        items.append(Item(s, None, 0, (), 0, kind, value))
        # "N authors" after the date would still set the card's authors and so undo its
        # organisation (the general reader reads the whole card first): not taken.
        if kind in (K_DOT, K_UPWORD, K_SUBMIT, K_AUTH) or "·" in s or not _plain(s):
            return False
        if kind in (K_UP, K_DASH):
            if card.comments is None:
                card.comments = value  # type: ignore[assignment]
        elif kind == K_GH:
            card.github_stars = value  # type: ignore[assignment]
        elif kind not in (K_TEXT, K_DATE, K_BLANK):
            return False
    return _cut_title(items, 0) is None and card_head_at_end(items) is None
