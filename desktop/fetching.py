"""Fetch today's papers from the Hugging Face API off the GUI thread.

The worker opens its own Library (SQLite connections belong to one thread), fetches
with storage.fetch's client (timeouts, retries, paging) and imports the JSON as the
API form of a listing. The window learns the result through signals.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from storage import ImportReport, Library, LibraryError
from storage.fetch import Client, FetchError, Period, day_period


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

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            client = Client(self.base_url, progress=self.progress.emit)
            results = []
            for period in self.periods:
                if self._cancel.is_set():
                    break
                results.append(client.fetch(period))
        except FetchError as error:
            self.failed.emit(str(error))
            return
        except Exception as error:  # never leave the window waiting
            self.failed.emit(f"fetch failed: {error}")
            return
        try:
            with Library(self.db_path) as library:
                report = ImportReport()
                for result in results:
                    if result.items:
                        report.files.append(library.import_text(
                            result.json_text(), name=f"huggingface.co {result.period.label}"))
        except LibraryError as error:
            self.failed.emit(str(error))
            return
        except Exception as error:
            self.failed.emit(f"fetch failed: {error}")
            return
        self.finished.emit(report)


class FetchRunner(QObject):
    """One fetch at a time; `done(report or None, message)` when it ends."""

    done = Signal(object, str)
    message = Signal(str)

    def __init__(self, parent: QObject, db_path: Path) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.thread: QThread | None = None
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
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self.message)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        self.thread, self.worker = thread, worker
        self.message.emit("Fetching today's papers from huggingface.co…")
        thread.start()
        return True

    def _cleanup(self) -> None:
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
            self.thread.deleteLater()
        if self.worker is not None:
            self.worker.deleteLater()
        self.thread = self.worker = None

    def _finished(self, report: ImportReport) -> None:
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
        self._cleanup()
        self.done.emit(None, f"Fetch failed: {error}")
