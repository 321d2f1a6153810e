"""storage/library/errors.py: each SQLite failure, raised for real against a real file,
becomes its one line for the user (naming the file, saying nothing was changed); a failure
that is a bug is not passed off as one of them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from storage.library.errors import (
    LibraryCorrupt,
    LibraryError,
    LibraryReadOnly,
    corrupt_message,
    error_kind,
    user_error,
)


def failure(run: Callable[[], object]) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as raised:
        run()
    return raised.value


def a_table(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.commit()


def not_a_database(path: Path) -> sqlite3.Error:
    path.write_bytes(b"this is a shopping list, not a database\n" * 200)
    with closing(sqlite3.connect(path)) as conn:
        return failure(lambda: conn.execute("SELECT * FROM sqlite_master").fetchall())


def read_only(path: Path) -> sqlite3.Error:
    a_table(path)
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return failure(lambda: conn.execute("INSERT INTO t VALUES ('x')"))


def busy(path: Path) -> sqlite3.Error:
    a_table(path)
    with closing(sqlite3.connect(path, isolation_level=None)) as holder, \
            closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as other:
        holder.execute("BEGIN IMMEDIATE")
        try:
            return failure(lambda: other.execute("BEGIN IMMEDIATE"))
        finally:
            holder.execute("ROLLBACK")


def full(path: Path) -> sqlite3.Error:
    a_table(path)
    with closing(sqlite3.connect(path)) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 1}")
        return failure(lambda: conn.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,)))


def cannot_open(path: Path) -> sqlite3.Error:
    return failure(lambda: sqlite3.connect(path.parent / "no such folder" / "library.db"))


def a_bug(path: Path) -> sqlite3.Error:
    a_table(path)
    with closing(sqlite3.connect(path)) as conn:
        return failure(lambda: conn.execute("SELECT nope FROM t"))


@pytest.mark.parametrize(("make", "kind", "cls", "says"), [
    (not_a_database, "corrupt", LibraryCorrupt,
     "the library file is damaged (file is not a database); nothing was written to it. "
     "Restore a backup with `winnow restore BACKUP`"),
    (read_only, "readonly", LibraryReadOnly,
     "the library is read-only (the file, its folder or the disk cannot be written); "
     "nothing was changed"),
    (busy, "busy", LibraryError,
     "the library is busy: another program kept it locked for over 10 s; nothing was "
     "changed, try again"),
    (full, "full", LibraryError, "disk full: the library could not grow ("),
    (cannot_open, "cantopen", LibraryError,
     "cannot open the library file (unable to open database file)"),
], ids=["corrupt", "readonly", "busy", "full", "cantopen"])
def test_each_sqlite_failure_becomes_its_one_line(
        tmp_path: Path, make: Callable[[Path], sqlite3.Error], kind: str,
        cls: type[LibraryError], says: str) -> None:
    path = tmp_path / "library.db"
    error = make(path)
    assert error_kind(error) == kind
    mapped = user_error(path, error)
    assert type(mapped) is cls
    message = str(mapped)
    assert message.startswith(f"{path}: ") and says in message
    assert "\n" not in message


def test_a_failure_from_a_bug_is_not_passed_off_as_the_users_problem(tmp_path: Path) -> None:
    error = a_bug(tmp_path / "library.db")
    assert error_kind(error) is None
    assert user_error(tmp_path / "library.db", error) is None


@pytest.mark.parametrize(("text", "kind"), [
    # Errors raised without a result code (older Pythons, some drivers): read by their text.
    ("database disk image is malformed", "corrupt"),
    ("file is not a database", "corrupt"),
    ("database or disk is full", "full"),
    ("attempt to write a readonly database", "readonly"),
    ("database is locked", "busy"),
    ("disk I/O error", "io"),
    ("unable to open database file", "cantopen"),
    ("no such table: papers", None),
])
def test_an_error_without_a_code_is_read_by_its_text(text: str, kind: str | None) -> None:
    assert error_kind(sqlite3.OperationalError(text)) == kind


@pytest.mark.parametrize(("code", "kind"), [
    (266, "io"),  # SQLITE_IOERR_READ
    (267, "corrupt"),  # SQLITE_CORRUPT_VTAB: the full-text index
    (261, "busy"),  # SQLITE_BUSY_RECOVERY
    (1032, "readonly"),  # SQLITE_READONLY_DBMOVED
    (3338, "io"),  # SQLITE_IOERR_FSYNC
    (1, None),  # SQLITE_ERROR: a bug, not the user's file
])
def test_an_extended_result_code_is_read_by_its_primary_code(code: int,
                                                             kind: str | None) -> None:
    error = sqlite3.OperationalError("a message that names nothing")
    error.sqlite_errorcode = code  # as SQLite raises it: the message is no help here
    assert error_kind(error) == kind


def test_a_disk_error_names_the_file_and_what_to_run(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    message = str(user_error(path, sqlite3.OperationalError("disk I/O error")))
    assert message == (f"{path}: disk error (disk I/O error); nothing was changed. "
                       f"Check the disk, then run `winnow check`")


def test_a_long_damage_report_is_one_short_line(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    report = "*** in database main ***\n" + "\n".join(
        f"Page {n}: btreeInitPage() returns error code 11" for n in range(40))
    message = corrupt_message(path, report)
    assert "\n" not in message and "***" not in message
    detail = message[message.index("(") + 1: message.index("); nothing")]
    assert len(detail) == 160 and detail.endswith("…")
    assert detail.startswith("Page 0: btreeInitPage()")
    assert message.endswith(f"(backups are in {tmp_path / 'backups'})")
    # A report that fits is kept whole.
    whole = "x" * 160
    assert f"({whole});" in corrupt_message(path, whole)
    assert "x" * 160 not in corrupt_message(path, whole + "y")
