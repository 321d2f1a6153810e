"""The library file: import, check, backup, restore."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from desktop.cli.common import PROG, CommandError, one_line, print_json
from desktop.cli.registry import arg, command
from storage import Library, PipedListing
from storage.safetext import unfiltered

# The FILE that names standard input, as `winnow note ID -` reads its text there.
STDIN = "-"
# A paste held in memory before it spills to a temporary file (a page is < 1 MB).
_SPOOL_BYTES = 32 << 20


@command("import", "import listing files ('-' reads stdin: wl-paste | winnow import -)",
         arg("files", nargs="+", metavar="FILE"),
         arg("--json", action="store_true", help="print a JSON report"),
         writes=True, opens="create")
def import_(lib: Library, args: argparse.Namespace) -> int:
    if args.files.count(STDIN) > 1:
        raise CommandError(f"'{STDIN}' (stdin) given {args.files.count(STDIN)} times; "
                           f"a pipe can be read only once")
    sources: list[str | PipedListing] = [
        _stdin_listing() if name == STDIN else name for name in args.files]
    interactive = sys.stderr.isatty() and not args.json

    # The progress line's own CR and erase-line go past the terminal-safe filter;
    # the file name in it does not.
    terminal = unfiltered(sys.stderr)

    def progress(name: str, done: int) -> None:
        print(f"\r{one_line(name)}: {done:,} papers…", end="", file=terminal, flush=True)

    report = lib.import_files(sources, progress=progress if interactive else None)
    if interactive:
        print("\r\033[K", end="", file=terminal, flush=True)
    if args.json:
        print_json(report.to_json())
    for file_report in report.files:
        if file_report.error:
            print(f"{PROG}: {one_line(file_report.error)}", file=sys.stderr)
            continue
        if not args.json:
            print(file_report.summary())
        for warning in file_report.warnings:
            print(f"  warning: {one_line(warning)}", file=sys.stderr)
    # A missing or unreadable file is a report with an error, like a bad one.
    return 0 if report.ok else 1


def _stdin_listing() -> PipedListing:
    """Standard input read to its end, as a listing named "stdin": a paste piped in
    (`xclip -o | winnow import -`, `pbpaste | ...`) imports as a file would, with
    the file's checks, refusals and warnings. At a terminal, the user is told how
    to end the paste instead of facing a silent wait."""
    if sys.stdin is None:
        raise CommandError("stdin: there is no standard input to read")
    if sys.stdin.isatty():
        print(f"{PROG} import: reading the listing from the terminal; paste it, then "
              f"press Ctrl+D on a line of its own", file=sys.stderr, flush=True)
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - the import closes it
    try:
        # Raw reads to the first empty one: a terminal's Ctrl+D is one empty read, and
        # a buffered read(n) read on past it, waiting for a second Ctrl+D.
        descriptor = sys.stdin.fileno()
        while chunk := os.read(descriptor, 1 << 20):
            spool.write(chunk)
    except OSError as error:
        spool.close()
        raise CommandError(f"stdin: cannot read ({error.strerror or error})") from None
    spool.seek(0)
    return PipedListing(spool, name="stdin")


@command("check", "run a full integrity check of the library")
def check(lib: Library, args: argparse.Namespace) -> int:
    lib.check(quick=False)
    print(f"{lib.path}: ok")
    return 0


@command("backup", "write a consistent copy of the library",
         arg("path", nargs="?", help="destination (default: backups/ beside it)"))
def backup(lib: Library, args: argparse.Namespace) -> int:
    target = lib.backup(args.path)
    print(f"backed up to {target}")
    return 0


@command("restore", "replace the library by a backup (the current file is kept aside)",
         arg("path"), opens=None)
def restore(args: argparse.Namespace) -> int:
    from storage.library import restore_backup

    backup_file = Path(args.path).expanduser()
    papers, kept = restore_backup(args.library_path, backup_file)
    print(f"restored {papers} papers from {backup_file}")
    if kept:
        print(f"the previous library is kept at {kept}")
    return 0


@command("init", "make a new, empty library (never over an existing file)", opens=None)
def init(args: argparse.Namespace) -> int:
    """The one command that makes a library where a file already is: an empty
    (zero-byte) one. Every other command refuses such a file untouched."""
    import stat

    from storage.integrity import create_library, locate

    path: Path = args.library_path
    found, _ = locate(path)  # a path that cannot name a file was refused by run()
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise CommandError(f"{path}: is a directory, not a library file")
    if found is not None and found.st_size > 0:
        # Opened read-only, so that whatever it is stays as it is; a foreign or
        # damaged file is refused with its own message.
        with Library(path, read_only=True):
            pass
        raise CommandError(f"{path}: already a Winnow library; nothing was changed")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        made = create_library(path, over_empty=found is not None)
    except OSError as error:
        raise CommandError(f"{path}: cannot create the library "
                           f"({error.strerror or error})") from None
    if not made:
        raise CommandError(f"{path}: another program made a file there first; "
                           f"nothing was changed")
    print(f"created an empty library at {path}")
    return 0
