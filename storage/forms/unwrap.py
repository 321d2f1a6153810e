"""A Markdown copy of the page that another tool wrapped at a fixed width, joined again.

``fold -s -w 80``, ``fmt``, a mail client or ``pandoc --columns`` cut every line longer than
the width where the next word would not fit. Markdown reads a paragraph's lines as one text,
but a copy's structure is in its lines: a card's organisation line ``[[logo] Kandinsky
Lab](https://huggingface.co/kandinskylab) · Published on Oct 4, 2026`` cut after its "·"
left the date on a line of its own and the organisation as "Kandinsky Lab ·"; a heading cut
after "[arXiv" lost the link that closes a trending card (attack F24: 37 field differences on
the 50 cards of the real trending clipper copy).

A line was wrapped where it is full: it reaches the width, or the next line's first word
would not have fitted on it. ``fold -s`` keeps the blank it broke at at the end of the line
(and breaks a word longer than the width at the width itself); ``fmt`` and mail clients drop
it. So a wrapped line is joined to the next as it was cut: as is after a kept blank or inside
a word, with one space where the blank was dropped. Where no blank was kept, a line that
starts a block of its own (a heading, a list item, a quote, a table row, a fence) is not a
line's end; a line ending in a hard break (a backslash, two spaces) is never wrapped.

Copies whose lines run longer than any wrapper's width (a clipper's or a scraper's copy keeps
an abstract on one line, or wraps it at 120 columns) are told from the first 16 KB.

A Markdown tool (pandoc at 72 columns, prettier ``--prose-wrap always`` at 80, an editor's
"format document") wraps the same way but never a heading, and prettier moves a whole link
to the next line: those lines may run past the width (attack F34). It also rewrites what
Markdown reads as one paragraph, which a copy kept apart on its lines; that, and what such a
tool changed or dropped for good, is put back or named in a warning (``_parts_apart``,
``_typography_undone``, ``_lost_counts``). None of it runs for a copy that is not wrapped.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

__all__ = ["unwrapped_markdown"]

_WRAP_MAX = 100
_WRAP_MIN = 40
_TOOL_MAX = 80
_HEAD = 16 * 1024
# Joints a wrapped copy has at least (a page has dozens of abstracts over many lines).
_JOINTS = 5
_GOAL = 0.93
_BLOCK_STARTS = ("#", "* ", "- ", "+ ", "> ", "|", "```", "~~~", "<")
_MARKER = re.compile(r"^[ \t]*(?:[-*+>]|[0-9]{1,3}[.)])[ \t]+")
# What a wrapper moves to the next line whole: a word, or (prettier) a whole link or image.
_UNIT = re.compile(r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\([^)\s]*\)\S*|\S+")


def unwrapped_markdown(text: str, *, name: str = "<text>",
                       warnings: list[str] | None = None) -> str | None:
    """The copy with its wrapped lines joined, or None when it is not wrapped at a fixed
    width (then it is read as it is). What the tool lost or changed for good is said in
    ``warnings``."""
    head = text[:_HEAD]
    # A Markdown tool (pandoc, prettier, an editor's "format document") wraps every
    # paragraph but never a heading: a title longer than the width is no sign.
    head_lines = head.split("\n")
    long_heading = False  # or another line no tool breaks
    for line in head_lines:
        if len(line) > _WRAP_MAX:
            if not _unbreakable(line):
                return None  # an abstract on one line: no wrapper's copy
            long_heading = True
    # Beside a title longer than any wrapper's width, a copy's own lines of up to 100
    # columns (a reference dump's abstracts) are no tool's: those wrap at 72 or 80.
    if long_heading and any(len(line) > _TOOL_MAX and _breakable(line) for line in head_lines):
        return None
    lines = text.split("\n")
    broken = len(_HYPHEN_BREAK.findall(head)) >= _HYPHEN_BREAKS
    if broken:
        lines = _unbroken(lines)
    # ``fold`` counts bytes, ``fmt`` and mail clients characters: a line with a CJK
    # character in it is shorter by one measure than by the other. The measure a wrapper
    # used is the one that finds its lines full.
    joints: list[int] = []
    width = 0
    size: Callable[[str], int] = len
    # fold -s keeps the blank it broke at (and cuts a word longer than the width at the
    # width itself); fmt and mail clients drop the blank and never cut a word. In a copy
    # fold wrapped, a line without its blank was not cut.
    kept = sum(1 for k in range(len(lines) - 1)
               if lines[k].endswith(" ") and not lines[k].endswith("  ")
               and lines[k + 1].strip()) >= _JOINTS
    breakable = [line for line in lines if _breakable(line)]
    # prettier moves a link to the next line whole; fold, fmt and pandoc break inside its
    # text ("[arXiv" / "Page](...)"). What had to fit is the next word, or the next link
    # for a copy that never breaks one.
    units = not any(line.rfind("[") > line.rfind("]") and "](" in lines[k + 1]
                    for k, line in enumerate(lines[:-1]))
    for measure in (len, _utf8_len):
        # The width: the longest line that has a blank in it (a word longer than the
        # width stays whole on a line of its own with fmt).
        found = max((measure(line) for line in breakable), default=0)
        if not _WRAP_MIN <= found <= _WRAP_MAX:
            continue
        at = [k for k in range(len(lines) - 1)
              if _wrapped(lines[k], lines[k + 1], found, measure, kept, units)]
        if len(at) > len(joints):
            joints, width, size = at, found, measure
        if text.isascii():
            break
    cut = _cut_at_width(lines)
    if cut is not None:
        joints, width, size, kept = cut, 0, len, False
    if len(joints) < _JOINTS:
        if not broken:
            return None
        joints = []
    for k in reversed(joints):
        if cut is not None:
            lines[k] += lines.pop(k + 1)  # cut inside a word, or before its blank
            continue
        line, after = lines[k], lines.pop(k + 1)
        if line.endswith(" ") or (kept and size(line) >= width and " " not in line):
            lines[k] = line + after  # the blank is there, or a word was cut at the width
        else:
            lines[k] = f"{line} {after.lstrip()}"
    text = _parts_apart("\n".join(lines))
    if _RUN_REFS.search(text) is not None:
        text = _refs_apart(text)
    if warnings is not None:
        text = _typography_undone(text, name, warnings)
        _lost_counts(text, name, warnings)
    return text


# A Markdown tool reads a copy's lines as Markdown does: a line under a paragraph is more of
# that paragraph, a line under a heading a paragraph of its own. The trending extraction
# keeps a card's parts on consecutive lines (summary, "- 8 authors", "[LINK: GitHub
# 11.3k](...)") and a long title's end on the line under its "###": pandoc runs the parts
# into the summary's paragraph ("... cache. - 9 authors [LINK: GitHub 68.1k](...)"),
# prettier runs the link into the list item, both put a blank line between a title and its
# end (attack F34: 9 titles cut, 50 authors counts lost on the real copy). Put back apart.
_LINK_PART = re.compile(r"(?<=\S) +(?=\[LINK: )")
# fmt may end a line with the item's "-" (it never fills past its goal of 93%): "... model's
# architecture.  -" / "9 authors [LINK: ...]".
_AUTHORS_PART = re.compile(r"(?<=[^\s-]) +-(?: +|[ \t]*\n)(?=[0-9]+ authors?$)", re.M)
# pandoc writes a list item "-   9 authors".
_LOOSE_ITEM = re.compile(r"^([-*+])[ \t]{2,}(?=\S)", re.M)
_TITLE_END = re.compile(r"^(#{1,6} [^\[\n][^\n]*)\n\n([^\s\[!#*>|`<-][^\n]{0,59})\n\n(?=[^\s#])",
                        re.M)
_SENTENCE_END = (".", "!", "?", ":", ";")


# What else pandoc writes its own way: raw HTML as "`<a id=...>`{=html}" (-t markdown), a
# link's address or a bare URL in angle brackets ("](<https://...>)", "<https://...>";
# -f gfm). A URL on a line of its own is a text export's link.
_RAW_HTML = re.compile(r"`(<[^`\n]*>)`\{=html\}")
# -t markdown also writes LaTeX in an abstract as raw TeX ("`\\textbf{PIE}`{=tex}") and
# escapes a caret ("k\\^2", its superscript's mark).
_RAW_TEX = re.compile(r"`([^`\n]*)`\{=(?:tex|latex)\}")
_ANGLED = re.compile(r"(?<=\]\()<([^<>\s]*)>(?=\))|<(https?://[^<>\s]+)>")


# pandoc -f gfm: a link whose text spans a blank line or begins with a list item ("[Upvote\n\n
# 117](...)", a text export's "[\n\n2 authors](...)", a firecrawl row "[- ![](...)\\\n- 3
# authors](...)", a clipper's title over two lines under "###") is no link to GFM: pandoc
# writes it as text, its brackets escaped and its address in angle brackets ("\[Upvote\n\n
# 117\](<...>)"). Nothing is lost; read with the copy's brackets (attack F34: 60 to 316
# fields of the real copies, silently).
_ESCAPED_LINK_END = re.compile(r"\\\]\(<([^<>\s]*)>\)")


def _parts_apart(text: str) -> str:
    if "\\](<" in text:
        text = _ESCAPED_LINK_END.sub(r"](\1)", text).replace("\\[", "[").replace("\\]", "]")
    if "{=html}" in text:
        text = _RAW_HTML.sub(r"\1", text)
    if "tex}" in text:
        text = _RAW_TEX.sub(r"\1", text)
    if "\\^" in text:
        text = text.replace("\\^", "^")
    if "<http" in text:
        text = _ANGLED.sub(lambda found: found[1] or found[2], text)
    if "[LINK: " in text:
        text = _LINK_PART.sub("\n", text)
    if " authors" in text:
        text = _AUTHORS_PART.sub("\n- ", text)
    text = _LOOSE_ITEM.sub(r"\1 ", text)
    return _TITLE_END.sub(_title_end, text)


# A reference dump refilled (fmt, a mail client's Rewrap) has each card's tail run into one
# line: "][37] [ * 671 authors ][38] · Mar 8, 2024 [ 6][39] [ 1 ][40]", where the dump
# wrote "][37]" / "[" / "* 671 authors" / "][38]" / "·" / "Mar 8, 2024 [ 6][39]" / "[" /
# "1" / "][40]" (attack F43: the real copy refused, "no Daily Papers listing"). A link over
# three lines joined is "[ X ][N]", blanks inside both brackets; a comment count, written
# on its date's line, "[ 6][39]".
_RUN_REFS = re.compile(r"\]\[[0-9]{1,9}\] (?:\[|· )")
_JOINED_LINK = re.compile(r"\[ ([^\[\]\n]+?) \](?=\[[0-9]{1,9}\])")
_REF_DOT = re.compile(r"(\]\[[0-9]{1,9}\]) · ")
_REF_THEN_LINK = re.compile(r"(\]\[[0-9]{1,9}\]) (?=\[)")
_DATE_THEN_LINK = re.compile(r"(?<=[0-9]) \[\n")
# The dump's title over two heading lines ("### [A ... Capable" / "### Approaches][106]"),
# and its closing fence, run on.
_HEADING_RUN = re.compile(r"^(#{1,6} \[[^\n]*?) (#{1,6} )", re.M)
_TITLE_LINES = 4
_FENCE_RUN = re.compile(r"(?<=\S) (```|~~~)[ \t]*$", re.M)


# A title whose link is not closed on its heading line goes on in the next (fmt fills toward
# 93% of the width and balances its lines: a joint the unwrapper left).
_OPEN_HEADING = re.compile(r"^(#{1,6} \[[^\]\n]*)\n(?=[^\s#\[])", re.M)


def _refs_apart(text: str) -> str:
    for _ in range(_TITLE_LINES):
        text, joined = _OPEN_HEADING.subn(r"\1 ", text)
        if not joined:
            break
    text = _JOINED_LINK.sub(r"[\n\1\n]", text)
    text = _REF_DOT.sub(r"\1\n·\n", text)
    text = _REF_THEN_LINK.sub(r"\1\n", text)
    text = _HEADING_RUN.sub(r"\1\n\2", text)
    text = _FENCE_RUN.sub(r"\n\1", text)
    return _DATE_THEN_LINK.sub("\n[\n", text)


def _title_end(found: re.Match[str]) -> str:
    """A heading's end that a tool made a paragraph of its own, under the heading again.
    A card's summary under its title is a sentence: it ends like one."""
    end = found[2]
    if end.rstrip().endswith(_SENTENCE_END) or _AUTHORS_LINE.match(end):
        return found[0]
    return f"{found[1]}\n{end}\n\n"


