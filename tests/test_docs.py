"""The README is the user's manual: every command and option must be in it."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from desktop.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, argparse.ArgumentParser]]:
    found = []
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.extend(action.choices.items())
    return found


@pytest.mark.parametrize("name, parser", _commands())
def test_every_command_and_option_is_documented(name: str,
                                                parser: argparse.ArgumentParser) -> None:
    assert f"`winnow {name}" in README or f"/ `{name}" in README or f"/ {name}" in README, name
    for action in parser._actions:
        for option in action.option_strings:
            if option.startswith("--") and option not in ("--help", "--color"):
                assert option in README, f"winnow {name} {option} is not in the README"


def test_readme_gives_the_two_commands() -> None:
    assert ".venv/bin/pip install -e . && .venv/bin/winnow" in README
    test_command = ".venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    assert test_command in README
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci
