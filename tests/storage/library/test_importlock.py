"""storage/library/importlock.py: the OS lock an importing process holds. Real processes:
while one holds the lock another is refused; when the holder dies, even by SIGKILL, the
lock is free again; a released or stale lock file is gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.library.importlock import ImportLock

ROOT = Path(__file__).resolve().parents[3]
# A second process that takes the lock, says so, and holds it until told to stop.
HOLDER = """
import sys
from pathlib import Path
from storage.library.importlock import ImportLock
lock = ImportLock(Path(sys.argv[1]), int(sys.argv[2]))
print("held" if lock.try_acquire() else "refused", flush=True)
sys.stdin.readline()
lock.release()
print("released", flush=True)
"""

pytestmark = pytest.mark.skipif(os.name == "nt", reason="flock: POSIX")


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    library = tmp_path / "library.db"
    library.touch()
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(library), "7"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               cwd=ROOT)
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    yield library, process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)
    process.stdin.close()  # type: ignore[union-attr]
    process.stdout.close()


def test_a_second_process_is_refused_while_the_import_holds_the_lock(
        holder: tuple[Path, subprocess.Popen[str]]) -> None:
    library, process = holder
    assert ImportLock(library, 7).try_acquire() is False
    assert ImportLock(library, 8).try_acquire() is True  # another import's lock is free
    process.stdin.write("\n")  # type: ignore[union-attr]
    process.stdin.flush()  # type: ignore[union-attr]
    assert process.stdout.readline() == "released\n"  # type: ignore[union-attr]
    lock = ImportLock(library, 7)
    assert lock.try_acquire() is True
    lock.release()


def test_the_lock_is_free_when_its_holder_is_killed(
        holder: tuple[Path, subprocess.Popen[str]]) -> None:
    library, process = holder
    assert ImportLock(library, 7).try_acquire() is False
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    lock = ImportLock(library, 7)
    assert lock.try_acquire() is True
    lock.release()


def test_a_second_holder_in_the_same_process_is_refused_too(tmp_path: Path) -> None:
    library = tmp_path / "library.db"
    library.touch()
    first, second = ImportLock(library, 3), ImportLock(library, 3)
    assert first.try_acquire() is True
    assert first.path.exists() and first.path.name == "library.db-import-3.lock"
    assert second.try_acquire() is False
    first.release()
    assert not first.path.exists()  # unlinked on release
    first.release()  # a second release does nothing
    assert second.try_acquire() is True
    second.release()


def test_the_lock_sits_beside_the_real_file_of_a_linked_library(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "library.db"
    real.touch()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    through_link, direct = ImportLock(link, 1), ImportLock(real, 1)
    assert through_link.path == direct.path
    assert through_link.try_acquire() is True
    assert direct.try_acquire() is False
    through_link.release()


def test_sweep_removes_free_stale_locks_and_keeps_held_and_wanted_ones(
        holder: tuple[Path, subprocess.Popen[str]]) -> None:
    library, _ = holder  # import 7 is held by another process
    folder = library.parent
    for name in ("library.db-import-5.lock", "library.db-import-6.lock",
                 "library.db-import-x.lock", "other.db-import-5.lock"):
        (folder / name).touch()
    ImportLock.sweep(library, keep={6})
    left = sorted(p.name for p in folder.glob("*.lock"))
    assert left == ["library.db-import-6.lock", "library.db-import-7.lock",
                    "library.db-import-x.lock", "other.db-import-5.lock"]
