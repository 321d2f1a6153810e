"""Copies of the page saved by different tools and glued into one file.

``cat ref-dump.md text-urls.md`` (with or without a line end between) gives one text whose
head is one copy's form; read whole as that form, the other copy's papers were dropped
without a word (attack F26). A copy of the page is found by what every copy carries once:

- the page's chrome line "Get trending papers in your email inbox once a day!" (or the
  older page's shorter "... inbox!"), after its own header (front matter, a "# Web source"
  block, a clipper's title and source lines, the site's navigation, the "new" badge);
- a saved HTML page (``<!DOCTYPE html>`` to ``</html>``) or an API JSON document (one or
  more JSON values one after another): each is one copy whatever text it quotes, and what
  follows it is another;
- YAML front matter, which a clipper writes first even where it kept no chrome.

Copies of one shape (two pastes of the same page, ``cat day1.txt day2.txt``) are left to
the one reader of their form, as before: it already reads them as their papers, once each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Copy", "foreign_start", "holds_card", "other_marks", "split_copies"]

_CHROME = "Get trending papers in your email inbox once a day!"
# The older page's variant (the seeds' layout); a copy may carry both, one under the other.
_CHROME_SHORT = "Get trending papers in your email inbox!"
_CHROME_START = "Get trending papers in your email inbox"
_CHROME_TAILS = (_CHROME[len(_CHROME_START):], _CHROME_SHORT[len(_CHROME_START):])

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

# Headers an abstract can hold too: nothing, or a line "new" over the chrome line.
_WEAK = ("none", "badge")

# How far before its chrome line a copy's header may begin: the longest real header
# (a reference dump's navigation) is under 1,000 characters, a text export's under 800.
_HEADER_REACH = 8000

# YAML front matter: "---", "key: value" lines with a page's key among them, "---".
_FRONT = re.compile(r"---[ \t]*\n(?=[A-Za-z_][\w-]*:[ \t])")
_FRONT_BODY = re.compile(r"(?:[ \t]*(?:[A-Za-z_][\w-]*:.*|-[ \t].*|)\n){1,40}?---[ \t]*(?:\n|$)")
_FRONT_KEYS = re.compile(r"^(?:title|url|source|retrieved|created|captured):", re.M)

# Where a saved HTML page begins and ends (the tags as browsers write them).
_HTML_TAG = re.compile(r"<(?:!DOCTYPE html|!doctype html|!DOCTYPE HTML|html|HTML)")
_HTML_CLOSE = ("</html>", "</HTML>")
# An API document's first object: "{" then its first key (a list's "[" may come before).
_JSON_OBJECT = re.compile(r'\{\s*"')
_BLANKS = re.compile(r"[\s\ufeff]*")

# What a card leaves between a copy's header and the next copy's: the "·" before its date,
# a "###" title, "N authors". A copy's own header (navigation, badge) has none of these.
_CARD_SIGN = re.compile(r"(?:^|\s)·(?:\s|$)|^#{3} |^[ \t]*[0-9]{1,6} authors?[ \t]*$", re.M)

# Chrome lines closer than this (in characters that are not blanks) are one copy's:
# the older page shows the long line over the short one.
_SAME_CHROME = 40


@dataclass(frozen=True, slots=True)
class Copy:
    """One copy's text, where it begins in the whole, and how its header looks; ``lead``:
    how much of its text is a preamble before its header (lines that hold no card)."""

    text: str
    start: int
    header: str
    lead: int = 0


def _header_before(text: str, low: int, anchor: int) -> tuple[int, str]:
    """Where the copy whose chrome line is at ``anchor`` begins, not before ``low``."""
    lo = max(low, anchor - _HEADER_REACH)
    # The badge's look-ahead reads the chrome line itself.
    found = _HEADERS.search(text, lo, anchor + len(_CHROME_SHORT))
    if found is not None and found.start() >= anchor:
        found = None
    if found is None:
        return anchor, "none"
    kind = found.lastgroup or "none"
    if kind == "h1src":
        # The line under the title tells the tool: a clipper's "- Source", a reader's
        # "- URL:", an extraction's "**URL:**".
        kind += ":" + found.group()[-8:]
    return found.start(), kind


def _chrome_lines(text: str) -> Iterator[int]:
    """Where a chrome line (either variant) stands on a line of its own in ``text``, or
    at the end of another copy's last line (glued without a line end) with more of the
    page's chrome under it; never where an abstract quotes it inside a sentence."""
    # One search for what both variants begin with: a page of megabytes is searched once.
    at = text.find(_CHROME_START)
    while at != -1:
        rest = at + len(_CHROME_START)
        for tail in _CHROME_TAILS:
            if text.startswith(tail, rest):
                after = rest + len(tail)
                line_end = text.find("\n", after)
                line_end = len(text) if line_end == -1 else line_end
                if not text[after:line_end].strip() and (
                        at == 0 or text[at - 1] == "\n" or _chrome_follows(text, line_end)):
                    yield at
                break
        at = text.find(_CHROME_START, rest)


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def _chrome_follows(text: str, pos: int) -> bool:
    """The next line that is not blank is more of the page's chrome."""
    rest = text[pos:pos + 400].lstrip()
    return rest.startswith(("Get trending papers", "Subscribe", "Daily Papers",
                            "Trending Papers", "by AK", "byAK"))


