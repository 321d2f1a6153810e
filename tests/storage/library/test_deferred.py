"""A bulk import into an empty library builds papers_key and papers_published once,
after its load (storage/library/deferred.py): the indexes come back exactly as the
schema wrote them, every query in between answers what it answers with them, and
the import builds them as soon as it needs one or anyone else writes.

Real libraries in a temp dir; a second Library (another connection, as the app's
window is beside its import thread) looks between the import's commits.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from storage.library import deferred
from tests.reliability.conftest import write_listing

DEFERRED = {"papers_key", "papers_published"}


def _indexes(path: Path) -> dict[str, str]:
    """Name -> SQL of every index of papers, as another connection sees the file."""
    with closing(sqlite3.connect(path)) as conn:
        return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                 "AND tbl_name = 'papers' AND sql IS NOT NULL"))


def _record(path: Path) -> dict | None:
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = ?",
                           (deferred.RECORD,)).fetchone()
    return None if row is None else json.loads(row[0])


# What the window asks while an import runs: every order of the list, a word, a
# filter, the title jump.
QUERIES = [("", "date"), ("", "upvotes"), ("", "added"), ("", "title"), ("", "relevance"),
           ("study", "date"), ("year:2024 upvotes:>100", "date"), ("is:unread", "title")]


def _answers(lib: Library) -> list[object]:
    answers: list[object] = [lib.search(query, sort=sort, limit=None).ids
                             for query, sort in QUERIES]
    answers.append([hit[0] for hit in lib.fuzzy_titles("Synthetic study 3", 5)])
    answers.append(lib.stats())
    return answers


def test_an_import_into_an_empty_library_builds_two_indexes_after_its_load_and_queries_meanwhile_answer_the_same(  # noqa: E501
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "20")
    listing = write_listing(tmp_path / "big.txt", 90, seed=3)
    schema = _indexes(library.path)
    assert set(schema) >= DEFERRED
    checked: list[int] = []

    def progress(name: str, found: int) -> None:
        if found >= 90:
            return  # the last report comes after the load
        # Between two commits: the two indexes are missing and recorded.
        assert set(schema) - set(_indexes(library.path)) == DEFERRED
        record = _record(library.path)
        assert record is not None and set(record["indexes"]) == DEFERRED
        assert record["indexes"] == {name: schema[name] for name in DEFERRED}
        # The window's own Library opens beside the running import and leaves
        # them to it; what it answers is what a copy with the indexes answers.
        with Library(library.path) as window:
            missing = _answers(window)
        assert set(schema) - set(_indexes(library.path)) == DEFERRED
        copy = tmp_path / f"copy-{found}.db"
        with closing(sqlite3.connect(library.path)) as source, \
                closing(sqlite3.connect(copy)) as target:
            source.backup(target)
            for sql in record["indexes"].values():
                target.execute(sql)
            target.execute("DELETE FROM meta WHERE key = ?", (deferred.RECORD,))
            target.commit()
        assert _indexes(copy) == schema
        with Library(copy, read_only=True) as indexed:
            assert _answers(indexed) == missing
        checked.append(found)

    report = library.import_files([listing], progress=progress)

    assert report.ok and report.new == 90, report.files[0].warnings
    assert checked == [20, 40, 60, 80]
    assert _indexes(library.path) == schema
    assert _record(library.path) is None
    plans = {query: " ".join(row[3] for row in library.conn.execute(
        f"EXPLAIN QUERY PLAN {query}"))
        for query in ("SELECT id FROM papers WHERE key = 'x'",
                      "SELECT id FROM papers ORDER BY published DESC LIMIT 5")}
    assert all(("papers_key" in plan) or ("papers_published" in plan)
               for plan in plans.values()), plans


def _titled(path: Path, titles: list[str]) -> Path:
    path.write_text("Dec 9\n\n" + "\n".join(f"{title}\n\nAbstract of {title}.\n"
                                            for title in titles), encoding="utf-8")
    return path


def test_a_card_met_again_in_a_later_batch_brings_the_title_index_back_first(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The import looks a title up in the library only for a card it may have
    # inserted already: then it builds papers_key first, and asks it.
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "10")
    titles = [f"Own paper {n}" for n in range(40)]
    titles[25] = "Own paper 3"  # batch 3 meets a card of batch 1
    missing: list[set[str]] = []
    schema = _indexes(library.path)

    def progress(name: str, found: int) -> None:
        missing.append(set(schema) - set(_indexes(library.path)))

    report = library.import_files([_titled(tmp_path / "own.txt", titles)], progress=progress)

    assert report.ok and report.files[0].new == 39
    assert sum("appears twice" in w for w in report.files[0].warnings) == 1
    assert missing[:4] == [DEFERRED, DEFERRED, {"papers_published"}, {"papers_published"}]
    assert _indexes(library.path) == schema and _record(library.path) is None


def test_when_anyone_else_writes_between_commits_the_import_builds_them_at_once(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "10")
    titles = [f"Own paper {n}" for n in range(40)]
    schema = _indexes(library.path)
    missing: list[set[str]] = []

    def progress(name: str, found: int) -> None:
        missing.append(set(schema) - set(_indexes(library.path)))
        if len(missing) == 1:
            with Library(library.path) as window:
                window.set_read([1])

    report = library.import_files([_titled(tmp_path / "own.txt", titles)], progress=progress)

    assert report.ok and report.files[0].new == 40
    assert missing[0] == DEFERRED and all(not gone for gone in missing[1:])
    assert library.get(1).read_at is not None
    assert _indexes(library.path) == schema and _record(library.path) is None


def test_an_import_into_a_library_with_papers_defers_nothing(
        seeded: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "10")
    schema = _indexes(seeded.path)
    missing: list[set[str]] = []
    seeded.import_files([_titled(tmp_path / "own.txt", [f"Later {n}" for n in range(30)])],
                        progress=lambda name, found: missing.append(
                            set(schema) - set(_indexes(seeded.path))))
    assert missing and all(not gone for gone in missing)


def test_a_cancelled_bulk_import_leaves_every_index(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "10")
    schema = _indexes(library.path)
    calls: list[int] = []
    report = library.import_files(
        [_titled(tmp_path / "own.txt", [f"Own paper {n}" for n in range(40)])],
        cancel=lambda: len(calls.append(1) or calls) >= 3)
    assert not report.ok and "cancelled" in report.files[0].error
    assert library.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 0
    assert _indexes(library.path) == schema and _record(library.path) is None


def test_an_open_builds_what_a_dead_import_left_and_leaves_a_live_ones(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A process killed after its import committed papers leaves the record; its
    # lock is free, so the next open builds the indexes (tests/reliability kills
    # a real `winnow import` for the same). Here the file is copied between two
    # commits, so the copy's import has no live process.
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "10")
    schema = _indexes(library.path)
    copy = tmp_path / "copy.db"

    def progress(name: str, found: int) -> None:
        if found == 20:
            with closing(sqlite3.connect(library.path)) as source, \
                    closing(sqlite3.connect(copy)) as target:
                source.backup(target)

    assert library.import_files(
        [_titled(tmp_path / "own.txt", [f"Own paper {n}" for n in range(40)])],
        progress=progress).ok
    assert set(schema) - set(_indexes(copy)) == DEFERRED and _record(copy) is not None
    with Library(copy) as lib:
        assert lib.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 0
    assert _indexes(copy) == schema and _record(copy) is None
