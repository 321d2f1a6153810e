"""The library: import (files, samples, clipboard), export, saved searches."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QInputDialog

from desktop.commands import CommandSet
from desktop.toast import toast_for
from storage import sample_listings
from storage.export import FORMAT_FILES, format_for

if TYPE_CHECKING:
    from desktop.window import MainWindow

commands = CommandSet("library")
command = commands.command


@command("import.files", "Import listings…", keys=("Ctrl+I",), mode="global",
         group="Library", menu="File")
def import_files_dialog(w: MainWindow) -> None:
    dialog = QFileDialog(w, "Import Daily Papers listings")
    # As the export dialog: drawn with the app's theme, and opened where a saved page
    # is (the last import's folder, else Downloads), not where the app was started.
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    # Every form a page is saved in: "Save Page As" gives .html/.htm, the API .json; the
    # form is told from the content, so the list only has to show the files.
    dialog.setNameFilters(["Listings (*.txt *.text *.md *.markdown *.html *.htm *.json)",
                           "All files (*)"])
    dialog.setDirectory(str(start_folder(w, "import/folder",
                                         QStandardPaths.StandardLocation.DownloadLocation)))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.filesSelected.connect(lambda files: _import_chosen(w, [Path(f) for f in files]))
    w.open_dialog(dialog)


def _import_chosen(w: MainWindow, paths: list[Path]) -> None:
    if paths:
        remember_folder(w, "import/folder", paths[0].parent)
    import_paths(w, paths)


def import_paths(w: MainWindow, paths: Sequence[Path], *, summary: bool = True) -> bool:
    """Import files off the GUI thread (the importer reports and refreshes when done)."""
    if not paths:
        return False
    return w.importer.start(paths=paths, summary=summary)


@command("import.samples", "Import the sample listings", group="Library", menu="File")
def import_samples(w: MainWindow) -> None:
    import_paths(w, sample_listings(), summary=False)


@command("import.paste", "Import the listing on the clipboard", keys=("Ctrl+V",),
         group="Library", menu="File")
def import_clipboard(w: MainWindow) -> None:
    # A browser's copy holds the selection twice: as plain text, and as HTML with each
    # title's link to /papers/<arXiv id>. The importer reads the HTML when it holds
    # the listing more exactly (storage.paste.chosen_paste).
    mime = QGuiApplication.clipboard().mimeData()
    text = mime.text() if mime is not None else ""
    html = mime.html() if mime is not None and mime.hasHtml() else ""
    if not text.strip() and not html.strip():
        w.flash("The clipboard holds no text to import")
        return
    w.importer.start(text=text, html=html or None, summary=True,
                     label="Importing the pasted listing…")


def import_done(w: MainWindow, _report: object, _summary: bool) -> None:
    w.ops.saw_own_write()
    keep = w.current_id()
    w.browser.load(keep_id=keep)
    if keep is None and w.model.rowCount():
        w.browser.select_row(0)
    w.ops.refresh_counts()


def undo_imports(w: MainWindow, source_ids: list[int]) -> None:
    """The toast's "Undo import": take the finished imports back in the background
    (papers the user has worked on stay; see Library.undo_import). `Ctrl+Z` then
    puts the last one back."""
    from desktop.actions.imports import taken_back

    w.reader.flush_note()
    w.remover.undo_imports(source_ids, then=lambda results: taken_back(w, results))


@command("export.view", "Export this view…", keys=("Ctrl+E",), mode="global",
         group="Library", menu="File")
def export_view(w: MainWindow) -> None:
    dialog = QFileDialog(w, "Export this view")
    # Qt's own dialog, drawn with the app's palette and stylesheet: the platform's
    # dialog stayed light in dark mode.
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilters([f"{label} (*{suffix})" for label, suffix in FORMAT_FILES.values()])
    dialog.setDefaultSuffix(next(iter(FORMAT_FILES.values()))[1].lstrip("."))
    dialog.setDirectory(str(export_folder(w)))
    dialog.selectFile(export_name(w))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(lambda name: export_to(w, Path(name)))
    w.open_dialog(dialog)


def export_folder(w: MainWindow) -> Path:
    """Where the export dialog starts: the folder of the last export, else Documents,
    else home (never the directory the app happened to be started from)."""
    return start_folder(w, "export/folder", QStandardPaths.StandardLocation.DocumentsLocation)


def start_folder(w: MainWindow, key: str, usual: QStandardPaths.StandardLocation) -> Path:
    """The folder a file dialog starts in: the one last used for it (`key`), else the
    user's `usual` folder, else home."""
    last = w.settings.value(key, "") if w.settings is not None else \
        getattr(w, "last_folders", {}).get(key, "")
    if last and Path(str(last)).is_dir():
        return Path(str(last))
    folder = QStandardPaths.writableLocation(usual)
    if folder and Path(folder).is_dir():
        return Path(folder)
    return Path.home()


def remember_folder(w: MainWindow, key: str, folder: Path) -> None:
    if w.settings is not None:
        w.settings.setValue(key, str(folder))
    if not hasattr(w, "last_folders"):
        w.last_folders = {}
    w.last_folders[key] = str(folder)


def export_name(w: MainWindow) -> str:
    """A file name for this view: "winnow-inbox-2026-11-30.md"."""
    what = "search" if w.browser.search_query else w.browser.view_label
    slug = re.sub(r"[^a-z0-9]+", "-", what.casefold()).strip("-") or "papers"
    return f"winnow-{slug[:40]}-{date.today().isoformat()}.md"


def export_to(w: MainWindow, path: Path) -> None:
    query = w.browser.active_query
    done = w.ops.run(lambda library: library.export(query, format_for(path.suffix), path),
                     undoable=False)
    if done is not None and path.exists():
        remember_folder(w, "export/folder", path.parent)
        count = w.model.rowCount()
        w.flash(f"Exported {count} papers to {path}")
        toast_for(w).show_message(f"Exported {count:,} paper{'s' if count != 1 else ''}",
                                  str(path))


@command("search.save", "Save this search…", when=lambda w: bool(w.browser.search_query),
         group="Find", menu="Go")
def save_search(w: MainWindow) -> None:
    dialog = QInputDialog(w)
    dialog.setWindowTitle("Save search")
    query = w.browser.search_query
    dialog.setLabelText(f"Name for “{query}”:")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.textValueSelected.connect(lambda name: w.ops.run(
        lambda library: library.save_search(name, query), undoable=False,
        message=f"Saved search {name}"))
    w.open_dialog(dialog)


def showing_saved_search(w: MainWindow) -> bool:
    return w.browser.view_key.startswith("saved:") and not w.browser.search_query


@command("search.delete_saved", "Delete this saved search", when=showing_saved_search,
         group="Find", menu="Go")
def delete_saved_search(w: MainWindow) -> None:
    name = w.browser.view_key.removeprefix("saved:")
    # A refused delete (a read-only library) said "Deleted" over the error line.
    if w.ops.run(lambda library: library.delete_saved_search(name), undoable=False) is None:
        return
    w.browser.show_builtin("inbox")
    w.ops.refresh_counts()
    w.flash(f"Deleted saved search {name}")
