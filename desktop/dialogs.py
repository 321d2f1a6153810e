"""Small keyboard-driven dialogs. All open with `.open()`: the window never blocks.

Every string from the library is shown as plain text (labels in `Qt.PlainText`,
list items painted by delegates with `drawText`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.text import balanced_bidi, isolated, plain_tooltip
from desktop.theme import LIGHT, Theme

ChoiceRole = Qt.ItemDataRole.UserRole + 30


@dataclass(frozen=True)
class Choice:
    value: object
    title: str
    detail: str = ""
    keys: tuple[str, ...] = ()


def plain_label(text: str = "", name: str | None = None, *, wrap: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


# ------------------------------------------------------------ list popups
class ChoiceDelegate(QStyledItemDelegate):
    HEIGHT = 34

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        choice: Choice | None = index.data(ChoiceRole)
        height = self.HEIGHT + (14 if choice is not None and choice.detail and
                                not choice.keys else 0)
        return QSize(option.rect.width(), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        choice: Choice | None = index.data(ChoiceRole)
        if choice is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(4, 1, -4, -1)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.theme.colour("selection"))
            painter.drawRoundedRect(rect, 6, 6)
        base = QFont(option.font)
        right = self._paint_keys(painter, rect, base, choice)
        self._paint_text(painter, rect, base, choice, right)
        painter.restore()

    def _paint_keys(self, painter: QPainter, rect: QRect, base: QFont, choice: Choice) -> int:
        """The first two key bindings as keycaps at the right; returns where they start."""
        c = self.theme.colour
        right = rect.right() - 8
        key_font = QFont(base)
        key_font.setPixelSize(11)
        painter.setFont(key_font)
        metrics = painter.fontMetrics()
        for keys in reversed(choice.keys[:2]):
            for stroke in reversed(keys.split()):
                width = metrics.horizontalAdvance(stroke) + 12
                cap = QRect(right - width, rect.center().y() - 9, width, 18)
                painter.setPen(QPen(c("border"), 1))
                painter.setBrush(c("window"))
                painter.drawRoundedRect(cap, 4, 4)
                painter.setPen(c("secondary"))
                painter.drawText(cap, Qt.AlignmentFlag.AlignCenter, stroke)
                right -= width + 4
            right -= 8
        return right

    def _paint_text(self, painter: QPainter, rect: QRect, base: QFont, choice: Choice,
                    right: int) -> None:
        """The title, and its detail: after it on one line beside keys, else under it."""
        c = self.theme.colour
        title_font = QFont(base)
        title_font.setPixelSize(13)
        painter.setFont(title_font)
        painter.setPen(c("text"))
        left = rect.left() + 10
        two_lines = bool(choice.detail and not choice.keys)
        title_rect = QRect(left, rect.top() + 6, right - left, 18) if two_lines else \
            QRect(left, rect.top(), right - left, rect.height())
        title = painter.fontMetrics().elidedText(balanced_bidi(choice.title),
                                                 Qt.TextElideMode.ElideRight,
                                                 title_rect.width())
        middle_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(title_rect, middle_left, title)
        if not choice.detail:
            return
        used = painter.fontMetrics().horizontalAdvance(title) + 10
        detail_font = QFont(base)
        detail_font.setPixelSize(11)
        painter.setFont(detail_font)
        if choice.keys:
            painter.setPen(c("faint"))
            painter.drawText(title_rect.adjusted(used, 0, 0, 0), middle_left, choice.detail)
            return
        detail_rect = QRect(left, rect.top() + 25, right - left, 16)
        painter.setPen(c("secondary"))
        detail = painter.fontMetrics().elidedText(choice.detail, Qt.TextElideMode.ElideRight,
                                                  detail_rect.width())
        painter.drawText(detail_rect, middle_left, detail)


def place_over(dialog: QDialog, parent: QWidget, width: int, height: int,
               top: int | None = None, area: QWidget | None = None) -> None:
    """Size `dialog` and put it over `parent`: centred across (across `area`, a part
    of the window, when it is shown and wide enough), `top` pixels down (centred when
    None), always inside the window."""
    width = max(200, min(width, parent.width() - 24))
    height = max(80, min(height, parent.height() - 24))
    dialog.resize(width, height)
    origin = parent.mapToGlobal(parent.rect().topLeft())
    y = (parent.height() - height) // 2 if top is None else min(top, parent.height() - height)
    left, span = 0, parent.width()
    if area is not None and area.isVisible() and area.width() >= width + 24:
        left, span = area.mapTo(parent, area.rect().topLeft()).x(), area.width()
    dialog.move(origin.x() + left + (span - width) // 2, origin.y() + max(12, y))


def popup_frame(dialog: QDialog, *, bottom: int, spacing: int) -> QVBoxLayout:
    """Make `dialog` a frameless popup (the stylesheet's `#popup` card) that closes
    for good; returns the layout to fill."""
    dialog.setWindowFlag(Qt.WindowType.FramelessWindowHint)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    outer = QVBoxLayout(dialog)
    outer.setContentsMargins(0, 0, 0, 0)
    frame = QFrame()
    frame.setObjectName("popup")
    outer.addWidget(frame)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(0, 0, 0, bottom)
    layout.setSpacing(spacing)
    return layout


class ListPopup(QDialog):
    """A text field over a list (command palette, go to paper). Emits `chosen`."""

    chosen = Signal(object)

    def __init__(self, parent: QWidget, placeholder: str, hint: str, theme: Theme) -> None:
        super().__init__(parent)
        self.setModal(False)
        layout = popup_frame(self, bottom=0, spacing=0)
        self.input = QLineEdit()
        self.input.setObjectName("popupInput")
        self.input.setPlaceholderText(placeholder)
        self.list = QListWidget()
        self.list.setObjectName("popupList")
        self.delegate = ChoiceDelegate(self.list)
        self.delegate.theme = theme
        self.list.setItemDelegate(self.delegate)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setUniformItemSizes(False)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.hint = plain_label(hint, "popupHint")
        # Typed text that matches nothing left an empty box, and Enter did nothing
        # without a word (seen in a real window: "undo this import" mistyped).
        self.nothing = plain_label("", "popupEmpty", wrap=True)
        self.nothing.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.nothing.hide()
        layout.addWidget(self.input)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.nothing, 1)
        layout.addWidget(self.hint)
        self.input.textChanged.connect(self._refilter)
        self.input.installEventFilter(self)
        self.list.itemActivated.connect(lambda _item: self._accept())
        self.list.itemClicked.connect(lambda _item: self._accept())
        width = min(640, max(420, parent.width() // 2))
        self.resize(width, 420)
        top_left = parent.mapToGlobal(parent.rect().topLeft())
        self.move(top_left.x() + (parent.width() - width) // 2, top_left.y() + 70)

    def choices(self, text: str) -> Sequence[Choice]:
        raise NotImplementedError

    def nothing_text(self, text: str) -> str:
        """What to say when `text` matches no choice."""
        return f"Nothing matches “{text}”"

    def start(self) -> None:
        self._refilter(self.input.text())
        self.open()
        self.activateWindow()
        self.input.setFocus()

    def _refilter(self, text: str) -> None:
        self.list.clear()
        for choice in self.choices(text):
            item = QListWidgetItem()
            item.setData(ChoiceRole, choice)
            item.setToolTip(plain_tooltip(choice.title))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        empty = not self.list.count() and bool(text.strip())
        typed = " ".join(text.split())
        typed = typed if len(typed) <= 60 else typed[:59] + "…"
        self.nothing.setText(self.nothing_text(typed) if empty else "")
        self.nothing.setVisible(empty)
        self.list.setVisible(not empty)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.input and isinstance(event, QKeyEvent) and \
                event.type() == QKeyEvent.Type.KeyPress:
            key = event.key()
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            step = 0
            if key == Qt.Key.Key_Down or (ctrl and key in (Qt.Key.Key_N, Qt.Key.Key_J)):
                step = 1
            elif key == Qt.Key.Key_Up or (ctrl and key in (Qt.Key.Key_P, Qt.Key.Key_K)):
                step = -1
            elif key == Qt.Key.Key_PageDown:
                step = 8
            elif key == Qt.Key.Key_PageUp:
                step = -8
            if step and self.list.count():
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._accept()
                return True
        return super().eventFilter(obj, event)

    def _accept(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        choice: Choice = item.data(ChoiceRole)
        self.accept()
        self.chosen.emit(choice.value)


def _matches(words: Sequence[str], title: str, rest: str) -> float | None:
    """A rank (lower is better) if every word is found, else None: a word that starts
    a word of the title beats one inside a word, which beats a match in `rest`."""
    rank = 0.0
    title_words = title.split()
    for word in words:
        if title.startswith(word):
            rank -= 0.5
        elif any(w.startswith(word) for w in title_words):
            rank += 0
        elif word in title:
            rank += 1 + title.find(word) / 100
        elif word in rest:
            rank += 3
        else:
            return None
    return rank


class CommandPalette(ListPopup):
    def __init__(self, parent: QWidget, commands: Sequence[Choice], theme: Theme) -> None:
        self._all = list(commands)
        super().__init__(parent, "Type a command…",
                         "↑↓ to move · Enter to run · Esc to close", theme)

    def choices(self, text: str) -> Sequence[Choice]:
        words = text.casefold().split()
        if not words:
            return self._all
        ranked = []
        for order, choice in enumerate(self._all):
            rank = _matches(words, choice.title.casefold(),
                            f"{choice.detail} {choice.value}".casefold())
            if rank is not None:
                ranked.append((rank, order, choice))
        return [choice for _, _, choice in sorted(ranked, key=lambda t: (t[0], t[1]))]

    def nothing_text(self, text: str) -> str:
        return f"No command matches “{text}” · Backspace to change it, Esc to close"


class GoToPaper(ListPopup):
    def __init__(self, parent: QWidget, find: Callable[[str], Sequence[Choice]],
                 theme: Theme) -> None:
        self._find = find
        super().__init__(parent, "Go to paper: type part of a title…",
                         "Fuzzy title match · Enter to open · Esc to close", theme)

    def choices(self, text: str) -> Sequence[Choice]:
        if not text.strip():
            return []
        return self._find(text)

    def nothing_text(self, text: str) -> str:
        return f"No paper's title is like “{text}”"


class SimilarPapers(ListPopup):
    """The papers most like the current one; typing narrows the list by title words."""

    def __init__(self, parent: QWidget, similar: Sequence[Choice], theme: Theme) -> None:
        self._similar = list(similar)
        super().__init__(parent, "More like this: type to narrow by title…",
                         "Papers sharing its most distinctive words · Enter to open · "
                         "Esc to close", theme)

    def choices(self, text: str) -> Sequence[Choice]:
        words = text.casefold().split()
        return [c for c in self._similar if all(w in c.title.casefold() for w in words)]

    def nothing_text(self, text: str) -> str:
        return f"None of these papers has “{text}” in its title"


# ------------------------------------------------------------------- tags
class _LastSegmentCompleter(QCompleter):
    """Completes the last comma-separated tag of the field."""

    def splitPath(self, path: str) -> list[str]:
        return [path.split(",")[-1].strip().lstrip("-")]

    def pathFromIndex(self, index: QModelIndex) -> str:
        widget = self.widget()
        current = widget.text() if isinstance(widget, QLineEdit) else ""
        head, _, last = current.rpartition(",")
        sign = "-" if last.strip().startswith("-") else ""
        completion = sign + str(index.data())
        return f"{head}, {completion}" if head else completion


def parse_tag_input(text: str) -> tuple[list[str], list[str]]:
    """"rl, keep, -old" -> (["rl", "keep"], ["old"])."""
    add: list[str] = []
    remove: list[str] = []
    for part in text.split(","):
        name = " ".join(part.split())
        if not name:
            continue
        if name.startswith("-") and len(name) > 1:
            remove.append(name[1:].strip())
        else:
            add.append(name)
    return add, remove


class CompletionDelegate(QStyledItemDelegate):
    """Completion rows: the first one looks highlighted while none is picked (it is
    what Enter takes), and each tag's quick-tag key stands at the right."""

    def __init__(self, numbers: dict[str, int], theme: Theme, parent=None) -> None:
        super().__init__(parent)
        self.numbers = {name.casefold(): n for name, n in numbers.items()}
        self.theme = theme

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        view = self.parent()
        if index.row() == 0 and view is not None and not view.currentIndex().isValid():
            option.state |= QStyle.StateFlag.State_Selected

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().paint(painter, option, index)
        number = self.numbers.get(str(index.data()).casefold())
        if number is None:
            return
        painter.save()
        font = QFont(option.font)
        font.setPixelSize(11)
        painter.setFont(font)
        width = painter.fontMetrics().horizontalAdvance("9") + 12
        cap = QRect(option.rect.right() - width - 8, option.rect.center().y() - 9, width, 18)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.theme.colour("secondary"), 1))
        painter.setBrush(self.theme.colour("base"))
        painter.drawRoundedRect(cap, 4, 4)
        painter.setPen(self.theme.colour("text"))
        painter.drawText(cap, Qt.AlignmentFlag.AlignCenter, str(number))
        painter.restore()


