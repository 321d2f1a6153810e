"""Dialogs of the triage loop open as cards inside the window, not as windows of
their own: the cheat sheet (which must fit 1280x800 whole) and the comment editor."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QDialog

from desktop.dialogs import CheatSheet, CommentDialog


def _open_dialog(kind: type[QDialog]) -> QDialog | None:
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, kind) and w.isVisible()), None)


def _inside(dialog: QDialog, window) -> bool:
    area = QRect(window.mapToGlobal(window.rect().topLeft()), window.size())
    return area.contains(dialog.frameGeometry())


@pytest.mark.parametrize("size", [(1280, 800), (960, 600)])
def test_cheat_sheet_is_a_card_that_fits_the_window(seeded, make_window, press, qtbot,
                                                    size) -> None:
    window = make_window(seeded, size=size)
    press("?")
    qtbot.waitUntil(lambda: _open_dialog(CheatSheet) is not None)
    sheet = _open_dialog(CheatSheet)
    assert sheet.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert _inside(sheet, window)
    if size == (1280, 800):
        QApplication.processEvents()
        # Every command is on screen: nothing hides below a scroll bar.
        assert sheet.scroll.verticalScrollBar().maximum() == 0
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and QApplication.focusWidget().window() is sheet)
    press("?")
    qtbot.waitUntil(lambda: _open_dialog(CheatSheet) is None)


def test_comment_editor_is_a_card_over_the_window(seeded, make_window, press,
                                                  qtbot) -> None:
    window = make_window(seeded)
    press("v", "v", "w", "w", "a")
    qtbot.waitUntil(lambda: _open_dialog(CommentDialog) is not None)
    dialog = _open_dialog(CommentDialog)
    assert dialog.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert _inside(dialog, window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.edit)
    qtbot.keyClicks(dialog.edit, "why it matters")
    press("Return")
    qtbot.waitUntil(lambda: _open_dialog(CommentDialog) is None)
    [annotation] = seeded.annotations(window.current_id())
    assert annotation.comment == "why it matters"
