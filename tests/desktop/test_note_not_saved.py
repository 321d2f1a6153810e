"""A note the library refused to store is never shown as saved, and is not lost
with the next paper: it stays with its paper, marked "Not saved", and is stored by
the first save that succeeds (attack.md F10)."""

from __future__ import annotations

from pathlib import Path

from storage import Library


def test_a_refused_note_says_not_saved_and_comes_back_with_its_paper(
        seeded_path: Path, make_window, press, type_text) -> None:
    with Library(seeded_path, read_only=True) as library:  # a read-only disk, as the app sees it
        window = make_window(library)
        first = window.current_id()
        press("n")
        type_text("my only copy of this thought")
        press("Esc")  # leaving saves at once: the library refuses it
        assert "read-only" in window.statusBar().currentMessage()
        assert window.reader.note_status.text() != "Saved"
        assert "not saved" in window.reader.note_status.text().lower()
        press("j")
        assert window.current_id() != first
        press("k")
        assert window.current_id() == first
        # The text is still there for the user to copy elsewhere, still marked unsaved.
        assert window.reader.note.toPlainText() == "my only copy of this thought"
        assert "not saved" in window.reader.note_status.text().lower()
        assert library.get(first).note == ""
        window.close()


def test_an_unsaved_note_is_stored_by_the_next_save_that_succeeds(
        seeded: Library, make_window, press, type_text, qtbot) -> None:
    window = make_window(seeded)
    first = window.current_id()
    pages = seeded.conn.execute("PRAGMA page_count").fetchone()[0]
    seeded.conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full
    press("n")
    type_text("read the appendix")  # the full-text index needs a new page for it
    press("Esc")
    assert "full" in window.statusBar().currentMessage()
    assert "not saved" in window.reader.note_status.text().lower()
    assert seeded.get(first).note == ""
    seeded.conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    press("j", "k")
    qtbot.waitUntil(lambda: seeded.get(first).note == "read the appendix", timeout=3000)
    qtbot.waitUntil(lambda: window.reader.note_status.text() == "Saved", timeout=3000)
