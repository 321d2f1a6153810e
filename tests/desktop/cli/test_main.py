"""`winnow` itself (desktop/cli/__init__.py): usage and run errors, the library it opens,
no Qt for the command line. The real command in a subprocess against a temp library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.desktop.cli.conftest import winnow


@pytest.mark.parametrize("args, message", [
    (["show", "abc"], "invalid paper id"),
    (["read"], "the following arguments are required"),
    (["export", "--format", "docx"], "invalid choice"),
])
def test_usage_errors_exit_2(db: Path, args: list[str], message: str) -> None:
    result = winnow(*args, db=db)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize("args, message", [
    (["show", "99999"], "no paper with id 99999"),
    (["read", "99999"], "no paper with id 99999"),
    (["tag", "1"], "--add"),
    (["note", "424242", "x"], "no paper with id 424242"),
])
def test_errors_are_one_line_exit_1(db: Path, args: list[str], message: str) -> None:
    result = winnow(*args, db=db)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_library_is_a_clear_error(tmp_path: Path) -> None:
    result = winnow("list", db=tmp_path / "nope.db")
    assert result.returncode == 1
    assert "no library yet" in result.stderr
    assert not (tmp_path / "nope.db").exists()


def test_winnow_db_environment_variable(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    result = winnow("import", str(SEEDS[0]), env={"WINNOW_DB": str(db)})
    assert result.returncode == 0 and db.exists()


def test_command_line_does_not_import_qt(db: Path) -> None:
    code = ("import sys; from desktop.cli import main; main(['--db', sys.argv[1], 'list']); "
            "print(any(m.startswith('PySide6') for m in sys.modules), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True,
                            text=True, check=True)
    # The last line: `list` ends with its status line on stderr before it.
    assert result.stderr.strip().splitlines()[-1] == "False"
