"""Taking papers out and putting them back: `delete_papers`, `undo_import`, and
their undo and redo through the events log (storage/removal.py does the rows)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from storage import removal
from storage.library.annotations import reanchor_annotations
from storage.library.backups import Backups, _unused
from storage.library.core import Core, guarded, now
from storage.library.errors import LibraryError
from storage.library.events import Events
from storage.models import COUNTS, PAPERS, Change


class Removals:
    """Delete and undo-import for one library; `on_changed` runs after papers left
    or came back (the search caches forget them)."""

    def __init__(self, core: Core, events: Events, backups: Backups,
                 on_changed: Callable[[], None]) -> None:
        self._core = core
        self.conn = core.conn
        self._events = events
        self._backups = backups
        self._on_changed = on_changed
        self._reanchor = partial(reanchor_annotations, core.conn)
        # Undoing a delete brings its paper back: replayed while the paper is gone.
        events.register("delete", self._put_back_delete, "delete", frozenset({PAPERS}),
                        needs_paper=False)
        events.register("import_undo", self._put_back_import, "undo of an import",
                        frozenset({PAPERS}))

    def _backup_before(self, what: str) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = self._backups.backup_dir()
        return self._backups.backup(_unused(folder / f"{self._core.path.stem}-before-{what}-"
                                                     f"{stamp}.db"))

    @guarded
    def delete_papers(self, ids: Iterable[int], *, backup: bool = True) -> Change:
        """Delete papers with everything on them (tags, notes, highlights), after a
        backup; `undo()` puts them back whole, with their ids."""
        self._core.refuse_writes()
        wanted = self._core.existing_ids(ids)
        if not wanted:
            return Change("Deleted no paper", ())
        if backup:
            self._backup_before("delete")
        with self._core.write() as conn:
            batch = self._events.new_batch()
            for paper_id in wanted:
                self._events.log(batch, paper_id, "delete", {"state": "present", "batch": batch},
                                 {"state": "deleted", "batch": batch})
            removed = removal.trash_papers(conn, wanted, batch=batch, now=now())
        self._on_changed()
        count = len(removed)
        return self._core.announce(Change(
            f"Deleted {count} paper{'s' if count != 1 else ''}", tuple(removed),
            frozenset({PAPERS, COUNTS}), count=count))

    @guarded
    def undo_import(self, source_id: int, *, backup: bool = True) -> removal.ImportUndo:
        """Take one finished import back (see storage/removal.py): its papers go,
        except those the user acted on or another import also listed; the listing
        facts it changed in other papers are put back. `undo()` redoes the import."""
        self._core.refuse_writes()
        source_id = int(source_id)
        row = self.conn.execute("SELECT status, name FROM sources WHERE id = ?",
                                (source_id,)).fetchone()
        if row is None:
            raise LibraryError(f"no import with id {source_id} (see `winnow sources`)")
        if row[0] == "undone":
            raise LibraryError(f"import {source_id} ({row[1]}) is already undone; "
                               f"`winnow undo` puts it back")
        if row[0] != "complete":
            raise LibraryError(f"import {source_id} ({row[1]}) is still running")
        if backup:
            self._backup_before(f"undo-import-{source_id}")
        with self._core.write() as conn:
            batch = self._events.new_batch()
            try:
                result, state = removal.undo_import(conn, source_id, batch=batch, now=now(),
                                                    reanchor=self._reanchor)
            except LookupError as error:
                raise LibraryError(str(error)) from None
            self._events.log(batch, None, "import_undo",
                             {"state": "complete", "source": source_id},
                             {**state, "state": "undone"})
        self._on_changed()
        self._core.announce(Change(
            f"Took back import {source_id}", (*result.removed, *result.reverted),
            frozenset({PAPERS, COUNTS}), count=len(result.removed) + len(result.reverted),
            everything=True))
        return result

    # The events log replays these inside its own write transaction.
    def _put_back_delete(self, paper_id: int, target: Any, other: Any) -> list[int]:
        self._on_changed()
        if target["state"] == "present":
            restored, _ = removal.restore_trash(self.conn, target["batch"], paper_id)
            return restored
        return removal.trash_papers(self.conn, [paper_id], batch=target["batch"], now=now())

    def _put_back_import(self, paper_id: int | None, target: Any, other: Any) -> list[int]:
        self._on_changed()
        if target["state"] == "complete":
            return removal.redo_import(self.conn, other, now=now(), reanchor=self._reanchor)
        try:
            result, state = removal.undo_import(self.conn, target["source"],
                                                batch=target["batch"], now=now(),
                                                reanchor=self._reanchor)
        except LookupError:
            return []
        # What this undo did is what the next undo of it must put back.
        self.conn.execute(
            "UPDATE events SET after = ? WHERE batch = ? AND action = 'import_undo'",
            (json.dumps({**state, "state": "undone"}), target["batch"]))
        return [*result.removed, *result.reverted]
