"""The triage loop as a new user meets it: quick-tag keys, tag rename and delete, the
list's marks, the header's count, toasts instead of modal boxes, the first
start, `o` without a browser, and the export dialog. Real widgets, real key presses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from desktop.dialogs import ChoiceRole, CommandPalette, TagDialog
from desktop.toast import Toast
from storage import Library
from tests.conftest import SEEDS


def focus():
    return QApplication.focusWidget()


def _toast(window) -> Toast | None:
    toast = window.findChild(Toast)
    return toast if toast is not None and toast.isVisible() else None


def _distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


# ------------------------------------------------------------------- tags
def test_quick_tag_keys_stay_put_and_are_shown(window, seeded: Library, press,
                                               qtbot) -> None:
    first, other = window.model.ids[0], window.model.ids[9]
    seeded.add_tags([other], ["safety"])   # made first: key 1
    seeded.add_tags([other], ["agents"])   # made second, first by name: key 2
    window.ops.refresh_counts()
    assert window.sidebar.entry("tag:safety").hint == "1"
    assert window.sidebar.entry("tag:agents").hint == "2"
    press("1")
    assert seeded.get(first).tags == ("safety",)
    press("t")
    qtbot.waitUntil(lambda: isinstance(focus().window(), TagDialog))
    dialog = focus().window()
    assert dialog.quick == {"safety": 1, "agents": 2}
    press("Esc")
    qtbot.waitUntil(lambda: focus() is window.table)
    # The palette offers the keys that hold a tag, by name, and no others.
    press("ctrl+k")
    qtbot.waitUntil(lambda: isinstance(focus().window(), CommandPalette))
    palette = focus().window()
    titles = [palette.list.item(i).data(ChoiceRole).title for i in range(palette.list.count())]
    assert [t for t in titles if "quick tag" in t] == ["Toggle quick tag 1: safety",
                                                      "Toggle quick tag 2: agents"]
    press("Esc")


def test_rename_merge_and_delete_a_tag_from_its_view(window, seeded: Library, press,
                                                     qtbot) -> None:
    ids = list(window.model.ids[:3])
    seeded.add_tags(ids[:2], ["rl"])
    seeded.add_tags(ids[2:], ["reinforcement"])
    window.ops.refresh_counts()
    window.browser.show_tag("rl")
    assert window.run_command("tag.delete")
    assert [name for name, _ in seeded.tags()] == ["reinforcement"]
    assert window.browser.view_key == "inbox"
    press("ctrl+z")
    assert {name for name, _ in seeded.tags()} == {"rl", "reinforcement"}
    # It names the tag it brought back ("Undid tag edit on 2 papers" did not).
    assert window.statusBar().currentMessage().startswith(
        "Undid deleting tag “rl” on 2 papers"), window.statusBar().currentMessage()
    window.browser.show_tag("rl")
    assert window.run_command("tag.rename")
    qtbot.waitUntil(lambda: focus() is not None and focus().window() is not window)
    field = focus()
    field.selectAll()
    qtbot.keyClicks(field, "reinforcement")
    press("Return")
    qtbot.waitUntil(lambda: [n for n, _ in seeded.tags()] == ["reinforcement"])
    assert set(seeded.search("tag:reinforcement", limit=None).ids) == set(ids)
    assert window.browser.view_key == "tag:reinforcement"


# ------------------------------------------------------------------- list
def test_the_header_count_agrees_with_the_sidebar_after_r(window, seeded: Library, press,
                                                          qtbot) -> None:
    press("r")
    window.ops.refresh_counts()
    inbox = window.sidebar.entry("inbox").count
    assert inbox == 414
    text = window.panel.view_count.text()
    assert text.startswith("414 papers"), text


# ----------------------------------------------------------------- honesty
def test_o_says_so_when_no_browser_starts(window, seeded: Library, press) -> None:
    window.url_opener = lambda _url: False
    press("o")
    message = window.statusBar().currentMessage()
    assert "Could not start a web browser" in message
    clip = QGuiApplication.clipboard().text()
    assert clip.startswith("https://huggingface.co/papers?q=")


# ---------------------------------------------------------------- toasts
def test_an_import_reports_in_a_toast_not_a_modal_box(library: Library, make_window,
                                                      qtbot, tmp_path: Path) -> None:
    window = make_window(library, interactive=True)
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"\x00\x01\x02 not a listing")
    window.import_paths([SEEDS[1], bad])
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20000)
    qtbot.waitUntil(lambda: _toast(window) is not None)
    toast = _toast(window)
    assert "1 could not be imported" in toast.text() and "binary.txt" in toast.text()
    assert not any(isinstance(w, QMessageBox) and w.isVisible()
                   for w in QApplication.topLevelWidgets())
    assert focus() is window.table  # the keyboard stayed on the list
    if hasattr(library, "undo_import"):
        assert toast.action.isVisible()
        toast.trigger()
        qtbot.waitUntil(lambda: library.stats()["total"] == 0)


def test_first_start_says_what_happened_and_how_to_begin(library: Library, make_window,
                                                         qtbot) -> None:
    from desktop.app import welcome

    window = make_window(library)
    welcome(window)
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=30000)
    qtbot.waitUntil(lambda: _toast(window) is not None)
    # Each key is held to its words by a no-break space: read as the user sees it.
    text = _toast(window).text().replace("\u00a0", " ")
    assert "five sample listings" in text and "415 papers" in text
    for key in ("j", "e", "?"):
        assert f"{key} " in text
    labels = [e.label for e in window.sidebar.entries() if e.key.startswith("source:")]
    assert labels and not any("_" in label for label in labels)
    assert "Sample listing 2" in labels


# ---------------------------------------------------------------- export
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_export_dialog_is_themed_in_documents_with_a_name(seeded: Library, make_window,
                                                          press, qtbot, tmp_path: Path,
                                                          monkeypatch, theme: str) -> None:
    monkeypatch.setenv("WINNOW_THEME", theme)
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    window = make_window(seeded)

    def dialog() -> QFileDialog | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, QFileDialog) and w.isVisible()), None)

    press("ctrl+e")
    qtbot.waitUntil(lambda: dialog() is not None)
    found = dialog()
    assert found.testOption(QFileDialog.Option.DontUseNativeDialog)
    assert Path(found.directory().absolutePath()) == home / "Documents"
    proposed = Path(found.selectedFiles()[0]).name
    assert proposed == f"winnow-inbox-{date.today().isoformat()}.md"
    background = found.palette().color(found.backgroundRole())
    assert _distance(background, window.theme.colour("window")) < 30
    out = tmp_path / "exports"
    out.mkdir()
    found.selectFile(str(out / "notes.md"))
    found.accept()
    qtbot.waitUntil(lambda: (out / "notes.md").exists())
    press("ctrl+e")
    qtbot.waitUntil(lambda: dialog() is not None)
    assert Path(dialog().directory().absolutePath()) == out
    dialog().reject()

