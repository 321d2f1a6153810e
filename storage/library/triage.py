"""Triage marks on papers: the state (inbox, later, done...), the star; and the note."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

from storage import states
from storage.library.core import Core, guarded, now, plural, safe_text
from storage.library.errors import LibraryError
from storage.library.events import Events
from storage.models import COUNTS, FLAGS, NOTE, STATE, Change

NOTE_COALESCE_SECONDS = 120


class Triage:
    """Read and star marks and notes of one library; their undo goes through `events`."""

    def __init__(self, core: Core, events: Events) -> None:
        self._core = core
        self.conn = core.conn
        self._events = events
        events.register("read", self._put_back_read, "read mark", frozenset({STATE}))
        events.register("state", self._put_back_state, _undo_label, frozenset({STATE}))
        events.register("star", self._put_back_star, "star", frozenset({FLAGS}))
        events.register("note", self._put_back_note, "note", frozenset({NOTE}))

    @guarded
    def set_state(self, ids: Iterable[int], state: str,
                  until: str | date | None = None) -> Change:
        """Move papers into triage `state` (a name in storage/states.py) in one undo
        step. `until`: for a snoozing state (later), when the paper comes back to the
        Inbox: a date, "tomorrow", "next-week", "3d", "2w" or "someday"/None.

        Papers already in that state (with that date) are left as they are; the
        Change lists those that moved."""
        spec = states.table().get(state)
        if spec is None:
            raise LibraryError(f"unknown state {state!r} (choose from "
                               f"{', '.join(states.table().names())})")
        try:
            snooze = states.snooze_date(until) if spec.snoozes else None
        except ValueError as error:
            raise LibraryError(str(error)) from None
        if until is not None and not spec.snoozes:
            raise LibraryError(f"{spec.label} takes no date; only a snoozing state does")
        wanted = self._core.existing_ids(ids)
        stamp = now()
        after = {"state": spec.name, "until": snooze, "at": stamp,
                 "read_at": stamp if spec.name == "done" else None}
        changed: list[int] = []
        with self._core.write() as conn:
            batch = self._events.new_batch()
            for paper_id in wanted:
                before = _state_of(conn, paper_id)
                if before["state"] == spec.name and before["until"] == snooze:
                    continue
                if before["state"] == "done" == spec.name:
                    after_here = {**after, "read_at": before["read_at"]}  # keep when
                else:
                    after_here = after
                _put_state(conn, paper_id, after_here)
                self._events.log(batch, paper_id, "state", before, after_here)
                changed.append(paper_id)
        when = f" until {snooze}" if snooze else " someday" if spec.snoozes else ""
        return self._core.announce(Change(
            f"Marked {plural(len(changed), 'paper')} {spec.past}{when}", tuple(changed),
            frozenset({STATE, COUNTS}), count=len(changed)))

    @guarded
    def set_read(self, ids: Iterable[int], read: bool = True) -> Change:
        """Mark papers done (read) or back in the Inbox (unread)."""
        return self.set_state(ids, "done" if read else states.INBOX)

    @guarded
    def wake_snoozed(self, today: date | None = None) -> Change:
        """Bring back to the Inbox every snoozed paper whose date has come (`today`:
        local date by default). Not an undo step: the user asked for it when they
        snoozed. Cheap when none is due (one look at a partial index)."""
        day = (today or date.today()).isoformat()
        due = "SELECT id FROM papers WHERE snooze_until IS NOT NULL AND snooze_until <= ?"
        if not self.conn.execute(f"SELECT EXISTS ({due})", (day,)).fetchone()[0]:
            return Change()
        with self._core.write() as conn:
            woken = tuple(r[0] for r in conn.execute(due + " ORDER BY id", (day,)))
            conn.execute(
                f"UPDATE papers SET state = ?, snooze_until = NULL, state_changed_at = ? "
                f"WHERE id IN ({due})", (states.INBOX, now(), day))
        return self._core.announce(Change(
            f"{plural(len(woken), 'snoozed paper')} back in the Inbox", woken,
            frozenset({STATE, COUNTS}), count=len(woken)))

    @guarded
    def set_starred(self, ids: Iterable[int], starred: bool = True) -> Change:
        changed = self._set_flag(ids, "starred", int(starred), "star")
        return self._core.announce(Change(
            f"{'Starred' if starred else 'Unstarred'} {plural(len(changed), 'paper')}",
            changed, frozenset({FLAGS, COUNTS}), count=len(changed)))

    def _set_flag(self, ids: Iterable[int], column: str, value: Any,
                  action: str) -> tuple[int, ...]:
        """Set `column` of the papers `ids` to `value` in one undo step; returns the
        ids whose value changed."""
        wanted = self._core.existing_ids(ids)
        changed: list[int] = []
        with self._core.write() as conn:
            batch = self._events.new_batch()
            for paper_id in wanted:
                before = conn.execute(f"SELECT {column} FROM papers WHERE id = ?",
                                      (paper_id,)).fetchone()[0]
                unchanged = (before is None) == (value is None) if column == "read_at" \
                    else before == value
                if unchanged:
                    continue
                conn.execute(f"UPDATE papers SET {column} = ? WHERE id = ?",
                             (value, paper_id))
                self._events.log(batch, paper_id, action, before, value)
                changed.append(paper_id)
        return tuple(changed)

    @guarded
    def set_note(self, paper_id: int, text: str) -> Change:
        """Replace a paper's note; the Change is empty (false) when it was already
        that text.

        Keystroke-level saves of one note within a couple of minutes make one
        undo step, not hundreds.
        """
        [paper_id] = self._core.existing_ids([paper_id])
        text = safe_text(text)
        with self._core.write() as conn:
            before = conn.execute("SELECT note FROM papers WHERE id = ?",
                                  (paper_id,)).fetchone()[0]
            if before == text:
                return Change()
            conn.execute("UPDATE papers SET note = ?, note_updated_at = ? WHERE id = ?",
                         (text, now(), paper_id))
            last = conn.execute(
                "SELECT id, paper_id, action, at, undone FROM events "
                "ORDER BY id DESC LIMIT 1").fetchone()
            recent = last is not None and last[1] == paper_id and last[2] == "note" and \
                last[4] == 0 and (datetime.now(timezone.utc) - datetime.fromisoformat(
                    last[3])).total_seconds() < NOTE_COALESCE_SECONDS
            if recent:
                conn.execute("UPDATE events SET after = ?, at = ? WHERE id = ?",
                             (json.dumps(text), now(), last[0]))
            else:
                self._events.log(self._events.new_batch(), paper_id, "note", before, text)
        return self._core.announce(Change("Saved the note" if text else "Cleared the note",
                                          (paper_id,), frozenset({NOTE, COUNTS}), count=1))

    def _put_back_read(self, paper_id: int, target: Any, other: Any) -> None:
        # Logged before states existed: a read mark is done, its absence the Inbox.
        _put_state(self.conn, paper_id, {
            "state": "done" if target is not None else states.INBOX, "until": None,
            "at": target, "read_at": target})

    def _put_back_state(self, paper_id: int, target: Any, other: Any) -> None:
        _put_state(self.conn, paper_id, target)

    def _put_back_star(self, paper_id: int, target: Any, other: Any) -> None:
        self.conn.execute("UPDATE papers SET starred = ? WHERE id = ?", (target, paper_id))

    def _put_back_note(self, paper_id: int, target: Any, other: Any) -> None:
        self.conn.execute("UPDATE papers SET note = ?, note_updated_at = ? WHERE id = ?",
                          (target, now(), paper_id))


def _state_of(conn: sqlite3.Connection, paper_id: int) -> dict[str, Any]:
    """What undo needs to put a paper's triage state back exactly."""
    state, until, at, read_at = conn.execute(
        "SELECT state, snooze_until, state_changed_at, read_at FROM papers WHERE id = ?",
        (paper_id,)).fetchone()
    return {"state": state, "until": until, "at": at, "read_at": read_at}


def _put_state(conn: sqlite3.Connection, paper_id: int, state: dict[str, Any]) -> None:
    # read_at stays in step with `done` for everything that reads it (is:read, export).
    conn.execute("UPDATE papers SET state = ?, snooze_until = ?, state_changed_at = ?, "
                 "read_at = ? WHERE id = ?",
                 (state["state"], state["until"], state["at"], state["read_at"], paper_id))


def _undo_label(before: dict[str, Any], after: dict[str, Any]) -> str:
    spec = states.table().get(after["state"])
    return spec.undo_label if spec is not None else after["state"]
