"""`Library`: the one API over a Winnow SQLite file.

The GUI, the command line and scripts all go through it. Every write runs in a
short `BEGIN IMMEDIATE` transaction on this object's connection; user actions
are logged in `events` so they can be undone, even after a restart.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from glob import escape as glob_escape
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any, Concatenate, NoReturn, ParamSpec, TypeVar

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from storage.listing import ListingError, ListingStream, PaperRecord, iter_listing, open_listing
from storage.models import (
    COLOURS,
    Annotation,
    Change,
    FileReport,
    ImportReport,
    Paper,
    PaperRow,
    SourceRef,
    byline,
)
from storage.schema import SchemaTooNew, current_version, migrate, user_version
from storage.search import SearchEngine, SearchResult
from storage.text import normalise_title

__all__ = [
    "ImportCancelled",
    "Library",
    "LibraryCorrupt",
    "LibraryError",
    "LibraryReadOnly",
    "SchemaTooNew",
    "default_library_path",
    "restore_backup",
    "sample_listings",
]

# A listing-sized file imports in one transaction; a huge one commits every
# BATCH papers so the GUI's own writes never wait more than a fraction of a second.
# The environment variable WINNOW_IMPORT_BATCH overrides it: the crash tests use
# it to get many batch commits out of a small file in a `winnow import` process.
BATCH = 5000
# Files under this size (about 15k papers) get a quick_check before the first
# write: ~30 ms warm, under a second cold. Bigger ones would make start-up wait
# (3.5 s cold at 300 MB), so the app checks them on a second connection after the
# first paint (desktop/maintenance.py), and any damage met later stops all writing.
QUICK_CHECK_BELOW_BYTES = 64 * 1024 * 1024
NOTE_COALESCE_SECONDS = 120

ProgressCallback = Callable[[str, int], None]
CancelCallback = Callable[[], bool]


class LibraryError(Exception):
    """An error meant for the user: one line that says what is wrong."""


class LibraryCorrupt(LibraryError):
    """The file is damaged: nothing more is written to it; restore a backup."""


class LibraryReadOnly(LibraryError):
    """The file, its folder or its disk cannot be written: reading still works."""


class ImportCancelled(LibraryError):
    pass


def default_library_path() -> Path:
    """`WINNOW_DB` if set, else `library.db` in the user data directory."""
    env = os.environ.get("WINNOW_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("winnow", appauthor=False) / "library.db"


def sample_listings() -> list[Path]:
    """The listings shipped with Winnow, imported into an empty first library."""
    root = resources.files("winnow_seeds")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _batch_size() -> int:
    value = os.environ.get("WINNOW_IMPORT_BATCH", "")
    return int(value) if value.isdigit() and int(value) > 0 else BATCH


def _not_a_listing_file(path: Path) -> str | None:
    """Why `path` cannot be read as a listing, checked before it is opened: opening
    a FIFO would wait for a writer forever, and a pipe can be read only once."""
    info = path.stat()  # OSError (no such file...) is reported by the caller
    if stat.S_ISDIR(info.st_mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe or a device); save the listing to a file first"
    return None


def _unused(path: Path) -> Path:
    """`path`, or `name-2.db`, `name-3.db`...: the first that does not exist yet."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to `path`, even by accident."""
    uri = Path(os.path.abspath(path)).as_uri() + "?mode=ro"
    return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10)


def _quick_check_file(path: Path) -> str:
    """'ok', or what `PRAGMA quick_check` (or opening) found wrong in `path`."""
    try:
        conn = _open_read_only(path)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as error:
        return str(error)
    return "ok" if rows == [("ok",)] else str(rows[0][0])


def _corrupt_message(path: Path, error: object) -> str:
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


def _error_kind(error: sqlite3.Error) -> str | None:
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


def _user_error(path: Path, error: sqlite3.Error) -> LibraryError | None:
    """The one place that turns an SQLite failure into a one-line message. Every
    write runs in one transaction that is rolled back on failure, so "nothing was
    changed" holds wherever these reach the user."""
    kind = _error_kind(error)
    if kind == "corrupt":
        return LibraryCorrupt(_corrupt_message(path, error))
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
_BROKEN: dict[str, str] = {}
_BROKEN_LOCK = threading.Lock()


def _file_key(path: Path) -> str:
    return os.path.realpath(path)


