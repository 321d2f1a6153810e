"""Desktop fixtures: an isolated config dir, a fixed theme, and a main window on a library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Library


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings and key bindings go to a temp dir; the look does not follow the host."""
    config = tmp_path / "config"
    monkeypatch.setenv("WINNOW_CONFIG_DIR", str(config))
    monkeypatch.setenv("WINNOW_THEME", "light")
    return config


@pytest.fixture
def make_window(qtbot):
    """Build a shown MainWindow on a library, focus on the list; closed at teardown."""
    from desktop.window import MainWindow

    windows = []

    def make(library: Library, *, size: tuple[int, int] | None = (1280, 800),
             **kwargs) -> MainWindow:
        kwargs.setdefault("interactive", False)
        window = MainWindow(library, **kwargs)
        opened: list[object] = []
        window.url_opener = opened.append
        window.opened_urls = opened
        qtbot.addWidget(window)
        if size is not None:
            window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        window.focus_list()
        qtbot.waitUntil(lambda: window.table.hasFocus() or window.empty_state.hasFocus())
        windows.append(window)
        return window

    yield make
    from PySide6.QtWidgets import QApplication, QDialog

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.reject()
    for window in windows:
        window.close()  # saves the note and stops timers before the library closes


@pytest.fixture
def window(seeded: Library, make_window):
    return make_window(seeded)


@pytest.fixture
def press(qtbot):
    """Send key names ("j", "g i", "ctrl+z") as real key presses to the focused widget."""
    from PySide6.QtWidgets import QApplication

    from desktop.keys import key_press_parts, parse_binding

    def press(*names: str) -> None:
        for name in names:
            for stroke in parse_binding(name) if name != " " else ("Space",):
                key, modifiers, _text = key_press_parts(stroke)
                # Where a real key goes: an open popup (a completer) first, else the focus.
                target = QApplication.activePopupWidget() or QApplication.focusWidget()
                assert target is not None, f"no widget has the focus for {stroke!r}"
                if len(stroke) == 1:
                    qtbot.keyClick(target, stroke, modifiers)
                else:
                    qtbot.keyClick(target, key, modifiers)

    return press


@pytest.fixture
def type_text(qtbot):
    from PySide6.QtWidgets import QApplication

    def type_text(text: str) -> None:
        target = QApplication.focusWidget()
        assert target is not None
        qtbot.keyClicks(target, text)

    return type_text


def focused():
    from PySide6.QtWidgets import QApplication

    return QApplication.focusWidget()


@pytest.fixture
def current_id(window) -> Iterator:
    yield window.current_id
