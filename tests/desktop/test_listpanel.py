"""The list panel's widgets (desktop/listpanel.py): letters are commands on the list,
not type-ahead; fixed row heights; the columns that never move; the empty state's
page. What the panel shows is the Browser's (tests/desktop/test_browser.py). Real
widgets on a real library, offscreen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView

from desktop.delegates import PaperDelegate, TagsDelegate
from desktop.listpanel import ListPanel
from desktop.model import COL_READ, COL_STAR, COL_TAGS, COL_TITLE, PaperTableModel
from storage import Library


@pytest.fixture
def panel(seeded: Library, qtbot) -> ListPanel:
    model = PaperTableModel(seeded)
    model.set_query("")
    widget = ListPanel(model)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _type_ahead_letter(model: PaperTableModel) -> tuple[str, int]:
    """A letter that starts the title of a row further down, not the first row's."""
    first = model.paper_row(0).title[0].casefold()
    for row in range(1, 50):
        letter = model.paper_row(row).title[0]
        if letter.isalpha() and letter.casefold() != first:
            return letter, row
    raise AssertionError("no title to jump to in the first 50 rows")


@pytest.mark.parametrize("kind", ["plain QTableView", "PaperTable"])
def test_a_letter_does_not_jump_to_a_title(panel: ListPanel, qtbot, kind: str) -> None:
    table = panel.table
    if kind == "plain QTableView":  # the control: Qt's own type-ahead would jump
        table = QTableView()
        table.setModel(panel.model)
        qtbot.addWidget(table)
        table.show()
        qtbot.waitExposed(table)
    letter, row = _type_ahead_letter(panel.model)
    table.setFocus()
    table.setCurrentIndex(panel.model.index(0, COL_TITLE))
    qtbot.keyClick(table, letter)
    expected = row if kind == "plain QTableView" else 0
    assert table.currentIndex().row() == expected


def test_rows_have_one_fixed_height_and_the_marks_fixed_columns(panel: ListPanel) -> None:
    table = panel.table
    vertical, horizontal = table.verticalHeader(), table.horizontalHeader()
    assert not vertical.isVisible()
    # Never sized to contents: 100k rows would each be measured before the first paint.
    assert vertical.sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert {table.rowHeight(r) for r in range(0, 400, 37)} == {34}
    assert horizontal.sectionResizeMode(COL_READ) == QHeaderView.ResizeMode.Fixed
    assert horizontal.sectionResizeMode(COL_STAR) == QHeaderView.ResizeMode.Fixed
    assert (horizontal.sectionSize(COL_READ), horizontal.sectionSize(COL_STAR)) == (26, 24)
    assert horizontal.sectionResizeMode(COL_TITLE) == QHeaderView.ResizeMode.Stretch
    assert horizontal.sectionSize(COL_TITLE) > table.viewport().width() // 3


def test_the_list_selects_rows_and_edits_nothing(panel: ListPanel, qtbot) -> None:
    table, model = panel.table, panel.model
    table.setFocus()
    table.setCurrentIndex(model.index(2, COL_TITLE))
    assert table.selectionModel().selectedRows() == [model.index(2, 0)]
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert [i.row() for i in table.selectionModel().selectedRows()] == [2, 3]
    assert table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert not table.tabKeyNavigation()
    assert isinstance(table.itemDelegate(), PaperDelegate)
    assert isinstance(table.itemDelegateForColumn(COL_TAGS), TagsDelegate)
    assert table.itemDelegateForColumn(COL_TITLE) is None  # the row delegate paints it


def test_the_empty_state_is_a_page_of_plain_text_and_buttons_without_focus(
        panel: ListPanel) -> None:
    assert panel.stack.currentWidget() is panel.table
    panel.empty_title.setText("<b>No papers</b>")
    panel.stack.setCurrentWidget(panel.empty_state)
    assert panel.empty_state.isVisible() and not panel.table.isVisible()
    labels = panel.empty_state.findChildren(QLabel)
    assert {label.textFormat() for label in labels} == {Qt.TextFormat.PlainText}
    assert panel.empty_title.text() == "<b>No papers</b>"
    for button in (panel.samples_button, panel.files_button):
        assert button.focusPolicy() == Qt.FocusPolicy.NoFocus
    # The page itself takes the keyboard, so that keys still reach the commands.
    assert panel.empty_state.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert panel.view_title.textFormat() == Qt.TextFormat.PlainText
    assert not panel.correction.isVisible()
