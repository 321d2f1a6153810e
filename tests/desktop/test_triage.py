"""Triage flows driven by real key events on the focused widget, checked in the library."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QStyleOptionViewItem

from desktop.dialogs import (
    CheatSheet,
    ChoiceRole,
    CommandPalette,
    GoToPaper,
    SimilarPapers,
)
from desktop.model import COL_TITLE
from storage import Library


def focus():
    return QApplication.focusWidget()


def dialog_of(kind):
    widget = focus()
    return widget.window() if widget is not None and isinstance(widget.window(), kind) else None


def test_starts_on_the_inbox_with_the_first_paper(window, seeded: Library) -> None:
    assert window.browser.view_key == "inbox"
    assert window.model.rowCount() == 415
    assert window.current_id() == window.model.ids[0]
    assert focus() is window.table
    paper = seeded.get(window.current_id())
    assert window.reader.title.toPlainText() == paper.title
    assert window.reader.abstract.toPlainText() == paper.abstract
    assert "Inbox 415" in window.counts_label.text()


def test_j_k_move_and_r_reads_and_advances(window, seeded: Library, press, qtbot) -> None:
    ids = window.model.ids
    press("j", "j", "k")
    assert window.current_id() == ids[1]
    press("r")
    assert seeded.get(ids[1]).read
    assert window.current_id() == ids[2]
    press("e")
    assert seeded.get(ids[2]).read and window.current_id() == ids[3]
    assert seeded.stats()["unread"] == 413
    qtbot.waitUntil(lambda: "Inbox 413" in window.counts_label.text())
    assert window.sidebar.entry("inbox").count == 413
    press("Down", "Up")
    assert window.current_id() == ids[3]


def test_select_all_then_tag_by_quick_key(window, seeded: Library, press) -> None:
    seeded.add_tags([window.model.ids[-1]], ["alpha"])
    seeded.add_tags([window.model.ids[-1]], ["beta"])
    window.ops.refresh_counts()
    window.set_search("kolmogorov")
    window.accept_search()
    found = list(window.model.ids)
    assert len(found) >= 2
    press("* a", "2")  # quick tag 2 is "beta" (tags in sidebar order)
    assert all("beta" in seeded.get(i).tags for i in found)
    press("2")         # toggles off again when all have it
    assert not any("beta" in seeded.get(i).tags for i in found)
    press("* n")
    assert not window.model.marked
    press("9")         # no ninth quick tag: a message, no change
    assert "No quick tag 9" in window.statusBar().currentMessage()


def test_quick_tags_from_the_keys_file(seeded: Library, make_window, press,
                                       _isolated_config) -> None:
    _isolated_config.mkdir(parents=True, exist_ok=True)
    (_isolated_config / "keys.json").write_text(
        '{"quick_tags": ["to-read", "keep"], "bindings": {"paper.star": ["f"]}}',
        encoding="utf-8")
    window = make_window(seeded)
    first = window.current_id()
    press("1", "f")
    paper = seeded.get(first)
    assert paper.tags == ("to-read",) and paper.starred
    press("s")  # rebound away from s
    assert seeded.get(first).starred


def test_g_sequences_switch_views(window, seeded: Library, press) -> None:
    first = window.current_id()
    press("s", "r")
    press("g s")
    assert window.browser.view_key == "starred" and list(window.model.ids) == [first]
    press("g r")
    assert window.browser.view_key == "done" and window.model.rowCount() == 1
    press("g a")
    assert window.browser.view_key == "all" and window.model.rowCount() == 415
    press("g i")
    assert window.browser.view_key == "inbox" and window.model.rowCount() == 414
    press("g")
    assert window.pending_label.text().startswith("g")
    press("Esc")
    assert window.pending_label.text() == "" and window.browser.view_key == "inbox"
    press("G")
    assert window.current_id() == window.model.ids[-1]
    press("g g")
    assert window.current_id() == window.model.ids[0]


def test_reading_the_last_unread_paper_shows_all_caught_up(seeded: Library, make_window,
                                                            press) -> None:
    ids = seeded.search("", limit=None).ids
    seeded.set_read(ids[:-1])
    window = make_window(seeded)
    assert window.model.rowCount() == 1
    press("r")
    assert window.panel.stack.currentWidget() is window.empty_state
    assert window.panel.empty_title.text() == "All caught up"
    assert not window.panel.samples_button.isVisible()
    assert focus() is window.empty_state
    press("g a")  # keys still work from the empty state
    assert window.model.rowCount() == 415


def test_slash_searches_as_you_type_and_enter_goes_to_the_list(window, press, type_text,
                                                               qtbot) -> None:
    press("/")
    assert focus() is window.search
    type_text("kolmogorov")
    assert window.model.rowCount() == 415  # debounced: not yet
    qtbot.waitUntil(lambda: window.browser.search_query == "kolmogorov")
    assert 0 < window.model.rowCount() < 10
    assert window.panel.view_title.text() == "Search"
    press("Return")
    assert focus() is window.table
    assert window.current_id() == window.model.ids[0]
    spans = window.reader.abstract.search_spans
    text = window.reader.abstract.toPlainText()
    assert spans and all(text[s:e].lower().startswith("kolmogorov") for s, e in spans)
    press("/")
    press("Esc")
    assert focus() is window.table and window.browser.search_query == "kolmogorov"
    window.search.clear()
    assert window.browser.view_key == "inbox" and window.model.rowCount() == 415


def test_search_words_are_marked_in_the_listed_titles(window, press, type_text,
                                                      qtbot) -> None:
    def marks_of_first_title() -> tuple[list[QRect], QRect]:
        index = window.model.index(0, COL_TITLE)
        option = QStyleOptionViewItem()
        option.rect = window.table.visualRect(index)
        option.widget = window.table
        option.font = window.table.font()
        return window.panel.paper_delegate.title_matches(option, index), QRect(option.rect)

    assert marks_of_first_title()[0] == []  # no search, nothing marked
    press("/")
    type_text("kolmogorov")
    qtbot.waitUntil(lambda: window.browser.search_query == "kolmogorov")
    marks, cell = marks_of_first_title()
    title = window.model.index(0, COL_TITLE).data()
    assert title.startswith("Kolmogorov")
    assert len(marks) == 1
    assert cell.left() <= marks[0].left() < cell.left() + 20
    assert cell.contains(marks[0].topRight())


def test_typo_corrections_are_announced(window, seeded: Library, monkeypatch) -> None:
    from storage.search import SearchResult

    real = seeded.search

    def corrected(query, **kwargs):
        if query == "kolmogorv":
            result = real("kolmogorov", **kwargs)
            return SearchResult(query=query, ids=result.ids, hits=result.hits,
                                corrections=[("kolmogorv", "kolmogorov")],
                                terms=["kolmogorov"],
                                message="Showing results for kolmogorov")
        return real(query, **kwargs)

    monkeypatch.setattr(seeded, "search", corrected)
    window.set_search("kolmogorv")
    assert window.panel.correction.isVisible()
    # The view shows the result's own message; it derives nothing itself.
    assert window.panel.correction.text() == "Showing results for kolmogorov"
    assert window.reader.abstract.search_spans


def test_space_pages_the_reading_pane(window, press, qtbot) -> None:
    window.resize(1280, 420)
    bar = window.reader.scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    press("Space")
    assert bar.value() > 0
    press("shift+space")
    assert bar.value() == 0


def test_ctrl_p_goes_to_a_paper_by_title(window, seeded: Library, press, type_text,
                                         qtbot) -> None:
    target = seeded.search("kolmogorov", limit=1).ids[0]
    press("g s")  # nothing starred: the window switches to All to show it
    assert window.model.rowCount() == 0
    press("ctrl+p")
    qtbot.waitUntil(lambda: dialog_of(GoToPaper) is not None)
    popup = dialog_of(GoToPaper)
    type_text(seeded.get(target).title)
    qtbot.waitUntil(lambda: popup.list.count() > 0)
    press("Return")
    qtbot.waitUntil(lambda: window.current_id() == target)
    assert window.browser.view_key == "all"
    qtbot.waitUntil(lambda: focus() is window.table)


def test_m_lists_papers_like_this_one_and_opens_the_chosen(window, seeded: Library, press,
                                                           type_text, qtbot) -> None:
    tetris = seeded.search("title:tetris", limit=1).ids[0]
    window.browser.select_paper(tetris)
    press("m")
    qtbot.waitUntil(lambda: dialog_of(SimilarPapers) is not None)
    popup = dialog_of(SimilarPapers)
    titles = [popup.list.item(i).data(ChoiceRole).title for i in range(popup.list.count())]
    assert titles[:3] and all("Speculative" in t for t in titles[:3])
    type_text("kangaroo")
    assert popup.list.count() == 1
    press("Return")
    qtbot.waitUntil(lambda: window.current_id() != tetris)
    assert seeded.get(window.current_id()).title.startswith("Kangaroo")


def test_command_palette_runs_commands_by_name(window, seeded: Library, press, type_text,
                                               qtbot) -> None:
    first = window.current_id()
    press("ctrl+k")
    qtbot.waitUntil(lambda: dialog_of(CommandPalette) is not None)
    palette = dialog_of(CommandPalette)
    type_text("star")
    assert palette.list.count() >= 1
    assert palette.list.currentItem().data(ChoiceRole).value == "paper.star"
    press("Return")
    qtbot.waitUntil(lambda: seeded.get(first).starred)
    window.focus_list()
    press("ctrl+shift+p")
    qtbot.waitUntil(lambda: dialog_of(CommandPalette) is not None)
    press("Esc")
    qtbot.waitUntil(lambda: focus() is window.table)


def test_question_mark_shows_every_bound_command(window, press, qtbot) -> None:
    press("?")
    qtbot.waitUntil(lambda: any(isinstance(w, CheatSheet) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    sheet = next(w for w in QApplication.topLevelWidgets()
                 if isinstance(w, CheatSheet) and w.isVisible())
    from PySide6.QtWidgets import QLabel

    texts = {label.text() for label in sheet.findChildren(QLabel)}
    for title in ("Mark done and go to the next", "Go to Inbox", "Undo", "Tag…",
                  "Toggle quick tag 1–9", "Highlight the selection", "Command palette"):
        assert title in texts
    assert {"g", "i", "Ctrl+Z", "?"} <= texts
    sheet.close()


def test_menus_show_keys_without_binding_them(window) -> None:
    action = window.menu_actions["state.done"]
    assert action.text().endswith("\te")
    assert action.shortcut().isEmpty()
    assert all(a.shortcut().isEmpty() for a in window.menu_actions.values())


def test_ctrl_v_imports_a_pasted_listing(window, seeded: Library, press, qtbot) -> None:
    QGuiApplication.clipboard().setText(
        "Daily Papers\n\nA Pasted Paper About Sieves\nWe sieve things carefully.\n\n"
        "Another Pasted Paper\nIt has an abstract too.\n")
    press("ctrl+v")
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=10000)
    assert seeded.stats()["total"] == 417
    source = seeded.sources(limit=1)[0]
    assert source["name"].startswith("clipboard ")
    assert window.model.rowCount() == 417


def test_other_processes_writes_show_up(window, seeded: Library, qtbot) -> None:
    first = window.current_id()
    other = Library(seeded.path)
    try:
        other.set_starred([first])
        other.set_note(first, "from the command line")
    finally:
        other.close()
    qtbot.waitUntil(lambda: window.reader.note.toPlainText() == "from the command line",
                    timeout=5000)
    assert window.model.paper_row(window.model.row_of(first)).starred


def test_a_file_still_importing_elsewhere_is_followed_by_the_list_and_counts_alike(
        window, seeded: Library, qtbot) -> None:
    """A big file another process imports batch by batch: the list and the counts follow
    its batches together (N9: the counts did while the list waited), at most every
    FOLLOW_MS, and once more when it is whole."""
    window.run_command("go.all")
    window.ops.poll_timer.stop()  # the test polls by hand
    shown = window.model.rowCount()
    # What another process leaves between two batch commits of a big file.
    other = Library(seeded.path)
    try:
        source = other.conn.execute(
            "INSERT INTO sources (path, name, imported_at, status) "
            "VALUES ('big.txt', 'big.txt', '2026-11-24', 'importing')").lastrowid
        other.conn.execute(
            "INSERT INTO papers (id, key, title, abstract, added_at, first_source_id) "
            "VALUES (9001, 'first batch', 'First batch', 'abs', '2026-11-24', ?)", (source,))
        window.ops.poll()
        assert window.model.rowCount() == shown + 1
        assert window.sidebar.entry("all").count == shown + 1
        # The next batch right after: not followed at once (a reload per batch would
        # keep the list moving under the user), and the counts wait with the rows.
        other.conn.execute(
            "INSERT INTO papers (id, key, title, abstract, added_at, first_source_id) "
            "VALUES (9002, 'second batch', 'Second batch', 'abs', '2026-11-24', ?)",
            (source,))
        window.ops.poll()
        window.ops.refresh_counts()
        assert window.model.rowCount() == shown + 1
        assert window.sidebar.entry("all").count == shown + 1
        other.conn.execute("UPDATE sources SET status = 'complete' WHERE id = ?", (source,))
    finally:
        other.close()
    window.ops.poll()  # whole now: followed at once
    assert window.model.rowCount() == shown + 2
    assert window.sidebar.entry("all").count == shown + 2


def test_search_field_keeps_letters(window, press, type_text, qtbot) -> None:
    press("/")
    type_text("jkrs?")
    assert isinstance(focus(), QLineEdit) and window.search.text() == "jkrs?"


def test_saved_search_shows_in_the_sidebar_and_can_be_deleted(window, seeded: Library,
                                                              qtbot) -> None:
    seeded.save_search("KAN", "kolmogorov")
    window.ops.refresh_counts()
    window.browser.show_view("saved:KAN", "KAN", "kolmogorov")
    assert window.model.rowCount() == seeded.count("kolmogorov") == 3
    assert window.registry.get("search.delete_saved").is_enabled()
    window.run_command("search.delete_saved")
    assert seeded.saved_searches() == []
    assert window.browser.view_key == "inbox"
    assert not window.registry.get("search.delete_saved").is_enabled()
