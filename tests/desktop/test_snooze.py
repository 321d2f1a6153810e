"""The `l` date chooser: real key presses pick tomorrow, next week, someday or a date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop.snooze import SnoozeChooser
from storage.states import snooze_date


@pytest.fixture
def chooser(qtbot):
    parent = QWidget()
    parent.resize(900, 600)
    qtbot.addWidget(parent)
    parent.show()
    picked: list[str] = []
    dialog = SnoozeChooser(parent, snooze_date, 1)
    dialog.chosen.connect(picked.append)
    dialog.start()
    qtbot.waitUntil(dialog.input.hasFocus)
    dialog.picked = picked
    dialog.keep_parent = parent  # the parent outlives the fixture's frame
    return dialog


@pytest.mark.parametrize("key, value", [("t", "tomorrow"), ("w", "next-week"),
                                        ("s", "someday")])
def test_one_letter_picks(chooser, qtbot, key: str, value: str) -> None:
    qtbot.keyClick(chooser.input, key)
    assert chooser.picked == [value] and not chooser.isVisible()


def test_a_typed_date_and_enter(chooser, qtbot) -> None:
    day = (date.today() + timedelta(days=10)).isoformat()
    qtbot.keyClicks(chooser.input, day)
    qtbot.keyClick(chooser.input, Qt.Key.Key_Return)
    assert chooser.picked == [day]


def test_a_past_date_is_refused_and_the_chooser_stays(chooser, qtbot) -> None:
    qtbot.keyClicks(chooser.input, "2001-01-01")
    qtbot.keyClick(chooser.input, Qt.Key.Key_Return)
    assert chooser.picked == [] and chooser.isVisible()
    assert "not after today" in chooser.hint.text()


def test_j_k_and_enter_pick_from_the_list(chooser, qtbot) -> None:
    qtbot.keyClick(chooser.input, "j")
    qtbot.keyClick(chooser.input, "j")
    qtbot.keyClick(chooser.input, "k")
    qtbot.keyClick(chooser.input, Qt.Key.Key_Return)
    assert chooser.picked == ["next-week"]


def test_escape_picks_nothing(chooser, qtbot) -> None:
    qtbot.keyClick(chooser.input, Qt.Key.Key_Escape)
    assert chooser.picked == [] and not chooser.isVisible()
