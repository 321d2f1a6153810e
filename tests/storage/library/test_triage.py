"""Triage marks (storage/library/triage.py): a read mark writes the row and one event only."""

from __future__ import annotations

from storage import Library


def test_read_mark_does_not_touch_the_index(seeded: Library) -> None:
    # The FTS update trigger must fire on text columns only (PITFALLS: a plain
    # AFTER UPDATE re-indexes the abstract at every read mark).
    seeded.check(quick=False)  # the check owed before a first write counts a change
    changes_before = seeded.conn.total_changes
    seeded.set_read([1])
    # The paper row, one event, and the two state counts it moves (schema 9's triggers).
    assert seeded.conn.total_changes - changes_before == 4
