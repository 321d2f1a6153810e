"""keys.json and states.json saved while the app runs take effect at once (by a plain
write or by an editor's write-and-rename), with the view and the paper in it kept; a
file that cannot be used is refused with its line and the keys stay as they were."""

from __future__ import annotations

import json
import os
from pathlib import Path

from desktop.settings_watch import SettingsWatcher, stamp
from desktop.toast import Toast
from storage import Library

WAIT_MS = 10_000  # the watcher's signal is real: inotify, then the settle timer


def _save(path: Path, data: object, *, rename: bool = False) -> None:
    """Save as an editor would: in place, or a new file renamed over the old one."""
    text = data if isinstance(data, str) else json.dumps(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    if rename:
        temporary = path.with_name(path.name + ".swp~")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    else:
        path.write_text(text, encoding="utf-8")


def _toast(window) -> str | None:
    """The details line of the window's toast while it shows."""
    toast = window.findChild(Toast)
    return toast.detail_text() if toast is not None and toast.isVisible() else None


def _middle(window, press) -> int:
    press("j", "j", "j")
    return window.current_id()


def test_a_state_added_to_states_json_while_the_app_runs_works_at_once(
        window, seeded: Library, press, qtbot, _isolated_config: Path) -> None:
    press("g a")
    paper = _middle(window, press)
    row = window.browser.current_row()
    assert window.states.get("parked") is None
    _save(_isolated_config / "states.json",
          {"states": {"parked": {"label": "Parked", "key": "z"}}})
    qtbot.waitUntil(lambda: window.states.get("parked") is not None, timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == "states.json reloaded: in effect now"
    # The view and the paper in it stay.
    assert window.browser.view_key == "all" and window.current_id() == paper
    assert window.browser.current_row() == row
    # The key, the sidebar view, the go-to key and the menu follow the file.
    assert "parked" in window.sidebar._entries
    assert any(a.text().startswith("Mark parked") for a in window.menus["Paper"].actions())
    press("z")
    assert seeded.get(paper).state == "parked"
    press("g z")
    assert window.browser.view_key == "parked" and paper in window.model.ids


def test_an_editor_that_saves_by_rename_is_followed_every_time(
        window, seeded: Library, press, qtbot, _isolated_config: Path) -> None:
    settings = _isolated_config / "states.json"
    press("g a")
    paper = _middle(window, press)
    for label in ("Keep", "Kept", "Kept for later"):
        _save(settings, {"states": {"shortlist": {"label": label}}}, rename=True)
        qtbot.waitUntil(lambda label=label: window.states["shortlist"].label == label,
                        timeout=WAIT_MS)
        assert window.sidebar.entry("shortlist").label == label
        assert window.current_id() == paper
    press("g q")
    assert window.browser.view_label == "Kept for later"
    assert window.panel.view_title.text() == "Kept for later"


def test_a_broken_states_json_is_refused_with_its_line_and_the_states_stay(
        window, seeded: Library, press, qtbot, _isolated_config: Path) -> None:
    settings = _isolated_config / "states.json"
    _save(settings, {"states": {"parked": {"label": "Parked", "key": "z"}}})
    qtbot.waitUntil(lambda: window.states.get("parked") is not None, timeout=WAIT_MS)
    paper = _middle(window, press)
    _save(settings, '{"states": {\n  "parked": {"label": "Parked", "key": "z"}\n  oops\n}}')
    qtbot.waitUntil(lambda: _toast(window) is not None and "line 3" in _toast(window),
                    timeout=WAIT_MS)
    toast = window.findChild(Toast)
    assert toast.detail_text().startswith(f"{settings}: not valid JSON")
    assert "reloaded" not in window.statusBar().currentMessage()
    assert window.states.get("parked") is not None and window.current_id() == paper
    press("z")  # the last good states still hold
    assert seeded.get(paper).state == "parked"


def test_keys_json_saved_while_the_app_runs_rebinds_and_a_broken_one_is_refused(
        window, seeded: Library, press, qtbot, _isolated_config: Path) -> None:
    keys = _isolated_config / "keys.json"
    paper = _middle(window, press)
    _save(keys, {"bindings": {"paper.star": ["f"]}})
    qtbot.waitUntil(lambda: window.keymap.keys_for("paper.star") == ["f"], timeout=WAIT_MS)
    assert window.current_id() == paper
    press("f")
    assert seeded.get(paper).starred
    _save(keys, '{"bindings": {"paper.star": ["w"]\n,,}')
    qtbot.waitUntil(lambda: (_toast(window) or "").startswith(f"{keys}: ignored"),
                    timeout=WAIT_MS)
    toast = window.findChild(Toast)
    assert "line 2" in toast.detail_text()
    assert window.keymap.keys_for("paper.star") == ["f"]  # kept, not the defaults
    press("f")
    assert not seeded.get(paper).starred


def test_the_watcher_says_changed_once_per_save_and_not_for_a_touch_of_nothing(
        qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "cfg"
    path = folder / "states.json"
    watcher = SettingsWatcher([path])
    assert stamp(path) is None and not watcher.check()
    with qtbot.waitSignal(watcher.changed, timeout=WAIT_MS):
        _save(path, {"states": {}})  # the folder is made, then the file in it
    assert watcher.seen[path] == stamp(path)
    assert not watcher.check()  # nothing new
    with qtbot.waitSignal(watcher.changed, timeout=WAIT_MS):
        _save(path, {"states": {"later": {"label": "Soon"}}}, rename=True)
    with qtbot.waitSignal(watcher.changed, timeout=WAIT_MS):
        path.unlink()
    assert watcher.seen[path] is None
