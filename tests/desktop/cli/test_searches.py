"""`winnow search save|list|delete` (desktop/cli/searches.py),
run as the real command on a real library file."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from tests.desktop.cli.conftest import WINNOW, winnow


def test_saved_searches(db: Path) -> None:
    assert winnow("search", "save", "kan", "kolmogorov", db=db).returncode == 0
    listed = winnow("search", "list", db=db).stdout
    assert "kan: kolmogorov" in listed
    assert winnow("search", "delete", "kan", db=db).returncode == 0
    assert winnow("search", "delete", "kan", db=db).returncode == 1


@pytest.mark.parametrize("typed", [["agent"], ["graph", "neural"], ["state space", "-moe"]])
def test_search_with_words_names_the_command_that_searches(db: Path, typed: list[str]
                                                          ) -> None:
    """`winnow search agent`, the first thing a new user types, said only "invalid
    choice: 'agent' (choose from 'delete', 'list', 'save')" (attack N21). The line
    now ends in the command that searches, and that command, pasted, finds papers."""
    before = db.read_bytes()
    done = winnow("search", *typed, db=db)
    assert done.returncode == 2 and done.stdout == ""
    # The command to paste keeps the --db typed before `search`: without it the
    # pasted line searched the default library, not this one.
    hint = f"to search papers: winnow --db {shlex.quote(str(db))} list "
    assert done.stderr == (f"winnow search: {typed[0]!r} is not an action (delete, list, "
                           f"save); {hint}{shlex.join(typed)}\n")
    pasted = shlex.split(done.stderr.strip().split("to search papers: ")[1])
    assert pasted == ["winnow", "--db", str(db), "list", *typed]
    listed = subprocess.run([*WINNOW, *pasted[1:]], capture_output=True, text=True,
                            timeout=120, check=False)
    assert listed.returncode == 0 and listed.stdout.strip(), listed.stderr
    assert db.read_bytes() == before  # nothing saved, nothing written


def test_search_alone_says_how_to_search(tmp_path: Path) -> None:
    new = tmp_path / "new" / "library.db"
    done = winnow("search", db=new)
    assert done.returncode == 2
    assert done.stderr == ("winnow search: the following arguments are required: ACTION; "
                           f"to search papers: winnow --db {shlex.quote(str(new))} list QUERY "
                           "(see `winnow search --help`)\n")
    assert not (tmp_path / "new").exists()
    assert "saved searches (to search papers: winnow list QUERY)" in winnow("--help").stdout


def test_the_hint_has_no_options_when_none_were_typed(db: Path) -> None:
    """With the library from $WINNOW_DB (nothing typed before `search`), the line to
    paste is the bare command: the variable still names the library when it runs."""
    done = winnow("search", "agent", env={"WINNOW_DB": str(db)})
    assert done.returncode == 2
    assert done.stderr.endswith("; to search papers: winnow list agent\n")
