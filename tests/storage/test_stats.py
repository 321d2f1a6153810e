"""storage/stats.py against a library with known decisions at known times: every
figure, and every count agreeing with Library.stats() and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from storage import Library
from storage.states import BUILTIN_STATES
from storage.stats import triage_stats

# Every state of the table, none in it: the figures name each state, empty or not.
NONE = {state.name: 0 for state in BUILTIN_STATES}

DAY = "2026-03-{:02d}T10:{:02d}:{:02d}+00:00"


def _at(lib: Library, stamp: str) -> None:
    """Put the newest action (its events and the state it set) at `stamp`."""
    batch = lib.conn.execute("SELECT max(batch) FROM events").fetchone()[0]
    lib.conn.execute("UPDATE events SET at = ? WHERE batch = ?", (stamp, batch))
    lib.conn.execute(
        "UPDATE papers SET state_changed_at = ?, read_at = CASE WHEN state = 'done' "
        "THEN ? END WHERE id IN (SELECT paper_id FROM events WHERE batch = ?)",
        (stamp, stamp, batch))


@pytest.fixture
def known(seeded: Library) -> Library:
    """415 papers added on Jan 1; decisions on Mar 2, 3 and 5 (local noon-ish)."""
    seeded.conn.execute("UPDATE papers SET added_at = '2026-01-01T10:00:00+00:00'")
    seeded.set_state([1, 2, 3], "done")
    _at(seeded, DAY.format(2, 0, 0))
    seeded.set_state([4], "skipped")
    _at(seeded, DAY.format(2, 0, 4))
    seeded.set_state([5, 6], "shortlist")
    _at(seeded, DAY.format(2, 0, 10))
    seeded.set_state([7], "later", until="2099-01-01")
    _at(seeded, DAY.format(3, 0, 0))
    seeded.set_read([8])
    _at(seeded, DAY.format(3, 30, 0))  # 30 min later: a new session
    seeded.set_state([8], "inbox")  # taken back: not a decision any more
    _at(seeded, DAY.format(5, 0, 0))
    seeded.set_state([9], "done")
    _at(seeded, DAY.format(5, 0, 0))
    seeded.undo()  # 9 is back in the Inbox, its decision never counted
    seeded.add_tags([1, 2, 3], ["rl"])
    seeded.add_tags([4], ["kan"])
    return seeded


def test_decisions_per_day_and_per_state(known: Library) -> None:
    figures = triage_stats(known, days=10, today=date(2026, 3, 10))
    assert figures.today == "2026-03-10" and len(figures.per_day) == 10
    by_day = dict(figures.per_day)
    assert by_day["2026-03-01"] == 0
    assert by_day["2026-03-02"] == 6  # done 1-3, skipped 4, shortlist 5, 6
    assert by_day["2026-03-03"] == 1  # later 7 (8 was taken back)
    assert by_day["2026-03-05"] == 0  # 9 was undone
    assert figures.per_state == {**NONE, "inbox": 408, "later": 1, "shortlist": 2,
                                 "done": 3, "skipped": 1}
    assert figures.decided == 7 == sum(by_day.values())
    counts = known.stats()
    assert all(counts[name] == n for name, n in figures.per_state.items())


def test_inbox_size_and_the_age_of_its_oldest_paper(known: Library) -> None:
    figures = triage_stats(known, days=10, today=date(2026, 3, 10))
    inbox = {day: (size, age) for day, size, age in figures.inbox}
    assert inbox["2026-03-01"] == (415, 59)  # Jan 1 to Mar 1
    assert inbox["2026-03-02"] == (409, 60)
    assert inbox["2026-03-03"] == (407, 61)  # 7 snoozed, 8 decided that day
    assert inbox["2026-03-05"] == (408, 63)  # 8 back
    assert inbox["2026-03-10"] == (408, 68)


def test_time_per_decision_comes_from_the_event_times(known: Library) -> None:
    timing = triage_stats(known, days=10, today=date(2026, 3, 10)).decision_seconds
    # 10:00:00 -> :04 -> :10 on Mar 2; Mar 3 10:00 and 10:30 are other sessions.
    assert timing["count"] == 2 and timing["median"] == 5.0 and timing["mean"] == 5.0


def test_top_tags(known: Library) -> None:
    figures = triage_stats(known, days=10, today=date(2026, 3, 10))
    assert figures.top_tags == [("rl", 3), ("kan", 1)]


def test_a_tag_whose_papers_were_deleted_is_no_top_tag(known: Library) -> None:
    [kan_paper] = known.search("tag:kan", limit=None).ids
    known.delete_papers([kan_paper], backup=False)
    assert ("kan", 0) in known.tags()  # the tag itself stays, for undo
    figures = triage_stats(known, days=10, today=date(2026, 3, 10))
    assert figures.top_tags == [("rl", 3)]
    known.undo()
    assert triage_stats(known, days=10, today=date(2026, 3, 10)).top_tags == [
        ("rl", 3), ("kan", 1)]


def test_read_then_unread_is_counted_nowhere(seeded: Library) -> None:
    """The old `stats` said 4 read while its per-day table said 5: a read mark taken
    back by marking unread (not by undo) still counted per day."""
    seeded.set_read([1, 2, 3, 4, 5])
    seeded.set_read([5], False)
    figures = triage_stats(seeded)
    assert seeded.stats()["read"] == 4 == figures.per_state["done"]
    assert sum(n for _, n in figures.per_day) == 4 == figures.decided


def _winnow(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    # The user's own states.json must not change what the test sees.
    env = {**os.environ, "WINNOW_CONFIG_DIR": str(db.parent / "config")}
    return subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120, check=False, env=env)


def test_the_command_line_gives_the_same_figures(seeded_path: Path, tmp_path: Path) -> None:
    for args in (["done", "1", "2", "3"], ["skip", "4"], ["later", "5", "--until", "tomorrow"],
                 ["shortlist", "6"], ["read", "7"], ["inbox", "7"]):
        result = _winnow(*args, db=seeded_path)
        assert result.returncode == 0, result.stderr
    later = _winnow("later", "8", "--until", "someday", db=seeded_path)
    assert later.stdout.strip() == "marked 1 paper for later someday"
    out = _winnow("stats", "--json", db=seeded_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["per_state"] == {**NONE, "inbox": 408, "later": 2, "shortlist": 1,
                                 "done": 3, "skipped": 1}
    assert all(data["counts"][k] == v for k, v in data["per_state"].items())
    assert data["decided"] == sum(n for _, n in data["per_day"]) == 7
    with Library(seeded_path) as lib:
        assert {p.state for p in lib.get_many([1, 2, 3])} == {"done"}
        assert lib.get(5).snooze_until is not None and lib.get(8).snooze_until is None
    bad = _winnow("later", "9", "--until", "last-tuesday", db=seeded_path)
    assert bad.returncode == 1 and "not a date" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_plot_writes_a_png(seeded_path: Path, tmp_path: Path) -> None:
    _winnow("done", "1", db=seeded_path)
    out = tmp_path / "stats.png"
    result = _winnow("stats", "--plot", str(out), db=seeded_path)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
