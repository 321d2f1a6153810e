"""The list's painted rows (desktop/delegates.py): note and highlight marks as tinted
pills in both themes, the picked row's bar. Checked on the grabbed pixels."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

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
