"""A toast: a message card over the bottom of the window that never takes the focus.

What a finished import, an export or a failed `o` has to say is shown here, not in
a modal box that needs OK: the keyboard stays where it was. A toast may carry one
action (Undo) as a button; details (per-file lines) sit under the headline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.text import plain_tooltip, without_bidi_controls


class Toast(QFrame):
    """One toast per window; `show_message` replaces what it shows."""

    MARGIN = 18
    WIDTH = 520
    # A toast is a glance over the list: past this share of the window (and this
    # many pixels) its detail lines are cut to one row each, the whole text in
    # its tooltip.
    MAX_SHARE = 0.4
    MAX_HEIGHT = 300
    # Narrower than this over its area, a toast sits over the whole window instead.
    MIN_WIDTH = 360

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
        self._full = ""
        self._lines: list[str] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        parent.installEventFilter(self)
        self._area: QWidget | None = None
        self.hide()

    def set_area(self, area: QWidget | None) -> None:
        """Sit over `area` (the window's list) rather than the whole window's centre:
        centred on the window, a toast covered the reading pane's text beside the list
        (seen in a real window: the abstract's last eight lines under the welcome)."""
        if self._area is not None:
            self._area.removeEventFilter(self)
        self._area = area
        if area is not None:
            area.installEventFilter(self)
        if self.isVisible():
            self._place()

    def show_message(self, headline: str, details: str = "", *,
                     action: str | None = None,
                     on_action: Callable[[], object] | None = None,
                     timeout_ms: int = 8000) -> None:
        # File names and titles in a toast must not reorder the words around them.
        self.headline.setText(without_bidi_controls(headline))
        lines = without_bidi_controls(details).splitlines()
        if len(lines) > 6:  # a toast is a glance; the rest is in the status line / CLI
            lines = [*lines[:6], f"… and {len(lines) - 6} more"]
        self._full = "\n".join(t for t in (self.headline.text(),
                                           without_bidi_controls(details)) if t)
        self._lines = lines
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
        return "\n".join(t for t in (self.headline.text(), self.detail_text()) if t)

    def detail_text(self) -> str:
        """The detail lines as shown, without the break opportunities and elisions
        `_place` puts in for the label's width."""
        return "\n".join(self._lines)

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
        left, right = self._span(parent)
        width = min(self.WIDTH, right - left - 2 * self.MARGIN)
        self.setFixedWidth(width)
        # The height the wrapped labels need at this width: sizeHint() is the
        # labels' unwrapped hint, which cut a detail of several lines top and bottom.
        self.details.setText("\n".join(self._lines))
        self.resize(width, max(self.height(), 1))
        self.layout().activate()
        room = max(40, self.details.contentsRect().width())
        metrics = self.details.fontMetrics()
        self.details.setText("\n".join(_breakable(line, metrics, room) for line in self._lines))
        height = self.heightForWidth(width)
        cap = max(60, min(self.MAX_HEIGHT, int(parent.height() * self.MAX_SHARE)))
        cut = len(self._lines) < len(self._full.splitlines()) - 1
        if height > cap and self._lines:
            self.details.setText("\n".join(
                metrics.elidedText(line, Qt.TextElideMode.ElideRight, room)
                for line in self._lines))
            height = min(cap, self.heightForWidth(width))
            cut = True
        self.setToolTip(plain_tooltip(self._full, limit=4000) if cut else "")
        self.setGeometry(left + (right - left - width) // 2,
                         parent.height() - height - self.MARGIN - 28, width, height)

    def _span(self, parent: QWidget) -> tuple[int, int]:
        """The stretch of the parent the toast centres on: its area's, when the area
        is shown and holds a toast of MIN_WIDTH, else the whole parent's."""
        area = self._area
        if area is not None and area.isVisible():
            left = area.mapTo(parent, area.rect().topLeft()).x()
            if area.width() - 2 * self.MARGIN >= self.MIN_WIDTH:
                return left, left + area.width()
        return 0, parent.width()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # The area moves and resizes with the splitter, and hides behind a page.
        if (obj is self.parentWidget() or obj is self._area) and self.isVisible() and \
                event.type() in (QEvent.Type.Resize, QEvent.Type.Move, QEvent.Type.Show,
                                 QEvent.Type.Hide):
            self._place()
        return super().eventFilter(obj, event)


_BREAK_AFTER = re.compile(r"([/\\_.\-:,])(?=\S)")


def _breakable(line: str, metrics: QFontMetrics, room: int) -> str:
    """`line` with a break opportunity (a zero-width space) after each separator of a
    word wider than the label: a word wrap breaks only at spaces, so a long file path
    ran under the Undo button, cut off. A piece still too wide is elided in its middle."""
    words = line.split(" ")
    for n, word in enumerate(words):
        if metrics.horizontalAdvance(word) <= room:
            continue
        pieces = _BREAK_AFTER.sub("\\1\u200b", word).split("\u200b")
        words[n] = "\u200b".join(
            piece if metrics.horizontalAdvance(piece) <= room
            else metrics.elidedText(piece, Qt.TextElideMode.ElideMiddle, room)
            for piece in pieces)
    return " ".join(words)


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
    if toast is None:
        toast = Toast(window)
        # A window that says where its content is read (the main window: the list's
        # page) gets its toasts over that, off the reading pane.
        area = getattr(window, "list_area", None)
        toast.set_area(area() if callable(area) else None)
    return toast
