"""Taking back an import whose process died between two batch commits, in steps.

Such an import's committed papers are in the library (the user may have starred
some meanwhile) and its `sources` row still says 'importing'. Taking it back is a
job like a delete: at 30,000 papers one transaction held the write lock for
seconds, and done while a Library opened it froze the app's window before its
first paint. So it runs in steps of `step_size()` papers that commit between
them, under the import's own lock (nobody else starts on it meanwhile), with
progress, and `cancel` stops it between two steps: the rest stays 'importing',
its lock free, for the next open to finish. Each step is whole: a kill between
two leaves a library the next open takes back from where it stands (the listing
facts the import changed go back in the first step, with their journal).

What the user acted on (read, starred, tagged, noted, highlighted; an undone
action counts) stays, as papers of their own, with the sources row marked
'interrupted'; what happened is said in `Core.notices` and the row's warnings.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence

from storage.identity import AS_OF_KEY
from storage.library.annotations import reanchor_annotations
from storage.library.core import Core
from storage.library.removals import PAUSE, step_size
from storage.removal import acted_on, paper_tables

Progress = Callable[[int, int], None]  # (papers gone through, papers in all)
Cancel = Callable[[], bool]


def take_back(core: Core, source_id: int, *, progress: Progress | None = None,
              cancel: Cancel | None = None) -> bool:
    """Take back what import `source_id` committed, but for the papers the user
    acted on. The caller holds the import's lock. True once done (or if there was
    nothing to do); False if `cancel` stopped it between two steps."""
    size = step_size()
    notice: str | None = None
    with core.write() as conn:
        row = conn.execute("SELECT status, name FROM sources WHERE id = ?",
                           (source_id,)).fetchone()
        if row is None or row[0] != "importing":
            return True  # finished, or taken back by someone else meanwhile
        name = row[1]
        _revert_facts(conn, source_id)
        total = conn.execute("SELECT count(*) FROM papers WHERE first_source_id = ?",
                             (source_id,)).fetchone()[0]
        if total <= size:  # one step: one transaction, as it always was
            notice = _finish(conn, source_id, name, 0)
            total = 0
    taken = done = last = 0
    while total:
        with core.write() as conn:
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM papers WHERE first_source_id = ? AND id > ? ORDER BY id "
                "LIMIT ?", (source_id, last, size))]
            if not ids:
                notice = _finish(conn, source_id, name, taken)
                break
            last = ids[-1]
            doomed = sorted(set(ids) - acted_on(conn, ids, undone_too=True))
            _delete(conn, doomed)
        taken += len(doomed)
        done += len(ids)
        if progress is not None:
            progress(done, total)
        if cancel is not None and cancel():
            return False
        # As between a take-back's steps: a writer waiting in SQLite's busy handler
        # (the window's next key) gets the lock before the next step takes it.
        time.sleep(PAUSE)
    if notice:
        core.notices.append(notice)
    return True


def _revert_facts(conn: sqlite3.Connection, source_id: int) -> None:
    """Put back the listing facts the import changed in papers it did not bring,
    and drop their journal (so a later step, or the next open, does not again)."""
    for paper_id, facts_json in conn.execute(
            "SELECT paper_id, facts FROM import_undo WHERE source_id = ?",
            (source_id,)).fetchall():
        facts = json.loads(facts_json)
        assignments = ", ".join(f"{column} = ?" for column in facts)
        conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?",
                     (*facts.values(), paper_id))
        if "abstract" in facts or "ai_summary" in facts:
            reanchor_annotations(conn, paper_id, facts.get("abstract"))
    conn.execute("DELETE FROM import_undo WHERE source_id = ?", (source_id,))


def _delete(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """Papers and their rows in every table about them (none carries user data:
    the caller kept the papers the user acted on)."""
    if not ids:
        return
    doomed = json.dumps(list(ids))
    for table, column in paper_tables(conn):
        conn.execute(f'DELETE FROM "{table}" WHERE "{column}" IN '
                     f"(SELECT value FROM json_each(?))", (doomed,))
    conn.execute("DELETE FROM papers WHERE id IN (SELECT value FROM json_each(?))", (doomed,))


def _finish(conn: sqlite3.Connection, source_id: int, name: str, taken: int) -> str | None:
    """The last step: what is left of the import but the papers the user acted on
    goes, and its row says what happened; returns the notice, if any."""
    brought = [r[0] for r in conn.execute("SELECT id FROM papers WHERE first_source_id = ?",
                                          (source_id,))]
    kept = sorted(acted_on(conn, brought, undone_too=True))
    doomed = sorted(set(brought) - set(kept))
    _delete(conn, doomed)
    taken += len(doomed)
    conn.execute("DELETE FROM paper_sources WHERE source_id = ? "
                 "AND paper_id NOT IN (SELECT value FROM json_each(?))",
                 (source_id, json.dumps(kept)))
    conn.execute("DELETE FROM import_undo WHERE source_id = ?", (source_id,))
    if kept:
        notice = (f"{name}: an import that was cut short has been taken back "
                  f"({_papers(taken)}); kept {_papers(len(kept))} you had read, "
                  f"starred, tagged, noted or highlighted meanwhile, with all you "
                  f"did to them")
        conn.execute("UPDATE sources SET status = 'interrupted', papers_found = ?, "
                     "papers_new = ?, papers_updated = 0, warnings = ? WHERE id = ?",
                     (len(kept), len(kept), json.dumps([notice]), source_id))
        return notice
    conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
    # Its id may be given again: its as-of day must not outlive it.
    conn.execute("DELETE FROM meta WHERE key = ?", (f"{AS_OF_KEY}{source_id}",))
    # An import refused before its first batch committed wrote nothing the user
    # could have seen: its own error says all there is to say.
    return (f"{name}: an import that was cut short has been taken back "
            f"({_papers(taken)})") if taken else None


def _papers(count: int) -> str:
    return f"{count:,} paper{'' if count == 1 else 's'}"
