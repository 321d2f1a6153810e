"""The tag popup's hint says what its keys do in this library (desktop/dialogs.py
TagDialog), by real key presses in a real window."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel

from desktop.dialogs import TagDialog
from storage import Library


def _open(press, qtbot) -> TagDialog:
    press("t")
    qtbot.waitUntil(lambda: any(isinstance(w, TagDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, TagDialog) and w.isVisible())
    qtbot.waitUntil(dialog.input.hasFocus)
    return dialog


def _hints(dialog: TagDialog) -> list[str]:
    return [label.text() for label in dialog.findChildren(QLabel)
            if label.objectName() == "popupHint"]


def test_the_first_tag_of_a_library_is_not_told_of_highlights_and_completion(
        window, seeded: Library, press, type_text, qtbot) -> None:
    """With no tag yet the hint read "Enter takes the highlighted tag · Tab completes ·
    Esc, then Enter keeps what you typed": nothing was highlighted, nothing completed."""
    assert seeded.tags() == []
    dialog = _open(press, qtbot)
    assert _hints(dialog) == ["Enter makes the tag · comma for several"]
    type_text("kan, graphs")
    press("Return")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    assert set(seeded.get(window.current_id()).tags) == {"kan", "graphs"}
    press("j")
    dialog = _open(press, qtbot)  # now there are tags to take and complete
    assert _hints(dialog)[0].startswith("Enter takes the highlighted tag · Tab completes")
    press("Escape")
