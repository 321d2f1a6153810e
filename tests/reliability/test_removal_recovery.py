"""`kill -9` in the middle of a big take-back, its undo, and a big delete.

`winnow undo-import`, `winnow undo` (putting an import back) and `winnow delete` of
thousands of papers run in steps of WINNOW_REMOVAL_BATCH papers, each its own
commit, under a record in `meta` and an OS lock (storage/library/removals.py). The
test starts the real command on a copy of a library holding the seeds, the user's
marks and an 8,000-paper import, watches the file from its own connection, and kills
the process at chosen moments: job recorded with nothing taken yet, first step
committed, half-way, last step, done. The next Library that opens the file finishes
the job. Then every count is compared with a clean run, SQLite's integrity check,
the full-text index's own check and the foreign-key check must pass, and undo and
redo (the real command again) still take the library back and forth.

A command stopped between two steps holds no lock: another program's writes go
through meanwhile, a paper the user stars then is kept, and undo waits for the job.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from tests.conftest import ROOT
from tests.reliability.conftest import (
    BIG_PAPERS,
    OVERLAP,
    WINNOW,
    copy_library,
    fingerprint,
    read_only,
    wait_for,
    winnow,
)

pytestmark = pytest.mark.slow

STEP = 500  # papers per step: the 7,960 papers the import brought take 16 steps
STEP_ENV = {"WINNOW_REMOVAL_BATCH": str(STEP)}
BROUGHT = BIG_PAPERS - OVERLAP
# What a user sees and owns; timestamps of the take-back itself are left out.
USER_TABLES = ("sources", "papers", "paper_sources", "tags", "paper_tags", "annotations",
               "saved_searches")
STAMPS = {"sources": {"undone_at"}}


def _start(*args: str, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*WINNOW, "--db", str(db), *args], cwd=ROOT,
                            env={**os.environ, **STEP_ENV},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run(*args: str, db: Path) -> str:
    result = winnow(*args, db=db, env=STEP_ENV)
    out = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, out
    assert "Traceback" not in out and "unexpected" not in out, out
    return out


def _user_fingerprint(path: Path) -> dict[str, str]:
    return {table: digest for table, digest in fingerprint(path, ignore=STAMPS).items()
            if table in USER_TABLES}


def _source(path: Path) -> int:
    with closing(read_only(path)) as conn:
        return conn.execute("SELECT max(id) FROM sources").fetchone()[0]


def _sound(path: Path) -> dict[str, int]:
    """Every check a library must pass after a recovery; returns its counts."""
    assert not list(path.parent.glob("*-removal-*.lock"))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
        assert conn.execute("SELECT count(*) FROM meta WHERE key LIKE 'removal_%'"
                            ).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM events WHERE undone = 3").fetchone()[0] == 0
        # The per-state counts the sidebar reads agree with the papers.
        assert dict(conn.execute("SELECT state, papers FROM state_counts WHERE papers > 0")
                    ) == dict(conn.execute("SELECT state, count(*) FROM papers GROUP BY state"))
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("papers", "paper_sources", "paper_tags", "annotations", "trash")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory, imported_template: Path
           ) -> dict[str, dict[str, str]]:
    """The library with the import in effect, and after a clean take-back."""
    path = copy_library(imported_template, tmp_path_factory.mktemp("clean"))
    imported = _user_fingerprint(path)
    with Library(path) as lib:
        result = lib.undo_import(_source(path), backup=False)
        assert len(result.removed) == BROUGHT, result.to_json()
    return {"imported": imported, "undone": _user_fingerprint(path)}


def _trashed(conn: sqlite3.Connection) -> tuple[bool, int, str | None]:
    """(a job is recorded, papers in the trash, the import's status)."""
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key LIKE 'removal_job:%'), "
        "(SELECT count(*) FROM trash), "
        "(SELECT status FROM sources ORDER BY id DESC LIMIT 1)").fetchone()
    return bool(row[0]), row[1], row[2]