def _safe_text(text: str) -> str:
    """`text` with lone surrogates (undecodable bytes of a file name, a broken
    clipboard) as U+FFFD: SQLite and UTF-8 output refuse them, and a note must not
    be lost over one character."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


class _ImportLock:
    """An OS lock the importing process holds while its `sources` row says 'importing'.

    Another process (or another Library in this one) that finds such a row must
    tell a crashed import, to be undone, from one still running, to be left alone.
    The kernel drops the lock when its holder dies, even by SIGKILL. flock locks
    belong to the open file, not the process, so a second Library in the same
    process (the GUI's import thread and its background check) conflicts too.
    """

    def __init__(self, library: Path, source_id: int) -> None:
        real = Path(_file_key(library))
        self.path = real.with_name(f"{real.name}-import-{source_id}.lock")
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """True if now held by us; False if another holder has it. OSError if the
        lock file cannot be made (a read-only folder)."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if os.name == "nt":  # pragma: no cover - Windows
                    import msvcrt

                    msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                else:
                    import fcntl

                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
            if os.name == "nt" or self._names(fd):
                self._fd = fd
                return True
            # The holder unlinked the name between our open and our lock (see
            # `release`): the lock we hold is on a file nobody else will open.
            os.close(fd)

    def _names(self, fd: int) -> bool:
        """Whether `self.path` still names the file open as `fd`."""
        try:
            named = os.stat(self.path)
        except FileNotFoundError:
            return False
        opened = os.fstat(fd)
        return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)

    @classmethod
    def sweep(cls, library: Path, keep: set[int]) -> None:
        """Remove free lock files of imports that never got their row committed
        (killed between creating the lock and the commit)."""
        real = Path(_file_key(library))
        for stale in real.parent.glob(f"{glob_escape(real.name)}-import-*.lock"):
            number = stale.name.rsplit("-", 1)[-1].removesuffix(".lock")
            if not number.isdigit() or int(number) in keep:
                continue
            lock = cls(library, int(number))
            with suppress(OSError):
                if lock.try_acquire():
                    lock.release()

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        # Unlinked while still held: whoever opens the name afterwards gets a fresh,
        # free file, and by then the row it guards is complete or undone.
        if os.name != "nt":
            self.path.unlink(missing_ok=True)
        os.close(fd)
        if os.name == "nt":  # pragma: no cover - Windows cannot unlink an open file
            with suppress(OSError):
                self.path.unlink(missing_ok=True)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _guarded(method: Callable[Concatenate[Library, _P], _R]
             ) -> Callable[Concatenate[Library, _P], _R]:
    """Turn SQLite failures in a public method into one-line LibraryErrors; damage
    found by any query, read or write, stops all writing (see `_BROKEN`)."""

    @functools.wraps(method)
    def wrapper(self: Library, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            self._raise_for(error)

    return wrapper


class Library:
    """A Winnow library file. Open with `Library(path)`; close with `close()` or `with`.

    `read_only=True` (or a file, folder or disk that cannot be written) opens it
    for reading: every write then raises LibraryReadOnly and nothing is touched.
    `check`: run `quick_check` before anything is written (default: for files under
    QUICK_CHECK_BELOW_BYTES; bigger ones are checked with `check()` off the start-up
    path, e.g. by the GUI on a second Library in the background after first paint).
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True,
                 check: bool | None = None, read_only: bool = False) -> None:
        self.path = Path(path).expanduser()
        self._key = _file_key(self.path)
        self._broken: str | None = None
        exists = self.path.exists()
        if exists and self.path.is_dir():
            raise LibraryError(f"{self.path}: is a directory, not a library file")
        if exists and not self.path.is_file():
            raise LibraryError(f"{self.path}: not a regular file, so not a library")
        if not exists and (read_only or not create):
            raise LibraryError(f"{self.path}: no such library")
        if not exists:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise LibraryError(f"{self.path.parent}: cannot create the folder "
                                   f"({error.strerror or error})") from None
            if not os.access(self.path.parent, os.W_OK):
                raise LibraryReadOnly(f"{self.path}: cannot create a library there: the "
                                      f"folder is read-only")
        existed = exists and self.path.stat().st_size > 0
        # os.access sees a read-only mount (EROFS) and an immutable file (EPERM)
        # even as root, where permission bits would not stop a write.
        self.read_only = read_only or (exists and not (
            os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)))
        self.conn = self._connect()
        stage = "open"
        try:
            self._configure()
            if existed and (check if check is not None else
                            self.path.stat().st_size < QUICK_CHECK_BELOW_BYTES):
                self.check(quick=True)
            found = user_version(self.conn)
            if found > current_version() or self.read_only:
                self._require_current_schema(found)
            if found == 0 and existed and self.conn.execute(
                    "SELECT count(*) FROM sqlite_master").fetchone()[0]:
                # Another program's database: adding our tables to it would be a write
                # into someone else's file.
                raise LibraryError(f"{self.path}: not a Winnow library (an SQLite file "
                                   f"with other tables); nothing was written to it")
            if not self.read_only:
                # Only now that the file is known sound, ours and not too new: turning
                # on WAL rewrites its header, a write.
                self._enable_wal()
                stage = "upgrade"
                migrate(self.conn, before_upgrade=self._backup_before_migration)
                stage = "open"
                self._recover_unfinished_imports()
        except SchemaTooNew as error:
            self.conn.close()
            raise SchemaTooNew(f"{self.path}: {error}") from None
        except sqlite3.Error as error:
            self.conn.close()
            mapped = _user_error(self.path, error)
            if mapped is None and stage == "upgrade":
                mapped = LibraryError(f"{self.path}: could not upgrade the library ({error}); "
                                      f"it was left as it was (backups: {self.backup_dir()})")
            if mapped is None:
                # Nothing else should fail while opening a sound library file.
                mapped = LibraryCorrupt(_corrupt_message(self.path, error))
            if isinstance(mapped, LibraryCorrupt):
                self._mark_broken(str(mapped))
            raise mapped from error
        except BaseException:
            self.conn.close()
            raise
        self._search = SearchEngine(self.conn)
        self._seen_data_version = self.data_version()

    # ----------------------------------------------------------------- plumbing
    def _connect(self) -> sqlite3.Connection:
        options: dict[str, Any] = {"isolation_level": None, "check_same_thread": False,
                                   "timeout": 10}
        try:
            if not self.read_only:
                return sqlite3.connect(self.path, **options)
            uri = Path(os.path.abspath(self.path)).as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, **options)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError as error:
                conn.close()
                wal = Path(f"{self.path}-wal")
                if _error_kind(error) != "cantopen" or (wal.exists() and wal.stat().st_size):
                    raise
            # A WAL-mode file on a read-only disk: SQLite cannot make the -shm file
            # readers share. Without a -wal file holding commits the main file is the
            # whole library, and nobody can change it while the disk is read-only.
            return sqlite3.connect(uri + "&immutable=1", uri=True, **options)
        except sqlite3.Error as error:
            if self.read_only and _error_kind(error) == "cantopen":
                raise LibraryReadOnly(
                    f"{self.path}: cannot read the library on this read-only disk ({error}); "
                    f"copy it, with its -wal file, to a writable folder") from error
            raise _user_error(self.path, error) or LibraryError(
                f"{self.path}: cannot open ({error})") from error

    def _configure(self) -> None:
        """Connection settings only: nothing here writes to the file."""
        conn = self.conn
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")

    def _enable_wal(self) -> None:
        # WAL lets the app read while `winnow import` writes. Where the file system
        # refuses it, SQLite keeps its rollback journal: safe, only less concurrent.
        self.conn.execute("PRAGMA journal_mode = WAL")

    def _require_current_schema(self, found: int) -> None:
        current = current_version()
        if found > current:
            raise SchemaTooNew(
                f"this library was written by a newer Winnow (schema {found}, this program "
                f"knows up to {current}); upgrade Winnow to open it")
        if found < current:
            raise LibraryReadOnly(
                f"{self.path}: the library needs an upgrade (schema {found} to {current}) "
                f"but is read-only; open it once where it can be written")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ failure modes
    @property
    def broken(self) -> str | None:
        """Why writing stopped (the damage message), or None while the file is sound."""
        if self._broken is not None:
            return self._broken
        with _BROKEN_LOCK:
            return _BROKEN.get(self._key)

    def _mark_broken(self, message: str) -> None:
        self._broken = message
        with _BROKEN_LOCK:
            _BROKEN.setdefault(self._key, message)

    def _raise_for(self, error: sqlite3.Error) -> NoReturn:
        """Re-raise an SQLite failure as the user's one-line LibraryError (damage
        also stops all writing); an unexpected one is re-raised as it is."""
        mapped = _user_error(self.path, error)
        if mapped is None:
            raise error
        if isinstance(mapped, LibraryCorrupt):
            self._mark_broken(str(mapped))
        raise mapped from error

    def _refuse_writes(self) -> None:
        broken = self.broken
        if broken is not None:
            raise LibraryCorrupt(broken)
        if self.read_only:
            raise LibraryReadOnly(f"{self.path}: the library is open read-only; "
                                  f"nothing was changed")

    def _rollback_quietly(self) -> None:
        # After SQLITE_FULL or an I/O error SQLite may already have rolled back;
        # a failing ROLLBACK must not hide the error that matters.
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction. BEGIN IMMEDIATE takes the write lock up
        front, waiting up to busy_timeout for another writer: a deferred BEGIN
        that upgrades later can fail at once with SQLITE_BUSY_SNAPSHOT instead."""
        self._refuse_writes()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            self._raise_for(error)
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback_quietly()
            self._raise_for(error)
        except BaseException:
            self._rollback_quietly()
            raise

    def check(self, *, quick: bool = True) -> None:
        """Raise LibraryCorrupt if SQLite finds the file damaged.

        quick: `PRAGMA quick_check` (every page and record; skips index contents).
        full: `integrity_check` plus the full-text index's own check against the
        papers table; that one is an INSERT command, so it holds the write lock
        while it runs (about 1 s per 300 MB warm).

        Safe on a second Library on another thread while the first one writes (the
        GUI's background check after first paint): it only reads, and damage it
        finds stops writing by every Library on this file in this process.
        """
        pragma = "quick_check" if quick else "integrity_check"
        try:
            rows = self.conn.execute(f"PRAGMA {pragma}").fetchall()
            if rows == [("ok",)] and not quick and not self.read_only:
                self.conn.execute("INSERT INTO papers_fts(papers_fts, rank) "
                                  "VALUES ('integrity-check', 1)")
        except sqlite3.Error as error:
            self._rollback_quietly()
            if _error_kind(error) not in (None, "corrupt"):
                self._raise_for(error)  # busy, read-only, I/O: no verdict on the file
            message = _corrupt_message(self.path, error)
            self._mark_broken(message)
            raise LibraryCorrupt(message) from error
        if rows != [("ok",)]:
            message = _corrupt_message(self.path, rows[0][0])
            self._mark_broken(message)
            raise LibraryCorrupt(message)

    @_guarded
    def data_version(self) -> int:
        """Changes when another connection (another process) commits a write."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    @_guarded
    def poll_changes(self) -> bool:
        """True if another connection (`winnow import`, another window) committed
        since the last call: the caller re-runs its query to show the change. One
        PRAGMA, cheap enough for a timer every second. This Library's own writes do
        not count: the caller already knows about them."""
        version = self.data_version()
        changed = version != self._seen_data_version
        self._seen_data_version = version
        if changed:
            self._search.invalidate()
        return changed

    def _backup_before_migration(self, version: int) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.backup(_unused(self.backup_dir() / f"{self.path.stem}-v{version}-{stamp}.db"))

    def backup(self, dest: str | os.PathLike[str] | None = None) -> Path:
        """A consistent copy made with SQLite's backup API, safe while others write.

        `dest` may be a folder (the copy gets a dated name in it); an existing file is
        never overwritten. The copy is written under a `.partial` name and renamed
        when whole, so a crash never leaves a half backup that looks like one.
        """
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = f"{self.path.stem}-{stamp}.db"
        target = self.backup_dir() / name if dest is None else Path(dest).expanduser()
        if target.is_dir():
            target = target / name
        if target.name == name:  # a name of our choosing: pick a free one
            target = _unused(target)
        if target.exists() or target.is_symlink():
            raise LibraryError(f"{target}: already exists; a backup never overwrites a file")
        if self.conn.in_transaction:
            # Connection.backup() never returns while its own connection holds an
            # open write transaction (PITFALLS).
            raise LibraryError("cannot back up in the middle of a write")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LibraryError(f"{target.parent}: cannot create the folder "
                               f"({error.strerror or error})") from None
        partial = target.with_name(target.name + ".partial")
        # A journal left by a killed copy would be played back into the new one.
        for stale in (partial, Path(f"{partial}-journal")):
            stale.unlink(missing_ok=True)
        try:
            out = sqlite3.connect(partial)
        except sqlite3.Error as error:
            raise LibraryError(f"{target}: cannot write a backup there ({error})") from None
        try:
            self.conn.backup(out)
            # The copy carries the WAL flag of its source; a backup is one
            # self-contained file, with no -wal or -shm beside it when opened.
            out.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.Error as error:
            out.close()
            partial.unlink(missing_ok=True)
            if _error_kind(error) == "corrupt":
                self._raise_for(error)
            Path(f"{partial}-journal").unlink(missing_ok=True)
            raise LibraryError(f"{target}: backup failed ({error}); the library is "
                               f"unchanged") from None
        out.close()
        os.replace(partial, target)
        return target

    def backup_dir(self) -> Path:
        return self.path.parent / "backups"

    @_guarded
    def daily_backup(self, keep: int = 7) -> Path | None:
        """Make today's automatic backup unless one is less than a day old, and keep
        only the newest `keep` automatic ones. Returns the new file, if any.

        A library under QUICK_CHECK_BELOW_BYTES has its new copy checked before any
        old one is rotated out: copying a damaged file must not push the last good
        backups away.
        """
        folder = self.backup_dir()
        pattern = f"{glob_escape(self.path.stem)}-daily-*.db"
        existing = sorted(folder.glob(pattern), key=lambda p: (p.stat().st_mtime, p.name)) \
            if folder.exists() else []
        made = None
        if not existing or time.time() - existing[-1].stat().st_mtime > 86400:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            made = self.backup(_unused(folder / f"{self.path.stem}-daily-{stamp}.db"))
            if made.stat().st_size < QUICK_CHECK_BELOW_BYTES:
                verdict = _quick_check_file(made)
                if verdict != "ok":
                    made.unlink(missing_ok=True)
                    message = _corrupt_message(self.path, verdict)
                    self._mark_broken(message)
                    raise LibraryCorrupt(message)
            existing.append(made)
        for old in existing[:-keep]:
            old.unlink(missing_ok=True)
        # Left by a backup killed half-way (they never match `pattern`).
        leftovers = folder.glob(f"{glob_escape(self.path.stem)}-*.partial*") \
            if folder.exists() else ()
        for partial in leftovers:
            if time.time() - partial.stat().st_mtime > 3600:
                partial.unlink(missing_ok=True)
        return made

    # ------------------------------------------------------------------ imports
    @_guarded
    def import_files(self, paths: Iterable[str | os.PathLike[str]], *,
                     progress: ProgressCallback | None = None,
                     cancel: CancelCallback | None = None) -> ImportReport:
        """Import each listing file; a bad file is reported and the others still import.

        A failure of the library itself (disk full, read-only, busy) is reported on
        the file it stopped and ends the run: the next files would fail the same way.
        Damage raises LibraryCorrupt.
        """
        report = ImportReport()
        for raw_path in paths:
            path = Path(raw_path)
            shown = _safe_text(str(path))
            file_report = FileReport(path=shown, name=_safe_text(path.name))
            try:
                problem = _not_a_listing_file(path)
                if problem:
                    file_report.error = f"{shown}: {problem}"
                else:
                    with open_listing(path) as stream:
                        sha = stream.sha256 or ""
                        if not self._already_imported(sha, file_report):
                            self._import_stream(stream, path=_safe_text(str(path.resolve())),
                                                sha256=sha, report=file_report,
                                                progress=progress, cancel=cancel)
            except ListingError as error:
                file_report.error = str(error)
            except ImportCancelled:
                file_report.error = f"{file_report.name}: import cancelled; nothing was added"
                report.files.append(file_report)
                break
            except LibraryCorrupt:
                raise
            except LibraryError as error:
                file_report.error = f"{file_report.name}: not imported: {error}"
                report.files.append(file_report)
                break
            except OSError as error:
                file_report.error = f"{shown}: {error.strerror or error}"
            report.files.append(file_report)
        self._search.invalidate()
        return report

    @_guarded
    def import_text(self, text: str, *, name: str = "clipboard") -> FileReport:
        """Import listing text that did not come from a file (a paste)."""
        name, text = _safe_text(name), _safe_text(text)
        file_report = FileReport(path=name, name=name)
        try:
            sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            if not self._already_imported(sha, file_report):
                with iter_listing(text.splitlines(), name=name) as stream:
                    self._import_stream(stream, path=name, sha256=sha, report=file_report,
                                        progress=None, cancel=None)
        except ListingError as error:
            file_report.error = str(error)
        except LibraryCorrupt:
            raise
        except LibraryError as error:
            file_report.error = f"{name}: not imported: {error}"
        self._search.invalidate()
        return file_report

    def import_samples(self) -> ImportReport:
        return self.import_files(sample_listings())

    @_guarded
    def is_empty(self) -> bool:
        return self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM papers)").fetchone()[0] == 1

    def _already_imported(self, sha256: str, report: FileReport) -> bool:
        """The very same bytes were imported before: nothing in them can be news, and
        replaying an old file must not undo what later listings said."""
        same = self.conn.execute(
            "SELECT id, papers_found, imported_at FROM sources "
            "WHERE sha256 = ? AND status = 'complete' ORDER BY id LIMIT 1", (sha256,)).fetchone()
        if same is None:
            return False
        report.source_id, report.found, report.unchanged = same[0], same[1], same[1]
        report.warnings.append(f"{report.name}: already imported on {same[2][:10]}; "
                               f"nothing changed")
        return True

    def _import_stream(self, stream: ListingStream, *, path: str, sha256: str,
                       report: FileReport, progress: ProgressCallback | None,
                       cancel: CancelCallback | None) -> None:
        """Import one listing in transactions of BATCH papers.

        Until the last one commits, the `sources` row says 'importing', each batch
        journals what it changed in known papers (`import_undo`), and this process
        holds the import's lock. Any failure undoes the committed batches here; a
        process killed outright leaves them to the next Library that opens the file
        and finds the lock free (`_recover_unfinished_imports`).
        """
        conn = self.conn
        name = report.name
        lock: _ImportLock | None = None
        try:
            with self._write():
                source_id = conn.execute(
                    "INSERT INTO sources (path, name, sha256, listing_date, imported_at, "
                    "status) VALUES (?, ?, ?, ?, ?, 'importing')",
                    (path, name, sha256, stream.listing_date, _now()),
                ).lastrowid
                # Held before the row is committed: nobody ever sees this import
                # 'importing' while its lock is free.
                lock = _ImportLock(self.path, source_id)
                try:
                    held = lock.try_acquire()
                except OSError as error:
                    raise LibraryError(f"{lock.path}: cannot create the import lock "
                                       f"({error.strerror or error})") from None
                if not held:
                    lock = None
                    raise LibraryError(f"{self.path}: another import holds the lock of "
                                       f"import {source_id}; try again")
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        report.source_id = source_id
        batch_size = _batch_size()
        records = iter(stream)
        try:
            try:
                while True:
                    # Decoding and parsing happen before the write lock is taken:
                    # the lock covers only the database work of each batch.
                    batch = list(islice(records, batch_size))
                    last = len(batch) < batch_size
                    conn.execute("BEGIN IMMEDIATE")
                    self._import_batch(batch, source_id, report)
                    if last:
                        break
                    if cancel is not None and cancel():
                        raise ImportCancelled(name)
                    conn.execute("COMMIT")
                    if progress is not None:
                        progress(name, report.found)
                report.warnings.extend(stream.warnings)
                if report.found == 0:
                    raise ListingError(f"{name}: no papers found")
                conn.execute(
                    "UPDATE sources SET status = 'complete', papers_found = ?, "
                    "papers_new = ?, papers_updated = ?, warnings = ? WHERE id = ?",
                    (report.found, report.new, report.updated, json.dumps(report.warnings),
                     source_id),
                )
                conn.execute("DELETE FROM import_undo WHERE source_id = ?", (source_id,))
                conn.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback_quietly()
                self._raise_for(error)
        except BaseException:
            self._rollback_quietly()
            # If this fails too (disk still full, damage), the next open undoes it:
            # the lock is free once this process lets go of it.
            with suppress(LibraryError):
                self._undo_import(source_id)
            raise
        finally:
            lock.release()
        if progress is not None:
            progress(name, report.found)

    def _import_batch(self, records: Sequence[PaperRecord], source_id: int,
                      report: FileReport) -> None:
        if not records:
            return
        conn = self.conn
        keyed: dict[str, PaperRecord] = {}

        def twice(record: PaperRecord) -> None:
            report.warnings.append(
                f"{report.name}: \"{record.title[:60]}\" appears twice; kept the first")

        for record in records:
            report.found += 1
            key = normalise_title(record.title)
            if key in keyed:
                twice(record)
            elif key:
                keyed[key] = record
        if not keyed:
            return
        existing: dict[str, tuple[Any, ...]] = {}
        keys = list(keyed)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            # A paper already linked to this (new) source came from an earlier
            # batch of the same file: asking the database keeps memory flat
            # instead of holding every key of a million-paper file.
            for row in conn.execute(
                f"SELECT key, id, abstract, authors_count, organization, published, "
                f"published_raw, year_inferred, upvotes, EXISTS (SELECT 1 FROM paper_sources "
                f"ps WHERE ps.paper_id = papers.id AND ps.source_id = ?) "
                f"FROM papers WHERE key IN ({marks})",
                (source_id, *chunk),
            ):
                if row[-1]:
                    twice(keyed.pop(row[0]))
                else:
                    existing[row[0]] = row[1:-1]
        now = _now()
        next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM papers").fetchone()[0]
        new_rows = []
        links = []
        for key, record in keyed.items():
            if key in existing:
                paper_id = existing[key][0]
                if self._update_listing_facts(paper_id, existing[key], record, source_id):
                    report.updated += 1
                else:
                    report.unchanged += 1
            else:
                paper_id = next_id
                next_id += 1
                new_rows.append((
                    paper_id, key, record.title, record.abstract, record.authors_count,
                    record.organization, record.published, record.published_raw,
                    int(record.year_inferred), record.upvotes, now, source_id,
                ))
                report.new += 1
            links.append((paper_id, source_id, record.position))
        conn.executemany(
            "INSERT INTO papers (id, key, title, abstract, authors_count, organization, "
            "published, published_raw, year_inferred, upvotes, added_at, first_source_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            new_rows,
        )
        # The index is written here rather than by a trigger: one statement per
        # batch instead of one FTS flush per row.
        conn.executemany(
            "INSERT INTO papers_fts (rowid, title, abstract, note, annotation_text) "
            "VALUES (?, ?, ?, '', '')",
            ((row[0], row[2], row[3]) for row in new_rows),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO paper_sources (paper_id, source_id, position) "
            "VALUES (?, ?, ?)",
            links,
        )

    def _update_listing_facts(self, paper_id: int, old: tuple[Any, ...],
                              record: PaperRecord, source_id: int) -> bool:
        """Merge what a listing says about a known paper; user data is never touched."""
        (_, abstract, authors_count, organization, published, _published_raw,
         year_inferred, upvotes) = old
        changes: dict[str, Any] = {}
        if record.abstract and record.abstract != abstract:
            changes["abstract"] = record.abstract
        if record.authors_count is not None and record.authors_count != authors_count:
            changes["authors_count"] = record.authors_count
        if record.organization and record.organization != organization:
            changes["organization"] = record.organization
        # A date with its year written beats one whose year was guessed.
        better_date = record.published and (
            published is None or (year_inferred and not record.year_inferred))
        if better_date and record.published != published:
            changes["published"] = record.published
            changes["published_raw"] = record.published_raw
            changes["year_inferred"] = int(record.year_inferred)
        # Upvotes only grow; an older listing imported later must not lower them.
        if record.upvotes is not None and (upvotes is None or record.upvotes > upvotes):
            changes["upvotes"] = record.upvotes
        if not changes:
            return False
        # Journalled so that an import killed between batch commits can be undone.
        facts = dict(zip(("abstract", "authors_count", "organization", "published",
                          "published_raw", "year_inferred", "upvotes"), old[1:], strict=True))
        self.conn.execute(
            "INSERT OR IGNORE INTO import_undo (source_id, paper_id, facts) VALUES (?, ?, ?)",
            (source_id, paper_id, json.dumps(facts)),
        )
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self.conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?",
                          (*changes.values(), paper_id))
        if "abstract" in changes:
            self._reanchor_annotations(paper_id, changes["abstract"])
        return True

    def _undo_import(self, source_id: int) -> None:
        """Take back every committed batch of an import that did not finish."""
        with self._write() as conn:
            status = conn.execute("SELECT status FROM sources WHERE id = ?",
                                  (source_id,)).fetchone()
            if status is None or status[0] != "importing":
                return  # finished, or undone by someone else meanwhile
            for paper_id, facts_json in conn.execute(
                    "SELECT paper_id, facts FROM import_undo WHERE source_id = ?",
                    (source_id,)).fetchall():
                facts = json.loads(facts_json)
                assignments = ", ".join(f"{column} = ?" for column in facts)
                conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?",
                             (*facts.values(), paper_id))
                if "abstract" in facts:
                    self._reanchor_annotations(paper_id, facts["abstract"])
            conn.execute("DELETE FROM paper_sources WHERE source_id = ?", (source_id,))
            # Papers this import brought in go too, with anything done to them since.
            doomed = "SELECT id FROM papers WHERE first_source_id = ?"
            for table in ("paper_tags", "annotations", "paper_sources"):
                conn.execute(f"DELETE FROM {table} WHERE paper_id IN ({doomed})",
                             (source_id,))
            conn.execute("DELETE FROM papers WHERE first_source_id = ?", (source_id,))
            conn.execute("DELETE FROM import_undo WHERE source_id = ?", (source_id,))
            conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))

    def _recover_unfinished_imports(self) -> None:
        """Undo imports whose process died (kill -9, a power cut) between two batch
        commits. One still running, in another process or another thread, holds its
        lock and is left alone: undoing it would pull papers out from under it."""
        unfinished = [row[0] for row in self.conn.execute(
            "SELECT id FROM sources WHERE status = 'importing'")]
        _ImportLock.sweep(self.path, keep=set(unfinished))
        for source_id in unfinished:
            lock = _ImportLock(self.path, source_id)
            try:
                dead = lock.try_acquire()
            except OSError:
                continue  # no lock file can be made here: cannot tell, leave it
            if not dead:
                continue
            try:
                self._undo_import(source_id)
            except LibraryCorrupt:
                raise
            except LibraryError:
                # A full disk (the undo needs room in the WAL) or a writer holding the
                # lock for long: the library still opens, for reading at least, and
                # the next open tries again.
                return
            finally:
                lock.release()

    @_guarded
    def sources(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Imports, newest first, with their counts."""
        sql = ("SELECT id, path, name, listing_date, imported_at, papers_found, papers_new, "
               "papers_updated FROM sources WHERE status = 'complete' ORDER BY id DESC")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        names = ("id", "path", "name", "listing_date", "imported_at", "found", "new",
                 "updated")
        return [dict(zip(names, row, strict=True)) for row in self.conn.execute(sql)]

    # -------------------------------------------------------------------- reads
    def _tags_of(self, chunk: Sequence[int], marks: str) -> dict[int, list[str]]:
        """Tag names of the papers in `chunk` (`marks` holds its placeholders), by name."""
        tags: dict[int, list[str]] = {}
        for paper_id, name in self.conn.execute(
                f"SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t "
                f"ON t.id = pt.tag_id WHERE pt.paper_id IN ({marks}) "
                f"ORDER BY t.name COLLATE NOCASE", chunk):
            tags.setdefault(paper_id, []).append(name)
        return tags

    @_guarded
    def get(self, paper_id: int) -> Paper | None:
        papers = self.get_many([paper_id])
        return papers[0] if papers else None

    @_guarded
    def get_many(self, ids: Sequence[int]) -> list[Paper]:
        """Full papers (abstracts, tags, annotations, sources) in the order of `ids`."""
        if not ids:
            return []
        conn = self.conn
        found: dict[int, Paper] = {}
        for start in range(0, len(ids), 500):
            chunk = [int(i) for i in ids[start:start + 500]]
            marks = ",".join("?" * len(chunk))
            tags = self._tags_of(chunk, marks)
            annotations: dict[int, list[Annotation]] = {}
            for row in conn.execute(
                    f"SELECT {_ANNOTATION_COLUMNS} FROM annotations "
                    f"WHERE paper_id IN ({marks}) ORDER BY start, id", chunk):
                annotations.setdefault(row[1], []).append(_annotation(row))
            sources: dict[int, list[SourceRef]] = {}
            for paper_id, *fields in conn.execute(
                    f"SELECT ps.paper_id, s.path, s.name, s.listing_date, ps.position, "
                    f"s.imported_at FROM paper_sources ps JOIN sources s "
                    f"ON s.id = ps.source_id WHERE ps.paper_id IN ({marks}) "
                    f"ORDER BY s.listing_date, s.id", chunk):
                sources.setdefault(paper_id, []).append(SourceRef(*fields))
            for row in conn.execute(
                    f"SELECT id, title, abstract, authors_count, organization, published, "
                    f"published_raw, year_inferred, upvotes, added_at, read_at, starred, "
                    f"note FROM papers WHERE id IN ({marks})", chunk):
                paper_id = row[0]
                found[paper_id] = Paper(
                    id=paper_id, title=row[1], abstract=row[2], authors_count=row[3],
                    organization=row[4], published=row[5], published_raw=row[6],
                    year_inferred=bool(row[7]), upvotes=row[8], added_at=row[9],
                    read_at=row[10], starred=bool(row[11]), note=row[12],
                    tags=tuple(tags.get(paper_id, ())),
                    annotations=tuple(annotations.get(paper_id, ())),
                    sources=tuple(sources.get(paper_id, ())),
                )
        return [found[i] for i in ids if i in found]

    @_guarded
    def rows(self, ids: Sequence[int]) -> dict[int, PaperRow]:
        """List rows for `ids` without their abstracts: what the paper table shows."""
        conn = self.conn
        result: dict[int, PaperRow] = {}
        for start in range(0, len(ids), 500):
            chunk = [int(i) for i in ids[start:start + 500]]
            marks = ",".join("?" * len(chunk))
            tags = self._tags_of(chunk, marks)
            for row in conn.execute(
                    f"SELECT id, title, read_at IS NOT NULL, starred, published, upvotes, "
                    f"organization, authors_count, annotation_text != '' OR EXISTS "
                    f"(SELECT 1 FROM annotations a WHERE a.paper_id = papers.id), "
                    f"note != '' FROM papers WHERE id IN ({marks})", chunk):
                result[row[0]] = PaperRow(
                    id=row[0], title=row[1], read=bool(row[2]), starred=bool(row[3]),
                    tags=tuple(tags.get(row[0], ())), published=row[4], upvotes=row[5],
                    byline=byline(row[6], row[7]), annotated=bool(row[8]), has_note=bool(row[9]),
                )
        return result

    @_guarded
    def search(self, query: str = "", *, limit: int | None = 50, offset: int = 0,
               sort: str | None = None) -> SearchResult:
        """Papers matching `query` (the query language in the README), best first.

        `limit=None` returns every matching id (what the paper list holds).
        """
        return self._search.search(query, limit=limit, offset=offset, sort=sort)

    @_guarded
    def count(self, query: str = "") -> int:
        return self._search.count(query)

    @_guarded
    def fuzzy_titles(self, text: str, limit: int = 20) -> list[tuple[int, str, float]]:
        """(id, title, score) of the titles nearest to `text`, for go-to-paper."""
        return self._search.fuzzy_titles(text, limit)

    @_guarded
    def similar(self, paper_id: int, limit: int = 10) -> list[int]:
        """Ids of the papers most like `paper_id` (its distinctive words), best first."""
        from storage.similar import similar_papers

        [paper_id] = self._existing_ids([paper_id])
        return [i for i, _ in similar_papers(self.conn, paper_id, limit)]

    @_guarded
    def explain(self, query: str) -> str:
        return self._search.explain(query)

    @_guarded
    def stats(self) -> dict[str, int]:
        """Counts for the sidebar and status bar. Each is answered from an index, never
        by reading rows: at 1M papers a scan of the table costs seconds."""
        one = self.conn.execute
        total = one("SELECT count(*) FROM papers").fetchone()[0]
        read = one("SELECT count(*) FROM papers WHERE read_at IS NOT NULL").fetchone()[0]
        starred = one("SELECT count(*) FROM papers WHERE starred").fetchone()[0]
        with_note = one("SELECT count(*) FROM papers WHERE note != ''").fetchone()[0]
        annotated = one("SELECT count(DISTINCT paper_id) FROM annotations").fetchone()[0]
        return {"total": total, "unread": total - read, "read": read, "starred": starred,
                "with_note": with_note, "annotated": annotated}

    @_guarded
    def import_in_progress(self) -> bool:
        """Whether an import (in any process) has committed some batches but not its
        last: views wait for it, so a file shows up whole or not at all."""
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM sources WHERE status = 'importing')").fetchone()[0] == 1

    @_guarded
    def has_unread(self) -> bool:
        """Whether the Inbox holds anything: cheaper than counting it."""
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM papers WHERE read_at IS NULL)").fetchone()[0] == 1

    @_guarded
    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of papers carrying it, by name."""
        return [tuple(row) for row in self.conn.execute(
            "SELECT t.name, count(pt.paper_id) FROM tags t LEFT JOIN paper_tags pt "
            "ON pt.tag_id = t.id GROUP BY t.id ORDER BY t.name COLLATE NOCASE")]

    # ------------------------------------------------------------ user actions
    def _new_batch(self) -> int:
        # A new action makes everything undone so far unreachable by redo.
        self.conn.execute("UPDATE events SET undone = 2 WHERE undone = 1")
        return self.conn.execute(
            "SELECT coalesce(max(batch), 0) + 1 FROM events").fetchone()[0]

    def _log(self, batch: int, paper_id: int | None, action: str, before: Any,
             after: Any) -> None:
        self.conn.execute(
            "INSERT INTO events (batch, paper_id, action, before, after, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (batch, paper_id, action, json.dumps(before), json.dumps(after), _now()),
        )

    def _existing_ids(self, ids: Iterable[int]) -> list[int]:
        wanted = list(dict.fromkeys(int(i) for i in ids))
        present: set[int] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            present.update(r[0] for r in self.conn.execute(
                f"SELECT id FROM papers WHERE id IN ({marks})", chunk))
        missing = [i for i in wanted if i not in present]
        if missing:
            raise LibraryError(f"no paper with id {missing[0]}")
        return wanted

    @_guarded
    def set_read(self, ids: Iterable[int], read: bool = True) -> int:
        """Mark papers read (or unread); returns how many changed."""
        return self._set_flag(ids, "read_at", _now() if read else None, "read")

    @_guarded
    def set_starred(self, ids: Iterable[int], starred: bool = True) -> int:
        return self._set_flag(ids, "starred", int(starred), "star")

    def _set_flag(self, ids: Iterable[int], column: str, value: Any, action: str) -> int:
        wanted = self._existing_ids(ids)
        changed = 0
        with self._write() as conn:
            batch = self._new_batch()
            for paper_id in wanted:
                before = conn.execute(f"SELECT {column} FROM papers WHERE id = ?",
                                      (paper_id,)).fetchone()[0]
                unchanged = (before is None) == (value is None) if column == "read_at" \
                    else before == value
                if unchanged:
                    continue
                conn.execute(f"UPDATE papers SET {column} = ? WHERE id = ?",
                             (value, paper_id))
                self._log(batch, paper_id, action, before, value)
                changed += 1
        return changed

    def _tag_id(self, name: str, *, create: bool) -> int | None:
        row = self.conn.execute("SELECT id FROM tags WHERE name = ? COLLATE NOCASE",
                                (name,)).fetchone()
        if row:
            return row[0]
        if not create:
            return None
        return self.conn.execute("INSERT INTO tags (name, created_at) VALUES (?, ?)",
                                 (name, _now())).lastrowid

    @staticmethod
    def _clean_tags(tags: Iterable[str]) -> list[str]:
        cleaned = []
        for tag in tags:
            name = " ".join(_safe_text(str(tag)).split())
            if not name:
                raise LibraryError("a tag cannot be empty")
            if len(name) > 64:
                raise LibraryError(f"tag too long (64 characters at most): {name[:20]}…")
            cleaned.append(name)
        return list(dict.fromkeys(cleaned))

    @_guarded
    def add_tags(self, ids: Iterable[int], tags: Iterable[str]) -> int:
        """Tag papers, creating new tags; returns how many (paper, tag) pairs were added."""
        wanted = self._existing_ids(ids)
        names = self._clean_tags(tags)
        added = 0
        with self._write() as conn:
            batch = self._new_batch()
            for name in names:
                tag_id = self._tag_id(name, create=True)
                tag_name = conn.execute("SELECT name FROM tags WHERE id = ?",
                                        (tag_id,)).fetchone()[0]
                for paper_id in wanted:
                    if conn.execute(
                            "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id, added_at) "
                            "VALUES (?, ?, ?)", (paper_id, tag_id, _now())).rowcount:
                        self._log(batch, paper_id, "tag_add", None, tag_name)
                        added += 1
        return added

    @_guarded
    def remove_tags(self, ids: Iterable[int], tags: Iterable[str]) -> int:
        wanted = self._existing_ids(ids)
        removed = 0
        with self._write() as conn:
            batch = self._new_batch()
            for name in self._clean_tags(tags):
                tag_id = self._tag_id(name, create=False)
                if tag_id is None:
                    continue
                tag_name = conn.execute("SELECT name FROM tags WHERE id = ?",
                                        (tag_id,)).fetchone()[0]
                for paper_id in wanted:
                    if conn.execute("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                                    (paper_id, tag_id)).rowcount:
                        self._log(batch, paper_id, "tag_remove", tag_name, None)
                        removed += 1
        return removed

    @_guarded
    def set_note(self, paper_id: int, text: str) -> bool:
        """Replace a paper's note; returns False when it was already that text.

        Keystroke-level saves of one note within a couple of minutes make one
        undo step, not hundreds.
        """
        [paper_id] = self._existing_ids([paper_id])
        text = _safe_text(text)
        with self._write() as conn:
            before = conn.execute("SELECT note FROM papers WHERE id = ?",
                                  (paper_id,)).fetchone()[0]
            if before == text:
                return False
            conn.execute("UPDATE papers SET note = ?, note_updated_at = ? WHERE id = ?",
                         (text, _now(), paper_id))
            last = conn.execute(
                "SELECT id, paper_id, action, at, undone FROM events "
                "ORDER BY id DESC LIMIT 1").fetchone()
            recent = last is not None and last[1] == paper_id and last[2] == "note" and \
                last[4] == 0 and (datetime.now(timezone.utc) - datetime.fromisoformat(
                    last[3])).total_seconds() < NOTE_COALESCE_SECONDS
            if recent:
                conn.execute("UPDATE events SET after = ?, at = ? WHERE id = ?",
                             (json.dumps(text), _now(), last[0]))
            else:
                self._log(self._new_batch(), paper_id, "note", before, text)
        return True

    # -------------------------------------------------------------- annotations
    @_guarded
    def annotate(self, paper_id: int, start: int, end: int, comment: str | None = None,
                 colour: str | None = None) -> Annotation:
        """Highlight abstract[start:end] (end exclusive) with an optional comment."""
        abstract = self._abstract(paper_id)
        if not (0 <= start < end <= len(abstract)):
            raise LibraryError(
                f"annotation range {start}-{end} is outside the abstract "
                f"(0-{len(abstract)})")
        colour = self._check_colour(colour or COLOURS[0])
        comment = _safe_text(comment) if comment else comment
        quote = abstract[start:end]
        now = _now()
        with self._write() as conn:
            annotation_id = conn.execute(
                "INSERT INTO annotations (paper_id, start, \"end\", quote, comment, colour, "
                "orphaned, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
                (paper_id, start, end, quote, comment or "", colour, now, now),
            ).lastrowid
            row = conn.execute(f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id = ?",
                               (annotation_id,)).fetchone()
            self._log(self._new_batch(), paper_id, "annotation_add", None,
                      _annotation_state(row))
        return _annotation(row)

    @_guarded
    def annotate_quote(self, paper_id: int, quote: str, comment: str | None = None,
                       colour: str | None = None, occurrence: int = 1) -> Annotation:
        """Highlight the `occurrence`-th place where `quote` stands in the abstract."""
        abstract = self._abstract(paper_id)
        if not quote.strip():
            raise LibraryError("the quote is empty")
        start = -1
        for _ in range(max(1, occurrence)):
            start = abstract.find(quote, start + 1)
            if start < 0:
                raise LibraryError(
                    f"paper {paper_id}: the quote is not in the abstract: \"{quote[:60]}\"")
        return self.annotate(paper_id, start, start + len(quote), comment, colour)

    def _abstract(self, paper_id: int) -> str:
        row = self.conn.execute("SELECT abstract FROM papers WHERE id = ?",
                                (int(paper_id),)).fetchone()
        if row is None:
            raise LibraryError(f"no paper with id {paper_id}")
        return row[0]

    @staticmethod
    def _check_colour(colour: str) -> str:
        name = colour.strip().lower()
        if name == "grey":
            name = "yellow"
        if name not in COLOURS:
            raise LibraryError(f"unknown colour {colour!r} (choose from {', '.join(COLOURS)})")
        return name

    @_guarded
    def annotation(self, annotation_id: int) -> Annotation | None:
        row = self.conn.execute(f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id = ?",
                                (annotation_id,)).fetchone()
        return _annotation(row) if row else None

    @_guarded
    def annotations(self, paper_id: int | None = None) -> list[Annotation]:
        if paper_id is None:
            rows = self.conn.execute(
                f"SELECT {_ANNOTATION_COLUMNS} FROM annotations ORDER BY paper_id, start, id")
        else:
            rows = self.conn.execute(
                f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE paper_id = ? "
                f"ORDER BY start, id", (paper_id,))
        return [_annotation(row) for row in rows]

    @_guarded
    def update_annotation(self, annotation_id: int, *, comment: str | None = None,
                          colour: str | None = None) -> Annotation:
        new_colour = None if colour is None else self._check_colour(colour)
        with self._write() as conn:
            before = self._annotation_row(annotation_id)
            new_comment = before[5] if comment is None else _safe_text(comment)
            conn.execute("UPDATE annotations SET comment = ?, colour = ?, updated_at = ? "
                         "WHERE id = ?", (new_comment, new_colour or before[6], _now(),
                                          annotation_id))
            row = self._annotation_row(annotation_id)
            self._log(self._new_batch(), row[1], "annotation_edit",
                      _annotation_state(before), _annotation_state(row))
        return _annotation(row)

    @_guarded
    def delete_annotation(self, annotation_id: int) -> None:
        with self._write() as conn:
            row = self._annotation_row(annotation_id)
            conn.execute("DELETE FROM annotations WHERE id = ?", (annotation_id,))
            self._log(self._new_batch(), row[1], "annotation_delete",
                      _annotation_state(row), None)

    def _annotation_row(self, annotation_id: int) -> tuple[Any, ...]:
        """The annotation's row, read inside the write that changes it."""
        row = self.conn.execute(f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id = ?",
                                (annotation_id,)).fetchone()
        if row is None:
            raise LibraryError(f"no annotation with id {annotation_id}")
        return row

    def _reanchor_annotations(self, paper_id: int, abstract: str) -> None:
        """Find each annotation's quote in a changed abstract: exactly, then fuzzily."""
        conn = self.conn
        for annotation_id, start, quote in conn.execute(
                "SELECT id, start, quote FROM annotations WHERE paper_id = ?",
                (paper_id,)).fetchall():
            place = _find_quote(abstract, quote, start)
            if place is None:
                conn.execute("UPDATE annotations SET orphaned = 1 WHERE id = ?",
                             (annotation_id,))
            else:
                conn.execute("UPDATE annotations SET start = ?, \"end\" = ?, orphaned = 0 "
                             "WHERE id = ?", (*place, annotation_id))

    # ---------------------------------------------------------------- undo/redo
    @_guarded
    def undo(self) -> Change | None:
        """Take back the latest user action still in effect; None if there is none."""
        row = self.conn.execute(
            "SELECT max(batch) FROM events WHERE undone = 0").fetchone()
        if row[0] is None:
            return None
        return self._replay(row[0], undo=True)

    @_guarded
    def redo(self) -> Change | None:
        row = self.conn.execute(
            "SELECT min(batch) FROM events WHERE undone = 1").fetchone()
        if row[0] is None:
            return None
        return self._replay(row[0], undo=False)

    @_guarded
    def can_undo(self) -> bool:
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM events WHERE undone = 0)").fetchone()[0] == 1

    @_guarded
    def can_redo(self) -> bool:
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM events WHERE undone = 1)").fetchone()[0] == 1

    def _replay(self, batch: int, *, undo: bool) -> Change:
        with self._write() as conn:
            events = conn.execute(
                "SELECT paper_id, action, before, after FROM events WHERE batch = ? "
                f"ORDER BY id {'DESC' if undo else 'ASC'}", (batch,)).fetchall()
            paper_ids: list[int] = []
            for paper_id, action, before_json, after_json in events:
                before, after = json.loads(before_json), json.loads(after_json)
                if undo:
                    self._apply(paper_id, action, before, after)
                else:
                    self._apply(paper_id, action, after, before)
                paper_ids.append(paper_id)
            conn.execute("UPDATE events SET undone = ? WHERE batch = ?",
                         (1 if undo else 0, batch))
        action = events[0][1] if events else "change"
        count = len(set(paper_ids))
        label = _ACTION_LABELS.get(action, action)
        what = f"{label} on {count} paper{'s' if count != 1 else ''}"
        return Change(f"{'Undid' if undo else 'Redid'} {what}",
                      tuple(dict.fromkeys(paper_ids)))

    def _apply(self, paper_id: int, action: str, target: Any, other: Any) -> None:
        """Put one logged change into the state `target` (its before on undo, its after
        on redo); `other` is the state on the far side of the change."""
        conn = self.conn
        if action == "read":
            conn.execute("UPDATE papers SET read_at = ? WHERE id = ?", (target, paper_id))
        elif action == "star":
            conn.execute("UPDATE papers SET starred = ? WHERE id = ?", (target, paper_id))
        elif action == "note":
            conn.execute("UPDATE papers SET note = ?, note_updated_at = ? WHERE id = ?",
                         (target, _now(), paper_id))
        elif action in ("tag_add", "tag_remove"):
            # A tag event holds the tag's name on its tagged side and None on the other.
            name = target if target is not None else other
            tag_id = self._tag_id(name, create=target is not None)
            if target is not None:
                conn.execute("INSERT OR IGNORE INTO paper_tags (paper_id, tag_id, added_at) "
                             "VALUES (?, ?, ?)", (paper_id, tag_id, _now()))
            elif tag_id is not None:
                conn.execute("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                             (paper_id, tag_id))
        elif action.startswith("annotation_"):
            if target is None:
                conn.execute("DELETE FROM annotations WHERE id = ?", (other["id"],))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO annotations (id, paper_id, start, \"end\", quote, "
                    "comment, colour, orphaned, created_at, updated_at) "
                    "VALUES (:id, :paper_id, :start, :end, :quote, :comment, :colour, "
                    ":orphaned, :created_at, :updated_at)", target)

    # ----------------------------------------------------------- saved searches
    @_guarded
    def save_search(self, name: str, query: str) -> None:
        name, query = " ".join(_safe_text(name).split()), _safe_text(query)
        if not name:
            raise LibraryError("a saved search needs a name")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO saved_searches (name, query, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET query = excluded.query",
                (name, query, _now()))

    @_guarded
    def saved_searches(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.conn.execute(
            "SELECT name, query FROM saved_searches ORDER BY name COLLATE NOCASE")]

    @_guarded
    def delete_saved_search(self, name: str) -> None:
        with self._write() as conn:
            if not conn.execute("DELETE FROM saved_searches WHERE name = ?", (name,)).rowcount:
                raise LibraryError(f"no saved search named {name!r}")

    # ------------------------------------------------------------------- export
    @_guarded
    def export(self, query: str = "", format: str = "json",
               out: str | os.PathLike[str] | None = None) -> str:
        """Papers matching `query` as json, csv, bibtex or markdown; written to `out`
        if given, else returned."""
        from storage.export import FORMATS

        if format not in FORMATS:
            raise LibraryError(f"unknown export format {format!r} "
                               f"(choose from {', '.join(FORMATS)})")
        ids = self.search(query, limit=None).ids
        papers = (paper for start in range(0, len(ids), 500)
                  for paper in self.get_many(ids[start:start + 500]))
        text = FORMATS[format](papers)
        if out is not None:
            try:
                Path(out).write_text(text, encoding="utf-8")
            except OSError as error:
                raise LibraryError(f"{_safe_text(str(out))}: cannot write "
                                   f"({error.strerror or error})") from None
        return text

    @_guarded
    def triage_stats(self, days: int = 14) -> list[tuple[str, int]]:
        """Papers marked read per day (UTC dates) over the last `days` days, undone
        marks left out: how fast the inbox is being worked through."""
        since = time.time() - days * 86400
        cutoff = datetime.fromtimestamp(since, timezone.utc).isoformat(timespec="seconds")
        return [tuple(r) for r in self.conn.execute(
            "SELECT substr(at, 1, 10), count(DISTINCT paper_id) FROM events "
            "WHERE action = 'read' AND undone = 0 AND after != 'null' AND at >= ? "
            "GROUP BY 1 ORDER BY 1", (cutoff,))]


def restore_backup(library: str | os.PathLike[str], backup: str | os.PathLike[str]
                   ) -> tuple[int, Path | None]:
    """Replace the library file by a backup; returns (papers in it, where the previous
    file was kept). The previous file is renamed aside, never deleted.

    The backup is checked in full first (a damaged or too-new one is refused with
    the library untouched), then copied beside the library under a temporary name
    and swapped in by rename, so a failure at any step leaves the library as it
    was. Refused while another connection has the library open: the app would go
    on writing to the file moved aside. Close every Library on it first.
    """
    path = Path(library).expanduser()
    source = Path(backup).expanduser()
    shown = _safe_text(str(source))
    if not source.is_file():
        raise LibraryError(f"{shown}: no such backup file")
    if path.exists() and not path.is_file():
        raise LibraryError(f"{path}: is not a library file; nothing was restored")
    if path.exists() and os.path.samefile(path, source):
        raise LibraryError(f"{shown}: that is the library itself, not a backup of it")
    try:
        conn = _open_read_only(source)
    except sqlite3.Error as error:
        raise LibraryError(f"{shown}: cannot open the backup ({error})") from None
    staging = path.with_name(f"{path.name}.restoring")
    try:
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchall()
            version = user_version(conn)
            papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0] \
                if verdict == [("ok",)] else 0
        except sqlite3.Error as error:
            what = "the backup itself is damaged" if _error_kind(error) == "corrupt" \
                else "not a usable Winnow library"
            raise LibraryError(f"{shown}: {what} ({error}); nothing was restored") from None
        if verdict != [("ok",)]:
            raise LibraryError(f"{shown}: the backup itself is damaged ({verdict[0][0]}); "
                               f"nothing was restored")
        if version > current_version():
            raise LibraryError(f"{shown}: written by a newer Winnow (schema {version}); "
                               f"upgrade Winnow to restore it")
        if version < 1:
            raise LibraryError(f"{shown}: not a Winnow library; nothing was restored")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            staging.unlink(missing_ok=True)
            out = sqlite3.connect(staging)
            try:
                conn.backup(out)
                out.execute("PRAGMA journal_mode = DELETE")
            finally:
                out.close()
        except (OSError, sqlite3.Error) as error:
            staging.unlink(missing_ok=True)
            raise LibraryError(f"{path}: cannot write the restored copy ({error}); "
                               f"nothing was restored") from None
    finally:
        conn.close()
    kept = None
    try:
        if path.exists():
            _close_wal(path)
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            kept = path.with_name(f"{path.name}.before-restore-{stamp}")
            path.rename(kept)
            for suffix in ("-wal", "-shm"):
                side = Path(f"{path}{suffix}")
                if side.exists():
                    side.rename(Path(f"{kept}{suffix}"))
        os.replace(staging, path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    with _BROKEN_LOCK:
        _BROKEN.pop(_file_key(path), None)
    return papers, kept


def _close_wal(path: Path) -> None:
    """Fold the library's WAL into the file and leave it alone on disk, or refuse
    if another connection has it open: leaving WAL mode needs the only connection."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=1)
    except sqlite3.Error:
        return  # cannot even open it (damaged): its -wal and -shm move aside with it
    try:
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode == "wal":
                mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except sqlite3.Error as error:
            if _error_kind(error) != "busy":
                return  # damaged: nothing to fold, move it aside as it is
            mode = "wal"
        if mode == "wal":
            raise LibraryError(f"{path}: the library is open in another program (the app or "
                               f"a winnow command); close it, then restore")
    finally:
        conn.close()


_ANNOTATION_COLUMNS = ('id, paper_id, start, "end", quote, comment, colour, orphaned, '
                       'created_at, updated_at')
_ACTION_LABELS = {"read": "read mark", "star": "star", "tag_add": "tag", "tag_remove": "untag",
                  "note": "note", "annotation_add": "highlight",
                  "annotation_edit": "annotation edit", "annotation_delete": "annotation delete"}


def _annotation(row: Sequence[Any]) -> Annotation:
    return Annotation(id=row[0], paper_id=row[1], start=row[2], end=row[3], quote=row[4],
                      comment=row[5], colour=row[6], orphaned=bool(row[7]),
                      created_at=row[8], updated_at=row[9])


def _annotation_state(row: Sequence[Any]) -> dict[str, Any]:
    names = ("id", "paper_id", "start", "end", "quote", "comment", "colour", "orphaned",
             "created_at", "updated_at")
    return dict(zip(names, row, strict=True))


def _find_quote(text: str, quote: str, near: int) -> tuple[int, int] | None:
    """Where `quote` now stands in `text`: the exact place nearest the old one, else the
    best fuzzy match of the same length (at least 85% alike)."""
    if not quote:
        return None
    places = []
    index = text.find(quote)
    while index >= 0:
        places.append(index)
        index = text.find(quote, index + 1)
    if places:
        best = min(places, key=lambda p: abs(p - near))
        return best, best + len(quote)
    alignment = fuzz.partial_ratio_alignment(quote, text, score_cutoff=85)
    if alignment is None:
        return None
    start, end = alignment.dest_start, alignment.dest_end
    if Indel.normalized_similarity(quote, text[start:end]) < 0.85:
        return None
    return start, end

