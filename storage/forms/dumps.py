"""A saved page rendered as text by a text browser or converter: ``lynx -dump``,
``pandoc -t plain``, ``w3m -dump``, ``links -dump``, ``html2text``.

Each lays the page out in its own way: lines wrapped at 72-80 columns, text indented,
a link's or image's place marked (lynx numbers every link, "[12]", and lists their
addresses under "References" at the end; pandoc writes an image as "[alt]" and an empty
link as "[]"), and inline parts of a card run together where the page's markup has no
space between them ("·Oct 1" + the comment link "6").

lynx and pandoc keep a mark between the date and the comment count ("·Oct 1[19]6",
"·Oct 1[]6"), so their cards can be read whole: they are turned into the page's text
form (one part a line, as a select-all copy has them) and read by its reader; lynx's
references give each card its arXiv id. w3m, links and html2text leave "·Oct 16": the
day and the count cannot be told apart ("Oct 1" and 6 comments, or "Oct 16"), so such a
dump is refused with one line that says why and what to import instead.

A Markdown copy of the page (a clipper's, a scraper's) rendered as HTML (``pandoc -t html``)
and dumped in turn has none of the page's markup left: the card's "·" a paragraph of its
own, its date run into the comment count ("May 29[8]6", "May 296"), a logo's alt text run
into the organisation ("occ-aiOCC"), lynx's link numbers before every title and count
("[4]101"). Read as a page, it gave up to 196 junk papers from 14 cards (attack F35). Such
a dump is refused with one line naming the tool; the Markdown copy it came from reads
whole. It is told by what no copy of the page has: every paragraph re-wrapped at 72-80
columns with blank lines between them, and no Markdown link left in it.
"""

from __future__ import annotations

import re

from storage.records import ListingError

__all__ = ["dump_tool", "undumped"]

# The card's "·" run into its date: a text browser's rendering of the page's markup. A
# copy made by selecting the page keeps the "·" on a line of its own (or a space after it).
_GLUED_DATE = re.compile(r"·(?:Published on )?[A-Z][a-z]{2,8}\.? [0-9]{1,2}\b")
_LYNX_MARK = re.compile(r"\[[0-9]{1,6}\]")
# lynx puts its number before the link's text ("[17]Lattice-KV"); w3m writes an image's
# alt text in brackets on a line of its own ("[2611]", "• [0]").
_LYNX_LINK = re.compile(r"\[[0-9]{1,6}\](?=[^\s\[])")
_PANDOC_MARK = "[]"
_REFERENCES = re.compile(r"^References\n\n(?:[ \t]*Visible links:\n)?[ \t]*1\. \S", re.M)
_REF_LINE = re.compile(r"^[ \t]*([0-9]{1,6})\. (\S+)[ \t]*$", re.M)
_MARKS_NEEDED = 5
_DUMP_WIDTH = 100

_W3M = ("[IMG]", "• [0]")
_HTML2TEXT = re.compile(r"^\*{4,6} \S", re.M)

_TOOLS_THAT_GLUE = "w3m, links or html2text"


def dump_tool(head: str) -> str | None:
    """Which tool rendered the page as text, or None when the text is no such dump."""
    if len(_GLUED_DATE.findall(head)) < 2:
        return _rendered_tool(head)
    # These tools wrap every paragraph at 72-80 columns; a copy of the page made by
    # selecting it keeps each abstract on one long line, whatever its "·" looks like.
    lines = head.split("\n")
    if max(map(len, lines)) > _DUMP_WIDTH or sum(len(line) >= 60 for line in lines) < 3:
        return None
    if len(_LYNX_LINK.findall(head)) >= _MARKS_NEEDED:
        return "lynx"
    if head.count(_PANDOC_MARK) >= _MARKS_NEEDED:
        return "pandoc"
    return "glued"


