"""`kill -9` of a bulk import into an EMPTY library, which builds papers_key and
papers_published after its load (storage/library/deferred.py).

A real `winnow import` of the 8,000-paper listing (8 commits) into a new library is
killed at chosen moments. Before anything opens the file again, a read-only
Library answers every query as a copy of the file with the indexes built by hand
answers it; then a Library opens it (undoing the dead import), and the file holds
either nothing or the whole listing, with every index of a new library and no
record of missing ones.
"""

from __future__ import annotations

import json
import signal
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from storage.library import deferred
from tests.reliability.conftest import (
    BIG_PAPERS,
    IMPORT_TIMESTAMPS,
    TEST_BATCH,
    assert_sound,
    fingerprint,
    leftovers,
    read_only,
    start_winnow,
    wait_for,
)

pytestmark = pytest.mark.slow

State = tuple[str | None, int]  # (the import's status, its papers committed so far)
MOMENTS: dict[str, Callable[[State], bool]] = {
    "first batch committed": lambda s: s[0] == "importing" and s[1] > 0,
    "half the batches committed": lambda s: s[0] == "importing" and s[1] >= BIG_PAPERS // 2,
    "last batch running": lambda s: s[0] == "importing" and s[1] >= BIG_PAPERS - TEST_BATCH,
    "final commit done": lambda s: s[0] == "complete",
}


def _run_and_kill(path: Path, listing: Path, moment: str) -> State:
    """Start `winnow import` into the empty library, SIGKILL it at `moment`."""
    state: State = (None, 0)
    with closing(read_only(path)) as conn:
        process = start_winnow("import", str(listing), db=path)
        try:
            def reached() -> bool:
                nonlocal state
                state = conn.execute(
                    "SELECT (SELECT status FROM sources ORDER BY id DESC LIMIT 1), "
                    "(SELECT count(*) FROM papers)").fetchone()
                return MOMENTS[moment](state) or process.poll() is not None

            wait_for(reached)
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.communicate()
    return state


QUERIES = [("", "date"), ("", "upvotes"), ("", "title"), ("study", "date"),
           ("year:2024 upvotes:>100", "date")]


def _indexes(path: Path) -> dict[str, str]:
    with closing(read_only(path)) as conn:
        return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                 "AND tbl_name = 'papers' AND sql IS NOT NULL"))


def _answers(path: Path) -> list[object]:
    with Library(path, read_only=True) as lib:
        answers: list[object] = [lib.search(query, sort=sort, limit=None).ids
                                 for query, sort in QUERIES]
        answers.append([hit[0] for hit in lib.fuzzy_titles("Synthetic study 12", 5)])
    return answers


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "library.db"
    with Library(path) as lib:
        lib.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory, empty_template: Path,
             big_listing: Path) -> dict[str, str]:
    path = tmp_path_factory.mktemp("complete") / "library.db"
    path.write_bytes(empty_template.read_bytes())
    with Library(path) as lib:
        assert lib.import_files([big_listing]).files[0].new == BIG_PAPERS
    return fingerprint(path, ignore=IMPORT_TIMESTAMPS)


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_killed_bulk_import_answers_right_meanwhile_and_the_next_open_builds_the_indexes(
        tmp_path: Path, empty_template: Path, big_listing: Path, complete: dict[str, str],
        moment: str) -> None:
    path = tmp_path / "library.db"
    path.write_bytes(empty_template.read_bytes())
    schema = _indexes(path)
    before = fingerprint(path)
    state = _run_and_kill(path, big_listing, moment)

    with closing(read_only(path)) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = ?",
                           (deferred.RECORD,)).fetchone()
    if row is not None:
        record = json.loads(row[0])
        assert record["indexes"] == {name: schema[name] for name in deferred.DEFERRED}
        assert set(schema) - set(_indexes(path)) == set(deferred.DEFERRED)
        copy = tmp_path / "indexed.db"
        with closing(sqlite3.connect(path)) as source, \
                closing(sqlite3.connect(copy)) as target:
            source.backup(target)
            for sql in record["indexes"].values():
                target.execute(sql)
            target.commit()
        assert _answers(path) == _answers(copy)

    with Library(path):  # undoes a dead import, then builds what it left
        pass
    assert_sound(path)
    assert _indexes(path) == schema
    with closing(read_only(path)) as conn:
        assert conn.execute("SELECT count(*) FROM meta WHERE key = ?",
                            (deferred.RECORD,)).fetchone()[0] == 0
    outcome = ("before" if fingerprint(path) == before else
               "complete" if fingerprint(path, ignore=IMPORT_TIMESTAMPS) == complete else
               "MIXED")
    print(f"\nkilled at {moment!r}: seen {state}, record {row is not None} -> {outcome}")
    assert outcome in ("before", "complete")
    if state[0] == "complete":
        assert outcome == "complete"
    else:
        # Killed between two commits (unless it finished in the instant between
        # the look and the kill): the indexes were still to build.
        assert outcome == "complete" or row is not None
    assert leftovers(path.parent) == []
