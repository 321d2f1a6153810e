"""Triage decisions: read, unread, star, unstar, and undo/redo of any of them."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from desktop.cli.common import paper_id, plural, text
from desktop.cli.registry import REGISTRY, arg, command
from storage import Library, states

IDS = arg("ids", nargs="+", type=paper_id, metavar="ID")


@command("read", "mark papers read", IDS, writes=True)
def read(lib: Library, args: argparse.Namespace) -> int:
    print(f"marked {plural(lib.set_read(args.ids, True).count, 'paper')} read")
    return 0


@command("unread", "mark papers unread", IDS, writes=True)
def unread(lib: Library, args: argparse.Namespace) -> int:
    print(f"marked {plural(lib.set_read(args.ids, False).count, 'paper')} unread")
    return 0


@command("star", "star papers", IDS, writes=True)
def star(lib: Library, args: argparse.Namespace) -> int:
    print(f"starred {plural(lib.set_starred(args.ids, True).count, 'paper')}")
    return 0


@command("unstar", "remove stars", IDS, writes=True)
def unstar(lib: Library, args: argparse.Namespace) -> int:
    print(f"unstarred {plural(lib.set_starred(args.ids, False).count, 'paper')}")
    return 0


@command("undo", "undo the last triage action", writes=True)
def undo(lib: Library, args: argparse.Namespace) -> int:
    from desktop.cli.imports import RESTORE_TURN, ctrl_c_cancels, interrupted, step_progress

    # A big delete or take-back is undone in steps; Ctrl+C turns it round.
    with ctrl_c_cancels() as cancel, \
            step_progress("undo", cancel=cancel, turn=RESTORE_TURN) as progress:
        change = lib.undo(progress=progress, cancel=cancel)
    if not change and cancel():
        return interrupted(change.description.removeprefix("Undo cancelled: "))
    print(change.description if change else "nothing to undo")
    return 0


@command("redo", "redo the last undone action", writes=True)
def redo(lib: Library, args: argparse.Namespace) -> int:
    from desktop.cli.imports import ctrl_c_cancels, interrupted, step_progress

    with ctrl_c_cancels() as cancel, step_progress("redo", cancel=cancel) as progress:
        change = lib.redo(progress=progress, cancel=cancel)
    if not change and cancel():
        return interrupted(change.description.removeprefix("Redo cancelled: "))
    print(change.description if change else "nothing to redo")
    return 0


# One verb per triage state, from the state table (storage/states.py): `winnow done
# ID...`, `winnow later ID --until DATE|tomorrow|next-week|someday`, and the user's
# own states from states.json. A verb another command already has makes states.json
# bad (one line naming it); the built-in verbs still parse then.
def _state_verb(name: str) -> Callable[[Library, argparse.Namespace], int]:
    def run(lib: Library, args: argparse.Namespace) -> int:
        until = getattr(args, "until", None)
        change = lib.set_state(args.ids, name, until)
        print(change.description[:1].lower() + change.description[1:])
        return 0

    return run


def register_state_verbs() -> None:
    """Called once every module has registered its commands (desktop/cli/__init__.py):
    a state whose verb is one of them is a bad states.json, not a verb left out."""
    states.reserve("verb", {name: f"the command `winnow {name}`"
                            for name in (*REGISTRY.commands, *REGISTRY.groups)})
    try:
        table = states.table()
    except states.StatesFileError:
        # Reported when a command reads the table; the built-in verbs still parse.
        table = states.StateTable(states.BUILTIN_STATES)
    for state in table.states:
        if state.verb in REGISTRY.commands or state.verb in REGISTRY.groups:
            continue
        extra = [arg("--until", type=text, default=None, metavar="WHEN",
                     help="YYYY-MM-DD, tomorrow, next-week, 3d, 2w or someday "
                          "(the default)")] if state.snoozes else []
        command(state.verb, f"move papers to {state.label}", IDS, *extra,
                writes=True)(_state_verb(state.name))

