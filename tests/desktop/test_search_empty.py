"""A search that finds nothing, in the real window: what the empty list says and that
its way out works."""

from __future__ import annotations

from tests.desktop.test_search_view import type_into_search


def test_a_search_that_finds_nothing_says_the_way_out_and_it_works(window, qtbot,
                                                                   press) -> None:
    """An empty search (real X server walk): Esc, Esc left the user on "No papers
    match" with no word of how to leave. The text names / and g i, and both work."""
    type_into_search(window, qtbot, "zzzzqqq")
    press("Return")
    qtbot.waitUntil(lambda: not window.browser.search_typing)
    assert window.model.rowCount() == 0
    text = window.panel.empty_text.text()
    assert "/ edits the search" in text and "g i goes back to the Inbox" in text
    press("Escape", "/")
    assert window.search.hasFocus() and window.search.selectedText() == "zzzzqqq"
    press("Escape", "g i")
    qtbot.waitUntil(lambda: window.model.rowCount() > 0)
    assert window.sidebar_key() == "inbox"
