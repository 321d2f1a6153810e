"""The list-and-search controller: which view or search the list shows, and its rows.

`Browser` owns the view state (a sidebar view's key, label and query, or a search),
loads it into the id-holding model, keeps one row current and shows it in the reading
pane, and says what an empty list means. Commands move and switch views through it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit

from desktop import text as texts
from desktop.columns import ColumnFitter
from desktop.learner import FOR_YOU, Learner, suggest_tag
from desktop.listpanel import ListPanel
from desktop.model import COL_TITLE, SORT_KEYS
from desktop.reader import ReaderPane
from desktop.sidebar import Entry, Sidebar, View, tag_view
from desktop.toast import Toast
from storage import Library, Paper

TOAST_CLEARANCE = 8  # px between a row the user is on and a toast over the list

SEARCH_DELAY_MS = 150


def empty_message(*, library_empty: bool, searching: bool, view_key: str,
                  view_label: str, error: str | None = None,
                  how: str | None = None) -> tuple[str, str, str]:
    """(glyph, title, text) for a list with no rows. A search that failed says why:
    "No papers match" would be a claim about the library it could not make."""
    if error:
        return ("⚠", "The search failed", error)
    if library_empty:
        return ("⤓", "Your library is empty",
                "Import a Hugging Face Daily Papers page saved as text (Ctrl+I), drop listing "
                "files here, or copy a page in your browser and press Ctrl+V.")
    if searching:
        # Esc here goes to the (empty) list, which left the search; say the way out.
        return ("⌕", "No papers match",
                "Try fewer words, a shorter prefix, or remove a filter: / edits the "
                "search, g i goes back to the Inbox.")
    if view_key == "inbox":
        return ("✓", "All caught up",
                "Every paper in your Inbox has a decision. Import a new listing "
                "with Ctrl+I, or press g a to browse the whole library.")
    # `how`: what puts a paper in this view, by the keys in force ("Press s on a paper
    # to star it"); an empty view that only said "g i" left the user guessing.
    return ("○", f"Nothing in {texts.isolated(view_label)} yet",
            f"{how} Or press g i to go back to the inbox." if how else
            "Press g i to go back to the inbox.")


def view_count_text(total: int, marked: int, selected_rows: int,
                    live: int | None = None) -> str:
    """The list header's count. `live`: how many papers the view holds now (the
    sidebar's count); rows it no longer holds (just decided in the Inbox) stay listed
    until the view is left, and are counted apart."""
    if live is not None and 0 <= live < total:
        # Moved to any other state (Later, Skipped, a user's own), not only Done.
        moved = total - live
        text = f"{live:,} paper{'s' if live != 1 else ''}  ·  {moved:,} moved out, still listed"
    else:
        text = f"{total:,} paper{'s' if total != 1 else ''}"
    if marked:
        return text + f"  ·  {marked} selected (x)"
    if selected_rows > 1:
        return text + f"  ·  {selected_rows} selected"
    return text


class Browser(QObject):
    loaded = Signal()
    """A new list is in: the counts line's "Showing" moves."""
    view_changed = Signal()
    """The user asked for a list (a view, a search): the window shows the list page."""
    page_requested = Signal(str)
    """The sidebar's entry of a page (Statistics) was picked."""

    def __init__(self, library: Library, panel: ListPanel, search: QLineEdit,
                 sidebar: Sidebar, reader: ReaderPane, views: list[View]) -> None:
        super().__init__(panel)
        self.library = library
        self.views = views
        self.panel, self.search, self.sidebar, self.reader = panel, search, sidebar, reader
        self.model, self.table = panel.model, panel.table
        self.columns = ColumnFitter(self.table)
        first = views[0]  # the Inbox
        self.view_key, self.view_label, self.view_query = first.key, first.label, first.query
        self.search_query = ""
        # The live search runs the text as typed (a last word with no space after
        # it is still being typed: also a prefix); Enter runs whole words.
        self.search_typing = False
        self._typed_text = ""
        self.learner: Learner | None = None  # set by the window: For you's models
        # Set by the window: what puts a paper in a view, by the keys in force.
        self.empty_hint: Callable[[str], str | None] = lambda _view_key: None
        self._loading = False
        self._shown = 0  # reading-pane renders of the current paper (see select_row)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(lambda: self.run_search(typing=True))
        search.textEdited.connect(lambda _text: self.search_timer.start())
        search.textChanged.connect(self._search_changed)
        # Set by the window while another page (Statistics) covers the list: nothing
        # is current then, so triage keys have nothing to act on.
        self.list_hidden = False
        sidebar.activated_entry.connect(self._entry_activated)
        panel.paper_delegate.highlight = self.highlight
        selection = self.table.selectionModel()
        selection.currentRowChanged.connect(self._current_changed)
        selection.selectionChanged.connect(lambda *_: self.update_view_count())
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_changed)

    # ------------------------------------------------------------ what is where
    @property
    def active_query(self) -> str:
        return self.search_query if self.search_query else self.view_query

    def showing_list(self) -> bool:
        return not self.list_hidden and self.panel.stack.currentWidget() is self.table

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.showing_list():
            return None
        return self.model.id_at(index.row())

    def _row_id(self) -> int | None:
        """The current row's paper, also while a page (Statistics) covers the list."""
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def current_row(self) -> int:
        return self.table.currentIndex().row()

    def targets(self) -> list[int]:
        """What triage applies to: marked papers, else a multi-row selection, else current."""
        if self.model.marked:
            return sorted(self.model.marked, key=self.model.row_of)
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        if len(rows) > 1:
            return [pid for pid in (self.model.id_at(r) for r in rows) if pid is not None]
        current = self.current_id()
        return [current] if current is not None else []

    def highlight_terms(self) -> list[str]:
        """What the search engine matched (corrections and prefixes included)."""
        if not self.search_query or self.model.result is None:
            return []
        return list(self.model.result.terms)

    def highlight(self, text: str) -> list[tuple[int, int]]:
        """Spans of the search's matches in `text`, from the search's own
        highlighter; none outside a search."""
        result = self.model.result
        if not self.search_query or result is None:
            return []
        # Hits a hyphen apart are one wash ("Kolmogorov-Arnold"), in every view.
        return texts.join_spans(text, result.highlight(text))

    # ------------------------------------------------------------ views
    def _entry_activated(self, entry: Entry) -> None:
        if entry.page:
            self.page_requested.emit(entry.page)
        else:
            self.show_view(entry.key, entry.label, entry.query)

    def show_view(self, key: str, label: str, query: str, *, focus_list: bool = True) -> None:
        self.view_changed.emit()
        self.reader.flush_note()
        self.view_key, self.view_label, self.view_query = key, label, query
        self.search_query = ""
        self.search_typing = False
        self.search_timer.stop()
        # With its signals on (the box's clear button follows textChanged; blocked, it
        # stayed on an empty box); _search_changed has nothing to undo now.
        self.search.clear()
        self.sidebar.select_key(key)
        tag = suggest_tag(key)
        # "Suggested for #tag" is a query in the tag's model's order; For you is
        # `sort:interest`, ordered by the library itself.
        self.model.reorder = (lambda ids, head: self.library.order_by_interest(ids, tag,
                                                                               head=head)) \
            if tag is not None else None
        if self.learner is not None and (tag is not None or key == FOR_YOU):
            if tag is not None:
                self.learner.want_tag(tag)
            elif not self.learner.rounds:
                self.learner.activate()
                self.learner.schedule(now=True)
        self.load(select_first=True)
        if focus_list:
            self.focus_list()

    def show_builtin(self, key: str) -> None:
        for view in self.views:
            if view.key == key:
                self.show_view(view.key, view.label, view.query)
                return

    def show_tag(self, tag: str) -> None:
        self.show_view(*tag_view(tag))

    def load(self, *, select_first: bool = False, keep_id: int | None = None) -> None:
        """Run the active query into the model and make a row current."""
        # A reload while a page covers the list (another program wrote) keeps its row.
        keep = keep_id if keep_id is not None else (None if select_first else self._row_id())
        self._loading = True
        try:
            if self.search_query and self.search_typing:
                self.model.set_query(self._typed_text, typing=True)
            else:
                self.model.set_query(self.active_query)
        finally:
            self._loading = False
        self.panel.view_title.setText("Search" if self.search_query
                                      else texts.balanced_bidi(self.view_label))
        self._show_correction()
        self._show_interest_status()
        self.update_empty_state()
        row = self.model.row_of(keep) if keep is not None else -1
        if row < 0 and self.model.rowCount() > 0:
            row = 0
        self.select_row(row)
        # After the row is made current (and scrolled to): the columns fit the rows
        # on screen.
        self.columns.fit(self.model)
        self.loaded.emit()

    def _show_correction(self) -> None:
        """The search's own line: what it searched instead, how many papers have
        all the words and how many some, or why it failed."""
        result, correction = self.model.result, self.panel.correction
        if self.model.error:
            correction.setText(self.model.error)
            correction.show()
        elif self.search_query and result is not None and result.message:
            correction.setText(result.message)
            correction.show()
        else:
            correction.hide()

    def interest_view(self) -> tuple[bool, str | None]:
        """(whether the list is a For you or Suggested view, its tag)."""
        if self.search_query:
            return False, None
        tag = suggest_tag(self.view_key)
        return (tag is not None or self.view_key == FOR_YOU), tag

    def _show_interest_status(self) -> None:
        ranked, tag = self.interest_view()
        if not ranked or not self.panel.correction.isHidden():
            return
        try:
            text = self.library.interest_status(tag)
        except Exception as error:  # the list matters more than its caption
            text = f"For you: {error}"
        self.panel.correction.setText(text)
        self.panel.correction.show()

    def learned(self) -> None:
        """A new model is ready: re-sort a ranked view around the current paper."""
        ranked, _tag = self.interest_view()
        if ranked:
            # A user still on the first paper has not started: show the new first.
            # One further down keeps the paper they are reading.
            keep = self.current_id() if self.current_row() > 0 else None
            self.load(select_first=keep is None, keep_id=keep)

    def update_empty_state(self) -> None:
        panel = self.panel
        if self.model.rowCount() > 0:
            if not self.showing_list():
                had_focus = panel.empty_state.hasFocus()
                panel.stack.setCurrentWidget(self.table)
                if had_focus:
                    self.table.setFocus()
            return
        library_empty = self.library.is_empty()
        panel.samples_button.setVisible(library_empty)
        panel.files_button.setVisible(library_empty)
        glyph, title, text = empty_message(
            library_empty=library_empty, searching=bool(self.search_query),
            view_key=self.view_key, view_label=self.view_label, error=self.model.error,
            how=self.empty_hint(self.view_key))
        panel.empty_glyph.setText(glyph)
        panel.empty_title.setText(title)
        panel.empty_text.setText(text)
        had_focus = self.table.hasFocus()
        panel.stack.setCurrentWidget(panel.empty_state)
        if had_focus:
            panel.empty_state.setFocus()
        self.reader.show_paper(None)

    # ------------------------------------------------------------ the current row
    def select_row(self, row: int) -> None:
        """Make `row` current (-1: none) and show it in the reading pane, once: a
        change of the current row has shown it already (`_current_changed`)."""
        shown = self._shown
        selection = self.table.selectionModel()
        if row < 0 or row >= self.model.rowCount():
            selection.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
        else:
            index = self.model.index(row, COL_TITLE)
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
            self._clear_of_toast(index)
        if self._shown == shown:
            self.show_current()

    def _clear_of_toast(self, index: QModelIndex) -> None:
        """Scroll the current row out from under a toast: j walking down the list went
        under the welcome toast (a minute long), four rows the user could not see."""
        toast = self.table.window().findChild(
            Toast, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if toast is None or not toast.isVisible():
            return
        viewport = self.table.viewport()
        row = self.table.visualRect(index)
        row.setLeft(0)
        row.setRight(viewport.width())
        top_left = viewport.mapFrom(toast.parentWidget(), toast.geometry().topLeft())
        card = toast.rect().translated(top_left)
        if not row.intersects(card) or card.top() <= row.height():
            return
        bar = self.table.verticalScrollBar()
        bar.setValue(bar.value() + row.bottom() - card.top() + TOAST_CLEARANCE)

    def move(self, step: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        self.reader.flush_note()
        row = self.current_row()
        self.select_row(0 if row < 0 else max(0, min(count - 1, row + step)))
        if self.showing_list() and QApplication.focusWidget() is self.panel.empty_state:
            self.table.setFocus()

    def select_paper(self, paper_id: object) -> None:
        """Show a paper wherever it is: in this view, else in All papers."""
        pid = int(paper_id)  # type: ignore[arg-type]
        if self.model.row_of(pid) < 0:
            self.show_view("all", "All papers", "", focus_list=False)
        row = self.model.row_of(pid)
        if row >= 0:
            self.select_row(row)
        self.focus_list()

    def _current_changed(self, *_args: object) -> None:
        if not self._loading:
            self.show_current()

    def show_current(self) -> None:
        self._shown += 1
        paper_id = self.current_id()
        paper = self.library.get(paper_id) if paper_id is not None else None
        # The same paper again (a reloaded list around it) keeps its place in the pane.
        shown = self.reader.paper
        same = paper is not None and shown is not None and shown.id == paper.id
        self.show_paper(paper, keep_position=same)
        self.update_view_count()

    def show_paper(self, paper: Paper | None, *, keep_position: bool = False) -> None:
        if paper is None:
            self.reader.show_paper(None)
            return
        self.reader.show_paper(paper, self.highlight_terms(),
                               spans=self.highlight(paper.abstract),
                               title_spans=self.highlight(paper.title),
                               summary_spans=self.highlight(paper.ai_summary or ""),
                               keep_position=keep_position)
        ranked, tag = self.interest_view()
        why = None
        if ranked:
            try:
                found = self.library.why_recommended(paper.id, tag)
                why = found.text(isolate=texts.isolated) if found is not None else None
            except Exception:  # an explanation must never take the pane down
                why = None
        self.reader.set_why(why)

    def reload_current(self, *, keep_position: bool = True) -> None:
        paper_id = self.current_id()
        paper = self.library.get(paper_id) if paper_id is not None else None
        self.show_paper(paper, keep_position=keep_position)

    def update_view_count(self) -> None:
        entry = None if self.search_query else self.sidebar.entry(self.view_key)
        live = entry.count if entry is not None else None
        self.panel.view_count.setText(view_count_text(
            self.model.rowCount(), len(self.model.marked),
            len(self.table.selectionModel().selectedRows()), live))

    def focus_list(self) -> None:
        self.reader.flush_note()
        window = self.panel.window()
        if window.isVisible() and not window.isActiveWindow():
            window.activateWindow()
        target = self.table if self.showing_list() else self.panel.empty_state
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ------------------------------------------------------------ search
    def _search_changed(self, text: str) -> None:
        if not text and self.search_query:
            # Cleared (also by the clear button): back to the sidebar view.
            self.search_timer.stop()
            self.search_query = ""
            self.search_typing = False
            self.sidebar.select_key(self.view_key)
            self.load(select_first=True)

    def run_search(self, *, typing: bool = False) -> None:
        """Run the search box. `typing`: the live search after a pause in typing
        (the unfinished last word also matches as a prefix); otherwise (Enter,
        scripts) every word is whole."""
        self.search_timer.stop()
        raw = self.search.text()
        text = raw.strip()
        typing = typing and bool(text)
        if text == self.search_query and typing == self.search_typing and \
                (not typing or raw == self._typed_text):
            return
        self.view_changed.emit()
        self.reader.flush_note()
        self.search_query = text
        self.search_typing = typing
        self._typed_text = raw
        self.sidebar.select_key(None if text else self.view_key)
        self.load(select_first=True)

    def set_search(self, text: str) -> None:
        """Type a query and run it now (scripts, tests, tag clicks)."""
        self.search.setText(text)
        self.run_search()

    def _sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        if section not in SORT_KEYS and section != -1:
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column, self.model.sort_order)
            header.blockSignals(False)
            return
        keep = self.current_id()
        self.model.sort(section, order)
        self.update_empty_state()
        row = self.model.row_of(keep) if keep is not None else 0
        self.select_row(max(0, row) if self.model.rowCount() else -1)
