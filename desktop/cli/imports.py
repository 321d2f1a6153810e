"""Where papers come from and the way back: sources, undo-import, delete, fetch."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from desktop.cli.common import (
    PROG,
    CommandError,
    one_line,
    paper_id,
    plural,
    positive,
    print_json,
)
from desktop.cli.registry import arg, command
from storage import Library
from storage.safetext import unfiltered

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from storage.fetch import FetchResult, Period


TAKE_TURN = "interrupted: putting back what was taken ({:,} papers still out)…"
RESTORE_TURN = "interrupted: taking out again what was put back ({:,} papers still back)…"


@contextmanager
def step_progress(label: str, *, quiet: bool = False, cancel: Callable[[], bool] | None = None,
                  turn: str = TAKE_TURN) -> Iterator[Callable[[int, int], None] | None]:
    """A progress line on a terminal's stderr for a job in steps (a take-back, a big
    delete, their undo), erased at the end; None when stderr is no terminal. Once
    `cancel()` (Ctrl+C) the line says what turning round does: `turn`."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    # The line's own CR and erase-line go past the terminal-safe filter.
    terminal = unfiltered(sys.stderr)

    def progress(done: int, total: int) -> None:
        line = turn.format(done) if cancel is not None and cancel() else \
            f"{label}: {done:,} of {total:,} papers…"
        print(f"\r\033[K{line}", end="", file=terminal, flush=True)

    try:
        yield progress
    finally:
        print("\r\033[K", end="", file=terminal, flush=True)


@contextmanager
def ctrl_c_cancels() -> Iterator[Callable[[], bool]]:
    """While a job in steps runs, the first Ctrl+C asks it to stop (it turns round
    between two steps: the library as before it); a second one interrupts at once,
    leaving the job for the next open to roll back. Yields the job's `cancel`."""
    pressed = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield pressed.is_set  # only the main thread may take the signal
        return

    def stop(_signum: int, _frame: object) -> None:
        if pressed.is_set():
            raise KeyboardInterrupt
        pressed.set()

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield pressed.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


def interrupted(what: str) -> int:
    """Ctrl+C stopped a job in steps and it turned round: one line, status 130."""
    print(f"{PROG}: interrupted: {what}", file=sys.stderr)
    return 130


@command("sources", "list imports with their counts (newest first)",
         arg("--all", action="store_true", help="also list imports that were undone"),
         arg("--limit", type=positive, default=None, help="at most N imports"),
         arg("--json", action="store_true", help="print a JSON array"))
def sources(lib: Library, args: argparse.Namespace) -> int:
    rows = lib.sources(args.limit, undone=args.all)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no imports yet")
    for row in rows:
        state = f"  ({row['status']})" if row["status"] in ("undone", "interrupted") else ""
        print(f"{row['id']:>5}  {row['imported_at'][:16].replace('T', ' ')}  "
              f"{row['form'] or '-':<9} {row['found']:>6} found {row['new']:>6} new "
              f"{row['updated']:>6} updated  {one_line(row['name'])}{state}")
    return 0


@command("undo-import", "take an import back: remove the papers only it brought, put back "
         "what it changed (`winnow undo` redoes it)",
         arg("ids", nargs="+", type=paper_id, metavar="IMPORT_ID"),
         arg("--json", action="store_true", help="print a JSON report"),
         writes=True)
def undo_import(lib: Library, args: argparse.Namespace) -> int:
    reports = []
    for source_id in args.ids:
        with ctrl_c_cancels() as cancel, \
                step_progress(f"taking back import {source_id}", quiet=args.json,
                              cancel=cancel) as progress:
            result = lib.undo_import(source_id, progress=progress, cancel=cancel)
        if result.cancelled:
            if args.json:
                print_json(reports)
            return interrupted(f"import {source_id} ({one_line(result.name)}) is as it was; "
                               f"nothing of it was taken back")
        reports.append(result.to_json())
        if args.json:
            continue
        print(f"undid import {source_id} ({one_line(result.name)}): removed "
              f"{plural(len(result.removed), 'paper')}, put back the listing facts of "
              f"{plural(len(result.reverted), 'paper')}")
        if result.kept_acted_on:
            shown = ", ".join(map(str, result.kept_acted_on[:10]))
            more = "…" if len(result.kept_acted_on) > 10 else ""
            print(f"  kept {plural(len(result.kept_acted_on), 'paper')} you acted on "
                  f"(read, starred, tagged, noted or highlighted): {shown}{more}")
        if result.kept_elsewhere:
            print(f"  kept {plural(len(result.kept_elsewhere), 'paper')} that other imports "
                  f"also list")
        if result.skipped:
            print(f"  left {plural(len(result.skipped), 'paper')} as a later import or you "
                  f"changed them")
    if args.json:
        print_json(reports)
    else:
        print(f"`{PROG} undo` puts {'it' if len(args.ids) == 1 else 'the last one'} back")
    return 0


