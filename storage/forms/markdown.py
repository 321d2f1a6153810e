"""Markdown from clippers and scrapers, and text exports with each link's URL on its own line.

Both become :class:`~storage.forms.cards.Item` objects, then cards (storage/forms/cards.py).
What the tokenizer undoes, all seen in real copies:

- links around a title, an abstract, an upvote count or an author row, inline
  (``[text](url)``) or by reference (``[text][31]``, often without the definitions), and
  links whose text runs over several lines (``[\\n-\\n][31]``, ``[Upvote\\n\\n117](...)``);
- abstracts hard-wrapped at ~120 columns, or broken with ``\\`` or two trailing spaces;
- ``### `` titles wrapped mid-title or split over two heading lines;
- image rows (``![](avatar.svg)``, ``[图片：x]``), escapes (``\\_``, ``\\[``), HTML entities;
- YAML front matter (or a header block) with the page's URL and the capture date;
- a scraper's ``[Content truncated]`` marker;
- in text exports, every link's text followed by its URL as the next line.

Markdown is syntax, not markup: the few regular expressions here read link brackets, never
HTML tags (an HTML page goes to storage/forms/html.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from storage.forms.cards import Item

__all__ = ["Tokens", "markdown_items", "plain_items"]

_FENCE = "```"
_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_REF_DEF = re.compile(r"\s{0,3}\[([^\]\n]+)\]:\s*<?(\S+?)>?(?:\s+[\"'(].*)?")
_BARE_URL = re.compile(r"<?(https?://\S+?)>?")
_HTML_ONLY = re.compile(r"(?:<[a-zA-Z/][^<>]*>\s*)+")
_IMAGE = re.compile(r"!\[[^\[\]]*\](?:\([^()\s]*(?:\s+\"[^\"]*\")?\)|\[[^\]]*\])")
# One level of nested brackets inside the link text: "[[logo] Microsoft](...)".
_LINK = re.compile(
    r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"(?:\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\)|\[([^\[\]]*)\])"
)
_BREAK = re.compile(r"\\+[ \t]*(?:\n|$)|\\+[ \t]+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>\"'$&])")
_LIST_MARK = re.compile(r"(?:[-*+]|\d{1,3}[.)])\s+")
_DATE_ONLY = re.compile(r"(?:·\s*)?[A-Za-z]{3,9}\.?\s+\d{1,2}(?:,\s*\d{4})?(?:\s+\S+)?")
_CAPTURE_KEY = re.compile(
    r"(captured|retrieved|exported|clipped|saved|fetched|created|scraped|date)[^:]{0,20}:"
    r"\s*\"?(\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)
_URL_KEY = re.compile(r"(?:url|source)[^:]{0,12}:\s*\"?(\S+)", re.IGNORECASE)
_DATE_PAGE = re.compile(r"/papers/date/(\d{4}-\d{2}-\d{2})|[?&]date=(\d{4}-\d{2}-\d{2})")
_TRUNCATED = re.compile(r"\[?\s*content\s+truncated", re.IGNORECASE)
_MAX_GROUP_LINES = 400


@dataclass(slots=True)
class Tokens:
    items: list[Item]
    capture_date: str | None = None
    listing_date: str | None = None
    truncated: bool = False
    url_lines: int = 0
    links: int = 0


def _header(lines: list[str], tokens: Tokens) -> int:
    """Read front matter (or a scraper's header block): the URL and the capture date."""
    start = 0
    if lines and lines[0].strip() == "---":
        for end in range(1, min(len(lines), 80)):
            if lines[end].strip() in ("---", "..."):
                _header_facts(lines[1:end], tokens)
                return end + 1
    # Header blocks without front matter ("- Captured (UTC): 2026-06-29T16:31:22").
    _header_facts(lines[:12], tokens)
    return start


def _header_facts(lines: list[str], tokens: Tokens) -> None:
    for line in lines:
        if tokens.capture_date is None:
            m = _CAPTURE_KEY.search(line)
            if m is not None:
                tokens.capture_date = m[2]
        m = _URL_KEY.search(line)
        if m is not None and tokens.listing_date is None:
            d = _DATE_PAGE.search(m[1])
            if d is not None:
                tokens.listing_date = d[1] or d[2]


def _balance(text: str) -> int:
    """Brackets opened and not closed on a line (escaped ones do not count)."""
    if "[" not in text and "]" not in text:
        return 0
    depth = text.count("[") - text.count("]")
    if "\\" in text:
        depth -= text.count("\\[") - text.count("\\]")
    return depth


def _inline(raw: str, refs: dict[str, str], tokens: Tokens
            ) -> tuple[str, str | None, tuple[tuple[str, str], ...]]:
    """Markdown text to plain text, the link around all of it, and the links inside it."""
    text = raw
    if "![" in text:
        text = _IMAGE.sub("", text)
    if "\\" in text:
        text = _BREAK.sub(" ", text)
    links: list[tuple[str, str]] = []
    whole: str | None = None
    if "[" in text:
        stripped = text.strip()
        found = _whole_link(stripped, refs)
        if found is not None:
            inner, whole = found
            tokens.links += 1
            inner_text, _, inner_links = _inline(inner, refs, tokens)
            return inner_text, whole or None, inner_links

        def sub(match: re.Match[str]) -> str:
            tokens.links += 1
            label = match[1]
            href = match[2] if match[2] is not None else refs.get(
                (match[3] or label).strip().lower())
            label_text = _plain(label)
            if href:
                links.append((label_text, href))
            # "May 29[6](...#community)": keep the count apart from the date.
            before = match.string[match.start() - 1] if match.start() else " "
            return (" " + label_text) if not before.isspace() else label_text

        text = _LINK.sub(sub, text)
    return _plain(text), whole, tuple(links)


_BRACKET = re.compile(r"\\?[\[\]]")


def _whole_link(s: str, refs: dict[str, str]) -> tuple[str, str | None] | None:
    """``[text](url)`` or ``[text][ref]`` making up all of ``s``: (text, url or None).

    String searches, not a regular expression over the whole text: abstracts wrapped in
    one link run to two thousand characters, and this runs for every paragraph.
    """
    if len(s) < 4 or s[0] != "[":
        return None
    end = s[-1]
    if end == ")":
        k = s.rfind("](")
        if k < 1:
            return None
        href: str | None = s[k + 2 : -1]
        if not href or any(c in href for c in " \n\t[]"):
            return None
    elif end == "]":
        k = s.rfind("][")
        if k < 1:
            return None
        ref = s[k + 2 : -1].strip().lower()
        href = refs.get(ref or s[1:k].strip().lower())
        if "]" in ref or "[" in ref:
            return None
    else:
        return None
    inner = s[1:k]
    # The "[" at the start must close at k: a line of two links is not one link.
    if "[" in inner or "]" in inner:
        depth = 1
        for m in _BRACKET.finditer(inner):
            if m[0][0] == "\\":
                continue
            depth += 1 if m[0] == "[" else -1
            if depth == 0:
                return None
        if depth != 1:
            return None
    return inner, href


def _plain(text: str) -> str:
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def _structural(s: str) -> bool:
    """A line that never continues the paragraph before it."""
    if not s:
        return True
    c = s[0]
    if c in "#[!>|·•" or s.startswith(_FENCE) or s == "---":
        return True
    if c in "-*+" and (len(s) == 1 or s[1] == " "):
        return True
    if len(s) <= 32 and (s.isdigit() or _DATE_ONLY.fullmatch(s)):
        return True
    return s.startswith(("http://", "https://"))


def markdown_items(text: str) -> Tokens:
    """Items of a Markdown page or a text export (URLs on their own lines)."""
    lines = text.split("\n")
    tokens = Tokens([])
    i = _header(lines, tokens)
    refs: dict[str, str] = {}
    if "]:" in text:
        kept = []
        for line in lines:
            m = _REF_DEF.fullmatch(line) if "]:" in line else None
            if m is not None:
                refs[m[1].strip().lower()] = m[2]
                kept.append("")
            else:
                kept.append(line)
        lines = kept
    items = tokens.items
    n = len(lines)
    while i < n:
        line = lines[i]
        s = line.strip()
        number = i + 1
        i += 1
        if not s:
            continue
        if s.startswith(_FENCE) or s == "---" or s == "***":
            continue
        if _TRUNCATED.match(s):
            tokens.truncated = True
            break
        if s[0] == "<" and _HTML_ONLY.fullmatch(s):
            continue  # "<a id=...></a>": an extractor's anchors, no text
        if s[0] == "h" and _BARE_URL.fullmatch(s):
            tokens.url_lines += 1
            url = _BARE_URL.fullmatch(s)[1]  # type: ignore[index]
            if items and items[-1].href is None:
                items[-1].href = url
            else:
                items.append(Item("", href=url, line=number))
            continue
        level = 0
        if s[0] == "#":
            m = _HEADING.fullmatch(s)
            if m is not None:
                level = len(m[1])
                s = m[2].strip().rstrip("#").strip()
        # A link whose text runs over several lines: gather them all.
        depth = _balance(s)
        if depth > 0:
            parts = [s]
            while i < n and depth > 0 and len(parts) < _MAX_GROUP_LINES:
                nxt = lines[i]
                if nxt.lstrip().startswith("#") and _HEADING.fullmatch(nxt.strip()):
                    break
                if _TRUNCATED.match(nxt.strip()):
                    break
                parts.append(nxt.strip())
                depth += _balance(nxt)
                i += 1
            s = "\n".join(parts)
        elif level:
            # "### SmolDocling: ... end-to-end\n  multi-modal document conversion"
            if (i < n and lines[i].strip() and not _structural(lines[i].strip())
                    and len(lines[i].strip()) < 120
                    and (i + 1 >= n or not lines[i + 1].strip())):
                s = f"{s} {lines[i].strip()}"
                i += 1
        elif not _structural(s):
            # A paragraph: hard-wrapped lines and two-space breaks join with spaces.
            parts = [s]
            while i < n:
                nxt = lines[i].strip()
                if _structural(nxt) or _TRUNCATED.match(nxt):
                    break
                parts.append(nxt)
                i += 1
            s = " ".join(parts)
        body = s
        if not level and body[:1] in "-*+" and len(body) > 1 and body[1] == " ":
            body = _LIST_MARK.sub("", body, count=1)
        plain, href, links = _inline(body, refs, tokens)
        items.append(Item(plain, href=href, heading=level, links=links, line=number))
    return tokens


def _cut_at_truncation(text: str) -> tuple[str, bool]:
    """The text before a scraper's "[Content truncated]" line.

    One scan for the word at C speed (its letters have no case variants outside ASCII, so
    the lower-cased text finds every spelling), then the line it is on is checked.
    """
    low = text.lower()
    if len(low) != len(text):
        # A few characters ("İ") lower-case to two: positions differ, go line by line.
        low = "".join(c.lower()[:1] for c in text)
    at = low.find("truncated")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        if _TRUNCATED.match(text[start : end if end >= 0 else len(text)].strip()):
            return text[:start], True
        at = low.find("truncated", at + 1)
    return text, False


def plain_items(text: str) -> Tokens:
    """Items of today's copied text: one per non-blank line, nothing to undo."""
    text, truncated = _cut_at_truncation(text)
    items = []
    append = items.append
    number = 0
    for line in text.split("\n"):
        number += 1
        s = line.strip()
        if s:
            if "  " in s or "\t" in s:
                s = " ".join(s.split())
            append(Item(s, None, 0, (), number))
    return Tokens(items, truncated=truncated)
