"""Shared fixtures: a fresh real library file per test, in a temp dir."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from storage import Library

# A landing or CI run must not turn red on an example nobody has run before: by default the
# property tests draw the same examples every run. Search for new ones on purpose with
# HYPOTHESIS_PROFILE=explore, and turn what it finds into a fixed test.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "library.db")
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Importing the seeds once per session and copying the file keeps each test's
    # library fresh without paying for five imports every time.
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    with Library(path) as lib:
        report = lib.import_files(SEEDS)
        assert report.ok, report
        lib.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def seeded(tmp_path: Path, _seeded_template: Path) -> Iterator[Library]:
    """A library holding the five sample listings (415 papers)."""
    path = tmp_path / "library.db"
    shutil.copy(_seeded_template, path)
    lib = Library(path)
    yield lib
    lib.close()


@pytest.fixture
def seeded_path(tmp_path: Path, _seeded_template: Path) -> Path:
    path = tmp_path / "library.db"
    shutil.copy(_seeded_template, path)
    return path
