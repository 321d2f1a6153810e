"""How wide each column of the paper list is: the title gets what the others leave.

Tags, date, upvotes and byline are empty for most papers of most listings; a
column with nothing to show in the loaded rows is hidden, and the others are as
wide as what they show (a date is never cut), within caps. Only the rows already
fetched for painting (the first page) are looked at: at 1M papers this costs no
query of its own.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
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
    TagsRole,
)

# Caps, so that one long organisation name or ten tags do not eat the title.
MAX_WIDTH = {COL_TAGS: 190, COL_BYLINE: 150, COL_DATE: 120, COL_UPVOTES: 80}
CHIP_FONT_PX = 11  # as TagsDelegate draws them
PADDING = 18
SAMPLE_DATE = "Sep 30, 2026"  # the widest date format_date writes


def chips_width(tags: list[str], metrics: QFontMetrics) -> int:
    return sum(metrics.horizontalAdvance(tag) + 12 + 4 for tag in tags) + 8


def fit_columns(table: QTableView, model: PaperTableModel) -> None:
    header = table.horizontalHeader()
    font = table.font()
    metrics = QFontMetrics(font)
    chip_font = QFont(font)
    chip_font.setPixelSize(CHIP_FONT_PX)
    chip_metrics = QFontMetrics(chip_font)
    header_metrics = QFontMetrics(header.font())
    rows = range(min(model.rowCount(), model.PAGE))
    display = Qt.ItemDataRole.DisplayRole
    for column in (COL_TAGS, COL_DATE, COL_UPVOTES, COL_BYLINE):
        if column == COL_TAGS:
            sets = [model.data(model.index(row, column), TagsRole) or [] for row in rows]
            needed = max((chips_width(tags, chip_metrics) for tags in sets if tags), default=0)
        else:
            texts = [model.data(model.index(row, column), display) or "" for row in rows]
            sample = SAMPLE_DATE if column == COL_DATE else None
            needed = max((metrics.horizontalAdvance(sample or text) + PADDING
                          for text in texts if text), default=0)
        empty = needed == 0
        header.setSectionHidden(column, empty)
        if empty:
            continue
        # The header's own words (and sort arrow) must fit as well.
        title = header_metrics.horizontalAdvance(HEADERS[column]) + PADDING + 14
        width = min(MAX_WIDTH[column], max(needed, title))
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
