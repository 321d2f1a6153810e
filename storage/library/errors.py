"""The library's errors and the one policy that turns SQLite failures into them.

A failure reaches the user as one line saying what is wrong and that nothing
was changed; damage found anywhere stops all writing to that file in this
process (`BROKEN`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from storage.schema import SchemaTooNew

__all__ = ["ImportCancelled", "LibraryCorrupt", "LibraryError", "LibraryReadOnly",
           "SchemaTooNew"]


class LibraryError(Exception):
    """An error meant for the user: one line that says what is wrong."""


class LibraryCorrupt(LibraryError):
    """The file is damaged: nothing more is written to it; restore a backup."""


class LibraryReadOnly(LibraryError):
    """The file, its folder or its disk cannot be written: reading still works."""


class ImportCancelled(LibraryError):
    pass


def corrupt_message(path: Path, error: object) -> str:
    # quick_check reports like "*** in database main ***\nPage 63: ...": one line,
    # and short enough to read in a dialog.
    detail = " ".join(str(error).replace("*** in database main ***", "").split())
    if len(detail) > 160:
        detail = detail[:159] + "…"
    return (f"{path}: the library file is damaged ({detail}); nothing was written to it. "
            f"Restore a backup with `winnow restore BACKUP` (backups are in "
            f"{path.parent / 'backups'})")


# Primary SQLite result codes (extended codes carry them in their low byte).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_NOTADB = 26


def error_kind(error: sqlite3.Error) -> str | None:
    """What went wrong, in the terms a user acts on; None for anything else (a bug,
    which must surface as one rather than pass for a damaged file).

    Python 3.11+ gives the SQLite result code; the message text is the fallback
    on 3.10 and for the rare error raised without a code.
    """
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(error).lower()
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text \
            or "not a database" in text or "corrupt" in text:
        return "corrupt"
    if primary == _SQLITE_FULL or "disk is full" in text:
        return "full"
    if primary in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly" in text:
        return "readonly"
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
        return "busy"
    if primary == _SQLITE_IOERR or "disk i/o error" in text:
        return "io"
    if primary == _SQLITE_CANTOPEN or "unable to open" in text:
        return "cantopen"
    return None


def user_error(path: Path, error: sqlite3.Error) -> LibraryError | None:
    """The one place that turns an SQLite failure into a one-line message. Every
    write runs in one transaction that is rolled back on failure, so "nothing was
    changed" holds wherever these reach the user."""
    kind = error_kind(error)
    if kind == "corrupt":
        return LibraryCorrupt(corrupt_message(path, error))
    if kind == "full":
        return LibraryError(f"{path}: disk full: the library could not grow ({error}); "
                            f"nothing was changed. Free some disk space and try again")
    if kind == "readonly":
        return LibraryReadOnly(f"{path}: the library is read-only (the file, its folder or "
                               f"the disk cannot be written); nothing was changed")
    if kind == "busy":
        return LibraryError(f"{path}: the library is busy: another program kept it locked "
                            f"for over 10 s; nothing was changed, try again")
    if kind == "io":
        return LibraryError(f"{path}: disk error ({error}); nothing was changed. Check the "
                            f"disk, then run `winnow check`")
    if kind == "cantopen":
        return LibraryError(f"{path}: cannot open the library file ({error})")
    return None


# Files found damaged in this process, by real path. Once one Library sees damage
# (a failed query, a background check) no Library in the process writes to that
# file again: writing over a broken b-tree spreads the damage. `restore_backup`
# clears the entry.
BROKEN: dict[str, str] = {}
BROKEN_LOCK = threading.Lock()


def file_key(path: Path) -> str:
    return os.path.realpath(path)

