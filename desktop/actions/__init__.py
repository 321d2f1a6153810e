"""The window's commands, one module by topic, each a `CommandSet` of plain functions
of the window (`w`). A new command is a decorated function in its topic's module; a
new topic is a module here added to `command_sets`. Writes go through `w.ops.run`.

Predicates for enabled-when live here, as functions of the window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    from desktop.actions import states

    first, *rest = _topic_sets()
    return [first, states.command_set(table), *rest]


def _topic_sets() -> list[CommandSet]:
    """The command sets that are not made from the state table."""
    from desktop.actions import highlights, imports, library, navigation, tags, triage, view

    return [navigation.commands, triage.commands, tags.commands, highlights.commands,
            library.commands, imports.commands, view.commands]


def reserved_keys(overrides: Mapping[str, Sequence[str]] | None = None,
                  keys_path: str = "keys.json") -> dict[str, str]:
    """Key -> what holds it, for every key that a state in states.json may not take
    (storage/states.py `reserve`): the keys of every other command in the list
    (normal and global modes), the first key of each sequence (`g`, `*`), the flags'
    go-to keys, and the keys the built-in states keep from before ("state:done").

    `overrides` are the user's keys.json bindings (command id -> keys, named by
    `keys_path` in the message): a command rebound there holds its new keys and
    no longer its default ones, so a state is checked against the keys in force."""
    from desktop.actions import states
    from storage.states import FLAGS

    overrides = overrides or {}
    keys: dict[str, str] = {}
    for commands in _topic_sets():
        for spec in commands.specs:
            if spec.mode not in ("normal", "global"):
                continue
            names: Sequence[str | None] = spec.keys
            where = ""
            if spec.id in overrides:
                user = overrides[spec.id]
                names = [_canonical(k) for k in ([user] if isinstance(user, str) else user)]
                where = f" in {keys_path}"
            for key in names:
                if key is None:
                    continue  # not a key: keys.json's own warning says so
                keys.setdefault(key, f"bound to {spec.title!r}{where}")
                first, _, rest = key.partition(" ")
                if rest:
                    keys.setdefault(first, f"the first key of {key!r}{where}")
    for flag in FLAGS:
        keys.setdefault(f"g {flag.key}", f"bound to 'Go to {flag.label}'")
    for name, extra in (*states.EXTRA_KEYS.items(), *states.EXTRA_GO_KEYS.items()):
        for key in extra:
            keys.setdefault(key, f"state:{name}")
    return keys


def _canonical(key: str) -> str | None:
    """A key as keys.json may write it ("ctrl+k", "G  i") as the keymap names it."""
    from desktop.keys import KeyNameError, binding_text, parse_binding

    try:
        return binding_text(parse_binding(key))
    except KeyNameError:
        return None
