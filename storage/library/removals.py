"""Taking papers out and putting them back: `delete_papers`, `undo_import`, and
their undo and redo through the events log (storage/removal.py does the rows).

Each of them is a job that runs in steps of CHUNK papers, committing between
steps as an import does, so that the app's own writes never wait long: 30,000
papers in one transaction held the write lock for 7.5 s (taking an import back)
and 30 s (putting it back) while every other write waited 10 s and failed.

A job that needs more than one step is recorded in `meta` ("removal_job:<batch>")
by its first transaction, with its events marked in progress (`undone = 3`: not
undoable, not redoable, never made unreachable by a new action, so its trash
stays), and each step moves the record on in the same transaction. The running
process holds an OS lock on the job (ImportLock, kind "removal"); a Library that
finds a record whose lock is free finishes the job (`recover`), so a kill at any
point leaves a library the next start completes. Undo and redo wait for no job:
they refuse while one runs elsewhere, and finish a dead one first.

Cancel (the app's progress dialog, Ctrl+C of the command) turns a job around
between steps: what a take-back took so far is put back, what a put-back put back
so far is taken out again, and the library is as before the job; a job of one
step is rolled back whole.

A library opened with `finish_cut_short=False` (the app's window) leaves the jobs
a kill left for `finish_cut_short()`, which the app runs on a worker thread with
progress: at 30,000 papers finishing one takes seconds.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from storage import removal
from storage.library.annotations import reanchor_annotations
from storage.library.backups import Backups, _unused
from storage.library.core import Core, guarded, now, plural
from storage.library.errors import LibraryCorrupt, LibraryError
from storage.library.events import Events
from storage.library.importlock import ImportLock
from storage.models import COUNTS, PAPERS, Change

# Papers a step takes out or puts back: about 0.3-0.5 s of write lock each at 30k
# (bench/README, "Taking an import back"). WINNOW_REMOVAL_BATCH overrides it: the
# kill tests use it to get many steps out of a small library.
CHUNK = 2000
JOB_KEY = "removal_job:"
# What a job does not change from step to step (the ids to take, an import's plan,
# the state to put back), written once: at 1M papers the ids alone are 7 MB.
PLAN_KEY = "removal_plan:"
FIXED = ("ids", "plan", "state")
PAUSE = 0.1  # s between two steps: see `_run`
RUNNING = 3  # events.undone of a job's events while the job runs

Progress = Callable[[int, int], None]  # (papers done, papers in all)
Cancel = Callable[[], bool]


class _Cancelled(Exception):
    """Rolls back the one transaction of a job of one step that was cancelled."""


def step_size() -> int:
    """Papers per step: CHUNK, or WINNOW_REMOVAL_BATCH."""
    value = os.environ.get("WINNOW_REMOVAL_BATCH", "")
    return int(value) if value.isdigit() and int(value) > 0 else CHUNK


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
        events.register_bulk(frozenset({"delete", "import_undo"}), self._replay)
        events.register_guard(self._settle_for_undo)

    def _backup_before(self, what: str) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = self._backups.backup_dir()
        return self._backups.backup(_unused(folder / f"{self._core.path.stem}-before-{what}-"
                                                     f"{stamp}.db"))

    # ------------------------------------------------------------ the commands
    @guarded
    def delete_papers(self, ids: Iterable[int], *, backup: bool = True,
                      progress: Progress | None = None,
                      cancel: Cancel | None = None) -> Change:
        """Delete papers with everything on them (tags, notes, highlights), after a
        backup; `undo()` puts them back whole, with their ids. `cancel` (polled
        between steps) puts back what was deleted so far: "Deleted no paper"."""
        self._core.refuse_writes()
        self._settle()
        wanted = self._core.existing_ids(ids)
        if not wanted:
            return Change("Deleted no paper", ())
        if backup:
            self._backup_before("delete")

        def start(conn: Any) -> dict[str, Any]:
            batch = self._events.new_batch()
            self._events.log_many(batch, [
                (paper_id, "delete", {"state": "present", "batch": batch},
                 {"state": "deleted", "batch": batch}) for paper_id in wanted],
                undone=RUNNING)
            return {"batch": batch, "purpose": "delete", "kind": "take", "ids": wanted,
                    "initial": None, "final": 0}

        job = self._execute(start, progress, cancel)
        self._on_changed()
        if job.get("cancelled"):
            return Change("Deleted no paper (cancelled)", ())
        removed = job["_done"]
        count = len(removed)
        return self._core.announce(Change(
            f"Deleted {count} paper{'s' if count != 1 else ''}", tuple(removed),
            frozenset({PAPERS, COUNTS}), count=count))

    @guarded
    def undo_import(self, source_id: int, *, backup: bool = True,
                    progress: Progress | None = None,
                    cancel: Cancel | None = None) -> removal.ImportUndo:
        """Take one finished import back (see storage/removal.py): its papers go,
        except those the user acted on or another import also listed; the listing
        facts it changed in other papers are put back. `undo()` redoes the import.
        `cancel` (polled between steps) puts back what went so far; the result's
        `cancelled` then says so and the import stays."""
        self._core.refuse_writes()
        source_id = int(source_id)
        running = self._settle()
        row = self.conn.execute("SELECT status, name FROM sources WHERE id = ?",
                                (source_id,)).fetchone()
        if row is None:
            raise LibraryError(f"no import with id {source_id} (see `winnow sources`)")
        if any(job.get("source") == source_id for job in running):
            raise LibraryError(f"import {source_id} ({row[1]}) is being taken back or put "
                               f"back by another window or command; try again when it "
                               f"finishes")
        if row[0] == "undone":
            raise LibraryError(f"import {source_id} ({row[1]}) is already undone; "
                               f"`winnow undo` puts it back")
        if row[0] not in ("complete", "interrupted"):
            raise LibraryError(f"import {source_id} ({row[1]}) is still running")
        if backup:
            self._backup_before(f"undo-import-{source_id}")

        def start(conn: Any) -> dict[str, Any]:
            try:
                plan = removal.plan_import_undo(conn, source_id)
            except LookupError as error:
                raise LibraryError(str(error)) from None
            batch = self._events.new_batch()
            self._events.log_many(batch, [(None, "import_undo",
                                           {"state": row[0], "source": source_id},
                                           {"state": "undone", "source": source_id,
                                            "batch": batch})], undone=RUNNING)
            return self._take_import(batch, plan, initial=None)

        job = self._execute(start, progress, cancel)
        self._on_changed()
        if job.get("cancelled"):
            result = removal.ImportUndo(source_id, row[1])
            result.cancelled = True
            return result
        result = job["_result"]
        self._core.announce(Change(
            f"Took back import {source_id}", (*result.removed, *result.reverted),
            frozenset({PAPERS, COUNTS}), count=len(result.removed) + len(result.reverted),
            everything=True))
        return result

    @staticmethod
    def _take_import(batch: int, plan: dict[str, Any], *, initial: int | None
                     ) -> dict[str, Any]:
        return {"batch": batch, "purpose": "import", "kind": "take", "ids": plan["remove"],
                "plan": {k: v for k, v in plan.items() if k != "remove"},
                "source": plan["source"], "initial": initial, "final": 0}

    # ------------------------------------------------------------- undo, redo
    @guarded
    def papers_to_replay(self, *, undo: bool) -> int:
        """Papers the next undo (or redo) takes out or puts back, if it is one of
        ours; 0 otherwise."""
        batch = self._events.next_batch(undo=undo)
        if batch is None:
            return 0
        first = self.conn.execute("SELECT action, after FROM events WHERE batch = ? "
                                  "ORDER BY id LIMIT 1", (batch,)).fetchone()
        if first[0] == "delete":
            return self.conn.execute("SELECT count(*) FROM events WHERE batch = ?",
                                     (batch,)).fetchone()[0]
        if first[0] != "import_undo":
            return 0
        if undo:
            return self.conn.execute("SELECT count(*) FROM trash WHERE batch = ?",
                                     (batch,)).fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM papers WHERE first_source_id = ?",
                                 (json.loads(first[1])["source"],)).fetchone()[0]

    def _replay(self, batch: int, undo: bool, progress: Progress | None,
                cancel: Cancel | None = None) -> Change:
        """Undo or redo a delete or a taken-back import, in steps (the events log
        hands these batches over whole instead of replaying them event by event).
        `cancel` turns it round: the batch stays as it was, undoable (or redoable)
        as before."""
        events = self.conn.execute(
            "SELECT paper_id, action, after FROM events WHERE batch = ? ORDER BY id",
            (batch,)).fetchall()
        action = events[0][1]
        initial = 0 if undo else 1
        label = "delete" if action == "delete" else "undo of an import"

        def start(conn: Any) -> dict[str, Any]:
            conn.execute("UPDATE events SET undone = ? WHERE batch = ?", (RUNNING, batch))
            if undo:  # put back what the batch took
                # The papers it will put back, in the order it does: what Cancel
                # takes out again (a kill between steps keeps them with the plan).
                job: dict[str, Any] = {"batch": batch, "kind": "restore", "initial": 0,
                                       "final": 1, "purpose": action, "ids": [
                                           row[0] for row in conn.execute(
                                               "SELECT paper_id FROM trash WHERE batch = ? "
                                               "ORDER BY id", (batch,))]}
                if action == "import_undo":
                    job["purpose"], job["state"] = "import", json.loads(events[0][2])
                    job["source"] = job["state"]["source"]
                return job
            if action == "delete":
                present = {row[0] for row in conn.execute(
                    "SELECT id FROM papers WHERE id IN "
                    "(SELECT paper_id FROM events WHERE batch = ?)", (batch,))}
                return {"batch": batch, "purpose": "delete", "kind": "take",
                        "ids": [e[0] for e in events if e[0] in present],
                        "initial": initial, "final": 0}
            source = json.loads(events[0][2])["source"]
            try:
                plan = removal.plan_import_undo(conn, source)
            except LookupError:
                plan = None
            if plan is None:  # put back by hand since: nothing to take, in effect again
                return {"batch": batch, "purpose": "import", "kind": "take", "ids": [],
                        "noop": True, "source": source, "initial": initial, "final": 0}
            return self._take_import(batch, plan, initial=initial)

        job = self._execute(start, progress, cancel)
        self._on_changed()
        verb = "Undo" if undo else "Redo"
        if job.get("cancelled"):
            if action == "delete":
                stays = "the deleted papers stay deleted" if undo else \
                    "the papers stay in the library"
            else:
                source = json.loads(events[0][2])["source"]
                stays = f"import {source} stays taken back" if undo else \
                    f"import {source} stays in the library"
            return Change(f"{verb} cancelled: {stays}", (), frozenset({PAPERS, COUNTS}),
                          origin=verb.lower())
        ids = tuple(dict.fromkeys(job["_done"]))
        if action == "delete":
            what = f"{'Undid' if undo else 'Redid'} {label} on {plural(len(ids), 'paper')}"
        else:  # "Undid undo of an import on 50 papers" named neither (attack N5, N22)
            source = json.loads(events[0][2])["source"]
            row = self.conn.execute("SELECT name FROM sources WHERE id = ?",
                                    (source,)).fetchone()
            named = f"import {source} ({row[0] if row else '?'})"
            if undo:
                what = (f"Put back {named}: {plural(job['total'], 'paper')} back in the "
                        f"library")
            else:
                taken = len(job["_result"].removed) if "_result" in job else 0
                what = f"Took back {named} again: removed {plural(taken, 'paper')}"
        return Change(what, ids, frozenset({PAPERS, COUNTS}), count=len(events),
                      origin="undo" if undo else "redo")

    # Single events, should a batch mix them with others (it never does today).
    def _put_back_delete(self, paper_id: int, target: Any, other: Any) -> list[int]:
        self._on_changed()
        if target["state"] == "present":
            restored, _ = removal.restore_trash(self.conn, target["batch"], paper_id)
            return restored
        return removal.trash_papers(self.conn, [paper_id], batch=target["batch"], now=now())

    def _put_back_import(self, paper_id: int | None, target: Any, other: Any) -> list[int]:
        self._on_changed()
        if target["state"] != "undone":  # complete, or interrupted
            return removal.redo_import(self.conn, other, now=now(), reanchor=self._reanchor)
        try:
            result, state = removal.undo_import(self.conn, target["source"],
                                                batch=target["batch"], now=now(),
                                                reanchor=self._reanchor)
        except LookupError:
            return []
        self.conn.execute(
            "UPDATE events SET after = ? WHERE batch = ? AND action = 'import_undo'",
            (json.dumps({**state, "state": "undone"}), target["batch"]))
        return [*result.removed, *result.reverted]

    # --------------------------------------------------------------- the jobs
    def _execute(self, start: Callable[[Any], dict[str, Any]], progress: Progress | None,
                 cancel: Cancel | None) -> dict[str, Any]:
        """Run a job: `start` (inside the first write transaction) logs its events
        and returns it. A job of one step runs whole in that transaction; a bigger
        one is recorded and run a step per transaction under its lock."""
        size = step_size()
        lock: ImportLock | None = None
        if cancel is not None and cancel():  # Ctrl+C during the backup before it
            return {"cancelled": True, "_done": []}
        try:
            with self._core.write() as conn:
                job = start(conn)
                job.update(pos=0, kept=[], back=False, _done=[])
                job["total"] = self._total(conn, job)
                if job["total"] <= size:
                    while not self._step(conn, job, size):
                        pass
                    if cancel is not None and cancel():
                        raise _Cancelled  # the whole job rolls back with its events
                    return job
                # Held before the record is committed: nobody sees the job while
                # its lock is free (they would finish it under our feet).
                lock = ImportLock(self._core.path, job["batch"], kind="removal")
                try:
                    held = lock.try_acquire()
                except OSError as error:
                    lock = None
                    raise LibraryError(f"{self._core.path}: cannot create the lock of "
                                       f"this job ({error.strerror or error})") from None
                if not held:  # a batch number is handed out once: nobody holds it
                    lock = None
                    raise LibraryError(f"{self._core.path}: another program holds the "
                                       f"lock of job {job['batch']}; try again")
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                             (f"{PLAN_KEY}{job['batch']}",
                              json.dumps({k: job[k] for k in FIXED if k in job})))
                self._save(conn, job)
        except _Cancelled:
            return {"cancelled": True, "_done": []}
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        assert lock is not None
        try:
            self._run(job, size, progress, cancel)
        finally:
            lock.release()
        return job

    def _run(self, job: dict[str, Any], size: int, progress: Progress | None,
             cancel: Cancel | None) -> None:
        while True:
            with self._core.write() as conn:
                finished = self._step(conn, job, size)
            self._on_changed()
            if finished:
                return
            # A writer waiting for the lock sleeps in SQLite's busy handler, up to
            # 100 ms a time: without a pause the next step would take the lock back
            # first, and a key press in the app could wait out several steps.
            time.sleep(PAUSE)
            if progress is not None:
                # Taken so far (put back so far, for a restore): down to 0 on cancel.
                progress(job["pos"], job["total"])
            # (A put-back recorded by session 4's Winnow has no ids: it cannot turn.)
            if cancel is not None and not job["back"] and "ids" in job and cancel():
                job["back"] = True

    @staticmethod
    def _total(conn: Any, job: dict[str, Any]) -> int:
        return len(job["ids"])

    def _save(self, conn: Any, job: dict[str, Any]) -> None:
        kept = {k: v for k, v in job.items()
                if not k.startswith("_") and k not in FIXED and k != "what"}
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                     (f"{JOB_KEY}{job['batch']}", json.dumps(kept)))

    def _end(self, conn: Any, job: dict[str, Any], undone: int | None) -> bool:
        if undone is None:
            conn.execute("DELETE FROM events WHERE batch = ?", (job["batch"],))
        else:
            conn.execute("UPDATE events SET undone = ? WHERE batch = ?",
                         (undone, job["batch"]))
        conn.execute("DELETE FROM meta WHERE key IN (?, ?)",
                     (f"{JOB_KEY}{job['batch']}", f"{PLAN_KEY}{job['batch']}"))
        return True

    def _step(self, conn: Any, job: dict[str, Any], size: int) -> bool:
        """One step of `job` in the caller's transaction; True once it is done."""
        batch = job["batch"]
        if job["back"] and job["kind"] == "restore":
            # Cancelled: what it put back (the first `pos` of its ids, in the order
            # it put them back) goes to the trash again, last first.
            start = max(0, job["pos"] - size)
            ids = job["ids"][start:job["pos"]]
            if ids:
                removal.trash_papers(conn, ids, batch=batch, now=now())
                job["pos"] = start
                self._save(conn, job)
                return False
            job["cancelled"] = True
            return self._end(conn, job, job["initial"])
        if job["back"] or job["kind"] == "restore":
            rows = removal.trash_rows(conn, batch, after=job.get("cursor", 0), limit=size)
            if rows:
                restored, _ = removal.restore_rows(conn, rows)
                job["cursor"] = rows[-1][0]
                job["_done"].extend(restored)
                if job["back"]:
                    job["pos"] = max(0, job["pos"] - len(rows))
                else:
                    job["pos"] += len(rows)
                self._save(conn, job)
                return False
            if job["back"]:
                job["cancelled"] = True
                return self._end(conn, job, job["initial"])
            if job["purpose"] == "import":
                job["_done"].extend(removal.finish_import_redo(
                    conn, job["state"], now=now(), reanchor=self._reanchor))
            return self._end(conn, job, job["final"])
        ids = job["ids"][job["pos"]:job["pos"] + size]
        if ids:
            if job["purpose"] == "import":
                removed, kept = removal.trash_unacted(conn, ids, batch=batch, now=now())
                job["kept"].extend(kept)
            else:
                removed = removal.trash_papers(conn, ids, batch=batch, now=now())
            job["_done"].extend(removed)
            job["pos"] += len(ids)
            self._save(conn, job)
            return False
        if job["purpose"] == "import" and not job.get("noop"):
            result, state = removal.finish_import_undo(
                conn, job["plan"], batch=batch, now=now(), reanchor=self._reanchor,
                late_kept=job["kept"])
            # What this take-back did is what the next undo of it must put back.
            conn.execute("UPDATE events SET after = ? WHERE batch = ? "
                         "AND action = 'import_undo'",
                         (json.dumps({**state, "state": "undone"}), batch))
            job["_result"] = result
            job["_done"] = [*result.removed, *result.reverted]
        return self._end(conn, job, job["final"])

    # -------------------------------------------------- jobs of other programs
    def jobs(self) -> list[dict[str, Any]]:
        """The recorded jobs not finished: running elsewhere, or left by a kill."""
        found = []
        for key, value in self.conn.execute(
                "SELECT key, value FROM meta WHERE key LIKE ? ORDER BY key", (f"{JOB_KEY}%",)
        ).fetchall():
            fixed = self.conn.execute("SELECT value FROM meta WHERE key = ?",
                                      (PLAN_KEY + key.removeprefix(JOB_KEY),)).fetchone()
            job = {**json.loads(value), **(json.loads(fixed[0]) if fixed else {})}
            job["what"] = self._describe(job)
            found.append(job)
        return found

    def recover(self) -> None:
        """Finish the jobs whose process died (kill -9, a power cut) between two
        steps; one still running elsewhere holds its lock and is left alone."""
        try:
            self._settle()
        except LibraryCorrupt:
            raise
        except LibraryError:
            return  # busy or full: the library still opens, the next open finishes it

    def finish_cut_short(self, progress: Progress | None = None,
                         cancel: Cancel | None = None) -> list[str]:
        """Finish the jobs a kill left (`recover`, with progress); `cancel` rolls
        the one being finished back instead, as Cancel does while it runs. Returns
        what it did, one line each (also in `Core.notices`)."""
        told = len(self._core.notices)
        self._settle(progress, cancel)
        return self._core.notices[told:]

    def _settle(self, progress: Progress | None = None,
                cancel: Cancel | None = None) -> list[dict[str, Any]]:
        """Finish dead jobs; returns the ones still running elsewhere."""
        running = []
        jobs = self.jobs()
        ImportLock.sweep(self._core.path, {job["batch"] for job in jobs}, kind="removal")
        for job in jobs:
            lock = ImportLock(self._core.path, job["batch"], kind="removal")
            try:
                dead = lock.try_acquire()
            except OSError:
                running.append(job)  # no lock file can be made here: cannot tell
                continue
            if not dead:
                running.append(job)
                continue
            try:
                job["_done"], job["_was_back"] = [], job["back"]
                self._run(job, step_size(), progress, cancel)
                self._core.notices.append(self._recovered(job))
            finally:
                lock.release()
        return running

    def _settle_for_undo(self) -> None:
        running = self._settle()
        if running:
            job = running[0]
            raise LibraryError(
                # (Another window, a command, or this app's own worker finishing what
                # a crash left: the message must fit all three.)
                f"{self._core.path}: {self._describe(job)} is still running "
                f"({job['pos']:,} of {job['total']:,} papers); undo and redo wait until it "
                f"finishes")

    @staticmethod
    def _describe(job: dict[str, Any]) -> str:
        if job["purpose"] == "import":
            what = f"import {job.get('source')}"
            return f"putting back {what}" if job["kind"] == "restore" else \
                f"taking back {what}"
        return "putting back deleted papers" if job["kind"] == "restore" else \
            "deleting papers"

    def _recovered(self, job: dict[str, Any]) -> str:
        if job.get("cancelled") and not job["_was_back"]:
            return (f"{self._core.path.name}: {self._describe(job)} was cut short; "
                    f"finishing it was cancelled, so it has been rolled back")
        if job.get("cancelled"):
            return (f"{self._core.path.name}: {self._describe(job)} was cancelled and then "
                    f"cut short; it has been rolled back")
        return (f"{self._core.path.name}: {self._describe(job)} was cut short; it has been "
                f"finished")
