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
from storage.forms.onepass import FIRST_CARD_WITHIN, Read, collapse, read_cards

__all__ = ["trending_listing"]

_ID = r"[0-9]{4}\.[0-9]{4,5}"
_HF = r"https://huggingface\.co/"
# Blank lines between the parts: every part is an item of its own to the general reader.
_GAP = r"\n\n+"
# An image's alt text as the extractor writes it ("[图片：无替代文本]"): no text of a card.
_ALT = r"\[[^\[\]\n\\&]{0,40}\]"
_THUMB = r"\[" + _ALT + r"\]\(" + _HF + r"papers/" + _ID + r"\)" + _GAP
# From the thumbnail or "Submitted by" (in either order, or none) to the text after the
# title: 1 the user, 2 the anchor's number, 3 the title, 4 the arXiv id.
_HEAD = re.compile(
    r"(?:" + _THUMB + r")?"
    r"(?:Submitted by" + _GAP + _ALT + _GAP + r"([^\n\[\]!#·\\&<]+)" + _GAP + r")?"
    r"(?:" + _THUMB + r')?<a id="source-section-([0-9]{1,9})"></a>' + _GAP
    + r"### \[([^\[\]\n\\]+)\]\(" + _HF + r"papers/(" + _ID + r")\)" + _GAP
)
# From the blank line after the text to the blank lines after the card: 1 the
# organisation, 2 the number of authors, 3 "Published on", 4 the date, 5 the upvotes,
# 6 the stars, 7 the repository, 8 the line ends after the card.
_TAIL = re.compile(
    _GAP + r"(?:\[" + _ALT + r" ([^\[\]\n\\&·]+)\]\(" + _HF + r"[^()\s]+\) · "
    r"|(?:-(?: " + _ALT + r")?" + _GAP + r")*- ([0-9]{1,6}) authors?" + _GAP + r"· )"
    r"(Published on )?([A-Za-z]{3,9} [0-9]{1,2}(?:, [0-9]{4})?)" + _GAP
    + r"\[Upvote\n\n(-|[0-9]{1,9})\]\(" + _HF + r"login\?next=%2Fpapers%2F" + _ID
    + r"\)" + _GAP
    + r"(?:\[GitHub ([0-9][0-9.,]*[kKmM]?)\]\((https://github\.com/"
    r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9_.-]+)\) )?"
    r"\[arXiv Page\]\(https://arxiv\.org/abs/" + _ID + r"\)(\n*)"
)
# Where the first card starts: its thumbnail, "Submitted by" or anchor, then its title.
_FIRST = re.compile(
    r"^(?:" + _THUMB + r")?(?:Submitted by" + _GAP + _ALT + _GAP + r"[^\n]+" + _GAP + r")?"
    r"(?:" + _THUMB + r")?<a id=\"source-section-[0-9]{1,9}\"></a>" + _GAP + r"### \[",
    re.MULTILINE,
)
_NEWLINES = re.compile(r"\n*")


def trending_listing(text: str, *, name: str, reference: date | None,
                     warnings: list[str]) -> ParsedListing | None:
    """The listing, or None when the copy is not the regular shape (read it generally)."""
    if text.find('<a id="source-section-', 0, FIRST_CARD_WITHIN) < 0:
        return None  # no extractor's anchors: not this shape (said at C speed)
    return read_cards(text, _FIRST, _reader(), name=name, reference=reference,
                      warnings=warnings, head_dashes=True,
                      definitions_around=True)


def _reader() -> Read:
    """A card reader for one text: it remembers the copy it read last (its two matches),
    to know the card's second copy without reading it again."""
    last: list[tuple[re.Match[str], re.Match[str]] | None] = [None]

    def read(text: str, pos: int, before: _Card | None) -> tuple[_Card | None, int] | None:
        previous = last[0]
        if previous is not None:
            end = _again(text, pos, *previous)
            if end is not None:
                last[0] = None  # a third copy is read as a card
                return before, end
        head = _HEAD.match(text, pos)
        if head is None:
            return None  # the cards are over; the footer is read as the general reader does
        start = head.end()
        end = text.find("\n\n", start)
        tail = _TAIL.match(text, end) if end > start else None
        # The card's last line stands alone: a blank line or the end of the text after it.
        if tail is None or (len(tail[8]) < 2 and tail.end() != len(text)):
            return None
        if previous is not None and _parts(head, tail) == _parts(*previous):
            last[0] = None
            return before, tail.end()  # the second copy, in other blank lines: nothing new
        last[0] = head, tail
        return _card(head, tail, text[start:end]), tail.end()

    return read


def _parts(head: re.Match[str], tail: re.Match[str]) -> tuple[object, ...]:
    """What of a copy makes its record: all but its anchor's number, "Published on" and
    its blank lines (the text is what lies between the two matches)."""
    return (head[1], head[3], head[4], head.string[head.end() : tail.start()], tail[1],
            tail[2], tail[4], tail[5], tail[6], tail[7])


def _again(text: str, pos: int, head: re.Match[str], tail: re.Match[str]) -> int | None:
    """Where the second copy of the card read from ``head`` and ``tail`` ends when it
    starts at ``pos`` and says the same in the same lines, only its anchor's number one
    more and without "Published on": a string comparison at C speed instead of matching
    and reading the copy again."""
    string = head.string
    second = "".join((string[head.start() : head.start(2)], str(int(head[2]) + 1),
                      string[head.end(2) : tail.start(3) if tail[3] else tail.start(4)],
                      string[tail.start(4) : tail.start(8)]))
    if not text.startswith(second, pos):
        return None
    end = pos + len(second)
    after = _NEWLINES.match(text, end).end()  # type: ignore[union-attr]
    if after - end < 2 and after != len(text):
        return None
    return after


def _card(head: re.Match[str], tail: re.Match[str], body: str) -> _Card | None:
    title = _title(head[3])
    abstract = _paragraph(body, urls=True)
    # A text shorter than an abstract makes no record; every card here makes one, so that
    # a second copy left out changes no count of cards that are records.
    if title is None or abstract is None or len(abstract) < _ABSTRACT_MIN:
        return None
    org, n, pub, day, up, stars, repo, _ = tail.groups()
    card = _Card(title=title, title_at=0, canonical=True, heading=True)
    card.arxiv_id = head[4]
    card.hf_link = True
    card.texts = [abstract]
    user = head[1]
    if user is not None:
        name = user if _handle(user) else _paragraph(user)  # a line of its own
        if name is None or len(name) >= 64 or _kind(name)[0] != K_TEXT:
            return None
        card.submitted_by = name
    if n is not None:
        card.authors_count = int(n)
    else:
        # "[[logo] Name](...) · Oct 1": the name before the "·", its logo's text dropped.
        card.organization = collapse(org)
        if not card.organization:
            return None
    found = _date_match(pub + day if pub else day)
    if found is None:
        return None
    card.date_raw = found["raw"]
    card.has_meta_dot = True
    card.upvotes = 0 if up == "-" else int(up)
    if repo is not None:
        # The expression took the repository's own address ("https://github.com/o/r"),
        # as the general reader's _read_link makes it, and a count it reads.
        card.github_repo = repo
        card.github_stars = _stars_of(stars)
    return card


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
    text = collapse(html.unescape(raw) if "&" in raw else raw)
    if (not 2 <= len(text) <= _TITLE_MAX or "\\" in text
            or (len(text) < 24 and text.lower() in _CHROME) or _kind(text)[0] != K_TEXT):
        return None
    return text
