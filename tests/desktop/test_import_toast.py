"""The import's toast says what happened in the user's words (desktop/importer.py
summary_text), through a real window's importer on a real library."""

from __future__ import annotations

from pathlib import Path

from desktop.toast import Toast
from storage import Library


def _toast(window) -> Toast:
    toast = window.findChild(Toast)
    assert toast is not None and toast.isVisible()
    return toast


def test_a_refused_file_alone_is_said_first_not_counted_as_nothing(
        library: Library, make_window, qtbot, tmp_path: Path) -> None:
    """It read "0 new papers, 0 updated from 0 listings; 1 could not be imported" (a
    real window, a shopping list imported with Ctrl+I)."""
    window = make_window(library, interactive=True)
    shopping = tmp_path / "shopping.txt"
    shopping.write_text("milk\neggs\nbread\n", encoding="utf-8")
    window.import_paths([shopping])
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20000)
    qtbot.waitUntil(lambda: window.findChild(Toast) is not None
                    and window.findChild(Toast).isVisible())
    toast = _toast(window)
    assert toast.headline.text() == "Could not import shopping.txt"
    assert toast.detail_text() == "✗ shopping.txt: no Daily Papers listing found in it"
    other = tmp_path / "notes.txt"
    other.write_text("call Bob\n", encoding="utf-8")
    window.import_paths([shopping, other])
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20000)
    assert _toast(window).headline.text() == "Could not import 2 listings"


def test_a_paste_is_named_as_the_sidebar_names_it(library: Library, make_window,
                                                  qtbot) -> None:
    window = make_window(library, interactive=True)
    assert window.importer.start(text="Daily Papers\n\nA Pasted Paper About Sieves\n"
                                      "We sieve things carefully and keep what stays.\n")
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20000)
    qtbot.waitUntil(lambda: window.findChild(Toast) is not None
                    and window.findChild(Toast).isVisible())
    [source] = library.sources()
    [label] = [e.label for e in window.sidebar.entries() if e.key == f"source:{source['id']}"]
    assert label.startswith("Pasted ")
    assert _toast(window).detail_text() == (
        f"✓ {label}: 1 paper, 1 new, 0 updated, 0 unchanged (import {source['id']})")
