"""A card's AI summary shown beside its abstract, with the highlights made on it.

A trending card is read by its summary (the caret view shows it in the abstract's
place, and highlights go on it: `Annotation.field == "ai_summary"`). When a later
copy brings the card's abstract, the abstract becomes the body and the summary a
quieter aside above it: its highlights are drawn there, in their colours, so that
what the user marked stays in sight (it was listed but drawn nowhere), and the one
jumped to from the highlight list is marked as the caret view marks its own.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtGui import QColor

from desktop.theme import Theme
from storage.models import Annotation


def _blend(top: QColor, under: QColor, share: float) -> str:
    """`top` laid over `under` at `share` opacity, as one opaque colour: the caret
    view marks the active highlight with its mark colour at alpha 120, which rich
    text (one colour per span) cannot layer."""
    return QColor(round(top.red() * share + under.red() * (1 - share)),
                  round(top.green() * share + under.green() * (1 - share)),
                  round(top.blue() * share + under.blue() * (1 - share))).name()


def summary_html(text: str, search_spans: Sequence[tuple[int, int]],
                 annotations: Sequence[Annotation], theme: Theme,
                 active: int | None = None) -> str:
    """`text` as rich text: each highlight's span in its colour and underlined in its
    mark colour (the active one stronger), the search's matches washed as in the
    abstract (strong where inside a highlight), every piece escaped; "" when there is
    nothing to draw (the caller shows plain text)."""
    size = len(text)
    marks = [a for a in annotations if not a.orphaned and 0 <= a.start < a.end <= size]
    spans = [(max(0, a), min(size, b)) for a, b in search_spans if b > a]
    if not text or not (marks or spans):
        return ""
    cuts = sorted({0, size, *(a.start for a in marks), *(a.end for a in marks),
                   *(a for a, _ in spans), *(b for _, b in spans)})
    base = theme.colour("base")
    out = []
    for start, end in pairwise(cuts):
        piece = html.escape(text[start:end])
        mark = next((a for a in marks if a.start <= start and end <= a.end), None)
        hit = any(a <= start and end <= b for a, b in spans)
        style = []
        if mark is not None:
            background = (_blend(theme.mark(mark.colour), base, 120 / 255)
                          if mark.id == active else theme.highlight(mark.colour).name())
            if hit:
                background = theme.colour("search_hit_strong").name()
                style.append(f"color: {theme.colour('search_hit_text').name()}")
            style += [f"background-color: {background}", "text-decoration: underline"]
        elif hit:
            style.append(f"background-color: {theme.colour('search_hit').name()}")
        out.append(f'<span style="{"; ".join(style)}">{piece}</span>' if style else piece)
    return "".join(out).replace("\n", "<br>")
