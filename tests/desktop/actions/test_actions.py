"""desktop/actions/__init__.py: the enabled-when predicates, the list of command sets
(state commands made from the state table) and the keys a state may not take."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktop import actions
from storage import Library
from storage.states import BUILTIN_STATES, FLAGS, State, StateTable


def test_the_predicates_follow_the_window(window, seeded: Library, press, qtbot) -> None:
    first = window.current_id()
    assert first is not None
    assert actions.has_paper(window) and actions.has_targets(window)
    assert not actions.has_annotation(window)
    seeded.annotate_quote(first, seeded.get(first).abstract.split()[0])
    window.browser.select_row(1)
    window.browser.select_paper(first)
    qtbot.waitUntil(lambda: window.reader.annotation_list.count() == 1)
    assert actions.has_annotation(window)
    # A search with no match leaves no paper: nothing to act on, unless marked.
    window.browser.show_view("inbox", "Inbox", "zzqxnonesuchword")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    assert window.current_id() is None
    assert not actions.has_paper(window) and not actions.has_targets(window)


def test_marked_papers_are_targets_without_a_current_paper(window, press, qtbot) -> None:
    press("x")  # mark the current paper
    assert window.model.marked
    window.browser.show_view("inbox", "Inbox", "zzqxnonesuchword")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    assert not actions.has_paper(window)
    assert actions.has_targets(window) == bool(window.model.marked)


def _ids(table: StateTable) -> list[str]:
    return [spec.id for commands in actions.command_sets(table) for spec in commands.specs]


def test_state_commands_come_from_the_table_after_navigation() -> None:
    builtin = StateTable(BUILTIN_STATES)
    sets = actions.command_sets(builtin)
    assert sets[0].name == "navigation"
    state_ids = [spec.id for spec in sets[1].specs]
    for state in BUILTIN_STATES:
        assert f"state.{state.name}" in state_ids
        assert f"go.{state.view}" in state_ids
    ids = _ids(builtin)
    assert len(ids) == len(set(ids)), "a command id twice"
    # A state the user adds is one more command and one more view, nothing else.
    parked = State("parked", "Parked", "z", "P")
    more = _ids(StateTable((*BUILTIN_STATES, parked)))
    assert sorted(set(more) - set(ids)) == ["go.parked", "state.parked"]
    assert len(more) == len(ids) + 2


def test_no_two_commands_share_a_key_in_a_mode() -> None:
    seen: dict[tuple[str, str], str] = {}
    for commands in actions.command_sets(StateTable(BUILTIN_STATES)):
        for spec in commands.specs:
            for key in spec.keys:
                owner = seen.setdefault((spec.mode, key), spec.id)
                assert owner == spec.id, f"{key!r} in {spec.mode}: {owner} and {spec.id}"


def test_reserved_keys_hold_every_other_command_and_no_state_key() -> None:
    keys = actions.reserved_keys()
    assert keys["j"] == "bound to 'Next paper'"
    assert keys["g"].startswith("the first key of 'g ")
    for flag in FLAGS:
        assert f"g {flag.key}" in keys
    assert keys["r"] == "state:done" and keys["g i"] == "state:inbox"
    # The states' own keys stay free, so states.json may move them.
    for state in BUILTIN_STATES:
        if state.key and state.key not in ("r",):
            assert state.key not in keys, state.key
    # Every reserved key is one a command of the window really has (or begins with).
    bound = {key for commands in actions.command_sets(StateTable(BUILTIN_STATES))
             for spec in commands.specs for key in spec.keys}
    firsts = {key.partition(" ")[0] for key in bound}
    for key, owner in keys.items():
        if owner.startswith("bound to") or owner.startswith("state:"):
            assert key in bound, key
        else:
            assert key in firsts, key


@pytest.mark.parametrize("key", ["e", "q"])
def test_a_state_key_moved_in_the_table_moves_its_command(key: str) -> None:
    table = StateTable(tuple(replace(s, key="z") if s.key == key else s
                             for s in BUILTIN_STATES))
    specs = {spec.id: spec for commands in actions.command_sets(table)
             for spec in commands.specs}
    moved = next(s for s in BUILTIN_STATES if s.key == key)
    assert "z" in specs[f"state.{moved.name}"].keys
    assert key not in specs[f"state.{moved.name}"].keys
