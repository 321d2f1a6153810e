"""Imports off the GUI thread: a worker with its own Library connection.

SQLite connections belong to one thread, so the worker opens its own
`Library(path)`. Cancel is checked between files and inside big files (the
Library rolls back the file being imported); the window keeps painting.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.toast import toast_for
from storage import FileReport, ImportReport, Library, LibraryError
from storage.forms.html import looks_like_html
from storage.listing import parse_listing
from storage.records import Listing, ListingError
from storage.text import normalise_title


class LibraryWorker(QObject):
    """Runs `work(library)` in its own QThread on its own `Library(path)`, and ends
    with `finished(result)` or `failed(message)`, never neither (a progress dialog
    waits for one of them). `cancel()` is called from the GUI thread directly, never
    through a queued signal: this object's event loop is busy with the work, which
    polls `cancelled` between its steps."""

    finished = Signal(object)
    failed = Signal(str)
    failure = "the job"  # what "… failed: ERROR" names for an unexpected error

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def work(self, library: Library) -> Any:
        raise NotImplementedError

    def open(self) -> Library:
        return Library(self.db_path)

    def run(self) -> None:
        try:
            library = self.open()
        except LibraryError as error:
            self.failed.emit(str(error))
            return
        except Exception as error:
            self.failed.emit(f"{self.db_path}: cannot open ({error})")
            return
        # The connection is closed before the window hears of the end, so what it
        # does next never meets this thread's connection still open.
        try:
            result = self.work(library)
        except LibraryError as error:
            library.close()
            self.failed.emit(str(error))
        except Exception as error:  # never leave the progress dialog hanging
            library.close()
            self.failed.emit(f"{self.failure} failed: {error}")
        else:
            library.close()
            self.finished.emit(result)


class ImportWorker(LibraryWorker):
    """Imports the given files (and pasted text) one after another; Cancel is
    checked between files and inside big files (the Library rolls back the file
    being imported)."""

    progress = Signal(str, int, int)   # file name, papers so far, file number (1-based)
    position = Signal(int, int)        # bytes read of the current file, its size
    failure = "import"

    def __init__(self, db_path: Path, *, paths: Sequence[Path] = (), text: str | None = None,
                 html: str | None = None, text_name: str = "clipboard") -> None:
        super().__init__(db_path)
        self.paths = [Path(p) for p in paths]
        self.text = text
        self.html = html  # the paste's HTML, read instead when it holds more (chosen_paste)
        self.text_name = text_name

    def work(self, library: Library) -> ImportReport:
        report = ImportReport()
        if self.text is not None:
            # Both texts are parsed here, off the GUI thread: a paste may be a huge page.
            text = chosen_paste(self.text, self.html).text if self.html else self.text
            report.files.append(library.import_text(text, name=self.text_name))
        for number, path in enumerate(self.paths, start=1):
            if self.cancelled:
                break
            self.progress.emit(path.name, 0, number)

            def on_progress(name: str, count: int, number: int = number) -> None:
                self.progress.emit(name, count, number)

            part = library.import_files([path], progress=on_progress,
                                        cancel=self._cancel.is_set,
                                        position=self.position.emit)
            report.files.extend(part.files)
        return report


def _size(path: Path) -> int:
    try:
        return max(1, Path(path).stat().st_size)
    except OSError:
        return 1


def summary_text(report: ImportReport, cancelled: bool = False) -> tuple[str, str]:
    """(headline, details) in plain words for the summary dialog."""
    files = report.files
    good = [f for f in files if f.ok]
    bad = [f for f in files if not f.ok]
    new, updated = report.new, report.updated
    headline = (f"{new} new paper{'s' if new != 1 else ''}, {updated} updated "
                f"from {len(good)} listing{'s' if len(good) != 1 else ''}")
    if bad and not good:
        # "0 new papers, 0 updated from 0 listings; 1 could not be imported" counted
        # nothing three times before it said what happened (seen in a real window).
        headline = (f"Could not import {_shown(bad[0])}" if len(bad) == 1 else
                    f"Could not import {len(bad)} listings")
    elif bad:
        headline += f"; {len(bad)} could not be imported"
    if cancelled:
        headline = "Import cancelled. " + headline
    lines: list[str] = []
    for file in files:
        lines.append(f"✓ {_shown(file)}{file.summary().removeprefix(file.name)}" if file.ok
                     else f"✗ {_shown(file)}: {_error_text(file)}")
        for warning in file.warnings[:5]:
            lines.append(f"    ! {warning}")
        if len(file.warnings) > 5:
            lines.append(f"    … and {len(file.warnings) - 5} more warnings")
    return headline, "\n".join(lines)


def _shown(file: FileReport) -> str:
    """A listing's name as the sidebar gives it: a paste is "Pasted 04:43", not
    "clipboard 2026-12-01 04:43:06"; a file keeps its name."""
    from desktop.sidebar import listing_label

    return listing_label({"name": file.name}) if file.name.startswith("clipboard ") \
        else file.name


def _error_text(file: FileReport) -> str:
    error = file.error or ""
    prefix = f"{file.name}: "
    return error[len(prefix):] if error.startswith(prefix) else error


class ImportRunner(QObject):
    """Runs one import at a time with a progress dialog; emits `done(report)`."""

    done = Signal(object, bool)        # ImportReport | None, show summary
    message = Signal(str)
    undo_requested = Signal(list)      # source ids of the imports to take back

    def __init__(self, parent: QWidget, db_path: Path) -> None:
        super().__init__(parent)
        self.window = parent
        self.db_path = db_path
        self.thread: QThread | None = None
        self.worker: ImportWorker | None = None
        self.dialog: QProgressDialog | None = None
        self._summary = True
        self._sizes: list[int] = []
        self._number = 1
        self.show_dialogs = True
        self._closing = False

    @property
    def busy(self) -> bool:
        return self.thread is not None

    def start(self, *, paths: Sequence[Path] = (), text: str | None = None,
              html: str | None = None, summary: bool = True,
              label: str = "Importing listings…") -> bool:
        if self.busy:
            self.message.emit("An import is already running")
            return False
        name = f"clipboard {datetime.now().strftime('%Y-%m-%d %H:%M:%S')}"
        worker = ImportWorker(self.db_path, paths=paths, text=text, html=html, text_name=name)
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._progress)
        worker.position.connect(self._position)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        self.thread, self.worker, self._summary = thread, worker, summary
        self._sizes = [_size(p) for p in paths]
        if self.show_dialogs:
            # Per mille of all the bytes to read: a single big file moves the bar too.
            dialog = QProgressDialog(label, "Cancel", 0, 1000, self.window)
            dialog.setWindowTitle("Import")
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(400)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            # To the runner, which lives in this (the GUI) thread: a connection to
            # worker.cancel would be queued to the busy worker thread and run only
            # after the import had committed everything.
            dialog.canceled.connect(self.cancel)
            dialog.setValue(0)
            self.dialog = dialog
        thread.start()
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def shutdown(self) -> None:
        """Cancel a running import and wait for it (the window is closing). The
        import stops at its next batch and takes back what it committed; a QThread
        destroyed while it runs aborts the whole process instead (quitting during
        an import crashed the app, leaving the import to the next start's recovery).
        What the worker still reports goes nowhere: the window is gone."""
        if self.thread is None or self.worker is None:
            return
        self._closing = True
        self.worker.cancel()
        self._cleanup()

    def _progress(self, name: str, count: int, number: int) -> None:
        self._number = number
        if self.dialog is not None:
            self.dialog.setLabelText(f"Importing {name}\n{count:,} papers read")
            self._show_fraction(0.0)
        self.message.emit(f"Importing {name}… {count:,} papers")

    def _position(self, done: int, size: int) -> None:
        self._show_fraction(done / size if size > 0 else 0.0)

    def _show_fraction(self, within: float) -> None:
        """Set the bar to the bytes of the files before this one plus `within` of it."""
        if self.dialog is None:
            return
        sizes = self._sizes or [1]
        index = max(0, min(len(sizes) - 1, self._number - 1))
        total = sum(sizes) or 1
        done = sum(sizes[:index]) + min(1.0, max(0.0, within)) * sizes[index]
        value = int(1000 * done / total)
        if value > self.dialog.value():
            self.dialog.setValue(min(999, value))

    def _cleanup(self) -> tuple[bool, None]:
        cancelled = self.worker.cancelled if self.worker is not None else False
        if self.dialog is not None:
            shown = self.dialog.isVisible()
            self.dialog.reset()
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
            if shown:
                # The keyboard goes back to the window the dialog covered: without this
                # a window system that does not hand focus back itself (no window
                # manager, some X setups) leaves every key press going nowhere.
                self.window.activateWindow()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
            self.thread.deleteLater()
        if self.worker is not None:
            self.worker.deleteLater()
        self.thread = self.worker = None
        return cancelled, None

    def _finished(self, report: ImportReport) -> None:
        if self._closing:
            return
        cancelled, _ = self._cleanup()
        headline, details = summary_text(report, cancelled)
        self.message.emit(headline)
        if self._summary:
            # A toast, not a modal box: the keyboard stays on the list, and the
            # import can be taken back from it.
            sources = [f.source_id for f in report.files
                       if f.ok and f.source_id is not None and (f.new or f.updated)]
            library = getattr(self.window, "library", None)
            undo = bool(sources) and not cancelled and hasattr(library, "undo_import")
            toast_for(self.window).show_message(
                headline, details, action="Undo import" if undo else None,
                on_action=lambda: self.undo_requested.emit(sources),
                timeout_ms=15_000 if undo or not report.ok else 8000)
        self.done.emit(report, self._summary)

    def _failed(self, error: str) -> None:
        if self._closing:
            return
        self._cleanup()
        self.message.emit(error)
        if self.show_dialogs:
            toast_for(self.window).show_message("Import failed", error, timeout_ms=20_000)
        self.done.emit(None, self._summary)

# ------------------------------------------------------------------ a paste's two texts
# A browser's copy carries two texts: the selection as plain text (no links, so no arXiv
# ids) and the same selection as HTML, each card's title a link to `/papers/<arXiv id>`.
# The HTML is imported instead of the plain text when it holds the listing more exactly:
# every paper the plain text holds (by title), as many abstracts, and more arXiv ids. A
# copy from anywhere else (an editor's coloured Markdown, a document, a chat) keeps its
# plain text: its HTML is read only when it passes the same test. Pure Python: it runs
# on the import worker, off the GUI thread (both texts are parsed).


@dataclass(frozen=True, slots=True)
class Paste:
    text: str  # what to import
    html: bool  # the clipboard's HTML, not its plain text


def chosen_paste(text: str, html: str | None) -> Paste:
    """The text of a paste to import: `text` (the clipboard's plain text) or `html`
    (its HTML, made a page the detector knows as HTML) when that holds the listing
    more exactly. Never raises: a text that is no listing is the import's to refuse."""
    if not html or not html.strip():
        return Paste(text, html=False)
    page = _as_page(html)
    from_html = _listing(page)
    if from_html is None or not from_html.records:
        return Paste(text, html=False)
    from_text = _listing(text) if text.strip() else None
    if from_text is None or not from_text.records:
        return Paste(page, html=True)
    return Paste(page, html=True) if _more_exact(from_html, from_text) else \
        Paste(text, html=False)


def _as_page(html: str) -> str:
    """The clipboard's HTML as a page. Windows' clipboard format puts a header of
    offsets ("Version:0.9 StartHTML:...") before the markup; a copy of a few elements
    has no <html> or <body> around them."""
    start = html.find("<")
    if start > 0 and html[:start].lstrip().startswith("Version:"):
        html = html[start:]
    return html if looks_like_html(html) else f"<html><body>{html}</body></html>"


def _listing(text: str) -> Listing | None:
    try:
        return parse_listing(text, name="clipboard")
    except ListingError:
        return None


def _more_exact(html: Listing, text: Listing) -> bool:
    titles = {normalise_title(r.title) for r in html.records}
    if any(normalise_title(r.title) not in titles for r in text.records):
        return False
    if sum(bool(r.abstract) for r in html.records) < sum(bool(r.abstract) for r in text.records):
        return False
    return sum(bool(r.arxiv_id) for r in html.records) > \
        sum(bool(r.arxiv_id) for r in text.records)
