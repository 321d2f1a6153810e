"""Moving: next/previous paper, paging the abstract, focus, search, go to a view or paper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.actions import has_paper
from desktop.commands import CommandSet
from desktop.dialogs import Choice, GoToPaper, SimilarPapers
from desktop.model import format_date
from desktop.text import isolated
from storage import Library, states
from storage.states import StateTable

if TYPE_CHECKING:
    from desktop.window import MainWindow

commands = CommandSet("navigation")
command = commands.command


@command("list.next", "Next paper", keys=("j", "Down"), group="Move", menu="Go")
def next_paper(w: MainWindow) -> None:
    w.browser.move(1)


@command("list.prev", "Previous paper", keys=("k", "Up"), group="Move", menu="Go")
def previous_paper(w: MainWindow) -> None:
    w.browser.move(-1)


@command("list.first", "First paper", keys=("Home", "g g"), group="Move")
def first_paper(w: MainWindow) -> None:
    w.browser.select_row(0 if w.model.rowCount() else -1)


@command("list.last", "Last paper", keys=("End", "G"), group="Move")
def last_paper(w: MainWindow) -> None:
    w.browser.select_row(w.model.rowCount() - 1)


@command("reader.page_down", "Page down the abstract", keys=("Space",), group="Move")
def page_down(w: MainWindow) -> None:
    w.reader.page(1)


@command("reader.page_up", "Page up the abstract", keys=("Shift+Space",), group="Move")
def page_up(w: MainWindow) -> None:
    w.reader.page(-1)


@command("focus.back", "Back to the list", keys=("Esc",), mode="global", group="Move")
def escape(w: MainWindow) -> None:
    if w.showing_page():
        w.show_list_page()
        return
    focus = QApplication.focusWidget()
    if focus is w.reader.abstract and w.reader.abstract.clear_selection():
        w.flash("Selection cleared · Esc again to go back to the list")
        return
    if focus is w.table and w.model.marked:
        w.model.set_marked(())
        w.browser.update_view_count()
        w.flash("Selection cleared")
        return
    w.focus_list()


@command("search.focus", "Search", keys=("/",), group="Find", menu="Go")
def focus_search(w: MainWindow) -> None:
    w.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
    w.search.selectAll()


@command("search.accept", "Show the results", keys=("Return", "Enter", "Down"),
         mode="search", group="Find", palette=False)
def accept_search(w: MainWindow) -> None:
    w.browser.run_search()
    if w.model.rowCount():
        w.browser.select_row(0)
    w.focus_list()


def choices(library: Library, ids: list[int], table: StateTable | None = None
            ) -> list[Choice]:
    """Popup rows for papers: title, then date, byline and triage state (its label in
    `table`, the state table in effect by default)."""
    table = table if table is not None else states.table()
    rows = library.rows(ids)
    found = []
    for pid in ids:
        row = rows.get(pid)
        if row is None:
            continue
        state = table.get(row.state)
        label = state.label if state is not None else row.state
        detail = "  ·  ".join(p for p in (format_date(row.published),
                                          row.byline and isolated(row.byline), label) if p)
        found.append(Choice(pid, row.title, detail))
    return found


def find_titles(library: Library, text: str, table: StateTable | None = None
                ) -> list[Choice]:
    """Titles like `text` (fuzzy), else the search engine's best hits."""
    ids: list[int] = []
    try:
        ids = [pid for pid, _title, _score in library.fuzzy_titles(text, 20)]
    except Exception:
        ids = []
    if not ids:
        try:
            ids = list(library.search(text, limit=20).ids)
        except Exception:
            ids = []
    return choices(library, ids, table)


@command("goto.paper", "Go to paper by title…", keys=("Ctrl+P",), mode="global",
         group="Find", menu="Go")
def go_to_paper(w: MainWindow) -> None:
    popup = GoToPaper(w, lambda text: find_titles(w.library, text, w.states), w.theme)
    popup.chosen.connect(w.browser.select_paper)
    w.open_dialog(popup)


@command("paper.similar", "More like this…", keys=("m",), when=has_paper,
         group="Find", menu="Go")
def more_like_this(w: MainWindow) -> None:
    pid = w.current_id()
    if pid is None:
        return
    found = choices(w.library, w.library.similar(pid, 20), w.states)
    if not found:
        w.flash("No paper in the library shares this one's distinctive words")
        return
    popup = SimilarPapers(w, found, w.theme)
    popup.chosen.connect(w.browser.select_paper)
    w.open_dialog(popup)


@command("go.all", "Go to All papers", keys=("g a",), group="Go", menu="Go")
def go_all(w: MainWindow) -> None:
    w.browser.show_builtin("all")


@command("go.foryou", "Go to For you", keys=("g f",), group="Go", menu="Go")
def go_foryou(w: MainWindow) -> None:
    w.browser.show_builtin("foryou")


@command("go.annotated", "Go to Annotated", keys=("g n",), group="Go", menu="Go")
def go_annotated(w: MainWindow) -> None:
    w.browser.show_builtin("annotated")
