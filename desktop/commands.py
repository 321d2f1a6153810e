"""The one command registry: every action the window can do, with its default keys.

Commands are plain functions of the window, declared in modules by topic
(`desktop/actions/`) with their `CommandSet`'s `command` decorator; the window
collects each set into one `CommandRegistry`, bound to itself. The keymap, the menus,
the command palette and the cheat sheet all read the registry; nothing else binds keys.
Enabled-when is a callable of the same window, never a method name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.keys import MODES

Predicate = Callable[[Any], bool]
"""Enabled-when: a function of the context (the window) the commands act on."""


@dataclass(frozen=True)
class CommandSpec:
    id: str
    title: str
    function: Callable[[Any], Any]
    keys: tuple[str, ...] = ()
    mode: str = "normal"
    when: Predicate | None = None
    menu: str | None = None
    group: str = "General"
    palette: bool = True


@dataclass(frozen=True)
class Command:
    id: str
    title: str
    handler: Callable[[], Any]
    keys: tuple[str, ...] = ()
    mode: str = "normal"
    enabled_when: Callable[[], bool] | None = None
    menu: str | None = None
    group: str = "General"
    palette: bool = True

    def is_enabled(self) -> bool:
        if self.enabled_when is None:
            return True
        try:
            return bool(self.enabled_when())
        except Exception:  # a broken predicate must not take the keyboard down
            return False


class CommandSet:
    """The commands of one topic module, declared where their handlers are."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.specs: list[CommandSpec] = []

    def command(self, id: str, title: str, *, keys: Sequence[str] = (), mode: str = "normal",
                when: Predicate | None = None, menu: str | None = None,
                group: str = "General", palette: bool = True,
                ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Declare `function(context)` as a command; `CommandRegistry.collect` binds it."""
        if mode not in MODES:
            raise ValueError(f"{id}: unknown mode {mode!r}")

        def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
            self.specs.append(CommandSpec(id, title, function, tuple(keys), mode, when, menu,
                                          group, palette))
            return function

        return decorate


def _bind(function: Callable[[Any], Any], context: object) -> Callable[[], Any]:
    return lambda: function(context)


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}

    def add(self, cmd: Command) -> Command:
        if cmd.id in self._commands:
            raise ValueError(f"command {cmd.id!r} registered twice")
        if cmd.mode not in MODES:
            raise ValueError(f"{cmd.id}: unknown mode {cmd.mode!r}")
        self._commands[cmd.id] = cmd
        return cmd

    def collect(self, commands: CommandSet, context: object) -> None:
        """Register every command of `commands`, acting on `context`."""
        for spec in commands.specs:
            when = _bind(spec.when, context) if spec.when is not None else None
            self.add(Command(spec.id, spec.title, _bind(spec.function, context), spec.keys,
                             spec.mode, when, spec.menu, spec.group, spec.palette))

    def get(self, command_id: str) -> Command | None:
        return self._commands.get(command_id)

    def __getitem__(self, command_id: str) -> Command:
        return self._commands[command_id]

    def __contains__(self, command_id: object) -> bool:
        return command_id in self._commands

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def __len__(self) -> int:
        return len(self._commands)

    def defaults(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(id, mode, default keys) of each command, for `Keymap.build`."""
        return [(c.id, c.mode, c.keys) for c in self._commands.values()]

    def run(self, command_id: str) -> bool:
        """Run a command if it exists and is enabled; True if it ran."""
        cmd = self._commands.get(command_id)
        if cmd is None or not cmd.is_enabled():
            return False
        cmd.handler()
        return True
