"""Care of the library file that must not hold up the window: the integrity check
of a large library and the daily backup, run after the first paint on a thread of
their own, and the offer to restore a backup when the file is found damaged."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from storage import Library, LibraryCorrupt, LibraryError, restore_backup
from storage.library import QUICK_CHECK_BELOW_BYTES

# How the routine note begins: the window lets it wait behind what it is saying.
BACKED_UP = "Backed up the library to "


class Maintenance(QObject):
    """Checks (when open did not) and backs up the library on a worker thread.

    `damaged(message)` fires if the check finds damage; the Library then refuses
    every write in this process, so the window can only tell the user and offer a
    backup. `finished(note)` carries a line for the status bar, or ""; `notices`
    what the Library said it did on its own (a weekly backup of a huge library).
    """

    damaged = Signal(str)
    finished = Signal(str)
    notices = Signal(list)  # what the Library said it did on its own (Library.notices)

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="winnow-maintenance",
                                       daemon=True)
        self.thread.start()

    def _run(self) -> None:
        # Its own connection: sqlite3 connections belong to the thread that uses them.
        note = ""
        try:
            # An import, delete or take-back a kill cut short is the removal runner's to
            # finish, with its progress dialog (desktop/removing.py), not this thread's.
            with Library(self.db_path, check=False, finish_cut_short=False) as library:
                if self.db_path.stat().st_size >= QUICK_CHECK_BELOW_BYTES:
                    library.check(quick=True)
                made = library.daily_backup()
                if made is not None:
                    note = f"{BACKED_UP}{made}"
                if library.notices:
                    self.notices.emit(list(library.notices))
        except LibraryCorrupt as error:
            self.damaged.emit(str(error))
            return
        except (LibraryError, OSError) as error:
            note = f"Daily backup skipped: {error}"
        self.finished.emit(note)


def offer_restore(parent: QWidget | None, db_path: Path, message: str) -> bool:
    """Tell the user the library is damaged and offer to restore a backup; True if one
    was restored (the caller opens the library again)."""
    box = QMessageBox(QMessageBox.Icon.Critical, "The library is damaged", message, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    restore = box.addButton("Restore a backup…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit" if parent is None else "Close", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not restore:
        return False
    folder = db_path.parent / "backups"
    chosen, _ = QFileDialog.getOpenFileName(parent, "Restore which backup?",
                                            str(folder if folder.is_dir() else db_path.parent),
                                            "Winnow libraries (*.db);;All files (*)")
    if not chosen:
        return False
    try:
        papers, kept = restore_backup(db_path, chosen)
    except LibraryError as error:
        failed = QMessageBox(QMessageBox.Icon.Warning, "Nothing was restored", str(error),
                             parent=parent)
        failed.setTextFormat(Qt.TextFormat.PlainText)
        failed.exec()
        return False
    done = QMessageBox(QMessageBox.Icon.Information, "Backup restored",
                       f"Restored {papers} papers from {chosen}."
                       + (f"\nThe damaged file is kept at {kept}." if kept else ""),
                       parent=parent)
    done.setTextFormat(Qt.TextFormat.PlainText)
    done.exec()
    return True
