"""Text helpers for the views: plain-text tooltips, search-term spans, sentences.

Everything from a listing file is untrusted text. Qt guesses "rich text" for
tooltips and labels, so a tooltip is always built here: escaped, then marked rich
explicitly, so `<b>` shows as the four characters it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"\w+", re.UNICODE)
_FILTER = re.compile(r"^-?[A-Za-z]+:")
_QUERY_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_OPERATORS = {"OR", "AND", "NOT", "NEAR"}


def plain_tooltip(text: str, limit: int = 1200) -> str:
    """A tooltip that shows `text` exactly, whatever it contains."""
    if len(text) > limit:
        text = text[:limit] + "…"
    escaped = html.escape(text).replace("\n", "<br>")
    return f"<qt>{escaped}</qt>"


def query_terms(query: str) -> list[str]:
    """The words of a query worth highlighting: no filters, no excluded words."""
    terms: list[str] = []
    for token in _QUERY_TOKEN.findall(query):
        if token.startswith("-") or token in _OPERATORS:
            continue
        if _FILTER.match(token):
            field, _, value = token.partition(":")
            if field.lower() not in ("title", "abstract", "note"):
                continue
            token = value
        terms.extend(w for w in _WORD.findall(token.strip('"')) if len(w) > 1 or w.isdigit())
    return terms


def term_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Where the terms stand in `text`: each as a word prefix, case-insensitive.

    A prefix match is what porter stemming and as-you-type prefixes find
    (`network` marks "networks"); overlapping spans are merged.
    """
    words = sorted({t.casefold() for t in terms if t}, key=len, reverse=True)
    if not words or not text:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\w*",
                         re.IGNORECASE | re.UNICODE)
    spans = [(m.start(), m.end()) for m in pattern.finditer(text)]
    return merge_spans(spans)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Spans to highlight: the search engine's own matcher if it has one."""
    try:
        from storage.search import highlight_spans as engine_spans  # type: ignore[attr-defined]
    except ImportError:
        return term_spans(text, terms)
    try:
        return merge_spans((int(s), int(e)) for s, e in engine_spans(text, list(terms)))
    except Exception:
        return term_spans(text, terms)


def corrected_query(query: str, corrections: Sequence[tuple[str, str]]) -> str:
    """The query with each corrected word replaced by what was searched instead."""
    fixed = query
    for typed, used in corrections:
        fixed = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", used, fixed, count=1)
    return fixed


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
