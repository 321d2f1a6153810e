"""The OS lock an importing process holds while its import is unfinished."""

from __future__ import annotations

import os
from contextlib import suppress
from glob import escape as glob_escape
from pathlib import Path

from storage.library.errors import file_key


class ImportLock:
    """An OS lock the importing process holds while its `sources` row says 'importing'.

    Another process (or another Library in this one) that finds such a row must
    tell a crashed import, to be undone, from one still running, to be left alone.
    The kernel drops the lock when its holder dies, even by SIGKILL. flock locks
    belong to the open file, not the process, so a second Library in the same
    process (the GUI's import thread and its background check) conflicts too.
    """

    def __init__(self, library: Path, source_id: int, *, kind: str = "import") -> None:
        # `kind` "removal": the same lock for a batched delete or take-back, by its
        # events batch (storage/library/removals.py).
        real = Path(file_key(library))
        self.path = real.with_name(f"{real.name}-{kind}-{source_id}.lock")
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
    def sweep(cls, library: Path, keep: set[int], *, kind: str = "import") -> None:
        """Remove free lock files of imports that never got their row committed
        (killed between creating the lock and the commit), or of jobs killed after
        their last commit."""
        real = Path(file_key(library))
        for stale in real.parent.glob(f"{glob_escape(real.name)}-{kind}-*.lock"):
            number = stale.name.rsplit("-", 1)[-1].removesuffix(".lock")
            if not number.isdigit() or int(number) in keep:
                continue
            lock = cls(library, int(number), kind=kind)
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
