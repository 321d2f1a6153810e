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
# An image, inline or by reference; or as Obsidian embeds a downloaded one ("![[x.png]]").
_IMAGE = re.compile(r"!\[(?:\[[^\[\]\n]*\]\]"
                    r"|[^\[\]]*\](?:\([^()\s]*(?:\s+\"[^\"]*\")?\)|\[[^\]]*\]))")
# One level of nested brackets inside the link text: "[[logo] Microsoft](...)".
_LINK = re.compile(
    r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"(?:\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\)|\[([^\[\]]*)\])"
)
# One literal backslash first, outside the alternation: a pattern that starts with a
# literal is searched for at C speed (the alternation tried at every character cost
# ~15 µs an abstract).
_BREAK = re.compile(r"\\\\*(?:[ \t]*(?:\n|$)|[ \t]+)")
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


def _inline(raw: str, refs: dict[str, str]
            ) -> tuple[str, str | None, tuple[tuple[str, str], ...]]:
    """Markdown text to plain text, the link around all of it, and the links inside it."""
    text = raw
    if "![" in text:
        text = _IMAGE.sub("", text)
    if "\\" in text:
        text = _BREAK.sub(" ", text)
    if "[" not in text:
        return _plain(text), None, ()
    found = _whole_link(text.strip(), refs)
    if found is not None:
        inner, whole = found
        if "[" not in inner and "\\" not in inner:  # "[142](...)", "[abstract](...)"
            return _plain(inner), whole or None, ()
        inner_text, _, inner_links = _inline(inner, refs)
        return inner_text, whole or None, inner_links
    links: list[tuple[str, str]] = []

    def sub(match: re.Match[str]) -> str:
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
    return _plain(text), None, tuple(links)


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
        if (not href or " " in href or "\n" in href or "\t" in href or "[" in href
                or "]" in href):
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


def markdown_items(text: str, *, url_lines: bool = False) -> Tokens:
    """Items of a Markdown page, or of a text export (``url_lines``: each link's URL on
    the line after its text)."""
    lines = text.split("\n")
    tokens = Tokens([])
    start = _header(lines, tokens)
    refs = _reference_definitions(lines, text)
    tokens.truncated = _scan(lines, start, refs, tokens.items, url_lines)
    return tokens


def _reference_definitions(lines: list[str], text: str) -> dict[str, str]:
    """``[31]: https://...`` lines: read into a table and blanked where they stood."""
    refs: dict[str, str] = {}
    if "]:" not in text:
        return refs
    for index, line in enumerate(lines):
        if "]:" in line:
            m = _REF_DEF.fullmatch(line)
            if m is not None:
                refs[m[1].strip().lower()] = m[2]
                lines[index] = ""
    return refs


def _scan(lines: list[str], i: int, refs: dict[str, str], items: list[Item],
          url_lines: bool) -> bool:
    """One pass over the lines: each line, paragraph or link group becomes one item.

    True when the copy ends at a scraper's "[Content truncated]"."""
    n = len(lines)
    while i < n:
        s = lines[i].strip()
        number = i + 1
        i += 1
        if not s:
            continue
        c = s[0]
        if c == "-" and not url_lines and s[1:2] == " " and _COUNT.fullmatch(s[2:].strip()):
            # The card pasted as a list, a line an item (a note app's "paste as list").
            _unlisted(lines, i - 1, n)
            s = lines[i - 1].strip()
        if (c == "-" or c.isdigit()) and not url_lines and _COUNT.fullmatch(s):
            run = _text_card(lines, i, n)
            if run is not None:
                i = _text_card_items(lines, number, run, items)
                # A selection that ran on into the next card's upvote count, and no further:
                # no count of the README's section under it.
                after = _next_line(lines, i, n)
                if after < n and _COUNT.fullmatch(lines[after].strip()) and (
                        _text_card(lines, after + 1, n) is None
                        and _trending_card(lines, after + 1, n) is None):
                    i = after + 1
                continue
        if c in "cC[" and _cut_here(s):
            return True
        if c in "`-*" and (s.startswith(_FENCE) or s == "---" or s == "***"):
            continue
        if c == "<" and _HTML_ONLY.fullmatch(s):
            continue  # "<a id=...></a>": an extractor's anchors, no text
        if c == "h" and (url := _BARE_URL.fullmatch(s)) is not None:
            if items and items[-1].href is None:
                items[-1].href = url[1]
            else:
                items.append(Item("", href=url[1], line=number))
            continue
        level = 0
        if c == "#" and (m := _HEADING.fullmatch(s)) is not None:
            level = len(m[1])
            s = m[2].strip().rstrip("#").strip()
        depth = _balance(s) if "[" in s or "]" in s else 0
        if depth > 0:
            s, i = _link_group(lines, i, n, s, depth, level)
        elif level:
            s, i = _heading_tail(lines, i, n, s)
        elif not _structural(s):
            if not url_lines and (run := _trending_card(lines, i - 1, n)) is not None:
                i = _text_card_items(lines, number, run, items, title=True)
                continue
            s, i = _paragraph(lines, i, n, s, url_lines)
        elif c in "-*+" and len(s) > 1 and s[1] == " ":
            s = _LIST_MARK.sub("", s, count=1)
        plain, href, links = _inline(s, refs)
        items.append(Item(plain, href, level, links, number))
    return False


