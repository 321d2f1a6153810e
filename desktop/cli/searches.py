"""Saved searches: `winnow search save|list|delete`."""

from __future__ import annotations

import argparse

from desktop.cli.common import text
from desktop.cli.registry import arg, command, group
from storage import Library

group("search", "saved searches (to search papers: winnow list QUERY)",
      hint="to search papers: {prog} list {words}")


@command("search save", "save a query under a name",
         arg("name", type=text), arg("query", nargs="+", type=text), writes=True)
def save(lib: Library, args: argparse.Namespace) -> int:
    lib.save_search(args.name, " ".join(args.query))
    print(f"saved search {args.name!r}")
    return 0


@command("search list", "list saved searches with counts")
def list_saved(lib: Library, args: argparse.Namespace) -> int:
    for name, query in lib.saved_searches():
        print(f"{lib.count(query):>6}  {name}: {query}")
    return 0


@command("search delete", "delete a saved search", arg("name", type=text), writes=True)
def delete(lib: Library, args: argparse.Namespace) -> int:
    lib.delete_saved_search(args.name)
    print(f"deleted saved search {args.name!r}")
    return 0
