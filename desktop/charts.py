"""Charts for the Stats view, in the window's theme, painted directly with QPainter.

The calendar heatmap, the bars and the time series are plain widgets that lay out
their few shapes when their size or data changes and paint them: the page used to
build five pyqtgraph plots (a graphics scene, four axes and a menu each), which cost
the GUI thread ~500 ms each time new figures arrived (bench/README.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
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


HEIGHT = 210  # every chart of the page
_PAD = 8


def value_text(value: float) -> str:
    """A bar's figure as printed over it: whole numbers with thousands separators."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def nice_ticks(top: float, *, whole: bool, most: int = 5) -> list[float]:
    """Axis values from 0 to `top` at a step of 1, 2 or 5 times a power of ten, at most
    `most` + 1 of them; `whole`: counts, never a step under 1 ("half a paper")."""
    if top <= 0:
        return [0.0]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if whole:
        step = max(1.0, float(round(step)))
    return [n * step for n in range(int(top / step + 1e-9) + 1)]


def _tick_text(value: float) -> str:
    if value >= 10_000 and value % 1000 == 0:
        return f"{value / 1000:,.0f}k"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


class _Chart(QWidget):
    """A themed chart of fixed height: a value axis on the left with its grid lines,
    the plot area beside it. Subclasses lay out their shapes in `_layout`."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.setFixedHeight(HEIGHT)
        self.setMinimumWidth(240)
        self.ticks: list[float] = []
        self.top = 1.0  # the value at the top of the plot area
        self.area = QRectF()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, HEIGHT)

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(11)
        return font

    def _axis(self, top: float, whole: bool, bottom_room: int) -> None:
        """The ticks and the plot area for values 0..`top`."""
        self.ticks = nice_ticks(top, whole=whole)
        self.top = max(top, self.ticks[-1], 1e-9)
        metrics = QFontMetrics(self._font())
        left = max(metrics.horizontalAdvance(_tick_text(t)) for t in self.ticks) + 10
        self.area = QRectF(left, _PAD + metrics.height() / 2, self.width() - left - _PAD,
                           self.height() - bottom_room - _PAD - metrics.height() / 2)

    def y_of(self, value: float) -> float:
        return self.area.bottom() - self.area.height() * value / self.top

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout()

    def _layout(self) -> None:
        raise NotImplementedError

    def _paint_axis(self, painter: QPainter) -> None:
        c = self.theme.colour
        painter.fillRect(self.rect(), c("base"))
        painter.setFont(self._font())
        grid = QColor(c("border"))
        for value in self.ticks:
            y = self.y_of(value)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(self.area.left(), y), QPointF(self.area.right(), y))
            painter.setPen(c("secondary"))
            painter.drawText(QRectF(0, y - 8, self.area.left() - 6, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             _tick_text(value))


class BarChart(_Chart):
    """Labelled bars, each with its figure printed over it: a bar of 1 beside one of
    400 is a sliver, its "1" is not. At least six slots, so a few bars stay bar-shaped."""

    def __init__(self, bars: Sequence[tuple[str, float]], theme: Theme,
                 colours: Sequence[QColor] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(theme, parent)
        self.bars = [(str(label), float(value)) for label, value in bars]
        self.colours = list(colours) if colours else None
        self.value_labels = [value_text(v) for _, v in self.bars]
        self.bar_rects: list[QRectF] = []
        self.label_rects: list[QRectF] = []  # where each figure is printed
        self.setToolTip("")
        self._layout()

    def bar_colour(self, index: int) -> QColor:
        if self.colours:
            return QColor(self.colours[index])
        return self.theme.colour("accent")

    def _layout(self) -> None:
        heights = [v for _, v in self.bars]
        whole = all(h.is_integer() for h in heights)
        # Room above the tallest bar for its figure.
        self._axis(max(1.0, max(heights, default=0.0)) * 1.18, whole, bottom_room=20)
        slot = self.area.width() / max(len(self.bars), 6)
        metrics = QFontMetrics(self._font())
        self.bar_rects, self.label_rects = [], []
        for n, (_label, value) in enumerate(self.bars):
            x = self.area.left() + slot * (n + 0.2)
            top = self.y_of(value)
            self.bar_rects.append(QRectF(x, top, slot * 0.6, self.area.bottom() - top))
            height = metrics.height()
            self.label_rects.append(QRectF(x - slot * 0.2, top - height - 1, slot, height))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._paint_axis(painter)
        c = self.theme.colour
        metrics = QFontMetrics(self._font())
        slot = self.area.width() / max(len(self.bars), 6)
        for n, ((label, _value), rect) in enumerate(zip(self.bars, self.bar_rects,
                                                        strict=True)):
            painter.fillRect(rect, self.bar_colour(n))
            painter.setPen(c("text"))
            painter.drawText(self.label_rects[n], Qt.AlignmentFlag.AlignHCenter
                             | Qt.AlignmentFlag.AlignBottom, self.value_labels[n])
            painter.setPen(c("secondary"))
            name = metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(slot) - 2)
            painter.drawText(QRectF(rect.center().x() - slot / 2, self.area.bottom() + 3,
                                    slot, 16), Qt.AlignmentFlag.AlignHCenter
                             | Qt.AlignmentFlag.AlignTop, name)
        painter.end()


class SeriesChart(_Chart):
    """A line over days (the Inbox's size, its oldest paper's age), filled down to 0
    if `fill`; the x axis names the months (or the days, over a short span)."""

    def __init__(self, points: Sequence[tuple[date, float]], theme: Theme, *,
                 fill: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(theme, parent)
        self.points = [(day, float(value)) for day, value in points]
        self.fill = fill
        first = self.points[0][0] if self.points else date.today()
        last = self.points[-1][0] if self.points else first
        if first == last:  # one day: the week before it, from zero, not a pinpoint axis
            first = last - timedelta(days=7)
            last = last + timedelta(days=1)
        self.first, self.last = first, last
        self.path = QPainterPath()
        self.x_ticks: list[tuple[float, str]] = []
        self._layout()

    def x_of(self, day: date) -> float:
        span = max((self.last - self.first).days, 1)
        return self.area.left() + self.area.width() * (day - self.first).days / span

    def _layout(self) -> None:
        values = [v for _, v in self.points]
        whole = all(v.is_integer() for v in values)
        self._axis(max(1.0, max(values, default=0.0)) * 1.05, whole, bottom_room=20)
        self.path = QPainterPath()
        for n, (day, value) in enumerate(self.points):
            point = QPointF(self.x_of(day), self.y_of(value))
            if n == 0:
                self.path.moveTo(point)
            else:
                self.path.lineTo(point)
        self.x_ticks = []
        span = (self.last - self.first).days
        if span > 60:
            every = max(1, math.ceil(span / 30 / 6))  # at most six month names
            day = date(self.first.year, self.first.month, 1)
            n, year = 0, None
            while day <= self.last:
                if day >= self.first and n % every == 0:
                    # The year beside the first month named and the first of each year.
                    name = _MONTHS[day.month - 1]
                    self.x_ticks.append((self.x_of(day),
                                         f"{name} {day.year}" if day.year != year else name))
                    year = day.year
                n += 1
                day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        else:
            step = max(1, math.ceil(span / 6))
            day = self.first
            while day <= self.last:
                self.x_ticks.append((self.x_of(day), f"{_MONTHS[day.month - 1]} {day.day}"))
                day += timedelta(days=step)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._paint_axis(painter)
        c = self.theme.colour
        painter.setPen(c("secondary"))
        metrics = QFontMetrics(self._font())
        for x, text in self.x_ticks:
            # Centred under its day, but kept inside the chart at both ends.
            width = metrics.horizontalAdvance(text) + 2
            left = min(max(x - width / 2, 0.0), self.width() - width)
            painter.drawText(QRectF(left, self.area.bottom() + 3, width, 16),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        accent = c("accent")
        if self.points and self.fill and len(self.points) > 1:
            area = QPainterPath(self.path)
            area.lineTo(QPointF(self.x_of(self.points[-1][0]), self.area.bottom()))
            area.lineTo(QPointF(self.x_of(self.points[0][0]), self.area.bottom()))
            area.closeSubpath()
            brush = QColor(accent)
            brush.setAlpha(50)
            painter.fillPath(area, brush)
        painter.setPen(QPen(accent, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path)
        if len(self.points) == 1:
            painter.setBrush(accent)
            painter.drawEllipse(self.path.currentPosition(), 4, 4)
        painter.end()


def series_plot(points: Sequence[tuple[date, float]], theme: Theme, *,
                fill: bool = True) -> SeriesChart:
    """A line over days (the Inbox's size, its oldest paper's age)."""
    return SeriesChart(points, theme, fill=fill)


def bar_plot(bars: Sequence[tuple[str, float]], theme: Theme, *,
             colours: Sequence[QColor] | None = None) -> BarChart:
    """Labelled bars (decisions per state, top tags, time per decision), each with its
    figure printed over it."""
    return BarChart(bars, theme, colours)
