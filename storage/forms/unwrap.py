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
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["unwrapped_markdown"]

_WRAP_MAX = 100
_WRAP_MIN = 40
_HEAD = 16 * 1024
# Joints a wrapped copy has at least (a page has dozens of abstracts over many lines).
_JOINTS = 5
_GOAL = 0.93
_BLOCK_STARTS = ("#", "* ", "- ", "+ ", "> ", "|", "```", "~~~", "<")


def unwrapped_markdown(text: str) -> str | None:
    """The copy with its wrapped lines joined, or None when it is not wrapped at a fixed
    width (then it is read as it is)."""
    head = text[:_HEAD]
    if max(map(len, head.split("\n"))) > _WRAP_MAX:
        return None  # an abstract on one line: no wrapper's copy
    lines = text.split("\n")
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
    for measure in (len, _utf8_len):
        # The width: the longest line that has a blank in it (a word longer than the
        # width stays whole on a line of its own with fmt).
        found = max((measure(line) for line in lines if " " in line.strip()), default=0)
        if not _WRAP_MIN <= found <= _WRAP_MAX:
            continue
        at = [k for k in range(len(lines) - 1)
              if _wrapped(lines[k], lines[k + 1], found, measure, kept)]
        if len(at) > len(joints):
            joints, width, size = at, found, measure
        if text.isascii():
            break
    if len(joints) < _JOINTS:
        return None
    for k in reversed(joints):
        line, after = lines[k], lines.pop(k + 1)
        if line.endswith(" ") or (kept and size(line) >= width and " " not in line):
            lines[k] = line + after  # the blank is there, or a word was cut at the width
        else:
            lines[k] = f"{line} {after.lstrip()}"
    return "\n".join(lines)


def _utf8_len(line: str) -> int:
    return len(line.encode("utf-8")) if not line.isascii() else len(line)


def _wrapped(line: str, after: str, width: int, size: Callable[[str], int],
             kept: bool) -> bool:
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
        return size(line) + size(start.split(None, 1)[0]) >= width
    if start.startswith(_BLOCK_STARTS):
        return False
    if kept:
        # A word cut at the width, with no blank to break at.
        return size(line) >= width and " " not in line
    if start[0] == "[" and line[-1] in ".!?":
        return False
    # GNU fmt fills toward 93% of the width and balances a paragraph's lines: a line near
    # the width went on where the next word would have passed that goal.
    return size(line) + 1 + size(start.split(None, 1)[0]) > width * _GOAL
