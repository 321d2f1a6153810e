"""Bad input everywhere: every argument is checked with a one-line message, and no
traceback ever reaches the user. Usage errors exit 2, failures exit 1.

(tests/desktop/cli covers `show abc`, a missing `read` id, an unknown export format,
unknown ids and a missing library; these are the rest.)
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.cli import main
from tests.conftest import SEEDS
from tests.reliability.conftest import copy_library, one_line_error, winnow


@pytest.fixture
def db(tmp_path: Path, base_template: Path) -> Path:
    return copy_library(base_template, tmp_path / "lib")


USAGE = [
    (["show", "0"], "a positive number"),
    (["read", "-5"], "invalid paper id '-5'"),
    (["show", "99999999999999999999999"], "too large"),
    (["star", "1", "x"], "invalid paper id 'x'"),
    (["list", "--limit", "0"], "must be at least 1"),
    (["list", "--limit", "ten"], "not a number"),
    (["list", "--limit", "10000000000"], "too large"),
    (["list", "--sort", "colour"], "invalid choice"),
    (["annotate", "1", "--quote", "x", "--colour", "mauve"], "invalid choice"),
    (["annotate", "1"], "--quote"),
    (["frobnicate"], "invalid choice"),
    (["tag", "1", "--add", b"\xff\xfe"], "not valid UTF-8"),
    ([b"list", b"caf\xe9"], "not valid UTF-8"),
    (["note", "1", b"r\xe9sum\xe9"], "not valid UTF-8"),
    (["search", "save", b"\xff", "x"], "not valid UTF-8"),
    (["--db"], "expected one argument"),
]


@pytest.mark.parametrize("args, message", USAGE, ids=[repr(a) for a, _ in USAGE])
def test_usage_errors_are_one_line_exit_2(db: Path, args: list[str | bytes],
                                          message: str) -> None:
    error = one_line_error(winnow(*args, db=db), code=2)
    assert message in error
    assert "--help" in error


def _fifo(tmp: Path) -> Path:
    path = tmp / "pipe.txt"
    os.mkfifo(path)
    return path


ERRORS: list[tuple[str, Callable[[Path, Path], list[str | bytes]], str]] = [
    ("import a directory", lambda db, tmp: ["import", str(tmp)], "is a directory"),
    # Opening a FIFO would wait for a writer forever; it is refused unopened.
    ("import a FIFO", lambda db, tmp: ["import", str(_fifo(tmp))], "not a regular file"),
    ("import a missing file", lambda db, tmp: ["import", str(tmp / "nope.txt")],
     "No such file"),
    ("export to a directory", lambda db, tmp: ["export", "-o", str(tmp)], "cannot write"),
    ("annotate a quote not there", lambda db, tmp: ["annotate", "1", "--quote", "zzz qqq"],
     "not in the abstract"),
    ("empty tag", lambda db, tmp: ["tag", "1", "--add", "  "], "cannot be empty"),
    ("backup under a file", lambda db, tmp: ["backup", str(db / "x.db")],
     "cannot create the folder"),
]


@pytest.mark.parametrize("case", [c[0] for c in ERRORS])
def test_failures_are_one_line_exit_1(db: Path, tmp_path: Path, case: str) -> None:
    _, make_args, message = next(c for c in ERRORS if c[0] == case)
    before = db.read_bytes()
    error = one_line_error(winnow(*make_args(db, tmp_path), db=db, timeout=30))
    assert message in error
    if "backup" not in case:
        assert db.read_bytes() == before


@pytest.mark.parametrize("make_db, message", [
    (lambda tmp: tmp, "is a directory"),
    (lambda tmp: Path(os.devnull), "not a regular file"),
    (lambda tmp: tmp / "no" / "such" / "dir" / "library.db", "no library yet"),
])
def test_bad_library_paths_for_list(tmp_path: Path, make_db: Callable[[Path], Path],
                                    message: str) -> None:
    error = one_line_error(winnow("list", db=make_db(tmp_path)))
    assert message in error
    assert not (tmp_path / "no").exists()


def test_library_under_a_regular_file_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    error = one_line_error(winnow("import", str(SEEDS[0]), db=blocker / "library.db"))
    assert "cannot create the folder" in error


def test_unreadable_file_is_one_line(db: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads a file without read permission; the FIFO and directory "
                    "cases stand in for an unreadable FILE")
    locked = tmp_path / "locked.txt"
    shutil.copy(SEEDS[0], locked)
    locked.chmod(0)
    assert "ermission denied" in one_line_error(winnow("import", str(locked), db=db))


def test_non_utf8_stdin_note_is_one_line(db: Path) -> None:
    error = one_line_error(winnow("note", "1", "-", db=db, stdin=b"caf\xe9 \xff"))
    assert "not UTF-8" in error


def test_non_utf8_file_and_library_names_work(tmp_path: Path) -> None:
    """Undecodable bytes are legal in file names: such files import and such
    libraries open; the names are shown with a replacement character."""
    folder = Path(os.fsdecode(tmp_path) + os.fsdecode(b"/biblioth\xe8que"))
    folder.mkdir()
    listing = Path(os.fsdecode(bytes(folder) + b"/caf\xe9.txt"))
    shutil.copy(SEEDS[0], listing)
    db = Path(os.fsdecode(bytes(folder) + b"/lib\xff.db"))
    outputs = []
    for args in (["import", os.fsencode(listing)], ["import", "--json", os.fsencode(listing)],
                 ["list", "--limit", "2"], ["stats"], ["backup"]):
        result = winnow(*args, db=db)
        assert result.returncode == 0, result.stderr
        assert b"Traceback" not in result.stderr
        outputs.append(result.stdout.decode("utf-8"))
    assert outputs[0].startswith("caf\ufffd.txt: 22 papers, 22 new")
    assert '"name": "caf\ufffd.txt"' in outputs[1]


# --------------------------------------------------------------- in-process fuzz
WORDS = ["1", "2", "7", "0", "-1", "99999", "9" * 30, "x", "", " ", "--json", "--limit",
         "--add", "--remove", "--sort", "date", "--quote", "--comment", "--colour", "red",
         "--format", "csv", "bibtex", "tag:kan", "is:read", '"', "(", "AND", "*", "-",
         "title:", "year:2024..", "\udcff", "\x00", "é", "\u202e", "a" * 300, "--explain"]
COMMANDS = ["list", "show", "read", "unread", "star", "unstar", "tag", "tags", "note",
            "annotate", "annotations", "export", "search", "undo", "redo", "stats"]


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory, base_template: Path) -> Path:
    return copy_library(base_template, tmp_path_factory.mktemp("fuzz"))


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS),
       rest=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=5),
       sub=st.sampled_from(["save", "list", "delete"]))
def test_no_argument_list_ends_in_a_traceback(fuzz_db: Path, command: str,
                                              rest: list[str], sub: str) -> None:
    argv = ["--db", str(fuzz_db), command, *([sub] if command == "search" else []), *rest]
    err, out = io.StringIO(), io.StringIO()
    code: int | str | None
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse: usage error (2) or --help (0)
            code = stop.code
    message = err.getvalue()
    assert code in (0, 1, 2), (argv, code, message)
    assert "Traceback" not in message and "unexpected error" not in message, (argv, message)
    if code:
        assert len(message.strip().splitlines()) == 1, (argv, message)
