"""Keys as data and the key parser, tested without any window."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent

from desktop.keys import (
    Keymap,
    KeyNameError,
    KeyParser,
    load_overrides,
    normalise_stroke,
    parse_binding,
    stroke_from_event,
    stroke_from_parts,
)

NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def event(key: Qt.Key, text: str = "", modifiers=NO) -> QKeyEvent:
    return QKeyEvent(QEvent.Type.KeyPress, key, modifiers, text)


@pytest.mark.parametrize(("written", "canonical"), [
    ("j", "j"), ("J", "J"), ("?", "?"), ("1", "1"), ("ctrl+z", "Ctrl+Z"),
    ("Ctrl+Shift+Z", "Ctrl+Shift+Z"), ("ctrl+shift+p", "Ctrl+Shift+P"), ("escape", "Esc"),
    ("esc", "Esc"), ("return", "Return"), ("space", "Space"), ("shift+j", "J"),
    ("down", "Down"), ("F1", "F1"), ("shift+space", "Shift+Space"),
])
def test_binding_names_normalise(written: str, canonical: str) -> None:
    assert normalise_stroke(written) == canonical


def test_sequences_split_on_spaces() -> None:
    assert parse_binding("g i") == ("g", "i")
    assert parse_binding("* a") == ("*", "a")
    with pytest.raises(KeyNameError):
        parse_binding("ctrl+nosuchkey")


def test_events_become_the_names_users_write() -> None:
    assert stroke_from_event(event(Qt.Key.Key_J, "j")) == "j"
    assert stroke_from_event(event(Qt.Key.Key_J, "J", SHIFT)) == "J"
    assert stroke_from_event(event(Qt.Key.Key_Question, "?", SHIFT)) == "?"
    assert stroke_from_event(event(Qt.Key.Key_Z, "\x1a", CTRL)) == "Ctrl+Z"
    assert stroke_from_event(event(Qt.Key.Key_Z, "z", CTRL | SHIFT)) == "Ctrl+Shift+Z"
    assert stroke_from_event(event(Qt.Key.Key_Escape, "\x1b")) == "Esc"
    assert stroke_from_event(event(Qt.Key.Key_Space, " ")) == "Space"
    assert stroke_from_event(event(Qt.Key.Key_Return, "\r")) == "Return"
    assert stroke_from_event(event(Qt.Key.Key_Shift, "", SHIFT)) == ""
    assert stroke_from_parts(int(Qt.Key.Key_K), NO) == "k"  # synthetic, no text


def keymap(**overrides) -> Keymap:
    defaults = [
        ("next", "normal", ["j", "Down"]),
        ("inbox", "normal", ["g i"]),
        ("top", "normal", ["g g"]),
        ("palette", "global", ["Ctrl+K"]),
        ("leave", "global", ["Esc"]),
        ("word", "caret", ["w"]),
        ("line", "caret", ["j"]),
    ]
    return Keymap.build(defaults, overrides)


def test_parser_emits_commands_for_single_keys(qtbot) -> None:
    parser = KeyParser(keymap())
    with qtbot.wait_signal(parser.matched) as blocker:
        assert parser.feed_event(event(Qt.Key.Key_J, "j"), "normal")
    assert blocker.args == ["next"]
    with qtbot.assert_not_emitted(parser.matched):
        assert not parser.feed("q", "normal")  # unbound keys go on to the widget


def test_parser_waits_for_the_second_key_of_a_sequence(qtbot) -> None:
    parser = KeyParser(keymap())
    seen: list[str] = []
    parser.matched.connect(seen.append)
    pending: list[str] = []
    parser.pending_changed.connect(pending.append)
    assert parser.feed("g", "normal")
    assert parser.pending == "g" and pending == ["g"] and seen == []
    assert parser.feed("i", "normal")
    assert seen == ["inbox"] and parser.pending == ""
    parser.feed("g", "normal")
    parser.feed("g", "normal")
    assert seen == ["inbox", "top"]


def test_a_key_that_breaks_a_sequence_is_tried_alone(qtbot) -> None:
    parser = KeyParser(keymap())
    seen: list[str] = []
    parser.matched.connect(seen.append)
    parser.feed("g", "normal")
    assert parser.feed("j", "normal")
    assert seen == ["next"]
    parser.feed("g", "normal")
    assert parser.feed("Esc", "normal")  # Esc only cancels the pending "g"
    assert seen == ["next"] and parser.pending == ""


def test_a_pending_sequence_times_out(qtbot) -> None:
    parser = KeyParser(keymap(), timeout_ms=50)
    parser.feed("g", "normal")
    with qtbot.wait_signal(parser.pending_changed, timeout=2000) as blocker:
        pass
    assert blocker.args == [""]
    assert parser.pending == ""


def test_modes_fall_back_and_override(qtbot) -> None:
    parser = KeyParser(keymap())
    seen: list[str] = []
    parser.matched.connect(seen.append)
    parser.feed("j", "caret")          # caret's own j wins over normal's
    parser.feed("g", "caret")
    parser.feed("i", "caret")          # caret falls back to normal
    parser.feed("Ctrl+K", "insert")    # global keys work in text fields
    assert not parser.feed("j", "insert")  # but letters are typing there
    assert seen == ["line", "inbox", "palette"]


def test_user_overrides_replace_default_keys(tmp_path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"bindings": {"next": ["n", "ctrl+n"], "inbox": [],
                                             "nosuch": "x"},
                                "quick_tags": ["rl", "keep"]}), encoding="utf-8")
    bindings, rest, warnings = load_overrides(path)
    assert warnings == []
    assert rest == {"quick_tags": ["rl", "keep"]}
    km = keymap(**bindings)
    assert km.keys_for("next") == ["n", "Ctrl+N"]
    assert km.keys_for("inbox") == []
    assert ("j",) not in km.effective("normal")
    assert any("nosuch" in w for w in km.warnings)


def test_the_template_lists_commands_and_loads_cleanly(tmp_path) -> None:
    from desktop.keys import write_template

    path = tmp_path / "sub" / "keys.json"
    assert write_template(path, [("paper.star", "Star", ["s"]), ("go.inbox", "Inbox", ["g i"])])
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["_commands"]["go.inbox"] == "Inbox — g i"
    assert load_overrides(path)[0] == {} and load_overrides(path)[2] == []
    path.write_text('{"bindings": {"paper.star": ["f"]}}', encoding="utf-8")
    assert not write_template(path, [])  # never overwrites the user's file
    assert load_overrides(path)[0] == {"paper.star": ["f"]}


def test_a_broken_keys_file_is_reported_not_fatal(tmp_path) -> None:
    path = tmp_path / "keys.json"
    path.write_text("{not json", encoding="utf-8")
    bindings, rest, warnings = load_overrides(path)
    assert bindings == {} and rest == {} and len(warnings) == 1
    assert load_overrides(tmp_path / "missing.json") == ({}, {}, [])


def test_a_bad_key_name_in_overrides_is_a_warning() -> None:
    km = keymap(next=["ctrl+bogus", "n"])
    assert km.keys_for("next") == ["n"]
    assert any("bogus" in w for w in km.warnings)


def test_rebinding_a_taken_key_moves_it() -> None:
    km = keymap(top=["j"])
    assert km.effective("normal")[("j",)] == "top"
    assert km.keys_for("next") == ["Down"]
    assert km.warnings


def test_a_key_the_user_binds_wins_over_a_default_registered_later() -> None:
    """keys.json giving `O` to "open the paper's page" lost to the default `O` of
    "open its code", registered after it: the later default took the key back."""
    defaults = [("paper.open_web", "normal", ["o"]), ("paper.open_code", "normal", ["O"])]
    keymap = Keymap.build(defaults, {"paper.open_web": ["O"]})
    assert keymap.effective("normal")[("O",)] == "paper.open_web"
    assert ("o",) not in keymap.effective("normal")
    assert keymap.warnings == ["O was bound to paper.open_code; now runs paper.open_web"]
    # Registered the other way round: the same.
    keymap = Keymap.build(defaults[::-1], {"paper.open_web": ["O"]})
    assert keymap.effective("normal")[("O",)] == "paper.open_web"
