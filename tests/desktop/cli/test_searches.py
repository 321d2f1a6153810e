"""`winnow search save|list|delete` (desktop/cli/searches.py),
run as the real command on a real library file."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.desktop.cli.conftest import winnow


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
    hint = "to search papers: winnow list "
    assert done.stderr == (f"winnow search: {typed[0]!r} is not an action (delete, list, "
                           f"save); {hint}{shlex.join(typed)}\n")
    pasted = shlex.split(done.stderr.strip().split(hint)[1])
    assert pasted == typed
    listed = winnow("list", *pasted, db=db)
    assert listed.returncode == 0 and listed.stdout.strip(), listed.stderr
    assert db.read_bytes() == before  # nothing saved, nothing written


def test_search_alone_says_how_to_search(tmp_path: Path) -> None:
    new = tmp_path / "new" / "library.db"
    done = winnow("search", db=new)
    assert done.returncode == 2
    assert done.stderr == ("winnow search: the following arguments are required: ACTION; "
                           "to search papers: winnow list QUERY (see `winnow search --help`)\n")
    assert not (tmp_path / "new").exists()
    assert "saved searches (to search papers: winnow list QUERY)" in winnow("--help").stdout
