"""Backups: consistent copies while others write, the daily rotation, and restore."""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from contextlib import suppress
from datetime import datetime
from glob import escape as glob_escape
from pathlib import Path

from storage.integrity import full_check, header_problem, identify
from storage.library.core import QUICK_CHECK_BELOW_BYTES, VERIFIED, Core, guarded, safe_text
from storage.library.errors import (
    BROKEN,
    BROKEN_LOCK,
    LibraryCorrupt,
    LibraryError,
    corrupt_message,
    error_kind,
    file_key,
)
from storage.library.importlock import ImportLock
from storage.schema import current_version, user_version


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



# Over this size a library's automatic backup is weekly and announced: a 3 GB copy
# takes ~12 s and 3 GB more disk every time (PITFALLS). WINNOW_BACKUP_LARGE_BYTES
# overrides it (the tests use a small value).
LARGE_BACKUP_BYTES = 1024 ** 3


def _large_backup_bytes() -> int:
    value = os.environ.get("WINNOW_BACKUP_LARGE_BYTES", "")
    return int(value) if value.isdigit() else LARGE_BACKUP_BYTES


class _DailyBackupLock(ImportLock):
    """Held by the one process making the automatic backup: the same kind of OS lock
    as an import's (the kernel drops it if its holder dies; the file is unlinked
    when released), kept in the backups folder."""

    def __init__(self, folder: Path, stem: str) -> None:
        self.path = folder / f".{stem}-daily-backup.lock"
        self._fd: int | None = None


class Backups:
    """The backups of one library: in `backups/` beside it unless told otherwise."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.path = core.path

    def before_migration(self, version: int) -> None:
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
        if self._core.conn.in_transaction:
            # Connection.backup() never returns while its own connection holds an
            # open write transaction (PITFALLS).
            raise LibraryError("cannot back up in the middle of a write")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LibraryError(f"{target.parent}: cannot create the folder "
                               f"({error.strerror or error})") from None
        # Unique: two backups started in the same second must not share a copy.
        partial = target.with_name(f"{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial")
        # A journal left by a killed copy would be played back into the new one.
        for stale in (partial, Path(f"{partial}-journal")):
            stale.unlink(missing_ok=True)
        try:
            out = sqlite3.connect(partial)
        except sqlite3.Error as error:
            raise LibraryError(f"{target}: cannot write a backup there ({error})") from None
        try:
            self._core.conn.backup(out)
            # The copy carries the WAL flag of its source; a backup is one
            # self-contained file, with no -wal or -shm beside it when opened.
            out.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.Error as error:
            out.close()
            partial.unlink(missing_ok=True)
            if error_kind(error) == "corrupt":
                self._core.raise_for(error)
            Path(f"{partial}-journal").unlink(missing_ok=True)
            raise LibraryError(f"{target}: backup failed ({error}); the library is "
                               f"unchanged") from None
        out.close()
        os.replace(partial, target)
        return target

    def backup_dir(self) -> Path:
        return self.path.parent / "backups"

    @guarded
    def daily_backup(self, keep: int = 7) -> Path | None:
        """Make today's automatic backup unless a recent one exists, and keep only
        the newest `keep` automatic ones. Returns the new file, if any.

        Writers that finish at once do not all copy: the first takes a lock in the
        backups folder and makes it, the others see the lock taken and leave it to
        that one (before, four at once collided on one file name and all failed).
        A copy that fails for a passing reason is tried again; the next write tries
        again too, as long as no backup of the day exists. A library over
        LARGE_BACKUP_BYTES is backed up once a week, and each such backup is
        announced (`Core.notices`): copying gigabytes every day, unasked, is not
        done silently.

        A library under QUICK_CHECK_BELOW_BYTES has its new copy checked before any
        old one is rotated out: copying a damaged file must not push the last good
        backups away.
        """
        folder = self.backup_dir()
        size = self.path.stat().st_size
        large = size > _large_backup_bytes()
        interval = 7 * 86400 if large else 86400
        if self._recent_daily(folder, interval):
            self._tidy(folder, keep)
            return None
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LibraryError(f"{folder}: cannot create the folder "
                               f"({error.strerror or error})") from None
        lock = _DailyBackupLock(folder, self.path.stem)
        try:
            if not lock.try_acquire():
                return None  # another writer is making it right now
        except OSError as error:
            raise LibraryError(f"{lock.path}: cannot take the backup lock "
                               f"({error.strerror or error})") from None
        try:
            if self._recent_daily(folder, interval):
                return None  # made by the writer that held the lock before us
            started = time.monotonic()
            made = self._copy_checked(folder)
            if large:
                self._core.notices.append(
                    f"{self.path}: the library is {size / 1e6:,.0f} MB, so its automatic "
                    f"backup is made once a week, not daily (this one took "
                    f"{time.monotonic() - started:.0f} s: {made}); `winnow backup` makes "
                    f"one any time")
        finally:
            lock.release()
        self._tidy(folder, keep)
        return made

    def _copy_checked(self, folder: Path) -> Path:
        """Today's copy into `folder`, tried three times for a passing failure; a small
        library's copy is checked, and a damaged one is removed and reported."""
        for attempt in range(3):
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            try:
                made = self.backup(_unused(folder / f"{self.path.stem}-daily-{stamp}.db"))
                break
            except LibraryCorrupt:
                raise
            except LibraryError:
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))
        if made.stat().st_size < QUICK_CHECK_BELOW_BYTES:
            verdict = _quick_check_file(made)
            if verdict != "ok":
                made.unlink(missing_ok=True)
                message = corrupt_message(self.path, verdict)
                self._core.mark_broken(message)
                raise LibraryCorrupt(message)
        return made

    def _dailies(self, folder: Path) -> list[Path]:
        pattern = f"{glob_escape(self.path.stem)}-daily-*.db"
        return sorted(folder.glob(pattern), key=lambda p: (p.stat().st_mtime, p.name)) \
            if folder.exists() else []

    def _recent_daily(self, folder: Path, interval: float) -> bool:
        existing = self._dailies(folder)
        return bool(existing) and time.time() - existing[-1].stat().st_mtime <= interval

    def _tidy(self, folder: Path, keep: int) -> None:
        """Rotate out old automatic backups; remove copies left by a killed backup."""
        for old in self._dailies(folder)[:-keep]:
            old.unlink(missing_ok=True)
        # Left by a backup killed half-way (they never match the daily pattern).
        leftovers = folder.glob(f"{glob_escape(self.path.stem)}-*.partial*") \
            if folder.exists() else ()
        for partial in leftovers:
            with suppress(OSError):
                if time.time() - partial.stat().st_mtime > 3600:
                    partial.unlink(missing_ok=True)


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
    shown = safe_text(str(source))
    if not source.is_file():
        raise LibraryError(f"{shown}: no such backup file")
    if path.exists() and not path.is_file():
        raise LibraryError(f"{path}: is not a library file; nothing was restored")
    if path.exists() and os.path.samefile(path, source):
        raise LibraryError(f"{shown}: that is the library itself, not a backup of it")
    if path.exists():
        _refuse_foreign_target(path)
    staging = path.with_name(f"{path.name}.restoring")
    papers = _checked_copy(source, shown, staging)
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
    with BROKEN_LOCK:
        BROKEN.pop(file_key(path), None)
        VERIFIED.discard(file_key(path))
    return papers, kept