# What a copy of the page in Markdown keeps: its links ("](", "][12]").
_MD_LINKS = re.compile(r"\]\(|\]\[[0-9]+\]")
_MD_LINKS_MAX = 3
# The page in it: its chrome, a card's lone "·", "N authors".
_PAGE_SIGNS = re.compile(r"Get trending papers in your email|^[ \t]*·[ \t]*$|\b[0-9]+ authors\b",
                         re.M)
# What a Markdown copy's markup leaves in its rendered dump, and no copy of the page has: a
# date run into its comment count ("May 296", "Oct 2, 20243"), an image's alt text in
# brackets ("[IMG]", "[papers-by.png]", "[图片：kandinskylab]", "[ethz]ETH Zurich", an
# avatar's "[ldubois]" or "[0] [1] [2]" on a line of its own), a hard line break's
# backslash at a line's end, a trending extraction's "LINK: GitHub" without its link.
_LEFT_BEHIND = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? "
    r"(?:[0-9]{3,}|[0-9]{1,2}, [0-9]{5,})[ \t]*$"
    r"|\[(?:IMG|[^\]\n]*\.(?:png|jpe?g|svg|gif|webp)|图片：[^\]\n]*)\]"
    r"|\[[^\]\s]{2,60}\][A-Za-z]|^[ \t]*\[[\w.-]{1,40}\](?: \[[\w.-]{1,40}\])*[ \t]*$"
    r"|\\[ \t]*$"
    r"|\bLINK: GitHub\b", re.M)
_LEFT_BEHIND_NEEDED = 2
_WRAPPED_MIN = 60
_WRAPPED_LINES = 8
_INDENT = re.compile(r"^ {3}\S", re.M)
_INDENT_SHARE = 0.5
_BLOCKS_SHARE = 0.6
_SHORT = 30

_BROWSERS = "w3m -dump, links -dump or lynx -dump -nolist; or a copy re-wrapped at a fixed width"
# The tool each kind of rendered dump names in its refusal.
RENDERED = {
    "lynx-rendered": "lynx -dump",
    "html2text-rendered": "html2text",
    # Told apart by their indentation only, which a copy indented whole loses when it is
    # read (storage/transport.py takes a common indentation off).
    "indented-rendered": _BROWSERS,
    "wrapped-rendered": _BROWSERS,
}

_EXPORTS = {"export-html2text": "html2text",
            "export-rendered": "lynx -dump, links -dump or w3m -dump"}


def _rendered_tool(head: str) -> str | None:
    """Which tool dumped a copy of the page whose cards are wrapped paragraphs with no
    markup left (a Markdown copy rendered as HTML, then dumped; or the page's text re-wrapped
    by fold with blank lines between its parts), or None. Clean copies are told at once:
    a Markdown copy by its links, a select-all copy by its abstracts on one long line."""
    if len(_MD_LINKS.findall(head, 0, 16384)) >= _MD_LINKS_MAX:
        return None
    lines = head.split("\n")
    wrapped = 0
    for line in lines:
        size = len(line)
        if size > _DUMP_WIDTH and " " in line.strip() and "://" not in line and line[:1] != "#":
            return None  # a line no wrapper wrote: a paragraph on one line
        if size >= _WRAPPED_MIN:
            wrapped += 1
    if wrapped < _WRAPPED_LINES:
        return None
    if len(_PAGE_SIGNS.findall(head)) < 2:
        # The older page's bare layout (a title line, an abstract line, no count or date)
        # re-wrapped: nothing but its header says it is the page.
        return "refilled-seeds" if _bare(head) else None
    # lynx numbers the links in order from 1 ("[1]Subscribe", "[4]101"); an image's alt
    # text in brackets ("[2611]") is no such number.
    export = _export_tool(head, lines)
    if export is not None:
        return export
    numbers = {int(mark[1:-1]) for mark in _LYNX_MARK.findall(head)}
    if (numbers.issuperset(range(1, _MARKS_NEEDED + 1))
            and len(_LYNX_LINK.findall(head)) >= _MARKS_NEEDED):
        return "lynx-rendered"
    if _HTML2TEXT.search(head):
        return "html2text-rendered"
    # The page's text re-wrapped with blank lines between its parts (pandoc -t plain of a
    # select-all copy) reads as the copy; a rendered Markdown copy shows what its markup
    # left behind.
    if len(_LEFT_BEHIND.findall(head)) < _LEFT_BEHIND_NEEDED:
        return _refilled(head)
    filled = sum(1 for line in lines if line.strip())
    if len(_INDENT.findall(head)) >= _INDENT_SHARE * filled:
        return "indented-rendered"
    # A card's short parts ("·", a date, a count) each a paragraph, blank lines between
    # them: a text copy wrapped without them is the text form's (it warns that a wrapped
    # title may have lost its end).
    short = [k for k in range(len(lines) - 1) if 0 < len(lines[k].strip()) < _SHORT]
    apart = sum(1 for k in short if not lines[k + 1].strip())
    if short and apart >= _BLOCKS_SHARE * len(short):
        return "wrapped-rendered"
    return None


