"""The window's commands, one module by topic, each a `CommandSet` of plain functions
of the window (`w`). A new command is a decorated function in its topic's module; a
new topic is a module here added to `TOPICS`. Writes go through `w.ops.run`.

Predicates for enabled-when live here, as functions of the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.window import MainWindow


def has_paper(w: MainWindow) -> bool:
    return w.current_id() is not None


def has_targets(w: MainWindow) -> bool:
    return bool(w.model.marked) or has_paper(w)


def has_annotation(w: MainWindow) -> bool:
    return w.reader.annotation_list.current_annotation() is not None


def topics() -> tuple:
    """The command modules, in the order the palette and menus list them."""
    from desktop.actions import highlights, library, navigation, tags, triage, view

    return (navigation, triage, tags, highlights, library, view)
