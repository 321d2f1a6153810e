"""Starting the desktop app, and the scripted-screenshot mode used for docs and tests."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import (
    QElapsedTimer,
    QMessageLogContext,
    QObject,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop import theme as themes
from desktop.keys import KeyNameError, config_dir, key_press_parts, parse_binding
from desktop.maintenance import Maintenance, offer_restore
from desktop.toast import toast_for
from desktop.window import MainWindow
from storage import Library, LibraryCorrupt, LibraryError
from storage.integrity import NewLibrary

ORGANISATION = "Winnow"
APPLICATION = "Winnow"
SCREENSHOT_SIZE = (1280, 800)
SCREENSHOT_TIMEOUT_MS = 60_000
# The check and backup wait until the window is up and the first paper shown.
MAINTENANCE_DELAY_MS = 1500


def _application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "winnow"])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setDesktopFileName("winnow")
    app.setWindowIcon(themes.app_icon())
    return app


def settings_for(directory: Path | None = None) -> QSettings:
    """The GUI's own settings (geometry, splitter, columns, theme): `gui.ini`."""
    directory = directory or config_dir()
    return QSettings(str(directory / "gui.ini"), QSettings.Format.IniFormat)


def parse_keys(keys: Sequence[str] | None) -> list[str]:
    """Key names as given on the command line ("g i" is two keys) -> strokes."""
    strokes: list[str] = []
    for item in keys or ():
        strokes.extend(parse_binding(item) if item.strip() else ("Space",))
    return strokes


def run_gui(db_path: Path, *, import_samples_if_new: bool, screenshot: Path | None = None,
            search: str | None = None, keys: list[str] | None = None) -> int:
    """Open the library at `db_path` in the main window; returns the exit code.

    With `screenshot`, runs offscreen-friendly at a fixed size: optional `search`,
    then each of `keys` as a real key press, waits for the window to settle, saves
    the PNG and returns 0 (errors: one line on stderr, 1).
    """
    if screenshot is not None:
        try:
            strokes = parse_keys(keys)
        except KeyNameError as error:
            print(f"winnow: {error}", file=sys.stderr)
            return 1
    if screenshot is not None:
        _quiet_offscreen_plugin()
    app = _application()
    fresh = NewLibrary(db_path)
    library = _open_library(db_path, interactive=screenshot is None)
    if library is None:
        return 1
    try:
        interactive = screenshot is None
        window = MainWindow(library, settings=settings_for() if interactive else None,
                            interactive=interactive)
        first_start = import_samples_if_new and library.is_empty()
        if screenshot is not None:
            window.resize(*SCREENSHOT_SIZE)
        window.show()
        window.activateWindow()
        window.focus_list()
        if first_start:
            welcome(window)
        if screenshot is None:
            maintenance = Maintenance(db_path, window)
            maintenance.damaged.connect(lambda message: _tell_damaged(window, message))
            maintenance.finished.connect(window.maintenance_note)
            maintenance.notices.connect(window.show_notices)
            QTimer.singleShot(MAINTENANCE_DELAY_MS, maintenance.start)
            return app.exec()
        shooter = Screenshot(window, Path(screenshot), search, strokes)
        QTimer.singleShot(0, shooter.start)
        app.exec()
        if shooter.error:
            print(f"winnow: {shooter.error}", file=sys.stderr)
            return 1
        return 0
    finally:
        library.close()
        # A first start whose import brought nothing (closed while it ran, or
        # refused) leaves no empty library behind: the next start is a first start.
        fresh.discard()


# What the offscreen platform says about window-manager features it lacks. It is
# not about Winnow and not actionable, so a scripted screenshot does not print it.
_OFFSCREEN_NOISE = ("This plugin does not support",)


def _quiet_offscreen_plugin() -> None:
    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if message.startswith(_OFFSCREEN_NOISE):
            return
        print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


# A key and what it does never wrap apart: "t tags · /" then "searches" on the next
# line read as a key "/" with no word (seen in a real window). No-break spaces hold them.
NBSP = "\u00a0"
WELCOME_KEYS = f"{NBSP}· ".join(
    text.replace(" ", NBSP, key_words) for text, key_words in (
        ("j / k move down and up", 3), ("e marks it done and shows the next", 1),
        ("t tags", 1), ("/ searches", 1), ("? shows every key", 1)))


def welcome(window: MainWindow) -> None:
    """First start: import the sample listings, then say once what happened and how
    to begin. (A first start is a default library that did not exist: it happens
    once per library.)"""
    window.flash("Welcome to Winnow — importing the sample listings…")

    def imported(report: object, _summary: bool) -> None:
        window.importer.done.disconnect(imported)
        files = [f for f in getattr(report, "files", []) if f.ok]
        papers = window.library.stats().get("total", 0)
        words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
        listings = words[len(files)] if len(files) < len(words) else str(len(files))
        # The import's own line, "415 new papers, 4 updated from 5 listings", counted
        # papers "updated" in a library that was empty (4 samples are in two listings).
        window.flash(f"Imported {papers:,} papers from the {listings} sample listings")
        toast_for(window).show_message(
            f"Welcome to Winnow. We imported {listings} sample listings: "
            f"{papers:,} papers, all in your Inbox.",
            WELCOME_KEYS + "\n"
            "Your own listings: Ctrl+I, drop files here, or copy a Daily Papers page "
            "and press Ctrl+V.", timeout_ms=60_000)

    window.importer.done.connect(imported)
    window.import_samples()


