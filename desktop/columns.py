"""How wide each column of the paper list is: the title gets what the others leave.

Tags, date, upvotes and byline are empty for most papers of some listings (a
paper with no publication date shows the day of its listing); a
column that has something for fewer than a quarter of the loaded rows is hidden
(the reading pane shows every fact of the current paper), as is one with nothing on
any row on screen; the others are as
wide as what they show (a date is never cut), within caps. Only the rows already
fetched for painting (the first page) are looked at: at 1M papers this costs no
query of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject
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
        self._fitting = True
        try:
            fit_columns(self.table, model, keep=self.user_sized)
        finally:
            self._fitting = False


def fit_columns(table: QTableView, model: PaperTableModel,
                keep: set[int] | frozenset[int] = frozenset()) -> None:
    header = table.horizontalHeader()
    font = table.font()
    metrics = QFontMetrics(font)
    chip_font = QFont(font)
    chip_font.setPixelSize(CHIP_FONT_PX)
    chip_metrics = QFontMetrics(chip_font)
    header_metrics = QFontMetrics(header.font())
    # The rows of the first page, as the model cached them for painting: plain
    # attribute reads, no data() calls (800 of those took 8 ms).
    lines = [row for row in (model.paper_row(n) for n in range(min(model.rowCount(),
                                                                   model.PAGE)))
             if row is not None]
    values = {column: [has(row) for row in lines if has(row)] for column, has in HAS.items()}
    # A column with nothing on any row on screen is only an empty stripe, however
    # full the rest of the page is (the first listing of the samples has no byline
    # and no upvotes for 19 rows, the page below them has 112 bylines in 200).
    screen = [row for row in (model.paper_row(n) for n in rows_on_screen(table, model))
              if row is not None]
    for column in (COL_TAGS, COL_DATE, COL_UPVOTES, COL_BYLINE):
        if column in keep:
            header.setSectionHidden(column, False)
            continue
        found = values[column]
        if column == COL_TAGS:
            widths = [chips_width(list(tags), chip_metrics) for tags in set(found)]
        else:
            widths = [metrics.horizontalAdvance(text) + PADDING for text in set(found)]
        # Tags are the user's own: any tag in view shows the column.
        share = SHOWN_FROM if column != COL_TAGS else 0.0
        empty = (not found or len(found) < share * len(lines)
                 or not any(HAS[column](row) for row in screen))
        needed = max(widths, default=0)
        header.setSectionHidden(column, empty)
        if empty:
            continue
        # The header's own words (and sort arrow) must fit as well.
        title = header_metrics.horizontalAdvance(HEADERS[column]) + PADDING + 14
        width = min(MAX_WIDTH[column], max(needed, title))
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    # A narrow list (a small window) keeps at least half its width for the title:
    # the least telling columns go first.
    room = table.viewport().width() // 2
    for column in (COL_UPVOTES, COL_BYLINE, COL_DATE, COL_TAGS):
        used = sum(header.sectionSize(c) for c in MAX_WIDTH if not header.isSectionHidden(c))
        if used <= room:
            break
        if column not in keep:
            header.setSectionHidden(column, True)
    header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
