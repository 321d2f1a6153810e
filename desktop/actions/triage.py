"""Triage decisions on the current or selected papers: read, unread, star, select,
undo and redo, open on the web, the note."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, QUrlQuery

from desktop.actions import has_paper, has_targets
from desktop.commands import CommandSet

if TYPE_CHECKING:
    from desktop.window import MainWindow

commands = CommandSet("triage")
command = commands.command


@command("paper.read_next", "Mark read and go to the next", keys=("r", "e"),
         when=has_targets, group="Triage", menu="Paper")
def read_and_next(w: MainWindow) -> None:
    ids = w.targets()
    bulk = len(ids) > 1
    w.reader.flush_note()
    browser = w.browser
    row = browser.current_row()

    def move_on(_changed: object) -> None:
        if w.model.marked:
            w.model.set_marked(())
        if not bulk and row + 1 < w.model.rowCount():
            browser.select_row(row + 1)

    what = f"{len(ids)} papers" if bulk else "1 paper"
    changed = w.ops.run(lambda library: library.set_read(ids, True), ids=ids, row=row,
                        then=move_on, undoable=False,
                        message=lambda n: f"Marked {what} read · Ctrl+Z to undo" if n
                        else "Already read")
    if changed is not None:
        check_caught_up(w)


def check_caught_up(w: MainWindow) -> None:
    """In the Inbox, the last paper read shows the caught-up page."""
    browser = w.browser
    if browser.view_key == "inbox" and not browser.search_query:
        try:
            left = w.library.has_unread()
        except Exception:
            return
        if not left:
            browser.load(select_first=True)
            w.focus_list()


@command("paper.unread", "Mark unread", keys=("u",), when=has_targets, group="Triage",
         menu="Paper")
def mark_unread(w: MainWindow) -> None:
    ids = w.targets()
    w.ops.run(lambda library: library.set_read(ids, False), ids=ids, undoable=False,
              message=lambda n: f"Marked {len(ids)} unread · Ctrl+Z to undo" if n
              else "Already unread")


@command("paper.star", "Star / unstar", keys=("s",), when=has_targets, group="Triage",
         menu="Paper")
def toggle_star(w: MainWindow) -> None:
    ids = w.targets()
    star = not all(r.starred for r in w.library.rows(ids).values())
    count = f"{len(ids)} papers" if len(ids) > 1 else ""
    w.ops.run(lambda library: library.set_starred(ids, star), ids=ids,
              message=f"{'Starred' if star else 'Unstarred'} {count}".strip())


@command("select.toggle", "Select / deselect (then act on all)", keys=("x",),
         when=has_paper, group="Select", menu="Edit")
def toggle_mark(w: MainWindow) -> None:
    pid = w.current_id()
    if pid is not None:
        w.model.toggle_mark(pid)
        w.browser.update_view_count()


@command("select.all", "Select all in this view", keys=("* a",), group="Select", menu="Edit")
def mark_all(w: MainWindow) -> None:
    w.model.set_marked(w.model.ids)
    w.browser.update_view_count()


@command("select.none", "Clear the selection", keys=("* n",), group="Select", menu="Edit")
def mark_none(w: MainWindow) -> None:
    w.model.set_marked(())
    w.browser.update_view_count()


@command("edit.undo", "Undo", keys=("Ctrl+Z",), group="Edit", menu="Edit")
def undo(w: MainWindow) -> None:
    w.reader.flush_note()
    _undo_or_redo(w, "undo")


@command("edit.redo", "Redo", keys=("Ctrl+Shift+Z", "Ctrl+Y"), group="Edit", menu="Edit")
def redo(w: MainWindow) -> None:
    _undo_or_redo(w, "redo")


def _undo_or_redo(w: MainWindow, which: str) -> None:
    w.ops.run(lambda library: getattr(library, which)(), reload=True, undoable=False,
              message=lambda change: change.description if change else f"Nothing to {which}")


@command("paper.open_web", "Open on the web (search by title)", keys=("o",),
         when=has_paper, group="Paper", menu="Paper")
def open_web(w: MainWindow) -> None:
    pid = w.current_id()
    paper = w.library.get(pid) if pid is not None else None
    if paper is None:
        return
    url = QUrl("https://huggingface.co/papers")
    query = QUrlQuery()
    query.addQueryItem("q", paper.title)
    url.setQuery(query)
    w.url_opener(url)
    w.flash("Opened a web search for this title")


@command("note.edit", "Edit the note", keys=("n",), when=has_paper, group="Paper",
         menu="Paper")
def edit_note(w: MainWindow) -> None:
    note = w.reader.note
    w.reader.scroll.ensureWidgetVisible(note, 0, 40)
    note.setFocus(Qt.FocusReason.ShortcutFocusReason)
    cursor = note.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    note.setTextCursor(cursor)


def save_note(w: MainWindow, paper_id: int, text: str) -> None:
    """The reading pane's note editor, saved after a pause or on leaving the paper."""
    w.ops.run(lambda library: library.set_note(paper_id, text), ids=[paper_id], pane=False)
