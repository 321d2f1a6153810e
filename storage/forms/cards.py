"""Today's page as a sequence of items, and the cards read out of it.

Every form that carries the page's own layout (copied text, saved HTML, Markdown from
clippers and scrapers, text exports with URLs) is first turned into :class:`Item` objects:
one per line, paragraph or block, with the link around it and whether it is a heading.
This module then finds the cards in them, the same way for every form:

1. the titles: headings where the form has them (``### [Title](/papers/2606.00683)``,
   ``<h3>``), else runs of links to one ``/papers/<id>``, else (plain text) the card meta
   ``·`` + date that closes each card;
2. what belongs to a card: walking back from its title, the upvote count (``101``, ``-``
   for none) and ``Submitted by`` + a user name; after the title the abstract (or an AI
   summary), ``N authors`` or an organisation's display name, ``·``, the date, the comment
   count, and on trending pages ``Upvote 117``, ``GitHub 11.3k`` and the arXiv link;
3. what is not a card: a heading without an abstract-sized text and card facts (a README's
   "### Install") is dropped, and a text with no card at all is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from storage.forms.base import ParsedListing, anchor_date
from storage.forms.dates import _MONTHS, _latest_on_or_before
from storage.records import ListingError, PaperRecord
from storage.text import normalise_title

__all__ = ["Item", "assemble", "card_head_at_end", "finish", "upvotes_only"]


@dataclass(slots=True)
class Item:
    """One line, paragraph or block of the page, with the link that wraps it."""

    text: str
    href: str | None = None
    heading: int = 0
    # Links inside the item other than the one around it: (text, href).
    links: tuple[tuple[str, str], ...] = ()
    line: int = 0
    # What the text is (a date, an upvote count...), worked out once: see _classify.
    kind: int = -1
    value: object = None
    # A card's title the Markdown reader found in a card copied as text and pasted among
    # the Markdown (a README, a note): its lines are the page's whole card.
    pasted: bool = False


@dataclass(slots=True)
class _Card:
    title: str
    title_at: int
    arxiv_id: str | None = None
    abstract: str = ""
    ai_summary: str | None = None
    authors_count: int | None = None
    organization: str | None = None
    date_raw: str | None = None
    upvotes: int | None = None
    comments: int | None = None
    submitted_by: str | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    has_meta_dot: bool = False
    hf_link: bool = False  # the card links to its huggingface.co/papers/<id> page
    # Its "arXiv Page" link, with which a trending card ends.
    arxiv_page: bool = False
    texts: list[str] = field(default_factory=list)
    # The one-pass readers know their texts' blanks are single spaces already.
    canonical: bool = False
    # Found after the last card's meta: a card the copy ends inside (see _cut_title).
    cut: bool = False
    # Its title is a heading at the titles' level (a card's by where it stands).
    heading: bool = False
    # A whole card copied as text and pasted among Markdown (Item.pasted).
    pasted: bool = False
    # The item its comment count was read from, when a count after its date gave it.
    comments_at: int = -1


# ----------------------------------------------------------------------------- shapes

_ID = r"(\d{4}\.\d{4,5})(?:v\d+)?"
_PAPER_HREF = re.compile(r"(?:^|huggingface\.co)/papers/" + _ID + r"(?=$|[/?#])")
_LOGIN_HREF = re.compile(r"next=%2Fpapers%2F" + _ID)
_LOGIN_BARE = "login?next=%2Fpapers"
_ARXIV_HREF = re.compile(r"arxiv\.org/(?:abs|pdf)/" + _ID)
_GITHUB_HREF = re.compile(r"^https?://(?:www\.)?github\.com/([^/\s?#]+/[^/\s?#]+)")
_HF_HANDLE = re.compile(r"^(?:https?://huggingface\.co)?/([A-Za-z0-9][\w.-]*)/?$")
_NOT_HANDLES = frozenset(
    {"papers", "login", "join", "models", "datasets", "spaces", "docs", "pricing",
     "enterprise", "blog", "posts", "learn", "storage", "collections", "organizations",
     "settings", "tasks", "chat", "search", "new"}
)

_UPVOTE = re.compile(r"(?:\[-\]\s*)?(-|[0-9]{1,9})")
_UPVOTE_WORD = re.compile(r"Upvote\s*(-|[0-9]{1,9})?", re.IGNORECASE)
_AUTHORS = re.compile(r"[-*•·+\s]*([0-9]{1,6})\s+authors?", re.IGNORECASE)
_GITHUB = re.compile(r"GitHub\s+([0-9][0-9.,]*)\s*([kKmM]?)")
_DATE = re.compile(
    r"(?:·\s*)?(?:Published\s+on\s+)?"
    r"(?P<raw>(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<day>[0-9]{1,2})(?:,\s*(?P<year>[0-9]{4}))?)"
    r"(?:\s*·?\s*(?P<n>-|[0-9]{1,9}))?"
)
_SUBMITTED = "Submitted by"
_BRACKETED = re.compile(r"^\[[^\]]*\]\s*")
_TITLE_MAX = 400
_ABSTRACT_MIN = 40
_SUMMARY_MAX = 300

# Chrome texts that are never a card title (headings on the page itself); all shorter than
# 24 characters, which spares the lower-casing of every real title.
_CHROME = frozenset(
    {"daily papers", "trending papers", "papers", "new", "subscribe", "daily", "weekly",
     "monthly", "previous", "next", "hugging face", "extracted text"}
)


def paper_id(href: str | None) -> str | None:
    if not href or "/papers/" not in href:
        return None
    m = _PAPER_HREF.search(href)
    return m[1] if m else None


_DATES: dict[str, re.Match[str] | None] = {}


def _date_match(text: str) -> re.Match[str] | None:
    # The same few hundred date lines recur through a listing: each is read once.
    try:
        return _DATES[text]
    except KeyError:
        pass
    if len(text) > 48 or not text:
        return None
    m = _DATE.fullmatch(text)
    if m is not None and m["mon"].lower() not in _MONTHS:
        m = None
    if len(_DATES) > 4096:
        _DATES.clear()
    _DATES[text] = m
    return m


# Item kinds.
(K_TEXT, K_BLANK, K_DOT, K_DATE, K_UP, K_DASH, K_AUTH, K_UPWORD, K_GH, K_ARXIV,
 K_SUBMIT) = range(11)
_DATE_STARTS = frozenset("·PJFMASOND")


_KINDS: dict[str, tuple[int, object]] = {}


def _classify(it: Item) -> int:
    """Say once what an item's text is; every later question about it is a lookup.

    Short texts recur through a page ("·", "4 authors", "Oct 1", "Upvote", counts): each
    is worked out once. Cheap string tests go first so that an abstract costs next to
    nothing.
    """
    it.kind, it.value = found = _kind(it.text)
    return found[0]


def _kind(t: str) -> tuple[int, object]:
    """What a (stripped, whitespace-collapsed) text is, and its value: see _classify."""
    n = len(t)
    if n > 48:
        return _kind_of(t, n)
    try:
        return _KINDS[t]
    except KeyError:
        pass
    found = _kind_of(t, n)
    if len(_KINDS) > 8192:
        _KINDS.clear()
    _KINDS[t] = found
    return found


def _kind_of(t: str, n: int) -> tuple[int, object]:
    kind: int = K_TEXT
    value: object = None
    if n == 0:
        kind = K_BLANK
    elif n <= 48:
        c = t[0]
        if t == "·":
            kind = K_DOT
        elif c.isdigit() or c == "-" or c == "[":
            m = _UPVOTE.fullmatch(t) if n <= 16 else None
            if m is not None:
                kind, value = (K_DASH, 0) if m[1] == "-" else (K_UP, int(m[1]))
            elif c == "[" and t[-1] == "]" and "](" not in t:
                kind = K_BLANK  # an image's alt text: "[图片：无替代文本]"
        if kind == K_TEXT and c in _DATE_STARTS:
            m = _date_match(t)
            if m is not None:
                kind, value = K_DATE, m
        if kind == K_TEXT and t.endswith(("authors", "author", "Authors")):
            m = _AUTHORS.fullmatch(t)
            if m is not None:
                kind, value = K_AUTH, int(m[1])
        if kind == K_TEXT:
            if c == "U" and (m := _UPVOTE_WORD.fullmatch(t)) is not None:
                kind, value = K_UPWORD, m[1]
            elif c == "G" and (m := _GITHUB.fullmatch(t)) is not None:
                kind, value = K_GH, _stars(m[1], m[2])
            elif t == "arXiv Page":
                kind = K_ARXIV
            elif t.startswith(_SUBMITTED):
                kind, value = K_SUBMIT, t[len(_SUBMITTED) :].strip()
            elif n < 8 and t.strip("-*• ") == "":
                kind = K_BLANK
    elif t.startswith(_SUBMITTED) and n < 80:
        kind, value = K_SUBMIT, t[len(_SUBMITTED) :].strip()
    elif t[0] == "[" and t[-1] == "]" and "](" not in t and n < 80:
        kind = K_BLANK
    return kind, value


def _is_upvote(item: Item) -> int | None:
    return item.value if item.kind in (K_UP, K_DASH) else None  # type: ignore[return-value]


def upvotes_only(item: Item) -> bool:
    """A count that can only be a card's upvotes, never a comment count: the upvote
    button's "[-] 5" (a text export), or a count linked to the login page (its paper's id
    may be cut off: "https://huggingface.co/login?next=%2Fpapers%2F")."""
    return item.text[0] == "[" or (item.href is not None and _LOGIN_BARE in item.href)


def _is_blank(item: Item) -> bool:
    # A lone "-" is an empty list item (an avatar) here; as an upvote count it is asked
    # for by _is_upvote.
    return item.kind in (K_BLANK, K_DASH)


def _item_date(item: Item) -> re.Match[str] | None:
    return item.value if item.kind == K_DATE else None  # type: ignore[return-value]


def _stars(number: str, unit: str) -> int | None:
    try:
        value = float(number.replace(",", ""))
    except ValueError:
        return None
    return round(value * {"": 1, "k": 1_000, "m": 1_000_000}[unit.lower()])


def _org_name(text: str) -> str:
    # Text-mode converters render the logo as "[microsoft]" or "[图片：x]" before the name.
    while text.startswith("[") and "]" in text:
        rest = _BRACKETED.sub("", text, count=1)
        if rest == text or not rest:
            break
        text = rest
    return text.strip()


def _org_href(href: str | None) -> bool:
    if not href:
        return False
    m = _HF_HANDLE.match(href)
    return m is not None and m[1].lower() not in _NOT_HANDLES


# --------------------------------------------------------------------------- titles


def _heading_titles(items: list[Item]) -> list[int] | None:
    levels = [it.heading for it in items if it.heading and paper_id(it.href)]
    if levels:
        level = max(set(levels), key=levels.count)
    elif any(it.heading == 3 for it in items):
        level = 3
    else:
        return None
    return [
        i
        for i, it in enumerate(items)
        if it.heading == level and it.text and it.text.lower() not in _CHROME
    ]


def _link_titles(items: list[Item]) -> list[int] | None:
    """Forms with links but no headings: the first text linked to a paper opens its card."""
    titles: list[int] = []
    current: str | None = None
    for i, it in enumerate(items):
        pid = paper_id(it.href)
        if pid is None or "#" in (it.href or ""):
            continue
        if it.kind in (K_BLANK, K_DASH, K_AUTH, K_UP):
            continue
        if pid != current:
            titles.append(i)
            current = pid
    return titles or None


def _meta_titles(items: list[Item], anchors: list[int]) -> list[int]:
    """Plain text: every card ends in ``·`` and a date (the anchors); its title is found
    by walking back."""
    titles: list[int] = []
    start = 0
    for anchor in anchors:
        title = _title_before(items, start, anchor)
        if title is not None:
            titles.append(title)
        start = anchor + 1
    return titles


# What may follow a cut card's title before the copy ends: its abstract (or AI summary),
# "N authors" or an organisation, "·". More than that is a page's footer, not a card.
_CUT_PARTS = frozenset({K_TEXT, K_AUTH, K_DOT})
_CUT_PARTS_MAX = 3


def _cut_title(items: list[Item], start: int) -> int | None:
    """Plain text: the title of a card the copy ends inside, after the last card's meta
    (from ``start``), or None. Such a card has no ``·`` + date to be found by, so it is
    read from its head: the title right after an upvote count or "Submitted by" + user,
    or (trending cards have neither) a text right before an abstract-sized one; and
    nothing after it but the card's own first parts."""
    n = len(items)
    marker = -1
    i = start
    while i < n:
        it = items[i]
        kind = it.kind
        if kind in (K_UP, K_DASH, K_ARXIV):
            # A count before a title; on a trending page a card ends with its arXiv link.
            marker = i
        elif kind == K_SUBMIT:
            marker = i
            if not it.value:
                k = i + 1  # the user name: the next short text (an avatar may come first)
                while k < n and (items[k].kind != K_TEXT or items[k].text[:2] == "!["):
                    k += 1
                marker = i = k
        elif kind == K_UPWORD and not it.value:
            i += 1  # "Upvote" / "117": the count of the card before
        i += 1
    title = marker + 1 if marker >= 0 else start
    while title < n and items[title].kind == K_BLANK:
        title += 1
    if marker < 0:
        # No count, no "Submitted by": the first text that is not the page's.
        while title < n and (items[title].kind != K_TEXT or _chrome(items[title].text)):
            title += 1
    if (title >= n or items[title].kind != K_TEXT or _chrome(items[title].text)
            or _remnant(items[title])):
        return None
    if "https://".startswith(items[title].text) or "http://".startswith(items[title].text):
        return None  # a link's URL cut short (a text export), not the card's title
    if title == n - 1 and _cut_short(items[title].text):
        return None
    rest = [it for it in items[title + 1 :] if it.kind != K_BLANK]
    if len(rest) == _CUT_PARTS_MAX + 1 and rest[-2].kind == K_DOT:
        rest.pop()  # its date cut short after the "·": "Sep ", "S"
    if len(rest) > _CUT_PARTS_MAX or any(it.kind not in _CUT_PARTS or _chrome(it.text)
                                         for it in rest):
        return None
    if marker < 0 and not (rest and len(rest[0].text) >= _ABSTRACT_MIN):
        return None
    return title


