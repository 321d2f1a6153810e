"""`winnow export`: the formats are storage.export.FORMATS, the table the app reads too."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop.cli.common import CommandError, text
from desktop.cli.registry import arg, command
from storage import Library
from storage.export import FORMAT_FILES, FORMATS, format_for


def chosen_format(given: str | None, output: str | None) -> str:
    """--format if given; else what `-o`'s name ends with, as the app's Export dialog
    decides (attack N27: `-o refs.bib` wrote JSON into refs.bib); JSON on stdout."""
    if given is not None:
        return given
    if output is None:
        return "json"
    suffix = Path(output).suffix
    found = format_for(suffix, default="")
    # A directory is not a format question: the write says what is wrong with it.
    if found or Path(output).is_dir():
        return found or "json"
    endings = ", ".join(ending for _label, ending in FORMAT_FILES.values())
    said = f"'{suffix}'" if suffix else "a name without an ending"
    raise CommandError(f"{output}: cannot tell the export format from {said}; "
                       f"name the file {endings} or give --format")


@command("export", "export matching papers",
         arg("query", nargs="*", type=text),
         arg("--format", choices=tuple(FORMATS),
             help="default: by -o's ending (.bib .csv .md .json), JSON on stdout"),
         arg("-o", "--output", metavar="FILE", help="write here instead of stdout"))
def export(lib: Library, args: argparse.Namespace) -> int:
    format = chosen_format(args.format, args.output)
    exported = lib.export(" ".join(args.query), format=format, out=args.output)
    if args.output:
        print(f"wrote {args.output} ({format})", file=sys.stderr)
    else:
        sys.stdout.write(exported)
    return 0
