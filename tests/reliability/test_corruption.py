"""Damaged library files, made by overwriting pages of a real library.

A listing-sized library is refused on open (quick_check runs before any write)
with a message that says how to restore, and its bytes stay as they were. A big
one opens without the check (`check=False` stands in for a library over
QUICK_CHECK_BELOW_BYTES); the first query or write that meets the damage stops all
writing, for every Library on that file in the process.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library, LibraryCorrupt
from tests.reliability.conftest import copy_library, one_line_error, read_only, winnow

GARBAGE = bytes(range(256)) * 16  # 4 KB, no valid b-tree page starts like this


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pages(path: Path, name: str, kind: str | None = None) -> list[int]:
    """Page numbers of a table or index, by dbstat (leaf, internal...)."""
    with closing(read_only(path)) as conn:
        rows = conn.execute("SELECT pageno, pagetype FROM dbstat WHERE name = ? ORDER BY pageno",
                            (name,)).fetchall()
    return [page for page, pagetype in rows if kind is None or pagetype == kind]


def _page_size(path: Path) -> int:
    with closing(read_only(path)) as conn:
        return conn.execute("PRAGMA page_size").fetchone()[0]


def _overwrite(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def _smash_pages(path: Path, pages: list[int], length: int = 200) -> None:
    """Overwrite the start (the b-tree page header and cell pointers) of pages."""
    size = _page_size(path)
    for page in pages:
        _overwrite(path, (page - 1) * size, GARBAGE[:length])


@pytest.fixture
def library_file(tmp_path: Path, base_template: Path) -> Path:
    """A seeded library with user data as one file, no WAL beside it."""
    return copy_library(base_template, tmp_path)


def _nothing_written(path: Path, sha_before: str) -> None:
    assert _sha(path) == sha_before
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


TARGETS = {
    "file header": lambda p: _overwrite(p, 0, GARBAGE[:100]),
    "papers leaf page": lambda p: _smash_pages(p, _pages(p, "papers", "leaf")[2:3]),
    "papers interior page": lambda p: _smash_pages(p, _pages(p, "papers", "internal")[:1]),
    "full-text index page": lambda p: _smash_pages(p, _pages(p, "papers_fts_data", "leaf")[:1]),
    "title index page": lambda p: _smash_pages(p, _pages(p, "papers_key", "leaf")[:1]),
    "schema page": lambda p: _overwrite(p, 100, GARBAGE[:100]),
}


@pytest.mark.parametrize("target", TARGETS)
def test_damaged_file_is_refused_on_open_untouched(library_file: Path, target: str) -> None:
    TARGETS[target](library_file)
    before = _sha(library_file)

    with pytest.raises(LibraryCorrupt, match=r"winnow restore BACKUP.*backups") as refused:
        Library(library_file)
    assert str(library_file) in str(refused.value)
    _nothing_written(library_file, before)

    message = one_line_error(winnow("list", db=library_file))
    assert "damaged" in message and "winnow restore" in message
    _nothing_written(library_file, before)


def test_damaged_rollback_journal_file_is_not_switched_to_wal(library_file: Path) -> None:
    """A restored backup or an old library is in rollback-journal mode; turning on
    WAL rewrites the header, so it must wait until the file is known sound."""
    with closing(sqlite3.connect(library_file)) as conn:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    _smash_pages(library_file, _pages(library_file, "papers", "leaf")[2:3])
    before = _sha(library_file)
    with pytest.raises(LibraryCorrupt, match="winnow restore"):
        Library(library_file)
    _nothing_written(library_file, before)


def _corrupt_fts_blob(path: Path) -> None:
    """Damage inside one full-text index record: every b-tree stays well-formed, so
    quick_check passes; only the index's own check (or a query reading that
    record) sees it."""
    with closing(read_only(path)) as conn:
        block = conn.execute("SELECT block FROM papers_fts_data WHERE length(block) > 1000 "
                             "ORDER BY id LIMIT 1").fetchone()[0]
    data = path.read_bytes()
    where = data.find(block[200:400])
    assert where > 0
    _overwrite(path, where, GARBAGE[:200])


def test_winnow_check_finds_what_quick_check_cannot(library_file: Path) -> None:
    assert winnow("check", db=library_file).returncode == 0
    _corrupt_fts_blob(library_file)
    before = _sha(library_file)
    with Library(library_file) as lib:  # the quick check on open passes
        with pytest.raises(LibraryCorrupt, match="winnow restore"):
            lib.check(quick=False)
        assert lib.broken is not None
        with pytest.raises(LibraryCorrupt, match="winnow restore"):
            lib.set_read([1])
    _nothing_written(library_file, before)
    message = one_line_error(winnow("check", db=library_file))
    assert "damaged" in message and "winnow restore" in message
    _nothing_written(library_file, before)


def test_big_library_stops_writing_at_the_first_damaged_read(library_file: Path) -> None:
    with closing(read_only(library_file)) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM papers ORDER BY id")]
    _smash_pages(library_file, _pages(library_file, "papers", "leaf")[3:4])

    lib = Library(library_file, check=False)  # what a library over QUICK_CHECK_BELOW_BYTES does
    other = Library(library_file, check=False)
    try:
        lib.set_starred([ids[0]])  # undamaged pages still take writes...
        lib.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = _sha(library_file)
        with pytest.raises(LibraryCorrupt) as found:
            lib.get_many(ids)  # ...until a query meets the damage
        message = str(found.value)
        assert "winnow restore" in message
        assert lib.broken == message
        for write in (lambda: lib.set_starred([ids[0]], False),
                      lambda: lib.add_tags([ids[1]], ["x"]),
                      lambda: lib.set_note(ids[1], "lost?"),
                      lambda: other.set_read([ids[2]])):  # another Library, same file
            with pytest.raises(LibraryCorrupt) as refused:
                write()
            assert str(refused.value) == message
        with pytest.raises(LibraryCorrupt):
            lib.import_text("A title\n\nAn abstract.\n")
    finally:
        lib.close()
        other.close()
    _nothing_written(library_file, before)
    with closing(read_only(library_file)) as conn:  # the one write before the damage
        assert conn.execute("SELECT starred FROM papers WHERE id = ?", (ids[0],)).fetchone()[0]


def test_damage_met_inside_a_write_rolls_it_back_and_stops_writing(library_file: Path) -> None:
    with closing(read_only(library_file)) as conn:
        unread = [row[0] for row in conn.execute(
            "SELECT id FROM papers WHERE read_at IS NULL ORDER BY id LIMIT 200")]
    # The read_at index is touched only by the UPDATE inside set_read's
    # transaction, not by the reads before it.
    _smash_pages(library_file, _pages(library_file, "papers_read_at"))
    before = _sha(library_file)
    with Library(library_file, check=False) as lib:
        with pytest.raises(LibraryCorrupt, match="winnow restore"):
            lib.set_read(unread)
        assert not lib.conn.in_transaction
        with pytest.raises(LibraryCorrupt):
            lib.set_starred(unread[:1])
    _nothing_written(library_file, before)


def test_daily_backup_of_a_damaged_library_keeps_the_good_backups(
        library_file: Path) -> None:
    with Library(library_file) as lib:
        good = lib.daily_backup(keep=1)
    assert good is not None
    week_ago = time.time() - 7 * 86400
    os.utime(good, (week_ago, week_ago))
    _smash_pages(library_file, _pages(library_file, "papers", "leaf")[1:2])

    with Library(library_file, check=False) as lib, \
            pytest.raises(LibraryCorrupt, match="winnow restore"):
        lib.daily_backup(keep=1)
    backups = sorted(p.name for p in good.parent.iterdir())
    assert backups == [good.name]  # the damaged copy was dropped, the good one kept
    with closing(sqlite3.connect(good)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
