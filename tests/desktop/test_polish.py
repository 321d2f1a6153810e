"""Review findings on the window's look and feel, checked on the real widgets:
what the search box shows after leaving a search, and the library's notices on open."""

from __future__ import annotations

from PySide6.QtWidgets import QToolButton


def _clear_button_shown(window) -> bool:
    """The search box's trailing button (its ⊗), as Qt shows and hides it."""
    box = window.search
    trailing = [b for b in box.findChildren(QToolButton)
                if b.geometry().left() > box.width() // 2]
    assert len(trailing) == 1
    return trailing[0].isVisible()


def test_leaving_a_search_by_a_view_key_takes_the_clear_button_away(window, press,
                                                                     qtbot) -> None:
    assert not _clear_button_shown(window)
    press("/")
    qtbot.keyClicks(window.search, "agent")
    press("Return")
    qtbot.waitUntil(lambda: window.browser.search_query == "agent")
    assert _clear_button_shown(window)
    press("g", "i")
    qtbot.waitUntil(lambda: window.panel.view_title.text() == "Inbox")
    assert window.search.text() == ""
    # The button fades out over a few frames, then hides.
    qtbot.waitUntil(lambda: not _clear_button_shown(window), timeout=3000)
