"""Triage decisions: read, unread, star, unstar, and undo/redo of any of them."""

from __future__ import annotations

import argparse

from desktop.cli.common import paper_id, plural
from desktop.cli.registry import arg, command
from storage import Library

IDS = arg("ids", nargs="+", type=paper_id, metavar="ID")


@command("read", "mark papers read", IDS, writes=True)
def read(lib: Library, args: argparse.Namespace) -> int:
    print(f"marked {plural(lib.set_read(args.ids, True), 'paper')} read")
    return 0


@command("unread", "mark papers unread", IDS, writes=True)
def unread(lib: Library, args: argparse.Namespace) -> int:
    print(f"marked {plural(lib.set_read(args.ids, False), 'paper')} unread")
    return 0


@command("star", "star papers", IDS, writes=True)
def star(lib: Library, args: argparse.Namespace) -> int:
    print(f"starred {plural(lib.set_starred(args.ids, True), 'paper')}")
    return 0


@command("unstar", "remove stars", IDS, writes=True)
def unstar(lib: Library, args: argparse.Namespace) -> int:
    print(f"unstarred {plural(lib.set_starred(args.ids, False), 'paper')}")
    return 0


@command("undo", "undo the last triage action", writes=True)
def undo(lib: Library, args: argparse.Namespace) -> int:
    change = lib.undo()
    print(change.description if change else "nothing to undo")
    return 0


@command("redo", "redo the last undone action", writes=True)
def redo(lib: Library, args: argparse.Namespace) -> int:
    change = lib.redo()
    print(change.description if change else "nothing to redo")
    return 0
