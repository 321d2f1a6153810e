"""The date chooser after `l` (later): one key picks when the paper comes back.

`t` tomorrow, `w` next week, `s` someday, or type a date (2026-12-24, 3d, 2w) and
Enter; j/k or the arrows and Enter pick from the list; Esc leaves the paper alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QWidget

from desktop.dialogs import place_over, plain_label, popup_frame

Resolve = Callable[[str], "str | None"]
"""A choice ("tomorrow", "3d", "2026-12-24", "someday") to the date it means
(YYYY-MM-DD, None for someday); ValueError with one line when it is not one."""

# (key, label, value)
CHOICES = (("t", "Tomorrow", "tomorrow"), ("w", "Next week", "next-week"),
           ("s", "Someday", "someday"))


def _when(resolve: Resolve, value: str) -> str:
    try:
        day = resolve(value)
    except ValueError:
        return ""
    return date.fromisoformat(day).strftime("%a %b %-d") if day else "no date"


class SnoozeChooser(QDialog):
    chosen = Signal(str)
    """The choice as typed or picked: "tomorrow", "next-week", "someday", a date."""

    def __init__(self, parent: QWidget, resolve: Resolve, count: int = 1) -> None:
        super().__init__(parent)
        self.setWindowTitle("Later")
        self.resolve = resolve
        layout = popup_frame(self, bottom=6, spacing=2)
        target = "this paper" if count == 1 else f"{count} papers"
        self.input = QLineEdit()
        self.input.setObjectName("popupInput")
        self.input.setPlaceholderText(f"Later: when should {target} come back?")
        self.input.installEventFilter(self)
        self.list = QListWidget()
        self.list.setObjectName("popupList")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for key, label, value in CHOICES:
            item = QListWidgetItem(f"{key}   {label}    {_when(resolve, value)}")
            item.setData(Qt.ItemDataRole.UserRole, value)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda item: self._choose(
            item.data(Qt.ItemDataRole.UserRole)))
        self.hint = plain_label("t · w · s, or type a date (2026-12-24, 3d, 2w) and Enter",
                                "popupHint", wrap=True)
        layout.addWidget(self.input)
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        place_over(self, parent, min(460, max(360, parent.width() // 3)), 190, top=90)

    def start(self) -> None:
        self.open()
        self._fit()
        self.activateWindow()
        self.input.setFocus()

    def _fit(self) -> None:
        """The list as tall as its three rows (styled, so known once shown): the fixed
        height left ~25 px of nothing under "Someday" (seen in a real window)."""
        rows = sum(self.list.sizeHintForRow(row) for row in range(self.list.count()))
        self.list.setFixedHeight(rows + 2 * self.list.frameWidth())
        self.resize(self.width(), self.sizeHint().height())

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is not self.input or not isinstance(event, QKeyEvent) or \
                event.type() != QEvent.Type.KeyPress:
            return False
        key, text = event.key(), event.text()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            typed = self.input.text().strip()
            item = self.list.currentItem()
            self._choose(typed or (item.data(Qt.ItemDataRole.UserRole) if item else ""))
            return True
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(key), 0)
        if not self.input.text() and text in ("j", "k"):
            step = 1 if text == "j" else -1
        if step:
            row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
            self.list.setCurrentRow(row)
            return True
        if not self.input.text():
            value = next((v for k, _label, v in CHOICES if k == text), None)
            if value is not None:
                self._choose(value)
                return True
        return False

    def _choose(self, value: str) -> None:
        try:
            self.resolve(value)
        except ValueError as error:
            self.hint.setText(str(error))
            return
        self.chosen.emit(value)
        self.accept()
