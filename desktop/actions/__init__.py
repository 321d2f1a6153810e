"""The window's commands, one module by topic, each a `CommandSet` of plain functions
of the window (`w`). A new command is a decorated function in its topic's module; a
new topic is a module here added to `command_sets`. Writes go through `w.ops.run`.

Predicates for enabled-when live here, as functions of the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.commands import CommandSet
    from desktop.window import MainWindow
    from storage.states import StateTable


def has_paper(w: MainWindow) -> bool:
    return w.current_id() is not None


def has_targets(w: MainWindow) -> bool:
    return bool(w.model.marked) or has_paper(w)


def has_annotation(w: MainWindow) -> bool:
    return w.reader.annotation_list.current_annotation() is not None


def command_sets(table: StateTable) -> list[CommandSet]:
    """Every command, by topic, in the order the palette and menus list them; the
    state commands are made from the state table."""
    from desktop.actions import (
        highlights,
        imports,
        library,
        navigation,
        states,
        tags,
        triage,
        view,
    )

    return [navigation.commands, states.command_set(table), triage.commands, tags.commands,
            highlights.commands, library.commands, imports.commands, view.commands]
