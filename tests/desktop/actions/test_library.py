"""Library commands: export by suffix, saved searches."""

from __future__ import annotations

import csv
import json
import re
from fnmatch import fnmatch
from pathlib import Path

from desktop.actions.library import export_to
from storage import Library
from storage.export import format_for


def test_export_format_follows_the_file_suffix(window, seeded: Library,
                                               tmp_path: Path) -> None:
    window.set_search("title:tetris")
    shown = window.model.rowCount()
    export_to(window, tmp_path / "out.json")
    assert len(json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))) == shown
    export_to(window, tmp_path / "out.CSV")
    with (tmp_path / "out.CSV").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == shown
    export_to(window, tmp_path / "out.bib")
    assert (tmp_path / "out.bib").read_text(encoding="utf-8").startswith("@")
    assert format_for(".txt") == "markdown"


def test_save_search_is_enabled_only_while_searching(window) -> None:
    save = window.registry["search.save"]
    assert not save.is_enabled()
    window.set_search("kolmogorov")
    assert save.is_enabled()
    assert not window.registry["search.delete_saved"].is_enabled()


def test_a_refused_saved_search_delete_does_not_say_deleted(seeded_path: Path,
                                                           make_window) -> None:
    """On a read-only library the error line was overwritten by "Deleted saved search"
    (attack.md F18)."""
    with Library(seeded_path) as writable:
        writable.save_search("KAN", "kolmogorov")
    with Library(seeded_path, read_only=True) as library:
        window = make_window(library)
        window.browser.show_view("saved:KAN", "KAN", "kolmogorov")
        window.run_command("search.delete_saved")
        message = window.statusBar().currentMessage()
        assert "read-only" in message and "Deleted" not in message
        assert library.saved_searches() == [("KAN", "kolmogorov")]
        assert window.browser.view_key == "saved:KAN"
        window.close()


FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"


def test_the_import_dialog_shows_a_page_saved_in_any_form_and_imports_it(
        make_window, library: Library, qtbot) -> None:
    """Its first filter was "*.txt *.text *.md": a page saved with Ctrl+S (.html) or the
    API's answer (.json) was not in the list (attack F25)."""
    from PySide6.QtWidgets import QFileDialog

    window = make_window(library)
    window.run_command("import.files")
    dialog = window.findChild(QFileDialog)
    assert dialog is not None and dialog.isVisible()
    shown = re.search(r"\((.*)\)", dialog.selectedNameFilter()).group(1).split()
    saved = [p for p in FORMS.iterdir() if p.suffix in {".txt", ".md", ".html", ".json"}
             and not p.name.startswith("not-")]
    assert {p.suffix for p in saved} == {".txt", ".md", ".html", ".json"}
    for name in [p.name for p in saved] + ["Daily Papers - Hugging Face.htm",
                                           "clip.markdown", "Page.HTML"]:
        assert any(fnmatch(name.lower(), pattern) for pattern in shown), name
    # What the dialog hands on is imported: the saved page and the API's answer.
    dialog.filesSelected.emit([str(FORMS / "html-daily.html"), str(FORMS / "api-week.json")])
    qtbot.waitUntil(lambda: not window.importer.busy and library.stats()["total"] > 0,
                    timeout=20000)
    assert {s["form"] for s in library.sources()} == {"html", "api"}


def test_the_import_dialog_starts_where_pages_are_saved_then_in_the_last_folder(
        make_window, library: Library, qtbot, tmp_path: Path) -> None:
    """It opened in the directory the app was started from (a source checkout, `/`),
    as Qt's platform dialog, light in dark mode; now as the export dialog does."""
    import os
    import shutil

    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QFileDialog

    window = make_window(library)
    window.run_command("import.files")
    dialog = window.findChild(QFileDialog)
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
    downloads = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DownloadLocation)
    usual = Path(downloads) if downloads and Path(downloads).is_dir() else Path.home()
    assert Path(dialog.directory().absolutePath()) == usual.resolve()
    assert Path(dialog.directory().absolutePath()) != Path(os.getcwd())
    folder = tmp_path / "saved pages"
    folder.mkdir()
    page = folder / "daily.html"
    shutil.copy(FORMS / "html-daily.html", page)
    dialog.filesSelected.emit([str(page)])
    dialog.close()
    qtbot.waitUntil(lambda: not window.importer.busy and library.stats()["total"] > 0,
                    timeout=20000)
    qtbot.waitUntil(lambda: window.findChild(QFileDialog) is None, timeout=5000)
    window.run_command("import.files")
    again = window.findChild(QFileDialog)
    assert Path(again.directory().absolutePath()) == folder