State = tuple[bool, int, "str | None"]
TAKE_MOMENTS: dict[str, Callable[[State], bool]] = {
    "job recorded, nothing taken": lambda s: s[0] and s[1] == 0,
    "first step committed": lambda s: s[0] and s[1] > 0,
    "half taken": lambda s: s[1] >= BROUGHT // 2,
    "last step": lambda s: s[1] >= BROUGHT - STEP,
    "done": lambda s: s[2] == "undone",
}
PUT_BACK_MOMENTS: dict[str, Callable[[State], bool]] = {
    "job recorded": lambda s: s[0],
    "first step committed": lambda s: s[0] and s[1] < BROUGHT,
    "half put back": lambda s: s[1] <= BROUGHT // 2,
    "done": lambda s: s[2] == "complete",
}


def _kill_when(process: subprocess.Popen[bytes], path: Path,
               moment: Callable[[State], bool]) -> State:
    seen: State = (False, 0, None)
    with closing(read_only(path)) as conn:
        def reached() -> bool:
            nonlocal seen
            seen = _trashed(conn)
            return moment(seen) or process.poll() is not None

        try:
            wait_for(reached, timeout=120)
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.communicate()
    return seen


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.mark.parametrize("moment", list(TAKE_MOMENTS))
def test_undo_import_killed_is_finished_at_the_next_open(
        tmp_path: Path, imported_template: Path, states: dict[str, dict[str, str]],
        moment: str, started: list[subprocess.Popen[bytes]]) -> None:
    path = copy_library(imported_template, tmp_path)
    source = _source(path)
    process = _start("undo-import", str(source), db=path)
    started.append(process)
    seen = _kill_when(process, path, TAKE_MOMENTS[moment])
    with Library(path) as lib:  # finishes the job the kill left
        notices = list(lib._core.notices)
    counts = _sound(path)
    outcome = _user_fingerprint(path)
    print(f"\nkilled at {moment!r} (seen {seen}): {counts}, notices {notices}")
    if seen[0] or seen[2] == "undone":
        # Once the job was recorded, it is finished: exactly a clean take-back.
        assert outcome == states["undone"]
        assert counts["papers"] == 415 and counts["trash"] == BROUGHT
    else:
        assert outcome in (states["imported"], states["undone"])
    if outcome == states["imported"]:
        return
    if seen[0] and seen[2] != "undone":
        assert any("was cut short; it has been finished" in n for n in notices), notices
    # The way back still works both ways, through the real command.
    assert "Put back import" in _run("undo", db=path)
    assert _user_fingerprint(path) == states["imported"]
    assert _sound(path)["trash"] == 0
    _run("redo", db=path)
    assert _user_fingerprint(path) == states["undone"]
    _sound(path)


@pytest.mark.parametrize("moment", list(PUT_BACK_MOMENTS))
def test_putting_an_import_back_killed_is_finished_at_the_next_open(
        tmp_path: Path, imported_template: Path, states: dict[str, dict[str, str]],
        moment: str, started: list[subprocess.Popen[bytes]]) -> None:
    path = copy_library(imported_template, tmp_path)
    _run("undo-import", str(_source(path)), db=path)
    assert _user_fingerprint(path) == states["undone"]
    process = _start("undo", db=path)
    started.append(process)
    seen = _kill_when(process, path, PUT_BACK_MOMENTS[moment])
    Library(path).close()
    counts = _sound(path)
    outcome = _user_fingerprint(path)
    print(f"\nkilled at {moment!r} (seen {seen}): {counts}")
    if seen[0] or seen[2] == "complete":
        assert outcome == states["imported"] and counts["trash"] == 0
    else:
        assert outcome in (states["imported"], states["undone"])
    if outcome == states["imported"]:
        _run("redo", db=path)  # takes it back again
        assert _user_fingerprint(path) == states["undone"]
        _run("undo", db=path)
        assert _user_fingerprint(path) == states["imported"]
    else:
        _run("undo", db=path)
        assert _user_fingerprint(path) == states["imported"]
    _sound(path)


