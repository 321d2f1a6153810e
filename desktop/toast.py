"""A toast: a message card over the bottom of the window that never takes the focus.

What a finished import, an export or a failed `o` has to say is shown here, not in
a modal box that needs OK: the keyboard stays where it was. A toast may carry one
action (Undo) as a button; details (per-file lines) sit under the headline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.text import without_bidi_controls


class Toast(QFrame):
    """One toast per window; `show_message` replaces what it shows."""

    MARGIN = 18
    WIDTH = 520

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 10, 10)
        layout.setSpacing(12)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        self.headline = QLabel()
        self.headline.setObjectName("toastHeadline")
        self.details = QLabel()
        self.details.setObjectName("toastDetails")
        for label in (self.headline, self.details):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        texts.addWidget(self.headline)
        texts.addWidget(self.details)
        layout.addLayout(texts, 1)
        self.action = QPushButton()
        self.action.setObjectName("toastAction")
        self.action.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.action.setCursor(Qt.CursorShape.PointingHandCursor)
        self.action.clicked.connect(self._act)
        layout.addWidget(self.action, 0, Qt.AlignmentFlag.AlignVCenter)
        self.close_button = QPushButton("✕")
        self.close_button.setObjectName("toastClose")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.setFlat(True)
        self.close_button.clicked.connect(self.dismiss)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._callback: Callable[[], object] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        parent.installEventFilter(self)
        self.hide()

    def show_message(self, headline: str, details: str = "", *,
                     action: str | None = None,
                     on_action: Callable[[], object] | None = None,
                     timeout_ms: int = 8000) -> None:
        # File names and titles in a toast must not reorder the words around them.
        self.headline.setText(without_bidi_controls(headline))
        lines = without_bidi_controls(details).splitlines()
        if len(lines) > 6:  # a toast is a glance; the rest is in the status line / CLI
            lines = [*lines[:6], f"… and {len(lines) - 6} more"]
        self.details.setText("\n".join(lines))
        self.details.setVisible(bool(lines))
        self._callback = on_action if action else None
        self.action.setText(action or "")
        self.action.setVisible(bool(action))
        self._place()
        self.show()
        self.raise_()
        if timeout_ms > 0:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    def text(self) -> str:
        return "\n".join(t for t in (self.headline.text(), self.details.text()) if t)

    def dismiss(self) -> None:
        self._timer.stop()
        self._callback = None
        self.hide()

    def trigger(self) -> bool:
        """Run the toast's action (its button, or a key bound to it); False if none."""
        if not self.isVisible() or self._callback is None:
            return False
        self._act()
        return True

    def _act(self) -> None:
        callback = self._callback
        self.dismiss()
        if callback is not None:
            callback()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        width = min(self.WIDTH, parent.width() - 2 * self.MARGIN)
        self.setFixedWidth(width)
        self.adjustSize()
        height = self.sizeHint().height()
        self.setGeometry((parent.width() - width) // 2,
                         parent.height() - height - self.MARGIN - 28, width, height)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.parentWidget() and event.type() == QEvent.Type.Resize and \
                self.isVisible():
            self._place()
        return super().eventFilter(obj, event)


def show_notices(window: QWidget, notices: Sequence[str]) -> None:
    """What the library did on its own (an import cut short and taken back, and what
    of it was kept; a weekly backup instead of a daily one), said where the user looks:
    a toast that stays a minute, the first notice as its headline."""
    lines = [" ".join(notice.split()) for notice in notices if notice.strip()]
    if not lines:
        return
    toast_for(window).show_message(lines[0], "\n".join(lines[1:]), timeout_ms=60_000)


def toast_for(window: QWidget) -> Toast:
    """The window's toast, made on first use."""
    toast = window.findChild(Toast, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return toast if toast is not None else Toast(window)