_AUTHORS_LINE = re.compile(r"[0-9]+ authors?$")


_CUT_SHARE = 0.6
_CUT_BAND = 8


# html2text wraps a preformatted block (a reference dump is one fenced block, rendered as
# <pre>) at 79 columns, breaking at a blank (dropped) or after a hyphen or slash (kept):
# "At the inter-" / "chunk level", "github.com/uw-syfi/" / "Murmur.", and between a title's
# "]" and its "[47]". A line a wrapper filled that ends inside a word: no other wrapper
# breaks there (fold, fmt, pandoc and prettier break at blanks only). Joined with a blank,
# 4 of the real reference dump's titles were junk papers and 16 abstracts read "inter-
# chunk", silently (attack F35's last case).
_HYPHEN_BREAK = re.compile(r"^[^\n]{59,}[A-Za-z0-9][-/]\n[A-Za-z0-9]", re.M)
_REF_ALONE = re.compile(r"\[[0-9]{1,9}\]")
_HYPHEN_BREAKS = 3


def _unbroken(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        last = out[-1] if out else ""
        in_word = (len(last) >= _BROKEN_MIN and line[:1].isalnum() and last[-1:] in "-/"
                   and last[-2:-1].isalnum())
        title_ref = last.startswith("#") and last.endswith("]") and _REF_ALONE.match(line)
        if in_word or title_ref:
            out[-1] += line
        else:
            out.append(line)
    return out


_BROKEN_MIN = 60


def _cut_at_width(lines: list[str]) -> list[int] | None:
    """The lines cut at the width itself, wherever it fell (``fold`` without ``-s``; lynx
    cuts a preformatted block at 80 columns: "parallel windo" / "ws for low latency"), or
    None. Such a copy has most of its long lines exactly as long as the width; a wrapper
    that breaks at blanks ends few of them there."""
    width = max(map(len, lines), default=0)
    if not _WRAP_MIN <= width <= _WRAP_MAX:
        return None
    at = [k for k in range(len(lines) - 1) if len(lines[k]) == width and lines[k + 1].strip()]
    near = sum(1 for line in lines if width - _CUT_BAND <= len(line) <= width)
    if len(at) < _JOINTS or len(at) < _CUT_SHARE * near:
        return None
    return at


def _unbreakable(line: str) -> bool:
    """Whether a line is one a Markdown tool leaves longer than its width: a heading, one
    that begins with an image or address longer than the width, or a short link prettier keeps whole
    (an organisation's). A scraper's abstract is one link too, but as long as a paragraph."""
    if line[:1] == "#":
        return True
    body = _MARKER.sub("", line, 1).strip()
    first = body.split(None, 1)[0] if body else ""
    if len(first) > _TOOL_MAX:
        return True  # an image or address longer than the width, alone or nearly
    unit = _UNIT.fullmatch(body)
    return unit is not None and body.find("](") <= _TOOL_MAX


def _breakable(line: str) -> bool:
    """Whether a wrapper could have broken the line: no heading, and two units after a
    list's marker (a link prettier kept whole, or a long URL, runs past the width alone)."""
    return (" " in line.strip() and not _unbreakable(line)
            and len(_UNIT.findall(_MARKER.sub("", line, 1), 0, 2 * _WRAP_MAX)) >= 2)


def _utf8_len(line: str) -> int:
    return len(line.encode("utf-8")) if not line.isascii() else len(line)


def _wrapped(line: str, after: str, width: int, size: Callable[[str], int],
             kept: bool, units: bool = False) -> bool:
    """Whether ``line`` was cut where ``after`` goes on (``size``: how the wrapper
    measured a line; ``kept``: the copy keeps the blanks it broke at). ``fold -s`` leaves
    the blank: a line that ends in one was cut there. ``fmt`` drops it: a line was cut
    where the next word would not have fitted, unless it ends a sentence and a link starts
    the next line (a trending card's "[LINK: GitHub 11.3k](...)" under its summary)."""
    if not after.strip() or line.endswith(("\\", "  ")) or not line.strip():
        return False
    start = after.lstrip()
    if after[:1] in " \t":
        return False
    if line.endswith(" "):
        # fold breaks at the last blank within the width: the next word ended at the
        # width itself, or the blank after it did not fit.
        return size(line) + size(_first(start, units)) >= width
    # An address in angle brackets (pandoc -f gfm writes a bare one so) is inline text.
    if (start.startswith(_BLOCK_STARTS) and not start.startswith("<http")
            and not (_MID_SENTENCE.match(start) and line[-1] not in _CLAUSE_ENDS)):
        return False
    if units and _MARKER.match(line):
        # prettier indents a list item's wrapped lines: a line under one at the margin was
        # on a line of its own (a trending extraction's "[LINK: GitHub ...]").
        return False
    if kept:
        # A word cut at the width, with no blank to break at.
        return size(line) >= width and " " not in line
    if start[0] == "[" and line[-1] in ".!?":
        return False
    # GNU fmt fills toward 93% of the width and balances a paragraph's lines: a line near
    # the width went on where the next word would have passed that goal.
    return size(line) + 1 + size(_first(start, units)) > width * _GOAL


# fmt knows no Markdown: a "+" or a dash inside a sentence may begin a line it filled
# ("... a dataset of instruction" / "+ program pairs into ...", "the \"telephone effect\"" /
# "- when citing papers"). No list item goes on a sentence in lower case.
_MID_SENTENCE = re.compile(r"[-+*] [a-z]")
_CLAUSE_ENDS = ".:;!?"


def _first(start: str, units: bool) -> str:
    """What a wrapper would have had to fit on the line before: the first word, or the
    whole link it begins where the wrapper never breaks inside one (prettier)."""
    if units and start[0] in "[!":
        found = _UNIT.match(start)
        if found is not None:
            return found.group()
    return start.split(None, 1)[0]


# pandoc's Markdown reader makes ASCII quotes and dashes typographic ("smart"): "NL's" became
# "NL’s", "model--harness" "model–harness". The page's texts (arXiv's) are ASCII: a copy
# with curly apostrophes after letters and not one straight one was changed throughout,
# and is read with the page's characters again (and says so).
_CURLY_APOSTROPHE = re.compile(r"(?<=\w)\u2019")
_STRAIGHT_APOSTROPHE = re.compile(r"(?<=\w)'")
_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                             "\u2013": "--", "\u2014": "---", "\u2026": "..."})
_APOSTROPHES = 2


