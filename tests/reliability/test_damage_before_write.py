"""Damage SQLite can see is caught before the first write, by every command.

Each damaged file is made by a real byte edit of a real library: cut short by
one byte, a record whose header no longer decodes, a key changed under its
index, a title changed under the full-text index. `quick_check` passes on all
but one of them and `integrity_check` on two. Every write command must refuse
with the restore advice and leave the bytes as they were; `check` must call the
file damaged; `restore` must refuse such a file as a backup; reads that meet the
damage say so in one line instead of "unexpected error".
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library, LibraryCorrupt
from tests.reliability.conftest import copy_library, one_line_error, read_only, winnow


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _varint(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _record(path: Path, paper_id: int) -> tuple[int, bytes, bytes]:
    """Where paper `paper_id`'s record content starts in the file (its key then
    its title, stored one after the other), with the key and title bytes."""
    with closing(read_only(path)) as conn:
        key, title = conn.execute("SELECT key, title FROM papers WHERE id = ?",
                                  (paper_id,)).fetchone()
    data = path.read_bytes()
    key_bytes, title_bytes = key.encode(), title.encode()
    where = data.find(key_bytes + title_bytes)
    assert where > 0 and data.count(key_bytes + title_bytes) == 1
    return where, key_bytes, title_bytes


def _edit(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def truncate_one_byte(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size - 1)


def undecodable_record(path: Path) -> None:
    """The key's serial type in paper 5's record header says 8 KB of text: the
    record no longer fits its cell."""
    where, key, _ = _record(path, 5)
    serial = _varint(len(key) * 2 + 13)
    data = path.read_bytes()
    header = data.rfind(b"\x00" + serial, where - 80, where)  # id (NULL), then key
    assert header > 0
    _edit(path, header + 1, b"\xff\x7f"[:len(serial)] if len(serial) == 2 else b"\x7f")


def key_under_its_index(path: Path) -> None:
    """One letter of paper 5's dedupe key flipped: the row and papers_key disagree."""
    where, _, _ = _record(path, 5)
    data = path.read_bytes()
    _edit(path, where + 2, bytes([data[where + 2] ^ 0x01]))


def title_under_the_fts_index(path: Path) -> None:
    """Paper 5's title rewritten in place: the full-text index still holds the old words."""
    where, key, _ = _record(path, 5)
    _edit(path, where + len(key), b"Zqxwv")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "cut short by one byte": truncate_one_byte,
    "record that does not decode": undecodable_record,
    "index out of step with its row": key_under_its_index,
    "full-text index out of step": title_under_the_fts_index,
}

WRITES = [("tag", "1", "--add", "x"), ("note", "1", "hello"), ("read", "1"), ("star", "1"),
          ("unread", "2"), ("annotate", "1", "--quote", "{quote}"), ("undo",),
          ("search", "save", "s", "x"), ("import", "{listing}")]


@pytest.fixture
def library_file(tmp_path: Path, base_template: Path) -> Path:
    return copy_library(base_template, tmp_path / "lib")


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    from tests.reliability.conftest import write_listing

    return write_listing(tmp_path / "new.txt", 20, prefix="Fresh", seed=5)


def _quote(path: Path) -> str:
    with closing(read_only(path)) as conn:
        return conn.execute("SELECT substr(abstract, 1, 20) FROM papers WHERE id = 1"
                            ).fetchone()[0]


@pytest.mark.parametrize("damage", DAMAGE)
def test_every_write_command_refuses_damaged_file_untouched(
        library_file: Path, listing: Path, damage: str) -> None:
    quote = _quote(library_file)
    DAMAGE[damage](library_file)
    before = _sha(library_file)
    for args in WRITES:
        args = tuple(a.replace("{quote}", quote).replace("{listing}", str(listing))
                     for a in args)
        result = winnow(*args, db=library_file)
        message = one_line_error(result)
        assert "damaged" in message and "winnow restore" in message, (args, message)
        assert _sha(library_file) == before, args
        assert not Path(f"{library_file}-wal").exists() or \
            Path(f"{library_file}-wal").stat().st_size == 0
    # `check` agrees, and says nothing false about what was written.
    message = one_line_error(winnow("check", db=library_file))
    assert "damaged" in message and "winnow restore" in message
    assert _sha(library_file) == before


@pytest.mark.parametrize("damage", DAMAGE)
def test_library_api_refuses_the_first_write(library_file: Path, damage: str) -> None:
    DAMAGE[damage](library_file)
    before = _sha(library_file)
    with pytest.raises(LibraryCorrupt, match="winnow restore"), Library(library_file) as lib:
        lib.set_starred([1])
    assert _sha(library_file) == before


@pytest.mark.parametrize("damage", DAMAGE)
def test_restore_refuses_a_damaged_backup(library_file: Path, tmp_path: Path,
                                          damage: str) -> None:
    backup = tmp_path / "backup.db"
    shutil.copy(library_file, backup)
    DAMAGE[damage](backup)
    before = _sha(library_file)
    message = one_line_error(winnow("restore", str(backup), db=library_file))
    assert "damaged" in message and "nothing was restored" in message, message
    assert _sha(library_file) == before
    assert not list(library_file.parent.glob("*.restoring*"))


@pytest.mark.parametrize("command", [("export",), ("export", "--format", "csv"),
                                     ("list", "--limit", "1000"), ("show", "5")])
def test_reads_meeting_a_broken_record_say_so_in_one_line(library_file: Path,
                                                          command: tuple[str, ...]) -> None:
    undecodable_record(library_file)
    message = one_line_error(winnow(*command, db=library_file))
    assert "unexpected" not in message
    assert "damaged" in message and "winnow restore" in message, message


def test_undamaged_file_still_takes_writes(library_file: Path) -> None:
    """The checks are not simply refusing everything."""
    for args in WRITES[:5]:
        args = tuple(a.replace("{quote}", _quote(library_file)) for a in args)
        result = winnow(*args, db=library_file)
        assert result.returncode == 0, (args, result.stderr)
    with closing(sqlite3.connect(library_file)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
