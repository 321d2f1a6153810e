"""The reading pane: one paper's title, meta line, tags, abstract, highlights and note.

All text from a listing goes in through `setPlainText`/`Qt.PlainText`; search hits
and annotations are drawn on top as extra selections (`QTextCharFormat`), never by
writing HTML. Character offsets given to the Library are Python string indices.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QMouseEvent,
    QPainter,
    QPen,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.model import format_date
from desktop.summary_marks import summary_html
from desktop.text import (
    balanced_bidi,
    index_to_utf16,
    isolated,
    plain_tooltip,
    sentence_bounds,
    trim_span,
    utf16_to_index,
)
from desktop.theme import LIGHT, Theme, reading_font, ui_font
from storage import Annotation, Paper
from storage.states import BUILTIN_STATES, StateTable

AnnotationRole = Qt.ItemDataRole.UserRole + 20


# ------------------------------------------------------------------ layouts
class FlowLayout(QLayout):
    """Lays chips out in rows, wrapping like text."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line > 0:
                x = rect.x()
                y += line + self._spacing
                line = 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y()


class Chip(QLabel):
    clicked = Signal(str)

    def __init__(self, text: str, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(balanced_bidi(text))
        self.tag = text
        self.setObjectName("chip")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(plain_tooltip(f"Show papers tagged {isolated(text)}"))
        hue = int(hashlib.sha1(text.casefold().encode("utf-8")).hexdigest()[:4], 16) % 360
        if theme.dark:
            bg, fg, border = QColor.fromHsl(hue, 70, 52), QColor.fromHsl(hue, 120, 210), \
                QColor.fromHsl(hue, 70, 75)
        else:
            bg, fg, border = QColor.fromHsl(hue, 150, 236), QColor.fromHsl(hue, 140, 70), \
                QColor.fromHsl(hue, 120, 210)
        self.setStyleSheet(
            f"QLabel#chip {{ background: {bg.name()}; color: {fg.name()}; "
            f"border: 1px solid {border.name()}; border-radius: 10px; padding: 2px 9px; "
            f"font-size: 12px; font-weight: 500; }}")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.tag)
        super().mousePressEvent(event)


