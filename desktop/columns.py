"""How wide each column of the paper list is: the title gets what the others leave.

Tags, date, upvotes and byline are empty for most papers of some listings (a
paper with no publication date shows the day of its listing); a
column that has something for fewer than a quarter of the loaded rows is hidden
(the reading pane shows every fact of the current paper), as is one with nothing on
any row on screen; the others are as
wide as what they show (a date is never cut), within caps. Only the rows already
fetched for painting (the first page) are looked at: at 1M papers this costs no
query of its own. Scrolled to rows that have a value for a hidden column, the column
shows once the scroll settles (from the rows painted, so again no query).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableView

from desktop.model import (
    COL_BYLINE,
    COL_DATE,
    COL_TAGS,
    COL_TITLE,
    COL_UPVOTES,
    HEADERS,
    PaperTableModel,
)
from storage import PaperRow

# Caps, so that one long organisation name or ten tags do not eat the title.
MAX_WIDTH = {COL_TAGS: 190, COL_BYLINE: 120, COL_DATE: 120, COL_UPVOTES: 80}
SHOWN_FROM = 0.25  # share of the loaded rows with a value that earns a column
CHIP_FONT_PX = 11  # as TagsDelegate draws them
PADDING = 28  # the cell's margins and the focus frame
SAMPLE_DATE = "Sep 30, 2026"  # the widest date format_date writes
SCROLL_SETTLE_MS = 120


# What each optional column shows of a row (empty: nothing to show).
HAS: dict[int, Callable[[PaperRow], Any]] = {
    COL_TAGS: lambda row: row.tags,
    COL_DATE: lambda row: SAMPLE_DATE if row.published or row.listed else "",
    COL_UPVOTES: lambda row: "" if row.upvotes is None else str(row.upvotes),
    COL_BYLINE: lambda row: row.byline,
}


def rows_on_screen(table: QTableView, model: PaperTableModel) -> range:
    """The rows the list shows now (before its first layout: those it will show
    from the top)."""
    count = model.rowCount()
    first = table.rowAt(0)
    if first < 0:
        first = 0
    last = table.rowAt(table.viewport().height() - 1)
    if last < 0:
        step = max(table.verticalHeader().defaultSectionSize(), 1)
        last = first + table.viewport().height() // step
    return range(first, min(last + 1, count))


def chips_width(tags: list[str], metrics: QFontMetrics) -> int:
    return sum(metrics.horizontalAdvance(tag) + 12 + 4 for tag in tags) + 8


class ColumnFitter(QObject):
    """Fits the optional columns after each load and when the list changes width,
    except those the user sized: a column resized by hand (or restored from the saved
    layout) keeps its width and is never hidden."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self.user_sized: set[int] = set()
        self._fitting = False
        self._model: PaperTableModel | None = None
        self._width = 0
        table.horizontalHeader().sectionResized.connect(self._resized)
        table.viewport().installEventFilter(self)
        # After a scroll settles and its rows are painted (so fetched): looking
        # at the cache then costs no query, and a wheel's 30 events make one look.
        self._scrolled = QTimer(self)
        self._scrolled.setSingleShot(True)
        self._scrolled.setInterval(SCROLL_SETTLE_MS)
        self._scrolled.timeout.connect(self.reveal)
        table.verticalScrollBar().valueChanged.connect(self._scrolled.start)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self._model is not None:
            width = self.table.viewport().width()
            if abs(width - self._width) >= 24:  # not on every pixel of a drag
                self.fit(self._model)
        return False

    def _resized(self, column: int, _old: int, new: int) -> None:
        if self._fitting or column not in MAX_WIDTH or new <= 0:
            return
        self.user_sized.add(column)
        self.table.horizontalHeader().setSectionHidden(column, False)

    def fit(self, model: PaperTableModel) -> None:
        self._model = model
        self._width = self.table.viewport().width()
        self._scrolled.stop()
        self._fitting = True
        try:
            fit_columns(self.table, model, keep=self.user_sized)
        finally:
            self._fitting = False

    def reveal(self) -> None:
        """The columns the rows scrolled into view have values for (see
        reveal_columns)."""
        if self._model is None or self.table.model() is not self._model:
            return
        self._fitting = True
        try:
            reveal_columns(self.table, self._model, keep=self.user_sized)
        finally:
            self._fitting = False


