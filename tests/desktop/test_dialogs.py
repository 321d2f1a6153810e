"""Dialogs (desktop/dialogs.py) open as cards inside the window, not as windows of their
own: the cheat sheet (which must fit 1280x800 whole), the comment editor, and the tag
dialog with its completer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from desktop.dialogs import (
    CheatSheet,
    CommandPalette,
    CommentDialog,
    GoToPaper,
    TagDialog,
)
from storage import Library


def focus():
    return QApplication.focusWidget()


def dialog_of(kind):
    widget = focus()
    return widget.window() if widget is not None and isinstance(widget.window(), kind) else None



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
    # Over the list, clear of the reading pane and the highlight being commented
    # (centred on the window, the card hid the start of the abstract).
    reader = QRect(window.reader.mapToGlobal(window.reader.rect().topLeft()),
                   window.reader.size())
    assert not dialog.frameGeometry().intersects(reader)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.edit)
    qtbot.keyClicks(dialog.edit, "why it matters")
    press("Return")
    qtbot.waitUntil(lambda: _open_dialog(CommentDialog) is None)
    [annotation] = seeded.annotations(window.current_id())
    assert annotation.comment == "why it matters"


def test_t_tags_with_a_completer_and_creates_new_tags(window, seeded: Library, press,
                                                      type_text, qtbot) -> None:
    other = window.model.ids[5]
    seeded.add_tags([other], ["reinforcement-learning"])
    window.ops.refresh_counts()
    first = window.current_id()
    press("t")
    qtbot.waitUntil(lambda: dialog_of(TagDialog) is not None)
    dialog = dialog_of(TagDialog)
    completer = dialog.completer
    type_text("reinf")
    qtbot.waitUntil(lambda: completer.popup().isVisible())
    assert completer.currentCompletion() == "reinforcement-learning"
    press("Tab")                    # complete, and stay to type more
    assert dialog.input.text() == "reinforcement-learning" and dialog.isVisible()
    type_text(", brand new")
    press("Return")
    qtbot.waitUntil(lambda: focus() is window.table)
    assert set(seeded.get(first).tags) == {"reinforcement-learning", "brand new"}
    assert ("brand new", 1) in seeded.tags()
    press("ctrl+z")
    assert seeded.get(first).tags == ()


def test_enter_takes_the_highlighted_completion(window, seeded: Library, press,
                                               type_text, qtbot) -> None:
    seeded.add_tags([window.model.ids[7]], ["safety"])
    first = window.current_id()
    press("t")
    qtbot.waitUntil(lambda: dialog_of(TagDialog) is not None)
    dialog = dialog_of(TagDialog)
    popup = dialog.completer.popup()
    for char in "sa":  # at a person's pace: the list updates between the keys
        type_text(char)
        qtbot.wait(60)
    qtbot.waitUntil(lambda: popup.isVisible())
    assert dialog.input.text() == "sa"             # typing is never overwritten
    assert dialog.highlighted().data() == "safety"  # what is highlighted ...
    press("Return")                                 # ... is what Enter applies
    qtbot.waitUntil(lambda: focus() is window.table)
    assert seeded.get(first).tags == ("safety",)
    assert "sa" not in [name for name, _ in seeded.tags()]


def test_escape_closes_the_completions_and_enter_keeps_the_typed_name(
        window, seeded: Library, press, type_text, qtbot) -> None:
    seeded.add_tags([window.model.ids[7]], ["safety"])
    first = window.current_id()
    press("t")
    qtbot.waitUntil(lambda: dialog_of(TagDialog) is not None)
    dialog = dialog_of(TagDialog)
    type_text("sa")
    qtbot.waitUntil(lambda: dialog.completer.popup().isVisible())
    press("Esc")
    assert dialog.isVisible() and dialog.input.text() == "sa"
    press("Return")
    qtbot.waitUntil(lambda: focus() is window.table)
    assert seeded.get(first).tags == ("sa",)


def test_t_with_a_minus_removes_a_tag(window, seeded: Library, press, type_text,
                                      qtbot) -> None:
    seeded.add_tags([window.model.ids[3]], ["older"])
    first = window.current_id()
    seeded.add_tags([first], ["old", "keep"])
    press("t")
    qtbot.waitUntil(lambda: dialog_of(TagDialog) is not None)
    type_text("-old")  # the completer offers "old"; Enter applies what was typed
    press("Return")
    qtbot.waitUntil(lambda: focus() is window.table)
    assert seeded.get(first).tags == ("keep",)


def test_cheat_sheet_shows_every_binding_of_a_command(seeded, make_window, press,
                                                      qtbot) -> None:
    """Ctrl+Y and Ctrl+Shift+P were left out: two long bindings did not fit one line."""
    make_window(seeded)
    press("?")
    qtbot.waitUntil(lambda: _open_dialog(CheatSheet) is not None)
    sheet = _open_dialog(CheatSheet)
    caps = {label.text() for label in sheet.findChildren(QLabel)
            if label.objectName() == "keycap"}
    assert {"Ctrl+Shift+Z", "Ctrl+Y", "Ctrl+K", "Ctrl+Shift+P", "j", "?"} <= caps
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and QApplication.focusWidget().window() is sheet)
    press("?")
    qtbot.waitUntil(lambda: _open_dialog(CheatSheet) is None)


def test_a_palette_search_that_matches_nothing_says_so(window, press, type_text,
                                                       qtbot) -> None:
    """Ctrl+K, a mistyped "undo_this import": an empty box, and Enter did nothing
    without a word (real X server walk). It says nothing matches, in plain text, and
    the list comes back as the text is corrected."""
    press("ctrl+k")
    qtbot.waitUntil(lambda: dialog_of(CommandPalette) is not None)
    palette = dialog_of(CommandPalette)
    type_text("undo_this <b>import")
    assert palette.list.count() == 0 and not palette.list.isVisible()
    assert palette.nothing.isVisible()
    assert palette.nothing.textFormat() == Qt.TextFormat.PlainText
    assert palette.nothing.text() == ("No command matches “undo_this <b>import” · "
                                      "Backspace to change it, Esc to close")
    press("Return")
    assert palette.isVisible()  # nothing ran
    palette.input.setText("undo")
    assert palette.list.count() > 0 and palette.list.isVisible()
    assert not palette.nothing.isVisible()
    palette.input.setText("")  # an empty field lists every command, no message
    assert palette.list.count() > 10 and not palette.nothing.isVisible()
    press("Escape")
    qtbot.waitUntil(lambda: not palette.isVisible())


def test_go_to_paper_that_matches_nothing_says_so(window, press, type_text, qtbot) -> None:
    press("ctrl+p")
    qtbot.waitUntil(lambda: dialog_of(GoToPaper) is not None)
    popup = dialog_of(GoToPaper)
    assert not popup.nothing.isVisible()  # nothing typed yet: no message
    type_text("qqqzzzxxx")
    qtbot.waitUntil(lambda: popup.nothing.isVisible())
    assert popup.nothing.text() == "No paper's title is like “qqqzzzxxx”"
    press("Escape")
