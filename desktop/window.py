"""The main window: sidebar | paper list | reading pane, driven by commands.

Every action is a `@command` method here; `CommandRegistry.collect(self)` turns
them into the registry that the key parser, the menus, the palette and the cheat
sheet read. Keys reach the parser through one application event filter
(`KeyDispatcher`); no widget binds a shortcut of its own.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QElapsedTimer,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSettings,
    Qt,
    QTimer,
    QUrl,
    QUrlQuery,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop import theme as themes
from desktop.commands import Command, CommandRegistry, command
from desktop.delegates import PaperDelegate, TagsDelegate
from desktop.dialogs import (
    CheatSheet,
    Choice,
    CommandPalette,
    CommentDialog,
    GoToPaper,
    SimilarPapers,
    TagDialog,
    plain_label,
)
from desktop.importer import ImportRunner
from desktop.keys import (
    Keymap,
    KeyParser,
    config_dir,
    keys_file,
    load_overrides,
    write_template,
)
from desktop.model import (
    COL_BYLINE,
    COL_DATE,
    COL_READ,
    COL_STAR,
    COL_TAGS,
    COL_TITLE,
    COL_UPVOTES,
    SORT_KEYS,
    PaperTableModel,
    format_date,
)
from desktop.reader import ReaderPane
from desktop.sidebar import Entry, Sidebar, header
from storage import Library, LibraryError, Paper, sample_listings
from storage.search import corrected_query, highlight_spans

log = logging.getLogger(__name__)

COLOUR_NAMES = themes.ANNOTATION_COLOURS
SEARCH_DELAY_MS = 150
POLL_MS = 1500
# The sidebar and status-bar counts follow writes after COUNTS_DELAY_MS, and at most once
# per COUNTS_GAP_MS: a brisk triager (4 presses a second) gets two refreshes a second, not
# one per key, each a few queries on the GUI thread.
COUNTS_DELAY_MS = 60
COUNTS_GAP_MS = 500

BUILTIN_VIEWS = (
    # key, label, query, glyph
    ("inbox", "Inbox", "is:unread", "✉"),
    ("all", "All papers", "", "☰"),
    ("starred", "Starred", "is:starred", "★"),
    ("read", "Read", "is:read", "✓"),
    ("annotated", "Annotated", "is:annotated", "✎"),
)
MENUS = ("File", "Edit", "Paper", "Go", "View", "Help")


def quote_value(value: str) -> str:
    return '"' + value.replace('"', "") + '"'


def mode_for(widget: QWidget | None) -> str:
    """Which keymap mode applies while `widget` has the keyboard focus."""
    if widget is None:
        return "normal"
    w: QWidget | None = widget
    while w is not None:
        mode = w.property("winnowMode")
        if mode:
            return str(mode)
        w = w.parentWidget()
    if isinstance(widget, (QLineEdit, QAbstractSpinBox, QComboBox)):
        return "insert"
    if isinstance(widget, (QTextEdit, QPlainTextEdit)) and not widget.isReadOnly():
        return "insert"
    return "normal"


class KeyDispatcher(QObject):
    """The one place key presses are looked at: feeds the parser for the main window."""

    def __init__(self, window: MainWindow, parser: KeyParser) -> None:
        super().__init__(window)
        self.window = window
        self.parser = parser

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(obj, QWidget):
            return False
        focus = QApplication.focusWidget()
        target = focus if focus is not None else self.window
        if obj is not target or target.window() is not self.window:
            return False
        return self.parser.feed_event(event, mode_for(target))


class PaperTable(QTableView):
    def keyboardSearch(self, search: str) -> None:
        """Letters are commands here, not type-ahead."""


class MainWindow(QMainWindow):
    # Emitted after every write the window made or saw (ids of changed papers).
    library_changed = Signal(object)

    def __init__(self, library: Library, *, settings: QSettings | None = None,
                 config: Path | None = None, interactive: bool = True) -> None:
        super().__init__()
        self.library = library
        self.settings = settings
        self.interactive = interactive
        self.config_dir = config or config_dir()
        self.url_opener: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.theme_override: str | None = None
        if settings is not None:
            value = settings.value("theme", "")
            self.theme_override = str(value) if value in ("light", "dark") else None
        self.theme = themes.choose(self.theme_override)
        self.setWindowTitle("Winnow")
        self.setWindowIcon(themes.app_icon())
        self.setAcceptDrops(True)

        # State of the list: a sidebar view or a search.
        self.view_key = "inbox"
        self.view_label = "Inbox"
        self.view_query = "is:unread"
        self.search_query = ""
        self.highlight_colour = COLOUR_NAMES[0]
        self._last_data_version = self._data_version()
        self._loading = False
        self._shown = 0  # reading-pane renders of the current paper (see _select_row)
        self._stats: dict[str, int] = {}

        # Commands, keys.
        self.registry = CommandRegistry()
        self.registry.collect(self)
        self._add_numbered_commands()
        self.keys_path = keys_file(self.config_dir)
        bindings, self.user_settings, warnings = load_overrides(self.keys_path)
        self.keymap = Keymap.build(self.registry.defaults(), bindings)
        self.key_warnings = warnings + self.keymap.warnings
        self.parser = KeyParser(self.keymap, self)
        self.parser.matched.connect(self.run_command)
        self.dispatcher = KeyDispatcher(self, self.parser)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.dispatcher)

        self.importer = ImportRunner(self, Path(library.path))
        self.importer.show_dialogs = interactive
        self.importer.message.connect(self.flash)
        self.importer.done.connect(self._import_done)

        self._build_ui()
        self._build_menus()
        self.parser.pending_changed.connect(self._show_pending)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._run_search)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._counts_clock = QElapsedTimer()  # since the last refresh_counts
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_MS)
        self._poll_timer.timeout.connect(self._poll)
        self._poll_timer.start()

        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._system_scheme_changed)
        self.apply_theme()
        self._load_view(select_first=True)
        self.refresh_counts()
        if settings is not None:
            self._restore_state()
        if self.key_warnings:
            self.flash("; ".join(self.key_warnings[:3]))

    # ================================================================ UI
    def _build_ui(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        # Top bar: brand, search, a few buttons for mouse users.
        top = QFrame()
        top.setObjectName("topbar")
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(16, 10, 12, 10)
        top_layout.setSpacing(10)
        brand_icon = QLabel()
        brand_icon.setTextFormat(Qt.TextFormat.PlainText)
        brand_icon.setPixmap(themes.app_icon().pixmap(22, 22))
        brand = plain_label("Winnow", "brand")
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setProperty("winnowMode", "search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(
            'Search titles, abstracts, notes — "phrases", -exclude, tag:rl, is:starred   ( / )')
        self.search.textEdited.connect(self._search_edited)
        self.search.textChanged.connect(self._search_changed)
        self.search_icon = self.search.addAction(
            themes.search_icon(self.theme), QLineEdit.ActionPosition.LeadingPosition)
        import_button = QPushButton("Import…")
        import_button.setObjectName("topButton")
        import_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        import_button.clicked.connect(lambda: self.run_command("import.files"))
        palette_button = QPushButton("Commands  Ctrl+K")
        palette_button.setObjectName("topButton")
        palette_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        palette_button.clicked.connect(lambda: self.run_command("app.palette"))
        top_layout.addWidget(brand_icon)
        top_layout.addWidget(brand)
        top_layout.addSpacing(64)
        top_layout.addWidget(self.search, 1)
        top_layout.addSpacing(8)
        top_layout.addWidget(import_button)
        top_layout.addWidget(palette_button)
        outer.addWidget(top)

        # Sidebar.
        self.sidebar = Sidebar()
        self.sidebar.activated_entry.connect(self._entry_activated)

        # List panel: header, correction line, table or empty state.
        list_panel = QWidget()
        list_panel.setObjectName("listPanel")
        list_layout = QVBoxLayout(list_panel)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.setSpacing(0)
        list_header = QFrame()
        list_header.setObjectName("listHeader")
        header_layout = QVBoxLayout(list_header)
        header_layout.setContentsMargins(18, 12, 18, 10)
        header_layout.setSpacing(6)
        title_row = QHBoxLayout()
        title_row.setSpacing(10)
        self.view_title = plain_label("Inbox", "viewTitle")
        self.view_count = plain_label("", "viewCount")
        title_row.addWidget(self.view_title)
        title_row.addWidget(self.view_count, 0, Qt.AlignmentFlag.AlignBottom)
        title_row.addStretch(1)
        self.correction = plain_label("", "correction", wrap=True)
        self.correction.hide()
        header_layout.addLayout(title_row)
        header_layout.addWidget(self.correction)
        list_layout.addWidget(list_header)

        self.model = PaperTableModel(self.library, self)
        self.table = PaperTable()
        self.table.setObjectName("paperList")
        self.table.setProperty("winnowMode", "normal")
        self.table.setModel(self.model)
        self._setup_table()
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.empty_state = self._build_empty_state()
        self.list_stack.addWidget(self.empty_state)
        list_layout.addWidget(self.list_stack, 1)

        # Reading pane.
        self.reader = ReaderPane()
        self.reader.note_edited.connect(self._save_note)
        self.reader.tag_clicked.connect(self._show_tag)
        self.reader.abstract.annotation_under_caret.connect(self._annotation_under_caret)
        self.reader.annotation_list.itemActivated.connect(
            lambda _item: self.run_command("annotation.jump"))

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(1)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(list_panel)
        self.splitter.addWidget(self.reader)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([196, 664, 420])
        self.sidebar.setMinimumWidth(160)
        list_panel.setMinimumWidth(320)
        self.reader.setMinimumWidth(300)
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        status = self.statusBar()
        status.setSizeGripEnabled(False)
        self.pending_label = plain_label("", "pendingKeys")
        self.counts_label = plain_label("", "counts")
        status.addPermanentWidget(self.pending_label)
        status.addPermanentWidget(self.counts_label)
        self.resize(1280, 800)

    def _setup_table(self) -> None:
        table = self.table
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        vertical = table.verticalHeader()
        vertical.hide()
        # Fixed row height: never ResizeToContents (35 s to first paint at 100k rows).
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(34)
        horizontal = table.horizontalHeader()
        horizontal.setHighlightSections(False)
        horizontal.setStretchLastSection(False)
        horizontal.setResizeContentsPrecision(50)
        horizontal.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        horizontal.setMinimumSectionSize(24)
        for column, width in ((COL_READ, 26), (COL_STAR, 24)):
            horizontal.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            horizontal.resizeSection(column, width)
        horizontal.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((COL_TAGS, 92), (COL_DATE, 100), (COL_UPVOTES, 36),
                              (COL_BYLINE, 92)):
            horizontal.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            horizontal.resizeSection(column, width)
        horizontal.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        horizontal.setSortIndicatorShown(True)
        horizontal.setSectionsClickable(True)
        horizontal.sortIndicatorChanged.connect(self._sort_changed)
        self.paper_delegate = PaperDelegate(table)
        self.paper_delegate.terms = self._highlight_terms
        table.setItemDelegate(self.paper_delegate)
        self.tags_delegate = TagsDelegate(table)
        table.setItemDelegateForColumn(COL_TAGS, self.tags_delegate)
        table.selectionModel().currentRowChanged.connect(self._current_changed)
        table.selectionModel().selectionChanged.connect(lambda *_: self._update_view_count())

    def _build_empty_state(self) -> QWidget:
        page = QWidget()
        page.setObjectName("emptyState")
        page.setProperty("winnowMode", "normal")
        page.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(40, 40, 40, 80)
        layout.addStretch(1)
        self.empty_glyph = plain_label("✓", "emptyGlyph")
        self.empty_title = plain_label("All caught up", "emptyTitle")
        self.empty_text = plain_label("", "emptyText", wrap=True)
        self.empty_glyph.setFixedSize(72, 72)
        self.empty_glyph.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty_glyph, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(14)
        for label in (self.empty_title, self.empty_text):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            layout.addWidget(label)
        layout.addSpacing(2)
        layout.addSpacing(16)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.samples_button = QPushButton("Import sample listings")
        self.samples_button.setObjectName("primary")
        self.samples_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.samples_button.clicked.connect(lambda: self.run_command("import.samples"))
        self.files_button = QPushButton("Import files…")
        self.files_button.setObjectName("secondary")
        self.files_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.files_button.clicked.connect(lambda: self.run_command("import.files"))
        buttons.addWidget(self.samples_button)
        buttons.addWidget(self.files_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(2)
        return page

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menus: dict[str, QMenu] = {}
        self.menu_actions: dict[str, QAction] = {}
        for name in MENUS:
            menu = bar.addMenu(f"&{name}")
            menu.aboutToShow.connect(functools.partial(self._update_menu, name))
            self.menus[name] = menu
        for cmd in self.registry:
            if cmd.menu is None:
                continue
            menu = self.menus[cmd.menu]
            action = QAction(self._menu_text(cmd), self)
            # Keys are shown after a tab, not set as QAction shortcuts: the keymap
            # is the only thing that binds keys, so menus never steal them.
            action.triggered.connect(functools.partial(self.run_command, cmd.id))
            menu.addAction(action)
            self.menu_actions[cmd.id] = action

    def _menu_text(self, cmd: Command) -> str:
        keys = self.keymap.keys_for(cmd.id)
        title = cmd.title.replace("&", "&&")
        return f"{title}\t{keys[0]}" if keys else title

    def _update_menu(self, name: str) -> None:
        for cmd_id, action in self.menu_actions.items():
            cmd = self.registry[cmd_id]
            if cmd.menu == name:
                action.setEnabled(cmd.is_enabled())

    def _add_numbered_commands(self) -> None:
        for digit in range(1, 10):
            self.registry.add(Command(
                f"tag.quick.{digit}", f"Toggle quick tag {digit}",
                functools.partial(self.toggle_quick_tag, digit), keys=(str(digit),),
                mode="normal", enabled_when=self.has_targets, group="Triage"))
        for digit, colour in enumerate(COLOUR_NAMES, start=1):
            self.registry.add(Command(
                f"caret.colour.{digit}", f"Highlight in {colour}",
                functools.partial(self.highlight_in, colour), keys=(str(digit),),
                mode="caret", enabled_when=self.has_paper, group="Highlights"))
            self.registry.add(Command(
                f"annotation.colour.{digit}", f"Recolour highlight {colour}",
                functools.partial(self.recolour_annotation, colour), keys=(str(digit),),
                mode="annotations", enabled_when=self.has_annotation, group="Highlight list"))

    # ============================================================ theme
    def apply_theme(self) -> None:
        theme = self.theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            themes.apply(app, theme)
        # The style sheet's background leaves the list's viewport see-through, so each
        # one-row scroll (every `r` once the current row is at the bottom) repainted all
        # visible rows: +5 ms a press. Filled with Base (the same colour), Qt scrolls by
        # moving pixels and paints only the rows that changed.
        self.table.viewport().setAutoFillBackground(True)
        self.model.colours.update({
            "accent": theme.colour("accent"), "secondary": theme.colour("secondary"),
            "star": theme.colour("star"), "marked": theme.colour("marked"),
        })
        self.tags_delegate.theme = theme
        self.paper_delegate.theme = theme
        self.search_icon.setIcon(themes.search_icon(theme))
        self.sidebar.set_theme(theme)
        self.reader.set_theme(theme)
        self.model.refresh_all()

    def _system_scheme_changed(self, *_args) -> None:
        if self.theme_override is None:
            self.theme = themes.choose()
            self.apply_theme()

    # ======================================================= predicates
    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or self.list_stack.currentWidget() is not self.table:
            return None
        return self.model.id_at(index.row())

    def has_paper(self) -> bool:
        return self.current_id() is not None

    def targets(self) -> list[int]:
        """What triage applies to: marked papers, else a multi-row selection, else current."""
        if self.model.marked:
            return sorted(self.model.marked, key=self.model.row_of)
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        if len(rows) > 1:
            return [pid for pid in (self.model.id_at(r) for r in rows) if pid is not None]
        current = self.current_id()
        return [current] if current is not None else []

    def has_targets(self) -> bool:
        return bool(self.model.marked) or self.has_paper()

    def has_annotation(self) -> bool:
        return self.reader.annotation_list.current_annotation() is not None

    def has_library_papers(self) -> bool:
        return not self.library.is_empty()

    # ===================================================== running commands
    def run_command(self, command_id: str) -> bool:
        cmd = self.registry.get(command_id)
        if cmd is None:
            self.flash(f"No command {command_id}")
            return False
        if not cmd.is_enabled():
            self.flash(f"{cmd.title}: nothing to apply it to")
            return False
        try:
            cmd.handler()
        except LibraryError as error:
            self.flash(str(error))
            return False
        except Exception as error:
            log.exception("command %s failed", command_id)
            self.flash(f"{cmd.title} failed: {error}")
            return False
        return True

    def flash(self, message: str, timeout: int = 6000) -> None:
        self.statusBar().showMessage(message, timeout)

    def _show_pending(self, keys: str) -> None:
        self.pending_label.setText(f"{keys} …" if keys else "")

    # ==================================================== views and lists
    def _entry_activated(self, entry: Entry) -> None:
        self.show_view(entry.key, entry.label, entry.query)

    def show_view(self, key: str, label: str, query: str, *, focus_list: bool = True) -> None:
        self.reader.flush_note()
        self.view_key, self.view_label, self.view_query = key, label, query
        if self.search.text():
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
        self.search_query = ""
        self._search_timer.stop()
        self.sidebar.select_key(key)
        self._load_view(select_first=True)
        if focus_list:
            self.focus_list()

    def _show_builtin(self, key: str) -> None:
        for view_key, label, query, _glyph in BUILTIN_VIEWS:
            if view_key == key:
                self.show_view(view_key, label, query)
                return

    def _show_tag(self, tag: str) -> None:
        self.show_view(f"tag:{tag.casefold()}", tag, f"tag:{quote_value(tag)}")

    @property
    def active_query(self) -> str:
        return self.search_query if self.search_query else self.view_query

    def _load_view(self, *, select_first: bool = False, keep_id: int | None = None) -> None:
        keep = keep_id if keep_id is not None else (None if select_first else self.current_id())
        self._loading = True
        try:
            self.model.set_query(self.active_query)
        finally:
            self._loading = False
        result = self.model.result
        if self.search_query:
            self.view_title.setText("Search")
        else:
            self.view_title.setText(self.view_label)
        if result is not None and getattr(result, "corrections", None):
            fixed = corrected_query(self.search_query, result.corrections)
            self.correction.setText(f"Showing results for “{fixed}”  ·  "
                                    f"no exact match for “{self.search_query}”")
            self.correction.show()
        elif self.model.error:
            self.correction.setText(self.model.error)
            self.correction.show()
        else:
            self.correction.hide()
        self._update_empty_state()
        row = self.model.row_of(keep) if keep is not None else -1
        if row < 0 and self.model.rowCount() > 0:
            row = 0
        self._select_row(row)
        # A new list does not change the library: only "Showing" moves. Whoever wrote
        # (or saw another process write) refreshes the counts themselves.
        self._update_counts_label()

    def _update_empty_state(self) -> None:
        if self.model.rowCount() > 0:
            if self.list_stack.currentWidget() is not self.table:
                had_focus = self.empty_state.hasFocus()
                self.list_stack.setCurrentWidget(self.table)
                if had_focus:
                    self.table.setFocus()
            return
        library_empty = self.library.is_empty()
        self.samples_button.setVisible(library_empty)
        self.files_button.setVisible(library_empty)
        if library_empty:
            self.empty_glyph.setText("⤓")
            self.empty_title.setText("Your library is empty")
            self.empty_text.setText(
                "Import a Hugging Face Daily Papers page saved as text (Ctrl+I), drop listing "
                "files here, or copy a page in your browser and press Ctrl+V.")
        elif self.search_query:
            self.empty_glyph.setText("⌕")
            self.empty_title.setText("No papers match")
            self.empty_text.setText("Try fewer words, a shorter prefix, or remove a filter.")
        elif self.view_key == "inbox":
            self.empty_glyph.setText("✓")
            self.empty_title.setText("All caught up")
            self.empty_text.setText("Every paper in your inbox is read. Import a new listing "
                                    "with Ctrl+I, or press g a to browse the whole library.")
        else:
            self.empty_glyph.setText("○")
            self.empty_title.setText(f"Nothing in {self.view_label} yet")
            self.empty_text.setText("Press g i to go back to the inbox.")
        had_focus = self.table.hasFocus()
        self.list_stack.setCurrentWidget(self.empty_state)
        if had_focus:
            self.empty_state.setFocus()
        self.reader.show_paper(None)

    def _select_row(self, row: int) -> None:
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
        if self._shown == shown:
            self._show_current()

    def _current_changed(self, *_args) -> None:
        if not self._loading:
            self._show_current()

    def _show_current(self) -> None:
        self._shown += 1
        paper_id = self.current_id()
        paper = self.library.get(paper_id) if paper_id is not None else None
        # The same paper again (a reloaded list around it) keeps its place in the pane.
        shown = self.reader.paper
        same = paper is not None and shown is not None and shown.id == paper.id
        self._show_paper(paper, keep_position=same)
        self._update_view_count()

    def _show_paper(self, paper: Paper | None, *, keep_position: bool = False) -> None:
        if paper is None:
            self.reader.show_paper(None)
            return
        terms = self._highlight_terms()
        spans = highlight_spans(paper.abstract, terms) if terms else []
        title_spans = highlight_spans(paper.title, terms) if terms else []
        self.reader.show_paper(paper, terms, spans=spans, title_spans=title_spans,
                               keep_position=keep_position)

    def _highlight_terms(self) -> list[str]:
        """What the search engine matched (corrections and prefixes included)."""
        if not self.search_query or self.model.result is None:
            return []
        return list(self.model.result.terms)

    def _reload_current(self, *, keep_position: bool = True) -> None:
        paper_id = self.current_id()
        paper = self.library.get(paper_id) if paper_id is not None else None
        self._show_paper(paper, keep_position=keep_position)

    def _update_view_count(self) -> None:
        total = self.model.rowCount()
        text = f"{total:,} paper{'s' if total != 1 else ''}"
        marked = len(self.model.marked)
        if marked:
            text += f"  ·  {marked} selected (x)"
        else:
            rows = len(self.table.selectionModel().selectedRows())
            if rows > 1:
                text += f"  ·  {rows} selected"
        self.view_count.setText(text)

    # ------------------------------------------------------------ sidebar
    def quick_tags(self, tags: Sequence[tuple[str, int]] | None = None) -> list[str]:
        """Tags for keys 1-9: keys.json's quick_tags, else the first nine (`tags`: the
        library's tags if already read)."""
        configured = self.user_settings.get("quick_tags")
        if isinstance(configured, list) and all(isinstance(t, str) for t in configured):
            return [" ".join(t.split()) for t in configured if t.strip()][:9]
        return [name for name, _count in (self.library.tags() if tags is None else tags)][:9]

    def refresh_sidebar(self) -> None:
        entries: list[Entry] = [header("Library")]
        try:
            stats = self.library.stats()
        except Exception:
            stats = {}
        counts = {"inbox": stats.get("unread"), "all": stats.get("total"),
                  "starred": stats.get("starred"), "read": stats.get("read"),
                  "annotated": stats.get("annotated")}
        for key, label, query, glyph in BUILTIN_VIEWS:
            entries.append(Entry(key, label, query, counts.get(key), glyph))
        tags = self.library.tags()  # once: 2 ms at 1M papers, each counts refresh
        quick = {name.casefold(): str(n)
                 for n, name in enumerate(self.quick_tags(tags), start=1)}
        if tags:
            entries.append(header("Tags"))
            for name, count in tags:
                entries.append(Entry(f"tag:{name.casefold()}", name, f"tag:{quote_value(name)}",
                                     count, "#", hint=quick.get(name.casefold(), ""),
                                     tooltip=f"tag:{name}"))
        saved = self.library.saved_searches()
        if saved:
            entries.append(header("Saved searches"))
            for name, query in saved:
                try:
                    count = self.library.count(query)
                except Exception:
                    count = None
                entries.append(Entry(f"saved:{name}", name, query, count, "⌕", tooltip=query))
        sources = self.library.sources(limit=5)
        if sources:
            entries.append(header("Recent imports"))
            for source in sources:
                name = source["name"]
                label = (format_date(source["listing_date"]) if source.get("listing_date")
                         else name.removesuffix(".txt"))
                if name.startswith("clipboard"):
                    label = "Pasted " + name[len("clipboard"):].strip()
                entries.append(Entry(f"source:{source['id']}", label,
                                     f"source:{quote_value(name)}", source.get("found"), "⤓",
                                     tooltip=f"{name}\n{source['path']}"))
        current = None if self.search_query else self.view_key
        self.sidebar.set_entries(entries, current)
        self._stats = stats

    def refresh_counts(self) -> None:
        """Read the library's counts into the sidebar and the status bar now."""
        self._counts_timer.stop()  # this is the refresh a pending one would have made
        self._counts_clock.start()
        try:
            self.refresh_sidebar()
        except Exception as error:  # a locked or vanished file: say so, keep running
            log.warning("refreshing counts failed: %s", error)
            self.flash(f"Could not read the library: {error}")
            return
        self._update_counts_label()

    def _update_counts_label(self) -> None:
        stats = self._stats or {}
        self.counts_label.setText(
            f"Inbox {stats.get('unread', 0):,}  ·  Showing {self.model.rowCount():,}  ·  "
            f"Total {stats.get('total', 0):,}")
        self._update_view_count()

    def _schedule_counts(self) -> None:
        """Refresh the counts soon: one pending refresh at a time, COUNTS_GAP_MS apart."""
        if self._counts_timer.isActive():
            return
        since = self._counts_clock.elapsed() if self._counts_clock.isValid() else COUNTS_GAP_MS
        self._counts_timer.start(max(COUNTS_DELAY_MS, COUNTS_GAP_MS - since))

    # ============================================================ search
    def _search_edited(self, _text: str) -> None:
        self._search_timer.start()

    def _search_changed(self, text: str) -> None:
        if not text and self.search_query:
            # Cleared (also by the clear button): back to the sidebar view.
            self._search_timer.stop()
            self.search_query = ""
            self.sidebar.select_key(self.view_key)
            self._load_view(select_first=True)

    def _run_search(self) -> None:
        self._search_timer.stop()
        text = self.search.text().strip()
        if text == self.search_query:
            return
        self.reader.flush_note()
        self.search_query = text
        self.sidebar.select_key(None if text else self.view_key)
        self._load_view(select_first=True)

    def set_search(self, text: str) -> None:
        """Type a query and run it now (scripts, tests, tag clicks)."""
        self.search.setText(text)
        self._run_search()

    @property
    def busy(self) -> bool:
        """True while something will still change the window (for scripted screenshots)."""
        return (self.importer.busy or self._search_timer.isActive()
                or self.reader.note_pending or self._counts_timer.isActive())

    # ============================================================ writes
    def _after_write(self, paper_ids: Sequence[int], *, reload: bool = False,
                     row: int | None = None) -> None:
        """Repaint the changed rows (`row`: where the changed paper likely is, by default
        the current row), and the reading pane if it shows a changed paper (or `reload`);
        the counts follow shortly."""
        current = self.current_id()
        near = self.table.currentIndex().row() if row is None else row
        self.model.refresh_ids(paper_ids, near=near)
        if reload or (current is not None and current in paper_ids):
            self._reload_current()
        self._last_data_version = self._data_version()
        self._schedule_counts()
        self.library_changed.emit(list(paper_ids))

    def _data_version(self) -> int | None:
        try:
            return self.library.data_version()
        except Exception:
            return None

    def _poll(self) -> None:
        """Show other processes' writes (the command line, a second window)."""
        version = self._data_version()
        if version is None or version == self._last_data_version:
            return
        if not self.importer.busy and self._import_elsewhere():
            # Another process is between two batch commits of a big file: keep the
            # old version so the view refreshes once, when the file is in whole.
            return
        self._last_data_version = version
        if self.importer.busy:
            return
        self.refresh_external()

    def _import_elsewhere(self) -> bool:
        try:
            return self.library.import_in_progress()
        except Exception:
            return False

    def refresh_external(self) -> None:
        """Reload the list, the reading pane (keeping its place) and the counts."""
        self.reader.flush_note()
        self._load_view(keep_id=self.current_id())
        self.refresh_counts()

    def _open(self, dialog, *, refocus: QWidget | None = None) -> None:
        """Show a dialog without blocking; give the keyboard back when it closes."""
        back = refocus if refocus is not None else QApplication.focusWidget()

        def restore() -> None:
            if not self.isVisible():
                return
            self.activateWindow()
            focus = QApplication.focusWidget()
            if back is not None and (focus is None or focus.window() is not self):
                back.setFocus(Qt.FocusReason.OtherFocusReason)

        dialog.finished.connect(lambda _code: QTimer.singleShot(0, restore))
        dialog.start() if hasattr(dialog, "start") else dialog.open()

    # ======================================================== commands
    # ---- moving
    @command("list.next", "Next paper", keys=("j", "Down"), group="Move", menu="Go")
    def next_paper(self) -> None:
        self._move(1)

    @command("list.prev", "Previous paper", keys=("k", "Up"), group="Move", menu="Go")
    def previous_paper(self) -> None:
        self._move(-1)

    @command("list.first", "First paper", keys=("Home", "g g"), group="Move")
    def first_paper(self) -> None:
        self._select_row(0 if self.model.rowCount() else -1)

    @command("list.last", "Last paper", keys=("End", "G"), group="Move")
    def last_paper(self) -> None:
        self._select_row(self.model.rowCount() - 1)

    def _move(self, step: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        self.reader.flush_note()
        row = self.table.currentIndex().row()
        row = 0 if row < 0 else max(0, min(count - 1, row + step))
        self._select_row(row)
        if self.list_stack.currentWidget() is self.table and \
                QApplication.focusWidget() is not self.table:
            focus = QApplication.focusWidget()
            if focus is self.empty_state:
                self.table.setFocus()

    @command("reader.page_down", "Page down the abstract", keys=("Space",), group="Move")
    def page_down(self) -> None:
        self.reader.page(1)

    @command("reader.page_up", "Page up the abstract", keys=("Shift+Space",), group="Move")
    def page_up(self) -> None:
        self.reader.page(-1)

    @command("focus.back", "Back to the list", keys=("Esc",), mode="global", group="Move")
    def escape(self) -> None:
        focus = QApplication.focusWidget()
        if focus is self.reader.abstract and self.reader.abstract.clear_selection():
            self.flash("Selection cleared · Esc again to go back to the list")
            return
        if focus is self.table and self.model.marked:
            self.model.set_marked(())
            self._update_view_count()
            self.flash("Selection cleared")
            return
        self.focus_list()

    def focus_list(self) -> None:
        self.reader.flush_note()
        if self.isVisible() and not self.isActiveWindow():
            self.activateWindow()
        if self.list_stack.currentWidget() is self.table:
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.empty_state.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @command("search.focus", "Search", keys=("/",), group="Find", menu="Go")
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    @command("search.accept", "Show the results", keys=("Return", "Enter", "Down"),
             mode="search", group="Find", palette=False)
    def accept_search(self) -> None:
        self._run_search()
        if self.model.rowCount():
            self._select_row(0)
        self.focus_list()

    @command("goto.paper", "Go to paper by title…", keys=("Ctrl+P",), mode="global",
             group="Find", menu="Go")
    def go_to_paper(self) -> None:
        popup = GoToPaper(self, self._find_titles, self.theme)
        popup.chosen.connect(self.select_paper)
        self._open(popup)

    @command("paper.similar", "More like this…", keys=("m",), when="has_paper",
             group="Find", menu="Go")
    def more_like_this(self) -> None:
        pid = self.current_id()
        if pid is None:
            return
        choices = self._choices(self.library.similar(pid, 20))
        if not choices:
            self.flash("No paper in the library shares this one's distinctive words")
            return
        popup = SimilarPapers(self, choices, self.theme)
        popup.chosen.connect(self.select_paper)
        self._open(popup)

    def _find_titles(self, text: str) -> list[Choice]:
        ids: list[int] = []
        try:
            ids = [pid for pid, _title, _score in self.library.fuzzy_titles(text, 20)]
        except Exception:
            ids = []
        if not ids:
            try:
                ids = list(self.library.search(text, limit=20).ids)
            except Exception:
                ids = []
        return self._choices(ids)

    def _choices(self, ids: list[int]) -> list[Choice]:
        """Popup rows for papers: title, then date, byline and read state."""
        rows = self.library.rows(ids)
        choices = []
        for pid in ids:
            row = rows.get(pid)
            if row is None:
                continue
            detail = "  ·  ".join(p for p in (format_date(row.published), row.byline,
                                              "read" if row.read else "unread") if p)
            choices.append(Choice(pid, row.title, detail))
        return choices

    def select_paper(self, paper_id: object) -> None:
        pid = int(paper_id)  # type: ignore[arg-type]
        if self.model.row_of(pid) < 0:
            self.show_view("all", "All papers", "", focus_list=False)
        row = self.model.row_of(pid)
        if row >= 0:
            self._select_row(row)
        self.focus_list()

    # ---- views
    @command("go.inbox", "Go to Inbox", keys=("g i",), group="Go", menu="Go")
    def go_inbox(self) -> None:
        self._show_builtin("inbox")

    @command("go.all", "Go to All papers", keys=("g a",), group="Go", menu="Go")
    def go_all(self) -> None:
        self._show_builtin("all")

    @command("go.read", "Go to Read", keys=("g r",), group="Go", menu="Go")
    def go_read(self) -> None:
        self._show_builtin("read")

    @command("go.starred", "Go to Starred", keys=("g s",), group="Go", menu="Go")
    def go_starred(self) -> None:
        self._show_builtin("starred")

    @command("go.annotated", "Go to Annotated", keys=("g n",), group="Go", menu="Go")
    def go_annotated(self) -> None:
        self._show_builtin("annotated")

    # ---- triage
    @command("paper.read_next", "Mark read and go to the next", keys=("r", "e"),
             when="has_targets", group="Triage", menu="Paper")
    def read_and_next(self) -> None:
        ids = self.targets()
        bulk = len(ids) > 1
        self.reader.flush_note()
        changed = self.library.set_read(ids, True)
        if self.model.marked:
            self.model.set_marked(())
        row = self.table.currentIndex().row()
        if not bulk and row + 1 < self.model.rowCount():
            # Move on before repainting: the pane then draws the next paper once,
            # not the one just read and then the next.
            self._select_row(row + 1)
        self._after_write(ids, row=row)
        what = f"{len(ids)} papers" if bulk else "1 paper"
        self.flash(f"Marked {what} read · Ctrl+Z to undo" if changed else "Already read")
        self._check_caught_up()

    def _check_caught_up(self) -> None:
        if self.view_key == "inbox" and not self.search_query:
            try:
                left = self.library.has_unread()
            except Exception:
                return
            if not left:
                self._load_view(select_first=True)
                self.focus_list()

    @command("paper.unread", "Mark unread", keys=("u",), when="has_targets", group="Triage",
             menu="Paper")
    def mark_unread(self) -> None:
        ids = self.targets()
        changed = self.library.set_read(ids, False)
        self._after_write(ids)
        self.flash(f"Marked {len(ids)} unread · Ctrl+Z to undo" if changed else
                   "Already unread")

    @command("paper.star", "Star / unstar", keys=("s",), when="has_targets", group="Triage",
             menu="Paper")
    def toggle_star(self) -> None:
        ids = self.targets()
        rows = self.library.rows(ids)
        star = not all(r.starred for r in rows.values())
        self.library.set_starred(ids, star)
        self._after_write(ids)
        count = f"{len(ids)} papers" if len(ids) > 1 else ""
        self.flash(f"{'Starred' if star else 'Unstarred'} {count}".strip() + " · Ctrl+Z to undo")

    @command("paper.tag", "Tag…", keys=("t",), when="has_targets", group="Triage",
             menu="Paper")
    def tag_dialog(self) -> None:
        ids = self.targets()
        existing = [name for name, _ in self.library.tags()]
        current: list[str] = []
        if len(ids) == 1:
            row = self.library.rows(ids).get(ids[0])
            current = list(row.tags) if row else []
        dialog = TagDialog(self, existing, current, len(ids))
        dialog.tags_entered.connect(functools.partial(self._apply_tags, ids))
        self._open(dialog)

    def _apply_tags(self, ids: list[int], add: list[str], remove: list[str]) -> None:
        try:
            if add:
                self.library.add_tags(ids, add)
            if remove:
                self.library.remove_tags(ids, remove)
        except LibraryError as error:
            self.flash(str(error))
            return
        self._after_write(ids)
        parts = []
        if add:
            parts.append("tagged " + ", ".join(add))
        if remove:
            parts.append("removed " + ", ".join(remove))
        self.flash(("; ".join(parts)).capitalize() + " · Ctrl+Z to undo")
        self.focus_list()

    def toggle_quick_tag(self, digit: int) -> None:
        names = self.quick_tags()
        if digit > len(names):
            self.flash(f"No quick tag {digit} yet — press t to tag, or set quick_tags "
                       f"in {self.keys_path}")
            return
        name = names[digit - 1]
        ids = self.targets()
        rows = self.library.rows(ids)
        has = all(name.casefold() in {t.casefold() for t in r.tags} for r in rows.values())
        if has:
            self.library.remove_tags(ids, [name])
        else:
            self.library.add_tags(ids, [name])
        self._after_write(ids)
        self.flash(f"{'Removed' if has else 'Tagged'} {name} · Ctrl+Z to undo")

    @command("select.toggle", "Select / deselect (then act on all)", keys=("x",),
             when="has_paper", group="Select", menu="Edit")
    def toggle_mark(self) -> None:
        pid = self.current_id()
        if pid is None:
            return
        self.model.toggle_mark(pid)
        self._update_view_count()

    @command("select.all", "Select all in this view", keys=("* a",), group="Select",
             menu="Edit")
    def mark_all(self) -> None:
        self.model.set_marked(self.model.ids)
        self._update_view_count()

    @command("select.none", "Clear the selection", keys=("* n",), group="Select", menu="Edit")
    def mark_none(self) -> None:
        self.model.set_marked(())
        self._update_view_count()

    @command("paper.open_web", "Open on the web (search by title)", keys=("o",),
             when="has_paper", group="Paper", menu="Paper")
    def open_web(self) -> None:
        pid = self.current_id()
        paper = self.library.get(pid) if pid is not None else None
        if paper is None:
            return
        url = QUrl("https://huggingface.co/papers")
        query = QUrlQuery()
        query.addQueryItem("q", paper.title)
        url.setQuery(query)
        self.url_opener(url)
        self.flash("Opened a web search for this title")

    @command("note.edit", "Edit the note", keys=("n",), when="has_paper", group="Paper",
             menu="Paper")
    def edit_note(self) -> None:
        note = self.reader.note
        self.reader.scroll.ensureWidgetVisible(note, 0, 40)
        note.setFocus(Qt.FocusReason.ShortcutFocusReason)
        cursor = note.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        note.setTextCursor(cursor)

    def _save_note(self, paper_id: int, text: str) -> None:
        try:
            changed = self.library.set_note(paper_id, text)
        except LibraryError as error:
            self.flash(str(error))
            return
        if changed:
            self.model.refresh_ids([paper_id])
            self._last_data_version = self._data_version()
            self._schedule_counts()

    # ---- undo
    @command("edit.undo", "Undo", keys=("Ctrl+Z",), group="Edit", menu="Edit")
    def undo(self) -> None:
        self.reader.flush_note()
        change = self.library.undo()
        if change is None:
            self.flash("Nothing to undo")
            return
        self._after_write(change.paper_ids, reload=True)
        self.flash(change.description)

    @command("edit.redo", "Redo", keys=("Ctrl+Shift+Z", "Ctrl+Y"), group="Edit", menu="Edit")
    def redo(self) -> None:
        change = self.library.redo()
        if change is None:
            self.flash("Nothing to redo")
            return
        self._after_write(change.paper_ids, reload=True)
        self.flash(change.description)

    # ---- caret mode and highlights
    @command("caret.enter", "Select text in the abstract (caret mode)", keys=("v", "Return"),
             when="has_paper", group="Highlights", menu="Paper")
    def enter_caret(self) -> None:
        self.reader.abstract.enter_caret()
        self.flash("Caret mode: v starts a selection · w/b words · (/) sentences · "
                   "h highlight · a comment · Esc leaves", 10000)

    @command("caret.toggle", "Start / stop selecting", keys=("v",), mode="caret",
             group="Highlights")
    def caret_toggle(self) -> None:
        selecting = self.reader.abstract.toggle_selecting()
        self.flash("Selecting: move to extend, h to highlight" if selecting else
                   "Selection off")

    def _caret(self, how: str) -> None:
        self.reader.abstract.move_caret(how)

    @command("caret.word_next", "Next word", keys=("w",), mode="caret", group="Highlights")
    def caret_word_next(self) -> None:
        self._caret("word+")

    @command("caret.word_prev", "Previous word", keys=("b",), mode="caret", group="Highlights")
    def caret_word_prev(self) -> None:
        self._caret("word-")

    @command("caret.sentence_next", "Next sentence", keys=(")",), mode="caret",
             group="Highlights")
    def caret_sentence_next(self) -> None:
        self._caret("sentence+")

    @command("caret.sentence_prev", "Previous sentence", keys=("(",), mode="caret",
             group="Highlights")
    def caret_sentence_prev(self) -> None:
        self._caret("sentence-")

    @command("caret.char_next", "Next character", keys=("l", "Right"), mode="caret",
             group="Highlights", palette=False)
    def caret_char_next(self) -> None:
        self._caret("char+")

    @command("caret.char_prev", "Previous character", keys=("Left",), mode="caret",
             group="Highlights", palette=False)
    def caret_char_prev(self) -> None:
        self._caret("char-")

    @command("caret.line_down", "Line down", keys=("j", "Down"), mode="caret",
             group="Highlights", palette=False)
    def caret_line_down(self) -> None:
        self._caret("line+")

    @command("caret.line_up", "Line up", keys=("k", "Up"), mode="caret", group="Highlights",
             palette=False)
    def caret_line_up(self) -> None:
        self._caret("line-")

    @command("caret.line_start", "Start of line", keys=("0", "Home"), mode="caret",
             group="Highlights", palette=False)
    def caret_line_start(self) -> None:
        self._caret("home")

    @command("caret.line_end", "End of line", keys=("$", "End"), mode="caret",
             group="Highlights", palette=False)
    def caret_line_end(self) -> None:
        self._caret("end")

    @command("caret.top", "Start of the abstract", keys=("g g",), mode="caret",
             group="Highlights", palette=False)
    def caret_top(self) -> None:
        self._caret("top")

    @command("caret.bottom", "End of the abstract", keys=("G",), mode="caret",
             group="Highlights", palette=False)
    def caret_bottom(self) -> None:
        self._caret("bottom")

    @command("caret.highlight", "Highlight the selection", keys=("h",), when="has_paper",
             group="Highlights", menu="Paper")
    def highlight(self) -> None:
        self.highlight_in(self.highlight_colour)

    def highlight_in(self, colour: str) -> None:
        self.highlight_colour = colour
        span = self.reader.abstract.selection_span()
        pid = self.current_id()
        if span is None or pid is None:
            self.flash(f"Highlight colour: {colour} · select text first (v, then w/b/(/))")
            return
        annotation = self.library.annotate(pid, span[0], span[1], colour=colour)
        self.reader.abstract.clear_selection()
        self._after_write([pid])
        self.reader.abstract.active_annotation = annotation.id
        self.reader.abstract.paint_marks()
        self.flash(f"Highlighted in {colour} · a to comment · Ctrl+Z to undo")

    @command("caret.annotate", "Highlight and comment…", keys=("a",), when="has_paper",
             group="Highlights", menu="Paper")
    def annotate(self) -> None:
        abstract = self.reader.abstract
        pid = self.current_id()
        if pid is None:
            return
        span = abstract.selection_span()
        if span is None:
            # On an existing highlight, `a` edits its comment.
            text = abstract.toPlainText()
            from desktop.text import utf16_to_index

            here = abstract.annotation_at(utf16_to_index(text, abstract.textCursor().position()))
            if here is not None:
                self._edit_annotation(here.id)
                return
            self.flash("Select text first: v, then w/b/(/) to extend, then a")
            return
        paper = self.library.get(pid)
        if paper is None:
            return
        quote = paper.abstract[span[0]:span[1]]
        colour = self.highlight_colour
        dialog = CommentDialog(self, quote)

        def save(comment: str) -> None:
            annotation = self.library.annotate(pid, span[0], span[1], comment or None,
                                               colour=colour)
            abstract.clear_selection()
            self._after_write([pid])
            abstract.active_annotation = annotation.id
            abstract.paint_marks()
            abstract.setFocus()
            self.flash("Highlighted with a comment · Ctrl+Z to undo")

        dialog.saved.connect(lambda comment: self._guard(save, comment))
        self._open(dialog, refocus=abstract)

    @command("caret.copy", "Copy the selection", keys=("y",), mode="caret", group="Highlights")
    def copy_selection(self) -> None:
        abstract = self.reader.abstract
        span = abstract.selection_span()
        if span is None:
            self.flash("Nothing selected")
            return
        abstract.copy()
        self.flash("Copied")

    def _guard(self, function: Callable[..., object], *args: object) -> None:
        try:
            function(*args)
        except LibraryError as error:
            self.flash(str(error))

    def _annotation_under_caret(self, annotation) -> None:
        abstract = self.reader.abstract
        new = annotation.id if annotation is not None else None
        if new != abstract.active_annotation:
            abstract.active_annotation = new
            abstract.paint_marks()
        if annotation is not None:
            self.flash(f"Comment: {annotation.comment}" if annotation.comment else
                       "Highlight without a comment · a to add one", 8000)

    # ---- annotation list
    @command("annotation.focus", "Go to the highlight list", keys=("A",), when="has_paper",
             group="Highlight list", menu="Paper")
    def focus_annotations(self) -> None:
        items = self.reader.annotation_list
        if not items.count():
            self.flash("No highlights on this paper yet")
            return
        self.reader.scroll.ensureWidgetVisible(items, 0, 40)
        items.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @command("annotation.next", "Next highlight", keys=("j", "Down"), mode="annotations",
             group="Highlight list", palette=False)
    def annotation_next(self) -> None:
        items = self.reader.annotation_list
        items.setCurrentRow(min(items.count() - 1, items.currentRow() + 1))

    @command("annotation.prev", "Previous highlight", keys=("k", "Up"), mode="annotations",
             group="Highlight list", palette=False)
    def annotation_prev(self) -> None:
        items = self.reader.annotation_list
        items.setCurrentRow(max(0, items.currentRow() - 1))

    @command("annotation.jump", "Jump to the highlight", keys=("Return", "Enter"),
             mode="annotations", when="has_annotation", group="Highlight list")
    def annotation_jump(self) -> None:
        annotation = self.reader.annotation_list.current_annotation()
        if annotation is None or annotation.orphaned:
            self.flash("This highlight is no longer in the abstract")
            return
        abstract = self.reader.abstract
        abstract.setFocus(Qt.FocusReason.ShortcutFocusReason)
        abstract.selecting = False
        abstract.select_span(annotation.start, annotation.end)
        abstract.active_annotation = annotation.id
        abstract.paint_marks()

    @command("annotation.edit", "Edit the comment…", keys=("e",), mode="annotations",
             when="has_annotation", group="Highlight list")
    def annotation_edit(self) -> None:
        annotation = self.reader.annotation_list.current_annotation()
        if annotation is not None:
            self._edit_annotation(annotation.id)

    def _edit_annotation(self, annotation_id: int) -> None:
        annotation = self.library.annotation(annotation_id)
        if annotation is None:
            return
        dialog = CommentDialog(self, annotation.quote, annotation.comment,
                               title="Edit the comment")
        back = QApplication.focusWidget()

        def save(comment: str) -> None:
            self.library.update_annotation(annotation_id, comment=comment)
            self._after_write([annotation.paper_id])
            if back is not None:
                back.setFocus()
            self.flash("Comment saved · Ctrl+Z to undo")

        dialog.saved.connect(lambda comment: self._guard(save, comment))
        self._open(dialog, refocus=back)

    @command("annotation.delete", "Delete the highlight", keys=("d", "Delete"),
             mode="annotations", when="has_annotation", group="Highlight list")
    def annotation_delete(self) -> None:
        items = self.reader.annotation_list
        annotation = items.current_annotation()
        if annotation is None:
            return
        row = items.currentRow()
        self.library.delete_annotation(annotation.id)
        self._after_write([annotation.paper_id])
        if items.count():
            items.setCurrentRow(min(row, items.count() - 1))
            items.setFocus()
        else:
            self.focus_list()
        self.flash("Highlight deleted · Ctrl+Z to undo")

    def recolour_annotation(self, colour: str) -> None:
        annotation = self.reader.annotation_list.current_annotation()
        if annotation is None:
            return
        self.library.update_annotation(annotation.id, colour=colour)
        self._after_write([annotation.paper_id])
        self.reader.annotation_list.setFocus()
        self.flash(f"Highlight is now {colour} · Ctrl+Z to undo")

    # ---- import / export
    @command("import.files", "Import listings…", keys=("Ctrl+I",), mode="global",
             group="Library", menu="File")
    def import_files_dialog(self) -> None:
        dialog = QFileDialog(self, "Import Daily Papers listings")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters(["Listings (*.txt *.text *.md)", "All files (*)"])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda files: self.import_paths([Path(f) for f in files]))
        dialog.open()

    def import_paths(self, paths: Sequence[Path], *, summary: bool = True) -> bool:
        if not paths:
            return False
        return self.importer.start(paths=paths, summary=summary)

    @command("import.samples", "Import the sample listings", group="Library", menu="File")
    def import_samples(self) -> None:
        self.import_paths(sample_listings(), summary=False)

    @command("import.paste", "Import the listing on the clipboard", keys=("Ctrl+V",),
             group="Library", menu="File")
    def import_clipboard(self) -> None:
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.flash("The clipboard holds no text to import")
            return
        self.importer.start(text=text, summary=True, label="Importing the pasted listing…")

    def _import_done(self, report, _summary: bool) -> None:
        self._last_data_version = self._data_version()
        keep = self.current_id()
        self._load_view(keep_id=keep)
        if keep is None and self.model.rowCount():
            self._select_row(0)
        self.refresh_counts()

    @command("export.view", "Export this view…", keys=("Ctrl+E",), mode="global",
             group="Library", menu="File")
    def export_view(self) -> None:
        dialog = QFileDialog(self, "Export this view")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["Markdown reading notes (*.md)", "JSON (*.json)", "CSV (*.csv)",
                               "BibTeX (*.bib)"])
        dialog.setDefaultSuffix("md")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.export_to(Path(name)))
        dialog.open()

    def export_to(self, path: Path) -> None:
        formats = {".md": "markdown", ".json": "json", ".csv": "csv", ".bib": "bibtex"}
        fmt = formats.get(path.suffix.lower(), "markdown")
        self._guard(self.library.export, self.active_query, fmt, path)
        if path.exists():
            self.flash(f"Exported {self.model.rowCount()} papers to {path}")

    @command("search.save", "Save this search…", when="can_save_search", group="Find",
             menu="Go")
    def save_search(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Save search")
        dialog.setLabelText(f"Name for “{self.search_query}”:")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        query = self.search_query

        def save(name: str) -> None:
            self._guard(self.library.save_search, name, query)
            self.refresh_sidebar()
            self.flash(f"Saved search {name}")

        dialog.textValueSelected.connect(save)
        self._open(dialog)

    def can_save_search(self) -> bool:
        return bool(self.search_query)

    @command("search.delete_saved", "Delete this saved search", when="showing_saved_search",
             group="Find", menu="Go")
    def delete_saved_search(self) -> None:
        name = self.view_key.removeprefix("saved:")
        self._guard(self.library.delete_saved_search, name)
        self.go_inbox()
        self.refresh_sidebar()
        self.flash(f"Deleted saved search {name}")

    def showing_saved_search(self) -> bool:
        return self.view_key.startswith("saved:") and not self.search_query

    # ---- window
    @command("app.palette", "Command palette", keys=("Ctrl+K", "Ctrl+Shift+P"), mode="global",
             group="Help", menu="Help")
    def command_palette(self) -> None:
        choices = [Choice(cmd.id, cmd.title, cmd.group, tuple(self.keymap.keys_for(cmd.id)))
                   for cmd in self.registry if cmd.palette and cmd.id != "app.palette"
                   and cmd.is_enabled()]
        palette = CommandPalette(self, choices, self.theme)
        palette.chosen.connect(lambda cmd_id: QTimer.singleShot(
            0, functools.partial(self.run_command, str(cmd_id))))
        self._open(palette)

    @command("help.keys", "Keyboard shortcuts", keys=("?", "F1"), group="Help", menu="Help")
    def cheat_sheet(self) -> None:
        order = ("Move", "Triage", "Select", "Go", "Find", "Paper", "Highlights",
                 "Highlight list", "Edit", "Library", "View", "Help")
        grouped: dict[str, list[Choice]] = {}
        collapsed: set[str] = set()
        for cmd in self.registry:
            keys = tuple(self.keymap.keys_for(cmd.id))
            if not keys:
                continue
            stem, _, digit = cmd.id.rpartition(".")
            if digit.isdigit():
                if stem in collapsed:
                    continue
                collapsed.add(stem)
                title = {"tag.quick": "Toggle quick tag 1–9",
                         "caret.colour": "Highlight in colour 1–5",
                         "annotation.colour": "Recolour highlight 1–5"}.get(stem, cmd.title)
                last = "9" if stem == "tag.quick" else "5"
                keys = (f"{keys[0]}…{last}",)
                grouped.setdefault(cmd.group, []).append(Choice(cmd.id, title, "", keys))
                continue
            grouped.setdefault(cmd.group, []).append(Choice(cmd.id, cmd.title, "", keys))
        groups = [(name, grouped[name]) for name in order if name in grouped]
        groups += [(name, items) for name, items in grouped.items() if name not in order]
        sheet = CheatSheet(self, groups, str(self.keys_path))
        self._open(sheet)

    @command("settings.keys", "Edit key bindings…", group="Help", menu="Help")
    def edit_keys(self) -> None:
        created = write_template(self.keys_path, [
            (cmd.id, cmd.title, self.keymap.keys_for(cmd.id)) for cmd in self.registry])
        self.url_opener(QUrl.fromLocalFile(str(self.keys_path)))
        self.flash(f"{'Created' if created else 'Opened'} {self.keys_path} · changes apply "
                   "at the next start")

    @command("view.refresh", "Refresh", keys=("F5",), mode="global", group="View", menu="View")
    def refresh(self) -> None:
        self.refresh_external()

    @command("view.theme", "Toggle dark mode", group="View", menu="View")
    def toggle_theme(self) -> None:
        self.theme_override = "light" if self.theme.dark else "dark"
        self.theme = themes.choose(self.theme_override)
        self.apply_theme()
        if self.settings is not None:
            self.settings.setValue("theme", self.theme_override)

    @command("view.sidebar", "Show / hide the sidebar", keys=("Ctrl+B",), mode="global",
             group="View", menu="View")
    def toggle_sidebar(self) -> None:
        self.sidebar.setVisible(not self.sidebar.isVisible())

    @command("app.quit", "Quit", keys=("Ctrl+Q",), mode="global", group="Help", menu="File")
    def quit(self) -> None:
        self.close()

    # ================================================== drag and drop, state
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        paths = [p for p in paths if p.is_file()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def _sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        if section not in SORT_KEYS and section != -1:
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column, self.model.sort_order)
            header.blockSignals(False)
            return
        keep = self.current_id()
        self.model.sort(section, order)
        self._update_empty_state()
        row = self.model.row_of(keep) if keep is not None else 0
        self._select_row(max(0, row) if self.model.rowCount() else -1)

    def _restore_state(self) -> None:
        settings = self.settings
        assert settings is not None
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = settings.value("splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        columns = settings.value("columns")
        if isinstance(columns, QByteArray):
            self.table.horizontalHeader().restoreState(columns)

    def save_state(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("splitter", self.splitter.saveState())
        self.settings.setValue("columns", self.table.horizontalHeader().saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.reader.flush_note()
        for timer in (self._poll_timer, self._counts_timer, self._search_timer):
            timer.stop()
        self.save_state()
        self.importer.cancel()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.dispatcher)
        super().closeEvent(event)
