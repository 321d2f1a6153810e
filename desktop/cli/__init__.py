"""The `winnow` command line: one function per subcommand. Qt is imported only by `gui`.

Adding a subcommand is one function in one file. Write it in a module of this package
(an existing topic, or a new file: every module here is imported at start, so a new
file needs no registration anywhere else) and decorate it with `@command`:

    from desktop.cli.common import paper_id
    from desktop.cli.registry import arg, command

    @command("done", "mark papers done", arg("ids", nargs="+", type=paper_id),
             writes=True)
    def done(lib: Library, args: argparse.Namespace) -> int:
        ...
        return 0

The function gets the open `Library` and the parsed arguments and returns the exit
status; `CommandError("...")` becomes one line on stderr and status 1. `writes=True`
makes a success take the automatic daily backup; `opens="create"` lets the command
create a missing library; `opens=None` opens none (the function gets only `args`).
Actions under a word (`winnow search save`) are declared with `group("search", help)`
and registered as "search save"; `group(..., hint=...)` says what to type instead
when the word after the group is no action of it. Document every option in
README.md (tests/test_docs.py checks), and keep Qt imports inside the function that opens the GUI.

Topics: app (gui), library (import, check, backup, restore), papers (list, show,
similar), triage (read, unread, star, unstar, undo, redo), tags, notes (note, annotate,
annotations), export, searches (search ...), stats.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from desktop.cli.common import PROG, CommandError, one_line
from desktop.cli.registry import REGISTRY, Command, library_path, top_parser
from storage.integrity import NewLibrary, locate
from storage.safetext import terminal_safe_output

__all__ = ["REGISTRY", "CommandError", "build_parser", "gui_main", "main", "run"]

# Every module of the package, so that a new file's `@command`s register themselves.
for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
importlib.import_module(f"{__name__}.triage").register_state_verbs()

DEFAULT_COMMAND = "gui"


def build_parser() -> argparse.ArgumentParser:
    return REGISTRY.build_parser(top_parser())


def _daily_backup(lib: object) -> None:
    """The automatic backup after a write. Its failure (a full disk) must not turn
    a saved change into an error, but damage it finds must be heard."""
    from storage import LibraryError
    from storage.library import LibraryCorrupt

    try:
        lib.daily_backup()  # type: ignore[attr-defined]
    except LibraryCorrupt:
        raise
    except LibraryError as error:
        print(f"{PROG}: warning: automatic backup failed: {one_line(error)}",
              file=sys.stderr)


def _finish_cut_short(lib: object) -> None:
    from desktop.cli.imports import step_progress
    from storage import LibraryError
    from storage.library import LibraryCorrupt

    jobs = [] if lib.read_only else lib.removal_jobs()  # type: ignore[attr-defined]
    if not jobs:
        return
    # An import cut short is taken back; a take-back or delete cut short, finished.
    doing = "taking back" if jobs[0]["kind"] == "import" else "finishing"
    try:
        with step_progress(f"{doing} {jobs[0]['what']}, cut short") as progress:
            told = lib.finish_cut_short(progress=progress)  # type: ignore[attr-defined]
    except LibraryCorrupt:
        raise
    except LibraryError as error:  # busy or full: the next open finishes it
        print(f"{PROG}: warning: {jobs[0]['what']} was cut short and cannot be "
              f"{'taken back' if doing == 'taking back' else 'finished'} now: "
              f"{one_line(error)}", file=sys.stderr)
        return
    for line in told:
        print(f"{PROG}: {one_line(line)}", file=sys.stderr)
        lib.notices.remove(line)  # type: ignore[attr-defined]


def run(args: argparse.Namespace) -> int:
    cmd: Command = getattr(args, "command_", None) or REGISTRY.commands[DEFAULT_COMMAND]
    args.library_path, args.default_library = library_path(args.db)
    path = args.library_path
    found, problem = locate(path)
    if problem is not None:  # a symlink loop, a name too long, no permission
        raise CommandError(f"{path}: {problem}")
    if cmd.opens is None:
        return cmd.handler(args)
    from storage import Library

    if cmd.opens == "existing" and found is None:
        raise CommandError(f"{path}: no library yet; import listings with "
                           f"`{PROG} import FILE...` or start the app")
    # A delete or take-back a kill cut short is finished here, with a progress line
    # and one line saying so before the command's own output.
    with Library(path, finish_cut_short=False) as lib:
        try:
            _finish_cut_short(lib)
            status = cmd.handler(lib, args)
            # `writes` may depend on the options (`tags` lists, `tags --delete` writes).
            writes = cmd.writes(args) if callable(cmd.writes) else cmd.writes
            if status == 0 and writes and not lib.read_only:
                _daily_backup(lib)
        finally:
            # What opening or the backup did on its own: an interrupted import
            # taken back (and what of it was kept), a weekly backup of a huge library.
            for notice in lib.notices:
                print(f"{PROG}: {one_line(notice)}", file=sys.stderr)
        return status


def main(argv: Sequence[str] | None = None) -> int:
    # A file name with undecodable bytes, echoed in a message, must not crash the
    # output: show those bytes as escapes instead.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    # Everything a command prints (titles, tags, notes, file names, messages) goes
    # through one filter: no text from a listing can drive the terminal.
    with terminal_safe_output():
        return _run_reporting(args)


def _run_reporting(args: argparse.Namespace) -> int:
    from storage import LibraryError, SchemaTooNew
    from storage.states import StatesFileError

    fresh = None
    try:
        fresh = _new_library(args)
        return run(args)
    except (CommandError, LibraryError, SchemaTooNew, StatesFileError) as error:
        print(f"{PROG}: {one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `winnow list | head` closing the pipe early is not an error.
        sys.stderr.close()
        return 0
    except Exception as error:
        print(f"{PROG}: unexpected error: {type(error).__name__}: {one_line(error)}",
              file=sys.stderr)
        return 1
    finally:
        # A first import that brought nothing leaves nothing: no empty library
        # file, no folders, no backups/ at a new path (attack N13).
        if fresh is not None:
            fresh.discard()


def _new_library(args: argparse.Namespace) -> NewLibrary | None:
    """What a command that may create the library would make, to take back if the
    library it made holds nothing at the end; None for the others."""
    cmd: Command = getattr(args, "command_", None) or REGISTRY.commands[DEFAULT_COMMAND]
    if cmd.opens != "create":
        return None
    path, _default = library_path(args.db)
    return NewLibrary(path)


def gui_main() -> int:
    return main(["gui", *sys.argv[1:]])
