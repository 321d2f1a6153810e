"""The main window: sidebar | paper list | reading pane, wired to the commands.

Layout and wiring only. The commands are functions in `desktop/actions/` by topic,
collected into one `CommandRegistry` bound to this window; the key parser, the menus,
the palette and the cheat sheet read it. Keys reach the parser through one
application event filter (`KeyDispatcher`); no widget binds a shortcut of its own.
What the list shows is `Browser`'s (desktop/browser.py); every library write and
the repaint after it go through `Operations` (desktop/ops.py).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop import actions
from desktop import theme as themes
from desktop.actions import highlights as highlight_cmds
from desktop.actions import imports as import_cmds
from desktop.actions import library as library_cmds
from desktop.actions import tags as tag_cmds
from desktop.actions import triage as triage_cmds
from desktop.browser import Browser
from desktop.commands import Command, CommandRegistry
from desktop.dialogs import plain_label
from desktop.fetching import FetchRunner
from desktop.importer import ImportRunner
from desktop.keys import Keymap, KeyParser, config_dir, keys_file, load_overrides
from desktop.learner import Learner
from desktop.listpanel import ListPanel
from desktop.model import PaperTableModel
from desktop.ops import Operations
from desktop.reader import ReaderPane
from desktop.removing import RemovalRunner
from desktop.sidebar import Sidebar, builtin_views
from desktop.toast import toast_for
from storage import Library, LibraryError, states
from storage.states import INBOX

if TYPE_CHECKING:
    from desktop.statsview import StatsView

log = logging.getLogger(__name__)

MENUS = ("File", "Edit", "Paper", "Go", "View", "Help")
# For you's first round (vectorise new papers, fit the models) waits for first paint.
LEARN_AFTER_START_MS = 1500


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
        self.highlight_colour = themes.ANNOTATION_COLOURS[0]

        # A bad states.json: the app keeps going on the last good states and says why.
        self._notices: list[str] = []
        self.stop_states_errors = states.tolerate_bad_file(self.states_file_error)
        self._build_commands()
        self.importer = ImportRunner(self, Path(library.path))
        self.importer.show_dialogs = interactive
        self.importer.message.connect(self.flash)
        self.fetcher = FetchRunner(self, Path(library.path))
        self.fetcher.message.connect(self.flash)
        self.remover = RemovalRunner(self, Path(library.path))  # take-backs, big deletes
        self.remover.show_dialogs = interactive
        self.remover.message.connect(self.flash)

        self._build_ui()
        self._build_menus()
        self.parser.pending_changed.connect(self._show_pending)
        self.ops = Operations(self)
        self.ops.changed.connect(self.library_changed)
        self._wire_workers()
        self._wire_reader()

        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_scheme_changed)
        self.apply_theme()
        self.browser.load(select_first=True)
        self.ops.refresh_counts()
        self.ops.poll_timer.start()
        if interactive:
            # After first paint: vectorise what is new and fit the models, so that
            # For you and `m` are ready when asked for.
            self.learner.activate()
            self.learner.schedule(delay=LEARN_AFTER_START_MS)
        if settings is not None:
            self._restore_state()
        if self.key_warnings:
            self.flash("; ".join(self.key_warnings[:3]))
        for line in self._notices:
            self.states_file_error(line)
        if import_cmds.fetch_on_start_enabled(self):
            QTimer.singleShot(0, self.fetcher.start)
        self._watch_settings()
        # What opening the library did on its own (an import cut short taken back),
        # once the window is up to show it.
        QTimer.singleShot(0, self.show_notices)
        # A delete or take-back a kill cut short: finished off this thread.
        QTimer.singleShot(0, self, lambda: import_cmds.finish_cut_short(self))

    def _build_commands(self) -> None:
        """The commands of every topic (and of every state), the keymap, the key parser."""
        self.keys_path = keys_file(self.config_dir)
        bindings, self.user_settings, warnings = load_overrides(self.keys_path)
        self.end_key_reservation: Callable[[], None] = lambda: None
        self._make_commands(bindings)
        self.key_warnings = warnings + self.keymap.warnings
        self.parser = KeyParser(self.keymap, self)
        self.parser.matched.connect(self.run_command)
        self.dispatcher = KeyDispatcher(self, self.parser)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.dispatcher)

    def _make_commands(self, bindings: dict[str, list[str]]) -> None:
        """The state table, the registry and the keymap for keys.json's `bindings`."""
        self._bindings = bindings
        # A state in states.json must not take a key the app binds to something else:
        # the keys in force, keys.json's rebindings included.
        self.end_key_reservation()
        self.end_key_reservation = states.reserve(
            "key", actions.reserved_keys(bindings, str(self.keys_path)))
        self.states = states.table()
        self.registry = CommandRegistry()
        for commands in actions.command_sets(self.states):
            self.registry.collect(commands, self)
        self.keymap = Keymap.build(self.registry.defaults(), bindings)

    def _watch_settings(self) -> None:
        """keys.json and states.json take effect when saved (desktop/settings_watch.py)."""
        from desktop.settings_watch import SettingsWatcher

        self.settings_watcher = SettingsWatcher(
            [self.keys_path, states.settings_path()], self)
        self.settings_watcher.changed.connect(self.reload_settings)

    def reload_settings(self) -> None:
        """keys.json or states.json was saved: the commands, keys, menus, views and
        marks follow it; the view and the paper in it stay. A keys.json that cannot be
        read is refused with its line and the keys stay; a bad states.json likewise
        (storage/states.py keeps the last good table and `states_file_error` says why)."""
        bindings, user_settings, warnings = load_overrides(self.keys_path)
        broken = [w for w in warnings if w.startswith(f"{self.keys_path}: ignored")]
        if broken:
            toast_for(self).show_message("Could not use keys.json", broken[0],
                                         timeout_ms=20_000)
            self.flash(broken[0], 20_000)
            bindings, user_settings = self._bindings, self.user_settings
        keys_before, states_before = (self._bindings, self.user_settings), self.states
        self.user_settings = user_settings
        self._make_commands(bindings)
        reloaded = [name for name, changed in (
            ("keys.json", (bindings, user_settings) != keys_before),
            ("states.json", self.states != states_before)) if changed]
        if not reloaded:
            return  # a file refused (its line is shown) or saved as it was: nothing moves
        current = self.current_id()
        self.reader.flush_note()
        self.parser.set_keymap(self.keymap)
        self.menuBar().clear()
        self._build_menus()
        self.model.states = self.reader.states = self.states
        self.views = self.browser.views = builtin_views(self.states)
        browser = self.browser
        label = next((v.label for v in self.views if v.key == browser.view_key), None)
        if label is not None and not browser.search_query:
            browser.view_label = label  # a state renamed in the file
        browser.load(keep_id=current)
        self.ops.refresh_counts()
        if self.showing_page():
            self._count_stats()
        if not broken:
            notes = warnings + self.keymap.warnings
            self.flash("; ".join(notes[:3]) if notes else
                       f"{' and '.join(reloaded)} reloaded: in effect now")

    def _wire_workers(self) -> None:
        """For you's models retrain on their own thread after decisions and imports."""
        self.learner = Learner(self.library, self)
        self.browser.learner = self.learner
        self.learner.updated.connect(self.browser.learned)
        self.learner.failed.connect(self.flash)
        self.ops.changed.connect(lambda _ids: self.learner.schedule())
        self.importer.done.connect(lambda *_args: self.learner.schedule(now=True))
        self.browser.loaded.connect(self.update_counts_label)
        self.importer.done.connect(functools.partial(library_cmds.import_done, self))
        self.fetcher.done.connect(functools.partial(import_cmds.fetch_done, self))
        self.importer.undo_requested.connect(functools.partial(library_cmds.undo_imports, self))

    def states_file_error(self, line: str) -> None:
        """states.json cannot be used (`line` names it and the fault): say so in the
        window; the states stay the last good ones (else the built-in ones)."""
        if not hasattr(self, "ops"):  # still being built: said once the window is up
            self._notices.append(line)
            return
        toast_for(self).show_message("Could not use states.json", line, timeout_ms=20_000)
        self.flash(line, 20_000)

    # ================================================================ UI
    def _build_ui(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_top_bar())

        self.sidebar = Sidebar()
        self.model = PaperTableModel(self.library, self)
        self.model.states = self.states
        self.panel = ListPanel(self.model)
        self.table, self.empty_state = self.panel.table, self.panel.empty_state
        self.panel.samples_button.clicked.connect(lambda: self.run_command("import.samples"))
        self.panel.files_button.clicked.connect(lambda: self.run_command("import.files"))
        self.reader = ReaderPane()
        self.reader.states = self.states
        self.views = builtin_views(self.states)
        self.browser = Browser(self.library, self.panel, self.search, self.sidebar,
                               self.reader, self.views)
        self.browser.empty_hint = self.empty_view_hint

        # The list (with the reading pane beside it), or a page in its place: Statistics.
        self.pages = QStackedWidget()
        self.pages.addWidget(self.panel)
        self.stats_view: StatsView | None = None  # made when first shown
        self._list_sizes: list[int] = []
        self.browser.view_changed.connect(self.show_list_page)
        self.browser.page_requested.connect(lambda _page: self.show_stats_page())

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(1)
        for index, (widget, stretch, minimum) in enumerate(
                ((self.sidebar, 0, 160), (self.pages, 3, 320), (self.reader, 2, 300))):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(index, stretch)
            widget.setMinimumWidth(minimum)
        self.splitter.setSizes([196, 664, 420])
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        status = self.statusBar()
        status.setSizeGripEnabled(False)
        self.pending_label = plain_label("", "pendingKeys")
        self.counts_label = plain_label("", "counts")
        status.addPermanentWidget(self.pending_label)
        status.addPermanentWidget(self.counts_label)
        self.resize(1280, 800)

    def _build_top_bar(self) -> QWidget:
        """Brand, search, a few buttons for mouse users."""
        top = QFrame()
        top.setObjectName("topbar")
        layout = QHBoxLayout(top)
        layout.setContentsMargins(16, 10, 12, 10)
        layout.setSpacing(10)
        brand_icon = QLabel()
        brand_icon.setTextFormat(Qt.TextFormat.PlainText)
        brand_icon.setPixmap(themes.app_icon().pixmap(22, 22))
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setProperty("winnowMode", "search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(
            'Search titles, abstracts, notes — "phrases", -exclude, tag:rl, is:starred   ( / )')
        self.search_icon = self.search.addAction(
            themes.search_icon(self.theme), QLineEdit.ActionPosition.LeadingPosition)
        layout.addWidget(brand_icon)
        layout.addWidget(plain_label("Winnow", "brand"))
        layout.addSpacing(64)
        layout.addWidget(self.search, 1)
        layout.addSpacing(8)
        for text, command_id in (("Import…", "import.files"),
                                 ("Commands  Ctrl+K", "app.palette")):
            button = QPushButton(text)
            button.setObjectName("topButton")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(functools.partial(self.run_command, command_id))
            layout.addWidget(button)
        return top

    def _wire_reader(self) -> None:
        reader = self.reader
        reader.note_edited.connect(functools.partial(triage_cmds.save_note, self))
        reader.tag_clicked.connect(self.browser.show_tag)
        reader.link_opened.connect(functools.partial(triage_cmds.open_link, self))
        reader.abstract.annotation_under_caret.connect(
            functools.partial(highlight_cmds.annotation_under_caret, self))
        reader.annotation_list.itemActivated.connect(
            lambda _item: self.run_command("annotation.jump"))

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
            action = QAction(self._menu_text(cmd), self)
            # Keys are shown after a tab, not set as QAction shortcuts: the keymap
            # is the only thing that binds keys, so menus never steal them.
            action.triggered.connect(functools.partial(self.run_command, cmd.id))
            self.menus[cmd.menu].addAction(action)
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
            "faint": theme.colour("faint"),
        })
        self.model.state_colours = {
            s.name: theme.mark(s.colour) if s.colour else theme.colour("secondary")
            for s in self.states.states}
        self.panel.tags_delegate.theme = theme
        self.panel.paper_delegate.theme = theme
        self.search_icon.setIcon(themes.search_icon(theme))
        self.sidebar.set_theme(theme)
        self.reader.set_theme(theme)
        if self.stats_view is not None:
            self.stats_view.set_theme(theme)
        self.model.refresh_all()

    def _system_scheme_changed(self, *_args: object) -> None:
        if self.theme_override is None:
            self.theme = themes.choose()
            self.apply_theme()

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

    def maintenance_note(self, note: str) -> None:
        """The start's maintenance line. A routine daily backup does not push away
        what the status bar is saying (a first start's import summary was replaced by
        a backup's path 1.5 s after it came); a skipped backup always shows."""
        from desktop.maintenance import BACKED_UP

        if note and not (note.startswith(BACKED_UP) and self.statusBar().currentMessage()):
            self.flash(note)

    def list_area(self) -> QWidget:
        """The list (or the page in its place): where toasts and the highlight's
        comment card sit, never over the reading pane's text (desktop/toast.py)."""
        return self.pages

    def show_notices(self, notices: Sequence[str] | None = None) -> None:
        """Tell the user what the Library did on its own (`Library.notices`, as the
        command line prints them): a toast, and the first one in the status bar.
        Without `notices`, this window's Library's, each told once."""
        from desktop.toast import show_notices as toast_notices

        if notices is None:
            notices = list(self.library.notices)
            self.library.notices.clear()
        if notices:
            toast_notices(self, notices)
            self.flash(" ".join(notices[0].split()), 60_000)

    def _show_pending(self, keys: str) -> None:
        self.pending_label.setText(f"{keys} …" if keys else "")

    def empty_view_hint(self, view_key: str) -> str | None:
        """What puts a paper in an empty view, with the key that does it now (keys.json
        and states.json may have moved it)."""
        from desktop.text import isolated

        def key(command_id: str) -> str | None:
            keys = self.keymap.keys_for(command_id)
            return keys[0] if keys else None

        for state in self.states.states:
            if state.view == view_key and state.name != INBOX and key(f"state.{state.name}"):
                return (f"Press {key(f'state.{state.name}')} on a paper to move it to "
                        f"{isolated(state.label)}.")
        if view_key == "starred" and key("paper.star"):
            return f"Press {key('paper.star')} on a paper to star it."
        if view_key == "annotated" and key("caret.enter") and key("caret.highlight"):
            return (f"Highlight a passage of a paper ({key('caret.enter')}, then "
                    f"{key('caret.enter')} again to select, {key('caret.highlight')}) "
                    f"and it is listed here.")
        if view_key.startswith("tag:") and key("paper.tag"):
            return f"Press {key('paper.tag')} on a paper to tag it."
        return None

    def open_dialog(self, dialog, *, refocus: QWidget | None = None) -> None:
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

    # ============================================================ pages
    def showing_page(self) -> bool:
        """Whether a page (Statistics) covers the list."""
        return self.pages.currentWidget() is not self.panel

    def show_stats_page(self) -> None:
        """Statistics in place of the list and the reading pane; Esc comes back."""
        from desktop.statsview import StatsView

        self.reader.flush_note()
        if self.stats_view is None:
            self.stats_view = StatsView()
            self.stats_view.set_theme(self.theme)
            self.pages.addWidget(self.stats_view)
            # Written while the page shows (another program, a wake-up): count again.
            self.library_changed.connect(lambda _change: self.showing_page() and
                                         self._count_stats())
        self._count_stats()
        if not self.showing_page():
            # The page takes the reading pane's room too; the list gets it back as it was.
            self._list_sizes = self.splitter.sizes()
            sizes = list(self._list_sizes)
            sizes[1], sizes[2] = sizes[1] + sizes[2], 0
            self.reader.hide()
            self.splitter.setSizes(sizes)
        self.pages.setCurrentWidget(self.stats_view)
        self.browser.list_hidden = True
        self.sidebar.select_key("stats")
        self.stats_view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _count_stats(self) -> None:
        if self.stats_view is not None:  # counted on a worker thread, painted when done
            self.stats_view.refresh(self.library, self.states)

    def show_list_page(self) -> None:
        """Back from a page to the list and the reading pane, as they were."""
        if not self.showing_page():
            return
        self.pages.setCurrentWidget(self.panel)
        self.reader.show()
        self.splitter.setSizes(self._list_sizes)
        self.browser.list_hidden = False
        self.browser.reload_current()  # the pane went blank if the list reloaded meanwhile
        self.sidebar.select_key(self.sidebar_key())
        self.browser.focus_list()

    def sidebar_key(self) -> str | None:
        """The sidebar entry of what the window shows (none while searching)."""
        if self.showing_page():
            return "stats"
        return None if self.browser.search_query else self.browser.view_key

    # ============================================ what commands act on, and counts
    def current_id(self) -> int | None:
        return self.browser.current_id()

    def targets(self) -> list[int]:
        return self.browser.targets()

    def focus_list(self) -> None:
        self.browser.focus_list()

    def set_search(self, text: str) -> None:
        self.browser.set_search(text)

    def accept_search(self) -> None:
        self.run_command("search.accept")

    def import_samples(self) -> None:
        self.run_command("import.samples")

    def import_paths(self, paths: Sequence[Path], *, summary: bool = True) -> bool:
        return library_cmds.import_paths(self, paths, summary=summary)

    def quick_tags(self) -> dict[int, str]:
        """Key (1-9) -> tag: keys.json's quick_tags, else the keys stored per tag."""
        return tag_cmds.quick_tags(self.user_settings, self.library)

    def update_counts_label(self) -> None:
        stats = self.ops.facts.stats
        self.counts_label.setText(
            f"Inbox {stats.get(INBOX, 0):,}  ·  Showing {self.model.rowCount():,}  ·  "
            f"Total {stats.get('total', 0):,}")
        self.browser.update_view_count()

    @property
    def busy(self) -> bool:
        """True while something will still change the window (for scripted screenshots)."""
        return (self.importer.busy or self.remover.busy or self.browser.search_timer.isActive()
                or self.reader.note_pending or self.ops.counts_timer.isActive()
                or (self.stats_view is not None and self.stats_view.counting))

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

    def _restore_state(self) -> None:
        settings = self.settings
        assert settings is not None
        for key, restore in (("geometry", self.restoreGeometry),
                             ("splitter", self.splitter.restoreState),
                             ("columns", self.table.horizontalHeader().restoreState)):
            value = settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        # Columns sized by hand keep their width; the others are fitted to each view.
        by_hand = settings.value("columns_by_hand", "")
        self.browser.columns.user_sized = {
            int(part) for part in str(by_hand or "").split(",") if part.strip().isdigit()}

    def save_state(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("splitter", self.splitter.saveState())
        self.settings.setValue("columns", self.table.horizontalHeader().saveState())
        self.settings.setValue("columns_by_hand",
                               ",".join(map(str, sorted(self.browser.columns.user_sized))))
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_states_errors()
        self.end_key_reservation()
        self.settings_watcher.stop()
        self.show_list_page()  # the layout is saved as the list has it
        self.reader.flush_note()
        for timer in (self.ops.poll_timer, self.ops.counts_timer, self.browser.search_timer):
            timer.stop()
        self.save_state()
        self.ops.stop_listening()
        # Wait for the workers: a thread still running at exit aborts the process.
        self.importer.shutdown()
        self.remover.shutdown()
        self.fetcher.shutdown()
        self.learner.stop()
        if self.stats_view is not None:
            self.stats_view.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.dispatcher)
        super().closeEvent(event)