# Words of the page that a copy may end inside: no title of a card cut short.
_PAGE_WORDS = ("submitted by", "upvote", "github", "arxiv page", "previous", "next",
               "daily papers", "trending papers", "published on")


def _cut_short(text: str) -> bool:
    """The copy's last text is markup or a word of the page cut short ("<img alt=",
    "[[图片", "![](", "Submitt"), not a title."""
    if text[0] in "<![":
        return True
    low = text.lower()
    return any(word.startswith(low) for word in _PAGE_WORDS)


def _chrome(text: str) -> bool:
    return len(text) < 24 and text.lower() in _CHROME


# The page's own name, which its head shows before the first card.
_PAGE_NAMES = frozenset({"daily papers", "trending papers"})


def _page_chrome(head: list[Item]) -> bool:
    """The items are the head of a Daily Papers page (its name among them): what makes a
    copy that ends inside its first card a copy of the page, not some other text."""
    return any(len(it.text) < 24 and it.text.lower() in _PAGE_NAMES for it in head)


# ------------------------------------------------- a card cut before its title

def _remnant(it: Item) -> bool:
    """A heading the copy ends inside before any of its text: "###", "### [" (a link's
    bracket opened and cut)."""
    text = it.text.lstrip("#").strip()
    return (bool(it.heading) or text != it.text) and text in ("", "[")


