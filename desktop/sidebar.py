"""The sidebar: views that are just queries (Inbox, All, tags, saved searches, imports)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from desktop.model import format_date
from desktop.text import balanced_bidi, plain_tooltip
from desktop.theme import LIGHT, Theme
from storage import Library
from storage.states import StateTable

EntryRole = Qt.ItemDataRole.UserRole + 10


@dataclass(frozen=True)
class Entry:
    key: str           # stable id: "inbox", "tag:rl", "saved:Weekly", "source:12"
    label: str
    query: str
    count: int | None = None
    glyph: str = ""
    hint: str = ""     # e.g. the quick-tag digit
    tooltip: str = ""
    header: bool = False
    page: str = ""     # a page of the window instead of a list ("stats")


def header(label: str) -> Entry:
    return Entry(key=f"header:{label}", label=label, query="", header=True)


@dataclass(frozen=True)
class View:
    """A built-in sidebar view: a state's or flag's from the state table, or a fixed one."""

    key: str
    label: str
    query: str
    glyph: str
    count: str | None  # its count's name in Library.stats()


def builtin_views(table: StateTable) -> list[View]:
    """The views at the top of the sidebar: each triage state (For you after the Inbox),
    All papers, each flag, Annotated. Read from the state table, so a new state is a new view."""
    views = [View(s.view, s.label, f"is:{s.is_value}", s.icon, s.name if s.counted else None)
             for s in table.states]
    inbox = table.states[0]
    # The Inbox in the order of the model of the user's decisions (desktop/learner.py).
    views.insert(1, View("foryou", "For you", f"is:{inbox.is_value} sort:interest", "✦",
                         inbox.name))
    views.append(View("all", "All papers", "", "☰", "total"))
    views += [View(f.view, f.label, f"is:{f.is_value}", f.icon, f.name if f.counted else None)
              for f in table.flags]
    views.append(View("annotated", "Annotated", "is:annotated", "✎", "annotated"))
    return views


# The Stats page (desktop/statsview.py): in the sidebar under the views, `g t`.
STATS_ENTRY = Entry("stats", "Statistics", "", None, "▥", tooltip="Triage statistics (g t)",
                    page="stats")


def unknown_state_entry(name: str, count: int) -> Entry:
    """A state the library holds that states.json no longer defines: its papers keep
    it (nothing rewrites a stored state) and are reached here, by the stored name."""
    return Entry(f"unknown:{name}", name, f"is:{name}", count, "?",
                 tooltip=f"State {name!r} is not in states.json any more; its papers "
                         f"keep it until you move them (is:{name})")


def quote_value(value: str) -> str:
    return '"' + value.replace('"', "") + '"'


def tag_view(tag: str) -> tuple[str, str, str]:
    """(key, label, query) of a tag's view."""
    return f"tag:{tag.casefold()}", tag, f"tag:{quote_value(tag)}"


# A tag needs this many papers before its suggestions mean anything (storage.learn).
SUGGEST_MIN = 5


def suggest_view(tag: str) -> tuple[str, str, str]:
    """(key, label, query) of "Suggested for #tag": unread papers not carrying the tag,
    which the Browser orders by the tag's model."""
    return f"suggest:{tag}", f"Suggested for #{tag}", f"is:unread -tag:{quote_value(tag)}"


