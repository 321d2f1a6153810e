"""Triage step latency: from an `r` key press to the next paper's abstract painted.

    QT_QPA_PLATFORM=offscreen python -m bench.triage LIBRARY.db [--presses 100]

Builds the main window offscreen at 1280x800 on the library (the Inbox: unread papers),
then presses `r` (mark read, go to the next) on the paper list `presses` times, one
press every `--gap-ms` (250 ms: a brisk triager). Each sample runs from the moment the
press was due (so time the GUI thread spent busy past that moment counts, as a real key
event would wait in the queue) to the return of the event-loop pass in which the reading
pane's abstract viewport received its paint event showing a different paper. Between
presses the event loop runs as usual; the longest single pass in each gap (deferred work
such as a counts refresh) is reported too. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per press")
    parser.add_argument("--gap-ms", type=float, default=250.0, help="press every N ms")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtCore import QEvent, QObject, Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        from desktop.window import MainWindow
    except ImportError as error:
        print(json.dumps({"skipped": f"the desktop app is not importable: {error}"}))
        return 0
    from storage import Library

    app = QApplication.instance() or QApplication(["winnow-bench"])
    library = Library(args.db, check=False)
    started = time.perf_counter()
    window = MainWindow(library, settings=None, interactive=False)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    window.focus_list()

    def settle(seconds: float, until: float | None = None) -> float:
        """Run the event loop; returns the longest single pass (a GUI-thread stall)."""
        end = until if until is not None else time.perf_counter() + seconds
        longest = 0.0
        while time.perf_counter() < end:
            t = time.perf_counter()
            app.processEvents()
            longest = max(longest, time.perf_counter() - t)
            time.sleep(0.001)
        return longest

    settle(0.3)
    while window.busy:
        settle(0.05)
    built = time.perf_counter() - started
    reader = window.reader
    viewport = reader.abstract.viewport()

    class PaintWatch(QObject):
        painted = False

        def eventFilter(self, obj, event) -> bool:
            if obj is viewport and event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    watch = PaintWatch()
    viewport.installEventFilter(watch)
    table = window.table
    samples: list[float] = []
    gap_stalls: list[float] = []
    stalls = 0
    due = time.perf_counter() + 0.1
    # PySide6 6.12 on Python 3.11 drops a reference to None for each QModelIndex.data()
    # call that returns None; at zero the interpreter aborts. Watch it, stop in time.
    none_start = sys.getrefcount(None)
    none_drops: list[int] = []
    stopped = ""
    for _ in range(args.presses):
        none_before = sys.getrefcount(None)
        if none_drops and none_before < 4 * max(none_drops) + 1000:
            stopped = (f"stopped after {len(samples)} presses: None's refcount fell from "
                       f"{none_start} to {none_before}; the next presses would abort Python")
            break
        before = reader.paper.id if reader.paper is not None else None
        if before is None:
            break
        if app.focusWidget() is not table:
            table.setFocus()
        gap_stalls.append(settle(0, until=due) * 1000)
        watch.painted = False
        t0 = due
        due += args.gap_ms / 1000
        QTest.keyClick(table, Qt.Key.Key_R, Qt.KeyboardModifier.NoModifier)
        deadline = t0 + args.timeout
        while True:
            app.processEvents()
            now = time.perf_counter()
            shown = reader.paper.id if reader.paper is not None else None
            if watch.painted and shown is not None and shown != before:
                samples.append((now - t0) * 1000)
                break
            if now > deadline:
                stalls += 1
                break
        none_drops.append(none_before - sys.getrefcount(None))
    read = library.stats()["read"]
    window.close()
    library.close()
    drop = sorted(none_drops)[len(none_drops) // 2] if none_drops else 0
    gaps = sorted(gap_stalls[1:])
    note = (f"one press every {args.gap_ms:.0f} ms; longest event-loop pass between presses "
            f"p50 {gaps[len(gaps) // 2] if gaps else 0:.0f} ms, max {max(gaps, default=0):.0f} ms;"
            f" window ready in {built:.2f} s; {stalls} presses timed out; "
            f"None refcount {none_start} at start, median drop {drop} per press")
    if drop > 0:
        note += f" (Python aborts after about {none_start // drop} presses)"
    if stopped:
        note += "; " + stopped
    print(json.dumps({"ms": samples, "stalls": stalls, "window_ready_s": built,
                      "gap_stall_ms": gap_stalls, "gap_ms": args.gap_ms,
                      "none_refcount_start": none_start, "none_drop_per_press": none_drops,
                      "stopped": stopped, "read_after": read, "note": note}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
