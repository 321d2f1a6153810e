"""Shared pieces of the reliability tests: real files, real `winnow` processes.

Nothing here replaces our own code: libraries are made by `Library`, listings are
text files in the seeds' layout, commands run as subprocesses, and what a test
checks is read back from the file with plain `sqlite3`.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from storage.listing import read_listing
from storage.text import normalise_title
from tests.conftest import ROOT, SEEDS

WINNOW = [sys.executable, "-m", "desktop.cli"]
# `winnow` processes started here commit an import every TEST_BATCH papers
# (WINNOW_IMPORT_BATCH, read by the library) instead of every 5,000: the big
# listing then makes 8 batch commits, so a kill can land before, between and
# after them, while one import still takes well under a second.
TEST_BATCH = 1000
BIG_PAPERS = 8 * TEST_BATCH
TEST_ENV = {"WINNOW_IMPORT_BATCH": str(TEST_BATCH)}
# Seed papers repeated at the top of the big listing with a longer abstract and
# more upvotes: the first batch then also changes known papers (the import_undo
# journal) and re-anchors an annotation, which a killed import must take back.
OVERLAP = 40
# Columns an import writes with the current time: equal content, different stamps.
IMPORT_TIMESTAMPS = {"papers": {"added_at"}, "sources": {"imported_at"}}
# Every table holding papers or what the user did, in a fixed order.
TABLES = ("sources", "papers", "paper_sources", "tags", "paper_tags", "annotations",
          "saved_searches", "events", "meta", "import_undo")


def winnow(*args: str | bytes, db: Path | None = None, timeout: float = 120,
           env: dict[str, str] | None = None,
           stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the real command line; output stays bytes (some tests feed non-UTF-8)."""
    command = [*WINNOW, *(["--db", str(db)] if db else []), *args]
    return subprocess.run(command, capture_output=True, timeout=timeout, check=False,
                          cwd=ROOT, env={**os.environ, **TEST_ENV, **(env or {})},
                          input=stdin)


def start_winnow(*args: str, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*WINNOW, "--db", str(db), *args], cwd=ROOT,
                            env={**os.environ, **TEST_ENV},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def one_line_error(result: subprocess.CompletedProcess[bytes], code: int = 1) -> str:
    """The stderr of a failed command, asserted to be one line and no traceback."""
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == code, (result.returncode, err, result.stdout)
    assert "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


def read_only(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection that cannot write: the test's own eyes."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                           timeout=10)


def fingerprint(path: Path, *, ignore: dict[str, set[str]] | None = None) -> dict[str, str]:
    """A digest per table of every row (all columns but `ignore`d ones), by id."""
    ignore = ignore or {}
    digests = {}
    with closing(read_only(path)) as conn:
        for table in TABLES:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")
                       if row[1] not in ignore.get(table, set())]
            quoted = ", ".join(f'"{c}"' for c in columns)
            digest = hashlib.sha256()
            for row in conn.execute(f"SELECT {quoted} FROM {table} ORDER BY {quoted}"):
                digest.update(repr(row).encode())
            digests[table] = digest.hexdigest()[:16]
    return digests