@dataclass
class LibraryFacts:
    """What the sidebar shows, read from the library in one go."""

    stats: dict[str, int] = field(default_factory=dict)
    tags: list[tuple[str, int]] = field(default_factory=list)
    saved: list[tuple[str, str, int | None]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    unknown: dict[str, int] = field(default_factory=dict)  # states no table defines

    @classmethod
    def read(cls, library: Library) -> LibraryFacts:
        saved = []
        for name, query in library.saved_searches():
            try:
                count: int | None = library.count(query)
            except Exception:  # a saved query the engine now refuses: show it uncounted
                count = None
            saved.append((name, query, count))
        return cls(library.stats(), library.tags(), saved, library.sources(limit=5),
                   library.unknown_states())


_PASTED = re.compile(r"clipboard (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})(?::\d{2})?")


def listing_label(source: dict, today: date | None = None) -> str:
    """A listing as people name it: its date, "Pasted …", "Sample listing 2", else its
    file name (never a bare content hash)."""
    name = str(source.get("name") or "")
    pasted = _PASTED.fullmatch(name)
    if pasted:
        # As short as the day allows ("Pasted 22:18" today, "Pasted Nov 30" this
        # year): "Pasted 2026-11-30 22:18:33" was cut to "Pasted 2026-1…" in the
        # sidebar; the whole name is in the entry's tooltip.
        day = date.fromisoformat(pasted.group(1))
        today = today or date.today()
        if day == today:
            return f"Pasted {pasted.group(2)}"
        shown = format_date(day.isoformat())
        return f"Pasted {shown.rsplit(',', 1)[0] if day.year == today.year else shown}"
    if name.startswith("clipboard"):
        return "Pasted " + name[len("clipboard"):].strip()
    if source.get("listing_date"):
        return format_date(source["listing_date"])
    number = sample_number(name)
    if number is not None:
        return f"Sample listing {number}"
    return name.removesuffix(".txt")


_SAMPLE = re.compile(r"(\d{3})_[0-9a-f]{16}\.txt")


def sample_number(name: str) -> int | None:
    """Which of the bundled sample listings a source's file is (1-based), by its
    name ("001_2386f24fa6d6a846.txt" is the second); None for any other file."""
    sample = _SAMPLE.fullmatch(name)
    return int(sample.group(1)) + 1 if sample else None


def sidebar_entries(facts: LibraryFacts, views: Sequence[View],
                    quick_tags: Mapping[int, str] | Sequence[str] = ()) -> list[Entry]:
    """The sidebar as a function of the library's facts: views, tags, saved searches
    and recent imports, each with its count."""
    entries: list[Entry] = [header("Library")]
    # States only the library still has (the window's own table may still know one
    # that states.json dropped while the app runs: that one keeps its view).
    unknown = [unknown_state_entry(name, count) for name, count in facts.unknown.items()
               if name not in {view.key for view in views}]
    for view in views:
        if view.key == "all":  # after the states
            entries += unknown
        count = facts.stats.get(view.count) if view.count else None
        entries.append(Entry(view.key, view.label, view.query, count, view.glyph))
    entries.append(STATS_ENTRY)
    # Key -> tag (the stored keys), or tags in key order from 1.
    pairs = quick_tags.items() if isinstance(quick_tags, Mapping) else \
        enumerate(quick_tags, start=1)
    quick = {name.casefold(): str(n) for n, name in pairs}
    if facts.tags:
        entries.append(header("Tags"))
        for name, count in facts.tags:
            key, label, query = tag_view(name)
            entries.append(Entry(key, label, query, count, "#",
                                 hint=quick.get(name.casefold(), ""), tooltip=f"tag:{name}"))
    suggested = [(name, count) for name, count in facts.tags if count >= SUGGEST_MIN]
    if suggested:
        entries.append(header("Suggested"))
        for name, _count in suggested:
            key, label, query = suggest_view(name)
            entries.append(Entry(key, label, query, None, "✦",
                                 tooltip=f"Unread papers like the ones tagged {name}"))
    if facts.saved:
        entries.append(header("Saved searches"))
        for name, query, count in facts.saved:
            entries.append(Entry(f"saved:{name}", name, query, count, "⌕", tooltip=query))
    if facts.sources:
        entries.append(header("Recent imports"))
        for source in facts.sources:
            name = source["name"]
            label = listing_label(source)
            tooltip, glyph = f"{name}\n{source['path']}", "⤓"
            if source.get("status") == "interrupted":
                # Cut short by a crash: what is left of it are the papers the user
                # had acted on meanwhile (attack N10: they said where they came from).
                label, glyph = label + " (interrupted)", "⚠"
                tooltip += ("\nInterrupted: taken back but for the papers you had acted "
                            "on meanwhile")
            entries.append(Entry(f"source:{source['id']}", label,
                                 f"source:{quote_value(name)}", source.get("found"), glyph,
                                 tooltip=tooltip))
    return entries


class SidebarDelegate(QStyledItemDelegate):
    ROW = 30
    HEADER = 34

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        entry: Entry | None = index.data(EntryRole)
        height = self.HEADER if entry is not None and entry.header else self.ROW
        return QSize(option.rect.width(), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        entry: Entry | None = index.data(EntryRole)
        if entry is None:
            return
        c = self.theme.colour
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(8, 1, -8, -1)
        base = QFont(option.font)
        if entry.header:
            self._paint_header(painter, rect, base, entry)
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c("selection"))
            painter.drawRoundedRect(rect, 7, 7)
        elif hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c("hover"))
            painter.drawRoundedRect(rect, 7, 7)
        glyph_rect = QRect(rect.left() + 8, rect.top(), 20, rect.height())
        glyph_font = QFont(base)
        glyph_font.setPixelSize(13)
        painter.setFont(glyph_font)
        painter.setPen(c("accent") if selected else c("faint"))
        painter.drawText(glyph_rect, Qt.AlignmentFlag.AlignCenter, entry.glyph)

        right = self._paint_count_and_hint(painter, rect, base, entry, selected)

        label_font = QFont(base)
        label_font.setPixelSize(13)
        if selected:
            label_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(label_font)
        painter.setPen(c("text"))
        label_rect = QRect(glyph_rect.right() + 6, rect.top(), right - glyph_rect.right() - 8,
                           rect.height())
        label = painter.fontMetrics().elidedText(balanced_bidi(entry.label),
                                                 Qt.TextElideMode.ElideRight,
                                                 label_rect.width())
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         label)
        painter.restore()

    def _paint_header(self, painter: QPainter, rect: QRect, base: QFont, entry: Entry) -> None:
        font = QFont(base)
        font.setPixelSize(11)
        font.setWeight(QFont.Weight.DemiBold)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 0.6)
        painter.setFont(font)
        painter.setPen(self.theme.colour("faint"))
        painter.drawText(rect.adjusted(8, 10, -8, 0),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         entry.label.upper())

    def _paint_count_and_hint(self, painter: QPainter, rect: QRect, base: QFont, entry: Entry,
                              selected: bool) -> int:
        """Draw the count and the quick-key hint at the right; return where the label ends."""
        c = self.theme.colour
        count_text = "" if entry.count is None else f"{entry.count:,}"
        count_font = QFont(base)
        count_font.setPixelSize(11)
        painter.setFont(count_font)
        count_width = painter.fontMetrics().horizontalAdvance(count_text) if count_text else 0
        right = rect.right() - 8
        if count_text:
            count_rect = QRect(right - count_width, rect.top(), count_width, rect.height())
            painter.setPen(c("accent") if selected else c("secondary"))
            painter.drawText(count_rect,
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             count_text)
            right -= count_width + 8
        if entry.hint:
            # The quick-tag key as a keycap, legible enough to be read as "press 3".
            hint_width = 17
            hint_rect = QRect(right - hint_width, rect.top() + 6, hint_width, rect.height() - 12)
            painter.setPen(QPen(c("secondary"), 1))
            painter.setBrush(c("base"))
            painter.drawRoundedRect(hint_rect, 4, 4)
            painter.setPen(c("text"))
            painter.drawText(hint_rect, Qt.AlignmentFlag.AlignCenter, entry.hint)
            right -= hint_width + 6
        return right


