"""The window around the triage: settings, imports, export, sorting, the sidebar."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop.actions.library import export_to
from desktop.app import settings_for
from desktop.model import COL_DATE, COL_TAGS, COL_UPVOTES
from storage import Library

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def test_geometry_splitter_and_columns_persist(seeded: Library, make_window,
                                               _isolated_config: Path) -> None:
    settings = settings_for(_isolated_config)
    # Smaller than the offscreen screen (800x600), so restoring never clamps.
    window = make_window(seeded, settings=settings, size=(790, 560))
    window.splitter.setSizes([170, 330, 280])
    window.table.horizontalHeader().resizeSection(COL_DATE, 177)  # by hand: it stays
    sizes = window.splitter.sizes()
    window.close()
    assert (_isolated_config / "gui.ini").exists()
    again = make_window(seeded, settings=settings_for(_isolated_config), size=None)
    assert (again.width(), again.height()) == (790, 560)
    assert again.table.horizontalHeader().sectionSize(COL_DATE) == 177
    assert again.splitter.sizes() == sizes


def test_drop_files_to_import(library: Library, make_window, qtbot) -> None:
    window = make_window(library)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(SEEDS[0]))])
    event = QDropEvent(QPointF(QPoint(400, 300)), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20000)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0)
    assert library.stats()["total"] == window.model.rowCount()
    assert window.sidebar.entry("inbox").count == library.stats()["unread"]


def test_interactive_import_shows_a_plain_summary(library: Library, make_window, qtbot,
                                                  tmp_path: Path) -> None:
    from desktop.toast import Toast

    window = make_window(library, interactive=True)
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"\x00\x01\x02 not a listing <b>bold</b>")
    window.import_paths([SEEDS[1], bad])
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20000)
    toast = window.findChild(Toast)
    qtbot.waitUntil(lambda: toast is not None and toast.isVisible())
    assert toast.headline.textFormat() == Qt.TextFormat.PlainText
    assert toast.details.textFormat() == Qt.TextFormat.PlainText
    assert "1 could not be imported" in toast.text() and "binary.txt" in toast.text()


def test_ctrl_i_opens_a_file_dialog_without_blocking(window, press, qtbot) -> None:
    press("ctrl+i")
    qtbot.waitUntil(lambda: any(isinstance(w, QFileDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog)
                  and w.isVisible())
    assert not dialog.isModal() or dialog.windowModality() != Qt.WindowModality.ApplicationModal
    dialog.reject()


def test_export_the_current_view_as_reading_notes(window, seeded: Library,
                                                  tmp_path: Path) -> None:
    first = window.current_id()
    seeded.set_note(first, "check the ablations")
    seeded.annotate_quote(first, seeded.get(first).abstract.split(".")[0], "the claim")
    window.set_search("is:annotated")
    out = tmp_path / "notes.md"
    export_to(window, out)
    text = out.read_text(encoding="utf-8")
    assert seeded.get(first).title in text and "check the ablations" in text
    assert "the claim" in text


def test_sorting_by_a_header_click_requeries(window, seeded: Library, qtbot) -> None:
    header = window.table.horizontalHeader()
    header.setSortIndicator(COL_UPVOTES, Qt.SortOrder.DescendingOrder)
    assert window.model.sort_column == COL_UPVOTES
    header.setSortIndicator(COL_TAGS, Qt.SortOrder.AscendingOrder)  # not sortable
    assert header.sortIndicatorSection() == COL_UPVOTES
    header.setSortIndicator(COL_DATE, Qt.SortOrder.DescendingOrder)
    assert window.model.sort_column == COL_DATE
    assert window.current_id() is not None


def test_sidebar_lists_tags_saved_searches_and_imports(window, seeded: Library,
                                                       qtbot) -> None:
    seeded.add_tags(seeded.search("", limit=2).ids, ["rl"])
    seeded.save_search("KANs", "kolmogorov")
    window.ops.refresh_counts()
    tag = window.sidebar.entry("tag:rl")
    assert tag is not None and tag.count == 2 and tag.hint == "1"
    saved = window.sidebar.entry("saved:KANs")
    assert saved is not None and saved.query == "kolmogorov"
    assert any(e.key.startswith("source:") for e in window.sidebar.entries())
    window.sidebar.setCurrentItem(window.sidebar._entries["tag:rl"])
    assert window.browser.view_key == "tag:rl" and window.model.rowCount() == 2


@pytest.mark.parametrize(("query", "terms"), [
    ("kolmogorov arnold", ["kolmogorov", "arnold"]),
    ('"mixture of experts" -moe tag:rl is:unread', ["mixture of experts"]),
    ("title:kan abstract:lora org:nvidia", ["kan", "lora"]),
    ("kolmogorv arnld", ["kolmogorov", "arnold"]),
])
def test_the_views_highlight_what_the_engine_matched(window, query: str,
                                                     terms: list[str]) -> None:
    # Filters and excluded words are not highlighted; corrections and the prefix
    # being typed are.
    window.search.setText(query)
    window.browser.run_search()
    assert window.browser.highlight_terms() == terms


def test_a_bad_states_file_is_one_line_in_the_window_and_queries_still_work(
        seeded: Library, make_window, _isolated_config: Path, qtbot) -> None:
    from desktop.toast import Toast

    seeded.set_state([5], "done")
    _isolated_config.mkdir(parents=True, exist_ok=True)
    bad = _isolated_config / "states.json"
    bad.write_text("{nope", encoding="utf-8")
    window = make_window(seeded)  # starts, on the built-in states
    toast = window.findChild(Toast)
    assert toast is not None and toast.isVisible()
    assert toast.detail_text() == (
        f"{bad}: not valid JSON (Expecting property name enclosed in double quotes, line 1)")
    assert "Traceback" not in toast.text()
    assert [s.name for s in window.states.states] == [
        "inbox", "later", "shortlist", "done", "skipped"]
    window.set_search("is:done")
    assert window.model.error is None and window.model.ids == [5]
    assert window.sidebar.entry("done").count == 1

    # Spoilt while the app runs: said again, the states stay the ones it had.
    toast.dismiss()
    bad.write_text('{"states": {"done": {"key": 7}}}', encoding="utf-8")
    stamp = bad.stat().st_mtime_ns + 10**9
    os.utime(bad, ns=(stamp, stamp))
    window.set_search("is:read")
    assert window.model.error is None and window.model.ids == [5]
    assert toast.isVisible() and toast.detail_text() == (
        f"{bad}: state 'done': key should be text")


def test_tab_goes_round_the_parts_that_show_their_focus(window, press, qtbot) -> None:
    """Tab from the list stopped on the reading pane's scroll area (real X server walk):
    nothing showed the focus there and no key did anything the list does not. The
    round is list, abstract, note, search, list; Esc comes back from each."""
    window.browser.select_row(0)
    seen = []
    for _ in range(4):
        press("Tab")
        seen.append(QApplication.focusWidget())
    assert seen == [window.reader.abstract, window.reader.note, window.search, window.table]
    for stop in seen[:3]:
        stop.setFocus()
        press("Escape")
        qtbot.waitUntil(lambda: window.table.hasFocus())
