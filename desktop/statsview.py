"""The Stats view, a page of the main window (`g t`, or Statistics in the sidebar; Esc
goes back to the list): storage/stats.py's figures as charts, the same ones `winnow
stats --json` prints: headline numbers, decisions per day over the last year as a
calendar heatmap, the Inbox's size and its oldest paper's age over time, papers per
state (in each state's colour), time per decision and the top tags. Every bar carries
its figure, so a small count beside a big one is read, not guessed. A series with no
data yet (no timed decisions) is named in one line instead of drawn empty.

The figures are counted on a worker thread (`StatsWorker`, a QThread with its own
read-only connection): at 100k papers `triage_stats` takes over a second, which the
GUI thread must never wait for. The page says "Counting…" meanwhile (the charts of
the last count hidden: painting them costs the GUI thread more than the count did) and
paints when the figures arrive. Shown again, it counts again only
if the library was written (by the app or another program) or the day changed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.charts import CalendarHeatmap, bar_plot, series_plot
from desktop.dialogs import plain_label
from desktop.theme import LIGHT, Theme
from storage import Library, LibraryError
from storage.states import StateTable
from storage.stats import triage_stats

log = logging.getLogger(__name__)
# Workers still counting, kept from being collected (a QThread destroyed while it
# runs aborts the process) until they have said they are done.
_RUNNING: set[StatsWorker] = set()


@dataclass
class Figures:
    """What the view draws, read from the stats figures."""

    today: date
    per_day: dict[date, int] = field(default_factory=dict)
    inbox: list[tuple[date, int]] = field(default_factory=list)
    oldest: list[tuple[date, float]] = field(default_factory=list)
    per_state: list[tuple[str, int]] = field(default_factory=list)
    state_colours: list[str] = field(default_factory=list)  # each state's colour name
    seconds: list[tuple[str, int]] = field(default_factory=list)
    top_tags: list[tuple[str, int]] = field(default_factory=list)
    headline: list[tuple[str, str]] = field(default_factory=list)


def figures_from(library: Library, table: StateTable, today: date | None = None) -> Figures:
    """The figures of storage/stats.py, the ones `winnow stats --json` prints."""
    stats = triage_stats(library, today=today, table=table)
    inbox_now = stats.per_state.get(table.states[0].name, 0)
    timing = stats.decision_seconds
    seconds = [(name, round(timing[name], 1)) for name in ("median", "mean", "p90")
               if timing.get("count")]
    # Every paper is in one state: the counts add up to the library, unknown states too.
    headline = [("papers", f"{sum(stats.per_state.values()):,}"),
                ("in the Inbox", f"{inbox_now:,}"),
                ("decided", f"{stats.decided:,}"),
                ("seconds per decision (median)",
                 f"{timing['median']:.1f}" if timing.get("count") else "–")]
    return Figures(
        today=date.fromisoformat(stats.today),
        per_day=dict(_days(stats.per_day)),
        inbox=[(date.fromisoformat(day), size) for day, size, _age in stats.inbox],
        oldest=[(date.fromisoformat(day), age) for day, _size, age in stats.inbox
                if age is not None],
        per_state=[(stats.labels.get(name, name), n) for name, n in stats.per_state.items()],
        state_colours=[state.colour if (state := table.get(name)) is not None else ""
                       for name in stats.per_state],
        seconds=seconds, top_tags=list(stats.top_tags), headline=headline)


def _days(pairs: Any) -> list[tuple[date, Any]]:
    if isinstance(pairs, Mapping):
        pairs = pairs.items()
    return [(date.fromisoformat(str(day)[:10]), value) for day, value in pairs or ()]


def _labelled(pairs: Any) -> list[tuple[str, Any]]:
    if isinstance(pairs, Mapping):
        pairs = pairs.items()
    return [(str(label), value) for label, value in pairs or ()]


class StatsWorker(QThread):
    """Counts the figures of one library file off the GUI thread."""

    counted = Signal(object)  # this worker, when `figures` or `error` is set

    def __init__(self, path: Path, table: StateTable, today: date | None) -> None:
        # No parent: a page closed mid-count must not destroy a running thread.
        super().__init__()
        self.path, self.table, self.today = path, table, today
        self.figures: Figures | None = None
        self.error: str | None = None

    def run(self) -> None:
        try:
            # Its own connection (SQLite's belong to one thread), read-only: counting
            # never writes, takes no backup and runs no migration.
            with Library(self.path, read_only=True, create=False, check=False) as library:
                self.figures = figures_from(library, self.table, self.today)
        except LibraryError as error:
            self.error = str(error)
        except Exception as error:  # a failed count must not take the page down
            log.exception("counting the statistics failed")
            self.error = f"{type(error).__name__}: {error}"
        self.counted.emit(self)


class StatsView(QScrollArea):
    painted = Signal()  # new figures are on the page

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsView")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the keys (Esc) come here
        self.theme: Theme = LIGHT
        self.figures: Figures | None = None
        self.heatmap = CalendarHeatmap()
        self.plots: dict[str, QWidget] = {}
        self.numbers: dict[str, QLabel] = {}
        self.missing: list[str] = []
        self.worker: StatsWorker | None = None
        # What the last count was asked for: (library file, writes seen, day, table).
        self._asked: tuple[object, ...] | None = None
        self._again: tuple[Path, StateTable, date | None] | None = None
        self._build()

    def _build(self) -> None:
        page = QWidget()
        page.setObjectName("statsPage")
        self._layout = QVBoxLayout(page)
        self._layout.setContentsMargins(24, 18, 24, 24)
        self._layout.setSpacing(10)
        title = QHBoxLayout()
        title.addWidget(plain_label("Statistics", "viewTitle"))
        title.addSpacing(10)
        self.status = plain_label(self.HINT, "viewCount")
        title.addWidget(self.status)
        title.addStretch(1)
        self._layout.addLayout(title)
        # The figures, hidden while they are counted: painting old charts meanwhile
        # would cost the GUI thread more than the count itself did.
        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(10)
        self._headline = QHBoxLayout()
        self._headline.setSpacing(28)
        content.addLayout(self._headline)
        content.addWidget(plain_label("Decisions per day, last year", "statsHeading"))
        content.addWidget(self.heatmap, 0, Qt.AlignmentFlag.AlignLeft)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(18)
        self._grid.setVerticalSpacing(6)
        content.addLayout(self._grid)
        self._layout.addWidget(self.content)
        self._layout.addStretch(1)
        self.setWidget(page)

    HINT = "Esc goes back to the list"
    COUNTING = "Counting…"

    @property
    def counting(self) -> bool:
        return self.worker is not None

    def refresh(self, library: Library, table: StateTable, today: date | None = None) -> None:
        """Count the figures again on a worker thread, unless nothing was written
        since the last count (same day, same states): then the page stays as it is.
        Costs the GUI thread two cheap reads, never the count itself."""
        day = today or date.today()
        # Writes by this connection (total_changes) and by any other (data_version).
        asked = (library.path, library.conn.total_changes, library.data_version(), day,
                 table)
        if asked == self._asked and (self.figures is not None or self.counting):
            return
        self._asked = asked
        self._again = (Path(library.path), table, today)
        if self.worker is None:
            self._start()
        # Else the count under way is out of date: the next starts when it ends.

    def _start(self) -> None:
        assert self._again is not None
        path, table, today = self._again
        self._again = None
        worker = StatsWorker(path, table, today)
        _RUNNING.add(worker)
        worker.counted.connect(self._counted)
        self.worker = worker
        self.status.setText(self.COUNTING)
        self.content.hide()
        worker.start()

    def _counted(self, worker: StatsWorker) -> None:
        worker.wait()  # its last act was this signal
        _RUNNING.discard(worker)
        if worker is not self.worker:
            return  # stopped meanwhile
        self.worker = None
        if self._again is not None:
            self._start()  # written meanwhile: these figures are already old
            return
        if worker.figures is None:
            self._asked = None  # try again when shown next
            self.status.setText(f"Could not count: {worker.error}")
            return
        self.status.setText(self.HINT)
        self.show_figures(worker.figures)
        self.content.show()
        self.painted.emit()

    def stop(self) -> None:
        """Wait for a count under way (the window is closing)."""
        self._again = None
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait()
            _RUNNING.discard(worker)
        self.status.setText(self.HINT)
        self.content.setVisible(self.figures is not None)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.heatmap.set_theme(theme)
        if self.figures is not None:
            self.show_figures(self.figures)

    def show_figures(self, figures: Figures) -> None:
        self.figures = figures
        while self._headline.count():
            item = self._headline.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.numbers.clear()
        for label, value in figures.headline:
            box = QVBoxLayout()
            number = plain_label(value, "statsNumber")
            box.addWidget(number)
            box.addWidget(plain_label(label, "statsLabel"))
            holder = QWidget()
            holder.setLayout(box)
            self._headline.addWidget(holder)
            self.numbers[label] = number
        self._headline.addStretch(1)
        self.heatmap.set_data(figures.per_day, figures.today)
        self._place_plots(figures)

    def _place_plots(self, figures: Figures) -> None:
        for widget in self.plots.values():
            self._grid.removeWidget(widget)
            widget.deleteLater()
        self.plots.clear()
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        theme = self.theme
        state_colours = [theme.mark(name) if name else theme.colour("secondary")
                         for name in figures.state_colours] or None
        charts: list[tuple[str, str, QWidget]] = [
            ("states", "Papers per state", bar_plot(figures.per_state, theme,
                                                    colours=state_colours))]
        if figures.top_tags:
            charts.append(("tags", "Top tags", bar_plot(figures.top_tags, theme)))
        series = (("inbox", "Inbox size", figures.inbox, True),
                  ("oldest", "Age of the oldest Inbox paper (days)", figures.oldest, False))
        charts += [(key, title, series_plot(points, theme, fill=fill))
                   for key, title, points, fill in series if points]
        if figures.seconds:
            charts.append(("seconds", "Seconds per decision", bar_plot(figures.seconds, theme)))
        for n, (key, title, plot) in enumerate(charts):
            row, column = divmod(n, 2)
            self._grid.addWidget(plain_label(title, "statsHeading"), row * 2, column)
            self._grid.addWidget(plot, row * 2 + 1, column)
            self.plots[key] = plot
        missing = [title for key, title, points, _ in series if not points]
        if not figures.top_tags:
            missing.append("Top tags")
        if not figures.seconds:
            missing.append("Time per decision")
        self.missing = missing
        if missing:
            note = plain_label("No data yet: " + "; ".join(missing), "statsLabel", wrap=True)
            self._grid.addWidget(note, (len(charts) + 1) // 2 * 2, 0, 1, 2)