class TagDialog(QDialog):
    """`t`: type tags (completer over existing ones); `-name` removes a tag.

    While completions show, the first is highlighted: Enter takes the highlighted
    tag and applies, Tab takes it and stays to type more (after a comma); arrows pick
    another. Esc closes the list, and Enter then applies exactly what was typed.
    (Highlighting is drawn, not selected: a selection would write the candidate into
    the field under the user's typing, Qt's popup-completion behaviour.)
    """

    tags_entered = Signal(list, list)

    def __init__(self, parent: QWidget, existing: Sequence[str], current: Sequence[str],
                 count: int, quick: dict[str, int] | None = None,
                 theme: Theme = LIGHT) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tag")
        layout = popup_frame(self, bottom=6, spacing=2)
        target = "this paper" if count == 1 else f"{count} papers"
        self.input = QLineEdit()
        self.input.setObjectName("popupInput")
        self.input.setPlaceholderText(f"Tag {target}: name, another, -remove")
        completer = _LastSegmentCompleter(list(existing), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setModelSorting(QCompleter.ModelSorting.UnsortedModel)
        popup = completer.popup()
        popup.setObjectName("completerPopup")
        self.quick = dict(quick or {})
        popup.setItemDelegate(CompletionDelegate(self.quick, theme, popup))
        self.input.setCompleter(completer)
        self.completer = completer
        # Installed after the completer's own filter, so it sees keys first.
        popup.installEventFilter(self)
        self.input.installEventFilter(self)
        self._typed = ""
        self.input.textEdited.connect(self._edited)
        layout.addWidget(self.input)
        if current:
            now = plain_label("Tagged: " + ", ".join(current) + "   (type -name to remove)",
                              "popupHint", wrap=True)
        elif existing:
            now = plain_label("Enter takes the highlighted tag · Tab completes · Esc, then "
                              "Enter keeps what you typed · comma for several", "popupHint",
                              wrap=True)
        else:
            # No tag yet, so nothing is highlighted and nothing completes: the hint
            # above spoke of both to the first tag of a library (seen in a real window).
            now = plain_label("Enter makes the tag · comma for several", "popupHint",
                              wrap=True)
        layout.addWidget(now)
        if self.quick:
            keys = "   ".join(f"{n} {name}" for name, n in
                              sorted(self.quick.items(), key=lambda item: item[1]))
            layout.addWidget(plain_label(f"Quick tags: {keys}", "popupHint", wrap=True))
        self.input.returnPressed.connect(self._apply)
        width = min(520, max(380, parent.width() // 3))
        self.resize(width, 90)
        top_left = parent.mapToGlobal(parent.rect().topLeft())
        self.move(top_left.x() + (parent.width() - width) // 2, top_left.y() + 90)

    def start(self) -> None:
        self.open()
        self.activateWindow()
        self.input.setFocus()

    def _edited(self, text: str) -> None:
        self._typed = text

    def highlighted(self) -> QModelIndex:
        """The completion Enter or Tab would take (invalid: none shows)."""
        popup = self.completer.popup()
        if not popup.isVisible():
            return QModelIndex()
        if popup.currentIndex().isValid():
            return popup.currentIndex()
        model = self.completer.completionModel()
        return model.index(0, 0) if model.rowCount() else QModelIndex()

    def _take(self, index: QModelIndex) -> None:
        self.input.setText(self.completer.pathFromIndex(index))
        self._typed = self.input.text()
        self.completer.popup().hide()

    def eventFilter(self, obj, event) -> bool:
        popup = self.completer.popup()
        if isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            key = event.key()
            if obj is popup and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                index = self.highlighted()
                if index.isValid():
                    self._take(index)
                popup.hide()
                self._apply()
                return True
            if obj is popup and key == Qt.Key.Key_Down and not popup.currentIndex().isValid():
                # The first row already looks highlighted: Down goes to the second.
                model = self.completer.completionModel()
                if model.rowCount() > 1:
                    popup.setCurrentIndex(model.index(1, 0))
                    return True
            if obj is popup and key == Qt.Key.Key_Escape:
                # An arrow key may have written a candidate into the field: put back
                # what was typed, so Enter now applies exactly that.
                popup.hide()
                self.input.setText(self._typed)
                return True
            if key == Qt.Key.Key_Tab and obj in (popup, self.input):
                index = self.highlighted()
                if index.isValid():
                    self._take(index)
                return True  # Tab never leaves the field or closes the popup
        return super().eventFilter(obj, event)

    def _apply(self) -> None:
        popup = self.completer.popup()
        if popup is not None and popup.isVisible():
            return  # the popup's Enter is handled in eventFilter
        add, remove = parse_tag_input(self.input.text())
        self.accept()
        if add or remove:
            self.tags_entered.emit(add, remove)


# ---------------------------------------------------------------- comment
class CommentDialog(QDialog):
    """The comment of a highlight. Enter saves, Shift+Enter is a new line, Esc cancels."""

    saved = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget, quote: str, comment: str = "",
                 title: str = "Comment on this highlight") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        # A card over the window like the other popups, not a decorated window of
        # its own that the window manager may put anywhere.
        card = popup_frame(self, bottom=0, spacing=0)
        inner = QWidget()
        card.addWidget(inner)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(8)
        short = " ".join(quote.split())
        if len(short) > 300:
            short = short[:300] + "…"
        quote_label = plain_label(f"“{isolated(short)}”", "sectionHint", wrap=True)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("comment")
        self.edit.setPlainText(comment)
        self.edit.setPlaceholderText("Why does this matter?")
        self.edit.setTabChangesFocus(True)
        self.edit.installEventFilter(self)
        self.edit.setFixedHeight(96)
        hint = plain_label("Enter to save · Shift+Enter for a new line · Esc to cancel",
                           "sectionHint")
        layout.addWidget(plain_label(title, "cheatGroup"))
        layout.addWidget(quote_label)
        layout.addWidget(self.edit)
        layout.addWidget(hint)
        self.rejected.connect(self.cancelled)
        # Over the list: centred on the window it hid the highlight being commented.
        area = getattr(parent, "list_area", None)
        place_over(self, parent, 520, self.sizeHint().height(), top=110,
                   area=area() if callable(area) else None)

    def start(self) -> None:
        self.open()
        self.activateWindow()
        self.edit.setFocus()
        cursor = self.edit.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.edit.setTextCursor(cursor)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.edit and isinstance(event, QKeyEvent) and \
                event.type() == QKeyEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            text = self.edit.toPlainText().strip()
            self.done(QDialog.DialogCode.Accepted)
            self.saved.emit(text)
            return True
        return super().eventFilter(obj, event)


# ------------------------------------------------------------ cheat sheet
def _home_short(path: str) -> str:
    """A path under the home folder as "~/…", as people write it."""
    home = str(Path.home())
    return "~" + path[len(home):] if home not in ("", "/") and path.startswith(home + "/") \
        else path


class CheatSheet(QDialog):
    """`?`: every command with its keys, grouped, read from the registry."""

    def __init__(self, parent: QWidget, groups: Sequence[tuple[str, Sequence[Choice]]],
                 keys_path: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        outer = popup_frame(self, bottom=0, spacing=0)
        # Four columns fit every command of a 1280x800 window without scrolling;
        # a narrower window gets fewer columns and scrolls.
        self.COLUMNS = 4 if parent.width() >= 1180 else 3 if parent.width() >= 860 else 2
        heading = plain_label("Keyboard shortcuts", "emptyTitle")
        heading.setContentsMargins(24, 16, 24, 4)
        outer.addWidget(heading)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("readerContent")
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        row_layout = QHBoxLayout(body)
        row_layout.setContentsMargins(24, 4, 24, 12)
        row_layout.setSpacing(22)
        columns = [QVBoxLayout() for _ in range(self.COLUMNS)]
        for column in columns:
            column.setSpacing(1)
            row_layout.addLayout(column, 1)
        total = sum(len(items) + 2 for _, items in groups)
        target = -(-total // self.COLUMNS)
        index, used = 0, 0
        for name, items in groups:
            if used and used + len(items) / 2 > target and index < self.COLUMNS - 1:
                index, used = index + 1, 0
            column = columns[index]
            if used:
                column.addSpacing(8)
            column.addWidget(plain_label(name, "cheatGroup"))
            for choice in items:
                column.addWidget(self._row(choice))
            used += len(items) + 2
        for column in columns:
            column.addStretch(1)
        footer = plain_label(f"Rebind keys in {_home_short(keys_path)}  ·  "
                             f"Ctrl+K runs any command by name"
                             "  ·  Esc closes", "popupHint", wrap=True)
        footer.setContentsMargins(12, 4, 12, 8)
        outer.addWidget(footer)
        self.scroll = scroll
        # As tall as the longest column, once laid out at the width it gets.
        place_over(self, parent, 1240, 10_000)
        self.layout().activate()
        body.layout().activate()
        content = max(column.geometry().top() + column.minimumSize().height()
                      for column in columns) + 12
        wanted = heading.sizeHint().height() + content + footer.sizeHint().height() + 12
        place_over(self, parent, 1240, wanted)

    @staticmethod
    def _row(choice: Choice) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 1, 0, 1)
        layout.setSpacing(10)
        caps = QWidget()
        caps.setFixedWidth(128)
        lines = QVBoxLayout(caps)
        lines.setContentsMargins(0, 0, 0, 0)
        lines.setSpacing(2)
        keys = choice.keys[:2]
        # Two short bindings share a line; longer ones (Ctrl+Shift+Z / Ctrl+Y) take a
        # line each rather than the second being left out of the sheet.
        shared = sum(len(k) for k in keys) <= 13
        caps_layout = QHBoxLayout()
        for number, binding in enumerate(keys):
            if number and shared:
                caps_layout.addWidget(plain_label("/", "sectionHint"))
            elif number:
                caps_layout.addStretch(1)
                lines.addLayout(caps_layout)
                caps_layout = QHBoxLayout()
            caps_layout.setSpacing(3)
            for stroke in binding.split():
                caps_layout.addWidget(plain_label(stroke, "keycap"))
        caps_layout.addStretch(1)
        lines.addLayout(caps_layout)
        title = plain_label(choice.title, "cheatTitle", wrap=True)
        layout.addWidget(caps, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(title, 1)
        return row

    def start(self) -> None:
        self.open()
        self.activateWindow()
        self.scroll.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.text() in ("?", "q"):
            self.accept()
            return
        super().keyPressEvent(event)