# A text export (URLs on their own lines, each card's authors count a link: "[\n\n2
# authors](https://huggingface.co/papers/ID)") rendered as a page: the link's text spans a
# blank line, which no Markdown renderer takes for a link, so the rendering has every
# card's "·" and date and no authors count at all (attack F47: read as the text export, 103
# of 107 authors counts lost, silently; html2text's, under its "******" title taken for a
# preamble, 30 of 107 papers).
_URL_LINE = re.compile(r"^[ \t]*https?://\S+[ \t]*$", re.M)
_LONE_DOT = re.compile(r"^[ \t]*·[ \t]*$", re.M)
_AUTHORS = re.compile(r"\b[0-9]+ authors?\b")
_EXPORT_SIGNS = 3


def _export_tool(head: str, lines: list[str]) -> str | None:
    if ("](" in head or len(_URL_LINE.findall(head)) < _EXPORT_SIGNS
            or len(_LONE_DOT.findall(head)) < _EXPORT_SIGNS or _AUTHORS.search(head)):
        return None
    # html2text writes a paragraph's lines with no blank line after it; the browsers leave one.
    filled = [k for k in range(len(lines) - 1) if lines[k].strip()]
    apart = sum(1 for k in filled if not lines[k + 1].strip())
    return "export-html2text" if apart < _BLOCKS_SHARE * len(filled) / 2 else "export-rendered"


