"""What opening the Stats page costs the GUI thread, against what it cost before.

    QT_QPA_PLATFORM=offscreen python -m bench.stats_page LIBRARY.db [--rounds 5]

Builds the main window offscreen on the library (spread over the states first, as
bench.stats_counts does, if nothing is in Later yet), then in interleaved rounds:

- baseline: `figures_from(library, table)` then `show_figures` on the GUI thread, which
  is what opening the page did before the count moved to a worker: the GUI thread
  answers nothing until both return;
- now: `window.show_stats_page()` until it returns (the GUI thread's own share), then
  the event loop in passes, as the app's would run, until the page's figures are
  painted. Kept: the longest pass while the worker counts (the GUI thread's longest
  stall meanwhile: the worker holds the GIL in its Python parts), the pass that
  receives the figures and draws the charts, and the time to painted. The longest
  pass of the same loop with nothing to do, before the show, is the stall baseline.

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

    def run_loop(until, view=None) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        """Event-loop passes until `until()`: the longest pass while `view` (if any)
        was counting, and the longest pass in which it stopped (the paint), seconds."""
        longest = paint = 0.0
        while not until():
            counting = view is not None and view.counting
            t = time.perf_counter()
            app.processEvents()
            spent = time.perf_counter() - t
            if counting and not view.counting:
                paint = max(paint, spent)
            else:
                longest = max(longest, spent)
            time.sleep(0.001)
        return longest, paint

    deadline = time.perf_counter() + 2
    run_loop(lambda: time.perf_counter() > deadline)
    paper = library.search("", limit=1).ids[0]
    before, blocked, painted, stall, paints, idle = [], [], [], [], [], []
    for _ in range(args.rounds):
        library.set_state([paper], "done")
        library.set_state([paper], "inbox")
        window.show_list_page()
        run_loop(lambda: not window.busy)  # the list and counts take the writes in
        end = time.perf_counter() + 1.0
        idle.append(run_loop(lambda end=end: time.perf_counter() > end)[0])
        if window.stats_view is not None:
            t = time.perf_counter()
            window.stats_view.show_figures(figures_from(library, window.states))
            before.append(time.perf_counter() - t)
        t = time.perf_counter()
        window.show_stats_page()
        blocked.append(time.perf_counter() - t)
        view = window.stats_view
        longest, paint = run_loop(lambda view=view: not view.counting, view)
        painted.append(time.perf_counter() - t)
        stall.append(longest)
        paints.append(paint)
    total = library.stats()["total"]
    window.close()
    library.close()
    print(json.dumps({
        "papers": total, "rounds": args.rounds,
        "baseline_count_and_draw_on_gui_thread_ms": _median_ms(before),
        "show_stats_page_returns_ms": _median_ms(blocked),
        "ratio_gui_thread_blocked": round(statistics.median(blocked) /
                                          statistics.median(before), 3),
        "longest_pass_while_the_worker_counts_ms": _median_ms(stall),
        "longest_pass_idle_ms": _median_ms(idle),
        "pass_that_draws_the_charts_ms": _median_ms(paints),
        "figures_painted_ms": _median_ms(painted),
        "load_start": [round(x, 2) for x in load_start],
        "load_end": [round(x, 2) for x in os.getloadavg()],
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
