"""Helpers shared by the tests of the Library's parts (storage/library/*)."""

from __future__ import annotations

from storage import Library


def title_id(lib: Library, prefix: str) -> int:
    """The id of the paper whose title starts with `prefix` (the seeds' titles are known)."""
    row = lib.conn.execute("SELECT id FROM papers WHERE title LIKE ? || '%'",
                           (prefix,)).fetchone()
    assert row, f"no paper titled {prefix!r}"
    return row[0]
