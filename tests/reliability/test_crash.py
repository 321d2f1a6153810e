"""`kill -9` at any moment: an import leaves the library as it was before that file
or holding all of it; a write leaves it as before that write or with all of it.

Real `winnow` processes import a 16,000-paper listing (8 batches of BATCH, each
its own commit) into a copy of a seeded library with user data. The test watches
the file from its own connection and kills at chosen moments: right after the
`sources` row appears, after the first batch commit, half-way, during the last
batch, after the final commit (the daily backup runs then), and at fixed delays
in between. Then a Library opens the file (which undoes a dead import) and the
contents are compared with the library before, and with a clean import.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from tests.conftest import ROOT
from tests.reliability.conftest import (
    BIG_PAPERS,
    IMPORT_TIMESTAMPS,
    OVERLAP,
    TEST_BATCH,
    assert_sound,
    copy_library,
    counts,
    fingerprint,
    leftovers,
    read_only,
    start_winnow,
    wait_for,
)

pytestmark = pytest.mark.slow

NEW_PAPERS = BIG_PAPERS - OVERLAP
State = tuple[str | None, int]  # (status of the import's sources row, new papers so far)

# Moments picked by watching the file. The predicate sees the import's row status
# and how many of its papers are committed.
MOMENTS: dict[str, Callable[[State], bool]] = {
    "row registered, no batch committed": lambda s: s[0] == "importing" and s[1] == 0,
    "first batch committed": lambda s: s[0] == "importing" and s[1] > 0,
    "half the batches committed": lambda s: s[0] == "importing" and s[1] >= NEW_PAPERS // 2,
    "last batch running": lambda s: s[0] == "importing" and s[1] >= NEW_PAPERS - TEST_BATCH,
    "final commit done": lambda s: s[0] == "complete",
}
# Fixed delays after the process starts: opening, hashing, parsing, between commits.
DELAYS = (0.3, 0.4, 0.5, 0.65)


def _import_state(conn: sqlite3.Connection, base_sources: int, base_max_id: int) -> State:
    row = conn.execute(
        "SELECT (SELECT status FROM sources WHERE id > ? ORDER BY id DESC LIMIT 1), "
        "(SELECT max(id) FROM papers)", (base_sources,)).fetchone()
    return row[0], row[1] - base_max_id


def _outcome(path: Path, before: dict[str, str], complete: dict[str, str]) -> str:
    if fingerprint(path) == before:
        return "before"
    if fingerprint(path, ignore=IMPORT_TIMESTAMPS) == complete:
        return "complete"
    return f"MIXED {counts(path)}"


@pytest.fixture(scope="module")
def expected(base_template: Path, imported_template: Path) -> dict[str, dict[str, str]]:
    return {"before": fingerprint(base_template),
            "complete": fingerprint(imported_template, ignore=IMPORT_TIMESTAMPS)}


def _run_and_kill(path: Path, listing: Path, *, moment: str | None = None,
                  delay: float | None = None) -> State:
    with closing(read_only(path)) as conn:
        base_sources, base_max = conn.execute(
            "SELECT max(id), (SELECT max(id) FROM papers) FROM sources").fetchone()
        process = start_winnow("import", str(listing), db=path)
        try:
            state: State = (None, 0)
            if moment is not None:
                predicate = MOMENTS[moment]

                def reached() -> bool:
                    nonlocal state
                    state = _import_state(conn, base_sources, base_max)
                    return predicate(state) or process.poll() is not None

                wait_for(reached)
            else:
                assert delay is not None
                time.sleep(delay)
                state = _import_state(conn, base_sources, base_max)
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.communicate()
    return state


@pytest.mark.parametrize("moment", [*MOMENTS, *(f"after {d} s" for d in DELAYS)])
def test_import_killed_leaves_before_or_complete(
        tmp_path: Path, base_template: Path, big_listing: Path,
        expected: dict[str, dict[str, str]], moment: str) -> None:
    path = copy_library(base_template, tmp_path)
    if moment in MOMENTS:
        state = _run_and_kill(path, big_listing, moment=moment)
    else:
        state = _run_and_kill(path, big_listing, delay=float(moment.split()[1]))

    with Library(path):  # opening undoes an import whose process is gone
        pass
    assert_sound(path)
    outcome = _outcome(path, expected["before"], expected["complete"])
    print(f"\nkilled at {moment!r}: seen {state} -> {outcome}")
    assert outcome in ("before", "complete"), outcome
    if state[0] == "complete":
        assert outcome == "complete"
    assert leftovers(path.parent) == []


def test_library_recovered_from_a_kill_imports_the_file_again(
        tmp_path: Path, base_template: Path, big_listing: Path,
        imported_template: Path) -> None:
    path = copy_library(base_template, tmp_path)
    with closing(read_only(path)) as conn:
        [[base_max]] = conn.execute("SELECT max(id) FROM papers")
    state = _run_and_kill(path, big_listing, moment="half the batches committed")
    with Library(path) as lib:
        report = lib.import_files([big_listing])
        assert report.ok and report.new == NEW_PAPERS and report.updated == OVERLAP
    assert_sound(path)
    # The same papers, links and marks as a clean import, under fresh ids: the ids
    # of the papers taken back are never handed out again.
    renumbered = {**IMPORT_TIMESTAMPS, "papers": {*IMPORT_TIMESTAMPS["papers"], "id"},
                  "paper_sources": {"paper_id"}}
    assert fingerprint(path, ignore=renumbered) == \
        fingerprint(imported_template, ignore=renumbered)
    with closing(read_only(path)) as conn:
        [[lowest]] = conn.execute("SELECT min(id) FROM papers WHERE id > ?", (base_max,))
    assert lowest > base_max + state[1]


# ------------------------------------------------------------------ writes
SET_READ_ALL = """
import sys
from storage import Library
with Library(sys.argv[1], check=False) as lib:
    ids = [row[0] for row in lib.conn.execute("SELECT id FROM papers")]
    lib.set_read(ids)