# A card of today's page copied as text, pasted among Markdown (a README, a note): its
# upvote count ("-" for none), "Submitted by" and a user name on a date page, its title and
# abstract lines, an organisation or "N authors", "·", its date and comment count. Joined
# into paragraphs, its title, abstract and facts were one text under the heading before
# it, and the card was lost to the Markdown around it (attack F48).
_COUNT = re.compile(r"-|[0-9]{1,6}")
_TEXT_DATE = re.compile(r"[A-Z][a-z]{2,8}\.? [0-9]{1,2}(?:, [0-9]{4})?(?: ([0-9]{1,6}))?")
# Lines from the count to the "·": "Submitted by", a user, a title, an abstract, two facts,
# and the blank lines a date page has between them.
_TEXT_CARD_REACH = 12
# The level of the card's title: a Markdown copy's card titles are "###" headings.
_TEXT_TITLE = 3


def _text_card(lines: list[str], i: int, n: int) -> tuple[int, int] | None:
    """(its title's line, the line after its date) of the text card whose count line
    ends before ``i``, or None when the lines after the count are no such card."""
    k = _next_line(lines, i, n)
    if k < n and lines[k].strip() == "Submitted by":
        k = _next_line(lines, _next_line(lines, k + 1, n) + 1, n)
    title = k
    texts = 0
    while k < n and k - i < _TEXT_CARD_REACH:
        s = lines[k].strip()
        if s == "·":
            date = _next_line(lines, k + 1, n)
            if texts < 2 or date >= n or _TEXT_DATE.fullmatch(lines[date].strip()) is None:
                return None
            return title, date + 1
        if s[0] in "#[!>|`<" or _structural(s):
            return None
        texts += 1
        k = _next_line(lines, k + 1, n)
    return None


# A trending card copied as text: title, AI summary, "N authors" or an organisation, its
# date after a "·" ("· Oct 1, 2026", "Carnegie Mellon University · Published on Sep 29,
# 2026"), "Upvote" and its count, then "GitHub 2.31k" and "arXiv Page" where it has them.
_DOT_DATE = re.compile(r"(?:.* )?·[ \t]*(?:Published on )?[A-Z][a-z]{2,8}\.? [0-9]{1,2}"
                       r"(?:, [0-9]{4})?")
_TRENDING_TAIL = re.compile(r"GitHub [0-9.,]+[kKmM]?|arXiv Page")


def _trending_card(lines: list[str], t: int, n: int) -> tuple[int, int] | None:
    """(its title's line, the line after it) of the trending card copied as text whose
    title is line ``t`` (or its "Submitted by", a user name over it), or None when the
    lines from there are no such card."""
    if lines[t].strip() == "Submitted by":
        t = _next_line(lines, _next_line(lines, t + 1, n) + 1, n)
        if t >= n or _structural(lines[t].strip()):
            return None
    k = _next_line(lines, t + 1, n)
    for _ in range(3):
        if k >= n:
            return None
        s = lines[k].strip()
        if "·" in s and _DOT_DATE.fullmatch(s):
            up = _next_line(lines, k + 1, n)
            count = _next_line(lines, up + 1, n)
            if (k - t < 2 or count >= n or lines[up].strip() != "Upvote"
                    or _COUNT.fullmatch(lines[count].strip()) is None):
                return None
            end = count + 1
            while (nxt := _next_line(lines, end, n)) < n and _TRENDING_TAIL.fullmatch(
                    lines[nxt].strip()):
                end = nxt + 1
            return t, end
        if s[0] in "#[!>|`<" or _structural(s):
            return None
        k = _next_line(lines, k + 1, n)
    return None


def _unlisted(lines: list[str], k: int, n: int) -> None:
    """A text card pasted as list items from line ``k`` on: its lines without their "- "
    (in place), when the items without them are a text card; else left as they are."""
    end = k
    while end < n and end - k <= _TEXT_CARD_REACH + 2 and (
            lines[end].lstrip().startswith("- ") or lines[end].strip() == "-"):
        end += 1
    bare = [line.strip()[2:] if line.strip().startswith("- ") else "" for line in
            lines[k:end]]
    run = _text_card(bare, 1, len(bare))
    if run is not None:
        lines[k:end] = bare


