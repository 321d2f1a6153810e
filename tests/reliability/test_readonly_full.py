"""A read-only library and a full disk: a clear one-line message, nothing
half-written, and the library usable afterwards.

Tests run as root here and in CI, where permission bits stop nothing. Real
mechanisms that do stop root: an immutable file (`chattr +i`, ext4), a read-only
bind mount and a size-limited tmpfs, both in a private mount namespace
(`unshare -m`) so nothing outlives the test. Each is skipped where the machine
does not allow it. SQLite's own `PRAGMA max_page_count` gives a real SQLITE_FULL
anywhere.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Library
from storage.library import LibraryReadOnly
from tests.conftest import ROOT
from tests.reliability.conftest import (
    TEST_ENV,
    assert_sound,
    copy_library,
    fingerprint,
    one_line_error,
    winnow,
    write_listing,
)


@pytest.fixture
def library_file(tmp_path: Path, base_template: Path) -> Path:
    return copy_library(base_template, tmp_path / "lib")


@pytest.fixture
def new_listing(tmp_path: Path) -> Path:
    """A listing the library has not seen (the seeds are all in it already)."""
    return write_listing(tmp_path / "new.txt", 30, prefix="Fresh", seed=3)


@pytest.fixture
def immutable(library_file: Path) -> Iterator[Path]:
    made = subprocess.run(["chattr", "+i", str(library_file)], capture_output=True,
                          check=False)
    if made.returncode != 0:
        pytest.skip(f"chattr +i not possible here: {made.stderr.decode().strip()}")
    try:
        yield library_file
    finally:
        subprocess.run(["chattr", "-i", str(library_file)], check=True)


def test_immutable_library_reads_and_refuses_writes(immutable: Path, tmp_path: Path,
                                                    new_listing: Path) -> None:
    before = immutable.read_bytes()
    listed = winnow("list", "--limit", "3", db=immutable)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 3, listed.stderr
    for args in (["read", "1"], ["tag", "1", "--add", "x"], ["note", "2", "hello"],
                 ["import", str(new_listing)], ["undo"]):
        error = one_line_error(winnow(*args, db=immutable))
        assert "read-only" in error and "nothing was changed" in error, error
    assert winnow("backup", str(tmp_path / "copy.db"), db=immutable).returncode == 0
    with Library(immutable) as lib:
        assert lib.read_only and lib.stats()["total"] == 415
        with pytest.raises(LibraryReadOnly):
            lib.set_note(1, "x")
    assert immutable.read_bytes() == before


def test_read_only_flag_opens_for_reading_only(library_file: Path, new_listing: Path) -> None:
    before = library_file.read_bytes()
    with Library(library_file, read_only=True) as lib:
        assert lib.search("", limit=3).ids
        with pytest.raises(LibraryReadOnly, match="read-only"):
            lib.set_read([1])
        report = lib.import_files([new_listing])
        assert not report.ok and "read-only" in str(report.files[0].error)
    assert library_file.read_bytes() == before


def _in_namespace(setup: str, script: str, *args: str) -> dict[str, object]:
    """Run `setup` (shell, as root) then a python `script` in a private mount
    namespace; return the JSON it prints. Skips where mounts are not allowed."""
    command = ["unshare", "-m", "--propagation", "private", "sh", "-c",
               f'{setup} && exec "$0" "$@"', sys.executable, "-c", script, *args]
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                                timeout=120, check=False)
    except FileNotFoundError:
        pytest.skip("unshare is not installed")
    if result.returncode != 0 or not result.stdout.strip():
        if "mount" in result.stderr or "unshare" in result.stderr:
            pytest.skip(f"no private mounts here: {result.stderr.strip()[:200]}")
        raise AssertionError(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


RUN_COMMANDS = r"""
import json, os, subprocess, sys
db, *commands = sys.argv[1:]
env = {**os.environ, **json.loads(commands.pop(0))}
out = {}
for command in commands:
    args = json.loads(command)
    done = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", db, *args],
                          capture_output=True, text=True, env=env)
    out[" ".join(args)] = [done.returncode, done.stdout, done.stderr]
