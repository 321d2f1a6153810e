"""What the reader writes: note, annotate, annotations."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.common import CommandError, paper_id, print_json, require, text
from desktop.cli.registry import arg, command
from storage import Library
from storage.models import COLOURS


def _read_stdin() -> str:
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError("the note on stdin is not UTF-8 text") from None


@command("note", "set a paper's note ('-' reads stdin)",
         arg("id", type=paper_id),
         arg("text", type=text, help="the note; an empty string clears it"),
         writes=True)
def note(lib: Library, args: argparse.Namespace) -> int:
    note_text = _read_stdin() if args.text == "-" else args.text
    require(lib, args.id)
    lib.set_note(args.id, note_text)
    print("note cleared" if not note_text else "note saved")
    return 0


@command("annotate", "highlight a quote of a paper's abstract",
         arg("id", type=paper_id),
         arg("--quote", required=True, type=text, help="text exactly as in the abstract"),
         arg("--comment", default=None, type=text),
         arg("--colour", "--color", default=None, choices=COLOURS),
         writes=True)
def annotate(lib: Library, args: argparse.Namespace) -> int:
    annotation = lib.annotate_quote(args.id, args.quote, comment=args.comment,
                                    colour=args.colour).annotation
    print(f"annotation {annotation.id} on paper {args.id}: "
          f"characters {annotation.start}-{annotation.end}")
    return 0


@command("annotations", "list annotations of matching papers",
         arg("query", nargs="*", type=text),
         arg("--json", action="store_true"))
def annotations(lib: Library, args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    wanted = set(lib.search(query, limit=None).ids) if query else None
    found = [a for a in lib.annotations() if wanted is None or a.paper_id in wanted]
    if args.json:
        print_json([{"paper_id": a.paper_id, **a.to_json()} for a in found])
    else:
        for a in found:
            comment = f" — {a.comment}" if a.comment else ""
            print(f"{a.paper_id:>6} [{a.id}] ({a.colour}) \"{a.quote}\"{comment}")
    return 0
