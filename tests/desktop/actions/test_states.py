"""The triage states in the app, all from storage/states.py's table: one key each with
advance, a sidebar view with a live count and a go-to key, and undo for each."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from desktop.snooze import SnoozeChooser
from storage import Library
from storage.states import table

KEYED = [(s.name, s.key) for s in table().states if not s.snoozes]


def _chooser() -> SnoozeChooser | None:
    focus = QApplication.focusWidget()
    window = focus.window() if focus is not None else None
    return window if isinstance(window, SnoozeChooser) else None


@pytest.mark.parametrize("state, key", KEYED)
def test_each_state_key_moves_advances_and_undoes(window, seeded: Library, press, qtbot,
                                                  state: str, key: str) -> None:
    if state == "inbox":  # from elsewhere back to the Inbox, in All papers
        first = window.current_id()
        seeded.set_state([first], "done")
        press("g a")
        window.browser.select_paper(first)
    ids = list(window.model.ids)
    row = ids.index(window.current_id())
    press(key)
    assert seeded.get(ids[row]).state == state
    assert window.current_id() == ids[row + 1]
    assert "Ctrl+Z to undo" in window.statusBar().currentMessage()
    press("ctrl+z")
    assert seeded.get(ids[row]).state == ("done" if state == "inbox" else "inbox")


def test_r_is_done_too(window, seeded: Library, press) -> None:
    first = window.current_id()
    press("r")
    assert seeded.get(first).state == "done"


@pytest.mark.parametrize("keys, until", [
    (["t"], (date.today() + timedelta(days=1)).isoformat()),
    (["s"], None),
])
def test_l_asks_when_then_snoozes(window, seeded: Library, press, qtbot, keys, until) -> None:
    first = window.current_id()
    press("l")
    qtbot.waitUntil(lambda: _chooser() is not None)
    press(*keys)
    qtbot.waitUntil(lambda: seeded.get(first).state == "later")
    assert seeded.get(first).snooze_until == until
    assert window.current_id() == window.model.ids[1]
    qtbot.waitUntil(lambda: _chooser() is None and window.table.hasFocus())
    press("ctrl+z")
    assert seeded.get(first).state == "inbox"


def test_l_then_a_typed_date(window, seeded: Library, press, type_text, qtbot) -> None:
    first = window.current_id()
    day = (date.today() + timedelta(days=12)).isoformat()
    press("l")
    qtbot.waitUntil(lambda: _chooser() is not None)
    type_text(day)
    press("Return")
    qtbot.waitUntil(lambda: seeded.get(first).state == "later")
    assert seeded.get(first).snooze_until == day


def test_l_then_escape_leaves_the_paper(window, seeded: Library, press, qtbot) -> None:
    first = window.current_id()
    press("l")
    qtbot.waitUntil(lambda: _chooser() is not None)
    press("Escape")
    qtbot.waitUntil(lambda: _chooser() is None)
    assert seeded.get(first).state == "inbox" and window.current_id() == first


@pytest.mark.parametrize("state", [s for s in table().states])
def test_each_state_is_a_view_with_a_live_count_and_a_go_key(window, seeded: Library,
                                                             press, qtbot, state) -> None:
    ids = window.model.ids
    if state.name != "inbox":
        seeded.set_state(ids[:3], state.name,
                         "tomorrow" if state.snoozes else None)
        window.ops.refresh_external()
    want = 415 if state.name == "inbox" else 3
    qtbot.waitUntil(lambda: window.sidebar.entry(state.view).count == want)
    press("g a")
    press(f"g {state.key}")
    assert window.browser.view_key == state.view
    assert window.model.rowCount() == want
    assert window.panel.view_title.text() == state.label


def test_the_inbox_count_follows_a_decision(window, press, qtbot) -> None:
    press("q")
    qtbot.waitUntil(lambda: window.sidebar.entry("inbox").count == 414)
    assert window.sidebar.entry("shortlist").count == 1
    assert "Inbox 414" in window.counts_label.text()


def test_a_state_added_in_states_json_gets_a_key_and_a_view(
        seeded: Library, make_window, press, _isolated_config: Path, qtbot) -> None:
    _isolated_config.mkdir(parents=True, exist_ok=True)
    (_isolated_config / "states.json").write_text(json.dumps(
        {"states": {"parked": {"label": "Parked", "key": "z", "icon": "~"}}}),
        encoding="utf-8")
    window = make_window(seeded)
    first = window.current_id()
    press("z")
    assert seeded.get(first).state == "parked"
    qtbot.waitUntil(lambda: window.sidebar.entry("parked") is not None
                    and window.sidebar.entry("parked").count == 1)
    press("g z")
    assert window.browser.view_key == "parked" and list(window.model.ids) == [first]


def _rewrite(path: Path, text: str) -> None:
    """Write `text` and move the file's time on, as a later save would."""
    import os

    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_papers_in_a_state_taken_out_of_states_json_stay_reachable(
        seeded: Library, make_window, press, _isolated_config: Path, qtbot) -> None:
    _isolated_config.mkdir(parents=True, exist_ok=True)
    settings = _isolated_config / "states.json"
    _rewrite(settings, json.dumps({"states": {"parked": {"label": "Parked", "key": "z"}}}))
    parked = list(seeded.search("", limit=3).ids)
    seeded.set_state(parked, "parked")
    _rewrite(settings, "{}")  # the user took the state out again
    window = make_window(seeded)
    assert window.states.get("parked") is None
    # A view of its own, by the stored name, with its count, under the states.
    keys = [e.key for e in window.sidebar.entries()]
    entry = window.sidebar.entry("unknown:parked")
    assert entry is not None and (entry.label, entry.count, entry.query) == \
        ("parked", 3, "is:parked")
    assert keys.index("skipped") < keys.index("unknown:parked") < keys.index("all")
    window.sidebar.setCurrentItem(window.sidebar._entries["unknown:parked"])
    assert sorted(window.model.ids) == sorted(parked)
    window.focus_list()
    qtbot.waitUntil(lambda: window.table.hasFocus())
    first = window.current_id()
    assert window.reader.state.text().startswith("• PARKED")
    # The normal keys move them; undo puts the stored state back.
    press("e")
    assert seeded.get(first).state == "done"
    qtbot.waitUntil(lambda: window.sidebar.entry("unknown:parked").count == 2)
    press("ctrl+z")
    assert seeded.get(first).state == "parked"
    qtbot.waitUntil(lambda: window.sidebar.entry("unknown:parked").count == 3)
    # The search finds them too, and nothing rewrote a stored state.
    window.set_search("is:parked")
    assert sorted(window.model.ids) == sorted(parked) and window.model.error is None
    assert [seeded.get(i).state for i in parked] == ["parked"] * 3


