"""The `winnow` command line. Qt is imported only when the GUI opens."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from storage import Library, LibraryError, Paper, SchemaTooNew, default_library_path
from storage.export import FORMATS, meta_line
from storage.library import LibraryCorrupt, restore_backup
from storage.models import COLOURS

PROG = "winnow"


# Commands that change the library: each success is followed by the automatic
# daily backup, which costs one directory listing when today's exists.
WRITES = frozenset({"import", "read", "unread", "star", "unstar", "tag", "note", "annotate",
                    "search", "undo", "redo"})
# SQLite integers are signed 64-bit: a bigger id would fail deep in a query.
MAX_ID = 2**63 - 1
MAX_LIMIT = 10**9


class CommandError(Exception):
    """A one-line message for stderr; exit status 1."""


def _one_line(text: object) -> str:
    """A message as one line: control characters (newlines, U+001E, U+202E...) that
    arrived in an argument or a file name are shown escaped, not obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (exit status 2), naming the help to read."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {_one_line(message)} (see `{self.prog} --help`)\n")


def _text(value: str) -> str:
    # Undecodable bytes in argv arrive as lone surrogates, which SQLite and UTF-8
    # output refuse; file names are the one place such bytes are legitimate.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            f"not valid UTF-8 text: {value!r}") from None
    return value


