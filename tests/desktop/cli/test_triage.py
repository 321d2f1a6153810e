"""`winnow read/unread/star/undo` and one verb per triage state, made from the state table
(desktop/cli/triage.py), in a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from storage import Library
from tests.desktop.cli.conftest import winnow

WINNOW = [sys.executable, "-m", "desktop.cli"]


@pytest.fixture
def setup(tmp_path: Path, seeded_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "config"
    config.mkdir()
    return seeded_path, config


def _run(db: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WINNOW_CONFIG_DIR": str(config)}
    return subprocess.run([*WINNOW, "--db", str(db), *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


@pytest.mark.parametrize("verb, state, said", [
    ("done", "done", "marked 2 papers done"),
    ("skip", "skipped", "marked 2 papers skipped"),
    ("shortlist", "shortlist", "marked 2 papers for the shortlist"),
    ("later", "later", "marked 2 papers for later someday"),
])
def test_each_state_verb_moves_papers_and_inbox_brings_them_back(
        setup: tuple[Path, Path], verb: str, state: str, said: str) -> None:
    db, config = setup
    result = _run(db, config, verb, "3", "4")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == said
    listed = json.loads(_run(db, config, "list", f"is:{state}", "--json").stdout)
    assert sorted(p["id"] for p in listed) == [3, 4]
    assert {p["state"] for p in listed} == {state}
    back = _run(db, config, "inbox", "3")
    assert back.stdout.strip() == "marked 1 paper back in the Inbox"
    with Library(db) as lib:
        assert lib.get(3).state == "inbox" and lib.get(4).state == state


def test_later_until_a_date(setup: tuple[Path, Path]) -> None:
    db, config = setup
    week = _run(db, config, "later", "5", "--until", "next-week")
    assert week.returncode == 0, week.stderr
    day = (date.today() + timedelta(days=10)).isoformat()
    assert _run(db, config, "later", "6", "--until", day).stdout.strip() == \
        f"marked 1 paper for later until {day}"
    with Library(db) as lib:
        assert lib.get(5).snooze_until > date.today().isoformat()
        assert lib.get(6).snooze_until == day
    past = _run(db, config, "later", "7", "--until", "2001-01-01")
    assert past.returncode == 1 and past.stderr.count("\n") == 1
    assert "not after today" in past.stderr


def test_a_state_the_user_adds_gets_its_verb(setup: tuple[Path, Path]) -> None:
    db, config = setup
    (config / "states.json").write_text(json.dumps(
        {"states": {"parked": {"label": "Parked", "key": "k"}}}), encoding="utf-8")
    result = _run(db, config, "parked", "9")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "marked 1 paper parked"
    assert "parked" in _run(db, config, "--help").stdout
    stats = json.loads(_run(db, config, "stats", "--json").stdout)
    assert stats["per_state"]["parked"] == 1 == stats["counts"]["parked"]


def test_a_bad_states_file_is_one_line(setup: tuple[Path, Path]) -> None:
    db, config = setup
    bad = config / "states.json"
    bad.write_text("{nope", encoding="utf-8")
    before = db.read_bytes()
    result = _run(db, config, "done", "1")
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"winnow: {bad}: not valid JSON")
    assert result.stderr.count("\n") == 1
    assert db.read_bytes() == before


def test_triage_commands_change_the_library(db: Path) -> None:
    assert winnow("read", "1", "2", db=db).stdout.strip() == "marked 2 papers read"
    assert winnow("star", "3", db=db).returncode == 0
    assert winnow("tag", "1", "3", "--add", "rl", "--add", "keep", db=db).returncode == 0
    assert winnow("tag", "3", "--remove", "keep", db=db).returncode == 0
    assert winnow("note", "1", "-", db=db, stdin="from stdin\n").returncode == 0
    one = json.loads(winnow("show", "1", "--json", db=db).stdout)
    three = json.loads(winnow("show", "3", "--json", db=db).stdout)
    assert one["read"] and one["tags"] == ["keep", "rl"] and one["note"] == "from stdin\n"
    assert three["starred"] and three["tags"] == ["rl"]
    assert "rl" in winnow("tags", db=db).stdout
    assert winnow("undo", db=db).stdout.startswith("Undid")
    assert winnow("unread", "1", db=db).returncode == 0


@pytest.mark.parametrize("verb", ["delete", "list"])
def test_a_state_whose_verb_is_a_command_is_one_line(setup: tuple[Path, Path],
                                                     verb: str) -> None:
    db, config = setup
    bad = config / "states.json"
    bad.write_text(json.dumps({"states": {"parked": {"label": "Parked", "verb": verb}}}),
                   encoding="utf-8")
    before = db.read_bytes()
    result = _run(db, config, "done", "1")
    assert result.returncode == 1
    assert result.stderr == (f"winnow: {bad}: state 'parked': verb {verb!r} is already the "
                             f"command `winnow {verb}`; choose another verb\n")
    assert db.read_bytes() == before
    # The command keeps its own meaning (its help), it is not the state's verb.
    assert "move papers to Parked" not in _run(db, config, verb, "--help").stdout
