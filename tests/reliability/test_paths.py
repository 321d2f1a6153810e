"""Library paths at the edges: an empty one, a read-only folder, a name too long
for the file system, a symlink loop. Each gives one clear line, or works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.reliability.conftest import copy_library, one_line_error, winnow


@pytest.fixture
def sandbox_home(tmp_path: Path) -> dict[str, str]:
    """An environment whose default library would land in tmp_path, not in ~."""
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "XDG_DATA_HOME": str(home / "data")}


def test_empty_db_option_is_an_error_not_the_default_library(
        sandbox_home: dict[str, str], tmp_path: Path) -> None:
    for args in (["--db", "", "list"], ["--db", "", "import", "x.txt"], ["--db=", "stats"]):
        result = subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT,
                                capture_output=True, timeout=60, check=False,
                                env={**os.environ, **sandbox_home})
        message = one_line_error(result, code=result.returncode or 1)
        assert result.returncode in (1, 2)
        assert "empty" in message and "--db" in message, message
    assert not (tmp_path / "home" / "data").exists()


def test_empty_winnow_db_variable_is_an_error(sandbox_home: dict[str, str],
                                              tmp_path: Path) -> None:
    for args in (["list"], ["import", "x.txt"]):
        result = subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT,
                                capture_output=True, timeout=60, check=False,
                                env={**os.environ, **sandbox_home, "WINNOW_DB": ""})
        message = one_line_error(result)
        assert "WINNOW_DB" in message and "empty" in message, message
    assert not (tmp_path / "home" / "data").exists()


def test_name_too_long_is_one_line(tmp_path: Path) -> None:
    long = tmp_path / ("x" * 300) / "library.db"
    for args in (["list"], ["import", "nothing.txt"], ["init"]):
        message = one_line_error(winnow(*args, db=long))
        assert "unexpected" not in message and "too long" in message.lower(), message
    also = tmp_path / ("y" * 256 + ".db")
    message = one_line_error(winnow("stats", db=also))
    assert "too long" in message.lower(), message


def test_symlink_loop_is_one_line(tmp_path: Path) -> None:
    loop = tmp_path / "loop.db"
    loop.symlink_to(loop)
    for args in (["list"], ["import", "nothing.txt"], ["init"]):
        message = one_line_error(winnow(*args, db=loop))
        assert "symbolic link" in message.lower() and "no library yet" not in message, message
    assert loop.is_symlink()


def _as_nobody() -> list[str] | None:
    """A command prefix that runs as an unprivileged user, where root is the
    only user (CI): permission bits stop nobody else. None where not possible."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    probe = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                            sys.executable, "-c", "import storage, desktop.cli"], cwd=ROOT,
                           capture_output=True, check=False, timeout=60)
    if probe.returncode != 0:
        return None
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_library_in_a_read_only_folder_can_be_listed(tmp_path: Path,
                                                     base_template: Path) -> None:
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("cannot run as an unprivileged user here")
    # pytest's own temp folders are private to root: this one must be reachable.
    outer = Path(tempfile.mkdtemp(prefix="winnow-shelf-"))
    os.chmod(outer, 0o755)
    folder = outer / "shelf"
    path = copy_library(base_template, folder)
    os.chmod(path, 0o644)
    os.chmod(folder, 0o555)  # the owner, root, may write; the reader may not
    before = path.read_bytes()
    try:
        def run(*args: str) -> subprocess.CompletedProcess[bytes]:
            return subprocess.run([*prefix, sys.executable, "-m", "desktop.cli", "--db",
                                   str(path), *args], cwd=ROOT, capture_output=True,
                                  timeout=60, check=False,
                                  env={**os.environ, "HOME": str(tmp_path)})
        listed = run("list", "--limit", "3")
        assert listed.returncode == 0, listed.stderr
        assert len(listed.stdout.splitlines()) == 3
        assert run("show", "1").returncode == 0
        assert run("stats").returncode == 0
        message = one_line_error(run("star", "1"))
        assert "read-only" in message and "nothing was changed" in message, message
        assert path.read_bytes() == before
        assert sorted(p.name for p in folder.iterdir()) == ["library.db"]
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(outer)