def _front_at(text: str, at: int) -> int | None:
    """The end of the front matter that begins at ``at``, or None when it is none."""
    head = _FRONT.match(text, at)
    if head is None:
        return None
    body = _FRONT_BODY.match(text, head.end())
    if body is None or _FRONT_KEYS.search(text, head.end(), body.end()) is None:
        return None
    return body.end()


# A span of the text in which nothing can begin a copy: the cards a one-pass reader matched
# when none of their free texts holds "<" or a line "---" (storage/forms/onepass.py's
# Probe); it begins at a line's start. Its marks' searches leave it out: the two
# regular-expression searches of a page of 20k trending cards cost a twentieth of its parse.
Quiet = tuple[int, int] | None


def _search(pattern: re.Pattern[str], text: str, pos: int, quiet: Quiet) -> re.Match[str] | None:
    """``pattern.search(text, pos)``, for a pattern no match of which begins in ``quiet``
    and none of which spans a line end but after its first line (a front matter's "---"
    line, a tag): one that begins before the span ends within the span's first line."""
    if quiet is not None:
        start, end = quiet
        if pos < start:
            first_line = text.find("\n", start)
            found = pattern.search(text, pos, len(text) if first_line < 0 else first_line)
            if found is not None and found.start() < start:
                return found
            pos = end
        elif pos < end:
            pos = end
    return pattern.search(text, pos)


def _fronts(text: str, quiet: Quiet = None) -> Iterator[tuple[int, int]]:
    """(start, end) of every front matter block in the text."""
    found = _search(_FRONT, text, 0, quiet)
    while found is not None:
        end = _front_at(text, found.start())
        if end is not None:
            yield found.start(), end
        found = _search(_FRONT, text, end if end is not None else found.end(), quiet)


def _html_open(text: str, pos: int, quiet: Quiet = None) -> int | None:
    """Where the next saved page begins: its doctype anywhere (glued to another copy's last
    line), or an ``<html`` tag at a line's start with the page's head or body after it
    (an abstract that writes "<html>" is text)."""
    found = _search(_HTML_TAG, text, pos, quiet)
    while found is not None:
        at = found.start()
        if found.group()[1] == "!" or (
                (at == 0 or text[at - 1] == "\n")
                and text[at + 5:at + 6] in (">", " ", "\n", "\t")
                and any(tag in text[at:at + 4000].lower() for tag in ("<head", "<body"))):
            return at
        found = _search(_HTML_TAG, text, found.end(), quiet)
    return None


def _html_end(text: str, at: int) -> int:
    """Where the saved page that begins at ``at`` ends: after its ``</html>``, else at the
    text's end (a page cut short)."""
    ends = [found for close in _HTML_CLOSE if (found := text.find(close, at)) != -1]
    return min(ends) + len("</html>") if ends else len(text)


def _api_value(value: object) -> bool:
    """A value the API answers with: a list of entries or papers, or one paper."""
    if isinstance(value, dict):
        return isinstance(value.get("paper"), dict) or ("id" in value and "title" in value)
    return isinstance(value, list) and any(
        isinstance(entry, dict) and (isinstance(entry.get("paper"), dict) or "title" in entry)
        for entry in value)


def _json_end(text: str, at: int) -> int | None:
    """Where the API documents that begin at ``at`` end (JSON Lines, or ``cat a.json
    b.json``: one copy), or None when no API document begins there."""
    decoder = json.JSONDecoder()
    end = None
    pos = at
    while pos < len(text) and text[pos] in "[{":
        try:
            value, after = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError):
            break
        if not _api_value(value):
            break
        end = after
        pos = _BLANKS.match(text, after).end()  # type: ignore[union-attr]
    return end


def _json_start(text: str, brace: int) -> int:
    """Where the document whose first object opens at ``brace`` begins: at a "[" before
    it (blanks between), else at the brace."""
    before = brace
    while before > 0 and text[before - 1] in " \t\r\n":
        before -= 1
    return before - 1 if before > 0 and text[before - 1] == "[" else brace


