"""The loop every one-pass Markdown reader shares: one regular expression matches a whole
card, card after card, from the first to the last; what comes before the first card and
after the last is read by the general reader's own tokenizer.

A reader (storage/forms/scraper.py, refs.py, trending.py) gives the card expression and
the function that turns a match into a card; either may refuse (None), and then the whole
text goes to the general reader (storage/forms/markdown.py and cards.py). So a one-pass
reader can only be faster than the general one, never different: its tests hold the two
to the same records on the fixtures and on cut and mutated copies of them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from storage.forms.base import ParsedListing
from storage.forms.cards import (
    K_AUTH,
    K_BLANK,
    K_DASH,
    K_DATE,
    K_DOT,
    K_GH,
    K_SUBMIT,
    K_UP,
    K_UPWORD,
    Item,
    _Card,
    _classify,
    _cut_title,
    _kind,
    card_head_at_end,
    finish,
    paper_id,
    upvotes_only,
)
from storage.forms.markdown import _HEADING, Tokens, _cut_here, _header, _inline, _scan

__all__ = ["FIRST_CARD_WITHIN", "Probe", "Read", "abstract_text", "by_pattern", "collapse",
           "dated", "inline_text", "read_cards"]

# The first card starts within this much of the text, or the text is not of the shape
# (a search over a whole page of another shape would cost as much as reading it).
FIRST_CARD_WITHIN = 256 * 1024

# A shape's card reader: given the text and where a card may start (and the card before),
# None when no card starts there (the cards are over), (None, 0) when one does but the
# reader is not sure of it (the general reader takes the whole text), else the card and
# where it ends.
Read = Callable[[str, int, "_Card | None"], "tuple[_Card | None, int] | None"]


@dataclass(slots=True)
class Probe:
    """What a one-pass reader tells of the text it read, for the search for glued copies
    (storage/forms/copies.py): ``span``, from the line the first card starts on to the
    last card's end, when no card in it holds what could begin another copy (front
    matter, a saved page's tag), so that search can leave the span out; else None.
    ``text``: the text the span is of (a reader may read a copy unwrapped first)."""

    text: str | None = None
    span: tuple[int, int] | None = None


# A shape's reader may say whether the cards it read, from ``start`` to ``end`` of the
# text, are quiet: no free text of theirs holds "<" or a line "---" (see Probe).
Quiet = Callable[[str, int, int], bool]


def read_cards(text: str, first: re.Pattern[str], read: Read, *, name: str,
               reference: date | None, warnings: list[str], form: str = "markdown",
               trending: bool | None = None, dated: bool = True,
               head_dashes: bool = False, definitions_around: bool = False,
               probe: Probe | None = None, quiet: Quiet | None = None,
               paired: Callable[[], tuple[bool, bool]] | None = None
               ) -> ParsedListing | None:
    """The listing, or None when the text is not wholly of the reader's shape. ``first``
    finds where the first card starts; ``form`` is "markdown" or "text-urls" (a text
    export: each link's URL on the line after its text). ``dated``: the cards end with
    their date, after which the general reader reads no text into a card; without it
    (a trending extraction) nothing may follow the last card but blank lines.
    ``head_dashes``: the head may hold lone "-" lines (the trending page's empty tabs) as
    long as one is not the last thing before the first card, where it would be its count.
    ``definitions_around``: no reference definition fits in the reader's cards, so only
    the head and the footer are searched for one. ``probe``: told the span of the cards
    when ``quiet`` says they hold no sign of another copy. ``paired``: for a reader that
    reads a card's two copies as one (a trending page's), whether the first card was and
    whether the cards come twice (see cards.finish).

    A reader that hands back the card before it again has read a second copy of that
    card which adds nothing to it: the loop goes on after it."""
    found = first.search(text, 0, FIRST_CARD_WITHIN)
    if found is None:
        return None
    # Reference definitions change how the whole text is read. A reader whose cards can
    # hold none (no "]:" fits its card expressions) has them looked for around its cards.
    if not definitions_around and "]:" in text:
        return None
    url_lines = form == "text-urls"
    head = _head(text[: found.start()], url_lines, head_dashes)
    if head is None:
        return None
    items, tokens = head
    cards: list[_Card] = []
    pos = found.start()
    before: _Card | None = None
    while (step := read(text, pos, before)) is not None:
        card, pos = step
        if card is None:
            return None
        if card is not before:
            cards.append(card)
            before = card
    if not cards or not _tail(text[pos:], cards[-1], url_lines, dated):
        return None
    if definitions_around and ("]:" in text[: found.start()] or "]:" in text[pos:]):
        return None
    if probe is not None:
        start = text.rfind("\n", 0, found.start()) + 1
        probe.text = text
        probe.span = (start, pos) if quiet is not None and quiet(text, start, pos) else None
    return finish(cards, items, name=name, form=form, reference=reference,
                  warnings=warnings, capture_date=tokens.capture_date,
                  listing_date=tokens.listing_date, trending=trending,
                  ending=text, paired=None if paired is None else paired())


def by_pattern(card: re.Pattern[str],
               make: Callable[[re.Match[str], _Card | None], _Card | None]) -> Read:
    """A reader for a shape whose whole card one regular expression matches."""
    def read(text: str, pos: int, before: _Card | None) -> tuple[_Card | None, int] | None:
        m = card.match(text, pos)
        if m is None:
            return None
        return make(m, before), m.end()
    return read


def dated(card: _Card, date_line: str, comments: str | None) -> bool:
    """The end of a card in every shape: its `·` meta, the date read as the general
    reader reads `date_line`, and the comment count. False when it is no date (the
    general reader takes the text)."""
    kind, found = _kind(date_line)
    if kind != K_DATE:
        return False
    card.has_meta_dot = True
    card.date_raw = found["raw"]  # type: ignore[index]
    if comments is not None:
        card.comments = int(comments)
    return True


def _head(head: str, url_lines: bool, dashes: bool = False
          ) -> tuple[list[Item], Tokens] | None:
    """The page's chrome before the first card, read by the general reader; None if it
    holds anything that could take part in a card (``dashes``: lone "-" lines may be in
    it, but not last, where the general reader would take one for the first card's
    count)."""
    lines = head.split("\n")
    tokens = Tokens([])
    start = _header(lines, tokens)
    # A line of the general reader's own to end the head with: read as an item of its own
    # unless a link's text is still open there (a "[" whose "]" never came), which the
    # general reader would run on into the first card.
    lines.append(_END)
    if _scan(lines, start, {}, tokens.items, url_lines):
        return None  # cut before the first card
    if not tokens.items or tokens.items.pop().text != _END:
        return None
    last = K_BLANK
    for it in tokens.items:
        kind = _classify(it)
        # A third-level heading would be a title, a text linked to a paper could be one
        # (or change which level the titles are); counts and "Submitted by" belong to cards.
        if (it.heading == 3 or (it.href and paper_id(it.href))
                or kind in (K_UP, K_SUBMIT, K_UPWORD, K_DOT) or "·" in it.text
                or (kind == K_DASH and not dashes)):
            return None
        if kind != K_BLANK:
            last = kind
    if last == K_DASH:
        return None
    return tokens.items, tokens


_END = "[\x01]"


def _tail(tail: str, card: _Card, url_lines: bool, dated: bool = True) -> bool:
    """After the last card (footer, next-day links): read as the general reader reads what
    follows a card's date; none of it may be a card's or change this one's facts."""
    items: list[Item] = []
    if _scan(tail.split("\n"), 0, {}, items, url_lines):
        return False
    if items and not dated:
        return False  # read into the last card by the general reader
    for it in items:
        _classify(it)
    # Titles from links (a text export): the general reader looks for a card the copy
    # ends inside after the last card's meta, its comment count included.
    lead = [Item("", kind=K_UP, value=card.comments)] if card.comments is not None else []
    if url_lines and _cut_title([*lead, *items], 0) is not None:
        return False
    if card_head_at_end(items) is not None:
        return False  # a card cut before its title: the general reader says so
    for it in items:
        kind = it.kind
        if it.heading == 3 or kind in (K_DOT, K_UPWORD, K_SUBMIT, K_AUTH, K_GH):
            return False
        for _, href in ((it.text, it.href), *it.links):
            if href and ("github.com" in href or "arxiv.org" in href or "next=" in href
                         or "#community" in href or paper_id(href)):
                return False
        if kind in (K_UP, K_DASH) and card.comments is None:
            if upvotes_only(it):
                return False  # the next card's count: the general reader says so
            card.comments = it.value  # type: ignore[assignment]
    return True


def abstract_text(inner: str) -> str | None:
    """A link's text (over several lines, say) as the general reader makes it: a line's
    closing backslashes a space, escapes and entities read, blanks collapsed; None when a
    line would end the link there (a heading, a truncation marker) or a bracket is in it
    (the general reader's business)."""
    if "[" in inner or "]" in inner:
        return None
    if ("truncated" in inner.lower() or ("\n" in inner and (
            "#" in inner or inner.count("\n") > _MAX_LINK_LINES))) and not _one_link(inner):
        return None
    return inline_text(inner)


def inline_text(s: str) -> str | None:
    """What the general reader's _inline makes of a text; None when a link is in it."""
    if "[" in s or "]" in s or "\\" in s:
        text, href, links = _inline(s, {})
        return None if href is not None or links else text
    if "&" in s:
        s = html.unescape(s)
    return collapse(s)


# A link's text over more lines than this is cut there by the general reader.
_MAX_LINK_LINES = 390


def _one_link(inner: str) -> bool:
    """No line of the text ends the link there, as a heading or a truncation marker does
    in the general reader's _link_group."""
    lines = inner.split("\n")
    if len(lines) > _MAX_LINK_LINES:
        return False
    # The first line follows the link's "[": "[Content truncated" is the marker too.
    if _cut_here("[" + lines[0].strip()):
        return False
    for line in lines:
        s = line.strip()
        if s and ((s[0] == "#" and _HEADING.fullmatch(s)) or _cut_here(s)):
            return False
    return True


def collapse(text: str) -> str:
    """Blanks collapsed to single spaces, none at the ends: ``" ".join(text.split())``.
    Printable ASCII without double spaces has single spaces between its words already:
    a check at C speed instead of splitting a thousand characters into words."""
    if "  " not in text:
        # Every whitespace character but the space is unprintable (Cc, Zs, Zl, Zp). A long
        # ASCII text is checked faster as bytes, a short one (a title, a name) directly.
        if text.isascii() and len(text) > 80:
            if not text.encode("ascii").translate(None, _PRINTABLE_ASCII):
                return text.strip(" ")
        elif text.isprintable():
            return text.strip(" ")
    return " ".join(text.split())


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


# Backslashes closing a line (a hard break) with the blanks after them.
_LINE_BREAK = re.compile(r"\\+[^\S\n]*(?=\n|\Z)")


def _checked_lines(inner: str) -> str | None:
    parts = []
    for line in inner.split("\n"):
        s = line.strip()
        if s and ((s[0] == "#" and _HEADING.fullmatch(s)) or _cut_here(s)):
            return None
        core = s.rstrip("\\")
        if "\\" in core:
            return None
        parts.append(core)
    text = " ".join(parts)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())
