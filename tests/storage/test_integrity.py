"""storage/integrity.py: checks that write nothing, on real files: the header and size, the
tables a Winnow library has, SQLite's full checks; and the one way a library file is made
(whole, or not at all)."""

from __future__ import annotations

import os
import sqlite3
import struct
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from storage.integrity import (
    WINNOW_TABLES,
    create_library,
    full_check,
    header_problem,
    identify,
    is_library_file,
    locate,
    size_problem,
)
from storage.schema import current_version


@pytest.fixture
def made(tmp_path: Path) -> Path:
    path = tmp_path / "library.db"
    assert create_library(path) is True
    return path


def page_size(path: Path) -> int:
    size = struct.unpack(">H", path.read_bytes()[16:18])[0]
    return 65536 if size == 1 else size


# ----------------------------------------------------------------------- making one


def test_a_new_library_is_made_whole_and_nothing_else_is_left(made: Path) -> None:
    assert sorted(p.name for p in made.parent.iterdir()) == ["library.db"]
    with closing(sqlite3.connect(made)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == current_version()
        assert identify(conn, current_version()) is None
    assert header_problem(made) is None


def test_a_library_already_there_is_never_made_over(made: Path) -> None:
    before = made.read_bytes()
    assert create_library(made) is False
    assert made.read_bytes() == before
    assert sorted(p.name for p in made.parent.iterdir()) == ["library.db"]


def test_an_empty_file_is_replaced_only_when_asked_and_only_while_empty(
        tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    path.touch()
    assert create_library(path) is False
    assert path.stat().st_size == 0
    assert create_library(path, over_empty=True) is True
    with closing(sqlite3.connect(path)) as conn:
        assert identify(conn, current_version()) is None
    assert create_library(path, over_empty=True) is False  # no longer empty


# ------------------------------------------------------------------ header and size


def test_a_file_that_is_not_sqlite_is_named_so(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("Shopping list\n" * 100, encoding="utf-8")
    assert header_problem(path) == (
        "not an SQLite database (the file header is missing or overwritten)")
    path.write_bytes(b"SQLite format 3\x00")  # a header cut inside its first 100 bytes
    assert header_problem(path) == (
        "not an SQLite database (the file header is missing or overwritten)")


def test_a_file_cut_inside_a_page_is_found(made: Path) -> None:
    size = made.stat().st_size
    with made.open("r+b") as handle:
        handle.truncate(size - 100)
    assert header_problem(made) == (
        f"the file is {size - 100:,} bytes, not a whole number of {page_size(made)}-byte "
        f"pages: it was cut short or extended")


def test_a_file_cut_by_whole_pages_is_found_by_its_header_page_count(made: Path) -> None:
    size, page = made.stat().st_size, page_size(made)
    assert size // page >= 3
    with made.open("r+b") as handle:
        handle.truncate(size - page)
    assert header_problem(made) == (
        f"the file is {size - page:,} bytes but its header counts {size // page:,} pages "
        f"of {page}: it was cut short")


def test_an_impossible_page_size_is_found(made: Path) -> None:
    with made.open("r+b") as handle:
        handle.seek(16)
        handle.write(struct.pack(">H", 3000))
    assert header_problem(made) == "the header gives an impossible page size (3000)"


def test_a_file_grown_under_an_open_connection_is_found(made: Path) -> None:
    with closing(sqlite3.connect(made)) as conn:
        assert size_problem(conn, made) is None
        with made.open("ab") as handle:
            handle.write(b"\0" * 10)
        problem = size_problem(conn, made)
    assert problem is not None and "not a whole number of" in problem


# -------------------------------------------------------------------- whose file


def test_an_sqlite_file_that_is_not_a_library_says_what_it_is(tmp_path: Path) -> None:
    current = current_version()
    with closing(sqlite3.connect(tmp_path / "empty.db")) as conn:
        assert identify(conn, current) == "an empty SQLite file, not a Winnow library"
    with closing(sqlite3.connect(tmp_path / "shop.db")) as conn:
        for table in ("orders", "customers", "items", "stock", "vendors"):
            conn.execute(f"CREATE TABLE {table} (x)")
        assert identify(conn, current) == (
            "an SQLite file with other tables (customers, items, orders, stock), "
            "not a Winnow library")
        conn.execute("PRAGMA user_version = 3")
        assert identify(conn, current) == (
            "an SQLite file with schema version 3 but other tables (customers, items, "
            "orders, stock), not a Winnow library")
        conn.execute("PRAGMA user_version = -2")
        assert identify(conn, current) == "unknown schema version -2: not a Winnow library"
        conn.execute(f"PRAGMA user_version = {current + 1}")
        assert identify(conn, current) is None  # too new: the caller says so (SchemaTooNew)


def test_a_library_missing_one_of_its_tables_is_not_one(made: Path) -> None:
    with closing(sqlite3.connect(made)) as conn:
        conn.execute("DROP TABLE annotations")
        problem = identify(conn, current_version())
    assert problem is not None and "not a Winnow library" in problem
    assert "annotations" in WINNOW_TABLES


# ------------------------------------------------------------------ full checks


def test_full_check_of_a_sound_library_is_ok(library: Library) -> None:
    library.import_text("A Title\n\nAn abstract of a few words.\n")
    assert full_check(library.conn) == "ok"


def test_full_check_finds_a_full_text_index_out_of_step(library: Library) -> None:
    library.import_text("A Title\n\nAn abstract of a few words.\n\n"
                        "Another Title\n\nA second abstract about cats.\n")
    library.conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('delete-all')")
    assert full_check(library.conn, fts=False) == "ok"
    assert full_check(library.conn).startswith(
        "the full-text index is out of step with the papers (")


def test_full_check_finds_a_row_that_refers_to_nothing(library: Library) -> None:
    library.import_text("A Title\n\nAn abstract of a few words.\n")
    conn = library.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    tag = conn.execute("INSERT INTO tags (name) VALUES ('orphan') RETURNING id").fetchone()[0]
    conn.execute("INSERT INTO paper_tags (paper_id, tag_id) VALUES (999, ?)", (tag,))
    problem = full_check(conn)
    assert problem.endswith("refers to a missing row of papers (foreign key check)")
    assert "of paper_tags" in problem


# -------------------------------------------------------------- names of files


def test_writing_over_the_library_or_its_journals_is_recognised(made: Path) -> None:
    folder = made.parent
    (folder / "other.csv").touch()
    (folder / "link.db").symlink_to(made)
    os.link(made, folder / "hard.db")
    for target in (made, f"{made}-wal", f"{made}-shm", f"{made}-journal",
                   folder / "link.db", folder / "hard.db", folder / "." / "library.db"):
        assert is_library_file(made, target), target
    for target in (folder / "other.csv", folder / "new.csv", folder / "library.db.csv"):
        assert not is_library_file(made, target), target


def test_locate_tells_nothing_there_from_a_name_that_cannot_be_a_file(
        tmp_path: Path, made: Path) -> None:
    found, why = locate(made)
    assert found is not None and found.st_size == made.stat().st_size and why is None
    assert locate(tmp_path / "missing.db") == (None, None)
    assert locate(made / "under-a-file.db") == (None, None)  # ENOTDIR: nothing there
    loop = tmp_path / "loop.db"
    loop.symlink_to(loop)
    found, why = locate(loop)
    assert found is None and why is not None and "symbolic links" in why
