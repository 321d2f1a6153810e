"""What the reader writes: note, annotate, annotations."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.common import (
    MAX_ID,
    CommandError,
    paper_id,
    print_json,
    require,
    text,
    whole_number,
)
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


@command("annotate", "highlight a quote of a paper's abstract (or of its AI summary)",
         arg("id", type=paper_id),
         arg("--quote", required=True, type=text, help="text exactly as in the abstract"),
         arg("--comment", default=None, type=text),
         arg("--colour", "--color", default=None, choices=COLOURS),
         arg("--summary", action="store_true",
             help="the quote is in the paper's AI summary (the default for a card that "
                  "has only a summary, as a trending page's)"),
         writes=True)
def annotate(lib: Library, args: argparse.Namespace) -> int:
    paper = lib.get(args.id)
    # A trending card's body is its summary: that is where its highlights go.
    on_summary = args.summary or (paper is not None and not paper.abstract
                                  and bool(paper.ai_summary))
    annotation = lib.annotate_quote(args.id, args.quote, comment=args.comment,
                                    colour=args.colour,
                                    field="ai_summary" if on_summary else "abstract").annotation
    print(f"annotation {annotation.id} on paper {args.id}"
          f"{' (its AI summary)' if on_summary else ''}: "
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
            where = " (AI summary)" if a.field == "ai_summary" else ""
            print(f"{a.paper_id:>6} [{a.id}] ({a.colour}){where} \"{a.quote}\"{comment}")
    return 0


def highlight_id(value: str) -> int:
    return whole_number(value, high=MAX_ID, what="invalid highlight id")


@command("highlight", "edit the comment or colour of a highlight, or delete it",
         arg("--edit", type=highlight_id, metavar="ID", help="the highlight (annotation) to edit"),
         arg("--comment", default=None, type=text, help="with --edit: the new comment "
             "(an empty string clears it)"),
         arg("--colour", "--color", default=None, choices=COLOURS,
             help="with --edit: the new colour"),
         arg("--delete", type=highlight_id, metavar="ID", help="delete this highlight"),
         writes=True)
def highlight(lib: Library, args: argparse.Namespace) -> int:
    if (args.edit is None) == (args.delete is None):
        raise CommandError("highlight: give --edit ID (with --comment and/or --colour) "
                           "or --delete ID; `winnow annotations` lists the ids")
    if args.edit is not None and args.comment is None and args.colour is None:
        raise CommandError("highlight --edit: give --comment TEXT and/or --colour COLOUR")
    target = args.edit if args.edit is not None else args.delete
    annotation = lib.annotation(target)
    if annotation is None:
        raise CommandError(f"no highlight with id {target} (`winnow annotations` lists them)")
    if args.delete is not None:
        lib.delete_annotation(target)
        print(f"highlight {target} on paper {annotation.paper_id} deleted; "
              f"`winnow undo` takes it back")
        return 0
    lib.update_annotation(target, comment=args.comment, colour=args.colour)
    print(f"highlight {target} on paper {annotation.paper_id} updated")
    return 0
