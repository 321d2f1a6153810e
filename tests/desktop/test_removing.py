"""desktop/removing.py: the runner of take-backs and big deletes, on its own: a real
QThread with its own Library on a real file, a real progress dialog. (The window's
use of it, with its own writes meanwhile, is in tests/desktop/actions/test_imports.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from desktop.removing import RemovalRunner
from storage import Library
from tests.reliability.conftest import write_listing


@pytest.fixture
def big(seeded: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
        ) -> tuple[int, list[int]]:
    """An import of 300 papers over the seeds; steps of 30 papers."""
    seeded.import_files([write_listing(tmp_path / "big.txt", 300)])
    source = seeded.sources()[0]["id"]
    ids = [row[0] for row in seeded.conn.execute(
        "SELECT id FROM papers WHERE first_source_id = ? ORDER BY id", (source,))]
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "30")
    return source, ids


@pytest.fixture
def runner(qtbot, seeded: Library) -> RemovalRunner:
    parent = QWidget()
    qtbot.addWidget(parent)
    made = RemovalRunner(parent, seeded.path)
    made.show_dialogs = False
    return made


def test_one_job_at_a_time_and_the_result_to_then_and_done(
        qtbot, runner: RemovalRunner, seeded: Library, big: tuple[int, list[int]]) -> None:
    source, ids = big
    said: list[str] = []
    got: list[object] = []
    runner.message.connect(said.append)
    with qtbot.waitSignal(runner.done, timeout=30000) as done:
        assert runner.undo_imports([source], then=got.append)
        assert runner.busy
        assert not runner.delete([1])  # refused: one at a time
        assert said[0] == "Papers are already being taken out; wait for it to finish"
    [results] = got
    assert done.args == [results]
    [result] = results
    assert (result.source_id, len(result.removed), result.cancelled) == (source, 300, False)
    assert not runner.busy and runner.thread is None
    assert seeded.get(ids[0]) is None and seeded.count() == 415
    assert said[1:] == [f"Taking back: {n} of 300 papers" for n in range(30, 301, 30)]
    assert seeded.get(1) is not None  # the refused delete did nothing


def test_a_delete_reports_its_change_and_is_undone(
        qtbot, runner: RemovalRunner, seeded: Library, big: tuple[int, list[int]]) -> None:
    _source, ids = big
    with qtbot.waitSignal(runner.done, timeout=30000) as done:
        runner.delete(ids[:100])
    change = done.args[0]
    assert change.description == "Deleted 100 papers" and set(change.paper_ids) == set(ids[:100])
    assert seeded.count() == 615
    assert seeded.undo().description == "Undid delete on 100 papers"
    assert seeded.count() == 715


def test_the_dialog_shows_progress_and_closing_cancels_and_waits(
        qtbot, runner: RemovalRunner, seeded: Library, big: tuple[int, list[int]]) -> None:
    source, ids = big
    runner.show_dialogs = True
    before = seeded.conn.execute("SELECT id FROM papers ORDER BY id").fetchall()
    runner.undo_imports([source])
    dialog = runner.dialog
    assert dialog is not None and dialog.windowTitle() == "Taking back"
    assert dialog.labelText() == f"Taking back import {source}…"
    runner.shutdown()  # the window closes: cancel, and wait for the worker
    assert not runner.busy and runner.dialog is None
    assert seeded.conn.execute("SELECT id FROM papers ORDER BY id").fetchall() == before
    assert seeded.removal_jobs() == [] and seeded.get(ids[-1]) is not None
    assert [s["status"] for s in seeded.sources() if s["id"] == source] == ["complete"]


def test_a_file_that_is_no_library_fails_in_one_line(qtbot, tmp_path: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    bad = tmp_path / "notes.db"
    bad.write_text("just some notes\n")
    runner = RemovalRunner(parent, bad)
    runner.show_dialogs = False
    said: list[str] = []
    runner.message.connect(said.append)
    with qtbot.waitSignal(runner.done, timeout=15000) as done:
        runner.undo_imports([1])
    assert done.args == [None]
    [line] = said
    assert line.startswith(str(bad)) and "\n" not in line
    assert bad.read_text() == "just some notes\n"


def test_a_big_undo_in_the_background_has_progress_and_its_cancel_takes_out_again(
        qtbot, runner: RemovalRunner, seeded: Library, big: tuple[int, list[int]]) -> None:
    from PySide6.QtWidgets import QPushButton

    source, ids = big
    seeded.undo_import(source, backup=False)
    taken = seeded.conn.execute("SELECT id FROM papers ORDER BY id").fetchall()
    runner.show_dialogs = True
    said: list[str] = []
    runner.message.connect(said.append)
    with qtbot.waitSignal(runner.done, timeout=30000) as done:
        runner.replay("undo")
        assert runner.dialog is not None and runner.dialog.windowTitle() == "Undo"
        [button] = runner.dialog.findChildren(QPushButton)
        qtbot.waitUntil(lambda: bool(said), timeout=15000)  # a step put papers back
        button.click()
    change = done.args[0]
    assert not change
    assert change.description == f"Undo cancelled: import {source} stays taken back"
    assert said[0] == "Undo: 30 of 300 papers"
    assert "Undo cancelled: taking out again what was put back…" in said
    assert said[-1].startswith("Cancelled: taking out again what was put back (")
    assert seeded.conn.execute("SELECT id FROM papers ORDER BY id").fetchall() == taken
    assert seeded.removal_jobs() == []
    # The take-back is still in effect and undoable, whole.
    with qtbot.waitSignal(runner.done, timeout=30000) as done:
        runner.replay("undo")
    assert done.args[0].description == (
        f"Put back import {source} (big.txt): 300 papers back in the library")
    assert seeded.get(ids[0]) is not None and seeded.count() == 715
