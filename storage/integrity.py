"""Is this file a Winnow library, and is it sound? Checks that write nothing, and
the one way a new library file is made.

Three depths, cheapest first (costs measured in bench/check_cost.py, policy in
the README, "Damage and crashes"):

- `header_problem`: the first 100 bytes and the file size. O(1); every command.
  Catches a file cut short (a truncated copy, a full disk), which SQLite itself
  only notices when it reads the missing last page.
- `identify`: the schema: our tables and a version we know. Run before anything
  that could write, because even `PRAGMA journal_mode = WAL` rewrites the header
  of someone else's file.
- `full_check`: `integrity_check` (every page, every record, every index entry
  against its row), `foreign_key_check` and the full-text index's own
  'integrity-check' against the papers table: the same verdict as `winnow check`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import struct
import uuid
from pathlib import Path

__all__ = ["WINNOW_TABLES", "NewLibrary", "create_library", "full_check", "header_problem",
           "identify", "locate", "size_problem"]

MAGIC = b"SQLite format 3\x00"
# Tables every Winnow library has had since schema 1. A file missing any of them is
# not ours, whatever its user_version says.
WINNOW_TABLES = frozenset({"sources", "papers", "paper_sources", "tags", "paper_tags",
                           "annotations", "events", "meta", "papers_fts"})


def size_problem(conn: sqlite3.Connection, path: Path) -> str | None:
    """`header_problem` for a file this process has open in SQLite: its page size
    from SQLite, its size from stat. Opening the file here and closing it again
    would drop the POSIX locks SQLite holds on it (sqlite.org/howtocorrupt 2.2)."""
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    size = os.stat(path).st_size
    if page_size and size % page_size:
        return (f"the file is {size:,} bytes, not a whole number of {page_size}-byte pages: "
                f"it was cut short or extended")
    return None


def header_problem(path: Path) -> str | None:
    """What the header and size of an existing, non-empty SQLite file say is wrong
    with it, or None. A file that is not SQLite at all gets its own answer. Only for
    a file no connection of this process has open (see `size_problem`)."""
    with path.open("rb") as handle:
        head = handle.read(100)
        size = os.fstat(handle.fileno()).st_size
    if len(head) < 100 or not head.startswith(MAGIC):
        return "not an SQLite database (the file header is missing or overwritten)"
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"the header gives an impossible page size ({page_size})"
    if size % page_size:
        return (f"the file is {size:,} bytes, not a whole number of {page_size}-byte pages: "
                f"it was cut short or extended")
    change_counter, header_pages = struct.unpack(">II", head[24:32])
    valid_for = struct.unpack(">I", head[92:96])[0]
    wal = Path(f"{path}-wal")
    # The page count in the header is trusted only when it was written with the
    # rest of the header (SQLite's own rule), and a WAL holding commits may yet
    # grow the file on its next checkpoint.
    if change_counter == valid_for and header_pages and not (
            wal.exists() and wal.stat().st_size > 0) and header_pages * page_size > size:
        return (f"the file is {size:,} bytes but its header counts {header_pages:,} pages "
                f"of {page_size}: it was cut short")
    return None


def identify(conn: sqlite3.Connection, current: int) -> str | None:
    """Why the open file is not a Winnow library this program may open, or None.

    Only reads: `sqlite_master` and `PRAGMA user_version`. `current` is the newest
    schema this program knows; a newer one is the caller's to report (SchemaTooNew).
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version < 0:
        return f"unknown schema version {version}: not a Winnow library"
    if version == 0:
        if tables:
            shown = ", ".join(sorted(tables)[:4])
            return f"an SQLite file with other tables ({shown}), not a Winnow library"
        return "an empty SQLite file, not a Winnow library"
    if version > current:
        return None
    missing = WINNOW_TABLES - tables
    if missing:
        shown = ", ".join(sorted(tables - WINNOW_TABLES)[:4]) or "no tables"
        return (f"an SQLite file with schema version {version} but other tables ({shown}), "
                f"not a Winnow library")
    return None


def full_check(conn: sqlite3.Connection, *, fts: bool = True) -> str:
    """'ok', or the first thing SQLite's full checks find wrong. Raises the
    sqlite3.Error a check itself meets (a page too damaged to read).

    The FTS check is an INSERT command: it needs a connection that may write
    (it writes nothing) and waits for the write lock like any writer.
    """
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    if rows != [("ok",)]:
        return str(rows[0][0])
    broken = conn.execute("PRAGMA foreign_key_check").fetchone()
    if broken is not None:
        return (f"row {broken[1]} of {broken[0]} refers to a missing row of {broken[2]} "
                f"(foreign key check)")
    if fts:
        try:
            conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as error:
            # FTS5 reports an index out of step with its table as SQLITE_CORRUPT_VTAB.
            if "malformed" in str(error) or getattr(error, "sqlite_errorcode", 0) & 0xFF == 11:
                return f"the full-text index is out of step with the papers ({error})"
            raise
    return "ok"


