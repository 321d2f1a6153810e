"""A file that is not a Winnow library is refused, byte for byte untouched, by
every command; only `winnow init` (or a first start on a path where nothing
exists yet) makes a library.

Each foreign file is real: another application's SQLite database (its own tables,
user_version 1, rollback journal, so WAL would rewrite its header), a zero-byte
file, an empty SQLite file, and a Winnow library whose user_version was set to
-1 or to a version no Winnow wrote. The sha256 of the file and the folder's
listing are compared before and after each command.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library, LibraryError, SchemaTooNew
from tests.conftest import SEEDS
from tests.reliability.conftest import one_line_error, read_only, winnow


def other_app(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript("""
            CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT, email TEXT);
            INSERT INTO contacts (name, email) VALUES ('Ada', 'ada@example.org');
            CREATE TABLE papers (id INTEGER PRIMARY KEY, title TEXT);
            PRAGMA user_version = 1;
        """)


def zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def empty_sqlite(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("DROP TABLE t")
        conn.execute("VACUUM")


def _winnow_with_version(version: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        shutil.copy(_TEMPLATE[0], path)
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute(f"PRAGMA user_version = {version}")
    return make


_TEMPLATE: list[Path] = []
KINDS: dict[str, Callable[[Path], None]] = {
    "another app's SQLite file, user_version 1": other_app,
    "zero-byte file": zero_bytes,
    "empty SQLite file": empty_sqlite,
    "user_version -1": _winnow_with_version(-1),
    "user_version 999": _winnow_with_version(999),
}
COMMANDS = [("list",), ("show", "1"), ("tags",), ("stats",), ("check",), ("annotations",),
            ("export",), ("search", "list"), ("similar", "1"), ("read", "1"), ("star", "1"),
            ("tag", "1", "--add", "x"), ("note", "1", "n"), ("undo",), ("redo",),
            ("backup",), ("import", str(SEEDS[0])), ("restore", "{backup}")]


@pytest.fixture
def foreign(request: pytest.FixtureRequest, tmp_path: Path, _seeded_template: Path) -> Path:
    _TEMPLATE[:] = [_seeded_template]
    folder = tmp_path / "lib"
    folder.mkdir()
    path = folder / "library.db"
    KINDS[request.param](path)
    return path


def _state(path: Path) -> tuple[str, list[str]]:
    return (hashlib.sha256(path.read_bytes()).hexdigest(),
            sorted(p.name for p in path.parent.iterdir()))


@pytest.mark.parametrize("foreign", KINDS, indirect=True)
def test_every_command_refuses_it_untouched(foreign: Path, tmp_path: Path,
                                            _seeded_template: Path) -> None:
    backup = tmp_path / "a-good-backup.db"
    shutil.copy(_seeded_template, backup)
    before = _state(foreign)
    for args in COMMANDS:
        args = tuple(a.replace("{backup}", str(backup)) for a in args)
        message = one_line_error(winnow(*args, db=foreign))
        assert str(foreign) in message, (args, message)
        assert ("not a Winnow library" in message or "newer Winnow" in message), (args, message)
        assert "unexpected" not in message
        assert _state(foreign) == before, args


@pytest.mark.parametrize("foreign", KINDS, indirect=True)
def test_library_api_refuses_it_untouched(foreign: Path) -> None:
    before = _state(foreign)
    for options in ({}, {"read_only": True}, {"check": False}):
        with pytest.raises((LibraryError, SchemaTooNew)):
            Library(foreign, **options)
        assert _state(foreign) == before


def test_init_makes_a_library_and_refuses_what_exists(tmp_path: Path) -> None:
    new = tmp_path / "new" / "library.db"
    result = winnow("init", db=new)
    assert result.returncode == 0, result.stderr
    assert "created" in result.stdout.decode()
    with closing(read_only(new)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    assert winnow("list", db=new).returncode == 0
    # Never over something that exists.
    message = one_line_error(winnow("init", db=new))
    assert "already" in message
    other = tmp_path / "other.db"
    other_app(other)
    before = _state(other)
    message = one_line_error(winnow("init", db=other))
    assert "not a Winnow library" in message
    assert _state(other) == before


def test_init_turns_a_zero_byte_file_into_a_library(tmp_path: Path) -> None:
    """Asked for by name, an empty file (`touch library.db`) becomes a library."""
    path = tmp_path / "library.db"
    path.write_bytes(b"")
    result = winnow("init", db=path)
    assert result.returncode == 0, result.stderr
    assert winnow("stats", db=path).returncode == 0


def test_first_import_on_a_new_path_still_creates_the_library(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "library.db"
    result = winnow("import", str(SEEDS[0]), db=path)
    assert result.returncode == 0, result.stderr
    assert winnow("list", "--limit", "1", db=path).returncode == 0