class _Measure:
    """The fonts a column's width is measured with."""

    def __init__(self, table: QTableView) -> None:
        font = table.font()
        self.text = QFontMetrics(font)
        chip_font = QFont(font)
        chip_font.setPixelSize(CHIP_FONT_PX)
        self.chips = QFontMetrics(chip_font)
        self.header = QFontMetrics(table.horizontalHeader().font())

    def width(self, column: int, found: list[Any]) -> int:
        if column == COL_TAGS:
            widths = [chips_width(list(tags), self.chips) for tags in set(found)]
        else:
            widths = [self.text.horizontalAdvance(text) + PADDING for text in set(found)]
        # The header's own words (and sort arrow) must fit as well.
        title = self.header.horizontalAdvance(HEADERS[column]) + PADDING + 14
        return min(MAX_WIDTH[column], max(max(widths, default=0), title))


def _earned(column: int, found: list[Any], rows: int) -> bool:
    # Tags are the user's own: any tag in view shows the column.
    share = SHOWN_FROM if column != COL_TAGS else 0.0
    return bool(found) and len(found) >= share * rows


def _cached_rows(model: PaperTableModel, rows: range) -> list[PaperRow]:
    """The rows of `rows` the model has fetched (plain attribute reads, no query)."""
    return [row for row in (model.paper_row(n) for n in rows) if row is not None]


def fit_columns(table: QTableView, model: PaperTableModel,
                keep: set[int] | frozenset[int] = frozenset()) -> None:
    header = table.horizontalHeader()
    measure = _Measure(table)
    # The rows of the first page, as the model cached them for painting: plain
    # attribute reads, no data() calls (800 of those took 8 ms).
    lines = _cached_rows(model, range(min(model.rowCount(), model.PAGE)))
    values = {column: [has(row) for row in lines if has(row)] for column, has in HAS.items()}
    # A column with nothing on any row on screen is only an empty stripe, however
    # full the rest of the page is (the first listing of the samples has no byline
    # and no upvotes for 19 rows, the page below them has 112 bylines in 200).
    screen = _cached_rows(model, rows_on_screen(table, model))
    for column in (COL_TAGS, COL_DATE, COL_UPVOTES, COL_BYLINE):
        if column in keep:
            header.setSectionHidden(column, False)
            continue
        found = values[column]
        empty = (not _earned(column, found, len(lines))
                 or not any(HAS[column](row) for row in screen))
        header.setSectionHidden(column, empty)
        if empty:
            continue
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, measure.width(column, found))
    # A narrow list (a small window) keeps at least half its width for the title:
    # the least telling columns go first.
    room = table.viewport().width() // 2
    for column in (COL_UPVOTES, COL_BYLINE, COL_DATE, COL_TAGS):
        if _used(header) <= room:
            break
        if column not in keep:
            header.setSectionHidden(column, True)
    header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)


def _used(header: QHeaderView) -> int:
    return sum(header.sectionSize(c) for c in MAX_WIDTH if not header.isSectionHidden(c))


def reveal_columns(table: QTableView, model: PaperTableModel,
                   keep: set[int] | frozenset[int] = frozenset()) -> list[int]:
    """Show each hidden column that the rows now on screen earn by the same rule as
    a load (a quarter of them with a value; any tag), if the title keeps half the
    list. Only shows: a column that came and went with every scroll would make the
    titles jump under the reader's eyes; a load or a resize hides it again.
    Returns the columns shown."""
    header = table.horizontalHeader()
    hidden = [c for c in (COL_TAGS, COL_DATE, COL_UPVOTES, COL_BYLINE)
              if header.isSectionHidden(c) and c not in keep]
    if not hidden:
        return []
    screen = _cached_rows(model, rows_on_screen(table, model))
    if not screen:
        return []
    measure = _Measure(table)
    room = table.viewport().width() // 2
    shown = []
    for column in hidden:
        found = [value for value in map(HAS[column], screen) if value]
        if not _earned(column, found, len(screen)):
            continue
        width = measure.width(column, found)
        if _used(header) + width > room:
            continue
        header.setSectionHidden(column, False)
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
        shown.append(column)
    return shown