def test_a_state_whose_key_is_taken_is_refused_in_one_line(
        seeded: Library, make_window, _isolated_config: Path) -> None:
    from desktop.toast import Toast

    _isolated_config.mkdir(parents=True, exist_ok=True)
    settings = _isolated_config / "states.json"
    _rewrite(settings, json.dumps({"states": {"parked": {"label": "Parked", "key": "j"}}}))
    window = make_window(seeded)
    toast = window.findChild(Toast)
    assert toast is not None and toast.isVisible()
    assert toast.detail_text() == (f"{settings}: state 'parked': key 'j' (j) is already "
                                    f"bound to 'Next paper'; choose another key")
    assert window.states.get("parked") is None  # the built-in states, `j` still moves
    assert window.keymap.effective("normal")[("j",)] == "list.next"


def test_a_state_key_that_keys_json_binds_elsewhere_is_refused_naming_both_files(
        seeded: Library, make_window, press, _isolated_config: Path) -> None:
    from desktop.toast import Toast

    _isolated_config.mkdir(parents=True, exist_ok=True)
    keys = _isolated_config / "keys.json"
    keys.write_text(json.dumps({"bindings": {"paper.star": ["w"]}}), encoding="utf-8")
    settings = _isolated_config / "states.json"
    _rewrite(settings, json.dumps({"states": {"parked": {"label": "Parked", "key": "w"}}}))
    window = make_window(seeded)
    toast = window.findChild(Toast)
    assert toast is not None and toast.isVisible()
    assert toast.detail_text() == (f"{settings}: state 'parked': key 'w' (w) is already "
                                    f"bound to 'Star / unstar' in {keys}; choose another key")
    assert window.states.get("parked") is None
    first = window.current_id()
    press("w")  # keys.json's binding holds: the paper is starred, not parked
    assert seeded.get(first).starred and seeded.get(first).state == "inbox"


def test_a_default_key_that_keys_json_frees_may_be_taken_by_a_state(
        seeded: Library, make_window, press, _isolated_config: Path) -> None:
    _isolated_config.mkdir(parents=True, exist_ok=True)
    (_isolated_config / "keys.json").write_text(
        json.dumps({"bindings": {"paper.open_web": ["O"]}}), encoding="utf-8")
    _rewrite(_isolated_config / "states.json",
             json.dumps({"states": {"parked": {"label": "Parked", "key": "o"}}}))
    window = make_window(seeded)
    assert window.states.get("parked") is not None
    first = window.current_id()
    press("o")
    assert seeded.get(first).state == "parked" and window.opened_urls == []
    press("k", "O")
    assert len(window.opened_urls) == 1
