"""The Stats page's draw pass on the GUI thread: the charts made and painted for one
set of figures, the painted charts of desktop/charts.py against the pyqtgraph plots
they replaced (kept below, as they were, as the same-run baseline).

    QT_QPA_PLATFORM=offscreen python -m bench.stats_draw LIBRARY.db [--rounds 9]

The figures are counted once (on the worker's path, `figures_from`); then, in
interleaved rounds, each way builds the page's charts for them in a shown widget, runs
the event loop once and grabs the widget (a real paint). Also timed: the whole page,
`StatsView.show_figures` + event loop + grab, which is what the GUI thread does when
the worker's figures arrive. Prints one JSON object: medians in ms, load averages.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Sequence
from datetime import date, datetime, timezone
from datetime import time as clock

from PySide6.QtGui import QColor

from desktop.theme import Theme


# ---------------------------------------------------- the baseline: pyqtgraph plots
def _epoch(day: date) -> float:
    return datetime.combine(day, clock(12), tzinfo=timezone.utc).timestamp()


def _style(plot, theme: Theme) -> None:
    c = theme.colour
    plot.setBackground(c("base"))
    item = plot.getPlotItem()
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(c("border"))
        axis.setTextPen(c("secondary"))
    item.showGrid(x=False, y=True, alpha=0.15)
    item.setMenuEnabled(False)
    item.hideButtons()
    plot.setMouseEnabled(x=False, y=False)


def series_plot(points: Sequence[tuple[date, float]], theme: Theme, *, fill: bool = True):
    """A line over days (the Inbox's size, its oldest paper's age)."""
    import pyqtgraph as pg

    plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
    _style(plot, theme)
    if points:
        xs = [_epoch(day) for day, _ in points]
        ys = [float(value) for _, value in points]
        accent = theme.colour("accent")
        brush = QColor(accent)
        brush.setAlpha(50)
        plot.plot(xs, ys, pen=pg.mkPen(accent, width=2), symbol="o" if len(xs) == 1 else None,
                  symbolBrush=accent, symbolPen=None,
                  fillLevel=0 if fill else None, brush=brush if fill else None)
        if len(xs) == 1:  # one day: show the week before it, from zero, not a pinpoint axis
            plot.setXRange(xs[0] - 7 * 86400, xs[0] + 86400, padding=0)
            plot.setYRange(0, max(1.0, ys[0]), padding=0.05)
    plot.setFixedHeight(210)
    return plot



def bar_plot(bars: Sequence[tuple[str, float]], theme: Theme, *,
             colours: Sequence[QColor] | None = None):
    """Labelled bars (decisions per state, top tags, time per decision), each with its
    figure printed over it: a bar of 1 beside one of 400 is a sliver, its "1" is not.
    The labels are kept as `plot.value_labels` (pyqtgraph TextItems), in bar order."""
    import pyqtgraph as pg

    plot = pg.PlotWidget()
    _style(plot, theme)
    plot.value_labels = []
    if bars:
        xs = list(range(len(bars)))
        heights = [float(v) for _, v in bars]
        brushes = list(colours) if colours else [theme.colour("accent")] * len(bars)
        plot.addItem(pg.BarGraphItem(x=xs, height=heights, width=0.6,
                                     brushes=brushes, pen=pg.mkPen(None)))
        for x, height in zip(xs, heights, strict=True):
            label = pg.TextItem(f"{height:,.0f}", color=theme.colour("text"), anchor=(0.5, 1))
            label.setPos(x, height)
            plot.addItem(label)
            plot.value_labels.append(label)
        plot.getPlotItem().getAxis("bottom").setTicks([[(x, label) for x, (label, _)
                                                         in zip(xs, bars, strict=True)]])
        # A few bars stay bar-shaped: the axis holds at least six slots.
        plot.setXRange(-0.6, max(len(bars), 6) - 0.4, padding=0)
        # Room above the tallest bar for its figure.
        plot.setYRange(0, max(1.0, max(heights)) * 1.18, padding=0)
        if all(h.is_integer() for h in heights) and max(heights) < 10:
            # Counts: a few papers on an axis that read 0.5, 1.5 ("half a paper").
            plot.getPlotItem().getAxis("left").setTickSpacing(1, 1)
    plot.setFixedHeight(210)
    return plot


def _old_charts(figures, theme: Theme) -> list:
    charts = [bar_plot(figures.per_state, theme), series_plot(figures.inbox, theme),
              series_plot(figures.oldest, theme, fill=False)]
    if figures.top_tags:
        charts.append(bar_plot(figures.top_tags, theme))
    if figures.seconds:
        charts.append(bar_plot(figures.seconds, theme))
    return charts


def _new_charts(figures, theme: Theme) -> list:
    from desktop import charts

    made = [charts.bar_plot(figures.per_state, theme), charts.series_plot(figures.inbox, theme),
            charts.series_plot(figures.oldest, theme, fill=False)]
    if figures.top_tags:
        made.append(charts.bar_plot(figures.top_tags, theme))
    if figures.seconds:
        made.append(charts.bar_plot(figures.seconds, theme))
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

    from desktop.statsview import StatsView, figures_from
    from desktop.theme import LIGHT
    from storage import Library
    from storage.states import table

    app = QApplication.instance() or QApplication(["winnow-bench"])
    load_start = os.getloadavg()
    with Library(args.db, read_only=True, create=False, check=False) as library:
        t = time.perf_counter()
        figures = figures_from(library, table())
        counted = time.perf_counter() - t
        total = library.stats()["total"]

    def draw(make) -> float:  # type: ignore[no-untyped-def]
        holder = QWidget()
        grid = QGridLayout(holder)
        holder.resize(1000, 900)
        holder.show()
        app.processEvents()
        t = time.perf_counter()
        for n, chart in enumerate(make(figures, LIGHT)):
            grid.addWidget(chart, n // 2, n % 2)
        app.processEvents()
        holder.grab()
        spent = time.perf_counter() - t
        holder.close()
        holder.deleteLater()
        app.processEvents()
        return spent

    view = StatsView()
    view.resize(1000, 900)
    view.show()
    app.processEvents()

    def page() -> float:
        t = time.perf_counter()
        view.show_figures(figures)
        app.processEvents()
        view.grab()
        return time.perf_counter() - t

    draw(_old_charts), draw(_new_charts), page()  # imports and first-use costs
    old, new, whole = [], [], []
    for _ in range(args.rounds):
        old.append(draw(_old_charts))
        new.append(draw(_new_charts))
        whole.append(page())
    med = statistics.median
    print(json.dumps({
        "papers": total, "rounds": args.rounds, "count_ms": round(counted * 1000, 1),
        "baseline_pyqtgraph_charts_ms": round(med(old) * 1000, 1),
        "painted_charts_ms": round(med(new) * 1000, 1),
        "ratio": round(med(new) / med(old), 3),
        "baseline_max_ms": round(max(old) * 1000, 1), "painted_max_ms": round(max(new) * 1000, 1),
        "whole_page_show_figures_ms": round(med(whole) * 1000, 1),
        "load_start": [round(x, 2) for x in load_start],
        "load_end": [round(x, 2) for x in os.getloadavg()],
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
