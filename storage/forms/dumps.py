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
        return None
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