def _typography_undone(text: str, name: str, warnings: list[str]) -> str:
    if text.isascii() or len(_CURLY_APOSTROPHE.findall(text)) < _APOSTROPHES:
        return text
    if _STRAIGHT_APOSTROPHE.search(text):
        return text  # a copy that has both kinds kept its own
    warnings.append(f"{name}: every quote and dash in the copy is typographic (\u2019 \u201c "
                    f"\u201d \u2013), as pandoc writes them: read as the page's ASCII ones "
                    f"(' \" --)")
    # A quote pandoc took for a closing one where a word runs on ('exhibits"link rot"' in
    # an abstract with a quote open before it) lost the blank before it: "exhibits”link".
    return _RUN_ON_QUOTE.sub(" \u201d", text).translate(_TYPOGRAPHY)


_RUN_ON_QUOTE = re.compile(r"(?<=[^\W\d_])\u201d(?=[^\W\d_])")


# The clipper's upvote link holds the count after a blank line ("[Upvote\n\n117](...)"),
# which is no link to a Markdown tool: pandoc keeps "[Upvote](...)" and drops the count.
_BARE_UPVOTE = re.compile(r"^\[Upvote\]\(", re.M)
_HEADING_TITLE = re.compile(r"^#{1,6} \[?([^\n]*?)(?:\]\([^)\n]*\))?[ \t]*$", re.M)
_NAMED = 3
# Words no title ends with: a title cut after one lost its end.
_PHRASE_WORDS = frozenset(("a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of",
                           "on", "or", "the", "to", "towards", "via", "with", "without"))


