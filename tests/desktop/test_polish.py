"""Review findings on the window's look and feel, checked on the real widgets:
what the search box shows after leaving a search, and the library's notices on open."""

from __future__ import annotations

import signal
import sqlite3
from contextlib import closing
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from desktop.toast import Toast
from storage import Library
from tests.conftest import SEEDS
from tests.reliability.conftest import TEST_BATCH, read_only, start_winnow, wait_for, write_listing


def _clear_button_shown(window) -> bool:
    """The search box's trailing button (its ⊗), as Qt shows and hides it."""
    box = window.search
    trailing = [b for b in box.findChildren(QToolButton)
                if b.geometry().left() > box.width() // 2]
    assert len(trailing) == 1
    return trailing[0].isVisible()


def test_leaving_a_search_by_a_view_key_takes_the_clear_button_away(window, press,
                                                                     qtbot) -> None:
    assert not _clear_button_shown(window)
    press("/")
    qtbot.keyClicks(window.search, "agent")
    press("Return")
    qtbot.waitUntil(lambda: window.browser.search_query == "agent")
    assert _clear_button_shown(window)
    press("g", "i")
    qtbot.waitUntil(lambda: window.panel.view_title.text() == "Inbox")
    assert window.search.text() == ""
    # The button fades out over a few frames, then hides.
    qtbot.waitUntil(lambda: not _clear_button_shown(window), timeout=3000)


def _import_cut_short(path: Path, listing: Path) -> None:
    """A real `winnow import` stopped between two batch commits, then killed: what a
    crash or a power cut leaves for the next open to take back."""
    with closing(read_only(path)) as conn:
        before = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    start = start_winnow("import", str(listing), db=path)
    try:
        with closing(read_only(path)) as conn:  # a batch of it committed
            wait_for(lambda: conn.execute("SELECT count(*) FROM papers").fetchone()[0]
                     >= before + TEST_BATCH // 2 or start.poll() is not None, timeout=60)
        lock = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            lock.execute("BEGIN IMMEDIATE")  # the importer is between batches now
            start.send_signal(signal.SIGSTOP)
            [status] = lock.execute("SELECT status FROM sources ORDER BY id DESC").fetchone()
            lock.execute("ROLLBACK")
        finally:
            lock.close()
        assert status == "importing", "the import finished before it could be stopped"
    finally:
        start.kill()
        start.communicate()


def test_what_opening_the_library_did_is_told_in_a_toast(tmp_path: Path, make_window,
                                                          qtbot) -> None:
    path = tmp_path / "library.db"
    with Library(path) as lib:
        assert lib.import_files([SEEDS[0]]).ok
    listing = write_listing(tmp_path / "big.txt", 8 * TEST_BATCH)
    _import_cut_short(path, listing)
    library = Library(path)  # recovers the import, as the app's start does
    window = None
    try:
        [notice] = library.notices
        assert "big.txt" in notice and "taken back" in notice
        window = make_window(library)
        qtbot.waitUntil(lambda: (toast := window.findChild(Toast)) is not None
                        and toast.isVisible(), timeout=5000)
        toast = window.findChild(Toast)
        assert toast.headline.text() == notice
        assert window.statusBar().currentMessage() == notice
        assert library.notices == []  # told once
        # The keyboard stays on the list: the toast takes no focus.
        assert window.table.hasFocus()
    finally:
        if window is not None:
            window.close()
        library.close()


def test_a_weekly_backup_is_announced_in_the_window(seeded_path: Path, make_window, qtbot,
                                                    monkeypatch) -> None:
    """The app's own backup (on its maintenance thread) says so when a library is too
    big for a daily copy, as `winnow` commands do on stderr."""
    from desktop.maintenance import Maintenance

    monkeypatch.setenv("WINNOW_BACKUP_LARGE_BYTES", "1000")  # the samples count as huge
    library = Library(seeded_path)
    window = None
    try:
        window = make_window(library)
        maintenance = Maintenance(seeded_path, window)
        maintenance.notices.connect(window.show_notices)
        notes: list[str] = []
        maintenance.finished.connect(notes.append)
        maintenance.start()
        qtbot.waitUntil(lambda: bool(notes), timeout=30_000)
        assert notes[0].startswith("Backed up the library to ")
        qtbot.waitUntil(lambda: (toast := window.findChild(Toast)) is not None
                        and toast.isVisible(), timeout=5000)
        toast = window.findChild(Toast)
        assert "backup is made once a week, not daily" in toast.headline.text()
        assert str(seeded_path) in toast.headline.text()
    finally:
        if window is not None:
            window.close()
        library.close()


def _wrapped_lines(label, width: int) -> list[str]:
    """The lines a word-wrapped plain label breaks its text into at `width` (the
    same QTextLayout rules QLabel uses)."""
    from PySide6.QtGui import QTextLayout, QTextOption

    lines = []
    for paragraph in label.text().split("\n"):
        layout = QTextLayout(paragraph, label.font())
        layout.setTextOption(QTextOption(Qt.AlignmentFlag.AlignLeft))
        option = layout.textOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            lines.append(paragraph[line.textStart():line.textStart() + line.textLength()])
        layout.endLayout()
    return lines


def test_the_welcome_never_wraps_a_key_away_from_its_words(tmp_path: Path, make_window,
                                                            qtbot) -> None:
    """The welcome toast, in a real window, read "· t tags · /" and then "searches" on
    the next line: a key with no word. Each key stays with what it does and a "·"
    never starts a line, at the toast's width and narrower ones."""
    from desktop.app import welcome

    library = Library(tmp_path / "library.db")
    try:
        window = make_window(library)
        welcome(window)
        qtbot.waitUntil(lambda: (toast := window.findChild(Toast)) is not None
                        and toast.isVisible(), timeout=60_000)
        details = window.findChild(Toast).details
        assert "/ searches" in details.text().replace("\u00a0", " ")
        # The status line says it as the toast does: no paper "updated" in an empty
        # library ("415 new papers, 4 updated from 5 listings", a real window).
        assert window.statusBar().currentMessage() == (
            "Imported 415 papers from the five sample listings")
        keys = {"j", "/", "k", "e", "t", "?"}
        for width in (details.contentsRect().width(), 420, 360, 300, 250):
            lines = _wrapped_lines(details, width)
            assert len(lines) > 2
            for line in lines:
                words = line.split()
                assert words[-1] not in keys, (width, lines)
                assert words[0] != "·", (width, lines)
    finally:
        library.close()


def test_a_routine_backup_does_not_push_away_the_status_line(seeded_path: Path,
                                                             make_window, qtbot) -> None:
    """A first start said "415 new papers … from 5 listings" and 1.5 s later the
    status bar said only "Backed up the library to /home/…/library-daily-….db"."""
    from desktop.maintenance import Maintenance

    library = Library(seeded_path)
    try:
        window = make_window(library)
        said = "415 new papers, 4 updated from 5 listings"
        window.flash(said, 60_000)
        maintenance = Maintenance(seeded_path, window)
        notes: list[str] = []
        maintenance.finished.connect(notes.append)
        maintenance.finished.connect(window.maintenance_note)
        maintenance.start()
        qtbot.waitUntil(lambda: bool(notes), timeout=30_000)
        assert notes[0].startswith("Backed up the library to ")
        assert window.statusBar().currentMessage() == said
        window.statusBar().clearMessage()  # nothing said: the note shows
        window.maintenance_note(notes[0])
        assert window.statusBar().currentMessage() == notes[0]
        window.flash(said, 60_000)  # a skipped backup shows whatever is said
        window.maintenance_note("Daily backup skipped: disk full")
        assert window.statusBar().currentMessage() == "Daily backup skipped: disk full"
    finally:
        library.close()
