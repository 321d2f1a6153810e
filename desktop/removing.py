"""Taking an import back (and deleting thousands of papers) off the GUI thread.

A worker in its own QThread opens its own `Library(path)` (SQLite connections
belong to one thread) and runs the job in steps that commit between them
(storage/library/removals.py), so the window keeps painting and its own writes
(a star, a note) wait for one step at most. A progress dialog shows the papers
taken so far; Cancel puts back what was taken (takes out again what was put back)
and leaves the library as before. The dialog does not block the window: its keys
go on working meanwhile (Cancel is also in the command palette).

A job a kill cut short is finished here too, at start (`finish_cut_short`), and an
import a kill cut short is taken back here: the window's own Library leaves them
alone when it opens, so that the first paint does not wait seconds for them; their
dialog is not modal, the window stays usable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from desktop.dialogs import Choice, ListPopup
from desktop.importer import LibraryWorker
from desktop.theme import Theme
from storage import Library


class RemovalWorker(LibraryWorker):
    """Runs `job(library, progress, cancel)`: a take-back, a put-back or a big delete."""

    progress = Signal(int, int)  # papers taken (or put back) so far, in all
    failure = "taking papers out"

    def __init__(self, db_path: Path,
                 job: Callable[[Library, Callable[[int, int], None], Callable[[], bool]], Any]
                 ) -> None:
        super().__init__(db_path)
        self.job = job

    def work(self, library: Library) -> Any:
        return self.job(library, self.progress.emit, self._cancel.is_set)

    def open(self) -> Library:
        # A job a kill left is finished by `finish_cut_short` with progress, or by
        # the job itself first (undo, delete), not silently while this one opens.
        return Library(self.db_path, finish_cut_short=False)


# What Cancel does, as the progress line says it while it runs.
TAKE_TURN = "putting back what was taken ({:,} papers still out)"
RESTORE_TURN = "taking out again what was put back ({:,} papers still back)"
IMPORT_TURN = "stopping; the rest is taken back at the next start ({:,} papers gone through)"


class RemovalRunner(QObject):
    """One take-back or big delete at a time, with a progress dialog and Cancel;
    `done(result)` when it ends (None if it failed: `message` said why)."""

    done = Signal(object)
    message = Signal(str)

    def __init__(self, parent: QWidget, db_path: Path) -> None:
        super().__init__(parent)
        self.window = parent
        self.db_path = Path(db_path)
        self.thread: QThread | None = None
        self.worker: RemovalWorker | None = None
        self.dialog: QProgressDialog | None = None
        self.show_dialogs = True
        self._closing = False
        self._then: Callable[[Any], None] | None = None
        self._verb = "Taking back"
        self._turn = TAKE_TURN

    @property
    def busy(self) -> bool:
        return self.thread is not None

    def undo_imports(self, source_ids: Sequence[int],
                     then: Callable[[Any], None] | None = None) -> bool:
        """Take the imports back, one after the other; `then(results)` gets the
        list of ImportUndo (the last one `cancelled` if Cancel stopped it)."""
        ids = [int(i) for i in source_ids]

        def job(library: Library, progress: Callable[[int, int], None],
                cancel: Callable[[], bool]) -> list[Any]:
            results = []
            for source_id in ids:
                results.append(library.undo_import(source_id, progress=progress,
                                                   cancel=cancel))
                if results[-1].cancelled:
                    break
            return results

        label = (f"Taking back import {ids[0]}…" if len(ids) == 1
                 else f"Taking back {len(ids)} imports…")
        return self._start(job, label, "Taking back", then)

    def delete(self, paper_ids: Sequence[int],
               then: Callable[[Any], None] | None = None) -> bool:
        """Delete papers (a backup first); `then(change)`."""
        ids = [int(i) for i in paper_ids]

        def job(library: Library, progress: Callable[[int, int], None],
                cancel: Callable[[], bool]) -> Any:
            return library.delete_papers(ids, progress=progress, cancel=cancel)

        return self._start(job, f"Deleting {len(ids):,} papers…", "Deleting", then)

    def replay(self, which: str, then: Callable[[Any], None] | None = None) -> bool:
        """Undo (`which` "undo") or redo a big delete or take-back; `then(change)`.
        Cancel turns it round: the change stays as it was (the Change is empty)."""
        def job(library: Library, progress: Callable[[int, int], None],
                cancel: Callable[[], bool]) -> Any:
            return getattr(library, which)(progress=progress, cancel=cancel)

        verb = "Undo" if which == "undo" else "Redo"
        return self._start(job, f"{verb}: putting papers back…" if which == "undo"
                           else f"{verb}: taking papers out again…", verb, then,
                           turn=RESTORE_TURN if which == "undo" else TAKE_TURN)

    def finish_cut_short(self, jobs: Sequence[dict[str, Any]],
                         then: Callable[[Any], None] | None = None) -> bool:
        """Finish the deletes and take-backs a kill cut short (`Library.removal_jobs`
        as the window's Library found them); `then(lines)`: one line each on what
        was done. Cancel rolls the one being finished back instead."""
        def job(library: Library, progress: Callable[[int, int], None],
                cancel: Callable[[], bool]) -> list[str]:
            return library.finish_cut_short(progress=progress, cancel=cancel)

        what, kind = jobs[0]["what"], jobs[0]["kind"]
        if kind == "import":
            # Taken back in steps; Cancel stops between two, the next start goes on.
            return self._start(job, f"Taking back {what}, cut short when Winnow last "
                               f"stopped…", f"Taking back import {jobs[0]['source']}", then,
                               turn=IMPORT_TURN)
        return self._start(job, f"Finishing {what}, cut short when Winnow last stopped…",
                           f"Finishing {what}", then,
                           turn=RESTORE_TURN if kind == "restore" else TAKE_TURN)

    def _start(self, job: Callable[..., Any], label: str, verb: str,
               then: Callable[[Any], None] | None, *, turn: str = TAKE_TURN) -> bool:
        if self.busy:
            self.message.emit("Papers are already being taken out; wait for it to finish")
            return False
        worker = RemovalWorker(self.db_path, job)
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._progress)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        self.thread, self.worker, self._then, self._verb = thread, worker, then, verb
        self._turn = turn
        if self.show_dialogs:
            dialog = QProgressDialog(label, "Cancel", 0, 1000, self.window)
            dialog.setWindowTitle(verb)
            # Not modal, and it does not take the keys when it shows: the window's
            # keys and writes go on meanwhile (they went to the dialog; the work
            # allows it: a write waits one step at most, and undo, redo and another
            # take-back refuse in one line until the job ends).
            dialog.setWindowModality(Qt.WindowModality.NonModal)
            dialog.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
            dialog.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus, True)
            # Some platforms activate a shown dialog anyway: the keys go back to
            # where they were (a click on Cancel still cancels).
            dialog.installEventFilter(KeysStayInTheWindow(dialog, self.window))
            dialog.setMinimumDuration(400)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            # To this object, in the GUI thread: a queued call to the busy worker
            # would run only once everything was taken.
            dialog.canceled.connect(self.cancel)
            dialog.setValue(0)
            self.dialog = dialog
        thread.start()
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.message.emit(f"{self._verb} cancelled: "
                              f"{self._turn.split(' (')[0]}…")

    def shutdown(self) -> None:
        """The window is closing: cancel (what was taken goes back) and wait; a
        QThread destroyed while it runs would abort the process."""
        if self.thread is None or self.worker is None:
            return
        self._closing = True
        self.worker.cancel()
        self._cleanup()

    def _progress(self, done: int, total: int) -> None:
        if self.worker is None:
            return  # it ended meanwhile (a modal dialog's setValue runs queued events)
        text = (f"Cancelled: {self._turn.format(done)}"
                if self.worker.cancelled
                else f"{self._verb}: {done:,} of {total:,} papers")
        self.message.emit(text)
        if self.dialog is not None:
            self.dialog.setLabelText(text)
            self.dialog.setValue(min(999, int(1000 * done / max(1, total))))

    def _cleanup(self) -> None:
        if self.dialog is not None:
            shown = self.dialog.isVisible()
            self.dialog.reset()
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
            if shown:
                self.window.activateWindow()  # the keys go back to the list
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
            self.thread.deleteLater()
        if self.worker is not None:
            self.worker.deleteLater()
        self.thread = self.worker = None

    def _finished(self, result: Any) -> None:
        if self._closing:
            return
        self._cleanup()
        then, self._then = self._then, None
        if then is not None:
            then(result)
        self.done.emit(result)

    def _failed(self, error: str) -> None:
        if self._closing:
            return
        self._cleanup()
        self._then = None
        self.message.emit(error)
        self.done.emit(None)


class KeysStayInTheWindow(QObject):
    """Gives the activation (and with it the keys) back to `window` whenever the
    progress dialog it is installed on takes it."""

    def __init__(self, dialog: QWidget, window: QWidget) -> None:
        super().__init__(dialog)
        self.window = window
        self.focus = QApplication.focusWidget()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowActivate:
            QTimer.singleShot(0, self, self._give_back)
        return False

    def _give_back(self) -> None:
        if not self.window.isVisible():
            return
        self.window.activateWindow()
        focus = self.focus
        if focus is not None and focus.window() is self.window and focus.isVisible():
            focus.setFocus(Qt.FocusReason.ActiveWindowFocusReason)


class ChooseImport(ListPopup):
    """Undo which import? The recent ones, newest first; typing narrows them by
    name, date or id. Emits `chosen(source id)`."""

    def __init__(self, parent: QWidget, imports: Sequence[Choice], theme: Theme) -> None:
        self._imports = list(imports)
        super().__init__(parent, "Undo which import? Type to narrow…",
                         "Its papers you acted on stay · Enter to take it back · Esc to "
                         "close", theme)

    def choices(self, text: str) -> Sequence[Choice]:
        words = text.casefold().split()
        return [c for c in self._imports
                if all(w in f"{c.title} {c.detail}".casefold() for w in words)]