def is_library_file(library: Path, target: str | os.PathLike[str]) -> bool:
    """Whether writing `target` would write over the library or one of its journal
    files (by name, through a symlink or a hard link). `winnow export -o library.db`
    replaced the live library with CSV and said "wrote library.db"."""
    target = Path(target).expanduser()
    for name in (library, *(Path(f"{library}{suffix}") for suffix in ("-wal", "-shm",
                                                                       "-journal"))):
        try:
            if os.path.samefile(target, name):
                return True
        except OSError:  # either does not exist (yet): compare where they would be
            pass
        if os.path.realpath(target) == os.path.realpath(name):
            return True
    return False


def locate(path: Path) -> tuple[os.stat_result | None, str | None]:
    """(what `path` names, or None if nothing), or why it cannot name a file at all.

    `Path.exists()` says False for a symlink loop and raises for a name too long;
    either way the user would read "no library yet". ENOTDIR (a file where a
    folder should be) counts as nothing there: making the folder then fails with
    its own message.
    """
    try:
        return os.stat(path), None
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except OSError as error:
        return None, error.strerror or str(error)


def create_library(path: Path, *, over_empty: bool = False) -> bool:
    """Make a new library at `path`, whole: True if this call made it, False if
    another process made one there first.

    The schema is written to a temporary file beside `path`, then hard-linked into
    place, which fails if anything appeared there meanwhile: no process ever opens
    a half-made library, and a zero-byte file at a library path is never one of
    ours (SQLite would happily create tables in it). `over_empty` (`winnow init`
    on an empty file) replaces a file that is still zero bytes.
    """
    from storage.schema import migrate

    temp = path.with_name(f".{path.name}.new-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            migrate(conn)
        finally:
            conn.close()
        if over_empty:
            if path.stat().st_size != 0:
                return False
            os.replace(temp, path)
            return True
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
        except OSError as error:
            # No hard links on this file system (FAT, some network shares): a plain
            # rename, which a simultaneous creator could only replace with an
            # equally empty library.
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            if path.exists():
                return False
            os.replace(temp, path)
        return True
    finally:
        for leftover in (temp, Path(f"{temp}-journal")):
            leftover.unlink(missing_ok=True)


class NewLibrary:
    """What a command that may create the library at `path` would make there: the
    file itself, the folders above it that are missing, and `backups/` beside it.

    A first import that is refused (a junk file, a cut copy, no listing in it) used
    to leave an empty library file, its folders and a `backups/` folder behind at a
    new `--db` path. `discard()` takes back what the command made when the library
    it made holds nothing: the user then finds the path as it was.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(os.path.abspath(path))
        found, _ = locate(self.path)
        self.new = found is None and not os.path.islink(self.path)
        self._folders = [folder for folder in (self.path.parent, *self.path.parent.parents)
                         if not os.path.lexists(folder)]
        self._backups = self.path.parent / "backups"
        self._backups_new = not os.path.lexists(self._backups)

    def holds_nothing(self) -> bool:
        """True if the library was made by this command and has no paper, no import
        and no other row of the user's (tags, saved searches) in it."""
        try:
            if not self.new or not self.path.is_file():
                return False
            conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)
        except (OSError, sqlite3.Error):  # a name too long, no permission: not ours
            return False
        try:
            return not any(conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
                           for table in ("papers", "sources", "tags", "events"))
        except sqlite3.Error:
            return False
        finally:
            conn.close()

    def discard(self) -> bool:
        """Remove the library this command made, if it holds nothing (call it once the
        library is closed); True if it was removed."""
        if not self.holds_nothing():
            return False
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError:
                return False
        if self._backups_new and self._backups.is_dir():
            # Made by this command (a backup of an empty library is worth nothing).
            with contextlib.suppress(OSError):
                for entry in self._backups.iterdir():
                    if entry.name.startswith(f"{self.path.stem}-") and entry.is_file():
                        entry.unlink(missing_ok=True)
            _remove_if_empty(self._backups)
        for folder in self._folders:  # the deepest first
            _remove_if_empty(folder)
        return True


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # someone put something there meanwhile: it stays
        folder.rmdir()