@command("delete", "delete papers (a backup first; `winnow undo` brings them back)",
         arg("ids", nargs="+", type=paper_id, metavar="ID"), writes=True)
def delete(lib: Library, args: argparse.Namespace) -> int:
    with ctrl_c_cancels() as cancel, step_progress("deleting", cancel=cancel) as progress:
        change = lib.delete_papers(args.ids, progress=progress, cancel=cancel)
    if not change and cancel():
        return interrupted("no paper was deleted")
    print(f"deleted {plural(len(change.paper_ids), 'paper')} (`{PROG} undo` brings "
          f"{'it' if len(change.paper_ids) == 1 else 'them'} back)")
    return 0


@command("fetch", "import Daily Papers from the Hugging Face API (default: today)",
         arg("date", nargs="?", metavar="DATE", help="a day, YYYY-MM-DD (default: today)"),
         arg("--week", metavar="YYYY-Www", help="an ISO week, e.g. 2026-W48"),
         arg("--month", metavar="YYYY-MM", help="a month, e.g. 2026-11"),
         arg("--since", metavar="DATE", help="every day from DATE through today"),
         arg("--json", action="store_true", help="print a JSON report"),
         writes=True, opens="create")
def fetch(lib: Library, args: argparse.Namespace) -> int:
    from storage.fetch import Client, FetchError

    chosen = [name for name in ("date", "week", "month", "since") if getattr(args, name)]
    if len(chosen) > 1:
        raise CommandError(f"give one of DATE, --week, --month, --since (got "
                           f"{', '.join(chosen)})")
    interactive = sys.stderr.isatty() and not args.json

    def progress(message: str) -> None:
        if interactive:
            print(f"\r\033[K{one_line(message)}", end="", file=sys.stderr, flush=True)

    try:
        client = Client(progress=progress)
        files = []
        for result in client.fetch_all(_periods(args)):
            if interactive:
                progress("")
            files.append(_import_fetched(lib, result, client.host, as_json=args.json))
    except FetchError as error:
        if interactive:
            progress("")
        # "winnow fetch: no network: could not reach huggingface.co": the command names itself.
        print(f"{PROG} fetch: {one_line(error)}", file=sys.stderr)
        return 1
    if interactive:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    if args.json:
        print_json({"ok": all(f["ok"] for f in files), "files": files})
    return 0 if all(f["ok"] for f in files) else 1


def _periods(args: argparse.Namespace) -> list[Period]:
    """The periods `fetch` was asked for (FetchError names a bad one)."""
    from storage.fetch import day_period, month_period, since_periods, week_period

    if args.week:
        return [week_period(args.week)]
    if args.month:
        return [month_period(args.month)]
    if args.since:
        return since_periods(args.since)
    return [day_period(args.date)]


def _import_fetched(lib: Library, result: FetchResult, host: str, *, as_json: bool
                    ) -> dict[str, Any]:
    """Import one fetched period, named after the host it came from; its report as
    `fetch --json` gives it."""
    label = result.period.label
    if not result.items:
        if not as_json:
            print(f"{label}: no papers listed")
        return {"period": label, "found": 0, "ok": True, "error": None,
                "warnings": ["no papers listed"]}
    report = lib.import_text(result.json_text(), name=f"{host} {label}")
    if report.error:
        print(f"{PROG}: {one_line(report.error)}", file=sys.stderr)
    else:
        if not as_json:
            print(report.summary())
        for warning in report.warnings:
            print(f"  warning: {one_line(warning)}", file=sys.stderr)
    return {"period": label, "pages": result.pages, "retries": result.retries,
            **report.to_json()}
