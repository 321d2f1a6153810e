"""What opening the Stats page costs the GUI thread, against what it cost before.

    QT_QPA_PLATFORM=offscreen python -m bench.stats_page LIBRARY.db [--rounds 5]

Builds the main window offscreen on the library (spread over the states first, as
bench.stats_counts does, if nothing is in Later yet), then in interleaved rounds:

- baseline: `figures_from(library, table)` called on the GUI thread, which is what
  opening the page did before the count moved to a worker: the GUI thread answers
  nothing until it returns;
- now: `window.show_stats_page()` until it returns (the GUI thread's own share), and
  until the page's `painted` signal (the figures on screen). While the worker counts,
  the event loop is run in passes as the app's would be, and the longest single pass
  is kept: the GUI thread's longest stall meanwhile (the worker holds the GIL in its
  Python parts). The same measure over an idle stretch of the same length is its
  baseline.

Between rounds one paper is marked and unmarked (a write), so every show counts again.
Prints one JSON object: medians in ms, the load average at start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from bench.stats_counts import _spread
    from desktop.statsview import figures_from
    from desktop.window import MainWindow
    from storage import Library

    load_start = os.getloadavg()
    app = QApplication.instance() or QApplication(["winnow-bench"])
    library = Library(args.db, check=False)
    _spread(library)
    window = MainWindow(library, settings=None, interactive=False)
    window.resize(1280, 800)
    window.show()

    def run_loop(until) -> float:  # type: ignore[no-untyped-def]
        """Event-loop passes until `until()`; the longest single pass, seconds."""
        longest = 0.0
        while not until():
            t = time.perf_counter()
            app.processEvents()
            longest = max(longest, time.perf_counter() - t)
            time.sleep(0.001)
        return longest

    deadline = time.perf_counter() + 2
    run_loop(lambda: time.perf_counter() > deadline)
    paper = library.search("", limit=1).ids[0]
    before, blocked, painted, stall, idle = [], [], [], [], []
    for _ in range(args.rounds):
        library.set_state([paper], "done")
        library.set_state([paper], "inbox")
        t = time.perf_counter()
        figures_from(library, window.states)
        before.append(time.perf_counter() - t)
        window.show_list_page()
        t = time.perf_counter()
        window.show_stats_page()
        blocked.append(time.perf_counter() - t)
        view = window.stats_view
        stall.append(run_loop(lambda view=view: not view.counting))
        painted.append(time.perf_counter() - t)
        end = time.perf_counter() + painted[-1]
        idle.append(run_loop(lambda end=end: time.perf_counter() > end))
        window.show_list_page()
    total = library.stats()["total"]
    window.close()
    library.close()
    print(json.dumps({
        "papers": total, "rounds": args.rounds,
        "baseline_figures_on_gui_thread_ms": _median_ms(before),
        "show_stats_page_returns_ms": _median_ms(blocked),
        "ratio_gui_thread_blocked": round(statistics.median(blocked) /
                                          statistics.median(before), 3),
        "figures_painted_ms": _median_ms(painted),
        "longest_event_loop_pass_while_counting_ms": _median_ms(stall),
        "longest_event_loop_pass_idle_ms": _median_ms(idle),
        "load_start": [round(x, 2) for x in load_start],
        "load_end": [round(x, 2) for x in os.getloadavg()],
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
