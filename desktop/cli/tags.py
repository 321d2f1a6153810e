"""Tags: tag (add and remove), tags (list with counts)."""

from __future__ import annotations

import argparse

from desktop.cli.common import CommandError, paper_id, text
from desktop.cli.registry import arg, command
from storage import Library


@command("tag", "add or remove tags",
         arg("ids", nargs="+", type=paper_id, metavar="ID"),
         arg("--add", action="append", default=[], metavar="TAG", type=text),
         arg("--remove", action="append", default=[], metavar="TAG", type=text),
         writes=True)
def tag(lib: Library, args: argparse.Namespace) -> int:
    if not args.add and not args.remove:
        raise CommandError("tag: give --add TAG and/or --remove TAG")
    added = lib.add_tags(args.ids, args.add).count if args.add else 0
    removed = lib.remove_tags(args.ids, args.remove).count if args.remove else 0
    print(f"added {added}, removed {removed} tag{'s' if added + removed != 1 else ''}")
    return 0


@command("tags", "list tags with their paper counts")
def tags(lib: Library, args: argparse.Namespace) -> int:
    for name, count in lib.tags():
        print(f"{count:>6}  {name}")
    return 0