def _head_item(items: list[Item], j: int, floor: int) -> bool:
    """The item at ``j`` may be part of a card's head before its title: its upvote count
    (not a comment link), "Submitted by", the user after it, a cut heading."""
    it = items[j]
    kind = it.kind
    if kind in (K_UP, K_DASH):
        return not (it.href or "").endswith("#community")
    if kind == K_SUBMIT or (kind == K_TEXT and _remnant(it)):
        return True
    if kind == K_TEXT and len(it.text) < 64 and "·" not in it.text and not it.href:
        k = j - 1  # the user name: "Submitted by" (an avatar may sit between)
        while k > floor and items[k].kind == K_BLANK:
            k -= 1
        return k > floor and items[k].kind == K_SUBMIT and not items[k].value
    return False


def card_head_at_end(items: list[Item], floor: int = -1) -> int | None:
    """Where the items after ``floor`` end with the head of a card cut before its title
    (an upvote count, "Submitted by" + user, a cut "### ["), or None when they do not.
    Blank items (avatars, image links) may sit among them, and at the very end the
    address of the count's link cut short (a text export: "https://huggingface.co/lo")."""
    j = len(items) - 1
    while j > floor and (items[j].kind == K_BLANK or _address_cut(items[j])):
        j -= 1
    start = None
    while j > floor:
        it = items[j]
        if it.kind == K_BLANK:
            j -= 1
            continue
        if not _head_item(items, j, floor):
            break
        start = j
        j -= 1
    return start


def _address_cut(it: Item) -> bool:
    """A text that is a link's address cut short (its own line in a text export)."""
    text = it.text
    return (it.kind == K_TEXT and not it.href and text[:1] == "h"
            and ("https://".startswith(text) or text.startswith(("http://", "https://"))))


@dataclass(slots=True)
class _Started:
    """What the copy shows of a card it ends inside before any of its title."""

    before: str  # the title of the card before it
    arxiv_id: str | None  # where the form links the cut card (its upvote link)
    certain: bool  # False: one bare count, which may be the card before's comments
    count: int = 0


def _started(items: list[Item], card: _Card) -> _Started | None:
    """The card the copy ends inside after ``card`` (the last whole one), before its
    title; its items were read into ``card``, whose comment count is put right."""
    start = card_head_at_end(items, card.title_at)
    if start is None:
        return None
    run = items[start:]
    stop = start - 1
    while stop > card.title_at and items[stop].kind == K_BLANK:
        stop -= 1
    counts = [it for it in run if it.kind in (K_UP, K_DASH)]
    if items[stop].kind == K_UPWORD and not items[stop].value and counts \
            and run[0] is counts[0]:
        # "Upvote" / "117": the card before's count, after its meta.
        run, counts = run[1:], counts[1:]
    arxiv = None
    for it in items[stop + 1 :]:  # an image linked to the cut card counts too
        found = _LOGIN_HREF.search(it.href) if it.href else None
        pid = found[1] if found else paper_id(it.href)
        if pid and pid != card.arxiv_id:
            arxiv = arxiv or pid
    bare = [it for it in counts if not it.href]
    certain = (arxiv is not None or len(counts) >= 2
               or any(it.kind == K_DASH or upvotes_only(it) for it in counts)
               or any(it.kind in (K_SUBMIT, K_TEXT) for it in run)
               or (len(counts) == 1 and 0 <= card.comments_at < start)
               or (len(counts) == 1 and card.comments is not None and card.comments_at < 0))
    if certain:
        if card.comments_at >= start:
            # A count after the date read as comments: only a first of two is.
            card.comments = card.comments if len(bare) >= 2 else None
            card.comments_at = -1 if len(bare) < 2 else card.comments_at
        return _Started(card.title, arxiv, True)
    stop_kind = items[stop].kind
    dated = stop_kind == K_DATE or (stop_kind == K_TEXT and "·" in items[stop].text)
    if len(bare) == 1 and dated and card.comments_at >= start:
        return _Started(card.title, None, False, bare[0].value)  # type: ignore[arg-type]
    return None


def _next_is_new(keys: list[str]) -> bool:
    """Whether a card after these (the keys of the whole cards, in order) brings a paper
    not among them. Trending pages show every card twice, back to back or the whole list
    again: a card after a first copy is its second."""
    n = len(keys)
    if n >= 2 and keys[0] == keys[1]:
        return keys.count(keys[-1]) >= 2
    seen: set[str] = set()
    for r, key in enumerate(keys):
        if key in seen:
            # The list again from ``r``: the next card is the second copy of keys[n - r].
            return n - r >= r
        seen.add(key)
    return True


def _started_warning(name: str, started: _Started) -> str:
    if not started.certain:
        return (f'{name}: the copy ends after "{_short(started.before)}" with the count '
                f"{started.count}: read as its comment count; if a card began there, its "
                f"title is cut off")
    known = f" (arXiv {started.arxiv_id})" if started.arxiv_id else ""
    return (f'{name}: the copy ends inside a card after "{_short(started.before)}"{known}; '
            f"its title is cut off")


