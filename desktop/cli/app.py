"""`winnow gui`: the desktop app, the one command that imports Qt (inside the function)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from desktop.cli.common import CommandError, text
from desktop.cli.registry import arg, command


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


@command("gui", "open the desktop app (the default)",
         arg("--screenshot", metavar="OUT.png",
             help="render the window at 1280x800, save it as a PNG and exit"),
         arg("--search", metavar="QUERY", type=text,
             help="with --screenshot: run this search"),
         arg("--keys", metavar="KEYS", type=text,
             help='with --screenshot: keys to press first, e.g. "r j s ctrl+z"'),
         opens=None)
def gui(args: argparse.Namespace) -> int:
    # `winnow` with no command lands here without this parser's options.
    screenshot = getattr(args, "screenshot", None)
    search = getattr(args, "search", None)
    keys = getattr(args, "keys", None)
    if screenshot is None and (search or keys):
        raise CommandError("--search and --keys go with --screenshot")
    path: Path = args.library_path
    # A library file that does not exist yet, wherever it is named, is a first start:
    # the samples go in so that there is something to triage at once.
    first_start = not path.exists()
    _choose_qt_platform(screenshot is not None)
    from desktop.app import run_gui

    return run_gui(path, import_samples_if_new=first_start,
                   screenshot=Path(screenshot) if screenshot else None,
                   search=search, keys=keys.split() if keys else None)
