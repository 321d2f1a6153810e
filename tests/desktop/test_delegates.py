"""The list's painted rows (desktop/delegates.py): note and highlight marks as tinted
pills in both themes, the picked row's bar. Checked on the grabbed pixels."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from desktop.model import COL_READ, COL_TITLE
from storage import Library


def _distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


def _count_near(image, rect: QRect, colour: QColor, tolerance: int = 60) -> int:
    rect = rect.intersected(image.rect())
    return sum(1 for x in range(rect.left(), rect.right() + 1)
               for y in range(rect.top(), rect.bottom() + 1)
               if _distance(image.pixelColor(x, y), colour) <= tolerance)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_note_and_highlight_marks_are_visible(seeded: Library, make_window, monkeypatch,
                                              theme: str) -> None:
    monkeypatch.setenv("WINNOW_THEME", theme)
    window = make_window(seeded)
    pid = window.model.ids[1]
    seeded.set_note(pid, "read the appendix")
    seeded.annotate(pid, 0, 20)
    window.model.refresh_ids([pid])
    QApplication.processEvents()
    image = window.table.viewport().grab().toImage()
    cell = window.table.visualRect(window.model.index(1, COL_TITLE))
    end = QRect(cell.right() - 60, cell.top(), 60, cell.height())
    base = image.pixelColor(cell.center().x(), cell.bottom() - 1)  # the row's own colour
    for key in ("mark_highlight", "mark_note"):
        mark = window.theme.colour(key)
        # Each mark stands on a pill tinted with its colour, with the glyph in it.
        tint = QColor(*(int(b + (m - b) * 48 / 255) for m, b in
                        ((mark.red(), base.red()), (mark.green(), base.green()),
                         (mark.blue(), base.blue()))))
        assert _count_near(image, end, tint, 12) >= 60, key
        assert _count_near(image, end, mark, 90) >= 2, key


def test_a_picked_row_keeps_its_unread_dot(window, press) -> None:
    press("x")
    model = window.model
    assert model.data(model.index(0, COL_READ)) == "●"
    QApplication.processEvents()
    image = window.table.viewport().grab().toImage()
    cell = window.table.visualRect(model.index(0, COL_READ))
    bar = QRect(cell.left(), cell.top() + 6, 4, cell.height() - 12)
    assert _count_near(image, bar, window.theme.colour("accent"), 30) >= bar.width() * 4


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_search_wash_reads_the_same_on_the_selected_row(library: Library, make_window,
                                                            qtbot, press, monkeypatch,
                                                            theme: str) -> None:
    """The wash lies under the title's letters in the theme's own colour, on the
    selected row as on the others (laid over the text it turned brown-grey on the
    selection's blue), and the letters stay in the row's text colour on top of it."""
    from collections import Counter

    monkeypatch.setenv("WINNOW_THEME", theme)
    for title in ("Routing Tokens to Experts", "Routing Attention at Length"):
        report = library.import_text(f"{title}\nWe route every token by a learned score.\n")
        assert report.ok, report.error
    window = make_window(library)
    press("/")
    qtbot.keyClicks(window.search, "routing")
    press("Return")
    qtbot.waitUntil(lambda: not window.browser.search_typing and window.model.rowCount() == 2)
    table = window.table
    assert table.selectionModel().isRowSelected(0)
    QApplication.processEvents()
    image = table.viewport().grab().toImage()
    theme_colours = window.theme.colour
    for row, text_colour in ((0, "selection_text"), (1, "text")):
        index = window.model.index(row, COL_TITLE)
        option = QStyleOptionViewItem()
        option.initFrom(table)
        option.rect = table.visualRect(index)
        option.font = table.font()
        option.widget = table
        [hit] = window.panel.paper_delegate.title_matches(option, index)
        colours = Counter(image.pixelColor(x, y).name()
                          for x in range(hit.left(), hit.right() + 1)
                          for y in range(hit.top(), hit.bottom() + 1))
        wash = QColor(colours.most_common(1)[0][0])
        assert wash == theme_colours("search_hit"), (row, wash.name())
        # The word is drawn over the wash in the row's text colour (bold, unread).
        inked = _count_near(image, hit, theme_colours(text_colour), 90)
        assert inked >= hit.width(), (row, inked)
    selection = image.pixelColor(table.visualRect(window.model.index(0, COL_TITLE))
                                 .adjusted(0, 2, 0, 0).topRight() - QPoint(30, 0))
    assert _distance(selection, theme_colours("selection")) <= 12, selection.name()


def _cell(image, table, model, title: str):
    row = next(r for r in range(model.rowCount())
               if model.index(r, COL_TITLE).data() == title)
    return image.copy(table.visualRect(model.index(row, COL_TITLE)))


def _columns_that_differ(one, other) -> tuple[int, int]:
    xs = [x for x in range(one.width()) for y in range(one.height())
          if one.pixelColor(x, y) != other.pixelColor(x, y)]
    assert xs, "the two cells are painted the same"
    return min(xs), max(xs)


def test_the_wash_of_a_right_to_left_word_lies_where_the_word_is_painted(
        library: Library, make_window, qtbot, press) -> None:
    """A Hebrew run is painted right to left: its first word in the string stands at
    the run's right end. The wash was placed by the width of the text before the word
    in the string (logical order), so it lay on the other word. Where each word is
    painted is read from the pixels: two titles that differ only in one word (its
    letters reversed, the same glyphs and widths) differ only where that word is."""
    match, other = "ספר", "דגל"
    titles = {"plain": f"Model {match} {other}", "other moved": f"Model {match} {other[::-1]}",
              "match moved": f"Model {match[::-1]} {other}"}
    for n, title in enumerate(titles.values()):
        report = library.import_text(f"{title}\nAn abstract about nothing in particular {n}.\n")
        assert report.ok, report.error
    window = make_window(library)
    press("g a")
    table, model = window.table, window.model
    table.clearSelection()
    table.setCurrentIndex(model.index(-1, -1))
    QApplication.processEvents()
    image = table.viewport().grab().toImage()
    cells = {key: _cell(image, table, model, title) for key, title in titles.items()}
    match_left, match_right = _columns_that_differ(cells["plain"], cells["match moved"])
    _other_left, other_right = _columns_that_differ(cells["plain"], cells["other moved"])
    assert other_right < match_left  # the string's first Hebrew word is painted right

    press("/")
    window.search.setText(match)  # QTest types Latin keys only
    press("Return")
    qtbot.waitUntil(lambda: not window.browser.search_typing and model.rowCount() == 2)
    table.clearSelection()
    table.setCurrentIndex(model.index(-1, -1))
    QApplication.processEvents()
    image = table.viewport().grab().toImage()
    hit = window.theme.colour("search_hit")
    for key in ("plain", "other moved"):
        cell = _cell(image, table, model, titles[key])
        washed = [x for x in range(cell.width()) for y in range(cell.height())
                  if cell.pixelColor(x, y) == hit]
        assert washed, key
        # Over the matched word's letters, and clear of the other word's.
        assert min(washed) <= match_left + 1 and max(washed) >= match_right - 1, \
            (key, min(washed), max(washed), match_left, match_right)
        assert min(washed) > other_right, (key, min(washed), other_right)
