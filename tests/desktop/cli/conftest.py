"""Command-line fixtures: the real `winnow` command in a subprocess on a temp library."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WINNOW = [sys.executable, "-m", "desktop.cli"]


def winnow(*args: str, db: Path | None = None, stdin: str | None = None,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [*WINNOW, *(["--db", str(db)] if db else []), *args]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, input=stdin,
                          env=full_env, timeout=120, check=False)


@pytest.fixture
def db(tmp_path: Path, seeded_path: Path) -> Path:
    """A copy of the seeded library (415 papers) as a file for the command."""
    return seeded_path
