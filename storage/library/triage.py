"""Triage marks on papers: read, starred; and the paper's note."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from storage.library.core import Core, guarded, now, safe_text
from storage.library.events import Events

NOTE_COALESCE_SECONDS = 120


class Triage:
    """Read and star marks and notes of one library; their undo goes through `events`."""

    def __init__(self, core: Core, events: Events) -> None:
        self._core = core
        self.conn = core.conn
        self._events = events
        events.register("read", self._put_back_read, "read mark")
        events.register("star", self._put_back_star, "star")
        events.register("note", self._put_back_note, "note")

    @guarded
    def set_read(self, ids: Iterable[int], read: bool = True) -> int:
        """Mark papers read (or unread); returns how many changed."""
        return self._set_flag(ids, "read_at", now() if read else None, "read")

    @guarded
    def set_starred(self, ids: Iterable[int], starred: bool = True) -> int:
        return self._set_flag(ids, "starred", int(starred), "star")

    def _set_flag(self, ids: Iterable[int], column: str, value: Any, action: str) -> int:
        wanted = self._core.existing_ids(ids)
        changed = 0
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
                changed += 1
        return changed

    @guarded
    def set_note(self, paper_id: int, text: str) -> bool:
        """Replace a paper's note; returns False when it was already that text.

        Keystroke-level saves of one note within a couple of minutes make one
        undo step, not hundreds.
        """
        [paper_id] = self._core.existing_ids([paper_id])
        text = safe_text(text)
        with self._core.write() as conn:
            before = conn.execute("SELECT note FROM papers WHERE id = ?",
                                  (paper_id,)).fetchone()[0]
            if before == text:
                return False
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
        return True

    def _put_back_read(self, paper_id: int, target: Any, other: Any) -> None:
        self.conn.execute("UPDATE papers SET read_at = ? WHERE id = ?", (target, paper_id))

    def _put_back_star(self, paper_id: int, target: Any, other: Any) -> None:
        self.conn.execute("UPDATE papers SET starred = ? WHERE id = ?", (target, paper_id))

    def _put_back_note(self, paper_id: int, target: Any, other: Any) -> None:
        self.conn.execute("UPDATE papers SET note = ?, note_updated_at = ? WHERE id = ?",
                          (target, now(), paper_id))
