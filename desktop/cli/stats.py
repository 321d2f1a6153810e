"""`winnow stats`: library counts and triage statistics (storage/stats.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.common import CommandError, print_json
from desktop.cli.registry import arg, command
from storage import Library
from storage.stats import TriageStats, triage_stats

MAX_DAYS = 36_525


@command("stats", "library counts and triage statistics",
         arg("--json", action="store_true", help="every figure as JSON"),
         arg("--plot", type=Path, default=None, metavar="FILE.png",
             help="draw the figures into a PNG file"),
         arg("--days", type=int, default=365, help="days of history (default 365)"))
def stats(lib: Library, args: argparse.Namespace) -> int:
    # A day count past the calendar's end was "unexpected error: OverflowError".
    if not 1 <= args.days <= MAX_DAYS:
        raise CommandError(f"stats: --days must be between 1 and {MAX_DAYS:,} (100 years)")
    figures = triage_stats(lib, days=args.days)
    counts = lib.stats()
    if args.plot is not None:
        from storage.integrity import is_library_file
        from storage.plot import plot_stats  # matplotlib only when asked for

        if is_library_file(lib.path, args.plot):
            raise CommandError(f"{args.plot}: is the library's own file; plot to another file")

        try:
            plot_stats(figures, args.plot)
        except OSError as error:
            raise CommandError(f"{args.plot}: cannot write ({error.strerror or error})"
                               ) from None
        except ValueError as error:  # matplotlib: no image format of that name
            if "not supported" not in str(error):
                raise
            raise CommandError(f"{args.plot}: not an image format matplotlib writes "
                               f"(use .png, .svg or .pdf)") from None
    if args.json:
        print_json({"counts": counts, **figures.to_json()})
    elif args.plot is None:
        _print_text(counts, figures, lib.unknown_states())
    else:
        print(f"wrote {args.plot}")
    return 0


def _print_text(counts: dict[str, int], figures: TriageStats,
                unknown: dict[str, int]) -> None:
    # Papers in a state states.json no longer defines keep it: a row each after the
    # table's states, so that the states add up to the total.
    last_state = next((name for name in reversed(counts) if name in figures.per_state), None)
    for name, value in counts.items():
        print(f"{name:>10}  {value}")
        if name == last_state:
            for other, held in unknown.items():
                print(f"{other:>10}  {held}  (a state not in states.json)")
    recent = [(day, n) for day, n in figures.per_day[-14:] if n]
    if recent:
        print("\ndecisions per day (papers decided that day, still so), last 14 days:")
        for day, count in recent:
            print(f"{day}  {count:>5}  {'█' * min(count, 60)}")
    timing = figures.decision_seconds
    if timing["count"]:
        print(f"\ntime per decision: median {timing['median']:.1f} s, "
              f"mean {timing['mean']:.1f} s over {timing['count']} decisions")
    # The README promised these in the text too; only --json and --plot had them.
    if figures.inbox:
        _day, size, oldest = figures.inbox[-1]
        line = f"\ninbox: {size:,} papers"
        if len(figures.inbox) > 7:
            line += f" ({figures.inbox[-8][1]:,} a week ago)"
        if oldest is not None:
            line += f", the oldest waiting {oldest:,} day{'' if oldest == 1 else 's'}"
        print(line)
    if figures.top_tags:
        print("\ntop tags: " + ", ".join(f"{tag} ({count:,})"
                                          for tag, count in figures.top_tags))