def _whole_number(text: str, *, high: int, what: str) -> int:
    """An argument that must be a whole number from 1 to `high`; `what` names it in
    the one-line message argparse prints."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} {text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{what} {text!r} must be at least 1 "
                                         f"(a positive number)")
    if value > high:
        raise argparse.ArgumentTypeError(f"{what} {text!r} is too large (at most {high:,})")
    return value


def _paper_id(text: str) -> int:
    return _whole_number(text, high=MAX_ID, what="invalid paper id")


def _positive(text: str) -> int:
    return _whole_number(text, high=MAX_LIMIT, what="number")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Triage Hugging Face Daily Papers listings. With no command, opens the app.",
    )
    parser.add_argument("--db", metavar="PATH",
                        help="library file (default: $WINNOW_DB, else the user data dir)")
    parser.add_argument("--version", action="version", version="%(prog)s 0.1.0")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("--screenshot", metavar="OUT.png",
                     help="render the window at 1280x800, save it as a PNG and exit")
    gui.add_argument("--search", metavar="QUERY", type=_text,
                     help="with --screenshot: run this search")
    gui.add_argument("--keys", metavar="KEYS", type=_text,
                     help='with --screenshot: keys to press first, e.g. "r j s ctrl+z"')

    imp = commands.add_parser("import", help="import listing files")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--json", action="store_true", help="print a JSON report")

    lst = commands.add_parser("list", help="list papers matching a query")
    lst.add_argument("query", nargs="*", type=_text, help="query (see README: Query language)")
    lst.add_argument("--limit", type=_positive, default=50, help="at most N papers (50)")
    lst.add_argument("--sort", choices=("relevance", "date", "upvotes", "added", "title"))
    lst.add_argument("--json", action="store_true", help="print a JSON array of papers")
    lst.add_argument("--explain", action="store_true",
                     help="print how the query was understood and the SQL it ran")

    show = commands.add_parser("show", help="show one paper")
    show.add_argument("id", type=_paper_id)
    show.add_argument("--json", action="store_true")

    similar = commands.add_parser("similar", help="papers most like a paper (its distinctive "
                                  "words)")
    similar.add_argument("id", type=_paper_id)
    similar.add_argument("--limit", type=_positive, default=10, help="at most N papers (10)")
    similar.add_argument("--json", action="store_true", help="print a JSON array of papers")

    for name, text in (("read", "mark papers read"), ("unread", "mark papers unread"),
                       ("star", "star papers"), ("unstar", "remove stars")):
        flag = commands.add_parser(name, help=text)
        flag.add_argument("ids", nargs="+", type=_paper_id, metavar="ID")

    tag = commands.add_parser("tag", help="add or remove tags")
    tag.add_argument("ids", nargs="+", type=_paper_id, metavar="ID")
    tag.add_argument("--add", action="append", default=[], metavar="TAG", type=_text)
    tag.add_argument("--remove", action="append", default=[], metavar="TAG", type=_text)

    commands.add_parser("tags", help="list tags with their paper counts")

    note = commands.add_parser("note", help="set a paper's note ('-' reads stdin)")
    note.add_argument("id", type=_paper_id)
    note.add_argument("text", type=_text, help="the note; an empty string clears it")

    ann = commands.add_parser("annotate", help="highlight a quote of a paper's abstract")
    ann.add_argument("id", type=_paper_id)
    ann.add_argument("--quote", required=True, type=_text,
                     help="text exactly as in the abstract")
    ann.add_argument("--comment", default=None, type=_text)
    ann.add_argument("--colour", "--color", default=None, choices=COLOURS)

    anns = commands.add_parser("annotations", help="list annotations of matching papers")
    anns.add_argument("query", nargs="*", type=_text)
    anns.add_argument("--json", action="store_true")

    exp = commands.add_parser("export", help="export matching papers")
    exp.add_argument("query", nargs="*", type=_text)
    exp.add_argument("--format", default="json", choices=tuple(FORMATS))
    exp.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")

    search = commands.add_parser("search", help="saved searches")
    saved = search.add_subparsers(dest="action", metavar="ACTION", required=True)
    save = saved.add_parser("save", help="save a query under a name")
    save.add_argument("name", type=_text)
    save.add_argument("query", nargs="+", type=_text)
    saved.add_parser("list", help="list saved searches with counts")
    delete = saved.add_parser("delete", help="delete a saved search")
    delete.add_argument("name", type=_text)

    commands.add_parser("undo", help="undo the last triage action")
    commands.add_parser("redo", help="redo the last undone action")
    commands.add_parser("stats", help="library counts")
    commands.add_parser("check", help="run a full integrity check of the library")

    backup = commands.add_parser("backup", help="write a consistent copy of the library")
    backup.add_argument("path", nargs="?", help="destination (default: backups/ beside it)")
    restore = commands.add_parser(
        "restore", help="replace the library by a backup (the current file is kept aside)")
    restore.add_argument("path")
    return parser


def _library_path(args: argparse.Namespace) -> tuple[Path, bool]:
    """The library file, and whether it is the default one (not named by the user)."""
    if args.db:
        return Path(args.db).expanduser(), False
    if os.environ.get("WINNOW_DB"):
        return default_library_path(), False
    return default_library_path(), True


def _print_papers(papers: Sequence[Paper]) -> None:
    for paper in papers:
        marks = ("·" if paper.read else "●") + ("★" if paper.starred else " ")
        tags = f"  [{', '.join(paper.tags)}]" if paper.tags else ""
        print(f"{paper.id:>6} {marks} {' '.join(paper.title.split())}{tags}")


def _print_paper(paper: Paper) -> None:
    print(" ".join(paper.title.split()))
    print(meta_line(paper))
    state = ["read" if paper.read else "unread"] + (["starred"] if paper.starred else [])
    print(f"id {paper.id} · {', '.join(state)}" +
          (f" · tags: {', '.join(paper.tags)}" if paper.tags else ""))
    print()
    print(paper.abstract)
    if paper.annotations:
        print("\nAnnotations:")
        for a in paper.annotations:
            comment = f" — {a.comment}" if a.comment else ""
            print(f"  [{a.id}] ({a.colour}) \"{a.quote}\"{comment}")
    if paper.note:
        print("\nNote:\n" + paper.note)


def _import(lib: Library, args: argparse.Namespace) -> int:
    interactive = sys.stderr.isatty() and not args.json

    def progress(name: str, done: int) -> None:
        print(f"\r{name}: {done:,} papers…", end="", file=sys.stderr, flush=True)

    report = lib.import_files(args.files, progress=progress if interactive else None)
    if interactive:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    for file_report in report.files:
        if file_report.error:
            print(f"{PROG}: {_one_line(file_report.error)}", file=sys.stderr)
            continue
        if not args.json:
            print(file_report.summary())
        for warning in file_report.warnings:
            print(f"  warning: {_one_line(warning)}", file=sys.stderr)
    # A missing or unreadable file is a report with an error, like a bad one.
    return 0 if report.ok else 1


def _read_stdin() -> str:
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError("the note on stdin is not UTF-8 text") from None


def _require(lib: Library, paper_id: int) -> Paper:
    paper = lib.get(paper_id)
    if paper is None:
        raise CommandError(f"no paper with id {paper_id}")
    return paper


def _restore(path: Path, backup: Path) -> int:
    papers, kept = restore_backup(path, backup)
    print(f"restored {papers} papers from {backup}")
    if kept:
        print(f"the previous library is kept at {kept}")
    return 0


def _daily_backup(lib: Library) -> None:
    """The automatic backup after a write. Its failure (a full disk) must not turn
    a saved change into an error, but damage it finds must be heard."""
    try:
        lib.daily_backup()
    except LibraryCorrupt:
        raise
    except LibraryError as error:
        print(f"{PROG}: warning: automatic backup failed: {_one_line(error)}",
              file=sys.stderr)


def _choose_qt_platform(screenshot: bool) -> None:
    """Screenshots render offscreen; a window needs a display, and without one Qt
    aborts the process, so say so in one line first."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise CommandError("no display to open the app on (DISPLAY and WAYLAND_DISPLAY are "
                           "unset); use the commands in `winnow --help`, or "
                           "`winnow gui --screenshot OUT.png`")


