"""The shared read-only seed library for the search tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Library


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path
           ) -> Iterator[Library]:
    """One seeded library for the read-only tests (and for hypothesis, which
    cannot use a fresh fixture per example)."""
    path = tmp_path_factory.mktemp("shared") / "library.db"
    shutil.copy(_seeded_template, path)
    lib = Library(path)
    yield lib
    lib.close()
