"""For you in the app: the models learn on their own thread, never on a key press.

After every decision (`Operations.changed`) and after an import, `Learner` waits a
moment for more, then a `LearnWorker` (a real QThread, with its own SQLite
connection) vectorises new papers and retrains the For you model and the model of
the tag whose suggestions are on screen. The GUI thread only reads the last model
(`Library.learn_in_background`), so a key press is answered while the worker fits.
When the worker is done the For you / Suggested view re-sorts around the current
paper and its explanation is redrawn.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal

from storage import Library

log = logging.getLogger(__name__)
_RUNNING: set[LearnWorker] = set()

# Decisions come in bursts (r r r s r): one retraining after the burst, not five.
RETRAIN_DELAY_MS = 400
# Papers stored per write transaction by the worker: the app's own writes (a star)
# wait at most for one such batch to be stored, a few tens of milliseconds.
WORKER_BATCH = 100
FOR_YOU = "foryou"
SUGGEST = "suggest:"


def suggest_tag(view_key: str) -> str | None:
    """The tag of a "Suggested for #tag" view's key, else None."""
    return view_key[len(SUGGEST):] if view_key.startswith(SUGGEST) else None


class LearnWorker(QThread):
    """One round of vectorising and retraining, off the GUI thread."""

    failed = Signal(str)

    def __init__(self, path: Path, library: Library, tags: list[str]) -> None:
        # No parent: a window closed mid-round must not destroy a running thread;
        # _RUNNING keeps the worker until it has finished.
        super().__init__()
        self.path, self.library, self.tags = path, library, tags
        self.read_only = library.read_only

    def run(self) -> None:
        # Made here, not in __init__: importing numpy and scipy is this thread's work.
        recommender = self.library.recommender
        from storage.vectors import update_vectors

        try:
            # A connection of this thread's own: the GUI's is busy with key presses.
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as error:
            self.failed.emit(f"For you: cannot open the library ({error})")
            return
        try:
            if not self.read_only:
                try:
                    update_vectors(conn, batch=WORKER_BATCH)
                except sqlite3.OperationalError as error:
                    # Busy or read-only: rank with the vectors there are.
                    log.warning("vectorising new papers failed: %s", error)
            # Warm: every paper scored here, so the GUI thread's ranking is a look-up.
            recommender.refresh(conn, vectorise=False, warm=True)
            for tag in self.tags:
                recommender.refresh(conn, tag, vectorise=False, warm=True)
        except Exception as error:  # a model must never take the app down
            log.exception("For you: retraining failed")
            self.failed.emit(f"For you: retraining failed ({error})")
        finally:
            conn.close()


class Learner(QObject):
    """Schedules retraining after decisions; says when a new model is ready."""

    updated = Signal()
    failed = Signal(str)

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        library.learn_in_background = True
        self.tags: set[str] = set()
        self.worker: LearnWorker | None = None
        self._again = False
        self.rounds = 0
        self.active = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RETRAIN_DELAY_MS)
        self.timer.timeout.connect(self.start)
        app = QCoreApplication.instance()
        if app is not None:
            # However the app ends (a screenshot run quits without closing), a round
            # in progress finishes before the interpreter does.
            app.aboutToQuit.connect(self.stop)

    def want_tag(self, tag: str) -> None:
        """Keep the model of this tag up to date too (its suggestions are shown)."""
        self.activate()
        key = tag.casefold()
        if key not in self.tags:
            self.tags.add(key)
            self.schedule(now=True)

    def activate(self) -> None:
        """From now on, follow decisions. The app does at start; a window made by a
        script or a test does when it first shows For you or a tag's suggestions, so
        that no thread runs behind a window that never asked for one."""
        self.active = True

    def schedule(self, *_args: object, now: bool = False, delay: int | None = None) -> None:
        if self.active:
            self.timer.start(0 if now else RETRAIN_DELAY_MS if delay is None else delay)

    @property
    def busy(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    def start(self) -> None:
        if self.busy:
            self._again = True  # decisions made during this round: one more after it
            return
        worker = LearnWorker(Path(self.library.path), self.library, sorted(self.tags))
        _RUNNING.add(worker)
        worker.finished.connect(lambda: _RUNNING.discard(worker))
        worker.finished.connect(self._finished)
        worker.failed.connect(self.failed)
        self.worker = worker
        worker.start()

    def _finished(self) -> None:
        self.rounds += 1
        self.updated.emit()
        if self._again:
            self._again = False
            self.start()

    def stop(self) -> None:
        """Wait for a round in progress (closing the window)."""
        self.timer.stop()
        self._again = False
        if self.worker is not None:
            self.worker.wait()