def run(args: argparse.Namespace) -> int:
    path, is_default = _library_path(args)
    command = args.command or "gui"
    if command == "gui":
        screenshot = getattr(args, "screenshot", None)
        if screenshot is None and (getattr(args, "search", None) or getattr(args, "keys", None)):
            raise CommandError("--search and --keys go with --screenshot")
        first_start = is_default and not path.exists()
        _choose_qt_platform(screenshot is not None)
        from desktop.app import run_gui

        return run_gui(path, import_samples_if_new=first_start,
                       screenshot=Path(screenshot) if screenshot else None,
                       search=getattr(args, "search", None),
                       keys=(args.keys.split() if getattr(args, "keys", None) else None))
    if command == "restore":
        return _restore(path, Path(args.path).expanduser())
    if command not in ("import",) and not path.exists():
        raise CommandError(f"{path}: no library yet; import listings with "
                           f"`{PROG} import FILE...` or start the app")
    with Library(path) as lib:
        status = _dispatch(lib, command, args)
        listing_only = command == "search" and args.action == "list"
        if status == 0 and command in WRITES and not listing_only and not lib.read_only:
            _daily_backup(lib)
        return status


def _dispatch(lib: Library, command: str, args: argparse.Namespace) -> int:
    if command == "import":
        return _import(lib, args)
    if command == "list":
        query = " ".join(args.query)
        if args.explain:
            print(lib.explain(query))
        result = lib.search(query, limit=args.limit, sort=args.sort)
        for typed, instead in result.corrections:
            print(f"{PROG}: no match for {typed!r}; searched {instead!r} instead",
                  file=sys.stderr)
        papers = lib.get_many(result.ids)
        if args.json:
            print(json.dumps([p.to_json() for p in papers], ensure_ascii=False, indent=2))
        else:
            _print_papers(papers)
        return 0
    if command == "show":
        paper = _require(lib, args.id)
        if args.json:
            print(json.dumps(paper.to_json(), ensure_ascii=False, indent=2))
        else:
            _print_paper(paper)
        return 0
    if command == "similar":
        papers = lib.get_many(lib.similar(args.id, args.limit))
        if args.json:
            print(json.dumps([p.to_json() for p in papers], ensure_ascii=False, indent=2))
        else:
            _print_papers(papers)
        return 0
    if command in ("read", "unread"):
        changed = lib.set_read(args.ids, command == "read")
        print(f"marked {changed} paper{'s' if changed != 1 else ''} {command}")
        return 0
    if command in ("star", "unstar"):
        changed = lib.set_starred(args.ids, command == "star")
        print(f"{command}red {changed} paper{'s' if changed != 1 else ''}")
        return 0
    if command == "tag":
        if not args.add and not args.remove:
            raise CommandError("tag: give --add TAG and/or --remove TAG")
        added = lib.add_tags(args.ids, args.add) if args.add else 0
        removed = lib.remove_tags(args.ids, args.remove) if args.remove else 0
        print(f"added {added}, removed {removed} tag{'s' if added + removed != 1 else ''}")
        return 0
    if command == "tags":
        for name, count in lib.tags():
            print(f"{count:>6}  {name}")
        return 0
    if command == "note":
        text = _read_stdin() if args.text == "-" else args.text
        _require(lib, args.id)
        lib.set_note(args.id, text)
        print("note cleared" if not text else "note saved")
        return 0
    if command == "annotate":
        annotation = lib.annotate_quote(args.id, args.quote, comment=args.comment,
                                        colour=args.colour)
        print(f"annotation {annotation.id} on paper {args.id}: "
              f"characters {annotation.start}-{annotation.end}")
        return 0
    if command == "annotations":
        query = " ".join(args.query)
        ids = lib.search(query, limit=None).ids if query else None
        wanted = set(ids) if ids is not None else None
        annotations = [a for a in lib.annotations()
                       if wanted is None or a.paper_id in wanted]
        if args.json:
            print(json.dumps([{"paper_id": a.paper_id, **a.to_json()} for a in annotations],
                             ensure_ascii=False, indent=2))
        else:
            for a in annotations:
                comment = f" — {a.comment}" if a.comment else ""
                print(f"{a.paper_id:>6} [{a.id}] ({a.colour}) \"{a.quote}\"{comment}")
        return 0
    if command == "export":
        text = lib.export(" ".join(args.query), format=args.format, out=args.output)
        if args.output:
            print(f"wrote {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    if command == "search":
        if args.action == "save":
            lib.save_search(args.name, " ".join(args.query))
            print(f"saved search {args.name!r}")
        elif args.action == "list":
            for name, query in lib.saved_searches():
                print(f"{lib.count(query):>6}  {name}: {query}")
        else:
            lib.delete_saved_search(args.name)
            print(f"deleted saved search {args.name!r}")
        return 0
    if command in ("undo", "redo"):
        change = lib.undo() if command == "undo" else lib.redo()
        print(change.description if change else f"nothing to {command}")
        return 0
    if command == "stats":
        for name, value in lib.stats().items():
            print(f"{name:>10}  {value}")
        per_day = lib.triage_stats()
        if per_day:
            print("\npapers read per day (UTC), last 14 days:")
            for day, count in per_day:
                print(f"{day}  {count:>5}  {'█' * min(count, 60)}")
        return 0
    if command == "check":
        lib.check(quick=False)
        print(f"{lib.path}: ok")
        return 0
    if command == "backup":
        target = lib.backup(args.path)
        print(f"backed up to {target}")
        return 0
    raise CommandError(f"unknown command {command!r}")


def main(argv: Sequence[str] | None = None) -> int:
    # A file name with undecodable bytes, echoed in a message, must not crash the
    # output: show those bytes as escapes instead.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args)
    except (CommandError, LibraryError, SchemaTooNew) as error:
        print(f"{PROG}: {_one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `winnow list | head` closing the pipe early is not an error.
        sys.stderr.close()
        return 0
    except Exception as error:
        print(f"{PROG}: unexpected error: {type(error).__name__}: {_one_line(error)}",
              file=sys.stderr)
        return 1


def gui_main() -> int:
    return main(["gui", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
