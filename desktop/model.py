"""The paper list's model: holds the ids a search returned, fetches rows in pages.

Like Anki's browser table, the model never loads what is not on screen: `rowCount`
and `flags` touch no database, `data` fetches the page a row belongs to through
`Library.rows` (no abstracts) into a cache, and a repaint after a change drops just
the changed rows from the cache. `data` never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from desktop.text import balanced_bidi, isolated, plain_tooltip
from storage import Library, LibraryError, PaperRow
from storage.query import parse
from storage.states import BUILTIN_STATES, StateTable

log = logging.getLogger(__name__)

COL_READ, COL_STAR, COL_TITLE, COL_TAGS, COL_DATE, COL_UPVOTES, COL_BYLINE = range(7)
HEADERS = ("", "", "Title", "Tags", "Date", "Upvotes", "Org / authors")
HEADER_TIPS = ("Triage state", "Starred", "Title", "Tags",
               "Published (in grey italics: the day of the listing it came in, when the "
               "listing gave no date)", "Upvotes on the listing",
               "Organisation or number of authors")
# Columns whose order the search engine produces (`sort:` keys) and the direction it
# produces them in; the other direction is the same ids reversed.
SORT_KEYS = {COL_TITLE: "title", COL_DATE: "date", COL_UPVOTES: "upvotes"}
NATURAL_ORDER = {COL_TITLE: Qt.SortOrder.AscendingOrder,
                 COL_DATE: Qt.SortOrder.DescendingOrder,
                 COL_UPVOTES: Qt.SortOrder.DescendingOrder}

PaperIdRole = Qt.ItemDataRole.UserRole + 1
TagsRole = Qt.ItemDataRole.UserRole + 2
MarkedRole = Qt.ItemDataRole.UserRole + 3
ReadRole = Qt.ItemDataRole.UserRole + 4
StarredRole = Qt.ItemDataRole.UserRole + 5
NotesRole = Qt.ItemDataRole.UserRole + 6  # "❝" highlights, "✎" a note

_ROOT = QModelIndex()
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


@dataclass(frozen=True, slots=True)
class _Line:
    """One cached row with its display strings made once (data() does no work)."""

    row: PaperRow
    texts: tuple[str, ...]
    tooltip: str
    state_label: str
    listed_only: bool  # the Date column shows the listing's day, not a publication date


def _line(row: PaperRow, table: StateTable) -> _Line:
    # The state's mark and name from the state table: a renamed or added state shows
    # its own; one no table knows any more (removed from states.json) shows its name.
    state = table.get(row.state)
    # Listing text painted alone in its cell keeps only the bidi controls it closes
    # itself (an open U+202E turned the title and its ellipsis around); joined tags
    # are each isolated from the commas between them.
    texts = (
        state.mark if state is not None else "•",
        "★" if row.starred else "",
        balanced_bidi(row.title),
        ", ".join(map(isolated, row.tags)),
        format_date(row.published or row.listed),
        "" if row.upvotes is None else str(row.upvotes),
        balanced_bidi(row.byline),
    )
    return _Line(row, texts, plain_tooltip(row.title),
                 state.label if state is not None else row.state,
                 not row.published and bool(row.listed))


class PaperTableModel(QAbstractTableModel):
    PAGE = 200
    MAX_CACHED = 20_000
    # A ranked view (For you, Suggested for #tag) puts this many ids in order at
    # first and more as rows past them are asked for (scrolling, End, select all):
    # ordering all of a 1M Inbox took 250 ms on the GUI thread at every load.
    HEAD = 1_000

    def __init__(self, library: Library, parent=None) -> None:
        super().__init__(parent)
        self.library = library
        self._ids: list[int] = []  # the rows put in order so far (all, unless ranked)
        self._total = 0  # rows in the view
        # The first n ids of a ranked view's order, while some are still to be ordered.
        self._order: Callable[[int], list[int]] | None = None
        self._index: dict[int, int] | None = None
        self._cache: dict[int, _Line] = {}
        self.marked: set[int] = set()
        # The triage states (the window's table) and each one's mark colour (its theme).
        self.states = StateTable(BUILTIN_STATES)
        self.state_colours: dict[str, QColor] = {}
        self.query = ""
        self.typing = False
        self.sort_column = -1
        self.sort_order = Qt.SortOrder.DescendingOrder
        self.result = None
        self.error: str | None = None
        # Orders the ids of a view in its natural order (no column sort), the first
        # `head` of them: "Suggested for #tag" uses the tag's model (set by the Browser).
        self.reorder: Callable[[list[int], int], list[int]] | None = None
        # Counters that tests and the benchmark read: how much did we fetch?
        self.rows_calls = 0
        self.rows_fetched = 0
        self.index_builds = 0  # id-to-row dicts made (row_of)
        self.orderings = 0  # times a ranked view's order was asked for
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)
        self.colours = {
            "accent": QColor("#3b6fe0"),
            "secondary": QColor("#6b7280"),
            "faint": QColor("#9aa0ab"),
            "star": QColor("#e0a100"),
            "marked": QColor(59, 111, 224, 40),
        }

    # ------------------------------------------------------------- the ids
    def set_query(self, query: str, *, typing: bool = False) -> None:
        """Run `query` (in the current sort) and show its ids. `typing`: the live
        search while a word is being typed (Library.search)."""
        self.query = query
        self.typing = typing
        self._run()

    def _search(self, limit: int | None = None):
        return self.library.search(self.query, limit=limit, sort=SORT_KEYS.get(self.sort_column),
                                   typing=self.typing)

    def _ranked(self):
        """(result, the first ids in order, how many in all, the order's head
        function) of a view ranked by a model, else None."""
        if self.sort_column in SORT_KEYS:
            return None
        reorder = self.reorder
        if reorder is not None:
            result = self._search()
            pool = list(result.ids)
            return result, reorder(pool, self.HEAD), len(pool), \
                lambda n: reorder(pool, n)
        if parse(self.query, typing=self.typing).sort != "interest":
            return None
        # The Library cuts a page of `sort:interest` after ordering only its head.
        query, typing = self.query, self.typing
        result = self._search(self.HEAD)
        total = result.total if result.total is not None else len(result.ids)
        return result, list(result.ids), total, \
            lambda n: list(self.library.search(query, limit=n, typing=typing).ids)

    def _run(self) -> None:
        order = None
        try:
            ranked = self._ranked()
            if ranked is not None:
                result, ids, total, order = ranked
            else:
                result = self._search()
                ids = list(result.ids)
                total = len(ids)
            self.error = result.error  # the search failed: say so, not "no papers"
        except LibraryError as error:
            result, ids, total, self.error = None, [], 0, str(error)
        except Exception as error:  # the search engine must never take the list down
            log.exception("search failed")
            result, ids, total, self.error = None, [], 0, f"search failed: {error}"
        if self.sort_column in SORT_KEYS and \
                self.sort_order != NATURAL_ORDER[self.sort_column]:
            ids.reverse()
        self.beginResetModel()
        self.result = result
        self._ids = ids
        self._total = max(total, len(ids))
        self._order = order if len(ids) < self._total else None
        self._index = None
        self._cache.clear()
        if self.marked:
            present = set(self.ids)  # every row's id: the picks still in the view
            self.marked = {i for i in self.marked if i in present}
        self.endResetModel()

    def _extend(self, rows: int) -> None:
        """Put at least the first `rows` ids of a ranked view in order (a page more,
        or twice as many as before: a scroll to the end asks a few times, not
        once a page)."""
        order = self._order
        if order is None or rows <= len(self._ids):
            return
        have = len(self._ids)
        want = min(self._total, max(rows + self.PAGE, 2 * have))
        self.orderings += 1
        try:
            head = order(want)
        except Exception:  # a vanished file or a locked db: blanks, not a crash
            log.exception("ordering more rows failed")
            self._order = None
            return
        if head[:have] == self._ids:
            more = head[have:]
        else:  # the model was retrained meanwhile: keep the rows shown where they are
            seen = set(self._ids)
            more = [i for i in head if i not in seen]
        self._ids.extend(more)
        self._index = None
        if len(self._ids) >= self._total or not more:
            self._order = None

    @property
    def ids(self) -> Sequence[int]:
        """Every row's id, in order (a ranked view puts the rest in order first)."""
        self._extend(self._total)
        return self._ids

    @property
    def ordered_rows(self) -> int:
        """How many rows have their place in the order (all, unless ranked)."""
        return len(self._ids)

    def id_at(self, row: int) -> int | None:
        if row >= len(self._ids):
            self._extend(row + 1)
        if 0 <= row < len(self._ids):
            return self._ids[row]
        return None

    def row_of(self, paper_id: int, near: int = -1, *, ordered_only: bool = False) -> int:
        """The row showing `paper_id` (-1: none). `near` is a row to try first: the
        id-to-row dict is made once per query result, but at 800k ids that once is
        70 ms, which the current row (the usual changed paper) never needs to pay.
        A paper past a ranked view's ordered head is found by ordering the rest
        (a jump to it, the paper kept after a retrain), unless `ordered_only`."""
        if 0 <= near < len(self._ids) and self._ids[near] == paper_id:
            return near
        if self._index is None:
            self.index_builds += 1
            self._index = {pid: n for n, pid in enumerate(self._ids)}
        row = self._index.get(paper_id, -1)
        if row < 0 and self._order is not None and not ordered_only:
            self._extend(self._total)
            return self.row_of(paper_id, ordered_only=True)
        return row

    def paper_row(self, row: int) -> PaperRow | None:
        line = self._line(row)
        return line.row if line else None

    # -------------------------------------------------------------- caching
    def _fetch(self, ids: Sequence[int]) -> dict[int, _Line]:
        self.rows_calls += 1
        try:
            rows = self.library.rows(ids)
        except Exception:  # a vanished file or a locked db: show blanks, not a crash
            log.exception("fetching rows failed")
            return {}
        self.rows_fetched += len(rows)
        return {pid: _line(r, self.states) for pid, r in rows.items()}

    def _line(self, row: int) -> _Line | None:
        paper_id = self.id_at(row)
        if paper_id is None:
            return None
        line = self._cache.get(paper_id)
        if line is None:
            self._extend(min(self._total, row - row % self.PAGE + self.PAGE))
            if len(self._cache) > self.MAX_CACHED:
                self._cache.clear()
            start = row - row % self.PAGE
            page = [pid for pid in self._ids[start:start + self.PAGE] if pid not in self._cache]
            self._cache.update(self._fetch(page))
            line = self._cache.get(paper_id)
        return line

    @property
    def cached_rows(self) -> int:
        return len(self._cache)

    def refresh_ids(self, paper_ids: Iterable[int], near: int = -1) -> None:
        """Drop changed papers from the cache and repaint their rows (`near`: see row_of)."""
        rows = []
        for paper_id in paper_ids:
            self._cache.pop(paper_id, None)
            # A row not yet ordered is not painted either: nothing to repaint.
            row = self.row_of(paper_id, near, ordered_only=True)
            if row >= 0:
                rows.append(row)
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0),
                                  self.index(max(rows), self.columnCount() - 1))

    def refresh_all(self) -> None:
        self._cache.clear()
        if self._total:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self._total - 1, self.columnCount() - 1))

    def toggle_mark(self, paper_id: int) -> bool:
        if paper_id in self.marked:
            self.marked.discard(paper_id)
            marked = False
        else:
            self.marked.add(paper_id)
            marked = True
        self.refresh_ids([paper_id])
        return marked

    def set_marked(self, paper_ids: Iterable[int]) -> None:
        before = self.marked
        self.marked = set(paper_ids)
        changed = before ^ self.marked
        if len(changed) > 500:
            self.refresh_all()
        else:
            self.refresh_ids(changed)

    # ---------------------------------------------------------- Qt's model
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if section == COL_UPVOTES:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        try:
            return self._data(index.row(), index.column(), role)
        except Exception:  # data() must never raise into Qt's painting
            log.exception("data() failed")
            return None

    def _data(self, row: int, column: int, role: int):
        if not 0 <= column < len(HEADERS):
            return None
        if role == PaperIdRole:
            return self.id_at(row)
        if role == MarkedRole:
            return self.id_at(row) in self.marked
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ForegroundRole,
                        Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.BackgroundRole,
                        TagsRole, ReadRole, StarredRole, NotesRole):
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (COL_READ, COL_STAR):
                return int(Qt.AlignmentFlag.AlignCenter)
            if column == COL_UPVOTES:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.colours["marked"] if self.id_at(row) in self.marked else None
        line = self._line(row)
        if line is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            # A picked row keeps its unread dot; the delegate marks the pick.
            return line.texts[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_TITLE:
                return line.tooltip
            if column == COL_READ:
                return line.state_label
            if column == COL_DATE and line.listed_only:
                return f"No publication date; in the listing of {line.texts[COL_DATE]}"
            return None
        if role == Qt.ItemDataRole.FontRole:
            if column == COL_DATE and line.listed_only:
                return self._italic
            return self._bold if not line.row.read and column == COL_TITLE else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_READ:
                return self.state_colours.get(line.row.state, self.colours["secondary"])
            if column == COL_STAR:
                return self.colours["star"]
            if column == COL_DATE and line.listed_only:
                return self.colours["faint"]
            if column in (COL_DATE, COL_UPVOTES, COL_BYLINE):
                return self.colours["secondary"]
            return None
        if role == TagsRole:
            return list(line.row.tags)
        if role == NotesRole:
            return ("❝" if line.row.annotated else "") + ("✎" if line.row.has_note else "")
        if role == ReadRole:
            return line.row.read
        if role == StarredRole:
            return line.row.starred
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column not in SORT_KEYS and column != -1:
            return
        if column == self.sort_column and order == self.sort_order:
            return
        self.sort_column, self.sort_order = column, order
        self._run()
