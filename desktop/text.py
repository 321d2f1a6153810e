"""Text helpers for the views: plain-text tooltips, sentences, Qt text positions.

Everything from a listing file is untrusted text. Qt guesses "rich text" for
tooltips and labels, so a tooltip is always built here: escaped, then marked rich
explicitly, so `<b>` shows as the four characters it is.
"""

from __future__ import annotations

import html
import re

from storage.safetext import BIDI_CONTROLS


def plain_tooltip(text: str, limit: int = 1200) -> str:
    """A tooltip that shows `text` exactly, whatever it contains."""
    if len(text) > limit:
        text = text[:limit] + "…"
    text = balanced_bidi(text)
    escaped = html.escape(text).replace("\n", "<br>")
    return f"<qt>{escaped}</qt>"


# Bidi embeddings, overrides and isolates. In a label that joins listing text with
# the app's own words, one unclosed override in a title or an organisation reverses
# everything after it: the For you line read `… "eltit idib live .(derrats)"`.
_BIDI_CONTROLS = dict.fromkeys(map(ord, BIDI_CONTROLS))
_BIDI_CONTROLS_SET = frozenset(BIDI_CONTROLS)
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO, closed by PDF
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI, closed by PDI
_PDF, _PDI = "\u202c", "\u2069"
# What an unpaired control becomes: invisible, ignored by the bidi algorithm (class
# BN) and one UTF-16 unit like the control, so search spans and highlight offsets
# into the title or abstract still point at the same characters.
_INERT = "\u2060"
FSI = "\u2068"
PDI = _PDI


def without_bidi_controls(text: str) -> str:
    """`text` with no bidi control left to reorder what follows it."""
    return text.translate(_BIDI_CONTROLS)


def balanced_bidi(text: str) -> str:
    """`text` with every bidi control that has no partner made inert (same length).

    An override closed in the text (RLO ... PDF) keeps its effect on what it encloses,
    as the text says; one left open would turn around the rest of the title cell, the
    ellipsis that cuts it and whatever the app paints after it, and a stray PDI would
    close the isolate the app put around the text (see `isolated`)."""
    if not any(ch in _BIDI_CONTROLS_SET for ch in text):
        return text
    chars = list(text)
    stack: list[int] = []  # positions of the open embeddings and isolates
    for position, char in enumerate(chars):
        if char in _EMBEDDINGS or char in _ISOLATES:
            stack.append(position)
        elif char == _PDF:
            # A PDF closes the innermost embedding, never across an open isolate.
            if stack and chars[stack[-1]] in _EMBEDDINGS:
                stack.pop()
            else:
                chars[position] = _INERT
        elif char == _PDI:
            opener = next((n for n in range(len(stack) - 1, -1, -1)
                           if chars[stack[n]] in _ISOLATES), None)
            if opener is None:
                chars[position] = _INERT
            else:
                # Embeddings left open inside the isolate have no partner.
                for unclosed in stack[opener + 1:]:
                    chars[unclosed] = _INERT
                del stack[opener:]
    for unclosed in stack:
        chars[unclosed] = _INERT
    return "".join(chars)


def isolated(text: str) -> str:
    """Listing text to be joined into the app's own words: balanced and put in a
    first-strong isolate, so that neither its controls nor its right-to-left letters
    move the words, quotes and numbers around it."""
    return f"{FSI}{balanced_bidi(text)}{PDI}"


_SENTENCE_END = re.compile(r"[.!?](?=[\s\"')\]]|$)[\"')\]]*\s*")


def sentence_bounds(text: str) -> list[int]:
    """Start offsets of the sentences in `text` (always starts with 0)."""
    starts = [0]
    for match in _SENTENCE_END.finditer(text):
        if match.end() < len(text):
            starts.append(match.end())
    return starts


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a selection so it neither starts nor ends with white space."""
    start, end = min(start, end), max(start, end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def utf16_to_index(text: str, position: int) -> int:
    """A Qt text position (UTF-16 code units) as an index into the Python string."""
    if text.isascii() or all(ord(ch) < 0x10000 for ch in text):
        return max(0, min(position, len(text)))
    units = 0
    for index, char in enumerate(text):
        if units >= position:
            return index
        units += 2 if ord(char) >= 0x10000 else 1
    return len(text)


def index_to_utf16(text: str, index: int) -> int:
    """A Python string index as a Qt text position (UTF-16 code units)."""
    index = max(0, min(index, len(text)))
    return index + sum(1 for char in text[:index] if ord(char) >= 0x10000)


# What may stand between two hits that read as one word: "Kolmogorov-Arnold" found by
# `kolmogorov arnold` is one wash, not two with the hyphen squeezed between them.
_JOINERS = frozenset("-‐‑/")


def join_spans(text: str, spans: list[tuple[int, int]] | tuple[tuple[int, int], ...]
               ) -> list[tuple[int, int]]:
    """Sorted `spans` with those that touch, overlap or stand a hyphen or slash apart
    joined into one."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if joined:
            last_start, last_end = joined[-1]
            gap = text[last_end:start]
            if start <= last_end or (len(gap) <= 2 and all(ch in _JOINERS for ch in gap)):
                joined[-1] = (last_start, max(last_end, end))
                continue
        joined.append((start, end))
    return joined
