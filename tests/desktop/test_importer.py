"""The import runner with its real worker QThread: Cancel stops a running import,
and the progress bar moves through one big file.

(PITFALLS: a slot of a QObject that lives in the worker thread never runs while the
worker is busy; only a test with a real QThread can see that.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from desktop.importer import ImportRunner, ImportWorker, summary_text
from storage import Library
from tests.conftest import SEEDS

PAPERS = 30_000


@pytest.fixture
def big_listing(tmp_path: Path) -> Path:
    path = tmp_path / "big.txt"
    with path.open("w", encoding="utf-8") as out:
        for n in range(PAPERS):
            out.write(f"Paper number {n} on scaling sparse routers\n"
                      f"We study routers, case {n}, and find that they scale. " * 1 + "\n")
    return path


@pytest.fixture
def runner(library: Library, qtbot, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "500")
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(900, 600)
    parent.show()
    runner = ImportRunner(parent, Path(library.path))
    yield runner
    if runner.busy:
        runner.cancel()
        qtbot.waitUntil(lambda: not runner.busy, timeout=60_000)


def test_cancel_stops_a_running_import_in_its_thread(runner: ImportRunner, library: Library,
                                                     big_listing: Path, qtbot) -> None:
    progress: list[int] = []
    runner.message.connect(lambda _text: progress.append(1))
    results: list[object] = []
    runner.done.connect(lambda report, _summary: results.append(report))
    assert runner.start(paths=[big_listing])
    assert runner.thread is not None and runner.thread.isRunning()
    # Wait until batches are being committed, then press Cancel as a user would.
    qtbot.waitUntil(lambda: len(progress) >= 3, timeout=60_000)
    dialog = runner.dialog
    assert dialog is not None
    # One big file: the bar moves with the bytes read, not only between files.
    qtbot.waitUntil(lambda: 0 < dialog.value() < dialog.maximum(), timeout=60_000)
    button = dialog.findChild(QPushButton)
    assert button is not None and button.text() == "Cancel"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(results), timeout=60_000)
    report = results[0]
    assert report is not None
    [file_report] = report.files
    assert not file_report.ok and "cancelled" in file_report.error
    # The cancelled file is rolled back whole: nothing of it stays.
    assert library.stats()["total"] == 0


def test_cancelling_an_import_keeps_the_library_unchanged(library: Library,
                                                          tmp_path: Path) -> None:
    worker = ImportWorker(Path(library.path), paths=SEEDS)
    reports = []
    worker.finished.connect(reports.append)
    worker.progress.connect(lambda *_: worker.cancel())
    worker.run()  # in this thread: the cancel lands after the first file starts
    assert reports and library.stats()["total"] <= 100
    headline, _details = summary_text(reports[0], cancelled=True)
    assert headline.startswith("Import cancelled")


def test_the_keyboard_returns_to_the_window_when_the_progress_dialog_closes(
        library: Library, qtbot, tmp_path: Path) -> None:
    """Under a window system that does not hand the focus back (an X server without a
    window manager), keys after a first start's sample import went nowhere."""
    from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout

    window = QWidget()
    qtbot.addWidget(window)
    field = QLineEdit(window)
    QVBoxLayout(window).addWidget(field)
    window.resize(600, 400)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    listing = tmp_path / "day.txt"
    listing.write_text("Sparse routers at scale\nWe study routers and find that they scale.\n",
                       encoding="utf-8")
    runner = ImportRunner(window, Path(library.path))
    results: list[object] = []
    runner.done.connect(lambda report, _summary: results.append(report))
    # Another writer holds the library, so the import waits while the dialog shows
    # (a two-paper import is otherwise over before the dialog could take the focus).
    writer = sqlite3.connect(library.path, isolation_level=None, timeout=30)
    try:
        writer.execute("BEGIN IMMEDIATE")
        assert runner.start(paths=[listing])
        dialog = runner.dialog
        assert dialog is not None
        dialog.show()  # as it does by itself once an import takes longer than 400 ms
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        assert not results
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    qtbot.waitUntil(lambda: bool(results), timeout=60_000)
    assert results[0] is not None and results[0].ok
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert QApplication.focusWidget() is field
    qtbot.keyClicks(QApplication.focusWidget(), "ok")
    assert field.text() == "ok"
