"""The list-and-search controller: views, searches, the current row, empty states."""

from __future__ import annotations

from desktop.browser import empty_message, view_count_text
from storage import Library


def test_what_an_empty_list_says() -> None:
    assert empty_message(library_empty=True, searching=True, view_key="inbox",
                         view_label="Inbox")[1] == "Your library is empty"
    assert empty_message(library_empty=False, searching=True, view_key="inbox",
                         view_label="Inbox")[1] == "No papers match"
    assert empty_message(library_empty=False, searching=False, view_key="inbox",
                         view_label="Inbox")[1] == "All caught up"
    # The view's name is the user's (a tag): isolated from the words around it.
    assert empty_message(library_empty=False, searching=False, view_key="tag:rl",
                         view_label="rl")[1] == "Nothing in \u2068rl\u2069 yet"


def test_the_view_count_line() -> None:
    assert view_count_text(1, 0, 1) == "1 paper"
    assert view_count_text(1234, 0, 3) == "1,234 papers  ·  3 selected"
    assert view_count_text(5, 2, 3) == "5 papers  ·  2 selected (x)"


def test_papers_decided_in_the_inbox_are_counted_as_moved_out(window, press, qtbot) -> None:
    """A skip and a shortlist are no "done": the header said "2 done, still listed"."""
    total = window.model.rowCount()
    press("-")
    press("q")
    qtbot.waitUntil(lambda: "moved out" in window.panel.view_count.text())
    assert window.panel.view_count.text() == \
        f"{total - 2:,} papers  ·  2 moved out, still listed"


def test_a_tag_view_then_a_search_then_back(window, seeded: Library) -> None:
    seeded.add_tags([3, 5], ["rl"])
    browser = window.browser
    browser.show_tag("rl")
    assert browser.view_key == "tag:rl" and sorted(window.model.ids) == [3, 5]
    assert browser.active_query == 'tag:"rl"'
    browser.set_search("kolmogorov")
    assert browser.active_query == "kolmogorov" and window.panel.view_title.text() == "Search"
    window.search.clear()
    assert browser.view_key == "tag:rl" and browser.search_query == ""
    assert sorted(window.model.ids) == [3, 5]


def test_select_paper_outside_the_view_goes_to_all(window, seeded: Library) -> None:
    seeded.set_read([7], True)
    window.ops.refresh_external()
    assert 7 not in window.model.ids
    window.browser.select_paper(7)
    assert window.browser.view_key == "all" and window.current_id() == 7


def test_targets_are_marked_papers_first(window) -> None:
    first = window.current_id()
    assert window.browser.targets() == [first]
    third = window.model.id_at(2)
    window.model.toggle_mark(third)
    window.model.toggle_mark(first)
    assert window.browser.targets() == [first, third]


def test_the_current_row_never_sits_under_a_toast(window, press) -> None:
    """j walking down the list went under the welcome toast (shown a minute): four
    rows the user moved through without seeing them."""
    from desktop.toast import toast_for

    toast = toast_for(window)
    toast.show_message("Welcome to Winnow. We imported five sample listings.",
                       "j / k move down and up · e marks it done\nCtrl+I imports",
                       timeout_ms=60_000)
    table = window.table
    viewport = table.viewport()
    top_left = viewport.mapFrom(window, toast.geometry().topLeft())
    card = toast.rect().translated(top_left)
    assert 0 < card.top() < viewport.height()  # the toast is over the list
    rows_above = card.top() // table.rowHeight(0)
    for _ in range(rows_above + 6):
        press("j")
        row = table.visualRect(table.currentIndex())
        assert row.bottom() < card.top(), (window.browser.current_row(), row, card)
        assert row.top() >= 0
    assert window.browser.current_row() == rows_above + 6
    toast.dismiss()
    press("j")  # no toast: the list scrolls as before, the row at the bottom edge
    assert table.visualRect(table.currentIndex()).bottom() <= viewport.height()


def test_an_empty_view_says_what_puts_a_paper_there_with_the_keys_in_force(
        window, press) -> None:
    """"Nothing in Starred yet · Press g i to go back to the inbox" left the user
    guessing how a paper gets there."""
    panel = window.panel
    press("g", "s")
    assert panel.stack.currentWidget() is panel.empty_state
    assert panel.empty_title.text() == "Nothing in \u2068Starred\u2069 yet"
    assert panel.empty_text.text() == ("Press s on a paper to star it. "
                                       "Or press g i to go back to the inbox.")
    press("g", "l")
    assert panel.empty_text.text().startswith("Press l on a paper to move it to "
                                              "\u2068Later\u2069.")
    press("g", "n")  # Annotated
    assert panel.empty_text.text().startswith("Highlight a passage of a paper (v, then v "
                                              "again to select, h)")
    # Keys moved in keys.json: the hint follows them.
    window.keymap = window.keymap.build(
        [(c.id, c.mode, c.keys) for c in window.registry], {"paper.star": ["f"]})
    press("g", "s")
    assert panel.empty_text.text().startswith("Press f on a paper to star it.")
