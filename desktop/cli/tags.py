"""Tags: tag (add and remove), tags (list with counts and quick keys; rename, merge,
delete)."""

from __future__ import annotations

import argparse

from desktop.cli.common import CommandError, paper_id, plural, print_json, text
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
    # Counts are (paper, tag) pairs; only what was asked for is reported.
    done = [f"{verb} {plural(count, 'tag')}" for verb, count, asked in
            (("added", added, args.add), ("removed", removed, args.remove)) if asked]
    print(", ".join(done))
    return 0


@command("tags", "list tags with their paper counts and quick keys; rename, merge, delete",
         arg("--rename", nargs=2, metavar=("OLD", "NEW"), type=text,
             help="rename tag OLD to NEW; if NEW exists, OLD is merged into it"),
         arg("--delete", metavar="TAG", type=text, help="take TAG off every paper and delete it"),
         arg("--json", action="store_true", help="print the tags as a JSON array"),
         writes=lambda args: bool(args.rename or args.delete))
def tags(lib: Library, args: argparse.Namespace) -> int:
    if args.rename and args.delete:
        raise CommandError("tags: give --rename or --delete, not both")
    if args.rename:
        old, new = args.rename
        merging = new.casefold() != old.casefold() and any(
            name.casefold() == new.casefold() for name, _ in lib.tags())
        moved = lib.rename_tag(old, new)
        verb = "merged into" if merging else "renamed to"
        print(f"tag {old!r} {verb} {new!r} ({moved} paper{'s' if moved != 1 else ''}); "
              f"`winnow undo` takes it back")
        return 0
    if args.delete:
        count = lib.delete_tag(args.delete)
        print(f"tag {args.delete!r} deleted from {count} paper{'s' if count != 1 else ''}; "
              f"`winnow undo` takes it back")
        return 0
    keys = {name: number for number, name in lib.quick_tags()}
    listed = lib.tags()
    if args.json:
        print_json([{"name": name, "papers": count, "quick_key": keys.get(name)}
                    for name, count in listed])
        return 0
    for name, count in listed:
        key = keys.get(name)
        print(f"{count:>6}  {key if key else ' '}  {name}")
    return 0