def test_delete_of_thousands_killed_half_way_is_finished_and_undone(
        tmp_path: Path, imported_template: Path, states: dict[str, dict[str, str]],
        started: list[subprocess.Popen[bytes]]) -> None:
    path = copy_library(imported_template, tmp_path)
    with closing(read_only(path)) as conn:
        ids = [str(row[0]) for row in conn.execute(
            "SELECT id FROM papers WHERE first_source_id = ? ORDER BY id", (_source(path),))]
    process = _start("delete", *ids, db=path)
    started.append(process)
    seen = _kill_when(process, path, lambda s: s[1] >= len(ids) // 2)
    assert seen[0] and seen[1] < len(ids), seen  # killed while the job ran
    Library(path).close()
    counts = _sound(path)
    assert len(ids) == BROUGHT
    assert counts["trash"] == BROUGHT and counts["papers"] == 415
    assert f"Undid delete on {BROUGHT} papers" in _run("undo", db=path)
    assert _user_fingerprint(path) == states["imported"]
    _sound(path)


def test_a_take_back_between_steps_lets_others_write_and_keeps_what_they_mark(
        tmp_path: Path, imported_template: Path, started: list[subprocess.Popen[bytes]]
        ) -> None:
    path = copy_library(imported_template, tmp_path)
    source = _source(path)
    process = _start("undo-import", str(source), db=path)
    started.append(process)
    with closing(read_only(path)) as conn:
        wait_for(lambda: _trashed(conn)[1] >= STEP or process.poll() is not None)
    blocker = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # the command is between two steps now
        process.send_signal(signal.SIGSTOP)
        blocker.execute("ROLLBACK")
    finally:
        blocker.close()
    try:
        with closing(read_only(path)) as conn:
            [(value,)] = conn.execute(
                "SELECT value FROM meta WHERE key LIKE 'removal_job:%'").fetchall()
            [(fixed,)] = conn.execute(
                "SELECT value FROM meta WHERE key LIKE 'removal_plan:%'").fetchall()
        job, ids = json.loads(value), json.loads(fixed)["ids"]
        later = ids[-1]  # planned for removal, not taken yet
        assert "ids" not in job and job["pos"] < len(ids) == job["total"]
        # Another program's writes go through while the job is stopped mid-way.
        _run("star", str(later), db=path)
        refused = winnow("undo", db=path, env=STEP_ENV)
        assert refused.returncode == 1
        assert "taking back import" in refused.stderr.decode()
        assert "still running" in refused.stderr.decode()
    finally:
        process.send_signal(signal.SIGCONT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    assert f"removed {BROUGHT - 1} papers" in out.decode()
    assert "kept 1 paper you acted on" in out.decode()
    with closing(read_only(path)) as conn:
        assert conn.execute("SELECT starred FROM papers WHERE id = ?",
                            (later,)).fetchone() == (1,)
    _sound(path)
    # Undo, refused while the job ran, now works: the star (the newer action) first,
    # then the take-back, which brings every paper back.
    first = _run("undo", db=path)
    assert "on 1 paper" in first and "import" not in first, first
    assert "Put back import" in _run("undo", db=path)
    with closing(read_only(path)) as conn:
        assert conn.execute("SELECT count(*) FROM papers WHERE first_source_id = ?",
                            (source,)).fetchone()[0] == BROUGHT


# ----------------------------------------------- Ctrl+C: stop now, as it was before
def _interrupt_when(process: subprocess.Popen[bytes], path: Path,
                    moment: Callable[[State], bool]) -> tuple[int, str, str]:
    """Ctrl+C (SIGINT, as the terminal sends it) once `moment` is seen; the exit
    status and the output once the command ends by itself."""
    with closing(read_only(path)) as conn:
        wait_for(lambda: moment(_trashed(conn)) or process.poll() is not None, timeout=120)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    return process.returncode, out.decode(), err.decode()


def test_ctrl_c_of_undo_import_stops_it_and_leaves_the_import_as_it_was(
        tmp_path: Path, imported_template: Path, states: dict[str, dict[str, str]],
        started: list[subprocess.Popen[bytes]]) -> None:
    path = copy_library(imported_template, tmp_path)
    source = _source(path)
    process = _start("undo-import", str(source), db=path)
    started.append(process)
    code, out, err = _interrupt_when(process, path, lambda s: s[1] >= 3 * STEP)
    assert code == 130, err
    assert out == ""
    assert err.splitlines() == [f"winnow: interrupted: import {source} (big.txt) is as it "
                                f"was; nothing of it was taken back"]
    assert _user_fingerprint(path) == states["imported"]
    assert _sound(path)["trash"] == 0
    # Nothing left to finish or undo of it: the next command starts clean.
    listed = winnow("sources", db=path, env=STEP_ENV)
    assert listed.returncode == 0 and listed.stderr.decode() == ""
    assert _run("undo-import", str(source), db=path)
    assert _user_fingerprint(path) == states["undone"]


def test_ctrl_c_of_putting_an_import_back_takes_out_what_it_put_back(
        tmp_path: Path, imported_template: Path, states: dict[str, dict[str, str]],
        started: list[subprocess.Popen[bytes]]) -> None:
    path = copy_library(imported_template, tmp_path)
    source = _source(path)
    _run("undo-import", str(source), db=path)
    process = _start("undo", db=path)
    started.append(process)
    code, _out, err = _interrupt_when(process, path, lambda s: s[0] and s[1] <= BROUGHT // 2)
    assert code == 130, err
    assert err.splitlines() == [f"winnow: interrupted: import {source} stays taken back"]
    assert _user_fingerprint(path) == states["undone"]
    assert _sound(path)["trash"] == BROUGHT
    # Still undoable, whole.
    assert "Put back import" in _run("undo", db=path)
    assert _user_fingerprint(path) == states["imported"]
    _sound(path)


def test_ctrl_c_of_a_big_delete_deletes_nothing(
        tmp_path: Path, imported_template: Path, states: dict[str, dict[str, str]],
        started: list[subprocess.Popen[bytes]]) -> None:
    path = copy_library(imported_template, tmp_path)
    with closing(read_only(path)) as conn:
        ids = [str(row[0]) for row in conn.execute(
            "SELECT id FROM papers WHERE first_source_id = ? ORDER BY id", (_source(path),))]
    process = _start("delete", *ids, db=path)
    started.append(process)
    code, _out, err = _interrupt_when(process, path, lambda s: s[1] >= 2 * STEP)
    assert code == 130, err
    assert err.splitlines() == ["winnow: interrupted: no paper was deleted"]
    assert _user_fingerprint(path) == states["imported"]
    assert _sound(path)["trash"] == 0


def test_kill_while_a_cancelled_put_back_turns_round_is_rolled_back_at_the_next_open(
        tmp_path: Path, imported_template: Path, states: dict[str, dict[str, str]],
        started: list[subprocess.Popen[bytes]]) -> None:
    path = copy_library(imported_template, tmp_path)
    _run("undo-import", str(_source(path)), db=path)
    process = _start("undo", db=path)
    started.append(process)
    with closing(read_only(path)) as conn:
        wait_for(lambda: _trashed(conn)[1] <= BROUGHT // 2 or process.poll() is not None,
                 timeout=120)
        process.send_signal(signal.SIGINT)

        def turning() -> bool:  # at least one step taken out again since
            row = conn.execute("SELECT value FROM meta WHERE key LIKE 'removal_job:%'"
                               ).fetchone()
            return (row is not None and json.loads(row[0])["back"]
                    and _trashed(conn)[1] > BROUGHT // 2) or process.poll() is not None

        wait_for(turning, timeout=120)
        process.send_signal(signal.SIGKILL)
        process.communicate()
    later = winnow("stats", db=path, env=STEP_ENV)
    assert later.returncode == 0
    assert [line for line in later.stderr.decode().splitlines() if "cut short" in line] == [
        f"winnow: library.db: putting back import {_source(path)} was cancelled and then "
        f"cut short; it has been rolled back"]
    assert _user_fingerprint(path) == states["undone"]
    assert _sound(path)["trash"] == BROUGHT


def test_the_command_after_a_kill_finishes_the_job_first_and_says_so_in_one_line(
        tmp_path: Path, imported_template: Path, states: dict[str, dict[str, str]],
        started: list[subprocess.Popen[bytes]]) -> None:
    path = copy_library(imported_template, tmp_path)
    source = _source(path)
    process = _start("undo-import", str(source), db=path)
    started.append(process)
    seen = _kill_when(process, path, TAKE_MOMENTS["half taken"])
    assert seen[0] and seen[2] != "undone", seen
    listed = winnow("sources", "--all", db=path, env=STEP_ENV)
    assert listed.returncode == 0
    assert listed.stderr.decode().splitlines() == [
        f"winnow: library.db: taking back import {source} was cut short; it has been "
        f"finished"]
    # The command's own output already shows the job done.
    assert "(undone)" in listed.stdout.decode().splitlines()[0]
    assert _user_fingerprint(path) == states["undone"]
    _sound(path)


# ------------------------------------- an import a kill cut short: listed, undoable
def test_an_interrupted_import_is_listed_as_such_and_taken_back_like_any_other(
        tmp_path: Path, base_template: Path, big_listing: Path,
        no_leaked_processes: list[subprocess.Popen[bytes]]) -> None:
    from tests.reliability.test_import_recovery import _stopped_mid_import

    path = copy_library(base_template, tmp_path)
    importer, source, imported = _stopped_mid_import(path, big_listing, no_leaked_processes)
    _run("star", str(imported[0]), db=path)
    importer.send_signal(signal.SIGKILL)
    importer.communicate()
    recovered = winnow("sources", db=path)
    assert recovered.returncode == 0
    assert "kept 1 paper" in recovered.stderr.decode()  # what the recovery did
    newest = recovered.stdout.decode().splitlines()[0]
    assert newest.split()[0] == str(source) and newest.endswith("big.txt  (interrupted)")
    assert "1 found" in newest
    [row] = [r for r in json.loads(_run("sources", "--json", db=path)) if r["id"] == source]
    assert (row["status"], row["papers"]) == ("interrupted", 1)
    # Taken back as any other: the paper the user starred stays, and says so.
    out = _run("undo-import", str(source), db=path)
    assert f"undid import {source} (big.txt): removed 0 papers" in out
    assert f"kept 1 paper you acted on (read, starred, tagged, noted or highlighted): " \
           f"{imported[0]}" in out
    assert str(source) not in [line.split()[0] for line in
                               _run("sources", db=path).splitlines()]
    assert _run("sources", "--all", db=path).splitlines()[0].endswith("big.txt  (undone)")
    # Undo puts it back as it was: interrupted, its paper linked to it.
    assert "Put back import" in _run("undo", db=path)
    with closing(read_only(path)) as conn:
        assert conn.execute("SELECT status FROM sources WHERE id = ?",
                            (source,)).fetchone() == ("interrupted",)
        assert conn.execute("SELECT paper_id FROM paper_sources WHERE source_id = ?",
                            (source,)).fetchall() == [(imported[0],)]
        assert conn.execute("SELECT starred FROM papers WHERE id = ?",
                            (imported[0],)).fetchone() == (1,)
