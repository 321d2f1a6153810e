"""Charts for the Stats view, in the window's theme.

The calendar heatmap is drawn directly (a grid of days is simpler painted than
plotted); the time series and bars are pyqtgraph plots with the theme's colours.
pyqtgraph is imported here only, when the Stats view first opens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QToolTip, QWidget

from desktop.theme import LIGHT, Theme

CELL = 12
GAP = 3
LEFT = 30   # room for weekday names
TOP = 18    # room for month names
WEEKS = 53
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def blend(low: QColor, high: QColor, t: float) -> QColor:
    t = max(0.0, min(1.0, t))
    return QColor(round(low.red() + (high.red() - low.red()) * t),
                  round(low.green() + (high.green() - low.green()) * t),
                  round(low.blue() + (high.blue() - low.blue()) * t))


def level(count: int, most: int) -> int:
    """0 for no decisions, else 1-4 by the share of the busiest day."""
    if count <= 0 or most <= 0:
        return 0
    return min(4, 1 + (4 * count - 1) // most)


class CalendarHeatmap(QWidget):
    """Decisions per day over the last year: a column per week, Monday on top."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self.counts: dict[date, int] = {}
        self.end = date.today()
        self.setMouseTracking(True)
        self.setMinimumSize(self.sizeHint())

    def sizeHint(self) -> QSize:
        return QSize(LEFT + WEEKS * (CELL + GAP), TOP + 7 * (CELL + GAP))

    def set_data(self, counts: Mapping[date, int], end: date) -> None:
        self.counts, self.end = dict(counts), end
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    @property
    def start(self) -> date:
        """The Monday of the first column."""
        last_monday = self.end - timedelta(days=self.end.weekday())
        return last_monday - timedelta(weeks=WEEKS - 1)

    def cell_rect(self, day: date) -> QRect:
        offset = (day - self.start).days
        week, weekday = divmod(offset, 7)
        return QRect(LEFT + week * (CELL + GAP), TOP + weekday * (CELL + GAP), CELL, CELL)

    def day_at(self, point: QPoint) -> date | None:
        week, x_in = divmod(point.x() - LEFT, CELL + GAP)
        weekday, y_in = divmod(point.y() - TOP, CELL + GAP)
        if point.x() < LEFT or point.y() < TOP or x_in >= CELL or y_in >= CELL:
            return None
        if not (0 <= week < WEEKS and 0 <= weekday < 7):
            return None
        day = self.start + timedelta(days=week * 7 + weekday)
        return day if day <= self.end else None

    def colour_of(self, count: int, most: int) -> QColor:
        c = self.theme.colour
        if count <= 0:
            return c("hover")
        return blend(c("selection"), c("accent"), (level(count, most) - 1) / 3)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPixelSize(10)
        painter.setFont(font)
        most = max(self.counts.values(), default=0)
        painter.setPen(self.theme.colour("secondary"))
        for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
            painter.drawText(QRect(0, TOP + row * (CELL + GAP) - 2, LEFT - 4, CELL + 4),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
        day, month = self.start, None
        while day <= self.end:
            rect = self.cell_rect(day)
            if day.weekday() == 0 and day.month != month:
                month = day.month
                painter.setPen(self.theme.colour("secondary"))
                painter.drawText(QRect(rect.x(), 0, 40, TOP - 4),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                                 _MONTHS[month - 1])
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.colour_of(self.counts.get(day, 0), most))
            painter.drawRoundedRect(rect, 2, 2)
            day += timedelta(days=1)
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        day = self.day_at(event.position().toPoint())
        if day is None:
            QToolTip.hideText()
            return
        n = self.counts.get(day, 0)
        QToolTip.showText(event.globalPosition().toPoint(),
                          f"{day.isoformat()}: {n} decision{'s' if n != 1 else ''}", self)


def _epoch(day: date) -> float:
    return datetime.combine(day, time(12), tzinfo=timezone.utc).timestamp()


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


def value_text(value: float) -> str:
    """A bar's figure as printed over it: whole numbers with thousands separators."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


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
            label = pg.TextItem(value_text(height), color=theme.colour("text"), anchor=(0.5, 1))
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
