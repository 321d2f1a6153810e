"""A bidi override in listing text stays inside that text: the reading pane's
lines and the toasts join listing text (a title, an organisation, a file name)
with the app's own words, and one unclosed U+202E reversed all of them after it
(the For you line read `… "eltit idib live .(derrats)"`); in the paper list it
turned the title cell around, ellipsis and all.

What is checked is what Qt lays out and paints: the pixels of a list cell, and the
visual x of each character of a label as QTextLayout (what QLabel draws with) puts it.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QFont, QImage, QTextLayout

from desktop.model import COL_TITLE
from desktop.text import balanced_bidi, isolated
from desktop.toast import toast_for
from storage import Library
from storage.learn import Why

RLO = "\u202e"
ABSTRACT = ("We route tokens to experts by a learned score and show that a small router "
            "matches a dense model at a third of the compute on four benchmarks.")
HEBREW = "\u05de\u05d5\u05d3\u05dc \u05e9\u05e4\u05d4"
TITLE = "Sparse Routing at Scale: Experts That Learn Where Every Token Should Go"


def _import(library: Library, tmp_path: Path, cards: list[dict], name: str = "l.json") -> None:
    listing = tmp_path / name
    listing.write_text(json.dumps([{"paper": c, "title": c["title"]} for c in cards]),
                       encoding="utf-8")
    report = library.import_files([listing])
    assert report.ok, report.files[0].error


def _card(number: int, title: str, **extra) -> dict:
    return {"id": f"2405.0{number:04d}", "title": title, "summary": ABSTRACT,
            "publishedAt": "2024-05-02T00:00:00Z", "upvotes": 7, **extra}


def visual_x(text: str, font: QFont) -> list[float]:
    """Where the glyph of each character of `text` stands when laid out on one line
    (-1 for a character with no glyph)."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(100_000)
    layout.endLayout()
    xs = []
    for index in range(len(text)):
        runs = [run for run in layout.glyphRuns(index, 1) if run.positions()]
        xs.append(runs[0].positions()[0].x() if runs else -1.0)
    return xs


def in_reading_order(text: str, font: QFont, words: list[str]) -> bool:
    """Whether `words` (in the order given, each found in `text` after the one
    before) are laid out left to right: each wholly right of the one before."""
    xs = visual_x(text, font)
    start, last_right = 0, float("-inf")
    for word in words:
        at = text.index(word, start)
        span = [x for x in xs[at:at + len(word)] if x >= 0]
        if min(span) < last_right:
            return False
        last_right, start = max(span), at + len(word)
    return True


def _cell(window, row: int) -> QImage:
    table = window.table
    rect: QRect = table.visualRect(window.model.index(row, COL_TITLE))
    return table.viewport().grab(rect).toImage()


def test_an_open_override_turns_no_title_cell_around(library: Library, make_window,
                                                    tmp_path: Path) -> None:
    # The same long title twice, once after an unclosed RLO; a third paper holds the
    # selection so that both rows are painted alike.
    _import(library, tmp_path, [_card(1, RLO + TITLE), _card(2, TITLE),
                                _card(3, "Another paper on routing")])
    window = make_window(library, size=(900, 600))
    rows = {window.model.paper_row(r).title: r for r in range(3)}
    window.browser.select_row(rows["Another paper on routing"])
    window.table.viewport().repaint()
    hostile, plain = _cell(window, rows[RLO + TITLE]), _cell(window, rows[TITLE])
    # The cell is narrow enough that the title is cut: the ellipsis is part of it.
    assert window.table.columnWidth(COL_TITLE) < window.table.fontMetrics().horizontalAdvance(
        TITLE)
    assert hostile == plain


def test_a_closed_override_keeps_its_effect_inside_the_title_only() -> None:
    text = f"ab{RLO}cd\u202cef"
    assert balanced_bidi(text) == text
    font = QFont()
    xs = visual_x(text, font)
    assert xs[3] > xs[4]  # "cd" reversed, as the title asks
    assert xs[6] > max(xs[:5])  # "ef" after it


def test_overrides_from_listings_reorder_no_words_of_the_app(library: Library, make_window,
                                                             tmp_path: Path) -> None:
    name = f"{RLO}evil.json"
    _import(library, tmp_path, [
        _card(1, "Sparse Routing at Scale", organization={"fullname": f"{RLO}Evil Org"}),
        _card(2, "Dense Routing at Scale", organization={"fullname": HEBREW})], name)
    window = make_window(library)
    meta = window.reader.meta
    by_title = {library.get(i).title: i for i in library.search("").ids}
    window.reader.show_paper(library.get(by_title["Sparse Routing at Scale"]))
    assert in_reading_order(meta.text(), meta.font(), ["May 2, 2024", "Evil Org", "▲ 7 upvotes"])
    # The reader's title: its own letters in their order.
    title = window.reader.title.toPlainText()
    assert in_reading_order(title, window.reader.title.font(), ["Sparse", "Routing", "Scale"])
    # A Hebrew organisation: unisolated, the "·  ▲ 7" after it took its direction
    # and was drawn left of it ("7 ▲ · <org> upvotes").
    window.reader.show_paper(library.get(by_title["Dense Routing at Scale"]))
    assert in_reading_order(meta.text(), meta.font(), ["May 2, 2024", HEBREW, "▲ 7 upvotes"])
    toast = toast_for(window)
    toast.show_message(f"Imported {name}: 1 new", f"✓ {name}: 1 paper")
    assert toast.headline.text() == "Imported evil.json: 1 new"
    assert toast.detail_text() == "✓ evil.json: 1 paper"


def test_the_why_line_keeps_its_words_around_hostile_and_right_to_left_titles(
        library: Library, make_window, tmp_path: Path) -> None:
    _import(library, tmp_path, [_card(1, "Sparse Routing at Scale")])
    window = make_window(library)
    why = window.reader.why
    hostile = Why([], [(1, f"{RLO}Sparse Routing", "starred"), (2, "Dense Models", "tagged #x")])
    window.reader.set_why(hostile.text(isolate=isolated))
    assert in_reading_order(why.text(), why.font(),
                            ["Closest to", "Sparse", "Routing", "(starred); “",
                             "Dense Models", "(tagged #x)."])
    # A Hebrew title: its letters run right to left, but the app's parentheses, the
    # semicolon and the next title stay after it (unisolated, the neutral "(" and
    # ";" joined the Hebrew run and moved).
    hebrew = HEBREW + " 2"
    rtl = Why([], [(1, hebrew, "starred"), (2, "Dense Models", "starred")])
    window.reader.set_why(rtl.text(isolate=isolated))
    assert in_reading_order(why.text(), why.font(),
                            ["Closest to", "” (starred); “", "Dense Models"])
    xs = visual_x(why.text(), why.font())
    at = why.text().index(hebrew)
    letters = xs[at:at + 4]
    assert letters == sorted(letters, reverse=True)  # the Hebrew word itself right to left
    assert max(xs[at:at + len(hebrew)]) < xs[why.text().index("” (")]
