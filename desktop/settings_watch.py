"""Settings files watched while the app runs: keys.json and states.json take effect
when saved, not at the next start.

`SettingsWatcher` watches the files and their folder (an editor that saves by writing a
new file and renaming it over the old one replaces the file the watch was on; a file
made after the start shows as a change of the folder) and, once the writes have settled,
says `changed` if a file's contents may differ: its time, size or inode moved.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

SETTLE_MS = 200  # an editor's save is several writes (truncate, write, rename)

Stamp = tuple[int, int, int] | None


def stamp(path: Path) -> Stamp:
    """What changes when a file is saved: (mtime in ns, size, inode); None if absent."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


class SettingsWatcher(QObject):
    changed = Signal()

    def __init__(self, paths: Sequence[Path], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = [Path(p) for p in paths]
        self.seen = {path: stamp(path) for path in self.paths}
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._poke)
        self._watcher.directoryChanged.connect(self._poke)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SETTLE_MS)
        self._timer.timeout.connect(self.check)
        self._watch()

    def _watch(self) -> None:
        """Watch every file that exists and the folders they are in (or would be)."""
        files, folders = set(self._watcher.files()), set(self._watcher.directories())
        for path in self.paths:
            if path.exists() and str(path) not in files:
                self._watcher.addPath(str(path))
            folder = next((p for p in (path.parent, *path.parent.parents) if p.is_dir()), None)
            if folder is not None and str(folder) not in folders:
                self._watcher.addPath(str(folder))
                folders.add(str(folder))

    def stop(self) -> None:
        """No more checks (the window is closing: its library is about to close)."""
        self._timer.stop()
        self.paths = []  # a check already under way finds nothing to say
        paths = self._watcher.files() + self._watcher.directories()
        if paths:
            self._watcher.removePaths(paths)

    def _poke(self, _path: str) -> None:
        self._timer.start()

    def check(self) -> bool:
        """Whether a file changed since the last check (and `changed` was said)."""
        if not self.paths:
            return False
        self._watch()  # a file renamed over the old one, or made: watch the new one
        now = {path: stamp(path) for path in self.paths}
        if now == self.seen:
            return False
        self.seen = now
        self.changed.emit()
        return True