# A link whose text spans a blank line ("[\n\n2 authors](.../papers/2410.05434)", a text
# export's) keeps no text through pandoc: "[](...)".
_EMPTY_LINK = re.compile(
    r"^\[\]\((?:https?://huggingface\.co)?/papers/([0-9]{4}\.[0-9]{4,5})\)[ \t]*$", re.M)


def _lost_counts(text: str, name: str, warnings: list[str]) -> None:
    if "[](" in text:
        ids = list(dict.fromkeys(_EMPTY_LINK.findall(text)))
        if ids:
            more = f" and {len(ids) - _NAMED} more" if len(ids) > _NAMED else ""
            warnings.append(
                f"{name}: the tool that reformatted the copy dropped the text of {len(ids)} "
                f"cards' links (\"[](...)\"; their authors counts, say): {', '.join(ids[:_NAMED])}"
                f"{more}")
    if "[Upvote](" not in text:
        return
    headings = [(found.start(), found[1]) for found in _HEADING_TITLE.finditer(text)]
    starts = [start for start, _ in headings]
    titles: dict[str, None] = {}
    for found in _BARE_UPVOTE.finditer(text):
        # The card's title: the last heading above its upvote link.
        at = bisect.bisect(starts, found.start()) - 1
        titles[headings[at][1] if at >= 0 else "?"] = None
    if not titles:
        return
    named = ", ".join(f'"{title}"' for title in list(titles)[:_NAMED])
    more = f" and {len(titles) - _NAMED} more" if len(titles) > _NAMED else ""
    warnings.append(f"{name}: the upvote counts of {len(titles)} cards were dropped by the "
                    f"tool that reformatted the copy (\"[Upvote]\" with no number): {named}"
                    f"{more}; their upvotes are left empty")
    # The same pandoc keeps only the first line of a clipper's title link written over two
    # lines under its "###" ("### [... Serving with" / "PagedAttention](...)"): the title's
    # end is nowhere in the file (attack F34: 7 of the real copy's 50). Which titles were
    # wrapped cannot be told; those that end mid-phrase were.
    cut = [title for _, title in headings
           if title.split()[-1:] and title.split()[-1].lower() in _PHRASE_WORDS]
    cut = list(dict.fromkeys(cut))
    named = "".join(f'; "{title}" ends mid-phrase' for title in cut[:_NAMED])
    more = f" and {len(cut) - _NAMED} more do" if len(cut) > _NAMED else ""
    warnings.append(f"{name}: the tool that reformatted the copy kept only the first line of a "
                    f"title the copy wrapped over two lines: a title may have lost its end"
                    f"{named}{more} (the whole title is in the copy it was made from)")

