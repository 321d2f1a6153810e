"""The subcommand registry: `@command` registers a function with its own parser.

A command is a function plus what argparse needs to build its parser, kept together
so the parser, the dispatch and the write policy (a daily backup after a write) can
never disagree. Qt is never imported here.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, NoReturn

from desktop.cli.common import PROG, one_line

Handler = Callable[..., int]
# "existing": the library must exist; "create": it may be created (import);
# None: the command opens no library (it gets only `args`).
Opens = Literal["existing", "create"] | None


@dataclass(frozen=True)
class Arg:
    """One `add_argument` call, kept as data until the parser is built."""

    flags: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


def arg(*flags: str, **options: Any) -> Arg:
    """The arguments of `ArgumentParser.add_argument`, for `@command`."""
    return Arg(flags, options)


@dataclass(frozen=True)
class Command:
    name: str
    """"list", or "search save" for an action under a group."""
    help: str
    handler: Handler
    arguments: tuple[Arg, ...] = ()
    writes: bool | Callable[[argparse.Namespace], bool] = False
    """A success is followed by the automatic daily backup."""
    opens: Opens = "existing"


@dataclass
class Registry:
    commands: dict[str, Command] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    """A group's name -> its help ("search" -> "saved searches")."""
    hints: dict[str, str] = field(default_factory=dict)
    """A group's name -> what to say when its first word is no action of it."""

    def add(self, cmd: Command) -> None:
        # A second function under a name would silently win: refuse instead.
        if cmd.name in self.commands or cmd.name in self.groups:
            raise ValueError(f"winnow command {cmd.name!r} is registered twice")
        group = cmd.name.split(" ", 1)[0]
        if " " in cmd.name and group not in self.groups:
            raise ValueError(f"winnow command {cmd.name!r}: declare its group with "
                             f"group({group!r}, help)")
        self.commands[cmd.name] = cmd

    def command(self, name: str, help: str, *arguments: Arg,
                writes: bool | Callable[[argparse.Namespace], bool] = False,
                opens: Opens = "existing") -> Callable[[Handler], Handler]:
        """Register the decorated function as `winnow NAME`.

        The function takes `(lib, args)`, or just `(args)` when `opens=None`, and
        returns the exit status. Raise `CommandError` for a one-line error."""
        def decorate(handler: Handler) -> Handler:
            self.add(Command(name, help, handler, tuple(arguments), writes, opens))
            return handler
        return decorate

    def group(self, name: str, help: str, hint: str | None = None) -> None:
        """Declare `winnow NAME ACTION ...`; its actions register as "NAME ACTION".

        `hint` is said when the word after NAME is no action, or none is given:
        "{words}" in it becomes the words typed, quoted for the shell ("QUERY" when
        there are none), "{prog}" the command with the options typed before NAME
        (`winnow --db lib.db`): the hint is a line to paste."""
        if name in self.groups or name in self.commands:
            raise ValueError(f"winnow command {name!r} is registered twice")
        self.groups[name] = help
        if hint is not None:
            self.hints[name] = hint

    def build_parser(self, parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        """Add every command to `parser`; `--help` lists them alphabetically, so the
        order does not depend on which module registered first."""
        commands = parser.add_subparsers(dest="command", metavar="COMMAND")
        actions: dict[str, argparse._SubParsersAction] = {}
        top = sorted({name.split(" ", 1)[0] for name in self.commands} | set(self.groups))
        for name in top:
            if name in self.groups:
                sub = commands.add_parser(name, help=self.groups[name])
                if isinstance(sub, Parser):
                    sub.action_hint = self.hints.get(name)
                actions[name] = sub.add_subparsers(dest="action", metavar="ACTION",
                                                   required=True)
            else:
                self._add(commands, name, self.commands[name])
        for name, cmd in sorted(self.commands.items()):
            group, _, action = name.rpartition(" ")
            if group:
                self._add(actions[group], action, cmd)
        return parser

    @staticmethod
    def _add(target: argparse._SubParsersAction, name: str, cmd: Command) -> None:
        sub = target.add_parser(name, help=cmd.help)
        for argument in cmd.arguments:
            sub.add_argument(*argument.flags, **argument.options)
        sub.set_defaults(command_=cmd)

REGISTRY = Registry()
command = REGISTRY.command
group = REGISTRY.group


# Marks a message that ends in the group's hint (argparse passes only the text on).
_NOT_AN_ACTION = "\x00not-an-action:"


class Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (exit status 2), naming the help to read.

    A word with one dash in front that is no option of the command (`-moe`,
    `-tag:x`, `-"state space"`) is an argument: in a query it is an exclusion
    (README: Query language). argparse would take it for an unknown option."""

    action_hint: str | None = None
    """For a group (`winnow search`): said when no action of it is named."""
    options_typed: ClassVar[list[str]] = []
    """The top-level options typed (`--db lib.db`), for a hint's command to paste: a
    group's own parser never sees them (`winnow --db X search agent` said `winnow list
    agent`, which searched the default library)."""

    def error(self, message: str) -> NoReturn:
        if self.action_hint is not None and "arguments are required: ACTION" in message:
            message = f"{message}; {self._hint('QUERY')}"
        if self.action_hint is not None and message.startswith(_NOT_AN_ACTION):
            # The hint ends in a command to paste: nothing after it.
            self.exit(2, f"{self.prog}: {one_line(message[len(_NOT_AN_ACTION):])}\n")
        self.exit(2, f"{self.prog}: {one_line(message)} (see `{self.prog} --help`)\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]):  # type: ignore[no-untyped-def]
        # `winnow search agent` means a search (attack N21): argparse's "invalid
        # choice: 'agent' (choose from 'delete', 'list', 'save')" named no way to it.
        if (self.action_hint is not None and isinstance(action, argparse._SubParsersAction)
                and arg_strings and arg_strings[0] not in action.choices):
            actions = ", ".join(action.choices)
            words = shlex.join(arg_strings)
            raise argparse.ArgumentError(None, f"{_NOT_AN_ACTION}{arg_strings[0]!r} is not "
                                               f"an action ({actions}); "
                                               f"{self._hint(words)}")
        return super()._get_values(action, arg_strings)

    def _hint(self, words: str) -> str:
        prog = shlex.join([PROG, *Parser.options_typed])
        return (self.action_hint or "").format(words=words, prog=prog)

    def _parse_optional(self, arg_string: str):  # type: ignore[no-untyped-def]
        if len(arg_string) > 1 and arg_string[0] == "-" and arg_string[1] != "-" \
                and not self._is_short_option(arg_string):
            return None
        return super()._parse_optional(arg_string)

    def _is_short_option(self, arg_string: str) -> bool:
        """`-h`, `-o FILE`, `-oFILE`, `-o=FILE`: a known one-dash option, alone or
        with its value attached."""
        head = arg_string[:2]
        action = self._option_string_actions.get(head)
        if action is None:
            return False
        return arg_string == head or action.nargs != 0 or arg_string[2:3] == "="


class _Typed(argparse.Action):
    """Stores an option's value and keeps it, as typed, for a group's hint."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)
        Parser.options_typed = [*Parser.options_typed, option_string or self.dest, str(values)]


def top_parser() -> argparse.ArgumentParser:
    Parser.options_typed = []
    parser = Parser(
        prog=PROG,
        description="Triage Hugging Face Daily Papers listings. With no command, opens the app.",
    )
    parser.add_argument("--db", metavar="PATH", action=_Typed,
                        help="library file (default: $WINNOW_DB, else the user data dir)")
    parser.add_argument("--version", action="version", version="%(prog)s 0.1.0")
    return parser


def library_path(db: str | None) -> tuple[Path, bool]:
    """The library file, and whether it is the default one (not named by the user)."""
    import os

    from desktop.cli.common import CommandError
    from storage import default_library_path

    # An empty name is a mistake (an unset shell variable), never a wish for the
    # default library: that one holds the user's real papers.
    if db == "":
        raise CommandError("--db: the library path is empty; name a library file")
    if db:
        return Path(db).expanduser(), False
    if "WINNOW_DB" in os.environ:
        if not os.environ["WINNOW_DB"].strip():
            raise CommandError("WINNOW_DB is set but empty; name a library file in it or "
                               "unset it")
        return default_library_path(), False
    return default_library_path(), True