out["files"] = sorted(os.listdir(os.path.dirname(db)))
print(json.dumps(out))
"""


def test_library_on_a_read_only_disk(library_file: Path, new_listing: Path) -> None:
    """A cleanly closed library on read-only media: no -wal or -shm can be made,
    so it is read as an immutable file; every write is refused in one line."""
    folder = library_file.parent
    before = library_file.read_bytes()
    setup = f"mount --bind '{folder}' '{folder}' && mount -o remount,bind,ro '{folder}'"
    commands = [["list", "--limit", "2"], ["stats"], ["read", "1"],
                ["import", str(new_listing)], ["backup"]]
    out = _in_namespace(setup, RUN_COMMANDS, str(library_file), json.dumps({}),
                        *map(json.dumps, commands))
    code, stdout, _ = out["list --limit 2"]  # type: ignore[misc]
    assert code == 0 and len(stdout.splitlines()) == 2
    assert out["stats"][0] == 0  # type: ignore[index]
    for name in ("read 1", f"import {new_listing}", "backup"):
        code, _, stderr = out[name]  # type: ignore[misc]
        assert code == 1 and "Traceback" not in stderr and len(stderr.splitlines()) == 1, stderr
        assert "read-only" in stderr or "cannot create" in stderr, stderr
    assert library_file.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["library.db"]
    assert out["files"] == ["library.db"]


def test_library_full_during_import_changes_nothing(
        library_file: Path, big_listing: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's own page limit gives a real SQLITE_FULL after two batch commits."""
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", TEST_ENV["WINNOW_IMPORT_BATCH"])
    before = fingerprint(library_file)
    with Library(library_file) as lib:
        pages = lib.conn.execute("PRAGMA page_count").fetchone()[0]
        # ~11 MB more. The undo needs room too (FTS5 writes its deletions): with
        # too little left after the second batch (2,200-2,400 pages more at schema
        # v9, 2,300-2,500 at v10, whose filter index takes ~30 pages here), it fails
        # in this process and the next open undoes the import.
        lib.conn.execute(f"PRAGMA max_page_count = {pages + 2800}")
        report = lib.import_files([big_listing])
        [failed] = report.files
        assert not report.ok and failed.error is not None
        assert "disk full" in failed.error and str(library_file) in failed.error
        assert failed.error.startswith("big.txt: not imported")
        assert "\n" not in failed.error
        assert not lib.conn.in_transaction and lib.broken is None
        assert fingerprint(library_file) == before
        lib.set_read([1])  # still takes writes
        lib.conn.execute("PRAGMA max_page_count = 1073741823")
        assert lib.import_files([big_listing]).ok
    assert_sound(library_file)


CHECK_AFTER_FULL = r"""
import json, os, subprocess, sys
from pathlib import Path
from tests.reliability import conftest as c
db, listing, filler = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
env = {**os.environ, **c.TEST_ENV}
def run(*args):
    done = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(db), *args],
                          capture_output=True, text=True, env=env)
    return [done.returncode, done.stdout, done.stderr]
out = {"import": run("import", listing), "stats while full": run("stats")}
filler.unlink()  # the user frees some space
out["stats after"] = run("stats")
out["fingerprint"] = c.fingerprint(db)
c.assert_sound(db)
out["read after"] = run("read", "1")
print(json.dumps(out))
"""


@pytest.mark.slow
def test_real_full_disk_during_import(tmp_path: Path, base_template: Path,
                                      big_listing: Path) -> None:
    folder = tmp_path / "small-disk"
    folder.mkdir()
    staging = copy_library(base_template, tmp_path / "staging")
    # ~8 MB left for the import: it fails after a batch or two. Undoing those
    # batches needs room in the WAL too, so freeing the 14 MB filler is what
    # "free some disk space" means here.
    setup = (f"mount -t tmpfs -o size=24m tmpfs '{folder}' && cp '{staging}' '{folder}/' "
             f"&& head -c 14000000 /dev/zero > '{folder}/filler'")
    out = _in_namespace(setup, CHECK_AFTER_FULL, str(folder / "library.db"), str(big_listing),
                        str(folder / "filler"))
    code, _, stderr = out["import"]  # type: ignore[misc]
    assert code == 1 and len(stderr.splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert "disk full" in stderr and "library.db" in stderr and "big.txt" in stderr
    code, _, stderr = out["stats while full"]  # type: ignore[misc]
    assert "Traceback" not in stderr and len(stderr.splitlines()) <= 1
    assert out["stats after"][0] == 0  # type: ignore[index]
    assert out["fingerprint"] == fingerprint(base_template)
    assert out["read after"][0] == 0  # type: ignore[index]
    print(f"\nfull disk: {out['import'][2].strip()}")  # type: ignore[index]


def test_full_disk_leaves_no_staging_file_on_restore(tmp_path: Path, library_file: Path) -> None:
    """restore on a disk too small for the copy: refused, library untouched."""
    backup = tmp_path / "backup.db"
    shutil.copy(library_file, backup)
    folder = tmp_path / "tiny"
    folder.mkdir()
    room = 200_000  # less than the copy needs
    filler = 4 * 1024 * 1024 - library_file.stat().st_size - room
    setup = (f"mount -t tmpfs -o size=4m tmpfs '{folder}' && cp '{library_file}' '{folder}/' "
             f"&& head -c {filler} /dev/zero > '{folder}/filler'")
    out = _in_namespace(setup, RUN_COMMANDS, str(folder / "library.db"), json.dumps({}),
                        json.dumps(["restore", str(backup)]))
    code, _, stderr = out[f"restore {backup}"]  # type: ignore[misc]
    assert code == 1 and len(stderr.splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert "nothing was restored" in stderr
    assert out["files"] == ["filler", "library.db"]  # no half copy, nothing moved aside
