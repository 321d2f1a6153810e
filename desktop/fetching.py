"""Fetch today's papers from the Hugging Face API off the GUI thread.

The worker opens its own Library (SQLite connections belong to one thread), fetches
with storage.fetch's client (timeouts, retries, paging) and imports the JSON as the
API form of a listing. The window learns the result through signals (queued to the
GUI thread: they are emitted from the worker's thread).

The worker runs in a plain daemon thread, not a QThread: a fetch can wait on the
network for a minute, and a QThread still running when the window goes away
aborts the process (quitting during a fetch crashed the app). Closing cancels the
fetch; it waits only when the import of what was fetched has begun, which is short.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from storage import ImportReport, Library, LibraryError
from storage.fetch import Client, FetchError, Period, api_host, day_period


class FetchWorker(QObject):
    progress = Signal(str)
    finished = Signal(object)  # ImportReport
    failed = Signal(str)

    def __init__(self, db_path: Path, periods: list[Period], base_url: str | None = None
                 ) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.periods = periods
        self.base_url = base_url
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._importing = False

    def cancel(self) -> bool:
        """Stop before the import; True when the import has begun (wait for it)."""
        with self._lock:
            self._cancel.set()
            return self._importing

    def run(self) -> None:
        try:
            # A retry's wait ends at once when the fetch is cancelled.
            client = Client(self.base_url, progress=self.progress.emit,
                            sleep=self._cancel.wait)
            results = []
            for period in self.periods:
                if self._cancel.is_set():
                    break
                results.append(client.fetch(period))
        except FetchError as error:
            self.failed.emit(str(error))
            return
        except Exception as error:  # never leave the window waiting
            self.failed.emit(f"unexpected error: {type(error).__name__}: {error}")
            return
        with self._lock:
            if self._cancel.is_set():
                self.failed.emit("fetch cancelled")
                return
            self._importing = True
        try:
            with Library(self.db_path) as library:
                report = ImportReport()
                for result in results:
                    if result.items:
                        report.files.append(library.import_text(
                            result.json_text(), name=f"{client.host} {result.period.label}"))
        except LibraryError as error:
            self.failed.emit(str(error))
            return
        except Exception as error:
            self.failed.emit(f"unexpected error: {type(error).__name__}: {error}")
            return
        self.finished.emit(report)


class FetchRunner(QObject):
    """One fetch at a time; `done(report or None, message)` when it ends."""

    done = Signal(object, str)
    message = Signal(str)

    def __init__(self, parent: QObject, db_path: Path) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.thread: threading.Thread | None = None
        self.worker: FetchWorker | None = None

    @property
    def busy(self) -> bool:
        return self.thread is not None

    def start(self, periods: list[Period] | None = None) -> bool:
        if self.busy:
            self.message.emit("A fetch is already running")
            return False
        try:
            periods = periods or [day_period(None)]
        except FetchError as error:
            self.message.emit(str(error))
            return False
        worker = FetchWorker(self.db_path, periods)
        thread = threading.Thread(target=worker.run, name="winnow-fetch", daemon=True)
        worker.progress.connect(self.message)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        self.thread, self.worker = thread, worker
        self.message.emit(f"Fetching today's papers from {api_host()}…")
        thread.start()
        return True

    def shutdown(self) -> None:
        """The window is closing: cancel the fetch; wait only for an import it began."""
        if self.worker is None:
            return
        worker, thread = self.worker, self.thread
        self.thread = self.worker = None
        if worker.cancel() and thread is not None:
            thread.join()

    def _cleanup(self) -> None:
        if self.thread is not None:
            self.thread.join()  # the worker's last act was the signal that got us here
        self.thread = self.worker = None

    def _finished(self, report: ImportReport) -> None:
        if self.worker is None:
            return  # shut down meanwhile
        self._cleanup()
        if not report.files:
            text = "Fetched: no papers listed yet for today"
        else:
            new, updated = report.new, report.updated
            imports = ", ".join(str(f.source_id) for f in report.files if f.source_id)
            text = (f"Fetched: {new} new paper{'s' if new != 1 else ''}, {updated} updated"
                    + (f" (import {imports})" if imports else ""))
            errors = [f.error for f in report.files if f.error]
            if errors:
                text += f"; {errors[0]}"
        self.done.emit(report, text)

    def _failed(self, error: str) -> None:
        if self.worker is None:
            return
        self._cleanup()
        self.done.emit(None, f"Fetch failed: {error}")