def _key_before(text: str, colon: int) -> bool:
    """The ":" at ``colon`` follows a JSON key (``"paper": {``), not a sentence (a mail's
    "Alice wrote:" above a response)."""
    at = colon
    while at > 0 and text[at - 1] in " \t\r\n":
        at -= 1
    return at > 0 and text[at - 1] == '"'


def _documents(text: str, quiet: Quiet = None) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every saved HTML page and API document in the text, in
    order; what they quote (the chrome line, "{") is theirs."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    while (at := _html_open(text, pos, quiet)) is not None:
        end = _html_end(text, at)
        found.append((at, end, "html"))
        pos = end
    # "{" is rare outside JSON (a formula's braces): found by the fastest search there is.
    at = text.find("{")
    while at != -1:
        inside = next((end for start, end, _ in found if start <= at < end), None)
        if inside is not None:
            at = text.find("{", inside)
            continue
        if _JSON_OBJECT.match(text, at) is None:
            at = text.find("{", at + 1)
            continue
        start = _json_start(text, at)
        before = start
        while before > 0 and text[before - 1] in " \t\r\n":
            before -= 1
        if before > 0 and (text[before - 1] in ",[" or (
                text[before - 1] == ":" and _key_before(text, before - 1))):
            # An entry inside a list or object (one cut short: the API's reader names
            # where), not a document of its own.
            at = text.find("{", at + 1)
            continue
        end = _json_end(text, start)
        if end is None:
            at = text.find("{", at + 1)
            continue
        found.append((start, end, "api"))
        at = text.find("{", end)
    return sorted(found)


def split_copies(text: str, headers: bool = False, quiet: Quiet = None) -> list[Copy]:
    """The copies of the page ``text`` holds, in order; one copy when it holds one. The
    first holds the text's preamble (its ``lead``) where lines that hold no card stand
    before its header. ``quiet``: a span no front matter or saved page begins in (see
    Quiet), left out of their searches."""
    marks = _marks(text, headers, quiet)
    starts: list[tuple[int, str]] = []
    # Whether the copy being read met its chrome (or is a document) yet, and where its
    # header ended: the next copy's header begins after it, at the earliest.
    chromed = False
    low = 0
    for at, kind, end in marks:
        if kind.startswith(_HEADED):
            # A reader's or clipper's title block, with or without chrome under it: a copy
            # of its own, unless it stands in the header of the copy begun (no card
            # between, within a header's reach).
            if starts and at - starts[-1][0] < _HEADER_REACH and _CARD_SIGN.search(
                    text, starts[-1][0], at) is None:
                continue
            starts.append((at, kind[len(_HEADED):]))
            chromed, low = False, end
            continue
        if kind in ("html", "api", "front"):
            # What follows a document is its own unless another copy's sign begins there
            # (its reader says what is wrong with "<html>rate limited</html>" after JSON).
            starts.append((at, kind))
            chromed, low = kind != "front", end
            continue
        if not starts:
            starts.append(_header_before(text, 0, at))
        elif not chromed:
            # The first chrome line after front matter or a document: its copy's own,
            # unless cards stand between (a clipper's page without chrome came first).
            begun = starts[-1][0]
            head, header = _header_before(text, low, at)
            if _CARD_SIGN.search(text, begun, head) is not None and (
                    header not in _WEAK or _chrome_follows(text, _line_end(text, at))):
                starts.append((head, header))
        else:
            head, header = _header_before(text, low, at)
            # No header before it but the badge, if that: a copy that begins with the
            # chrome line (the older page's) has the rest of the chrome under it; an
            # abstract that quotes the line on a line of its own begins nothing.
            if header not in _WEAK or _chrome_follows(text, _line_end(text, at)):
                starts.append((head, header))
        chromed, low = True, end
    if not starts:
        return [Copy(text, 0, "none")]
    lead = 0
    if starts[0][0] != 0:
        if holds_card(text, starts[0][0]):
            starts.insert(0, (0, "none"))
        else:
            # A preamble (a note's title and a sentence, a mail's "On Mon, ... wrote:", a
            # fence's opening line, a header a tool ran into one paragraph): the first
            # copy's own, as a reader takes the lines above a copy without a header. As a
            # part of its own it was a junk paper or refused the file (attack F38).
            lead = starts[0][0] if text[: starts[0][0]].strip() else 0
            starts[0] = (0, starts[0][1])
    if len(starts) == 1:
        return [Copy(text, 0, starts[0][1], lead)]
    ends = [start for start, _ in starts[1:]] + [len(text)]
    return [Copy(text[start:end], start, header, lead if k == 0 else 0)
            for k, ((start, header), end) in enumerate(zip(starts, ends, strict=True))]


