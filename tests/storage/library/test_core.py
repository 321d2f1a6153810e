"""Opening a file (storage/library/core.py): a too-new schema, a corrupt file and a file
that is not a library are refused, untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage import Library, LibraryCorrupt, LibraryError, SchemaTooNew


def test_schema_too_new_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with Library(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNew, match="upgrade Winnow"):
        Library(path)
    assert path.read_bytes() == before


def test_corrupt_library_is_refused_with_restore_advice(seeded_path: Path) -> None:
    data = bytearray(seeded_path.read_bytes())
    page = 4096
    # Overwrite pages in the middle of the file (b-tree pages of papers and FTS).
    for offset in range(page * 3, min(len(data), page * 40), page):
        data[offset:offset + 200] = b"\xde\xad\xbe\xef" * 50
    seeded_path.write_bytes(bytes(data))
    with pytest.raises(LibraryCorrupt, match="restore"):
        Library(seeded_path)


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a library\n" * 200)
    with pytest.raises(LibraryError):
        Library(path)
    assert path.read_text().startswith("these are my notes")