def _open_library(db_path: Path, *, interactive: bool) -> Library | None:
    """The library, or None after telling the user why not. A damaged file gets the
    offer to restore a backup, then a second try."""
    while True:
        try:
            # A delete or take-back a kill cut short is finished once the window is
            # up, on a worker thread with progress (desktop/removing.py).
            return Library(db_path, finish_cut_short=False)
        except LibraryCorrupt as error:
            if not interactive or not offer_restore(None, db_path, str(error)):
                if not interactive:
                    print(f"winnow: {error}", file=sys.stderr)
                return None
        except LibraryError as error:
            if not interactive:
                print(f"winnow: {error}", file=sys.stderr)
                return None
            box = QMessageBox(QMessageBox.Icon.Critical, "Winnow cannot open the library",
                              str(error))
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.exec()
            return None


def _tell_damaged(window: QWidget, message: str) -> None:
    # The window's own connection is open, so a restore cannot swap the file now;
    # the message says how to restore once Winnow is closed, and nothing more is
    # written to the damaged file meanwhile.
    box = QMessageBox(QMessageBox.Icon.Critical, "The library is damaged", message,
                      parent=window)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


class Screenshot(QObject):
    """Drives the window like a user, then saves it as a PNG."""

    def __init__(self, window: MainWindow, out: Path, search: str | None,
                 strokes: Sequence[str]) -> None:
        super().__init__(window)
        self.window = window
        self.out = out
        self.search = search
        self.strokes = list(strokes)
        self.error: str | None = None
        self._clock = QElapsedTimer()
        self._step = "import"

    def start(self) -> None:
        self._clock.start()
        self._tick()

    def _tick(self) -> None:
        if self._clock.elapsed() > SCREENSHOT_TIMEOUT_MS:
            self._finish(f"timed out while waiting ({self._step})")
            return
        window = self.window
        if self._step == "import":
            if window.importer.busy:
                QTimer.singleShot(20, self._tick)
                return
            self._step = "search"
        if self._step == "search":
            if self.search:
                window.set_search(self.search)
                window.accept_search()
            else:
                window.focus_list()
            self._step = "keys"
        if self._step == "keys":
            if self.strokes:
                if window.importer.busy:
                    QTimer.singleShot(20, self._tick)
                    return
                self._press(self.strokes.pop(0))
                QTimer.singleShot(15, self._tick)
                return
            self._step = "settle"
        if self._step == "settle":
            if window.busy:
                QTimer.singleShot(20, self._tick)
                return
            self._step = "grab"
            QTimer.singleShot(120, self._tick)  # let deferred layouts and repaints run
            return
        if self._step == "grab":
            window.reader.flush_note()
            self._save()

    def _press(self, stroke: str) -> None:
        key, modifiers, text = key_press_parts(stroke)
        for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
            # Where a real key goes: an open popup (a completer) first, else the focus.
            target: QWidget = (QApplication.activePopupWidget() or QApplication.focusWidget()
                               or self.window)
            QApplication.sendEvent(target, QKeyEvent(kind, key, modifiers, text))

    def compose(self) -> QPixmap:
        """The window with what is open over it: dialogs, popup cards, then menus and
        completion lists, each where it stands on screen."""
        window = self.window
        image = window.grab()
        origin = window.mapToGlobal(QPoint(0, 0))
        above = [w for w in QApplication.topLevelWidgets()
                 if w is not window and w.isVisible() and w.isWindow() and
                 ((w.parentWidget() is not None and w.parentWidget().window() is window) or
                  w.windowType() == Qt.WindowType.Popup)]
        # Popups (completers, menus) open on top of any dialog.
        above.sort(key=lambda w: w.windowType() == Qt.WindowType.Popup)
        painter = QPainter(image)
        for widget in above:
            where = widget.mapToGlobal(QPoint(0, 0)) - origin
            painter.drawPixmap(where, widget.grab())
        painter.end()
        return image

    def _save(self) -> None:
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            image = self.compose()
            if not image.save(str(self.out), "PNG"):
                self._finish(f"{self.out}: could not write the PNG")
                return
        except OSError as error:
            self._finish(f"{self.out}: {error.strerror or error}")
            return
        self._finish(None)

    def _finish(self, error: str | None) -> None:
        self.error = error
        self.window.close()
        QApplication.instance().exit(1 if error else 0)