class Sidebar(QListWidget):
    """Emits `activated_entry` when the user picks a view."""

    activated_entry = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.delegate = SidebarDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setUniformItemSizes(False)
        self.setProperty("winnowMode", "normal")
        self._entries: dict[str, QListWidgetItem] = {}
        self._updating = False
        self.currentItemChanged.connect(self._on_current)

    def set_theme(self, theme: Theme) -> None:
        self.delegate.theme = theme
        self.viewport().update()

    def set_entries(self, entries: list[Entry], current_key: str | None) -> None:
        """Replace the entries, keeping the current one selected, without signals."""
        self._updating = True
        try:
            self.clear()
            self._entries.clear()
            for entry in entries:
                item = QListWidgetItem()
                item.setData(EntryRole, entry)
                if entry.tooltip:
                    item.setToolTip(plain_tooltip(entry.tooltip))
                if entry.header:
                    item.setFlags(Qt.ItemFlag.NoItemFlags)
                else:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    self._entries[entry.key] = item
                self.addItem(item)
            self.select_key(current_key)
        finally:
            self._updating = False

    def entry(self, key: str) -> Entry | None:
        item = self._entries.get(key)
        return item.data(EntryRole) if item is not None else None

    def entries(self) -> list[Entry]:
        return [item.data(EntryRole) for item in self._entries.values()]

    def select_key(self, key: str | None) -> None:
        was = self._updating
        self._updating = True
        try:
            item = self._entries.get(key) if key else None
            if item is None:
                self.clearSelection()
                self.setCurrentItem(None)
            else:
                self.setCurrentItem(item)
                self.scrollToItem(item)
        finally:
            self._updating = was

    def _on_current(self, current: QListWidgetItem | None, _previous) -> None:
        if self._updating or current is None:
            return
        entry = current.data(EntryRole)
        if entry is not None and not entry.header:
            self.activated_entry.emit(entry)

    def sizeHint(self) -> QSize:
        return QSize(220, 400)