def counts(path: Path) -> dict[str, int]:
    with closing(read_only(path)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def assert_sound(path: Path) -> None:
    """SQLite's full check and the full-text index's check against the papers."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
        assert conn.execute("SELECT count(*) FROM sources WHERE status != 'complete'"
                            ).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM import_undo").fetchone()[0] == 0
    finally:
        conn.close()


def quick_check(path: Path) -> str:
    with closing(read_only(path)) as conn:
        return conn.execute("PRAGMA quick_check").fetchone()[0]


def wait_for(predicate: Callable[[], bool], *, timeout: float = 30,
             every: float = 0.001) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(every)


def write_listing(path: Path, count: int, *, seed: int = 0, prefix: str = "Synthetic",
                  overlap: int = 0) -> Path:
    """A Daily Papers listing in the seeds' layout: page chrome, then per paper a
    title, an abstract and a meta block. Words come from the seeds, so the index
    sees a realistic vocabulary (~7k terms). The first `overlap` papers are seed
    papers with a changed abstract and more upvotes."""
    rng = random.Random(seed)
    unique = {normalise_title(record.title): record
              for seed_file in reversed(SEEDS) for record in read_listing(seed_file).records}
    seeds = sorted(unique.values(), key=lambda record: record.title)
    words = sorted({w for r in seeds for w in re.findall(r"[A-Za-z][a-z]{2,}", r.abstract)})
    lines = ["new", "", "Daily Papers", "", "byAK and the research community", "", "Dec 9", ""]
    for record in seeds[:overlap]:
        lines += [record.title, "", record.abstract + " Revised in a later listing.", "",
                  "  • 3 authors", "·", "May 22, 2024 9999", ""]
    for number in range(count - overlap):
        title = f"{prefix} study {number}: " + " ".join(rng.choice(words) for _ in range(7))
        abstract = " ".join(rng.choice(words) for _ in range(200)) + "."
        lines += [title, "", abstract, "", f"  • {rng.randint(1, 40)} authors", "·",
                  f"May {rng.randint(1, 28)}, 2024 {rng.randint(0, 300)}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def add_user_data(lib: Library) -> dict[str, int]:
    """Months of judgement in miniature: read marks, stars, tags, a note, an
    annotation on a paper the big listing changes, a saved search, one undo."""
    ids = [row[0] for row in lib.conn.execute("SELECT id FROM papers ORDER BY id")]
    # The first title in order is the first paper the big listing revises.
    [target] = [row[0] for row in lib.conn.execute(
        "SELECT id FROM papers ORDER BY title LIMIT 1")]
    lib.set_read(ids[:30])
    lib.set_starred(ids[10:20])
    lib.add_tags(ids[:25], ["to-read", "kan"])
    lib.set_note(target, "Check the cost model against section 4; zanzibar.")
    abstract = lib.get(target).abstract
    lib.annotate(target, 0, min(40, len(abstract)), comment="strong opening claim",
                 colour="green")
    lib.save_search("unread kan", "tag:kan is:unread")
    lib.set_starred(ids[40:45])
    lib.undo()
    return {"target": target}


@pytest.fixture(scope="session")
def big_listing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("listings")
    return write_listing(folder / "big.txt", BIG_PAPERS, overlap=OVERLAP)


@pytest.fixture(scope="session")
def base_template(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path) -> Path:
    """The seeded library with user data, checkpointed into one file."""
    path = tmp_path_factory.mktemp("base") / "library.db"
    shutil.copy(_seeded_template, path)
    with Library(path) as lib:
        add_user_data(lib)
        lib.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def imported_template(tmp_path_factory: pytest.TempPathFactory, base_template: Path,
                      big_listing: Path) -> Path:
    """base_template after a clean import of the big listing: what a finished
    import must look like (20k papers, the overlap updated)."""
    path = tmp_path_factory.mktemp("imported") / "library.db"
    shutil.copy(base_template, path)
    with Library(path) as lib:
        report = lib.import_files([big_listing])
        assert report.ok and report.new == BIG_PAPERS - OVERLAP, report
        assert report.updated == OVERLAP
        [annotated] = lib.annotations()
        assert lib.get(annotated.paper_id).abstract.endswith("Revised in a later listing.")
        lib.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def copy_library(template: Path, folder: Path, name: str = "library.db") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shutil.copy(template, path)
    return path


def leftovers(folder: Path) -> list[str]:
    """Import locks and half-written backups that should not outlive a recovery."""
    found = [p.name for p in folder.glob("*-import-*.lock")]
    backups = folder / "backups"
    if backups.exists():
        found += [p.name for p in backups.iterdir()
                  if p.suffix == ".db" and quick_check(p) != "ok"]
    return found


def ids_in(path: Path, sql: str, params: Iterable[object] = ()) -> list[int]:
    with closing(read_only(path)) as conn:
        return [row[0] for row in conn.execute(sql, tuple(params))]


@pytest.fixture
def no_leaked_processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts; any still alive at the end is killed (by its id)."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()
