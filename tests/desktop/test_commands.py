"""The command registry (desktop/commands.py): a CommandSet bound per window, enabled-when
callables, modes and duplicate ids refused."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.commands import Command, CommandRegistry, CommandSet

NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


class Owner:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.allowed = False


demo = CommandSet("demo")


@demo.command("demo.run", "Run it", keys=("r",), menu="File")
def run_it(owner: Owner) -> None:
    owner.calls.append("run")


@demo.command("demo.guarded", "Guarded", keys=("g x",), when=lambda owner: owner.allowed)
def guarded(owner: Owner) -> None:
    owner.calls.append("guarded")


def test_registry_collects_a_command_set_bound_to_its_context() -> None:
    owner = Owner()
    registry = CommandRegistry()
    registry.collect(demo, owner)
    assert {c.id for c in registry} == {"demo.run", "demo.guarded"}
    assert registry["demo.run"].menu == "File"
    assert registry.run("demo.run")
    assert not registry.run("demo.guarded")  # disabled until ready
    owner.allowed = True
    assert registry.run("demo.guarded")
    assert owner.calls == ["run", "guarded"]
    assert ("demo.guarded", "normal", ("g x",)) in registry.defaults()
    other = Owner()  # a second window gets its own bound commands
    second = CommandRegistry()
    second.collect(demo, other)
    assert second.run("demo.run") and other.calls == ["run"] and owner.calls == [
        "run", "guarded"]


def test_an_unknown_mode_is_refused_where_the_command_is_declared() -> None:
    with pytest.raises(ValueError, match="mode"):
        CommandSet("x").command("x.y", "Y", mode="nosuchmode")


def test_duplicate_command_ids_are_an_error() -> None:
    registry = CommandRegistry()
    registry.add(Command("a", "A", lambda: None))
    with pytest.raises(ValueError, match="twice"):
        registry.add(Command("a", "A again", lambda: None))
    with pytest.raises(ValueError, match="mode"):
        registry.add(Command("b", "B", lambda: None, mode="nosuchmode"))
