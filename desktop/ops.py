"""The one place the app changes the library, and follows changes made elsewhere.

Every Library write the window makes goes through `Operations.run` (Anki's
`CollectionOp` is the model): the operation gets the library, its error becomes a
message in the status bar, and the changed rows, the reading pane and the counts
repaint, with the undo hint beside the message. No view calls a Library write itself.
`poll` shows other processes' writes (the command line, a second window) the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

from desktop.sidebar import LibraryFacts, sidebar_entries
from storage import Library, LibraryError
from storage.models import SEARCHES, Change

if TYPE_CHECKING:
    from desktop.window import MainWindow

log = logging.getLogger(__name__)
T = TypeVar("T")

POLL_MS = 1500
# The sidebar and status-bar counts follow writes after COUNTS_DELAY_MS, and at most once
# per COUNTS_GAP_MS: a brisk triager (4 presses a second) gets two refreshes a second, not
# one per key, each a few queries on the GUI thread.
COUNTS_DELAY_MS = 60
COUNTS_GAP_MS = 500
UNDO_HINT = " · Ctrl+Z to undo"
# While another process imports a big file batch by batch, the list and the counts
# follow it together at most this often.
FOLLOW_MS = 3000

Message = str | Callable[[T], str | None] | None


def changed_ids(changes: Sequence[Change], ids: Sequence[int]) -> list[int]:
    """The papers the announced changes name, then any the caller named, each once."""
    found = [pid for change in changes for pid in change.paper_ids]
    return list(dict.fromkeys([*found, *ids]))


class Operations(QObject):
    changed = Signal(object)
    """After every write the window made or saw: the ids of changed papers."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.library: Library = window.library
        self.facts = LibraryFacts()
        self.counts_timer = QTimer(self)
        self.counts_timer.setSingleShot(True)
        self.counts_timer.timeout.connect(self.refresh_counts)
        self._counts_clock = QElapsedTimer()  # since the last refresh_counts
        self._last_version = self._data_version()
        self._follow_clock = QElapsedTimer()  # since the last refresh_external
        self._reload_ms = 0
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self.poll)
        # The day as the app sees it: a new one wakes snoozed papers (`new_day`).
        self.today: Callable[[], date] = date.today
        self._today = self.today()
        # Changes the library announces: collected while `run` runs an operation,
        # handled at once when something else wrote (waking snoozed papers...).
        self._heard: list[Change] | None = None
        self.stop_listening = self.library.listen(self._on_change)

    def _on_change(self, change: Change) -> None:
        if self._heard is not None:
            self._heard.append(change)
        elif change.everything:
            QTimer.singleShot(0, self.refresh_external)
        else:
            self.repaint(change.paper_ids)

    # ------------------------------------------------------------ writes
    def run(self, operation: Callable[[Library], T], *, ids: Sequence[int] = (),
            message: Message[T] = None, undoable: bool = True, reload: bool = False,
            pane: bool = True, row: int | None = None,
            then: Callable[[T], object] | None = None) -> T | None:
        """Run `operation(library)`; on success repaint what its Changes (as the library
        announces them) and `ids` name, and say `message`
        (a text, or a function of the result giving one; " · Ctrl+Z to undo" is added
        when `undoable` and something changed). On a LibraryError say it and return None.

        `row`: where the changed paper likely is (default: the current row);
        `reload`: redraw the reading pane even if it shows none of the papers;
        `pane=False`: leave the pane alone (its note editor made the change);
        `then(result)`: what the view does between the write and the repaint (move on
        first, so the pane draws the next paper once)."""
        self._heard = heard = []
        try:
            result = operation(self.library)
        except LibraryError as error:
            self.window.flash(str(error))
            return None
        finally:
            self._heard = None
        if then is not None:
            then(result)
        if any(change.everything for change in heard):
            self.refresh_external()
        else:
            self.repaint(changed_ids(heard, ids), reload=reload, pane=pane, row=row)
        if any(change.touches(SEARCHES) for change in heard):  # saved searches: now
            self.refresh_counts()
        text = message(result) if callable(message) else message
        if text:
            # Nothing changed (a false Change): nothing to undo either.
            self.window.flash(text + (UNDO_HINT if undoable and result else ""))
        return result

    def repaint(self, paper_ids: Sequence[int], *, reload: bool = False, pane: bool = True,
                row: int | None = None) -> None:
        """Repaint the changed rows and the reading pane if it shows a changed paper
        (or `reload`); the counts follow shortly."""
        browser = self.window.browser
        current = browser.current_id()
        browser.model.refresh_ids(paper_ids, near=browser.current_row() if row is None else row)
        if paper_ids:
            # A tag on a paper of a list that had none shows the Tags column now, not
            # at the next load (the column had nothing on screen, so it was hidden).
            browser.columns.fit(browser.model)
        if reload or (pane and current is not None and current in paper_ids):
            browser.reload_current()
        # Not "seen" here: another process's commits since the list was loaded are
        # still news (the counts refresh then reloads the list with them).
        self.schedule_counts()
        self.changed.emit(list(paper_ids))

    # ------------------------------------------------------------ counts
    def refresh_counts(self) -> None:
        """Read the library's counts into the sidebar and the status bar now; if
        another process wrote since the list was loaded, reload the list with them."""
        self.counts_timer.stop()  # this is the refresh a pending one would have made
        if self._others_wrote():
            # The counts would show another process's papers (an import's committed
            # batches: Inbox 20,475) over a list without them (478 rows). Both follow
            # it together, at the pace a running import allows.
            wait = self._follow_wait(counts=True)
            if wait > 0:
                self.counts_timer.start(wait)
                return
            self.refresh_external()
            return
        self._read_counts()

    def _read_counts(self) -> None:
        self._counts_clock.start()
        window = self.window
        try:
            facts = LibraryFacts.read(self.library)
            entries = sidebar_entries(facts, window.views, window.quick_tags())
        except Exception as error:  # a locked or vanished file: say so, keep running
            log.warning("refreshing counts failed: %s", error)
            window.flash(f"Could not read the library: {error}")
            return
        self.facts = facts
        window.sidebar.set_entries(entries, window.sidebar_key())
        window.update_counts_label()

    def schedule_counts(self) -> None:
        """Refresh the counts soon: one pending refresh at a time, COUNTS_GAP_MS apart."""
        if self.counts_timer.isActive():
            return
        since = self._counts_clock.elapsed() if self._counts_clock.isValid() else COUNTS_GAP_MS
        self.counts_timer.start(max(COUNTS_DELAY_MS, COUNTS_GAP_MS - since))

    # ------------------------------------------------------------ other writers
    def _data_version(self) -> int | None:
        try:
            return self.library.data_version()
        except Exception:
            return None

    def saw_own_write(self) -> None:
        """A write of ours outside `run` (the importer's thread): not news to poll."""
        self._last_version = self._data_version()

    def poll(self) -> None:
        """Show other processes' writes (the command line, a second window), and on a
        new day bring back the snoozed papers whose date has come."""
        self.new_day()
        version = self._data_version()
        if version is None or version == self._last_version:
            return
        if self.window.remover.busy and not self.window.importer.busy:
            # Its dialog leaves the window the keys: the list follows the papers going
            # out (or coming back), as it follows an import elsewhere, rather than
            # showing for seconds papers that are gone ("no paper with id 418").
            if self._follow_clock.isValid() and \
                    self._follow_clock.elapsed() < max(FOLLOW_MS, 10 * self._reload_ms):
                return  # still news at the next poll
            self.refresh_external()
            return
        if self.window.importer.busy or self.window.remover.busy:
            self._last_version = version
            return  # their end refreshes the view once
        if self._follow_wait() > 0:
            return  # still news at the next poll
        self.refresh_external()

    def _others_wrote(self) -> bool:
        """Whether another process committed since the list was last loaded (our own
        import and removal threads say so at their end instead)."""
        if self.window.importer.busy or self.window.remover.busy:
            return False
        version = self._data_version()
        return version is not None and version != self._last_version

    def _follow_wait(self, *, counts: bool = False) -> int:
        """How long (ms) before the view may follow another process again. While an
        import there is between batch commits, the list and counts follow it every
        FOLLOW_MS (or ten times what a reload costs, on a huge library) rather than at
        each batch and each triage key. Otherwise a poll follows at once, and a counts
        refresh (each key press) at most every POLL_MS: a writer that commits all the
        time (For you's vectors after a big import) must not reload the list at every
        key."""
        if not self._follow_clock.isValid():
            return 0
        if self._import_elsewhere():
            gap = max(FOLLOW_MS, 10 * self._reload_ms)
        elif counts:
            gap = POLL_MS
        else:
            return 0
        return max(0, gap - self._follow_clock.elapsed())

    def new_day(self) -> bool:
        """On the first poll of a new day, bring the snoozed papers whose date has come
        back to the Inbox, and list them there. Returns whether any came back."""
        today = self.today()
        if today == self._today:
            return False
        self._today = today
        change = self.run(lambda library: library.wake_snoozed(today), undoable=False,
                          message=lambda woken: woken.description if woken else None)
        if not change:
            return False
        self.refresh_external()  # woken papers are in no row of the list yet
        return True

    def _import_elsewhere(self) -> bool:
        try:
            return self.library.import_in_progress()
        except Exception:
            return False

    def refresh_external(self) -> None:
        """Reload the list, the reading pane (keeping its place) and the counts."""
        browser = self.window.browser
        self.window.reader.flush_note()
        self._last_version = self._data_version()
        self._follow_clock.start()
        browser.load(keep_id=browser.current_id())
        self._read_counts()
        self._reload_ms = self._follow_clock.elapsed()
        self.changed.emit([])