# A copy of the page as plain text refilled: fmt, a mail client's Rewrap, or a Markdown tool
# (pandoc, prettier) reading the text as Markdown ran each card's lines into one paragraph
# and wrapped it again ("142 Lattice-KV: Compressing ... Quantizers Serving long-context
# ... families.  4 authors · Oct 1 6"). Where a title ends and its abstract begins is gone:
# read, it gave junk papers ("87 Teaching Small Models to Say...", the page's header as a
# title; attack F43). A select-all copy ends the line with the card's date ("·" / "Oct 1",
# "Carnegie Mellon University · Published on Sep 29, 2026"); here more of the card follows
# it on the line ("· Oct 1 6 87 Teaching ...", "· Published on Oct 1, 2026 Upvote 142").
# The older page's layout (the seeds') re-wrapped: read, 260-1,917 junk papers from 22-221.
_RUN_DATE = re.compile(
    r"·[ \t]+(?:Published on )?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"[a-z]*\.? [0-9]{1,2}(?:, [0-9]{4})?[ \t]+\S")
_CHROME = re.compile(r"Get trending papers in your email")
_SEEDS_AUTHORS = re.compile(r"^[ \t]*•[ \t]*[0-9]{1,6} authors?[ \t]*$", re.M)
# fmt and mail clients keep two blanks after a sentence's end; Markdown tools keep one.
_FILLED_STOP = re.compile(r"[.!?]  (?=[A-Z0-9])")
_REFILL_SIGNS = 2


def _refilled(head: str) -> str | None:
    if len(_SEEDS_AUTHORS.findall(head)) >= _REFILL_SIGNS:
        return "refilled-seeds"
    if len(_RUN_DATE.findall(head)) >= _REFILL_SIGNS:
        return "refilled-fmt" if _FILLED_STOP.search(head) else "refilled-markdown"
    return "refilled-seeds" if _bare(head) else None


def _bare(head: str) -> bool:
    """The older page's bare layout (a title line, an abstract line: no count, no date)
    wrapped: nothing but its header says it is the page. Today's page has its Daily /
    Weekly / Monthly tabs (a dump of it cut before its first card's date is no such copy)."""
    return (_CHROME.search(head) is not None and "·" not in head and "Weekly" not in head
            and _AUTHORS.search(head) is None)


_REFILLS = {
    "refilled-fmt": "by fmt or a mail client's Rewrap",
    "refilled-markdown": "by a Markdown tool (pandoc, prettier, an editor's format command) "
                         "that read the text as Markdown",
}


# A date, then what a dump put after it: lynx's link mark or pandoc's empty link, and the
# comment count.
_DATE_AND_COUNT = re.compile(
    r"^(?P<org>.*?)·(?P<date>(?:Published on )?[A-Z][a-z]{2,8}\.? [0-9]{1,2}(?:, [0-9]{4})?)"
    r"(?:(?:\[[0-9]*\])(?P<count>[0-9][0-9,.]*[kK]?))?[ \t]*$")
# A line that is only marks: a link around an image or an avatar; a list bullet with one.
_ONLY_MARKS = re.compile(r"^(?:[*•+-][ \t]*)?(?:\[[0-9]*\][ \t]*)*$")
_BULLET_TEXT = re.compile(r"^[*•+-][ \t]+(?:\[[0-9]*\][ \t]*)?(?P<text>\S.*)$")
# pandoc writes an image as its alt text in brackets: an organisation's logo before its name.
_IMAGE_ALT = re.compile(r"^\[[^\]\[]+\](?=\S)")
# The page's navigation, its words run together where its links have no space between
# them ("PreviousNext", "[15]PreviousOct 2" without the mark).
_NAV_WORDS = re.compile(r"Previous|Next|TOS|Privacy|Daily|Weekly|Monthly")
_NAV_ONLY = re.compile(r"(?:Previous|Next|TOS|Privacy|Daily|Weekly|Monthly)+")
_NAV_DATE = re.compile(r"(Previous|Next)([A-Z][a-z]{2,8}\.? [0-9]{1,2})")
_META = re.compile(r"^(?:-|[0-9][0-9,.]*[kK]?|[0-9]{1,6} authors?|·)$")


def undumped(text: str, tool: str, name: str) -> tuple[str, dict[str, str]]:
    """The dump as the page's text form, and the arXiv id of each title where the dump
    kept the links' addresses (lynx): {title: id}. A dump whose dates run into the
    comment counts is refused."""
    if tool in _REFILLS:
        raise ListingError(
            f"{name}: a plain-text copy of the page refilled {_REFILLS[tool]}: each card's "
            f"upvote count, title, abstract and date were run into one paragraph, so a title "
            f"cannot be told from its abstract; not read: import the copy as it was saved")
    if tool == "refilled-seeds":
        raise ListingError(
            f"{name}: a copy of the older page's layout re-wrapped at a fixed width (fmt, fold "
            f"or a mail client): its titles and abstracts broken over lines cannot be told "
            f"apart; not read: import the copy as it was saved")
    if tool in _EXPORTS:
        raise ListingError(
            f"{name}: a text export of the page rendered as HTML and dumped as text "
            f"({_EXPORTS[tool]}): the rendering dropped every card's authors count with its "
            f"link; not read: import the text export it was made from instead")
    if tool in RENDERED:
        raise ListingError(
            f"{name}: a text dump of the page ({RENDERED[tool]}) with every paragraph "
            f"re-wrapped and its links gone: a card's date, comment count and organisation "
            f"run together; not read: import the copy it was made from (the Markdown copy "
            f"or the saved page) instead")
    if tool == "glued":
        raise ListingError(
            f"{name}: a text dump of the page ({_TOOLS_THAT_GLUE}) that runs each card's date "
            f"into its comment count (\"Oct 16\" may be Oct 1 with 6 comments): it cannot be "
            f"read card by card; import the saved page (.html) or `lynx -dump` of it instead")
    refs: dict[int, str] = {}
    if tool == "lynx":
        found = _REFERENCES.search(text)
        if found is not None:
            refs = {int(n): url for n, url in _REF_LINE.findall(text, found.start())}
            text = text[: found.start()]
    mark = _LYNX_MARK if tool == "lynx" else re.compile(re.escape(_PANDOC_MARK))
    logical: list[str] = []
    paragraph: list[str] = []
    # The link each title line began with (lynx), to find the card's id in the references.
    links: dict[str, str] = {}
    title_link: str | None = None

    def flush() -> None:
        nonlocal title_link
        if paragraph:
            joined = " ".join(paragraph)
            logical.append(joined)
            if title_link is not None:
                links[joined] = title_link
        paragraph.clear()
        title_link = None

    for raw in text.split("\n"):
        line = raw.strip()
        if line == "-":  # no upvotes: the page's count, not a list bullet
            flush()
            logical.append(line)
            continue
        if not line or _ONLY_MARKS.match(line):
            flush()
            continue
        bullet = _BULLET_TEXT.match(line)
        if bullet is not None:
            flush()
            logical.append(bullet["text"])
            continue
        dated = _DATE_AND_COUNT.match(line)
        if dated is not None:
            flush()
            org = _organisation(dated["org"], mark, refs)
            if org:
                logical.append(org)
            logical.extend(["·", dated["date"]])
            if dated["count"]:
                logical.append(dated["count"])
            continue
        first = mark.match(line)
        if first is not None and not paragraph and tool == "lynx":
            number = int(first.group()[1:-1])
            title_link = refs.get(number)
        # A mark between two words' letters separated parts the page shows apart
        # ("[12]Daily[13]Weekly"); before text, it is only where a link was.
        parts = [part.strip() for part in mark.split(line)]
        parts = [piece for part in parts if part for piece in _nav_split(part)]
        if not parts:
            flush()
            continue
        if _META.match(parts[0]) or (len(parts) > 1 and all(len(p) < 20 for p in parts)):
            flush()
            logical.extend(parts)
            continue
        paragraph.append(" ".join(parts))
    flush()
    ids = {title: _paper_id(url) for title, url in links.items() if _paper_id(url)}
    return "\n".join(logical) + "\n", ids


def _nav_split(part: str) -> list[str]:
    """The page's navigation words run together, apart; any other text as it is."""
    if _NAV_ONLY.fullmatch(part):
        return _NAV_WORDS.findall(part)
    dated = _NAV_DATE.fullmatch(part)
    return [dated[1], dated[2]] if dated else [part]


def _organisation(before: str, mark: re.Pattern[str], refs: dict[int, str]) -> str:
    """The organisation's display name from the text before a card's "·": without the
    link mark, the logo's alt text (pandoc: "[handle]"; lynx: the handle its link names)."""
    text = before.strip()
    handle = None
    first = mark.match(text)
    if first is not None and refs:
        url = refs.get(int(first.group()[1:-1]), "")
        handle = url.rstrip("/").rsplit("/", 1)[-1] or None
    text = mark.sub("", text).strip()
    text = _IMAGE_ALT.sub("", text).strip()
    if handle and text.startswith(handle + " "):
        text = text[len(handle) + 1:]
    return text


_PAPER_URL = re.compile(r"/papers/([0-9]{4}\.[0-9]{4,5})(?:v[0-9]+)?/?$")


def _paper_id(url: str) -> str | None:
    found = _PAPER_URL.search(url)
    return found[1] if found else None
