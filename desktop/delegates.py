"""Painters for the paper list: tag chips drawn as plain text."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.model import COL_TITLE, MarkedRole, NotesRole, TagsRole
from desktop.text import balanced_bidi, isolated
from desktop.theme import LIGHT, Theme


def tag_colours(name: str, dark: bool) -> tuple[QColor, QColor]:
    """(background, text) of a tag chip: a stable hue per tag name."""
    hue = int(hashlib.sha1(name.casefold().encode("utf-8")).hexdigest()[:4], 16) % 360
    if dark:
        return QColor.fromHsl(hue, 70, 52), QColor.fromHsl(hue, 120, 210)
    return QColor.fromHsl(hue, 150, 236), QColor.fromHsl(hue, 140, 70)


def paint_marked(painter: QPainter, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex, theme: Theme) -> None:
    """Tint a row picked with `x` (under the selection colour, if any)."""
    if not index.data(MarkedRole):
        return
    if not option.state & QStyle.StateFlag.State_Selected:
        painter.fillRect(option.rect, theme.colour("marked"))


def paint_marked_bar(painter: QPainter, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex, theme: Theme) -> None:
    """A picked row's own sign, drawn over the first cell: a bar at its left edge.
    The unread dot stays what it is; a ✓ there read as "read" (the sidebar's sign)."""
    if index.column() == 0 and index.data(MarkedRole):
        rect = option.rect
        painter.fillRect(QRect(rect.left(), rect.top() + 3, 4, rect.height() - 6),
                         theme.colour("accent"))


MARK_PX = 14  # the note and highlight marks: legible, not decoration
MARK_COLOURS = {"❝": "mark_highlight", "✎": "mark_note"}


def _marks_room(index: QModelIndex | QPersistentModelIndex) -> int:
    """Pixels kept at the end of a title cell for its note and highlight marks."""
    marks = index.data(NotesRole) if index.column() == COL_TITLE else ""
    return (MARK_PX + 6) * len(marks) + 6 if marks else 0


class PaperDelegate(QStyledItemDelegate):
    """Keeps a cell's own colour (unread dot, star, dates) on selected rows too."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        # The current search's highlighter (SearchResult.highlight, via the list's
        # controller); asked at paint time, so only the visible titles are matched.
        self.highlight: Callable[[str], list[tuple[int, int]]] = lambda _text: []

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        if isinstance(foreground, (QColor, QBrush)):
            colour = foreground.color() if isinstance(foreground, QBrush) else foreground
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                option.palette.setColor(group, QPalette.ColorRole.HighlightedText, colour)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        paint_marked(painter, option, index, self.theme)
        wash = self.title_matches(option, index) if index.column() == COL_TITLE else []
        self._paint_cell(painter, option, index, wash)
        paint_marked_bar(painter, option, index, self.theme)

    def title_matches(self, option: QStyleOptionViewItem,
                      index: QModelIndex | QPersistentModelIndex) -> list[QRect]:
        """Where the search terms stand in the visible (elided) part of a title."""
        title = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(title, str):
            return []
        spans = self.highlight(title)
        if not spans:
            return []
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is None:
            return []
        # The note and highlight marks take the end of the cell: the title is elided
        # before them (see _paint_cell).
        opt.rect = opt.rect.adjusted(0, 0, -_marks_room(index), 0)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        metrics = QFontMetrics(opt.font)
        room = text_rect.width() - 2 * margin
        elided = metrics.elidedText(title, Qt.TextElideMode.ElideRight, room)
        visible = len(title) if elided == title else max(0, len(elided) - 1)
        left = text_rect.left() + margin
        height = metrics.height()
        top = text_rect.center().y() - height // 2 + 1
        # The spans are logical (string) positions, the text is painted in visual
        # order: a right-to-left run (Hebrew, Arabic) stands reversed, so a word's
        # place is read from the laid-out line, not from the width of what precedes
        # it in the string. A span across a direction change is several pieces.
        layout = QTextLayout(elided, opt.font)
        text_option = QTextOption()
        text_option.setTextDirection(opt.direction)
        text_option.setWrapMode(QTextOption.WrapMode.NoWrap)
        layout.setTextOption(text_option)
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        rects = []
        for start, end in spans:
            end = min(end, visible)
            if start >= end:
                continue
            for run in layout.glyphRuns(start, end - start):
                box = run.boundingRect()
                x0, x1 = math.floor(box.left()), math.ceil(box.right())
                rects.append(QRect(left + x0, top, max(1, x1 - x0), height))
        return rects

    def _paint_text_over(self, painter: QPainter, option: QStyleOptionViewItem,
                         index: QModelIndex | QPersistentModelIndex, style: QStyle) -> None:
        """The cell's text alone, in the colour it has on this row, over what is
        painted already (the background, the selection and the search wash)."""
        text = QStyleOptionViewItem(option)
        self.initStyleOption(text, index)
        if text.state & QStyle.StateFlag.State_Selected:
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                text.palette.setColor(group, QPalette.ColorRole.Text,
                                      text.palette.color(group,
                                                         QPalette.ColorRole.HighlightedText))
        # Not selected, no focus frame, no brush: the style draws no background again.
        text.state &= ~(QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_HasFocus)
        text.backgroundBrush = QBrush()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, text, painter, option.widget)

    def _paint_cell(self, painter: QPainter, option: QStyleOptionViewItem,
                    index: QModelIndex | QPersistentModelIndex,
                    wash: list[QRect] | None = None) -> None:
        marks = index.data(NotesRole) if index.column() == COL_TITLE else ""
        style = option.widget.style() if option.widget is not None else None
        if (not marks and not wash) or style is None:
            super().paint(painter, option, index)
            return
        # Background and selection first, the search wash on them, then the text:
        # a wash laid over the text (multiplied, or translucent in dark) turned
        # brown-grey on the selected row's blue.
        full = QStyleOptionViewItem(option)
        self.initStyleOption(full, index)
        full.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, full, painter, option.widget)
        if wash:
            painter.save()
            painter.setClipRect(option.rect)
            for rect in wash:
                painter.fillRect(rect, self.theme.colour("search_hit"))
            painter.restore()
        # Highlights and notes: small marks at the end of the title cell.
        room = _marks_room(index)
        narrow = QStyleOptionViewItem(option)
        narrow.rect = option.rect.adjusted(0, 0, -room, 0)
        self._paint_text_over(painter, narrow, index, style)
        if not marks:
            return
        painter.save()
        font = QFont(option.font)
        font.setPixelSize(MARK_PX)
        font.setBold(True)
        painter.setFont(font)
        x = option.rect.right() - room + 4
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for mark in marks:
            # Each mark in its own colour on a tinted pill, chosen per theme for
            # contrast (a grey 11 px glyph was invisible, worse in dark mode).
            colour = self.theme.colour(MARK_COLOURS.get(mark, "secondary"))
            pill = QRect(x, option.rect.center().y() - MARK_PX // 2 - 2, MARK_PX + 4,
                         MARK_PX + 4)
            tint = QColor(colour)
            tint.setAlpha(48)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tint)
            painter.drawRoundedRect(pill, 4, 4)
            painter.setPen(colour)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, mark)
            x += MARK_PX + 6
        painter.restore()


class TagsDelegate(QStyledItemDelegate):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        # Background and selection as the style draws them, then the chips on top.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        paint_marked(painter, option, index, self.theme)
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        tags = index.data(TagsRole) or []
        if not tags:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(option.font)
        font.setPixelSize(11)
        font.setBold(False)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        rect = option.rect.adjusted(4, 0, -4, 0)
        x = rect.left()
        height = metrics.height() + 4
        top = rect.center().y() - height // 2 + 1
        for number, tag in enumerate(tags):
            width = metrics.horizontalAdvance(tag) + 12
            if x + width > rect.right():
                # The tags that do not fit as chips are still named, as text cut
                # at the cell's end (a bare "+2" said nothing).
                rest = ", ".join(map(isolated, tags[number:]))
                label = metrics.elidedText(rest, Qt.TextElideMode.ElideRight,
                                           max(0, rect.right() - x))
                painter.setPen(self.theme.colour("secondary"))
                painter.drawText(QRect(x, top, rect.right() - x, height),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 label)
                break
            background, text = tag_colours(tag, self.theme.dark)
            chip = QRect(x, top, width, height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(background)
            painter.drawRoundedRect(chip, height / 2, height / 2)
            painter.setPen(text)
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, balanced_bidi(tag))
            x += width + 4
        painter.restore()
