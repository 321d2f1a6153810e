"""Triage commands (desktop/actions/triage.py) by real key presses: undo/redo, unread and
star, selection, the note, open on the web."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication

from storage import Library


def focus():
    return QApplication.focusWidget()


def test_undo_and_redo_every_triage_action(window, seeded: Library, press) -> None:
    first = window.current_id()
    press("s", "r")
    assert seeded.get(first).read and seeded.get(first).starred
    press("ctrl+z")
    assert not seeded.get(first).read and seeded.get(first).starred
    press("ctrl+z")
    assert not seeded.get(first).starred
    press("ctrl+shift+z")
    assert seeded.get(first).starred
    press("ctrl+y")
    assert seeded.get(first).read
    # The row repaints from the library, not from what the view guessed.
    row = window.model.row_of(first)
    assert window.model.paper_row(row).read and window.model.paper_row(row).starred


def test_u_marks_unread_and_s_toggles_the_star(window, seeded: Library, press) -> None:
    first = window.current_id()
    press("r", "k", "u")  # back to the Inbox, and on to the next
    assert not seeded.get(first).read and seeded.get(first).state == "inbox"
    press("k", "s")
    assert seeded.get(first).starred
    press("s")
    assert not seeded.get(first).starred


def test_x_selects_and_actions_apply_to_the_selection(window, seeded: Library,
                                                      press) -> None:
    ids = window.model.ids
    press("x", "j", "j", "x", "j", "x")
    assert window.model.marked == {ids[0], ids[2], ids[3]}
    assert "3 selected" in window.panel.view_count.text()
    press("s")
    assert all(seeded.get(i).starred for i in (ids[0], ids[2], ids[3]))
    assert not seeded.get(ids[1]).starred
    press("r")  # marks read, clears the selection
    assert all(seeded.get(i).read for i in (ids[0], ids[2], ids[3]))
    assert not window.model.marked
    press("ctrl+z")  # one undo takes back the whole bulk action
    assert not any(seeded.get(i).read for i in (ids[0], ids[2], ids[3]))
    press("x", "Esc")
    assert not window.model.marked


def test_n_edits_the_note_and_it_saves_as_typed(window, seeded: Library, press, type_text,
                                                qtbot) -> None:
    first = window.current_id()
    press("n")
    assert focus() is window.reader.note
    type_text("Read the appendix")
    qtbot.waitUntil(lambda: seeded.get(first).note == "Read the appendix", timeout=3000)
    type_text(" twice")
    press("Esc")  # leaving saves at once
    assert focus() is window.table
    assert seeded.get(first).note == "Read the appendix twice"
    assert window.model.paper_row(window.model.row_of(first)).has_note


def test_note_is_saved_when_moving_to_another_paper(window, seeded: Library, press,
                                                    type_text) -> None:
    first = window.current_id()
    press("n")
    type_text("draft")
    window.table.setFocus()
    press("j")
    assert seeded.get(first).note == "draft"
    assert window.reader.note.toPlainText() == ""


def test_o_opens_a_web_search_for_the_title(window, seeded: Library, press) -> None:
    press("o")
    [url] = window.opened_urls
    assert isinstance(url, QUrl) and url.host() == "huggingface.co"
    assert seeded.get(window.current_id()).title in url.query(QUrl.ComponentFormattingOption
                                                              .FullyDecoded)
