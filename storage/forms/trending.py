"""The trending page as Markdown (a page extractor's or a clipper's: every card twice, an
image's missing alt text as ``[图片：无替代文本]``, each card after an ``<a id=...>`` anchor),
read in one pass: one regular expression a card copy, and the second copy of a card only
matched and compared with the first.

One card of such a copy (it comes twice, the second without "Published on")::

    [[图片：无替代文本]](https://huggingface.co/papers/2611.01234)

    Submitted by

    [图片：无替代文本]

    mlindqvist

    <a id="source-section-2"></a>

    ### [Lattice-KV: Compressing the Key-Value Cache](https://huggingface.co/papers/2611.01234)

    Lattice-KV compresses the key-value cache of long-context models with ...

    [[图片：nvidia] NVIDIA](https://huggingface.co/nvidia) · Published on Oct 1, 2026

    [Upvote

    142](https://huggingface.co/login?next=%2Fpapers%2F2611.01234)

    [GitHub 2.31k](https://github.com/lattice-kv/lattice-kv) [arXiv Page](https://arxiv.org/abs/2611.01234)

The thumbnail link and "Submitted by" come in either order or not at all, blank lines come
one or two at a time, and a card without an organisation has its avatar row and
``- 4 authors`` then ``· Oct 1, 2026`` instead. A second copy whose every part is the
first's (the anchor's number, "Published on" and blank lines aside) would give the general
reader the same record again, merged into the first: it is only matched. A copy that
differs is read as a card of its own, and the listing merges the two as the general reader
does. The texts are read with the general reader's own functions (storage/forms/
markdown.py, cards.py); a copy this reader is not sure of goes to that reader whole, and
its test holds the two to the same records on the fixture, on a copy in the clipper's
shape, and on cut and mutated copies of them.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from storage.forms.base import ParsedListing
from storage.forms.cards import (
    _ABSTRACT_MIN,
    _CHROME,
    _TITLE_MAX,
    K_TEXT,
    _Card,
    _date_match,
    _kind,
    _stars,
)
from storage.forms.clipper import _handle, _paragraph
from storage.forms.onepass import FIRST_CARD_WITHIN, Probe, collapse, read_cards

__all__ = ["trending_listing"]

_ID = r"[0-9]{4}\.[0-9]{4,5}"
_HF = r"https://huggingface\.co/"
# Blank lines between the parts: every part is an item of its own to the general reader.
_GAP = r"\n\n+"
# An image's alt text as the extractor writes it ("[图片：无替代文本]"): no text of a card.
# No "<" in any text of a card but its summary, here and below: what could begin a saved
# page then stands only where the reader looks for it (see _Reader.quiet); a card with one
# elsewhere is read by the general reader.
_ALT = r"\[[^\[\]\n\\&<]{0,40}\]"
_THUMB = r"\[" + _ALT + r"\]\(" + _HF + r"papers/" + _ID + r"\)" + _GAP
# An avatar's alt text on a line of its own, as long as it is not a scraper's "[Content
# truncated]", where the general reader stops reading.
_AVATAR = r"\[(?!\s*(?i:content\s+truncated))[^\[\]\n\\&<]{0,40}\]"
# A card, and its second copy when that says the same in the same lines (its anchor's
# number, "Published on" and the blank lines before its links aside: a clipper's copy
# has one more there): matched back to back, the second copy compared with the first at
# C speed, by backreference. Groups: 1 the card up to its anchor's number, 2 the user,
# 3 the anchor's number, 4 from the anchor's end to the date, 5 the title, 6 the arXiv
# id, 7 the text, 8 the organisation, 9 the number of authors, 10 "Published on", 11 from
# the date to the upvote count's end, 12 the date, 13 the upvotes, 14 the links, 15 the
# stars, 16 the repository, 17 the second copy.
_CARD = re.compile(
    r"((?:" + _THUMB + r")?"
    r"(?:Submitted by" + _GAP + _AVATAR + _GAP + r"([^\n\[\]!#·\\&<]+)" + _GAP + r")?"
    r"(?:" + _THUMB + r')?<a id="source-section-)([0-9]{1,9})'
    r'("></a>' + _GAP
    + r"### \[([^\[\]\n\\<]+)\]\(" + _HF + r"papers/(" + _ID + r")\)" + _GAP
    # The text: lines up to the blank line before the organisation or the avatar row.
    + r"([^\n]+(?:\n[^\n]+)*)" + _GAP
    + r"(?:\[" + _ALT + r" ([^\[\]\n\\&·<]+)\]\(" + _HF + r"[^()\s<]+\) · "
    r"|(?:-(?: " + _ALT + r")?" + _GAP + r")*- ([0-9]{1,6}) authors?" + _GAP + r"· ))"
    r"(Published on )?"
    r"(([A-Za-z]{3,9} [0-9]{1,2}(?:, [0-9]{4})?)" + _GAP
    + r"\[Upvote\n\n(-|[0-9]{1,9})\]\(" + _HF + r"login\?next=%2Fpapers%2F" + _ID
    + r"\))" + _GAP
    + r"((?:\[GitHub ([0-9][0-9.,]*[kKmM]?)\]\((https://github\.com/"
    r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9_.-]+)\) )?"
    r"\[arXiv Page\]\(https://arxiv\.org/abs/" + _ID + r"\))"
    r"(" + _GAP + r"\1[0-9]{1,9}\4(?:Published on )?\11" + _GAP + r"\14)?"
    # The card's last line stands alone: a blank line or the end of the text after it.
    r"(?:\n\n+|\n*\Z)"
)
# What of a copy makes its record (its groups): all but its anchor's number, "Published
# on" and its blank lines.
_PARTS = (2, 5, 6, 7, 8, 9, 12, 13, 15, 16)
# Where the first card starts: its thumbnail, "Submitted by" or anchor, then its title.
_FIRST = re.compile(
    r"^(?:" + _THUMB + r")?(?:Submitted by" + _GAP + _AVATAR + _GAP + r"[^\n]+" + _GAP + r")?"
    r"(?:" + _THUMB + r")?<a id=\"source-section-[0-9]{1,9}\"></a>" + _GAP + r"### \[",
    re.MULTILINE,
)


def trending_listing(text: str, *, name: str, reference: date | None,
                     warnings: list[str], probe: Probe | None = None) -> ParsedListing | None:
    """The listing, or None when the copy is not the regular shape (read it generally)."""
    if text.find('<a id="source-section-', 0, FIRST_CARD_WITHIN) < 0:
        return None  # no extractor's anchors: not this shape (said at C speed)
    reader = _Reader()
    return read_cards(text, _FIRST, reader, name=name, reference=reference,
                      warnings=warnings, head_dashes=True,
                      definitions_around=True, probe=probe, quiet=reader.quiet,
                      paired=reader.paired)


class _Reader:
    """A card reader for one text: it remembers the parts of the copy it read last, to
    know a second copy in other blank lines as one that adds nothing; and whether the
    cards hold a sign of another copy (see quiet); and whether the first card came with
    its second copy (see paired)."""

    __slots__ = ("cards", "doubled", "first", "last", "loud", "twice")

    def __init__(self) -> None:
        self.last: tuple[str | None, ...] | None = None
        self.loud = False  # a card's summary has a "<" or a line "---" in it
        self.first: _Card | None = None
        self.twice = False  # the first card's two copies were read
        self.cards = 0
        self.doubled = 0  # cards after the first read with their second copy

    def __call__(self, text: str, pos: int, before: _Card | None
                 ) -> tuple[_Card | None, int] | None:
        m = _CARD.match(text, pos)
        if m is None:
            return None  # the cards are over; the footer is read as the general reader does
        if m.start(17) < 0:  # (not m[17]: that would copy the second copy out)
            parts = m.group(*_PARTS)
            if before is not None and parts == self.last:
                self.last = None  # a third copy is read as a card
                if before is self.first:
                    self.twice = True
                else:
                    self.doubled += 1
                return before, m.end()  # the second copy, in other blank lines
            self.last = parts
        else:
            self.last = None  # both copies matched: a third is read as a card
        card = _card(m, self)
        self.cards += 1
        if self.first is None:
            self.first = card
            self.twice = m.start(17) >= 0
        elif m.start(17) >= 0:
            self.doubled += 1
        return card, m.end()

    def paired(self) -> tuple[bool, bool]:
        """Whether the first card's second copy was read with it, the same in every part
        (the copy may begin inside its first copy, never inside the paper's card); and
        whether the cards after it come twice."""
        return self.twice, self.doubled * 5 >= (self.cards - 1) * 4

    def quiet(self, text: str, start: int, end: int) -> bool:
        """No card from ``start`` to ``end`` holds what begins a saved page or front
        matter: a "<" stands only in its anchor's two tags and in its summary, and only
        the summary's lines are followed by a line that is not blank, as front matter's
        "---" is (a second copy matched with its first repeats the first's texts)."""
        return not self.loud


def _card(m: re.Match[str], reader: _Reader) -> _Card | None:
    user, raw, pid, body, org, n, day, up, stars, repo = m.group(
        2, 5, 6, 7, 8, 9, 12, 13, 15, 16)
    if "<" in body or ("\n" in body and "---" in body):
        reader.loud = True
    title = _title(raw)
    abstract = _paragraph(body, urls=True)
    # A text shorter than an abstract makes no record; every card here makes one, so that
    # a second copy left out changes no count of cards that are records.
    if title is None or abstract is None or len(abstract) < _ABSTRACT_MIN:
        return None
    card = _Card(title=title, title_at=0, canonical=True, heading=True)
    card.arxiv_id = pid
    card.hf_link = True
    card.arxiv_page = True
    card.texts = [abstract]
    if user is not None:
        card.submitted_by = _USERS.get(user) or _user(user)
        if not card.submitted_by:
            return None
    if n is not None:
        card.authors_count = int(n)
    else:
        # "[[logo] Name](...) · Oct 1": the name before the "·", its logo's text dropped.
        card.organization = collapse(org)
        if not card.organization:
            return None
    # "Published on " is only looked at, not copied out: the date is read with it.
    published = m.start(10) >= 0
    card.date_raw = _DATES.get((published, day)) or _date_raw(published, day)
    if not card.date_raw:
        return None
    card.has_meta_dot = True
    card.upvotes = 0 if up == "-" else int(up)
    if repo is not None:
        # The expression took the repository's own address ("https://github.com/o/r"),
        # as the general reader's _read_link makes it, and a count it reads.
        card.github_repo = repo
        card.github_stars = _stars_of(stars)
    return card


# Short texts recur through a page (who submitted, the dates): each is read once (only
# what reads as one is kept). Bounded, as cards._KINDS is.
_USERS: dict[str, str] = {}
_DATES: dict[tuple[bool, str], str] = {}
_SHORT_MAX = 4096


def _user(user: str) -> str:
    """The user name as the general reader reads it on a line of its own, or "" when it
    would not take it for one."""
    name = user if _handle(user) else _paragraph(user)
    if name is None or len(name) >= 64 or _kind(name)[0] != K_TEXT:
        return ""
    return _remember(_USERS, user, name)


def _date_raw(published: bool, day: str) -> str:
    """The card date as the general reader takes it from "Published on Oct 1, 2026" or
    "Oct 1", or "" when it is no date."""
    found = _date_match(f"Published on {day}" if published else day)
    return "" if found is None else _remember(_DATES, (published, day), found["raw"])


def _remember(cache: dict[Any, str], key: Any, value: str) -> str:
    if len(cache) > _SHORT_MAX:
        cache.clear()
    cache[key] = value
    return value


_STARS: dict[str, int | None] = {}


def _stars_of(shown: str) -> int | None:
    """"11.3k" as the general reader reads it (cards._stars), each count once a page."""
    try:
        return _STARS[shown]
    except KeyError:
        pass
    if len(_STARS) > 4096:
        _STARS.clear()
    unit = shown[-1] if shown[-1] in "kKmM" else ""
    found = _STARS[shown] = _stars(shown[: len(shown) - len(unit)], unit)
    return found


def _title(raw: str) -> str | None:
    """The heading link's text as the general reader makes it, or None when it would not
    take it for a title (chrome) or it is not plain text."""
    if "&" in raw:
        raw = html.unescape(raw)
        if "\\" in raw:
            return None  # an escaped backslash: the general reader's business
    text = collapse(raw)
    n = len(text)
    if not 2 <= n <= _TITLE_MAX or (n < 24 and text.lower() in _CHROME):
        return None
    if n < 80 and _kind(text)[0] != K_TEXT:
        return None  # (a text of 80 characters and more is always text: cards._kind_of)
    return text
