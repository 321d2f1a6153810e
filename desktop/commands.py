"""The one command registry: every action the window can do, with its default keys.

Commands are declared where their handler lives, with the `command` decorator, and
collected from that object into a `CommandRegistry`. The keymap, the menus, the
command palette and the cheat sheet all read the registry; nothing else binds keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.keys import MODES

_ATTRIBUTE = "_winnow_command"


@dataclass(frozen=True)
class CommandSpec:
    id: str
    title: str
    keys: tuple[str, ...] = ()
    mode: str = "normal"
    when: str | None = None  # name of a method of the owner returning bool
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


def command(id: str, title: str, *, keys: Sequence[str] = (), mode: str = "normal",
            when: str | None = None, menu: str | None = None, group: str = "General",
            palette: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a method as a command; `CommandRegistry.collect(obj)` registers it."""
    if mode not in MODES:
        raise ValueError(f"{id}: unknown mode {mode!r}")

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        specs = list(getattr(function, _ATTRIBUTE, ()))
        specs.append(CommandSpec(id, title, tuple(keys), mode, when, menu, group, palette))
        setattr(function, _ATTRIBUTE, specs)
        return function

    return decorate


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

    def collect(self, owner: object) -> None:
        """Register every `@command` method of `owner`, bound to it."""
        seen: set[str] = set()
        for klass in type(owner).__mro__:
            for name, attribute in vars(klass).items():
                if name in seen:
                    continue
                specs = getattr(attribute, _ATTRIBUTE, None)
                if not specs:
                    continue
                seen.add(name)
                handler = getattr(owner, name)
                for spec in specs:
                    when = getattr(owner, spec.when) if spec.when else None
                    self.add(Command(spec.id, spec.title, handler, spec.keys, spec.mode,
                                     when, spec.menu, spec.group, spec.palette))

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
