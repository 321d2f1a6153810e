"""The connection to a library file and its failure policy.

`Core` opens the file (refusing directories, other programs' databases and
too-new schemas), runs every write in one short transaction (`write`), and turns
SQLite failures into the user's one-line errors (`raise_for`). The parts of the
Library (importing, backups, tags...) share one Core.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Concatenate, NoReturn, ParamSpec, Protocol, TypeVar

from storage.integrity import create_library, full_check, identify, locate, size_problem
from storage.library.errors import (
    BROKEN,
    BROKEN_LOCK,
    LibraryCorrupt,
    LibraryError,
    LibraryReadOnly,
    corrupt_message,
    error_kind,
    file_key,
    user_error,
)
from storage.models import Change
from storage.schema import SchemaTooNew, current_version, migrate, user_version

# Called with each Change after its transaction committed.
Listener = Callable[[Change], None]

_SQLITE_READONLY_DIRECTORY = 1544  # SQLITE_READONLY | (6 << 8)

# How far a library is checked, by size (bench/check_cost.py measured the costs,
# README "Crashes, damage and backups" states the policy). Every open: the header
# and the schema, O(1). Opened files under QUICK_CHECK_BELOW_BYTES (about 20k
# papers) get a quick_check (~75 ms warm at this size). Before the first write,
# files under FULL_CHECK_BELOW_BYTES (about 10k papers) get the full check that
# `winnow check` runs (integrity_check, foreign keys, the full-text index against
# its table: 5.3 s warm at 100k papers, so ~0.5 s at this size); files under
# QUICK_CHECK_BEFORE_WRITE_BYTES at least a quick_check. Bigger ones are checked by
# the app in the background after the first paint (desktop/maintenance.py) and by
# `winnow check`, and any damage met later stops all writing.
QUICK_CHECK_BELOW_BYTES = 64 * 1024 * 1024
FULL_CHECK_BELOW_BYTES = 32 * 1024 * 1024
QUICK_CHECK_BEFORE_WRITE_BYTES = 128 * 1024 * 1024
# Files that passed the full check in this process (the app's background check on a
# second Library counts for the first): the check before a write is not repeated.
VERIFIED: set[str] = set()


def default_library_path() -> Path:
    """`WINNOW_DB` if set, else `library.db` in the user data directory."""
    env = os.environ.get("WINNOW_DB")
    if env is not None:
        if not env.strip():
            # An unset shell variable, not a wish for the default library.
            raise LibraryError("WINNOW_DB is set but empty; name a library file in it "
                               "or unset it")
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("winnow", appauthor=False) / "library.db"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def safe_text(text: str) -> str:
    """`text` with lone surrogates (undecodable bytes of a file name, a broken
    clipboard) as U+FFFD: SQLite and UTF-8 output refuse them, and a note must not
    be lost over one character."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


class _HasCore(Protocol):
    _core: Core


_S = TypeVar("_S", bound=_HasCore)
_P = ParamSpec("_P")
_R = TypeVar("_R")


