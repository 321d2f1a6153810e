"""The app open while `winnow import`, `tag` and `read` run in other processes.

The test process plays the app: one Library holding its connection, marking
papers read in a loop. Real `winnow` processes import, tag and mark papers at the
same time. Everything must succeed (WAL, busy_timeout, BEGIN IMMEDIATE, short
batch commits) and the app must see the new papers without reopening.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

from storage import Library
from tests.reliability.conftest import (
    BIG_PAPERS,
    assert_sound,
    copy_library,
    counts,
    start_winnow,
    winnow,
    write_listing,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def marked_listing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A big listing whose titles carry a word found nowhere else."""
    return write_listing(tmp_path_factory.mktemp("marked") / "zyzzyva.txt", BIG_PAPERS,
                         prefix="Zyzzyva", seed=7)


def _repeat(args_list: list[list[str]], db: Path, until: threading.Event,
            results: list[subprocess.CompletedProcess[bytes]]) -> None:
    """Run each command in turn, over and over, until `until` is set (at least once)."""
    while True:
        for args in args_list:
            results.append(winnow(*args, db=db, timeout=60))
        if until.is_set():
            return


def test_app_sees_imports_while_other_processes_write(
        tmp_path: Path, base_template: Path, marked_listing: Path,
        no_leaked_processes: list[subprocess.Popen[bytes]]) -> None:
    path = copy_library(base_template, tmp_path)
    lib = Library(path)
    try:
        ids = lib.search("", limit=None).ids
        before = lib.stats()["total"]
        assert not lib.poll_changes()

        importer = start_winnow("import", str(marked_listing), db=path)
        no_leaked_processes.append(importer)
        done = threading.Event()
        taggers: list[subprocess.CompletedProcess[bytes]] = []
        readers: list[subprocess.CompletedProcess[bytes]] = []
        workers = [
            threading.Thread(target=_repeat, args=(
                [["tag", *map(str, ids[:60]), "--add", "concurrent"],
                 ["tag", *map(str, ids[:60]), "--remove", "concurrent"]], path, done, taggers)),
            threading.Thread(target=_repeat, args=(
                [["read", *map(str, ids[100:160])], ["unread", *map(str, ids[100:160])]],
                path, done, readers)),
        ]
        for worker in workers:
            worker.start()

        # The app: a write every few ms, each timed, and a poll for others' commits.
        waits: list[float] = []
        seen_change = False
        while importer.poll() is None:
            start = time.perf_counter()
            lib.set_read([ids[300 + len(waits) % 50]], len(waits) % 2 == 0)
            waits.append(time.perf_counter() - start)
            seen_change = lib.poll_changes() or seen_change
            time.sleep(0.005)
        done.set()
        for worker in workers:
            worker.join(timeout=120)
        _out, err = importer.communicate()

        assert importer.returncode == 0, err
        for result in taggers + readers:
            assert result.returncode == 0, result.stderr
            assert b"Traceback" not in result.stderr
        assert seen_change or lib.poll_changes()
        # A fresh query on the same connection sees every imported paper.
        new = BIG_PAPERS  # the marked listing repeats no seed paper
        assert lib.stats()["total"] == before + new
        assert lib.count("zyzzyva") == new
        print(f"\napp wrote {len(waits)} times during the import; longest wait "
              f"{max(waits) * 1000:.0f} ms, median {sorted(waits)[len(waits) // 2] * 1000:.1f} "
              f"ms; {len(taggers)} tag and {len(readers)} read commands ran alongside")
    finally:
        lib.close()
    assert_sound(path)


def test_three_imports_create_one_library_at_once(
        tmp_path: Path, no_leaked_processes: list[subprocess.Popen[bytes]]) -> None:
    """Three processes find no library and create it together: the schema is made
    once (the later ones wait for the lock and find it done) and all imports land."""
    listings = [write_listing(tmp_path / f"part{n}.txt", 300, prefix=f"Part{n}", seed=n)
                for n in range(3)]
    path = tmp_path / "new" / "library.db"
    processes = [start_winnow("import", str(listing), db=path) for listing in listings]
    no_leaked_processes.extend(processes)
    for process in processes:
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    assert counts(path)["papers"] == 900
    assert_sound(path)


def test_background_check_on_a_second_library_while_the_first_writes(
        tmp_path: Path, imported_template: Path) -> None:
    """What the GUI does after first paint: `check()` on its own Library in a
    thread, while the main Library keeps writing."""
    path = copy_library(imported_template, tmp_path)
    errors: list[BaseException] = []
    checks: list[float] = []

    def background() -> None:
        try:
            with Library(path, check=False) as checker:
                for quick in (True, False, True):
                    start = time.perf_counter()
                    checker.check(quick=quick)
                    checks.append(time.perf_counter() - start)
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    with Library(path, check=False) as lib:
        ids = lib.search("", limit=None).ids
        thread = threading.Thread(target=background)
        thread.start()
        writes = 0
        while thread.is_alive():
            lib.set_starred([ids[writes % 100]], writes % 2 == 0)
            writes += 1
        thread.join()
        assert lib.broken is None
    assert errors == []
    assert writes > 0 and len(checks) == 3
    assert_sound(path)