def _title_before(items: list[Item], start: int, anchor: int) -> int | None:
    """The title of the card whose meta is at ``anchor``: the text after its upvote count
    (or ``Submitted by`` + user), else the first text after the previous card's leftovers."""
    marker = None
    i = start
    while i < anchor:
        it = items[i]
        kind = it.kind
        if kind == K_SUBMIT:
            if not it.value:
                # The user name: the next short text (an avatar image may come first).
                k = i + 1
                while k < anchor and (items[k].kind != K_TEXT or items[k].text[:2] == "!["):
                    k += 1
                marker = k
                i = k + 1
                continue
            marker = i
        elif kind == K_UPWORD:
            i += 1 if it.value else 2
            continue
        elif kind in (K_UP, K_DASH, K_ARXIV):
            # A count before a title; a trending card ends with its "arXiv Page" link (a
            # copy that begins inside a card begins with such leftovers: attack F44).
            marker = i
        i += 1
    first = (marker + 1) if marker is not None else start
    for j in range(first, anchor):
        it = items[j]
        if it.kind != K_TEXT or (len(it.text) < 20 and it.text.lower() in _CHROME):
            continue
        return j
    return None


# ---------------------------------------------------------------------------- cards


def _pre_start(items: list[Item], title: int, floor: int, card: _Card) -> int:
    """Walk back from a title over its upvote count and ``Submitted by`` + user."""
    j = title - 1
    took_upvote = False
    while j >= floor:
        it = items[j]
        kind = it.kind
        if kind == K_BLANK or (kind == K_DASH and took_upvote):
            j -= 1
            continue
        if kind == K_SUBMIT and card.submitted_by is None:
            if it.value:
                card.submitted_by = it.value  # type: ignore[assignment]
            j -= 1
            continue
        # "Submitted by" / [avatar] / "user": the name is the item before the title.
        if card.submitted_by is None and kind == K_TEXT and len(it.text) < 64:
            k = j - 1
            while k >= floor and _is_blank(items[k]):
                k -= 1
            if k >= floor and items[k].kind == K_SUBMIT and not items[k].value:
                card.submitted_by = it.text
                j = k - 1
                continue
        if not took_upvote and kind in (K_UP, K_DASH):
            k = j - 1
            while k >= floor and _is_blank(items[k]):
                k -= 1
            if k >= floor and items[k].kind == K_UPWORD and not items[k].value:
                break  # "Upvote" / "117": the previous card's count, after its meta
            card.upvotes = it.value  # type: ignore[assignment]
            if it.href:
                login = _LOGIN_HREF.search(it.href)
                if login and card.arxiv_id is None:
                    card.arxiv_id = login[1]
            took_upvote = True
            j -= 1
            continue
        break
    return j + 1


def _read_post(items: list[Item], start: int, end: int, card: _Card) -> None:
    """Abstract, authors or organisation, ``·``, date, comments, GitHub, arXiv link."""
    texts: list[Item] = []
    dated = False
    linked: str | None = None  # the first /papers/<id> link after the title
    i = start
    while i < end:
        it = items[i]
        i += 1
        href = it.href
        if href is not None and linked is None:
            linked = paper_id(href)
        kind = it.kind
        if kind == K_BLANK:
            continue
        if it.links:
            for link_text, link_href in it.links:
                _read_link(link_text, link_href, card, dated)
        if href and _read_link(it.text, href, card, dated):
            continue
        if kind == K_TEXT:
            if it.text[0] in "#[" and _remnant(it):
                continue  # the next card's heading, cut before its title
            if not dated and "·" in it.text and _read_meta_line(it.text, card):
                dated = True
            elif not dated:
                if href and texts and _org_href(href):
                    card.organization = _org_name(it.text)
                else:
                    texts.append(it)
            # after the date: footer, next-day links, nothing of this card
        elif kind == K_DATE:
            if not dated:
                dated = True
                _read_date(it, card)
        elif kind == K_UPWORD:
            i = _read_upvote_word(items, i, end, it.value, card)
        elif kind == K_DOT:
            card.has_meta_dot = True
        elif kind == K_AUTH:
            card.authors_count = it.value  # type: ignore[assignment]
        elif kind == K_GH:
            card.github_stars = it.value  # type: ignore[assignment]
        elif kind == K_ARXIV:
            card.arxiv_page = True
        elif kind in (K_UP, K_DASH) and dated and card.comments is None and not upvotes_only(it):
            card.comments = it.value  # type: ignore[assignment]
            card.comments_at = i - 1
    if linked is not None:
        card.hf_link = True
        card.arxiv_id = card.arxiv_id or linked
    # The organisation is the short text right before "·" when the card has an abstract.
    if card.organization is None and card.authors_count is None and len(texts) >= 2:
        last = texts[-1].text
        if len(last) <= 100 and not last.endswith("."):
            card.organization = _org_name(last)
            texts.pop()
    card.texts = [t.text for t in texts]


def _read_meta_line(text: str, card: _Card) -> bool:
    """``Carnegie Mellon University · Sep 29, 2026`` on one line: True when it is one."""
    head, _, tail = text.rpartition("·")
    m = _date_match(tail.strip())
    if m is None:
        return False
    card.date_raw = m["raw"]
    card.has_meta_dot = True
    if m["n"] is not None and card.comments is None:
        card.comments = 0 if m["n"] == "-" else int(m["n"])
    head = head.strip()
    found = _AUTHORS.fullmatch(head)
    if found:
        card.authors_count = int(found[1])
    elif head:
        card.organization = _org_name(head)
    return True


def _read_date(it: Item, card: _Card) -> None:
    m: re.Match[str] = it.value  # type: ignore[assignment]
    card.date_raw = m["raw"]
    if m["n"] is not None and card.comments is None:
        card.comments = 0 if m["n"] == "-" else int(m["n"])
    if it.text[0] == "·":
        card.has_meta_dot = True


def _read_upvote_word(items: list[Item], i: int, end: int, value: object, card: _Card) -> int:
    """``Upvote 117``, or ``Upvote`` with the count as the next item: where to go on."""
    if value is None and i < end and items[i].kind in (K_UP, K_DASH):
        value = items[i].text
        i += 1
    if value is not None and card.upvotes is None:
        card.upvotes = 0 if value == "-" else int(value)  # type: ignore[call-overload]
    return i


def _read_link(text: str, href: str, card: _Card, dated: bool) -> bool:
    """Facts a link carries by itself; True when the link is the whole of its item."""
    if href.endswith("#community"):
        value = text.strip()
        if value.isdigit() and card.comments is None:
            card.comments = int(value)
        return text.strip().isdigit() or not text.strip()
    gh = _GITHUB_HREF.match(href)
    if gh is not None:
        card.github_repo = f"https://github.com/{gh[1]}"
        m = _GITHUB.search(text)
        if m is not None:
            card.github_stars = _stars(m[1], m[2])
        return bool(m) or not text.strip()
    ax = _ARXIV_HREF.search(href)
    if ax is not None:
        card.arxiv_id = card.arxiv_id or ax[1]
        if text.strip() == "arXiv Page":
            card.arxiv_page = True
            return True
        return not text.strip()
    login = _LOGIN_HREF.search(href)
    if login is not None:
        card.arxiv_id = card.arxiv_id or login[1]
        value = _UPVOTE_WORD.fullmatch(text.strip())
        number = value[1] if value is not None else text.strip()
        if number and _UPVOTE.fullmatch(number) and card.upvotes is None:
            card.upvotes = 0 if number.endswith("-") else int(_UPVOTE.fullmatch(number)[1])  # type: ignore[index]
        return True
    return False


# ------------------------------------------------------------------------- assemble


def assemble(
    items: list[Item],
    *,
    name: str,
    form: str,
    reference: date | None,
    capture_date: str | None = None,
    listing_date: str | None = None,
    truncated: bool = False,
    trending: bool | None = None,
    warnings: list[str] | None = None,
) -> ParsedListing:
    """Read the cards out of a page's items; refuse a text that holds none."""
    warnings = warnings if warnings is not None else []
    titles, cut = _find_titles(items)
    if not titles:
        head = card_head_at_end(items)
        if head is not None and _page_chrome(items[:head]):
            raise ListingError(f"{name}: the copy ends inside its first card, before its "
                               f"title; nothing to import")
        raise ListingError(f"{name}: no Daily Papers listing found in it")
    cards, first = _read_cards(items, titles)
    cards[-1].cut = cut
    started = None if cut or truncated else _started(items, cards[-1])
    last = next((it.text for it in reversed(items) if it.kind != K_BLANK), "")
    return finish(cards, items[:first], name=name, form=form, reference=reference,
                  capture_date=capture_date, listing_date=listing_date,
                  truncated=truncated, trending=trending, warnings=warnings,
                  started=started, ending=last)


# "Oct 1", "Oct 2", "Oct 3": a day the copy may have cut ("Oct 21, 2025").
_DAY_GOES_ON = re.compile(r"[A-Za-z]+\.? [1-3]")


_CUT_COUNT_LINK = re.compile(r"\s*\[\d[\d,.]*[kK]?\]$")


def _date_end(ending: str, card: _Card, commented: bool) -> str | None:
    """What the copy may have cut of its last card when it ends (``ending``: its last
    text) with the card's date, or None when it does not end there. "" when the day may
    go on ("Oct 2" of "Oct 21, 2025"): no date to keep. Else what may be missing of a
    card that may be whole: the year ("Oct 21" of "Oct 21, 2025"), the comment count
    (``commented``: the cards before show theirs), or neither ("Oct 21, 2025" on a page
    without counts)."""
    raw = card.date_raw
    if not raw:
        return None
    # A count's link cut before its address ("[64]") is no text of the card: the general
    # reader's items drop it, so the one-pass readers' raw text must too, or the two differ.
    # Only the tail: ``ending`` may be the whole copy (tens of MB).
    ending = _CUT_COUNT_LINK.sub("", ending[-len(raw) - 200:].rstrip())
    if not ending.endswith(raw):
        return None
    if _DAY_GOES_ON.fullmatch(raw):
        return ""
    missing = [what for what, maybe in (("year", "," not in raw),
                                        ("comment count", commented)) if maybe]
    return " or ".join(missing) or None


def finish(
    cards: list[_Card],
    head: list[Item],
    *,
    name: str,
    form: str,
    reference: date | None,
    warnings: list[str],
    capture_date: str | None = None,
    listing_date: str | None = None,
    truncated: bool = False,
    trending: bool | None = None,
    started: _Started | None = None,
    ending: str = "",
    paired: tuple[bool, bool] | None = None,
) -> ParsedListing:
    """The listing from its cards and the page's head (the items before the first card):
    dates resolved, non-cards dropped, a cut last card skipped, duplicates merged.
    ``ending``: the copy's last text (or the whole text), to tell a copy that ends inside
    its last card's date. ``paired``: from a reader that reads a trending card's two copies
    as one card, whether the first card was read so and whether the cards come twice;
    None: told from the cards (a card a copy)."""
    listing_raw, name_said = _page_head(head)
    if trending is None:
        trending = name_said == "trending papers" or (name_said is None and _trending_cards(cards))
    if listing_date is None and listing_raw is not None:
        listing_date = _resolve(listing_raw, anchor_date(capture_date, None, reference)[0])
    anchor, source = anchor_date(capture_date, listing_date, reference)
    commented = any(card.comments is not None for card in cards[:-1])
    page = _page_chrome(head)
    records = _records(cards, anchor, source, trending, name=name, truncated=truncated,
                       warnings=warnings, started=started, page=page,
                       date_end=_date_end(ending, cards[-1], commented),
                       begun=not page and _begins_inside(cards, head, trending, paired))
    return ParsedListing(
        records,
        name=name,
        form=form,
        warnings=warnings,
        listing_date=listing_date,
        listing_date_raw=listing_raw,
        capture_date=capture_date,
    )


def _find_titles(items: list[Item]) -> tuple[list[int], bool]:
    """Classify every item once, then find the titles the way the form allows; and whether
    the last is a card the copy ends inside (plain text: see _cut_title).

    One pass gathers what each way needs: whether there are headings, links to papers,
    and the card meta (``·`` and a date) that plain text has instead.
    """
    linked = headed = False
    anchors: list[int] = []
    previous = -1
    for i, it in enumerate(items):
        kind = _classify(it)
        if it.href is not None and not linked and paper_id(it.href) is not None:
            linked = True
        if it.heading:
            headed = True
        if kind == K_DATE:
            if previous == K_DOT:
                anchors.append(i - 1)
            if it.text[0] == "·":
                anchors.append(i)
        elif (kind == K_TEXT and " · " in it.text
              and _date_match(it.text.rsplit("·", 1)[1].strip())):
            anchors.append(i)
        previous = kind
    titles = _heading_titles(items) if headed else None
    if titles and _remnant(items[titles[-1]]):
        titles.pop()  # "### [" at the end: a card cut before its title, no title
    if titles:
        return _join_split_titles(items, titles), False
    if linked:
        titles = _link_titles(items)
    if not titles:
        titles = _meta_titles(items, anchors)
    if not titles:
        # No whole card: the copy may end inside its first, after the page's own head.
        cut = None if anchors else _cut_title(items, 0)
        if cut is not None and _page_chrome(items[:cut]):
            return [cut], True
        return [], False
    titles = _join_split_titles(items, titles)
    # Without headings, a card the copy ends inside may have no title of the kind
    # looked for (its link, its meta): it is read from its head.
    if anchors[-1:] > titles[-1:] and (cut := _cut_title(items, anchors[-1] + 1)) is not None:
        return [*titles, cut], True
    return titles, False