def _next_line(lines: list[str], k: int, n: int) -> int:
    while k < n and not lines[k].strip():
        k += 1
    return k


def _text_card_items(lines: list[str], number: int, run: tuple[int, int],
                     items: list[Item], title: bool = False) -> int:
    """The text card's items (from line ``number``, its count's or, ``title``, its
    title's), one a line as the text reader reads them, its title a heading; a daily
    card's comment count (a line under its date) with its date, or it was the next card's
    upvote count. Returns the index of the line after the card."""
    title_at, end = run
    for k in range(number - 1, end):
        if s := lines[k].strip():
            item = Item(_plain(s), None, 0, (), k + 1)
            if k == title_at:
                item.heading, item.pasted = _TEXT_TITLE, True
            items.append(item)
    if title:
        return end
    after = lines[end].strip() if end < len(lines) else ""
    date = _TEXT_DATE.fullmatch(lines[end - 1].strip())
    # Not where the date line has its count ("Sep 29 3") or the count opens the next card.
    if (after != "-" and _COUNT.fullmatch(after) and date is not None and date[1] is None
            and _text_card(lines, end + 1, len(lines)) is None):
        items[-1].text = f"{items[-1].text} {after}"
        end += 1
    return end


def _link_group(lines: list[str], i: int, n: int, s: str, depth: int, level: int
                ) -> tuple[str, int]:
    """A link whose text runs over several lines: gather them all."""
    parts = [s]
    while i < n and depth > 0 and len(parts) < _MAX_GROUP_LINES:
        nxt = lines[i].strip()
        if nxt[:1] == "#" and (m := _HEADING.fullmatch(nxt)):
            # "### [A long title\n### wrapped][106]": a dump wraps a linked title into
            # a second heading of its level, which closes the link (attack F21).
            if not (level and len(m[1]) == level and depth + _balance(m[2]) <= 0):
                break
            nxt = m[2].strip()
        if nxt and nxt[0] in "cC[" and _cut_here(nxt):
            break
        parts.append(nxt)
        if "[" in nxt or "]" in nxt:
            depth += _balance(nxt)
        i += 1
    s = "\n".join(parts)
    if not level and s[0] in "-*+" and len(s) > 1 and s[1] == " ":
        s = _LIST_MARK.sub("", s, count=1)
    return s, i


def _heading_tail(lines: list[str], i: int, n: int, s: str) -> tuple[str, int]:
    """``### SmolDocling: ... end-to-end`` + ``  multi-modal document conversion``."""
    if i < n:
        nxt = lines[i].strip()
        if (nxt and len(nxt) < 120 and not _structural(nxt)
                and (i + 1 >= n or not lines[i + 1].strip())):
            return f"{s} {nxt}", i + 1
    return s, i


def _paragraph(lines: list[str], i: int, n: int, s: str, url_lines: bool
               ) -> tuple[str, int]:
    """Hard-wrapped lines and two-space breaks join with spaces.

    In Markdown a wrapped abstract may end in a URL on a line of its own ("Samples are
    available at" / "https://..."): text of the paragraph. Only in a text export is
    such a line the address of the text before it."""
    parts = [s]
    while i < n:
        nxt = lines[i].strip()
        if _structural(nxt) and (url_lines or nxt[:1] != "h" or not _BARE_URL.fullmatch(nxt)):
            break
        if nxt[0] in "cC" and _cut_here(nxt):
            break
        parts.append(nxt)
        i += 1
    s = " ".join(parts)
    if s[0] in "-*+" and len(s) > 1 and s[1] == " ":
        s = _LIST_MARK.sub("", s, count=1)
    return s, i


def _cut_here(s: str) -> bool:
    """A scraper's "[Content truncated]" line (``s`` stripped, not empty).

    The first characters rule out nearly every line before the regular expression runs.
    """
    c = s[0]
    if c == "[":
        c = s[1:2]
        if c.isspace():
            return _TRUNCATED.match(s) is not None
    return c in "cC" and _TRUNCATED.match(s) is not None


def plain_items(text: str) -> Tokens:
    """Items of today's copied text: one per non-blank line, nothing to undo."""
    items = []
    append = items.append
    for number, line in enumerate(text.split("\n"), start=1):
        s = line.strip()
        if s:
            if "  " in s or "\t" in s:
                s = " ".join(s.split())
            if s[0] in "cC[" and _cut_here(s):
                return Tokens(items, truncated=True)
            append(Item(s, None, 0, (), number))
    return Tokens(items)