# What says a text before the first copy's header is a copy (or a card) of its own, not
# the copy's preamble: a card's signs, the older layout's "• N authors", a paper's link.
_OWN_CARD = re.compile(r"^[ \t]*•[ \t]*[0-9]{1,6} authors?|/papers/[0-9]{4}\.[0-9]{4,5}", re.M)


def holds_card(text: str, end: int) -> bool:
    """The text before ``end`` (where the first copy's header begins) holds a card."""
    return (_CARD_SIGN.search(text, 0, end) is not None
            or _OWN_CARD.search(text, 0, end) is not None)


def _marks(text: str, headers: bool = False, quiet: Quiet = None
           ) -> list[tuple[int, str, int]]:
    """(where, what, where it ends) of each sign of a copy's start, in order: a document,
    a copy's chrome line (the short one under the long one is the same copy's), front
    matter, a reader's title block (``headers``: past the head too, see _headed). A chrome
    line or front matter quoted inside a document is the document's."""
    documents = _documents(text, quiet)
    marks = [(start, kind, end) for start, end, kind in documents]

    def outside(at: int) -> bool:
        return not any(start <= at < end for start, end, _ in documents)

    previous = None  # where the last chrome line ended
    for at in _chrome_lines(text):
        if not outside(at):
            continue
        end = text.find("!", at) + 1
        same = previous is not None and at - previous < 20 * _SAME_CHROME and len(
            "".join(text[previous:at].split())) <= _SAME_CHROME
        previous = end
        if not same:
            marks.append((at, "chrome", end))
    marks.extend((start, "front", end) for start, end in _fronts(text, quiet)
                 if outside(start))
    marks.extend(mark for mark in _headed(text, headers) if outside(mark[0]))
    marks.sort()
    return marks


# The title blocks of readers and clippers that keep no chrome: a copy of their own after
# another copy (`cat seeds.txt reader.md`), found in the text's head, or anywhere in the
# seeds' layout (which streams, and its reader would take their lines for papers). Found
# by their second line, which starts a line even where the first is glued to another
# copy's last line: one scan for a line-start literal; the whole pattern over a page cost
# more than parsing it.
_HEADED = "headed:"
_STRONG = re.compile(
    r"(?P<websource>(?<!#)# Web source[ \t]*\n)"
    r"|(?P<jina>Title:[^\n]*\n+URL Source:)"
    r"|(?P<h1src>(?<!#)# [^\n]*\n+(?:- Source|- URL:|\*\*URL:\*\*))")
_SECOND = re.compile(r"\n(?:- Source|- URL:|\*\*URL:\*\*|URL Source:)")
# How far before its second line a title block may begin ("# Web source", blank, "- URL").
_TITLE_BACK = 1000
_STRONG_HEAD = 64 * 1024


def _headed(text: str, whole: bool) -> Iterator[tuple[int, str, int]]:
    """(where, "headed:" + kind, where it ends) of each reader's or clipper's title block:
    in the head, or (``whole``) anywhere."""
    high = len(text) if whole else min(len(text), _STRONG_HEAD)
    last = -1
    for hit in _SECOND.finditer(text, 0, high):
        found = _STRONG.search(text, max(last + 1, hit.start() - _TITLE_BACK), hit.end())
        if found is None or found.start() <= last:
            continue
        last = found.start()
        kind = found.lastgroup or "none"
        if kind == "h1src":
            kind += ":" + found.group()[-8:]
        yield found.start(), _HEADED + kind, found.end()


def other_marks(text: str) -> bool:
    """The text holds a sign of a copy that is no JSON: a chrome line, front matter or a
    saved page (a JSON response quoting one in a string says yes: then it is split)."""
    return (next(_chrome_lines(text), None) is not None or _FRONT.search(text) is not None
            or _html_open(text, 0) is not None)


def foreign_start(text: str) -> int | None:
    """Where in ``text`` another copy of the page begins that is not in
    the seeds' older layout; None when there is none. For the seeds' layout, which streams
    and so never reaches :func:`split_copies`: only copies of other forms need finding."""
    from storage.forms import detect  # the detector imports this module

    for copy in split_copies(text, headers=True)[1:]:
        # A header the older page never had (front matter, a reader's or clipper's title
        # block, a document) is another form's, however little of a listing follows it.
        if copy.header not in ("badge", "none") or detect(copy.text) != "seeds":
            return copy.start
    return None