def _refuse_foreign_target(path: Path) -> None:
    """Restoring moves the file at `path` aside: refused if that file is positively
    someone else's (or a newer Winnow's). A damaged library, which is what restore
    is for, cannot be read well enough to say, and is moved aside as it is."""
    if path.stat().st_size == 0:
        raise LibraryError(f"{path}: an empty file (0 bytes), not a Winnow library; nothing "
                           f"was restored (move it away to restore a library there)")
    if header_problem(path) is not None:
        return
    try:
        # immutable: reading the schema of a WAL file this way leaves no -wal and
        # -shm beside it (the restore may yet be refused).
        uri = Path(os.path.abspath(path)).as_uri() + "?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        try:
            foreign = identify(conn, current_version())
            version = user_version(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return
    if foreign is not None:
        raise LibraryError(f"{path}: {foreign}; nothing was restored (move it away to "
                           f"restore a library there)")
    if version > current_version():
        raise LibraryError(f"{path}: written by a newer Winnow (schema {version}); nothing "
                           f"was restored: upgrade Winnow instead")


def _checked_copy(source: Path, shown: str, staging: Path) -> int:
    """Copy the backup to `staging` and give it the same full check as `winnow check`
    (integrity, foreign keys, the full-text index against its table); returns its
    paper count. Anything that fails is refused with nothing left behind."""
    def refuse(what: object) -> LibraryError:
        for leftover in (staging, Path(f"{staging}-journal")):
            leftover.unlink(missing_ok=True)
        return LibraryError(f"{shown}: {what}; nothing was restored")

    if source.stat().st_size == 0:
        raise refuse("an empty file (0 bytes), not a Winnow library")
    problem = header_problem(source)
    if problem is not None:
        raise refuse(f"the backup itself is damaged ({problem})")
    try:
        conn = _open_read_only(source)
    except sqlite3.Error as error:
        raise refuse(f"cannot open the backup ({error})") from None
    try:
        try:
            foreign = identify(conn, current_version())
            version = user_version(conn)
        except sqlite3.Error as error:
            what = "the backup itself is damaged" if error_kind(error) == "corrupt" \
                else "not a usable Winnow library"
            raise refuse(f"{what} ({error})") from None
        if foreign is not None:
            raise refuse(foreign)
        if version > current_version():
            raise refuse(f"written by a newer Winnow (schema {version}); upgrade Winnow to "
                         f"restore it")
        try:
            staging.parent.mkdir(parents=True, exist_ok=True)
            staging.unlink(missing_ok=True)
            out = sqlite3.connect(staging, isolation_level=None)
            try:
                conn.backup(out)
                out.execute("PRAGMA journal_mode = DELETE")
            finally:
                out.close()
        except sqlite3.Error as error:
            if error_kind(error) == "corrupt":
                raise refuse(f"the backup itself is damaged ({error})") from None
            raise refuse(f"cannot write the restored copy ({error})") from None
        except OSError as error:
            raise refuse(f"cannot write the restored copy ({error})") from None
    finally:
        conn.close()
    try:
        out = sqlite3.connect(staging, isolation_level=None)
        try:
            verdict = full_check(out)
            papers = out.execute("SELECT count(*) FROM papers").fetchone()[0]
        finally:
            out.close()
    except sqlite3.Error as error:
        raise refuse(f"the backup itself is damaged ({error})") from None
    if verdict != "ok":
        raise refuse(f"the backup itself is damaged ({verdict})")
    return papers


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
            if error_kind(error) != "busy":
                return  # damaged: nothing to fold, move it aside as it is
            mode = "wal"
        if mode == "wal":
            raise LibraryError(f"{path}: the library is open in another program (the app or "
                               f"a winnow command); close it, then restore")
    finally:
        conn.close()
