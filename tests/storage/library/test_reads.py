"""Reading the library (storage/library/reads.py): the counts of `stats()`.

The per-state counts come from `state_counts`, kept by triggers (schema 9), not from
a GROUP BY: every way a paper enters, leaves or changes state must keep it exact.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

from storage import Library
from tests.conftest import SEEDS


def _counted(lib: Library) -> dict[str, int]:
    """The per-state counts as a GROUP BY over the papers finds them (the truth)."""
    with sqlite3.connect(lib.path) as conn:
        return dict(conn.execute("SELECT state, count(*) FROM papers GROUP BY state"))


def _assert_counts_agree(lib: Library) -> None:
    stats = lib.stats()
    truth = _counted(lib)
    for state in ("inbox", "later", "shortlist", "done", "skipped"):
        assert stats[state] == truth.get(state, 0), (state, stats, truth)
    assert stats["total"] == sum(truth.values())
    assert stats["read"] == truth.get("done", 0)
    assert stats["unread"] == stats["total"] - stats["read"]


def test_state_counts_follow_every_kind_of_write(seeded: Library) -> None:
    _assert_counts_agree(seeded)
    assert seeded.stats()["inbox"] == 415
    seeded.set_state([1, 2, 3], "done")
    seeded.set_state([4, 5], "shortlist")
    seeded.set_state([6], "skipped")
    seeded.set_state([7, 8], "later", (date.today() + timedelta(days=3)).isoformat())
    seeded.set_state([3], "done")  # no change: no count moves
    _assert_counts_agree(seeded)
    assert seeded.stats()["done"] == 3 and seeded.stats()["later"] == 2
    seeded.undo()  # the later mark
    seeded.redo()
    seeded.undo()
    _assert_counts_agree(seeded)
    assert seeded.stats()["later"] == 0
    seeded.set_read([9])
    seeded.set_read([1], False)
    _assert_counts_agree(seeded)
    seeded.delete_papers([2, 4, 10], backup=False)
    _assert_counts_agree(seeded)
    assert seeded.stats()["total"] == 412
    seeded.undo()  # the delete: the papers come back in their states
    _assert_counts_agree(seeded)
    assert seeded.stats()["shortlist"] == 2


def test_snoozed_papers_waking_are_counted_back_in_the_inbox(seeded: Library) -> None:
    tomorrow = date.today() + timedelta(days=1)
    seeded.set_state([11, 12], "later", tomorrow.isoformat())
    assert seeded.stats()["later"] == 2
    woken = seeded.wake_snoozed(today=tomorrow)
    assert woken and sorted(woken.paper_ids) == [11, 12]
    _assert_counts_agree(seeded)
    assert seeded.stats()["later"] == 0 and seeded.stats()["inbox"] == 415


def test_imports_and_undone_imports_are_counted(library: Library, tmp_path: Path) -> None:
    library.import_files(SEEDS[:2])
    _assert_counts_agree(library)
    first = library.stats()["total"]
    report = library.import_files(SEEDS[2:3])
    _assert_counts_agree(library)
    assert library.stats()["inbox"] > first
    library.undo_import(report.files[0].source_id, backup=False)
    _assert_counts_agree(library)
    assert library.stats()["total"] == first


def test_a_state_only_a_settings_file_knew_is_still_counted_in_the_total(
        seeded: Library) -> None:
    # A paper left in a state that states.json no longer defines (see storage/states.py)
    # keeps its row in the counts table: the total and the known states stay exact.
    seeded.conn.execute("UPDATE papers SET state = 'parked' WHERE id IN (1, 2)")
    truth = _counted(seeded)
    assert truth["parked"] == 2
    with sqlite3.connect(seeded.path) as conn:
        kept = dict(conn.execute("SELECT state, papers FROM state_counts"))
    assert kept["parked"] == 2 and kept["inbox"] == 413
    _assert_counts_agree(seeded)
