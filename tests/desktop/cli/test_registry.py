"""The subcommand registry: a decorated function is a `winnow` command with its parser."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from desktop.cli import REGISTRY, build_parser, main
from desktop.cli.registry import Parser, Registry, arg


def _registry() -> tuple[Registry, list[tuple[str, argparse.Namespace]]]:
    calls: list[tuple[str, argparse.Namespace]] = []
    registry = Registry()

    @registry.command("hello", "say hello", arg("who"), arg("--loud", action="store_true"))
    def hello(lib: object, args: argparse.Namespace) -> int:
        calls.append(("hello", args))
        return 0

    registry.group("box", "a group of actions")

    @registry.command("box open", "open the box", arg("--lid", type=int, default=1))
    def box_open(lib: object, args: argparse.Namespace) -> int:
        calls.append(("box open", args))
        return 3

    return registry, calls


def test_a_decorated_function_gets_its_own_parser_and_is_dispatched() -> None:
    registry, calls = _registry()
    parser = registry.build_parser(Parser(prog="t"))
    args = parser.parse_args(["hello", "you", "--loud"])
    assert args.command_.handler(None, args) == 0
    assert calls[0][0] == "hello" and calls[0][1].who == "you" and calls[0][1].loud
    args = parser.parse_args(["box", "open", "--lid", "7"])
    assert args.command_.handler(None, args) == 3
    assert calls[1][0] == "box open" and calls[1][1].lid == 7


def test_an_unknown_option_is_a_usage_error_of_that_command(
        capsys: pytest.CaptureFixture[str]) -> None:
    registry, _ = _registry()
    parser = registry.build_parser(Parser(prog="t"))
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(["box", "open", "--lid", "x"])
    assert exit_.value.code == 2
    assert "invalid int value" in capsys.readouterr().err


def test_a_name_registered_twice_is_refused() -> None:
    registry, _ = _registry()
    with pytest.raises(ValueError, match="twice"):
        registry.command("hello", "again")(lambda lib, args: 0)
    with pytest.raises(ValueError, match="twice"):
        registry.group("hello", "again")
    with pytest.raises(ValueError, match="declare its group"):
        registry.command("crate open", "no group")(lambda lib, args: 0)


def test_every_registered_command_is_in_the_parser() -> None:
    parser = build_parser()
    [subparsers] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    top = set(subparsers.choices)
    assert {name.split(" ")[0] for name in REGISTRY.commands} == top
    assert {"gui", "import", "list", "read", "export", "search", "stats"} <= top


def test_writes_take_the_daily_backup_and_reads_do_not(seeded_path: Path) -> None:
    folder = seeded_path.parent / "backups"
    assert main(["--db", str(seeded_path), "search", "list"]) == 0
    assert main(["--db", str(seeded_path), "tags"]) == 0
    assert not folder.exists()
    assert main(["--db", str(seeded_path), "search", "save", "agents", "agent"]) == 0
    assert len(list(folder.glob("library-daily-*.db"))) == 1