def _read_cards(items: list[Item], titles: list[int]) -> tuple[list[_Card], int]:
    """Each card from its upvote count before the title to the next card's; and where the
    first card begins (what comes before it is the page's head)."""
    cards: list[_Card] = []
    pre_starts: list[int] = []
    floor = 0
    for t in titles:
        card = _Card(title=_clean_title(items[t].text), title_at=t,
                     heading=items[t].heading > 0, pasted=items[t].pasted)
        card.arxiv_id = paper_id(items[t].href)
        card.hf_link = card.arxiv_id is not None
        pre_starts.append(_pre_start(items, t, floor, card))
        cards.append(card)
        floor = t + 1
    pre_starts.append(len(items))
    for k, card in enumerate(cards):
        _read_post(items, card.title_at + 1, pre_starts[k + 1], card)
    return cards, pre_starts[0]


def _page_head(head: list[Item]) -> tuple[str | None, str | None]:
    """The page's own date (the last bare date before the first card), and the page's
    name (see _page_name)."""
    listing_raw = None
    previous = ""
    for it in head:
        m = _date_match(it.text)
        # A date after a "·" is a card's (its byline's tail; "· Published on Oct 1, 2026" on
        # the trending page): a copy that begins inside a card shows one above its first
        # whole card, and taken for the listing's it moved every yearless date of the copy
        # into that card's year (attack F53).
        if m is not None and m["n"] is None and previous != "·" \
                and not it.text.startswith("·"):
            listing_raw = m["raw"]
        if it.text.strip():
            previous = it.text.strip()
    return listing_raw, _page_name(head)


def _trending_cards(cards: list[_Card]) -> bool:
    """Cards selected without the page's head (attack N32) are trending cards by what only
    they show: the "arXiv Page" link a trending card ends with, or its repository's star
    count (a trending extraction keeps only that); no copy of the daily page shows either.
    Four in five must (a cut last card may not)."""
    marked = sum(1 for c in cards if c.arxiv_page or c.github_stars is not None)
    if marked * 5 >= len(cards) * 4:
        return True
    # Whole cards copied as text and pasted among a note's own sections (attack F48).
    pasted = [c for c in cards if c.pasted]
    return bool(pasted) and all(c.arxiv_page or c.github_stars is not None for c in pasted)


# The page's own name stands over its byline, "by AK and the research community" (a text
# export puts "by", "AK" and AK's address on lines of their own between). Words elsewhere
# in the head say nothing: the chrome line ("Get trending papers in your email inbox")
# and the tabs ("Trending Papers" on the daily page) are on both pages, and a line of the
# user's above the copy ("HF daily papers 2026-11-30") may say anything (attack F33).
_BYLINE = "the research community"
_BYLINE_REACH = 6
# Where no byline is left (a copy cut inside its head, a tool that dropped it): the page's
# title as the tools write it ("Trending Papers - Hugging Face", a clipper's
# "Hugging Face - 2026 - Trending Papers").
_PAGE_TITLE = re.compile(r"\b(daily|trending) papers - hugging face\b|"
                         r"^hugging face - (?:.* - )?(daily|trending) papers$")


def _page_name(head: list[Item]) -> str | None:
    """"daily papers" or "trending papers": the name of the page whose head the items are
    (the last copy's, where a user's own lines come first), or None when it shows none."""
    names = [(k, it) for k, it in enumerate(head)
             if it.href is None and len(it.text) < 24 and it.text.lower() in _PAGE_NAMES]
    if not names:
        titled = [m[1] or m[2] for it in head if len(it.text) < 200
                  and (m := _PAGE_TITLE.search(it.text.lower())) is not None]
        return f"{titled[-1]} papers" if titled else None
    for k in range(len(head) - 1, -1, -1):
        if _BYLINE in head[k].text.lower():
            named = [it for j, it in names if k - _BYLINE_REACH <= j < k]
            if named:
                return named[-1].text.lower()
    # No byline under a name: the last heading that names the page, else the last line.
    headed = [it for _, it in names if it.heading]
    return (headed or [it for _, it in names])[-1].text.lower()


def _records(cards: list[_Card], anchor: date, source: str, trending: bool, *, name: str,
             truncated: bool, warnings: list[str],
             started: _Started | None = None, date_end: str | None = None,
             page: bool = False, begun: bool = False) -> list[PaperRecord]:
    """The cards that are cards, the last one only if whole, duplicates merged. The last
    card is cut when the copy ends inside its date (``date_end`` "": see _date_end); an
    only card, when it does not show its end. A last card the copy may have cut at its
    date (``date_end``: what of it) is kept and named. ``begun``: the copy begins inside
    its first card (see _begins_inside), which is skipped and named."""
    made = [_record(card, anchor, source, trending) for card in cards]
    last = len(cards) - 1
    complete_share = _Shares(cards)
    cut = (made[last] is not None or _card_like(cards[last])) and _cut_last(
        cards[last], last, date_cut=date_end == "", truncated=truncated, trending=trending,
        share=complete_share)
    # A listing is cards through and through; a README or a blog post may have one
    # heading that happens to look like a card among many that do not. A card the copy
    # ends inside is a card too short to be a record: not counted against the listing
    # when it shows it is the page's (an only card by more than being a heading, unless
    # the page's head says whose it is: ``page``).
    paged = cut and (last > 0 or made[last] is not None or _card_like(cards[last], page))
    kept = sum(1 for r in made if r is not None)
    # Cards linked to their papers with the card's "·" are the page's own, however many
    # of a README's sections stand around them (a card pasted into one); so are whole
    # cards copied as text and pasted there (attack F48).
    if kept * 2 < len(cards) - paged and not (kept and all(
            card.has_meta_dot and (card.hf_link or card.pasted)
            for card, r in zip(cards, made, strict=True) if r is not None)):
        raise ListingError(f"{name}: no Daily Papers listing found in it")
    fields: list[list[Any]] = []
    seen: dict[str, int] = {}
    for k, card in enumerate(cards):
        record = made[k]
        if k == 0 and begun and not (k == last and cut):
            # (An only card cut at its end too is named as the end's: see below.)
            if record is not None and not _copied_after(card, cards):
                warnings.append(f'{name}: the copy begins inside a card '
                                f'("{_short(card.title)}"); skipped')
            continue
        if k == last and cut:
            # Every card twice (trending pages): the cut one may be a second copy.
            twice = len(fields) < sum(1 for r in made[:k] if r is not None)
            if not _copied_before(card, fields, seen, twice):
                warnings.append(f'{name}: the copy ends inside the card '
                                f'"{_short(_cut_text(card.title))}"; skipped')
            continue
        if record is None:
            continue
        if k == last and date_end:
            warnings.append(f'{name}: the copy ends with the date of "{_short(card.title)}" '
                            f'({card.date_raw}): if it was cut there, its {date_end} is '
                            f'missing')
        key = record[_ARXIV] or _title_key(record[_TITLE])
        if key in seen:
            _merge(fields[seen[key]], record)
            continue
        seen[key] = len(fields)
        fields.append(record)
    if not fields:
        if warnings and ((last == 0 and warnings[-1].startswith(f"{name}: the copy ends inside"))
                         or (begun and warnings[-1].startswith(f"{name}: the copy begins"))):
            raise ListingError(warnings.pop())  # its only card: nothing to import
        raise ListingError(f"{name}: no Daily Papers listing found in it")
    if started is not None and made[last] is not None:
        keys = [r[_ARXIV] or _title_key(r[_TITLE]) for r in made if r is not None]
        if (started.arxiv_id not in seen if started.arxiv_id else _next_is_new(keys)):
            warnings.append(_started_warning(name, started))
    for n, f in enumerate(fields, start=1):
        f[_POSITION] = n
    return [PaperRecord(*f) for f in fields]


