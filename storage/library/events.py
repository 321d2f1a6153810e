"""The events log: every user action, so it can be undone, even after a restart.

Each action writes its events in one batch (`new_batch`, `log`). Undo replays a
batch backwards, redo forwards; how one event is put back is up to the part that
logs it, which registers an `Applier` for its action names (`register`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from storage.library.core import Core, guarded, now, plural
from storage.models import COUNTS, Change
from storage.removal import purge_trash

# Puts one logged change into the state `target` (its before on undo, its after
# on redo) for `paper_id`; `other` is the state on the far side of the change.
# An applier that touches other papers than `paper_id` (putting back a whole
# import) returns their ids.
Applier = Callable[[int, Any, Any], "list[int] | None"]
# Names an action in "Undid <label> on 3 papers": a text, or a function of the
# first event's (before, after).
Label = str | Callable[[Any, Any], str]
# Undoes (undo=True) or redoes a whole batch its own way, committing as it likes
# (a delete of 30,000 papers, in steps: storage/library/removals.py), with progress
# and cancel.
BulkReplay = Callable[[int, bool, "Callable[[int, int], None] | None",
                       "Callable[[], bool] | None"], Change]
# Names a whole batch from all its events, (action, before, after) in the order they
# were logged, where its first event alone would not say what the user did (a tag
# deleted from 3 papers logs 3 untags and then the tag's row); None: not one of its.
Namer = Callable[["list[tuple[str, Any, Any]]"], "str | None"]


class Events:
    """The undo log of one library, and undo/redo over it."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.conn = core.conn
        self._appliers: dict[str, Applier] = {}
        self._paperless: set[str] = set()
        self._labels: dict[str, Label] = {}
        self._aspects: dict[str, frozenset[str]] = {}
        self._bulk: dict[str, BulkReplay] = {}
        self._namers: dict[str, Namer] = {}
        self._guards: list[Callable[[], None]] = []

    def register(self, action: str, apply: Applier, label: Label,
                 aspects: frozenset[str], *, needs_paper: bool = True) -> None:
        """`apply` puts back events of `action`; `label` names it in "Undid ...";
        `aspects` are what its undo changes (see storage.models.Change).
        `needs_paper=False`: the action itself brings its paper back (undoing a
        delete), so its events are replayed even while the paper is gone."""
        self._appliers[action] = apply
        self._labels[action] = label
        self._aspects[action] = aspects | {COUNTS}
        if not needs_paper:
            self._paperless.add(action)

    def register_bulk(self, actions: frozenset[str], replay: BulkReplay) -> None:
        """Batches whose actions are among `actions` are undone and redone whole by
        `replay`, outside any transaction of the log's."""
        for action in actions:
            self._bulk[action] = replay

    def register_namer(self, actions: frozenset[str], namer: Namer) -> None:
        """Batches holding one of `actions` are named by `namer` in "Undid ..." (when
        it gives a name) instead of by their first event's label."""
        for action in actions:
            self._namers[action] = namer

    def register_guard(self, guard: Callable[[], None]) -> None:
        """`guard` runs before every undo and redo; it raises LibraryError to refuse."""
        self._guards.append(guard)

    def new_batch(self) -> int:
        # A new action makes everything undone so far unreachable by redo, and
        # what those batches left in the trash with it.
        unreachable = [row[0] for row in self.conn.execute(
            "SELECT DISTINCT batch FROM events WHERE undone = 1")]
        self.conn.execute("UPDATE events SET undone = 2 WHERE undone = 1")
        purge_trash(self.conn, unreachable)
        return self.conn.execute(
            "SELECT coalesce(max(batch), 0) + 1 FROM events").fetchone()[0]

    def log(self, batch: int, paper_id: int | None, action: str, before: Any,
            after: Any) -> None:
        self.conn.execute(
            "INSERT INTO events (batch, paper_id, action, before, after, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (batch, paper_id, action, json.dumps(before), json.dumps(after), now()),
        )

    def log_many(self, batch: int, rows: list[tuple[int | None, str, Any, Any]], *,
                 undone: int = 0) -> None:
        """`log` for many events of one batch: (paper_id, action, before, after)."""
        at = now()
        self.conn.executemany(
            "INSERT INTO events (batch, paper_id, action, before, after, at, undone) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(batch, paper_id, action, json.dumps(before), json.dumps(after), at, undone)
             for paper_id, action, before, after in rows])

    @guarded
    def undo(self, progress: Callable[[int, int], None] | None = None,
             cancel: Callable[[], bool] | None = None) -> Change:
        """Take back the latest user action still in effect; an empty Change if none.
        `progress` and `cancel` are handed to a bulk replay (see `register_bulk`)."""
        for guard in self._guards:
            guard()
        batch = self.next_batch(undo=True)
        if batch is None:
            return Change("Nothing to undo", origin="undo")
        return self._core.announce(self._dispatch(batch, undo=True, progress=progress,
                                                  cancel=cancel))

    @guarded
    def redo(self, progress: Callable[[int, int], None] | None = None,
             cancel: Callable[[], bool] | None = None) -> Change:
        for guard in self._guards:
            guard()
        batch = self.next_batch(undo=False)
        if batch is None:
            return Change("Nothing to redo", origin="redo")
        return self._core.announce(self._dispatch(batch, undo=False, progress=progress,
                                                  cancel=cancel))

    def next_batch(self, *, undo: bool) -> int | None:
        """The batch undo (or redo) would replay next, if any."""
        sql = ("SELECT max(batch) FROM events WHERE undone = 0" if undo
               else "SELECT min(batch) FROM events WHERE undone = 1")
        return self.conn.execute(sql).fetchone()[0]

    @guarded
    def can_undo(self) -> bool:
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM events WHERE undone = 0)").fetchone()[0] == 1

    @guarded
    def can_redo(self) -> bool:
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM events WHERE undone = 1)").fetchone()[0] == 1

    def _dispatch(self, batch: int, *, undo: bool,
                  progress: Callable[[int, int], None] | None,
                  cancel: Callable[[], bool] | None) -> Change:
        actions = {row[0] for row in self.conn.execute(
            "SELECT DISTINCT action FROM events WHERE batch = ?", (batch,))}
        bulk = {self._bulk.get(action) for action in actions}
        if len(bulk) == 1 and None not in bulk:
            return bulk.pop()(batch, undo, progress, cancel)  # type: ignore[misc]
        return self._replay(batch, undo=undo)

    def _replay(self, batch: int, *, undo: bool) -> Change:
        with self._core.write() as conn:
            events = conn.execute(
                "SELECT paper_id, action, before, after FROM events WHERE batch = ? "
                f"ORDER BY id {'DESC' if undo else 'ASC'}", (batch,)).fetchall()
            paper_ids: list[int] = []
            # A paper deleted since (by another tool, a delete, an import taken back)
            # cannot take its change back: that entry is skipped, and said so,
            # instead of failing the whole undo on a foreign key.
            present = {row[0] for row in conn.execute(
                "SELECT id FROM papers WHERE id IN "
                "(SELECT paper_id FROM events WHERE batch = ?)", (batch,))}
            skipped: list[int] = []
            aspects: set[str] = set()
            decoded = [(paper_id, action, json.loads(before_json), json.loads(after_json))
                       for paper_id, action, before_json, after_json in events]
            label = self._batch_name(decoded, undo=undo)
            for paper_id, action, before, after in decoded:
                if not label:
                    named = self._labels.get(action, action)
                    label = named(before, after) if callable(named) else named
                if paper_id is not None and paper_id not in present \
                        and action not in self._paperless:
                    skipped.append(paper_id)
                    continue
                # An action no part knows (from a newer Winnow) is left as it is.
                apply = self._appliers.get(action)
                touched = None
                if apply is not None and undo:
                    touched = apply(paper_id, before, after)
                elif apply is not None:
                    touched = apply(paper_id, after, before)
                aspects |= self._aspects.get(action, frozenset())
                if touched is not None:
                    paper_ids.extend(touched)
                elif paper_id is not None:  # events about a tag or an import, not a paper
                    paper_ids.append(paper_id)
            conn.execute("UPDATE events SET undone = ? WHERE batch = ?",
                         (1 if undo else 0, batch))
        ids = tuple(dict.fromkeys(paper_ids))
        # A change to no paper (a tag renamed) is not "on 0 papers".
        what = (f"{label or 'change'} on {plural(len(ids), 'paper')}" if ids or not label
                else label)
        if skipped:
            gone = sorted(set(skipped))
            shown = ", ".join(map(str, gone[:5])) + ("…" if len(gone) > 5 else "")
            what += (f"; skipped {len(skipped)} change{'s' if len(skipped) != 1 else ''} to "
                     f"{'a paper' if len(gone) == 1 else 'papers'} no longer in the library "
                     f"(id {shown})")
        return Change(f"{'Undid' if undo else 'Redid'} {what}", ids, frozenset(aspects),
                      count=len(events), origin="undo" if undo else "redo")

    def _batch_name(self, events: list[tuple[int | None, str, Any, Any]], *,
                    undo: bool) -> str:
        """The batch's name from its namer, if one of its actions has one."""
        for _paper_id, action, _before, _after in events:
            namer = self._namers.get(action)
            if namer is not None:
                in_order = [(a, b, c) for _p, a, b, c in events]
                name = namer(in_order[::-1] if undo else in_order)
                if name:
                    return name
                break
        return ""
