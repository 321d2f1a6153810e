"""`winnow export`: the formats are storage.export.FORMATS, the table the app reads too."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.common import text
from desktop.cli.registry import arg, command
from storage import Library
from storage.export import FORMATS


@command("export", "export matching papers",
         arg("query", nargs="*", type=text),
         arg("--format", default="json", choices=tuple(FORMATS)),
         arg("-o", "--output", metavar="FILE", help="write here instead of stdout"))
def export(lib: Library, args: argparse.Namespace) -> int:
    exported = lib.export(" ".join(args.query), format=args.format, out=args.output)
    if args.output:
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(exported)
    return 0
