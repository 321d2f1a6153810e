"""The `l` chooser's look in a real window with the app's stylesheet."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from desktop.snooze import SnoozeChooser


def test_no_empty_band_under_the_last_choice(window, press, qtbot) -> None:
    """~25 px of nothing sat between "Someday" and the hint (a real window)."""
    press("l")
    qtbot.waitUntil(lambda: any(isinstance(w, SnoozeChooser) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    [chooser] = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, SnoozeChooser) and w.isVisible()]
    last = chooser.list.visualItemRect(chooser.list.item(chooser.list.count() - 1))
    bottom = chooser.list.viewport().mapTo(chooser, QPoint(0, last.bottom())).y()
    hint_top = chooser.hint.mapTo(chooser, QPoint(0, 0)).y()
    assert 0 <= hint_top - bottom <= 12, (bottom, hint_top)
    # Every choice is shown whole: none cut or scrolled.
    assert chooser.list.verticalScrollBar().maximum() == 0
    assert last.bottom() < chooser.list.viewport().height()
    press("Escape")
