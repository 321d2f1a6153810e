"""The list panel's widgets: header (view title, count, correction), paper table, empty state.

Layout only; what the panel shows is decided by `desktop.browser.Browser`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.delegates import PaperDelegate, TagsDelegate
from desktop.dialogs import plain_label
from desktop.model import (
    COL_BYLINE,
    COL_DATE,
    COL_READ,
    COL_STAR,
    COL_TAGS,
    COL_TITLE,
    COL_UPVOTES,
    PaperTableModel,
)


class PaperTable(QTableView):
    def keyboardSearch(self, search: str) -> None:
        """Letters are commands here, not type-ahead."""


class ListPanel(QWidget):
    def __init__(self, model: PaperTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("listPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
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
        layout.addWidget(list_header)

        self.model = model
        self.table = PaperTable()
        self.table.setObjectName("paperList")
        self.table.setProperty("winnowMode", "normal")
        self.table.setModel(model)
        self._setup_table()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.empty_state = self._build_empty_state()
        self.stack.addWidget(self.empty_state)
        layout.addWidget(self.stack, 1)

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
        self.paper_delegate = PaperDelegate(table)
        table.setItemDelegate(self.paper_delegate)
        self.tags_delegate = TagsDelegate(table)
        table.setItemDelegateForColumn(COL_TAGS, self.tags_delegate)

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
        layout.addSpacing(18)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.samples_button = QPushButton("Import sample listings")
        self.samples_button.setObjectName("primary")
        self.samples_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.files_button = QPushButton("Import files…")
        self.files_button.setObjectName("secondary")
        self.files_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        buttons.addWidget(self.samples_button)
        buttons.addWidget(self.files_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(2)
        return page
