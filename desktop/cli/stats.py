"""`winnow stats`: library counts and papers read per day."""

from __future__ import annotations

import argparse

from desktop.cli.registry import command
from storage import Library


@command("stats", "library counts")
def stats(lib: Library, args: argparse.Namespace) -> int:
    for name, value in lib.stats().items():
        print(f"{name:>10}  {value}")
    per_day = lib.triage_stats()
    if per_day:
        print("\npapers read per day (UTC), last 14 days:")
        for day, count in per_day:
            print(f"{day}  {count:>5}  {'█' * min(count, 60)}")
    return 0