def guarded(method: Callable[Concatenate[_S, _P], _R]) -> Callable[Concatenate[_S, _P], _R]:
    """Turn SQLite failures in a public method into one-line LibraryErrors; damage
    found by any query, read or write, stops all writing (see `BROKEN`)."""

    @functools.wraps(method)
    def wrapper(self: _S, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            self._core.raise_for(error)

    return wrapper


class Core:
    """One library file's connection, its write transactions and failure policy."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True,
                 read_only: bool = False) -> None:
        if not str(path):
            raise LibraryError("the library path is empty; name a library file")
        self.path = Path(path).expanduser()
        self._broken: str | None = None
        self._verified = False
        self.check_policy: bool | None = None
        # One-line messages for the user about what opening did (an interrupted
        # import taken back, what of it was kept): the caller shows them.
        self.notices: list[str] = []
        found, problem = locate(self.path)
        if problem is not None:  # a symlink loop, a name too long, no permission
            raise LibraryError(f"{self.path}: {problem}")
        self._key = file_key(self.path)
        exists = found is not None
        if exists and self.path.is_dir():
            raise LibraryError(f"{self.path}: is a directory, not a library file")
        if exists and not self.path.is_file():
            raise LibraryError(f"{self.path}: not a regular file, so not a library")
        if not exists and (read_only or not create):
            raise LibraryError(f"{self.path}: no such library")
        if exists and self.path.stat().st_size == 0:
            # SQLite takes an empty file for an empty database and would create our
            # tables in it; a library is never made that way (create_library), so
            # this is someone else's file, or a `touch`.
            raise LibraryError(f"{self.path}: an empty file (0 bytes), not a Winnow library; "
                               f"nothing was written to it (`winnow init` makes a library "
                               f"there)")
        if not exists:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise LibraryError(f"{self.path.parent}: cannot create the folder "
                                   f"({error.strerror or error})") from None
            if not os.access(self.path.parent, os.W_OK):
                raise LibraryReadOnly(f"{self.path}: cannot create a library there: the "
                                      f"folder is read-only")
            try:
                create_library(self.path)  # False: another process made it first
            except (OSError, sqlite3.Error) as error:
                raise LibraryError(f"{self.path}: cannot create the library "
                                   f"({getattr(error, 'strerror', None) or error})") from None
            exists = True
        self.existed = exists

        # os.access sees a read-only mount (EROFS) and an immutable file (EPERM)
        # even as root, where permission bits would not stop a write.
        self.read_only = read_only or (exists and not (
            os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)))
        self.conn = self._connect()
        self._listeners: list[Listener] = []

    def open(self, *, check: bool | None, before_upgrade: Callable[[int], None],
             after_upgrade: Callable[[], None], backup_dir: Path) -> None:
        """Check, upgrade and recover the file just connected; closes it on failure."""
        stage = "open"
        self.check_policy = check
        try:
            self._configure()
            # The size first (O(1)): a file cut short passes every PRAGMA check
            # until its last page is read.
            problem = size_problem(self.conn, self.path)
            if problem is not None:
                raise LibraryCorrupt(corrupt_message(self.path, problem))
            # Then whose file it is, from the schema alone, before anything that
            # could write: even turning on WAL rewrites someone else's header.
            foreign = identify(self.conn, current_version())
            if foreign is not None:
                raise LibraryError(f"{self.path}: {foreign}; nothing was written to it")
            size = self.path.stat().st_size
            if check if check is not None else size < QUICK_CHECK_BELOW_BYTES:
                self.check(quick=True)
            found = user_version(self.conn)
            if found > current_version() or self.read_only:
                self._require_current_schema(found)
            if not self.read_only:
                # Switching a rollback-journal file (a restored backup) to WAL and an
                # upgrade are writes: the check before a first write comes first.
                mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
                if mode != "wal" or found < current_version():
                    self.verify_before_write()
                self._enable_wal()
                stage = "upgrade"
                migrate(self.conn, before_upgrade=before_upgrade)
                stage = "open"
                after_upgrade()
        except SchemaTooNew as error:
            self.conn.close()
            raise SchemaTooNew(f"{self.path}: {error}") from None
        except LibraryCorrupt as error:
            self.conn.close()
            self.mark_broken(str(error))
            raise
        except sqlite3.Error as error:
            self.conn.close()
            mapped = user_error(self.path, error)
            if mapped is None and stage == "upgrade":
                mapped = LibraryError(f"{self.path}: could not upgrade the library ({error}); "
                                      f"it was left as it was (backups: {backup_dir})")
            if mapped is None:
                # Nothing else should fail while opening a sound library file.
                mapped = LibraryCorrupt(corrupt_message(self.path, error))
            if isinstance(mapped, LibraryCorrupt):
                self.mark_broken(str(mapped))
            raise mapped from error
        except BaseException:
            self.conn.close()
            raise

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
                # SQLITE_READONLY_DIRECTORY: a folder we may not write, so no -shm.
                no_shm = error_kind(error) == "cantopen" or getattr(
                    error, "sqlite_errorcode", None) == _SQLITE_READONLY_DIRECTORY
                if not no_shm or (wal.exists() and wal.stat().st_size):
                    raise
            # A WAL-mode file on a read-only disk or in a read-only folder: SQLite
            # cannot make the -shm file readers share. Without a -wal file holding
            # commits the main file is the whole library, and whoever could change it
            # would leave a -wal file behind.
            return sqlite3.connect(uri + "&immutable=1", uri=True, **options)
        except sqlite3.Error as error:
            if self.read_only and error_kind(error) == "cantopen":
                raise LibraryReadOnly(
                    f"{self.path}: cannot read the library on this read-only disk ({error}); "
                    f"copy it, with its -wal file, to a writable folder") from error
            raise user_error(self.path, error) or LibraryError(
                f"{self.path}: cannot open ({error})") from error

    def _configure(self) -> None:
        """Connection settings only: nothing here writes to the file."""
        conn = self.conn
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        # Statement journals and sorts in memory, not temp files: every row an import
        # inserts runs triggers (the per-state counts, ids' high-water mark), and with
        # file-backed temp storage each row cost ~20 us more (`bench.stats_counts
        # --import`, bench/README: a 20k import 4.45 s with the count triggers, 3.58 s
        # without, 3.41 s with them and this). The price is RAM for big sorts.
        conn.execute("PRAGMA temp_store = MEMORY")

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

    # ------------------------------------------------------------ failure modes
    @property
    def broken(self) -> str | None:
        """Why writing stopped (the damage message), or None while the file is sound."""
        if self._broken is not None:
            return self._broken
        with BROKEN_LOCK:
            return BROKEN.get(self._key)

    def mark_broken(self, message: str) -> None:
        self._broken = message
        with BROKEN_LOCK:
            BROKEN.setdefault(self._key, message)

    def raise_for(self, error: sqlite3.Error) -> NoReturn:
        """Re-raise an SQLite failure as the user's one-line LibraryError (damage
        also stops all writing); an unexpected one is re-raised as it is."""
        mapped = user_error(self.path, error)
        if mapped is None:
            raise error
        if isinstance(mapped, LibraryCorrupt):
            self.mark_broken(str(mapped))
        raise mapped from error

    def refuse_writes(self) -> None:
        broken = self.broken
        if broken is not None:
            raise LibraryCorrupt(broken)
        if self.read_only:
            raise LibraryReadOnly(f"{self.path}: the library is open read-only; "
                                  f"nothing was changed")

    def rollback_quietly(self) -> None:
        # After SQLITE_FULL or an I/O error SQLite may already have rolled back;
        # a failing ROLLBACK must not hide the error that matters.
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction. BEGIN IMMEDIATE takes the write lock up
        front, waiting up to busy_timeout for another writer: a deferred BEGIN
        that upgrades later can fail at once with SQLITE_BUSY_SNAPSHOT instead."""
        self.refuse_writes()
        self.verify_before_write()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            self.raise_for(error)
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as error:
            self.rollback_quietly()
            self.raise_for(error)
        except BaseException:
            self.rollback_quietly()
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
        try:
            if quick:
                rows = self.conn.execute("PRAGMA quick_check").fetchall()
            else:
                # The FTS check is an INSERT command: a read-only connection cannot
                # run it (a read-only file cannot be written to, damaged or not).
                verdict = full_check(self.conn, fts=not self.read_only)
                rows = [(verdict,)]
        except sqlite3.Error as error:
            self.rollback_quietly()
            if error_kind(error) not in (None, "corrupt"):
                self.raise_for(error)  # busy, read-only, I/O: no verdict on the file
            message = corrupt_message(self.path, error)
            self.mark_broken(message)
            raise LibraryCorrupt(message) from error
        if rows != [("ok",)]:
            message = corrupt_message(self.path, rows[0][0])
            self.mark_broken(message)
            raise LibraryCorrupt(message)
        if not quick:
            self._verified = True
            with BROKEN_LOCK:
                VERIFIED.add(self._key)

    def verify_before_write(self) -> None:
        """The check owed before this Library's first write (see FULL_CHECK_BELOW_BYTES):
        damage SQLite can see stops the write before it starts, with the restore
        advice, instead of being written over and found by `winnow check` later."""
        if self._verified or self.check_policy is False or self.read_only:
            return
        with BROKEN_LOCK:
            if self._key in VERIFIED:
                self._verified = True
                return
        size = self.path.stat().st_size
        if self.check_policy or size < FULL_CHECK_BELOW_BYTES:
            self.check(quick=False)
        elif size < QUICK_CHECK_BEFORE_WRITE_BYTES:
            self.check(quick=True)
        self._verified = True

    def data_version(self) -> int:
        """Changes when another connection (another process) commits a write."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    # ---------------------------------------------------------------- listeners
    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every Change after it is committed; returns a function
        that stops it. Listeners run in the order they were added, on the thread that
        made the change."""
        self._listeners.append(listener)

        def stop() -> None:
            with suppress(ValueError):
                self._listeners.remove(listener)

        return stop

    def announce(self, change: Change) -> Change:
        """Tell every listener about `change` (if anything changed); returns it.

        Call only after the commit. A failing listener does not stop the others (the
        change is in the file whatever a view does with it); the first failure is
        raised once all have run."""
        if not change:
            return change
        failure: BaseException | None = None
        for listener in tuple(self._listeners):
            try:
                listener(change)
            except Exception as error:  # re-raised below, after the others ran
                failure = failure or error
        if failure is not None:
            raise failure
        return change

    def existing_ids(self, ids: Iterable[int]) -> list[int]:
        """`ids` without repeats, in order; LibraryError naming the first that is not
        a paper."""
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
