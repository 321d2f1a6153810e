"""The browser's "Save Page As" HTML, read with the standard library's HTML parser.

The page becomes :class:`~storage.forms.cards.Item` objects (one per block-level element's
text, with the link around it and its heading level), then cards as for every other form.
Scripts, styles, SVG and templates are skipped; images give no text; entities are decoded
by the parser. Text stays data: nothing here interprets what a title or abstract says.

The page as the site serves it also carries the whole listing as JSON, in the
``data-props`` attribute of the element that the page's script hydrates
(``<div class="SVELTE_HYDRATER" data-target="DailyPapers" data-props="{...}">``): the
same entries as the JSON API, with what the rendered cards leave out (arXiv ids, author
names, organisations, AI summaries and keywords, repositories). A saved page is read from
there when the JSON is present and holds papers, else from the rendered cards.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from html.parser import HTMLParser
from typing import Any

from storage.forms.api import cut_list
from storage.forms.cards import Item
from storage.forms.markdown import Tokens

__all__ = ["PageProps", "cut_page_props", "html_items", "page_props"]

_BLOCK = frozenset(
    {"address", "article", "aside", "blockquote", "body", "br", "dd", "details", "div", "dl",
     "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
     "header", "hr", "label", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
     "table", "td", "th", "tr", "ul", "button", "time"}
)
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe", "select"})
# Inline elements the page lays out apart ("Oct 1" then a comment count): a space at their
# edges, so their texts do not run together. Text-level tags (b, i, sub) get none.
_APART = frozenset({"a", "span", "time", "svg", "img", "button", "abbr", "small"})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[Item] = []
        self._parts: list[str] = []
        self._links: list[tuple[str, str]] = []
        self._href: list[str | None] = []  # open <a> elements
        self._link_text: list[list[str]] = []
        self._opened_at: list[int] = []  # text parts of the item before each open <a>
        self._skip = 0
        self._heading: list[int] = []
        self._void_skip = False
        self.props: list[str] = []  # data-props attributes that may hold the listing
        # Closing: a page cut inside a tag ends with it ("<", 'a href="/papers/...'),
        # which the parser hands over as text then; no text of the page.
        self._closing = False

    # The current item ends at every block boundary.
    def _flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        links = [(" ".join(t.split()), h) for t, h in self._links if h]
        self._parts, self._links = [], []
        if not text and not links:
            for k in range(len(self._opened_at)):
                self._opened_at[k] = 0
                self._link_text[k] = []
            return
        href = None
        if links and all(h == links[0][1] for _, h in links):
            joined = " ".join(t for t, _ in links if t)
            if joined == text or not text:
                href = links[0][1]
        # A block inside a link (<a href=/papers/x><h3>Title</h3></a>): the link is open
        # and every bit of this item's text came after it opened.
        if href is None and self._href and self._href[-1] and self._opened_at[-1] == 0:
            href = self._href[-1]
        for k in range(len(self._opened_at)):
            self._opened_at[k] = 0
            self._link_text[k] = []
        inner = tuple(link for link in links if href is None or link[1] != href)
        level = self._heading[-1] if self._heading else 0
        self.items.append(Item(text, href=href, heading=level, links=inner,
                               line=self.getpos()[0]))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            # The hydration data of the listing (the attribute value arrives unescaped).
            if key == "data-props" and value and "dailyPapers" in value:
                self.props.append(value)
        if tag in _SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if tag in _BLOCK:
            self._flush()
        elif tag in _APART:
            self._parts.append(" ")
        if tag in _HEADINGS:
            self._heading.append(_HEADINGS[tag])
        elif tag == "a":
            self._href.append(dict(attrs).get("href"))
            self._link_text.append([])
            self._opened_at.append(sum(len(p.strip()) for p in self._parts))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag in _APART:
            self._parts.append(" ")
        if tag == "a" and self._href:
            href = self._href.pop()
            text = "".join(self._link_text.pop())
            self._opened_at.pop()
            if href:
                self._links.append((text, href))
            return
        if tag in _BLOCK:
            self._flush()
        if tag in _HEADINGS and self._heading:
            self._heading.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr") and not self._skip:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._closing and data == "<":
            self._skip = 1
            return
        self._parts.append(data)
        for bucket in self._link_text:
            bucket.append(data)

    def close(self) -> None:
        self._closing = True
        super().close()
        self._skip = 0
        self._flush()


class PageProps:
    """The listing a saved page carries as JSON: its entries and the day it lists; ``cut``:
    where the page ends inside that JSON, the text of the entry it ends inside ("" when it
    ends between entries), else None."""

    def __init__(self, entries: list[Any], listing_date: str | None,
                 cut: str | None = None) -> None:
        self.entries = entries
        self.listing_date = listing_date
        self.cut = cut


def html_items(text: str) -> tuple[Tokens, list[str]]:
    """The rendered page as items, and the ``data-props`` values that may hold the listing."""
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return Tokens(reader.items), reader.props


def page_props(values: list[str]) -> PageProps | None:
    """The first ``data-props`` value that is a listing: ``{"dailyPapers": [...], ...}``."""
    for value in values:
        try:
            data = json.loads(value)
        except (ValueError, RecursionError):
            continue
        if not isinstance(data, dict):
            continue
        entries = data.get("dailyPapers")
        if not isinstance(entries, list) or not entries:
            continue
        day = data.get("dateString") if data.get("periodType", "day") == "day" else None
        return PageProps(entries, _iso_day(day))
    return None


_PROPS_OPEN = 'data-props="'
_LIST_KEY = re.compile(r'"dailyPapers"\s*:\s*\[')
_DAY_KEY = re.compile(r'"dateString"\s*:\s*"([0-9-]{10})"')
_OTHER_PERIOD = re.compile(r'"periodType"\s*:\s*"(?!day")')


def cut_page_props(text: str) -> PageProps | None:
    """The listing of a saved page that ends inside its ``data-props`` JSON (a download or
    a copy that stopped short): the whole entries before the cut. The HTML parser never
    hands over a tag the page ends inside, so the page had neither JSON nor cards, and
    was refused as no listing without a word of being cut."""
    at = text.rfind(_PROPS_OPEN)
    if at < 0:
        return None
    start = at + len(_PROPS_OPEN)
    if text.find('"', start) != -1:
        return None  # the attribute ends: the parser had it, if it was the listing's
    raw = text[start:]
    amp = raw.rfind("&", len(raw) - 10)
    if amp != -1 and ";" not in raw[amp:]:
        raw = raw[:amp]  # cut inside an entity ("&quo"): no character of the JSON yet
    value = html.unescape(raw)
    found = _LIST_KEY.search(value, 0, 4096)
    if found is None:
        return None
    decoder = json.JSONDecoder()
    try:
        entries, _ = decoder.raw_decode(value, found.end() - 1)
        rest = None  # the list is whole; the page ends after it
    except (ValueError, RecursionError):
        whole = cut_list(value, found.end() - 1, decoder)
        if whole is None:
            return None
        entries, rest = whole
    if not isinstance(entries, list):
        return None
    head = value[:found.start()]
    day = _DAY_KEY.search(head)
    listing_date = None if day is None or _OTHER_PERIOD.search(head) else _iso_day(day[1])
    return PageProps(entries, listing_date, rest)


def _iso_day(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def looks_like_html(head: str) -> bool:
    low = head[:4096].lstrip().lower()
    if low.startswith(("<!doctype html", "<html", "<?xml")):
        return True
    return low.startswith("<") and any(tag in low for tag in ("<body", "<div", "<article"))


# A note rendered to HTML (`pandoc -s`, an editor's "Export to HTML"): a Markdown copy's
# text and links in a page of the tool's own, no card markup of the site's (its cards are
# <article> elements) and no listing JSON. Read as the saved page, its login links became
# titles and its avatar rows organisations (attack F52: 8 papers titled with a login URL,
# 396 fields wrong for the real text export). Refused, naming the tool.
_GENERATOR = re.compile(r'<meta\s+name="generator"\s+content="([^"]{1,60})"', re.IGNORECASE)


def rendered_note(text: str) -> str | None:
    """The tool that rendered the HTML from a note, when it is no page the site served."""
    head = text[:8192]
    found = _GENERATOR.search(head)
    if found is None or "<article" in text or _PROPS_OPEN in text:
        return None
    return found[1]