# ASCII letters and digits lower-cased, everything else a space: normalise_title of an
# ASCII title (NFKC and casefold change nothing there) without the regular expression.
_ASCII_KEY = bytes(
    ord(chr(c).lower()) if chr(c).isalnum() else 32 for c in range(128)
) + bytes(range(128, 256))


def _title_key(title: str) -> str:
    """normalise_title, the dedupe key; the common ASCII title the cheap way."""
    if title.isascii():
        return " ".join(title.encode("ascii").translate(_ASCII_KEY).decode("ascii").split())
    return normalise_title(title)


def _join_split_titles(items: list[Item], titles: list[int]) -> list[int]:
    """A long title split across two heading lines is one title."""
    if len(titles) < 2:
        return titles
    kept: list[int] = []
    for t in titles:
        if kept and t == kept[-1] + 1 and items[t].heading and items[kept[-1]].heading:
            prev = items[kept[-1]]
            a, b = paper_id(prev.href), paper_id(items[t].href)
            if a is None or b is None or a == b:
                prev.text = f"{prev.text} {items[t].text}"
                prev.href = prev.href or items[t].href
                items[t] = Item("", line=items[t].line)
                continue
        kept.append(t)
    return kept


def _clean_title(text: str) -> str:
    return " ".join(text.split()).rstrip("\\").strip()


def _short(title: str) -> str:
    return title if len(title) <= 80 else title[:79].rstrip() + "…"


_RESOLVED: dict[tuple[str, date], str | None] = {}


def _resolve(raw: str, anchor: date) -> str | None:
    # A listing's cards share a few dozen dates: each is resolved once per anchor.
    try:
        return _RESOLVED[raw, anchor]
    except KeyError:
        pass
    if len(_RESOLVED) > 4096:
        _RESOLVED.clear()
    found = _RESOLVED[raw, anchor] = _resolve_date(raw, anchor)
    return found


def _resolve_date(raw: str, anchor: date) -> str | None:
    m = _date_match(raw)
    if m is None:
        return None
    month = _MONTHS[m["mon"].lower()]
    day = int(m["day"])
    if m["year"] is not None:
        try:
            return date(int(m["year"]), month, day).isoformat()
        except ValueError:
            return None
    found = _latest_on_or_before(month, day, anchor)
    return found.isoformat() if found else None


class _Shares:
    """How many of the cards (all but the last) have each part: what a whole card has.
    Each part is counted when asked for: the last card of a whole copy has every part,
    and then none is (six passes over 20k cards were a fiftieth of a trending page's
    parse)."""

    __slots__ = ("_body", "_found")

    def __init__(self, cards: list[_Card]) -> None:
        self._body = cards[:-1] or cards
        self._found: dict[str, float] = {}

    def __getitem__(self, part: str) -> float:
        try:
            return self._found[part]
        except KeyError:
            pass
        has = _PARTS[part]
        found = self._found[part] = sum(1 for c in self._body if has(c)) / len(self._body)
        return found


_PARTS: dict[str, Callable[[_Card], object]] = {
    "text": lambda c: c.texts,
    "meta": lambda c: c.date_raw or c.authors_count or c.organization,
    "date": lambda c: c.date_raw,
    "upvotes": lambda c: c.upvotes is not None,
    # Trending pages are papers with code: a card there links its repository.
    "github": lambda c: _linked_repo(c),
    "arxiv_page": lambda c: c.arxiv_page,
}


def _begins_inside(cards: list[_Card], head: list[Item], trending: bool,
                   paired: tuple[bool, bool] | None = None) -> bool:
    """The copy (which shows no page head) begins inside its first card: a selection
    started mid-page (attack F44), whose first "title" may be a title's tail ("pulation"),
    a user name or what was left of a date. Told by what the first card lacks of what
    whole cards show before their titles: a daily card its upvote count (or "-": every
    card of the daily page shows one; an only card too), when its title is a tail (see
    _tail_of_title; a heading is whole). A trending card shows nothing
    every card has before its title, but every card comes twice: the first card is whole
    with its other copy beside it (a cut first copy has its whole second one after it),
    or right after another card's end (its "arXiv Page" link); a heading (a Markdown
    title, never cut) also when nothing of its card stands above it and the cards do
    not come twice. ``paired``: see finish."""
    first, rest = cards[0], cards[1:]
    if not trending:
        # A whole title without its count (a selection from the title: the count is then
        # unknown) is kept; a title's tail is told by where it begins, inside a word.
        shown = sum(1 for c in rest if c.upvotes is not None)
        return (first.upvotes is None and shown * 5 >= len(rest) * 4
                and not first.heading and _tail_of_title(first.title))
    if _after_card_end(head):
        return False
    if rest and rest[0].title != first.title and rest[0].title.endswith(first.title):
        return True  # its title's tail, before its whole other copy
    if paired is not None:
        first_twice, twice = paired
        lone = not first_twice and not (rest and rest[0].title == first.title)
    else:
        pairs = sum(1 for k in range(2, len(cards)) if cards[k].title == cards[k - 1].title)
        # A page of cards twice: nearly every card after the first pairs with a neighbour.
        twice = bool(rest) and pairs * 2 * 5 >= len(rest) * 4
        lone = not rest or rest[0].title != first.title
    if first.heading and any(it.kind != K_BLANK and it.text.strip() for it in head):
        return not (rest and rest[0].title == first.title) and not (
            paired is not None and paired[0])
    if not rest and not first.heading:
        return True  # one copy of one card in text: whole or a title's tail, who can say
    return twice and lone


def _tail_of_title(title: str) -> bool:
    """A first card's "title" that is what a cut left of a line: it begins with a small
    letter or with no letter or digit ("pulation", "d by", "(https://..."). A title that
    begins a word with a capital may be whole: kept (attack F44's trade: a selection that
    starts at a card's title is the commonest there is)."""
    first = title[:1]
    return first.islower() or not first.isalnum()


