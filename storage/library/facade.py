"""`Library`: the one API over a Winnow SQLite file.

The GUI, the command line and scripts all go through it. Every write runs in a
short `BEGIN IMMEDIATE` transaction on this object's connection; user actions
are logged in `events` so they can be undone, even after a restart.

Inside, as Anki's Collection delegates to its managers, the work is done by
parts that share one `Core` (the connection and its failure policy):

    core.Core                the file, its connection, write transactions, damage
    backups.Backups          backup, daily_backup (restore_backup is a function)
    importing.Importer       import_files / import_text, batches, crash recovery
    events.Events            the undo log; undo / redo
    triage.Triage            read and star marks, notes
    tags.Tags                tags
    annotations.Annotations  highlights and comments
    reads.Reads              get / rows / search / counts
    searches.SavedSearches   saved searches
    exporting.Exporter       export
    learning.Learning        more like this, For you, per-tag suggestions
    removals.Removals        delete_papers, undo_import (and their undo)

Each public method below only hands the call to its part.

Operations and changes
----------------------
Every mutation (set_read, set_starred, set_note, add_tags, remove_tags, annotate,
annotate_quote, update_annotation, delete_annotation, save_search,
delete_saved_search, undo, redo) returns one `storage.models.Change`: the papers
it touched (`paper_ids`), what about them (`aspects`: STATE, FLAGS, TAGS, NOTE,
ANNOTATIONS, PAPERS, COUNTS, SEARCHES), how many things (`count`), a one-line
`description` for a toast, and for annotate/update_annotation the `annotation`.
A Change is false when nothing changed (marking read papers read, saving the same
note, undo with nothing to undo).

`library.listen(callback)` calls `callback(change)` after every committed change
made through this Library, then returns a function that stops listening:

    stop = library.listen(lambda change: view.repaint(change.paper_ids))

Imports announce one Change (origin "import", aspects PAPERS and COUNTS,
`everything=True`: re-run the query). `poll_changes()` announces what another
connection committed as a Change with origin "outside" and `everything=True`.
So one listener serves the GUI's own operations, the importer thread (called on
that thread: hop to the GUI thread before touching widgets) and the cross-process
poll. A listener that raises does not stop the others; the first error is
re-raised to the caller once all have run, after the commit.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage import states
from storage.library.annotations import Annotations
from storage.library.backups import Backups
from storage.library.core import Core, Listener, guarded
from storage.library.errors import LibraryCorrupt, LibraryError
from storage.library.events import Events
from storage.library.exporting import Exporter
from storage.library.importing import (
    CancelCallback,
    Importer,
    PositionCallback,
    ProgressCallback,
)
from storage.library.learning import Learning
from storage.library.reads import Reads
from storage.library.removals import Removals
from storage.library.searches import SavedSearches
from storage.library.tags import Tags
from storage.library.triage import Triage
from storage.models import (
    ASPECTS,
    COUNTS,
    STATE,
    Annotation,
    Change,
    FileReport,
    ImportReport,
    Paper,
    PaperRow,
    PipedListing,
)
from storage.records import PaperRecord
from storage.removal import ImportUndo
from storage.search import SearchResult

if TYPE_CHECKING:
    from storage.learn import Ranking, Recommender, Why


class Library:
    """A Winnow library file. Open with `Library(path)`; close with `close()` or `with`.

    `read_only=True` (or a file, folder or disk that cannot be written) opens it
    for reading: every write then raises LibraryReadOnly and nothing is touched.
    `check`: run `quick_check` before anything is written (default: for files under
    QUICK_CHECK_BELOW_BYTES; bigger ones are checked with `check()` off the start-up
    path, e.g. by the GUI on a second Library in the background after first paint).
    `finish_cut_short=False`: an import, a delete or a take-back a kill cut short is
    left for `finish_cut_short()` (the app runs it on a worker thread, with progress)
    instead of being finished (taken back, for an import) here, on the opening thread.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True,
                 check: bool | None = None, read_only: bool = False,
                 finish_cut_short: bool = True) -> None:
        self._core = core = Core(path, create=create, read_only=read_only)
        self.path: Path = core.path
        self.conn: sqlite3.Connection = core.conn
        self.read_only: bool = core.read_only
        self._backups = Backups(core)
        self._reads = Reads(core)
        self._search = self._reads.engine
        self._importer = Importer(core, on_imported=self._after_import)
        self._events = Events(core)
        self._triage = Triage(core, self._events)
        self._tags = Tags(core, self._events)
        self._annotations = Annotations(core, self._events)
        self._saved = SavedSearches(core)
        self._exporter = Exporter(core, self._reads)
        self._learning = Learning(core)
        self._removals = Removals(core, self._events, self._backups,
                                  on_changed=self._search.invalidate)
        self._finish_removals = finish_cut_short
        core.open(check=check, before_upgrade=self._backups.before_migration,
                  after_upgrade=self._recover,
                  backup_dir=self._backups.backup_dir())
        if not self.read_only:
            self._wake_quietly()
        self._seen_data_version = self.data_version()
        # A state states.json no longer defines stays searchable (`is:NAME`): noted
        # at open and after every change of states, here or by another program.
        self._reads.note_stored()
        core.listen(self._note_states)

    def _recover(self) -> None:
        """What a killed process left half done: an import, a delete or a take-back."""
        self._importer.recover_unfinished_imports(finish=self._finish_removals)
        if self._finish_removals:
            self._removals.recover()

    def _note_states(self, change: Change) -> None:
        if change.aspects & {STATE, COUNTS}:
            self._reads.note_stored()

    def _after_import(self) -> None:
        self._search.invalidate()
        self._learning.after_import()

    def _wake_quietly(self) -> None:
        try:
            self._triage.wake_snoozed()
        except LibraryCorrupt:
            raise
        except LibraryError:
            pass  # busy, full, read-only disk: the papers wake at the next open

    def close(self) -> None:
        states.forget_stored(self._core)
        self._core.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(change)` after each committed change; returns `stop()`."""
        return self._core.listen(listener)

    # ------------------------------------------------- connection and failure
    @property
    def notices(self) -> list[str]:
        """One-line messages about what this Library did on its own (an interrupted
        import taken back, what of it was kept; a weekly backup of a huge library),
        for the caller to show."""
        return self._core.notices

    @property
    def broken(self) -> str | None:
        """Why writing stopped (the damage message), or None while the file is sound."""
        return self._core.broken

    def check(self, *, quick: bool = True) -> None:
        """Raise LibraryCorrupt if SQLite finds the file damaged (see `Core.check`)."""
        self._core.check(quick=quick)

    @guarded
    def data_version(self) -> int:
        """Changes when another connection (another process) commits a write."""
        return self._core.data_version()

    @guarded
    def poll_changes(self) -> bool:
        """True if another connection (`winnow import`, another window) committed
        since the last call: the caller re-runs its query to show the change. One
        PRAGMA, cheap enough for a timer every second. This Library's own writes do
        not count: the caller already knows about them."""
        version = self.data_version()
        changed = version != self._seen_data_version
        self._seen_data_version = version
        if changed:
            self._search.invalidate()
            self._core.announce(Change("Changed by another program", aspects=ASPECTS,
                                       origin="outside", everything=True))
        return changed

    # ---------------------------------------------------------------- backups
    def backup(self, dest: str | os.PathLike[str] | None = None) -> Path:
        return self._backups.backup(dest)

    def backup_dir(self) -> Path:
        return self._backups.backup_dir()

    def daily_backup(self, keep: int = 7) -> Path | None:
        return self._backups.daily_backup(keep)

    # ---------------------------------------------------------------- imports
    def import_files(self, paths: Iterable[str | os.PathLike[str] | PipedListing], *,
                     progress: ProgressCallback | None = None,
                     cancel: CancelCallback | None = None,
                     position: PositionCallback | None = None) -> ImportReport:
        """`position(bytes_read, size)` follows each committed batch of a file. A
        `PipedListing` among the paths (a pipe's bytes) is read as a file is."""
        return self._importer.import_files(paths, progress=progress, cancel=cancel,
                                           position=position)

    def import_text(self, text: str, *, name: str = "clipboard") -> FileReport:
        return self._importer.import_text(text, name=name)

    def import_samples(self) -> ImportReport:
        return self._importer.import_samples()

    def import_records(self, records: Iterable[PaperRecord], *, name: str,
                       listing_date: str | None = None, form: str | None = None,
                       sha256: str | None = None) -> FileReport:
        return self._importer.import_records(records, name=name, listing_date=listing_date,
                                             form=form, sha256=sha256)

    def abstract_history(self, paper_id: int) -> list[dict[str, Any]]:
        return self._importer.abstract_history(paper_id)

    def summary_history(self, paper_id: int) -> list[dict[str, Any]]:
        return self._importer.summary_history(paper_id)

    def sources(self, limit: int | None = None, *, undone: bool = False
                ) -> list[dict[str, Any]]:
        return self._importer.sources(limit, undone=undone)

    # ------------------------------------------------- delete, undo an import
    def delete_papers(self, ids: Iterable[int], *, backup: bool = True,
                      progress: Callable[[int, int], None] | None = None,
                      cancel: Callable[[], bool] | None = None) -> Change:
        return self._removals.delete_papers(ids, backup=backup, progress=progress,
                                            cancel=cancel)

    def undo_import(self, source_id: int, *, backup: bool = True,
                    progress: Callable[[int, int], None] | None = None,
                    cancel: Callable[[], bool] | None = None) -> ImportUndo:
        return self._removals.undo_import(source_id, backup=backup, progress=progress,
                                          cancel=cancel)

    def removal_jobs(self) -> list[dict[str, Any]]:
        """Imports a kill cut short and not yet taken back ("kind" "import", first),
        then deletes and take-backs recorded as running (in another program, or left
        by a kill and not yet finished); "what" names each ("import 7 (big.txt)",
        "taking back import 6")."""
        imports = [] if self.read_only else self._importer.cut_short()
        return [*imports, *self._removals.jobs()]

    def finish_cut_short(self, *, progress: Callable[[int, int], None] | None = None,
                         cancel: Callable[[], bool] | None = None) -> list[str]:
        """Finish what a kill cut short (what opening does, unless
        `finish_cut_short=False`), with `progress(done, total)`: take back the imports
        (`cancel()` stops between two steps, the rest is for the next open), then
        finish the deletes and take-backs (`cancel()` rolls the one being finished
        back instead). One line each on what was done."""
        told = len(self._core.notices)
        if not self._importer.finish_cut_short(progress, cancel):
            return self._core.notices[told:]
        self._removals.finish_cut_short(progress, cancel)
        return self._core.notices[told:]

    # ------------------------------------------------------------------ reads
    def get(self, paper_id: int) -> Paper | None:
        return self._reads.get(paper_id)

    def get_many(self, ids: Sequence[int]) -> list[Paper]:
        return self._reads.get_many(ids)

    def rows(self, ids: Sequence[int]) -> dict[int, PaperRow]:
        return self._reads.rows(ids)

    def search(self, query: str = "", *, limit: int | None = 50, offset: int = 0,
               sort: str | None = None, typing: bool = False) -> SearchResult:
        result = self._reads.search(query, limit=limit, offset=offset, sort=sort, typing=typing)
        if result.sort == "interest" and result.error is None:
            # The model ranks every match, so a page is cut after sorting.
            full = result if limit is None and not offset else \
                self._reads.search(query, limit=None, sort=sort, typing=typing)
            return self._learning.by_interest(full, limit=limit, offset=offset)
        return result

    def count(self, query: str = "", *, typing: bool = False, sort: str | None = None) -> int:
        return self._reads.count(query, typing=typing, sort=sort)

    def fuzzy_titles(self, text: str, limit: int = 20) -> list[tuple[int, str, float]]:
        return self._reads.fuzzy_titles(text, limit)

    def similar(self, paper_id: int, limit: int = 10) -> list[int]:
        return self._learning.similar(paper_id, limit)

    def explain(self, query: str, *, typing: bool = False) -> str:
        return self._reads.explain(query, typing=typing)

    # ---------------------------------------------------------------- For you
    @property
    def recommender(self) -> Recommender:
        """The library's models (storage/learn.py), for a background thread to refresh
        on its own connection."""
        return self._learning.recommender

    @property
    def learn_in_background(self) -> bool:
        """When True (the GUI), reads never vectorise or train on the caller's thread:
        they use the last model, and a worker calls `recommender.refresh()`."""
        return self._learning.in_background

    @learn_in_background.setter
    def learn_in_background(self, value: bool) -> None:
        self._learning.in_background = value

    def update_vectors(self, cancel: CancelCallback | None = None) -> int:
        return self._learning.update_vectors(cancel)

    def recommend(self, tag: str | None = None, limit: int | None = None) -> Ranking:
        """The Inbox (or, with `tag`, unread papers not carrying it) ranked by a model
        of the user's decisions; upvotes and recency while it is too early to learn."""
        return self._learning.recommend(tag, limit)

    def order_by_interest(self, ids: list[int], tag: str | None = None, *,
                          head: int | None = None) -> list[int]:
        """`ids` in the For you model's order (or a tag's), best first; with `head`,
        only the first `head` of that order (the rest is not sorted)."""
        return self._learning.order(ids, tag, head=head)

    def interest_status(self, tag: str | None = None) -> str:
        """What orders the For you (or a tag's suggestions) view, in one line."""
        return self._learning.status(tag)

    def why_recommended(self, paper_id: int, tag: str | None = None) -> Why | None:
        """Why the For you model (or a tag's) ranks this paper where it does."""
        return self._learning.why(paper_id, tag)

    def stats(self) -> dict[str, int]:
        return self._reads.stats()

    def unknown_states(self) -> dict[str, int]:
        return self._reads.unknown_states()

    def import_in_progress(self) -> bool:
        return self._reads.import_in_progress()

    def has_unread(self) -> bool:
        return self._reads.has_unread()

    def has_state(self, state: str) -> bool:
        return self._reads.has_state(state)

    def is_empty(self) -> bool:
        return self._reads.is_empty()

    # ------------------------------------------------------------ user actions
    def set_state(self, ids: Iterable[int], state: str,
                  until: str | date | None = None) -> Change:
        """Move papers into a triage state of storage/states.py (see Triage.set_state)."""
        return self._triage.set_state(ids, state, until)

    def wake_snoozed(self, today: date | None = None) -> Change:
        """Snoozed papers whose date has come back to the Inbox. Runs when a library
        opens for writing; a long-running app calls it again when the day changes."""
        return self._triage.wake_snoozed(today)

    def set_read(self, ids: Iterable[int], read: bool = True) -> Change:
        """Mark papers done (read=True) or back to the Inbox."""
        return self._triage.set_read(ids, read)

    def set_starred(self, ids: Iterable[int], starred: bool = True) -> Change:
        return self._triage.set_starred(ids, starred)

    def set_note(self, paper_id: int, text: str) -> Change:
        return self._triage.set_note(paper_id, text)

    def tags(self) -> list[tuple[str, int]]:
        return self._tags.tags()

    def add_tags(self, ids: Iterable[int], tags: Iterable[str]) -> Change:
        return self._tags.add_tags(ids, tags)

    def remove_tags(self, ids: Iterable[int], tags: Iterable[str]) -> Change:
        return self._tags.remove_tags(ids, tags)

    def quick_tags(self) -> list[tuple[int, str]]:
        return self._tags.quick_tags()

    def rename_tag(self, old: str, new: str) -> int:
        return self._tags.rename_tag(old, new)

    def delete_tag(self, name: str) -> int:
        return self._tags.delete_tag(name)

    # ------------------------------------------------------------ annotations
    def annotate(self, paper_id: int, start: int, end: int, comment: str | None = None,
                 colour: str | None = None, field: str = "abstract") -> Change:
        """`field`: the text the offsets are into, "abstract" or "ai_summary"."""
        return self._annotations.annotate(paper_id, start, end, comment, colour, field)

    def annotate_quote(self, paper_id: int, quote: str, comment: str | None = None,
                       colour: str | None = None, occurrence: int = 1,
                       field: str = "abstract") -> Change:
        return self._annotations.annotate_quote(paper_id, quote, comment, colour, occurrence,
                                                field)

    def annotation(self, annotation_id: int) -> Annotation | None:
        return self._annotations.annotation(annotation_id)

    def annotations(self, paper_id: int | None = None) -> list[Annotation]:
        return self._annotations.annotations(paper_id)

    def update_annotation(self, annotation_id: int, *, comment: str | None = None,
                          colour: str | None = None) -> Change:
        return self._annotations.update_annotation(annotation_id, comment=comment,
                                                   colour=colour)

    def delete_annotation(self, annotation_id: int) -> Change:
        return self._annotations.delete_annotation(annotation_id)

    # -------------------------------------------------------------- undo/redo
    def undo(self, *, progress: Callable[[int, int], None] | None = None,
             cancel: Callable[[], bool] | None = None) -> Change:
        """`progress(done, total)`: after each step of a big put-back (a delete or a
        take-back of thousands of papers runs in steps); `cancel()`, polled between
        them, turns it round: the library as before, the change in effect still
        (the returned Change is empty, its description says so)."""
        return self._events.undo(progress=progress, cancel=cancel)

    def redo(self, *, progress: Callable[[int, int], None] | None = None,
             cancel: Callable[[], bool] | None = None) -> Change:
        return self._events.redo(progress=progress, cancel=cancel)

    def papers_to_replay(self, *, redo: bool = False) -> int:
        """How many papers the next undo (or redo) takes out or puts back: 0 unless
        it is a delete or a taken-back import. The app runs a big one off the GUI
        thread."""
        return self._removals.papers_to_replay(undo=not redo)

    def can_undo(self) -> bool:
        return self._events.can_undo()

    def can_redo(self) -> bool:
        return self._events.can_redo()

    # --------------------------------------------------------- saved searches
    def save_search(self, name: str, query: str) -> Change:
        return self._saved.save_search(name, query)

    def saved_searches(self) -> list[tuple[str, str]]:
        return self._saved.saved_searches()

    def delete_saved_search(self, name: str) -> Change:
        return self._saved.delete_saved_search(name)

    # ----------------------------------------------------------------- export
    def export(self, query: str = "", format: str = "json",
               out: str | os.PathLike[str] | None = None) -> str:
        return self._exporter.export(query, format, out)
