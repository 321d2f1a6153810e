"""Triage on the current or selected papers besides the states (desktop/actions/states.py):
star, select, undo and redo, open on the web, the note."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, QUrlQuery
from PySide6.QtGui import QGuiApplication

from desktop.actions import has_paper, has_targets
from desktop.commands import CommandSet
from storage.library.removals import step_size

if TYPE_CHECKING:
    from desktop.window import MainWindow

commands = CommandSet("triage")
command = commands.command


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
    if w.library.papers_to_replay(redo=which == "redo") > step_size():
        # Thousands of papers back or out: in the background, with progress.
        w.remover.replay(which, then=lambda change: replayed(w, change))
        return
    w.ops.run(lambda library: getattr(library, which)(), reload=True, undoable=False,
              then=lambda change: _reload_if_papers_came_or_went(w, change),
              message=lambda change: change.description if change else f"Nothing to {which}")


def replayed(w: MainWindow, change: object) -> None:
    """After the removal runner's undo or redo (another Library wrote)."""
    w.library.poll_changes()
    w.ops.saw_own_write()
    w.browser.load(keep_id=w.current_id())
    w.ops.refresh_counts()
    w.flash(str(getattr(change, "description", "")))


def _reload_if_papers_came_or_went(w: MainWindow, change: object) -> None:
    """Undoing a delete or an import's undo brings papers back (or takes them out
    again): the list must be queried anew, not only repainted."""
    ids = list(getattr(change, "paper_ids", ()) or ())
    if not ids:
        return
    listed = [i for i in ids if w.model.row_of(i) >= 0]
    if len(listed) < len(ids) or len(w.library.rows(listed)) < len(listed):
        w.browser.load(keep_id=w.current_id())
        w.ops.refresh_counts()


@command("paper.open_web", "Open the paper's page (else a web search for its title)", keys=("o",),
         when=has_paper, group="Paper", menu="Paper")
def open_web(w: MainWindow) -> None:
    pid = w.current_id()
    paper = w.library.get(pid) if pid is not None else None
    if paper is None:
        return
    if paper.page_url:
        # The paper's own page, where the listing gave its link or its arXiv id.
        w.url_opener(QUrl(paper.page_url))
        w.flash(f"Opened {paper.page_url}")
        return
    url = QUrl("https://huggingface.co/papers")
    query = QUrlQuery()
    query.addQueryItem("q", paper.title)
    url.setQuery(query)
    # openUrl says whether a browser could be started; say so when it could not,
    # and leave the address where the user can paste it.
    if w.url_opener(url) is False:
        QGuiApplication.clipboard().setText(url.toString())
        w.flash("Could not start a web browser; the search address is on the clipboard")
        return
    w.flash("Opened a web search for this title")


@command("paper.open_code", "Open the paper's code (its GitHub repository)", keys=("O",),
         when=has_paper, group="Paper", menu="Paper")
def open_code(w: MainWindow) -> None:
    from desktop.reader import code_url

    pid = w.current_id()
    paper = w.library.get(pid) if pid is not None else None
    if paper is None:
        return
    url = code_url(paper)
    if url is None:
        w.flash("This paper's listing names no code repository")
        return
    open_link(w, QUrl(url))


def open_link(w: MainWindow, url: QUrl) -> None:
    """Open an address from the reading pane (its facts line, Shift+O)."""
    if w.url_opener(url) is False:
        QGuiApplication.clipboard().setText(url.toString())
        w.flash("Could not start a web browser; the address is on the clipboard")
        return
    w.flash(f"Opened {url.toString()}")


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
    saved = w.ops.run(lambda library: library.set_note(paper_id, text), ids=[paper_id],
                      pane=False)
    if saved is None:  # refused; ops.run has said why in the status bar
        w.reader.note_not_saved(paper_id, text)