# ------------------------------------------------------------- text views
class PlainTextView(QTextEdit):
    """A read-only plain-text view as tall as its text (the pane scrolls, not it)."""

    def __init__(self, parent: QWidget | None = None, *, line_height: int = 100) -> None:
        super().__init__(parent)
        self.line_height = line_height
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setUndoRedoEnabled(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.document().setDocumentMargin(0)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._fit()

    def set_text(self, text: str) -> None:
        self.setPlainText(text)
        if self.line_height != 100:
            cursor = QTextCursor(self.document())
            cursor.select(QTextCursor.SelectionType.Document)
            block = QTextBlockFormat()
            block.setLineHeight(self.line_height,
                                QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
            cursor.mergeBlockFormat(block)
        self._fit()

    def _fit(self, *_args) -> None:
        margins = self.contentsMargins()
        height = math.ceil(self.document().size().height()) + margins.top() + margins.bottom()
        height = max(height, self.fontMetrics().lineSpacing())
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # let the reading pane scroll

    def span_selections(self, spans: Sequence[tuple[int, int]],
                        fmt: QTextCharFormat) -> list[QTextEdit.ExtraSelection]:
        """Extra selections for Python-index spans of the current text."""
        text = self.toPlainText()
        selections = []
        for start, end in spans:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(index_to_utf16(text, start))
            cursor.setPosition(index_to_utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        return selections


# What joins two words into one a reader reads: an apostrophe ("today's", "can’t") and a
# hyphen ("Lattice-KV", "state-of-the-art", "4-bit"; the hyphen-minus, U+2010, U+2011).
_JOINERS = "'\u2019-\u2010\u2011"


def _inside_a_word(text: str, at: int) -> bool:
    """Whether `at` splits a word at a joiner ("today|'s", "today'|s", "Lattice|-KV")."""
    def joined(joiner: int) -> bool:
        return (0 < joiner < len(text) - 1 and text[joiner] in _JOINERS
                and text[joiner - 1].isalnum() and text[joiner + 1].isalnum())
    return joined(at) or joined(at - 1)


class AbstractView(PlainTextView):
    """The abstract, with a keyboard caret mode for selecting what to highlight."""

    caret_moved = Signal(QRect)
    annotation_under_caret = Signal(object)
    left = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, line_height=130)
        self.setObjectName("abstract")
        self.setProperty("winnowMode", "caret")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # Qt's caret is a blinking hairline; the caret of caret mode is drawn by
        # paintEvent as a steady bar (CARET_WIDTH) that is visible at a glance.
        self.setCursorWidth(0)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.selecting = False
        # The paper's text shown here, which highlights made here go on: "abstract",
        # or "ai_summary" for a card that has only its summary (a trending page's).
        self.field = "abstract"
        self.annotations: list[Annotation] = []
        self.search_spans: list[tuple[int, int]] = []
        self.active_annotation: int | None = None
        self.theme: Theme = LIGHT
        self.reveal_start = False
        self.cursorPositionChanged.connect(self._caret_changed)

    # content
    def set_content(self, text: str, search_spans: Sequence[tuple[int, int]],
                    annotations: Sequence[Annotation], theme: Theme) -> None:
        self.theme = theme
        self.selecting = False
        self.active_annotation = None
        # Same length as `text`: the spans and highlight offsets still fit.
        self.set_text(balanced_bidi(text))
        self.search_spans = list(search_spans)
        self.annotations = list(annotations)
        self.paint_marks()

    def set_annotations(self, annotations: Sequence[Annotation]) -> None:
        self.annotations = list(annotations)
        self.paint_marks()

    def paint_marks(self) -> None:
        theme = self.theme
        selections: list[QTextEdit.ExtraSelection] = []
        for annotation in self.annotations:
            if annotation.orphaned:
                continue
            fmt = QTextCharFormat()
            colour = theme.highlight(annotation.colour)
            if annotation.id == self.active_annotation:
                colour = theme.mark(annotation.colour)
                colour.setAlpha(120)
            fmt.setBackground(colour)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(theme.mark(annotation.colour))
            selections += self.span_selections([(annotation.start, annotation.end)], fmt)
        # Search hits go last, a soft wash; where one lies inside a highlight it takes
        # the strong colour, so the two never look alike.
        hit = QTextCharFormat()
        hit.setBackground(theme.colour("search_hit"))
        selections += self.span_selections(self.search_spans, hit)
        strong = QTextCharFormat()
        strong.setBackground(theme.colour("search_hit_strong"))
        strong.setForeground(theme.colour("search_hit_text"))
        inside = [(max(start, a.start), min(end, a.end)) for start, end in self.search_spans
                  for a in self.annotations
                  if not a.orphaned and max(start, a.start) < min(end, a.end)]
        selections += self.span_selections(inside, strong)
        self.setExtraSelections(selections)
        self.viewport().update()

    # ------------------------------------------------------------ overlay
    CARET_WIDTH = 3

    def span_rects(self, start: int, end: int) -> list[QRect]:
        """The viewport rectangles (one per line) covering the Python-index span."""
        text = self.toPlainText()
        first, last = index_to_utf16(text, start), index_to_utf16(text, end)
        rects: list[QRect] = []
        line_top, left, right, height = None, 0, 0, 0
        for position in range(first, last + 1):
            cursor = QTextCursor(self.document())
            cursor.setPosition(position)
            rect = self.cursorRect(cursor)
            if line_top is None:
                line_top, left, right, height = rect.top(), rect.left(), rect.left(), \
                    rect.height()
            elif rect.top() != line_top:
                rects.append(QRect(left, line_top, max(1, right - left), height))
                line_top, left, right, height = rect.top(), rect.left(), rect.left(), \
                    rect.height()
            else:
                right = rect.left()
        if line_top is not None and right > left:
            rects.append(QRect(left, line_top, right - left, height))
        return rects

    def caret_rect(self) -> QRect:
        rect = self.cursorRect()
        return QRect(rect.left() - 1, rect.top(), self.CARET_WIDTH, rect.height())

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        theme = self.theme
        for annotation in self.annotations:
            if annotation.orphaned:
                continue
            rects = self.span_rects(annotation.start, annotation.end)
            if not rects:
                continue
            mark = theme.mark(annotation.colour)
            # A bar at the start of every highlight: two that touch stay two.
            first = rects[0]
            painter.fillRect(QRect(first.left() - 1, first.top() + 1, 3,
                                   first.height() - 2), mark)
            if annotation.comment.strip():
                # A comment is a filled badge at the highlight's end.
                last = rects[-1]
                painter.setPen(QPen(theme.colour("base"), 1.5))
                painter.setBrush(mark)
                painter.drawEllipse(QRect(last.right() - 3, last.top() - 3, 9, 9))
        if self.hasFocus():
            painter.fillRect(self.caret_rect(), theme.colour("caret"))
        painter.end()

    # caret mode
    def enter_caret(self) -> None:
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        cursor = self.textCursor()
        if not cursor.hasSelection() and cursor.position() == 0 and self.search_spans:
            text = self.toPlainText()
            first = self.search_spans[0][0]
            starts = [s for s in sentence_bounds(text) if s <= first]
            cursor.setPosition(index_to_utf16(text, starts[-1] if starts else 0))
            self.setTextCursor(cursor)
        self._caret_changed()

    def toggle_selecting(self) -> bool:
        cursor = self.textCursor()
        if self.selecting or cursor.hasSelection():
            self.selecting = False
            cursor.clearSelection()
        else:
            self.selecting = True
        self.setTextCursor(cursor)
        return self.selecting

    def clear_selection(self) -> bool:
        """Drop the selection; False when there was none (Esc then leaves caret mode)."""
        cursor = self.textCursor()
        had = self.selecting or cursor.hasSelection()
        self.selecting = False
        cursor.clearSelection()
        self.setTextCursor(cursor)
        return had

    def move_caret(self, how: str) -> None:
        cursor = self.textCursor()
        mode = (QTextCursor.MoveMode.KeepAnchor if self.selecting
                else QTextCursor.MoveMode.MoveAnchor)
        op = QTextCursor.MoveOperation
        simple = {"word+": op.NextWord, "word-": op.PreviousWord, "char+": op.Right,
                  "char-": op.Left, "line+": op.Down, "line-": op.Up,
                  "home": op.StartOfLine, "end": op.EndOfLine, "top": op.Start,
                  "bottom": op.End}
        if how in ("word+", "word-"):
            # Qt's word steps stop at an apostrophe or a hyphen inside a word: three `w`
            # from "In" selected "In today'" of "In today's", two from a summary's
            # start "Lattice-" (seen in a real window).
            text = self.toPlainText()
            while cursor.movePosition(simple[how], mode) and _inside_a_word(
                    text, utf16_to_index(text, cursor.position())):
                pass
        elif how in simple:
            cursor.movePosition(simple[how], mode)
        elif how in ("sentence+", "sentence-"):
            text = self.toPlainText()
            here = utf16_to_index(text, cursor.position())
            starts = sentence_bounds(text)
            if how == "sentence+":
                later = [s for s in starts if s > here]
                target = later[0] if later else len(text)
            else:
                earlier = [s for s in starts if s < here]
                target = earlier[-1] if earlier else 0
            cursor.setPosition(index_to_utf16(text, target), mode)
        self.setTextCursor(cursor)

    def selection_span(self) -> tuple[int, int] | None:
        """The selected range as Python indices, trimmed of white space."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        text = self.toPlainText()
        start = utf16_to_index(text, cursor.selectionStart())
        end = utf16_to_index(text, cursor.selectionEnd())
        start, end = trim_span(text, start, end)
        return (start, end) if end > start else None

    def select_span(self, start: int, end: int) -> None:
        """Select a span (a highlight jumped to): the pane then shows its start."""
        self.reveal_start = True
        text = self.toPlainText()
        cursor = self.textCursor()
        cursor.setPosition(index_to_utf16(text, start))
        cursor.setPosition(index_to_utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def annotation_at(self, index: int) -> Annotation | None:
        for annotation in self.annotations:
            if not annotation.orphaned and annotation.start <= index < annotation.end:
                return annotation
        return None

    def _caret_changed(self) -> None:
        self.viewport().update()
        rect = self.cursorRect()
        self.caret_moved.emit(QRect(self.viewport().mapTo(self.window(), rect.topLeft()),
                                    rect.size()))
        if self.hasFocus():
            text = self.toPlainText()
            index = utf16_to_index(text, self.textCursor().position())
            self.annotation_under_caret.emit(self.annotation_at(index))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        cursor = self.cursorForPosition(event.position().toPoint())
        text = self.toPlainText()
        annotation = self.annotation_at(utf16_to_index(text, cursor.position()))
        if annotation is not None:
            tip = annotation.comment or "Highlight (no comment) — press a on it to add one"
            QToolTip.showText(event.globalPosition().toPoint(), plain_tooltip(tip), self)
        else:
            QToolTip.hideText()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if event.reason() not in (Qt.FocusReason.PopupFocusReason,
                                  Qt.FocusReason.ActiveWindowFocusReason):
            self.selecting = False
            if self.active_annotation is not None:
                self.active_annotation = None
                self.paint_marks()


# ------------------------------------------------------------- annotations
class AnnotationDelegate(QStyledItemDelegate):
    PAD = 8
    MAX_QUOTE = 240

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT

    def _texts(self, annotation: Annotation) -> tuple[str, str]:
        quote = " ".join(annotation.quote.split())
        if len(quote) > self.MAX_QUOTE:
            quote = quote[: self.MAX_QUOTE].rstrip() + "…"
        quote = f"“{isolated(quote)}”"
        if annotation.orphaned:
            quote += ("  (no longer found in the AI summary)" if annotation.field ==
                      "ai_summary" else "  (no longer found in the abstract)")
        return quote, annotation.comment

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        quote_font = QFont(option.font)
        quote_font.setPixelSize(12)
        quote_font.setItalic(True)
        comment_font = QFont(option.font)
        comment_font.setPixelSize(13)
        return quote_font, comment_font

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        annotation: Annotation | None = index.data(AnnotationRole)
        if annotation is None:
            return QSize(0, 0)
        view = self.parent()
        width = max(120, (view.viewport().width() if view else option.rect.width()) - 30)
        quote, comment = self._texts(annotation)
        quote_font, comment_font = self._fonts(option)
        from PySide6.QtGui import QFontMetrics

        flags = int(Qt.TextFlag.TextWordWrap)
        height = QFontMetrics(quote_font).boundingRect(QRect(0, 0, width, 10_000), flags,
                                                       quote).height()
        if comment:
            height += 4 + QFontMetrics(comment_font).boundingRect(
                QRect(0, 0, width, 10_000), flags, comment).height()
        return QSize(width, height + 2 * self.PAD + 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        annotation: Annotation | None = index.data(AnnotationRole)
        if annotation is None:
            return
        c = self.theme.colour
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(0, 2, 0, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus) or \
            (self.parent() is not None and self.parent().hasFocus())
        background = QColor(self.theme.highlight(annotation.colour))
        background.setAlpha(150 if selected and focused else 70)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(rect, 6, 6)
        if selected and focused:
            painter.setPen(QPen(self.theme.mark(annotation.colour), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), 6, 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.theme.mark(annotation.colour))
        painter.drawRoundedRect(QRect(rect.left(), rect.top(), 4, rect.height()), 2, 2)
        quote, comment = self._texts(annotation)
        quote_font, comment_font = self._fonts(option)
        text_rect = rect.adjusted(14, self.PAD - 2, -10, -self.PAD + 2)
        flags = int(Qt.TextFlag.TextWordWrap)
        painter.setFont(quote_font)
        painter.setPen(c("secondary"))
        used = painter.boundingRect(text_rect, flags, quote)
        painter.drawText(text_rect, flags, quote)
        if comment:
            painter.setFont(comment_font)
            painter.setPen(c("text"))
            painter.drawText(text_rect.adjusted(0, used.height() + 4, 0, 0), flags, comment)
        painter.restore()


class AnnotationList(QListWidget):
    focused = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationList")
        self.setProperty("winnowMode", "annotations")
        self.delegate = AnnotationDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSpacing(2)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_annotations(self, annotations: Sequence[Annotation], keep_id: int | None = None,
                        theme: Theme | None = None) -> None:
        if theme is not None:
            self.delegate.theme = theme
        self.clear()
        selected_row = -1
        for row, annotation in enumerate(annotations):
            item = QListWidgetItem()
            item.setData(AnnotationRole, annotation)
            tip = annotation.comment or annotation.quote
            item.setToolTip(plain_tooltip(tip))
            self.addItem(item)
            if annotation.id == keep_id:
                selected_row = row
        if selected_row >= 0:
            self.setCurrentRow(selected_row)
        elif self.count():
            self.setCurrentRow(0)
        self._fit()

    def current_annotation(self) -> Annotation | None:
        item = self.currentItem()
        return item.data(AnnotationRole) if item is not None else None

    def _fit(self) -> None:
        self.doItemsLayout()
        height = sum(self.sizeHintForRow(i) + 2 * self.spacing() for i in range(self.count()))
        self.setFixedHeight(max(0, height + 2 * self.frameWidth()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            QTimer.singleShot(0, self._fit)

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self.currentRow() < 0 and self.count():
            self.setCurrentRow(0)
        self.viewport().update()
        self.focused.emit()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.viewport().update()


# -------------------------------------------------------------------- note
class NoteEditor(QTextEdit):
    """The paper's note: plain text, grows with its content."""

    focus_lost = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("note")
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)
        self.setPlaceholderText("Write a note — it is saved as you type  (n)")
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def _fit(self, *_args) -> None:
        margins = self.contentsMargins()
        height = math.ceil(self.document().size().height()) + margins.top() + margins.bottom()
        height = max(84, height + 4)
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.focus_lost.emit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()


# -------------------------------------------------------------------- pane
class ReaderPane(QStackedWidget):
    """Signals carry what the window must write; the pane itself never writes."""

    note_edited = Signal(int, str)
    tag_clicked = Signal(str)
    link_opened = Signal(QUrl)  # a link of the facts line, clicked

    NOTE_DELAY_MS = 300

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readerStack")
        self.theme: Theme = LIGHT
        # The triage states (the window's table): the pane names a paper's state by it.
        self.states = StateTable(BUILTIN_STATES)
        self.paper: Paper | None = None
        self.terms: list[str] = []
        # The summary highlight jumped to from the list, drawn marked (summary_html).
        self.summary_active: int | None = None
        self._summary_spans: list[tuple[int, int]] = []

        self.empty = QLabel("Select a paper to read it here")
        self.empty.setObjectName("readerEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)

        self.scroll = QScrollArea()
        self.scroll.setObjectName("reader")
        # Not a Tab stop: focused, it showed nothing and did nothing the list does not
        # (j/k/Space are the window's); Tab goes list, abstract, note, search.
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setObjectName("readerContent")
        self.scroll.setWidget(content)
        self._build_widgets()
        self._lay_out(content)

        self.addWidget(self.empty)
        self.addWidget(self.scroll)
        self.setCurrentWidget(self.empty)
        self._wire_note()
        self.abstract.caret_moved.connect(self._ensure_visible)
        self.annotation_list.currentRowChanged.connect(self._reveal_annotation)
        self.annotation_list.focused.connect(self._reveal_annotation)

    def _build_widgets(self) -> None:
        """The pane's parts, top to bottom: state, title, meta, why, tags, abstract,
        highlights, note."""
        self.state = QLabel()
        self.state.setObjectName("paperState")
        self.title = PlainTextView()
        self.title.setObjectName("paperTitle")
        self.title.setFont(ui_font(21, QFont.Weight.DemiBold))
        self.meta = QLabel()
        self.meta.setObjectName("paperMeta")
        self.meta.setWordWrap(True)
        # What a card holds besides its abstract: a trending page brings only the AI
        # summary (the pane showed a title over nothing), and the arXiv id and GitHub
        # repository a card links to were kept but never shown.
        # Its links are real links (rich text built from escaped fields): a click
        # opens one; from the keyboard `o` opens the paper's page, Shift+O its code.
        self.facts = QLabel()
        self.facts.setObjectName("paperFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setOpenExternalLinks(False)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.facts.linkActivated.connect(lambda link: self.link_opened.emit(QUrl(link)))
        self.facts.setToolTip(plain_tooltip("o opens the paper's page · Shift+O its code"))
        # Beside an abstract the AI summary is a quieter aside in a ruled box; alone (a
        # trending card) it is the body, read in the abstract's place under a section
        # label of its own, like HIGHLIGHTS and NOTE (the box's label left over above
        # the text read as a detached fragment in a real window).
        self.summary_box = QFrame()
        self.summary_box.setObjectName("aiSummary")
        self.summary_label = QLabel("AI SUMMARY")
        self.summary_label.setObjectName("sectionLabel")
        self.summary = QLabel()
        self.summary.setObjectName("summaryText")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box = QVBoxLayout(self.summary_box)
        box.setContentsMargins(14, 8, 12, 10)
        box.setSpacing(4)
        box.addWidget(self.summary_label)
        box.addWidget(self.summary)
        self.body_label = QLabel("AI SUMMARY")
        self.body_label.setObjectName("sectionLabel")
        # The room the hidden divider leaves, so the label heads the text, not the facts.
        self.body_label.setContentsMargins(0, 10, 0, 0)
        self.body_label.hide()
        # Why For you ranks this paper here (its words, the kept papers it is like).
        self.why = QLabel()
        self.why.setObjectName("paperWhy")
        self.why.setWordWrap(True)
        self.why.hide()
        self.chips = QWidget()
        self.chip_layout = FlowLayout(self.chips)
        self.abstract = AbstractView()
        self.abstract.setFont(reading_font(15))
        self.annotations_label = QLabel("HIGHLIGHTS")
        self.annotations_label.setObjectName("sectionLabel")
        self.annotations_hint = QLabel(HIGHLIGHT_HINT)
        self.annotations_hint.setObjectName("sectionHint")
        self.annotations_hint.setWordWrap(True)
        self.annotation_list = AnnotationList()
        self.note_label = QLabel("NOTE")
        self.note_label.setObjectName("sectionLabel")
        self.note_status = QLabel("")
        self.note_status.setObjectName("sectionHint")
        self.note = NoteEditor()
        for label in (self.state, self.meta, self.summary_label, self.summary,
                      self.body_label, self.why,
                      self.annotations_label,
                      self.annotations_hint, self.note_label, self.note_status):
            label.setTextFormat(Qt.TextFormat.PlainText)

    def _lay_out(self, content: QWidget) -> None:
        self._gaps: list[tuple[QWidget, QSpacerItem, int]] = []
        layout = QVBoxLayout(content)
        layout.setContentsMargins(28, 22, 28, 28)
        layout.setSpacing(0)
        self.divider = divider = QFrame()
        divider.setObjectName("divider")
        header = QHBoxLayout()
        header.addWidget(self.annotations_label)
        header.addStretch(1)
        note_header = QHBoxLayout()
        note_header.addWidget(self.note_label)
        note_header.addStretch(1)
        note_header.addWidget(self.note_status)
        # (widget or layout, spacing after it)
        for part, after in ((self.state, 6), (self.title, 8), (self.meta, 10),
                            (self.facts, 10), (self.summary_box, 12), (self.why, 10),
                            (self.chips, 14), (divider, 14), (self.body_label, 6),
                            (self.abstract, 22),
                            (header, 6), (self.annotations_hint, 18),
                            (self.annotation_list, 18), (note_header, 6), (self.note, 0)):
            if isinstance(part, QHBoxLayout):
                layout.addLayout(part)
            else:
                layout.addWidget(part)
            if after:
                gap = QSpacerItem(0, after, QSizePolicy.Policy.Minimum,
                                  QSizePolicy.Policy.Fixed)
                layout.addSpacerItem(gap)
                if isinstance(part, QWidget):
                    self._gaps.append((part, gap, after))
        layout.addStretch(1)

    def _fit_gaps(self) -> None:
        """A hidden part takes its gap with it: a card with no facts, summary or tags
        had 36 px of nothing between its meta line and the divider."""
        changed = False
        for widget, gap, after in self._gaps:
            height = 0 if widget.isHidden() else after
            if gap.sizeHint().height() != height:
                gap.changeSize(0, height, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
                changed = True
        if changed:
            self.scroll.widget().layout().invalidate()

    def _wire_note(self) -> None:
        self._note_paper: int | None = None
        self._note_loading = False
        self._note_dirty = False
        # Notes the library refused (a read-only or full disk, a locked file), by paper:
        # shown again with their paper and stored by the first save that succeeds.
        self._unsaved_notes: dict[int, str] = {}
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(self.NOTE_DELAY_MS)
        self._note_timer.timeout.connect(self.flush_note)
        self.note.textChanged.connect(self._note_changed)
        self.note.focus_lost.connect(self.flush_note)

    # ------------------------------------------------------------- content
    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.annotation_list.delegate.theme = theme
        if self.paper is not None:
            self.show_paper(self.paper, self.terms, keep_position=True)

    def show_paper(self, paper: Paper | None, terms: Sequence[str] = (), *,
                   spans: Sequence[tuple[int, int]] = (),
                   title_spans: Sequence[tuple[int, int]] = (),
                   summary_spans: Sequence[tuple[int, int]] = (),
                   keep_position: bool = False) -> None:
        """Show `paper` (None: the empty state). Saves a pending note first."""
        same = paper is not None and self.paper is not None and paper.id == self.paper.id
        if not same:
            self.flush_note()
        scroll = self.scroll.verticalScrollBar().value()
        caret = self.abstract.textCursor().position()
        self.paper = paper
        self.terms = list(terms)
        if not same:
            self.summary_active = None
        if paper is None:
            self._note_paper = None
            self.setCurrentWidget(self.empty)
            return
        self.setCurrentWidget(self.scroll)
        self.state.setText(state_line(paper, self.states))
        # An open override in the title must not turn it around (nor a stray PDI
        # anything); balanced_bidi keeps the length, so title_spans still fit.
        self.title.set_text(balanced_bidi(paper.title))
        hit = QTextCharFormat()
        hit.setBackground(self.theme.colour("search_hit"))
        self.title.setExtraSelections(self.title.span_selections(title_spans, hit))
        self.meta.setText(meta_line(paper))
        facts = facts_html(paper, self.theme.colour("accent").name())
        self.facts.setText(facts)
        self.facts.setVisible(bool(facts))
        self._show_summary(paper, summary_spans)
        self._set_chips(paper.tags)
        self._fit_gaps()
        # A card with only its summary: the summary is the text here, to select and
        # highlight as an abstract (its highlights say so: Annotation.field).
        field = "ai_summary" if paper.ai_summary and not paper.abstract else "abstract"
        text = (paper.ai_summary or "") if field == "ai_summary" else paper.abstract
        self.abstract.field = field
        self.abstract.set_content(text, summary_spans if field == "ai_summary" else spans,
                                  [a for a in paper.annotations if a.field == field],
                                  self.theme)
        self._set_annotations(paper.annotations)
        if not same or (self.note.toPlainText() != paper.note and not self.note.hasFocus()):
            self._load_note(paper)
        if keep_position and same:
            cursor = self.abstract.textCursor()
            cursor.setPosition(min(caret, len(text)))
            self.abstract.setTextCursor(cursor)
            QTimer.singleShot(0, lambda: self.scroll.verticalScrollBar().setValue(scroll))
        else:
            self.scroll.verticalScrollBar().setValue(0)

    def reveal_summary_annotation(self, annotation: Annotation) -> None:
        """Bring a highlight on the summary beside the abstract into view, marked."""
        self.summary_active = annotation.id
        if self.paper is not None:
            self._show_summary(self.paper, self._summary_spans)
        self._settle()
        self.scroll.ensureWidgetVisible(self.summary_box, 10, 40)

    def _show_summary(self, paper: Paper,
                      spans: Sequence[tuple[int, int]] = ()) -> None:
        self._summary_spans = list(spans)
        summary = balanced_bidi(paper.ai_summary) if paper.ai_summary else ""
        # The search's matches washed as in the abstract (a trending card is found by
        # its summary): rich text made of escaped pieces, plain text otherwise.
        body = bool(summary) and not paper.abstract
        # Beside an abstract, the highlights made on the summary are drawn here
        # (desktop/summary_marks.py); as the body, the caret view draws them.
        marks = [] if body else [a for a in paper.annotations if a.field == "ai_summary"]
        washed = summary_html(summary, spans, marks, self.theme, self.summary_active)
        self.summary.setTextFormat(Qt.TextFormat.RichText if washed else
                                   Qt.TextFormat.PlainText)
        self.summary.setText(washed or summary)
        self.summary.setFont(ui_font(13))
        self.summary_box.setVisible(bool(summary) and not body)
        self.body_label.setVisible(body)
        self.divider.setVisible(not body)

    def set_why(self, text: str | None) -> None:
        """Show why the paper is ranked where it is (None: hide). The titles in it
        come isolated (`Why.text(isolate=isolated)`); the whole is balanced too."""
        self.why.setText(f"\u2726 {balanced_bidi(text)}" if text else "")
        self.why.setVisible(bool(text))
        self._fit_gaps()

    def _set_chips(self, tags: Sequence[str]) -> None:
        while self.chip_layout.count():
            item = self.chip_layout.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        for tag in tags:
            chip = Chip(tag, self.theme, self.chips)
            chip.clicked.connect(self.tag_clicked)
            self.chip_layout.addWidget(chip)
        self.chips.setVisible(bool(tags))
        self.chips.updateGeometry()

    def _set_annotations(self, annotations: Sequence[Annotation]) -> None:
        current = self.annotation_list.current_annotation()
        self.annotation_list.set_annotations(annotations, current.id if current else None,
                                             self.theme)
        self.annotation_list.setVisible(bool(annotations))
        self.annotations_hint.setVisible(not annotations)
        count = len(annotations)
        self.annotations_label.setText(f"HIGHLIGHTS · {count}" if count else "HIGHLIGHTS")

    def _load_note(self, paper: Paper) -> None:
        self._note_timer.stop()
        self._note_loading = True
        try:
            self.note.setPlainText(paper.note)
        finally:
            self._note_loading = False
        self._note_paper = paper.id
        self._note_dirty = False
        self.note_status.setText("")
        unsaved = self._unsaved_notes.get(paper.id)
        if unsaved is not None and unsaved != paper.note:
            self._note_loading = True
            try:
                self.note.setPlainText(unsaved)
            finally:
                self._note_loading = False
            self.note_status.setText("Not saved")
            self._note_dirty = True
            self._note_timer.start()  # try again: the disk may have room now
        elif unsaved is not None:
            del self._unsaved_notes[paper.id]

    # ---------------------------------------------------------------- note
    def _note_changed(self) -> None:
        if self._note_loading or self._note_paper is None:
            return
        self.note_status.setText("Editing…")
        self._note_dirty = True
        self._note_timer.start()

    def flush_note(self) -> None:
        """Save the note now if it has unsaved typing (debounce, focus loss, quit)."""
        self._note_timer.stop()
        if not self._note_dirty or self._note_paper is None:
            return
        self._note_dirty = False
        paper_id, text = self._note_paper, self.note.toPlainText()
        self._unsaved_notes.pop(paper_id, None)
        self.note_status.setText("Saved")
        self.note_edited.emit(paper_id, text)  # the window calls note_not_saved if refused

    def note_not_saved(self, paper_id: int, text: str) -> None:
        """The library refused this note: keep the text with its paper, say so (the
        window's status bar says why), and store it at the next save that succeeds."""
        self._unsaved_notes[paper_id] = text
        if self._note_paper == paper_id:
            self.note_status.setText("Not saved")

    @property
    def note_pending(self) -> bool:
        return self._note_dirty

    # ------------------------------------------------------------ movement
    def page(self, direction: int) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.value() + direction * max(40, bar.pageStep() - 40))

    def _ensure_visible(self, rect: QRect) -> None:
        abstract = self.abstract
        if not abstract.hasFocus():
            return
        self._settle()
        viewport = abstract.viewport()
        caret = abstract.cursorRect()
        top_left = viewport.mapTo(self.scroll.widget(), caret.topLeft())
        self.scroll.ensureVisible(top_left.x(), top_left.y(), 10, 60)
        if abstract.reveal_start:
            # A highlight jumped to is read from its start: shown last, the start
            # wins when the whole span does not fit.
            abstract.reveal_start = False
            cursor = abstract.textCursor()
            start = QTextCursor(abstract.document())
            start.setPosition(cursor.selectionStart())
            start_rect = abstract.cursorRect(start)
            point = viewport.mapTo(self.scroll.widget(), start_rect.topLeft())
            self.scroll.ensureVisible(point.x(), point.y() + start_rect.height() // 2, 10,
                                      start_rect.height() // 2 + 40)

    def _settle(self) -> None:
        # Geometry is laid out lazily; a position read before that is stale (the
        # list may still move when the abstract above it re-wraps).
        layout = self.scroll.widget().layout()
        if layout is not None:
            layout.activate()

    def _reveal_annotation(self, *_args: object) -> None:
        """Keep the focused entry of the highlight list in view as it moves."""
        items = self.annotation_list
        item = items.currentItem()
        if item is None or not items.hasFocus():
            return
        self._settle()
        rect = items.visualItemRect(item)
        middle = items.viewport().mapTo(self.scroll.widget(), rect.center())
        self.scroll.ensureVisible(middle.x(), middle.y(), 10, rect.height() // 2 + 16)


def state_line(paper: Paper, table: StateTable) -> str:
    """The line over the title: the paper's triage state as the state table names it
    (with the date a snoozed paper comes back), its star and its note."""
    state = table.get(paper.state)
    # A state no table knows any more (removed from states.json) shows its stored name.
    head = f"{state.mark} {state.label.upper()}" if state is not None else \
        f"• {paper.state.upper()}"
    if state is not None and state.snoozes:
        head += f" UNTIL {format_date(paper.snooze_until).upper()}" if paper.snooze_until \
            else " · SOMEDAY"
    parts = [head]
    if paper.starred:
        parts.append("★ STARRED")
    if paper.note:
        parts.append("NOTE")
    return "  ·  ".join(parts)


def meta_line(paper: Paper) -> str:
    parts = []
    if paper.published:
        parts.append(format_date(paper.published))
    elif paper.published_raw:
        parts.append(paper.published_raw)
    # Listing text among the app's words: each piece isolated (an open U+202E in
    # an organisation turned the upvotes and the listing after it around).
    if paper.byline:
        parts.append(isolated(paper.byline))
    if paper.upvotes:
        parts.append(f"▲ {paper.upvotes} upvote{'s' if paper.upvotes != 1 else ''}")
    if paper.sources:
        dates = [format_date(s.listing_date) for s in paper.sources if s.listing_date]
        if len(paper.sources) == 1:
            parts.append(f"listing of {dates[0]}" if dates
                         else _undated_source(paper.sources[0].name))
        else:
            parts.append(f"in {len(paper.sources)} listings")
    return "  ·  ".join(parts)


WORD_JOINER = "\u2060"


def _undated_source(name: str) -> str:
    """An undated listing as the sidebar's Recent imports names it: "from Sample listing
    2", "pasted 22:18", not "from 001_2386f24fa6d6a846.txt" (a sample's file name, seen
    under every undated sample paper in a real window) or "from clipboard 2026-…"."""
    from desktop.sidebar import listing_label  # beside the imports i14d edits

    label = listing_label({"name": name})
    if label.startswith("Pasted "):
        return "pasted " + label.removeprefix("Pasted ")
    if not name.startswith(label):
        return f"from {label}"  # the app's words: "Sample listing 2"
    # A file's name is listing text (isolated), and one word: the line wrapped
    # "from md-" / "trending.md" at its hyphen (seen in a real window).
    return f"from {isolated(label.replace('-', '-' + WORD_JOINER))}"


def facts_line(paper: Paper) -> str:
    """The card's links, by what they are, as plain text: its arXiv id, its GitHub
    repository and stars, that it has a project page."""
    return "  ·  ".join(text for text, _url in _facts(paper))


def facts_html(paper: Paper, link: str = "#3563e9") -> str:
    """facts_line as rich text: each fact with an address a link to it. Every piece
    of listing text is escaped (and isolated); the addresses are built here from
    checked ids, never taken from the listing as they stand."""
    parts = []
    for text, url in _facts(paper):
        # "★ 5,240" and "arXiv 2610.05608" never break at their space.
        shown = html.escape(text).replace(" ", "&nbsp;", 1)
        # The theme's accent by name: a label keeps the link colour of the palette it
        # was first laid out with, so a switch to dark mode left dark-blue links.
        parts.append(f'<a href="{html.escape(url, quote=True)}" '
                     f'style="color: {link}; text-decoration: none">{shown}</a>'
                     if url else shown)
    return "&nbsp;&nbsp;·&nbsp;&nbsp;".join(parts)


def washed_html(text: str, spans: Sequence[tuple[int, int]], colour: str) -> str:
    """`text` as rich text with each span's background `colour`, every piece escaped;
    "" when there is no span to wash."""
    spans = sorted((max(0, a), min(len(text), b)) for a, b in spans if b > a)
    if not text or not spans:
        return ""
    out, at = [], 0
    for start, end in spans:
        if start < at:
            start = at
        if end <= start:
            continue
        out.append(html.escape(text[at:start]))
        out.append(f'<span style="background-color: {colour}">'
                   f"{html.escape(text[start:end])}</span>")
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out).replace("\n", "<br>")


_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+")


def code_url(paper: Paper) -> str | None:
    """The paper's GitHub repository as an address, if it names one."""
    if not paper.github_repo:
        return None
    repo = paper.github_repo.removeprefix("https://github.com/").rstrip("/")
    return f"https://github.com/{repo}" if _REPO.fullmatch(repo) else None


def _facts(paper: Paper) -> list[tuple[str, str | None]]:
    parts: list[tuple[str, str | None]] = []
    if paper.arxiv_id:
        # digits and a dot: checked at import
        parts.append((f"arXiv {paper.arxiv_id}", f"https://arxiv.org/abs/{paper.arxiv_id}"
                      if _ARXIV.fullmatch(paper.arxiv_id) else None))
    if paper.github_repo:
        repo = paper.github_repo.removeprefix("https://github.com/").rstrip("/")
        parts.append((f"GitHub {isolated(repo)}", code_url(paper)))
    if paper.github_stars is not None and paper.github_repo:
        parts.append((f"★ {paper.github_stars:,}", None))
    if paper.project_page:
        page = paper.project_page.strip()
        parts.append(("project page", page if _WEB.fullmatch(page) else None))
    return parts


_WEB = re.compile(r"https?://[^\s\"'<>\\]+")


_ARXIV = re.compile(r"\d{4}\.\d{4,5}")
# `v` puts the caret in the abstract and a second `v` starts the selection: "v then
# w" (the old hint) left the user with nothing selected and "select text first".
HIGHLIGHT_HINT = ("v, then v again to start a selection (w, b, ( or ) extend it) · "
                  "h to highlight · a to add a comment")