"""


def _write_lock_held(conn: sqlite3.Connection) -> bool:
    """True while another connection holds the write lock (is mid-transaction)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        return "locked" in str(error)
    conn.execute("ROLLBACK")
    return False


def _kill_mid_write(path: Path, command: list[str], extra_delay: float) -> bool:
    """Start `command`, kill it `extra_delay` s after it takes the write lock;
    True if the lock was seen before the process ended."""
    probe = sqlite3.connect(path, isolation_level=None, timeout=0)
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        seen = False

        def locked_or_done() -> bool:
            nonlocal seen
            seen = _write_lock_held(probe)
            return seen or process.poll() is not None

        wait_for(locked_or_done, every=0.002)
        time.sleep(extra_delay)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
        probe.close()
    return seen


@pytest.mark.parametrize("extra_delay", [0.0, 0.05, 0.2])
def test_set_read_killed_mid_write_is_all_or_nothing(
        tmp_path: Path, imported_template: Path, extra_delay: float) -> None:
    path = copy_library(imported_template, tmp_path)
    before = fingerprint(path)
    with closing(read_only(path)) as conn:
        total, read_before, events_before = conn.execute(
            "SELECT count(*), count(read_at), (SELECT count(*) FROM events) FROM papers"
        ).fetchone()

    seen = _kill_mid_write(path, [sys.executable, "-c", SET_READ_ALL, str(path)], extra_delay)

    with Library(path):
        pass
    assert_sound(path)
    with closing(read_only(path)) as conn:
        read_after, events_after = conn.execute(
            "SELECT count(read_at), (SELECT count(*) FROM events) FROM papers").fetchone()
    outcome = "before" if read_after == read_before else "after"
    print(f"\nset_read of {total} papers killed {extra_delay} s into its write "
          f"(lock seen: {seen}) -> {outcome}")
    if outcome == "before":
        assert fingerprint(path) == before
    else:
        assert read_after == total
        assert events_after == events_before + total - read_before


@pytest.mark.parametrize("extra_delay", [0.0, 0.1])
def test_winnow_tag_killed_mid_write_is_all_or_nothing(
        tmp_path: Path, imported_template: Path, extra_delay: float) -> None:
    path = copy_library(imported_template, tmp_path)
    before = fingerprint(path)
    with closing(read_only(path)) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM papers ORDER BY id LIMIT 8000")]
    command = [sys.executable, "-m", "desktop.cli", "--db", str(path), "tag",
               *map(str, ids), "--add", "bulk", "--add", "second"]

    seen = _kill_mid_write(path, command, extra_delay)

    with Library(path):
        pass
    assert_sound(path)
    with closing(read_only(path)) as conn:
        tagged = conn.execute(
            "SELECT count(*) FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
            "WHERE t.name IN ('bulk', 'second')").fetchone()[0]
    print(f"\nwinnow tag on {len(ids)} papers killed {extra_delay} s into its write "
          f"(lock seen: {seen}) -> {tagged} pairs")
    if tagged == 0:
        assert fingerprint(path) == before
    else:
        assert tagged == 2 * len(ids)