def _after_card_end(head: list[Item]) -> bool:
    """What comes before the first card ends as a trending card does, with its "arXiv
    Page" link: the first card begins whole after it."""
    for it in reversed(head):
        if it.kind == K_BLANK or not it.text.strip():
            continue
        # (Its link cut inside is text: "rXiv Page](https://arxiv.org/abs/2611.01877)".)
        return (it.text.endswith("arXiv Page") or "arxiv.org/abs/" in it.text
                or any(text == "arXiv Page" for text, _ in it.links))
    return False


def _copied_after(card: _Card, cards: list[_Card]) -> bool:
    """The first card's paper comes whole right after it (the cut first copy of a trending
    card, or its title's tail): nothing lost, nothing to name."""
    if len(cards) < 2:
        return False
    return cards[1].title.endswith(card.title)


def _copied_before(card: _Card, fields: list[list[Any]], seen: dict[str, int],
                   twice: bool) -> bool:
    """The cut card's paper is in already (the first copy of a trending card): nothing
    lost, nothing to name. Its title may itself be cut: on a page of cards twice, a title
    that starts with it."""
    if (card.arxiv_id or _title_key(card.title)) in seen:
        return True
    if not twice:
        return False
    start = _title_key(_cut_text(card.title))
    return bool(start) and any(_title_key(f[_TITLE]).startswith(start) for f in fields)


def _cut_text(title: str) -> str:
    # A title cut inside its link's brackets ("### [Proof Sket") shows the bracket; one
    # cut inside its link's address ("[Proof Sketches](https://hug"), the address.
    if title[:1] != "[":
        return title
    if "]" not in title:
        return title[1:].lstrip()
    text, bracket, rest = title[1:].rpartition("]")
    if bracket and "]" not in text and rest[:1] in ("", "(", "["):
        return text.strip()
    return title


def _card_like(card: _Card, heading: bool = True) -> bool:
    """A card cut too short to be a record (its title, a few words of its text): what says
    it was a card is its count, its "Submitted by", its link to the paper, or where it
    stood (after the last card's meta; ``heading``: a heading at the titles' level)."""
    return bool(card.title) and (card.cut or (heading and card.heading)
                                 or card.upvotes is not None or card.hf_link
                                 or card.submitted_by is not None)


def _cut_last(card: _Card, k: int, *, date_cut: bool, truncated: bool, trending: bool,
              share: _Shares) -> bool:
    """Whether the copy ends inside its last card (the k-th): it ends inside the card's
    date; or the card lacks what the cards before it (or a truncated page's) have; or it is
    the only card and does not show its end."""
    if date_cut or (k == 0 and not _shows_end(card, trending)):
        return True
    return (truncated or k > 0) and not _whole(card, share, truncated)


def _shows_end(card: _Card, trending: bool) -> bool:
    """What a card ends with: its date; on a trending page its "arXiv Page" link, or
    where the page shows no dates (a trending extraction), its repository."""
    if card.arxiv_page:
        return True
    if trending:
        return not card.date_raw and _linked_repo(card)
    return bool(card.date_raw)


def _linked_repo(card: _Card) -> bool:
    return bool(card.github_repo or card.github_stars is not None)


def _shows_facts(card: _Card) -> bool:
    """The card shows a fact of its own after its text: its date, authors, organisation
    or repository."""
    return bool(card.date_raw or card.authors_count or card.organization
                or _linked_repo(card))


def _whole(card: _Card, share: _Shares, truncated: bool) -> bool:
    """The last card has every part that the cards before it have (four in five of
    them): its text, its date, its card facts, its upvotes, its repository and the arXiv
    link that closes a trending card; a truncated page's, its text and a fact too. (The
    card is asked first: a part it has needs no counting.)"""
    if not card.texts and share["text"] >= 0.8:
        return False
    if not card.date_raw and share["date"] >= 0.8:
        return False
    if not (card.date_raw or card.authors_count or card.organization) and share["meta"] >= 0.8:
        return False
    # Trending pages: after the date come "Upvote N", the repository and the arXiv link.
    if card.upvotes is None and share["upvotes"] >= 0.8:
        return False
    if not _linked_repo(card) and share["github"] >= 0.8:
        return False
    if not card.arxiv_page and share["arxiv_page"] >= 0.8:
        return False
    return not truncated or bool(card.texts and _shows_facts(card))


# Where each field sits in a record's list (PaperRecord's own order; see _record).
_TITLE, _ABSTRACT, _POSITION, _ARXIV = 0, 1, 2, 9


def _record(card: _Card, anchor: date, source: str, trending: bool) -> list[Any] | None:
    """The record's fields in PaperRecord's order (its position is set once duplicates
    are merged): a list, because building a record positionally is the cheap way."""
    title = card.title
    if not 2 <= len(title) <= _TITLE_MAX or (len(title) < 24 and title.lower() in _CHROME):
        return None
    text = " ".join(card.texts)
    # Items come stripped; a printable text without double spaces has only single spaces
    # between words already (every other whitespace character is unprintable).
    if not card.canonical and (not text.isprintable() or "  " in text):
        text = " ".join(text.split())
    # Facts only a Daily Papers card has. A link to arXiv or GitHub alone is no card: blog
    # posts and reading lists have those too; on a trending page the stars are the card's.
    # A date (and the short line over it, taken for an organisation) is a card's with the
    # "·" before it or its comment count after it: a README's section that ends in "- May
    # 12" is none (a section around a card pasted into a README was a paper).
    facts = (
        ((card.date_raw or card.organization) and (card.has_meta_dot
                                                   or card.comments is not None))
        or card.authors_count is not None or card.upvotes is not None or card.hf_link
        or (trending and card.github_stars is not None)
    )
    # A card has an abstract-sized text and its facts; a README's "### Install" has neither.
    if len(text) < _ABSTRACT_MIN or not facts:
        return None
    abstract, summary = text, None
    if trending and len(text) <= _SUMMARY_MAX:
        abstract, summary = "", text
    published = None
    inferred = False
    date_source = None
    if card.date_raw:
        published = _resolve(card.date_raw, anchor)
        if published:
            m = _date_match(card.date_raw)
            inferred = bool(m and m["year"] is None)
            date_source = source if inferred else "card"
    arxiv = card.arxiv_id
    return [
        title, abstract, 0, card.authors_count, card.organization or None, published,
        card.date_raw or None, inferred, card.upvotes, arxiv,
        f"https://huggingface.co/papers/{arxiv}" if arxiv else None, card.comments, (),
        card.submitted_by, summary, (), card.github_repo, card.github_stars, None,
        date_source,
    ]


def _merge(first: list[Any], second: list[Any]) -> None:
    """The same card twice (trending pages): keep the first, fill what it lacks."""
    for index, theirs in enumerate(second):
        mine = first[index]
        if (mine is None or mine == "") and theirs not in (None, ""):
            first[index] = theirs
    if len(second[_ABSTRACT]) > len(first[_ABSTRACT]):
        first[_ABSTRACT] = second[_ABSTRACT]
