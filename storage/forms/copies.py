"""Two copies of the page saved by different tools and glued into one file.

``cat ref-dump.md text-urls.md`` (with or without a line end between) gives one text whose
head is one copy's form; read whole as that form, the other copy's papers were dropped
without a word (attack F26). Each copy of the page carries the page's chrome line
"Get trending papers in your email inbox once a day!" once, after its own header (front
matter, a "# Web source" block, a clipper's title and source lines). Where a text holds
more than one such line, each copy begins at its header (or at the chrome line when no
header is near), and copies whose form or header differ are read each on its own, as
two files would be.

Copies of one shape (two pastes of the same page, ``cat day1.txt day2.txt``) are left to
the one reader of their form, as before: it already reads them as their papers, once each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Copy", "split_copies"]

_CHROME = "Get trending papers in your email inbox once a day!"

# A copy's own header, which comes before its chrome line. Not anchored at a line start:
# glued without a line end, the header's first line ends the other copy's last line.
_HEADERS = re.compile(
    r"(?P<front>---[ \t]*\n(?=[A-Za-z_][\w-]*:[ \t]))"
    r"|(?P<websource>(?<!#)# Web source[ \t]*\n)"
    r"|(?P<jina>Title:[^\n]*\n+URL Source:)"
    r"|(?P<h1src>(?<!#)# [^\n]*\n+(?:- Source|- URL:|\*\*URL:\*\*))"
    # The page copied as text: the site's navigation, logo then "Models".
    r"|(?P<nav>(?<!\[)Hugging Face[ \t]*\n\s*Models[ \t]*\n)"
    # No header: the badge line over the chrome line.
    r"|(?P<badge>(?<![A-Za-z])new[ \t]*\n\s*(?=Get trending papers))"
)

# How far before its chrome line a copy's header may begin: the longest real header
# (a reference dump's navigation) is under 1,000 characters, a text export's under 800.
_HEADER_REACH = 8000


@dataclass(frozen=True, slots=True)
class Copy:
    """One copy's text, where it begins in the whole, and how its header looks."""

    text: str
    start: int
    header: str


def _header_before(text: str, low: int, anchor: int) -> tuple[int, str]:
    """Where the copy whose chrome line is at ``anchor`` begins, not before ``low``."""
    lo = max(low, anchor - _HEADER_REACH)
    found = _HEADERS.search(text, lo, anchor)
    if found is None:
        return anchor, "none"
    kind = found.lastgroup or "none"
    if kind == "h1src":
        # The line under the title tells the tool: a clipper's "- Source", a reader's
        # "- URL:", an extraction's "**URL:**".
        kind += ":" + found.group()[-8:]
    return found.start(), kind


def split_copies(text: str) -> list[Copy]:
    """The copies of the page ``text`` holds, in order; one copy when it holds one."""
    anchors: list[int] = []
    at = text.find(_CHROME)
    while at != -1:
        anchors.append(at)
        at = text.find(_CHROME, at + len(_CHROME))
    if len(anchors) < 2:
        return [Copy(text, 0, "none")]
    starts: list[tuple[int, str]] = []
    low = 0
    for index, anchor in enumerate(anchors):
        if index == 0:
            # The first copy begins at the text's start; its header names its shape.
            _, header = _header_before(text, 0, anchor)
            starts.append((0, header))
        else:
            starts.append(_header_before(text, low, anchor))
        low = anchor + len(_CHROME)
    copies: list[Copy] = []
    for (start, header), (end, _) in zip(starts, [*starts[1:], (len(text), "")], strict=True):
        copies.append(Copy(text[start:end], start, header))
    return copies
