"""The app's way back and its fetch: Delete with undo, "Undo this import" on a Recent
imports entry, Fetch today's papers against a real server on 127.0.0.1, `o` opens
the paper's own page. Real window, real keys, real library file, real QThread."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.toast import Toast
from storage import Library
from tests.api_server import ApiServer, api_item, closed_port_url, paged, serve


def test_delete_key_deletes_the_paper_and_ctrl_z_brings_it_back(window, seeded: Library,
                                                                 press, qtbot) -> None:
    window.run_command("go.all")
    first = window.current_id()
    seeded.add_tags([first], ["keep"])
    total = window.model.rowCount()
    press("Delete")
    assert seeded.get(first) is None
    assert window.model.rowCount() == total - 1
    assert window.current_id() is not None and window.current_id() != first
    assert "Deleted 1 paper" in window.statusBar().currentMessage()
    assert "Ctrl+Z" in window.statusBar().currentMessage()
    assert list(seeded.backup_dir().glob("*-before-delete-*.db"))
    press("ctrl+z")
    assert seeded.get(first).tags == ("keep",)
    assert window.model.rowCount() == total
    assert window.model.row_of(first) >= 0


def test_delete_acts_on_the_selection(window, seeded: Library, press) -> None:
    window.run_command("go.all")
    total = window.model.rowCount()
    press("x", "j", "x")
    press("Delete")
    assert window.model.rowCount() == total - 2
    assert seeded.stats()["total"] == total - 2


def test_undo_this_import_from_its_recent_imports_entry(make_window, library: Library,
                                                        tmp_path: Path, press, qtbot) -> None:
    from tests.storage.test_identity import ABSTRACTS, TITLES, listing

    library.import_text(listing(list(zip(TITLES[:3], ABSTRACTS[:3], strict=True))),
                        name="monday")
    later = library.import_text(listing(list(zip(TITLES[3:6], ABSTRACTS[3:6], strict=True))),
                                name="tuesday")
    window = make_window(library)
    command = window.registry["import.undo"]
    assert command.is_enabled()  # on the Inbox too: it asks which (attack N7)
    entry = next(e for e in window.sidebar.entries() if e.key == f"source:{later.source_id}")
    window.browser.show_view(entry.key, entry.label, entry.query)
    assert command.is_enabled()
    window.run_command("import.undo")
    assert window.remover.busy  # off the GUI thread
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=15000)
    assert library.stats()["total"] == 3
    assert window.browser.view_key == "inbox" and window.model.rowCount() == 3
    message = window.statusBar().currentMessage()
    assert f"Undid import {later.source_id}: removed 3 papers" in message
    assert "Ctrl+Z" in message
    assert not any(e.key == f"source:{later.source_id}" for e in window.sidebar.entries())
    press("ctrl+z")
    assert library.stats()["total"] == 6 and window.model.rowCount() == 6


def test_fetch_todays_papers_in_the_background(make_window, library: Library, qtbot,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    today = date.today().isoformat()
    items = [api_item(n, day=today) for n in range(1, 4)]
    with serve(ApiServer({("date", today): paged(items)})) as server:
        monkeypatch.setenv("WINNOW_API_URL", server.url)
        window = make_window(library)
        window.run_command("fetch.today")
        assert window.fetcher.busy  # the window is not blocked meanwhile
        qtbot.waitUntil(lambda: not window.fetcher.busy, timeout=15000)
    assert library.stats()["total"] == 3
    assert window.model.rowCount() == 3
    assert window.statusBar().currentMessage().startswith("Fetched: 3 new papers")
    window.browser.select_row(0)
    window.run_command("paper.open_web")
    [url] = window.opened_urls
    assert url.toString().startswith("https://huggingface.co/papers/2611.0000")


def test_fetch_offline_says_so_and_changes_nothing(make_window, library: Library, qtbot,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WINNOW_API_URL", closed_port_url())
    window = make_window(library)
    focus = QApplication.focusWidget()
    window.run_command("fetch.today")
    qtbot.waitUntil(lambda: not window.fetcher.busy, timeout=15000)
    assert window.statusBar().currentMessage().startswith(
        "Fetch failed: could not reach 127.0.0.1:")
    assert library.stats()["total"] == 0
    # Said in a toast too (the status line was gone in six seconds), with a way to
    # try again that needs no menu: once back online, it fetches.
    toast = window.findChild(Toast)
    assert toast is not None and toast.isVisible()
    assert toast.headline.text() == "Fetch failed"
    assert toast.detail_text().startswith("Could not reach 127.0.0.1:")
    assert toast.detail_text().endswith(": nothing answers there (connection refused)")
    assert toast.action.text() == "Try again"
    assert QApplication.focusWidget() is focus
    today = date.today().isoformat()
    with serve(ApiServer({("date", today): paged([api_item(5, day=today)])})) as server:
        monkeypatch.setenv("WINNOW_API_URL", server.url)
        qtbot.mouseClick(toast.action, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: library.stats()["total"] == 1, timeout=15000)
        qtbot.waitUntil(lambda: not window.fetcher.busy, timeout=15000)
    assert window.statusBar().currentMessage().startswith("Fetched: 1 new paper")


def test_fetch_on_start_is_a_remembered_setting(make_window, library: Library, qtbot,
                                                tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QSettings

    today = date.today().isoformat()
    settings = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    with serve(ApiServer({("date", today): paged([api_item(7, day=today)])})) as server:
        monkeypatch.setenv("WINNOW_API_URL", server.url)
        first = make_window(library, settings=settings)
        first.run_command("fetch.on_start")
        assert settings.value("fetch/on_start") == "true"
        first.close()
        second = make_window(library, settings=settings)
        qtbot.waitUntil(lambda: library.stats()["total"] == 1, timeout=15000)
        qtbot.waitUntil(lambda: not second.fetcher.busy, timeout=15000)
        assert json.loads(json.dumps(server.requests))[0]["date"] == today


# ------------------------------------------- a big import taken back in the background
def _big_import(library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                papers: int = 600) -> tuple[int, list[int]]:
    """An import of `papers` papers over the seeds; steps of 50 papers."""
    from tests.reliability.conftest import write_listing

    report = library.import_files([write_listing(tmp_path / "big.txt", papers)])
    assert report.new == papers
    source = library.sources()[0]["id"]
    ids = [row[0] for row in library.conn.execute(
        "SELECT id FROM papers WHERE first_source_id = ? ORDER BY id", (source,))]
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "50")
    return source, ids


def _show_import(window, source: int) -> None:
    entry = next(e for e in window.sidebar.entries() if e.key == f"source:{source}")
    window.browser.show_view(entry.key, entry.label, entry.query)


def test_a_big_take_back_runs_in_a_thread_while_the_app_writes(
        make_window, seeded: Library, tmp_path: Path, qtbot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    source, ids = _big_import(seeded, tmp_path, monkeypatch)
    window = make_window(seeded)
    _show_import(window, source)
    said: list[str] = []
    window.remover.message.connect(said.append)
    window.run_command("import.undo")
    assert window.remover.busy and window.remover.thread.isRunning()
    qtbot.waitUntil(lambda: any(m.startswith("Taking back: ") for m in said), timeout=15000)
    assert said[0] == "Taking back: 50 of 600 papers"
    # The window's own write, on its own connection, while the worker is mid-way:
    # it goes through (the worker holds the lock for one step at a time) and the
    # paper it marks, not taken yet (ids go in order), is kept.
    change = window.ops.run(lambda library: library.set_starred([ids[-1]]))
    assert change is not None and change.paper_ids == (ids[-1],)
    assert window.remover.busy
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=30000)
    assert seeded.get(ids[-1]).starred and seeded.get(ids[0]) is None
    assert seeded.stats()["total"] == 416
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Undid import {source}: removed 599 papers, kept 1 you acted on")
    assert message.endswith("Ctrl+Z to undo")
    assert window.browser.view_key == "inbox"
    assert window.model.row_of(ids[0]) < 0
    # Progress after every step, counted against the papers planned at the start.
    assert said == [f"Taking back: {n} of 600 papers" for n in range(50, 601, 50)]


def test_cancel_during_a_take_back_leaves_the_import_as_it_was(
        make_window, seeded: Library, tmp_path: Path, qtbot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    source, _ids = _big_import(seeded, tmp_path, monkeypatch)
    window = make_window(seeded)
    window.remover.show_dialogs = True  # the real dialog, its Cancel
    _show_import(window, source)
    before = seeded.conn.execute("SELECT id, starred, state FROM papers ORDER BY id").fetchall()
    window.run_command("import.undo")
    dialog = window.remover.dialog
    assert dialog is not None and dialog.labelText() == f"Taking back import {source}…"
    # Its Cancel button, before the worker's first step ends: the worker sees it
    # between two steps (it cannot finish 12 steps before looking).
    from PySide6.QtWidgets import QPushButton

    [button] = dialog.findChildren(QPushButton)
    assert button.text() == "Cancel"
    button.click()
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=30000)
    assert window.remover.dialog is None
    assert window.statusBar().currentMessage() == f"Cancelled: import {source} is as it was"
    after = seeded.conn.execute("SELECT id, starred, state FROM papers ORDER BY id").fetchall()
    assert after == before and seeded.removal_jobs() == []
    assert [s["status"] for s in seeded.sources() if s["id"] == source] == ["complete"]
    assert seeded.conn.execute("SELECT count(*) FROM trash").fetchone()[0] == 0
    assert not seeded.can_undo() or "import" not in seeded.undo().description


def test_a_take_back_s_dialog_leaves_the_window_its_keys(
        make_window, seeded: Library, tmp_path: Path, qtbot, press,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The progress dialog of a take-back was window-modal: the keys went to it, the list
    was frozen for its seconds. Now the list takes them, and Cancel is a command too."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    source, _ids = _big_import(seeded, tmp_path, monkeypatch)
    # 60 steps, each followed by the 0.1 s pause: at least 6 s on any machine, time for
    # the list to follow (a poll every 1.5 s, a follow at most every 3 s).
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "10")
    window = make_window(seeded)
    window.remover.show_dialogs = True
    _show_import(window, source)
    window.table.setFocus()
    first = window.current_id()
    window.run_command("import.undo")
    dialog = window.remover.dialog
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=10000)
    assert dialog.windowModality() == Qt.WindowModality.NonModal
    qtbot.wait(50)  # what the dialog's showing does with the keys
    assert QApplication.focusWidget() is window.table
    press("j")
    assert window.current_id() != first
    assert window.remover.busy
    # The list follows the papers going out (it showed them all until the end).
    qtbot.waitUntil(lambda: window.model.rowCount() < 600, timeout=10000)
    assert window.remover.busy
    press("ctrl+k")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and QApplication.focusWidget().window() is not window)
    qtbot.keyClicks(QApplication.focusWidget(), "cancel taking papers")
    press("Return")
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=30000)
    assert window.statusBar().currentMessage() == f"Cancelled: import {source} is as it was"
    assert seeded.stats()["total"] == 1015


def test_deleting_thousands_runs_in_a_thread_and_ctrl_z_brings_them_back(
        make_window, seeded: Library, tmp_path: Path, qtbot, press,
        monkeypatch: pytest.MonkeyPatch) -> None:
    source, ids = _big_import(seeded, tmp_path, monkeypatch, papers=120)
    window = make_window(seeded)
    _show_import(window, source)
    window.model.set_marked(ids)
    press("Delete")
    assert window.remover.busy
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=30000)
    assert seeded.stats()["total"] == 415
    assert window.statusBar().currentMessage() == "Deleted 120 papers · Ctrl+Z to undo"
    assert window.model.rowCount() == 0
    said: list[str] = []
    window.remover.message.connect(said.append)
    press("ctrl+z")  # 120 papers back: more than a step, so in the background too
    assert window.remover.busy
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=30000)
    assert said == [f"Undo: {n} of 120 papers" for n in (50, 100, 120)]
    assert seeded.stats()["total"] == 535
    assert window.statusBar().currentMessage() == "Undid delete on 120 papers"
    assert window.model.rowCount() == 120
    press("ctrl+y")
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=30000)
    assert seeded.stats()["total"] == 415
    assert window.statusBar().currentMessage() == "Redid delete on 120 papers"


# --------------------------------- a take-back a kill cut short, finished at start
@pytest.fixture
def as_the_app_opens() -> Iterator[Callable[[Path], Library]]:
    """Open a library as the app does (a job a kill left is left for the window);
    closed after the windows (ask for this fixture before `make_window`)."""
    opened: list[Library] = []

    def open_library(path: Path) -> Library:
        opened.append(Library(path, finish_cut_short=False))
        return opened[-1]

    yield open_library
    for library in opened:
        library.close()


def _cut_short(library: Library, source: int, steps: int = 2) -> None:
    """Take the import back until `steps` steps committed, then die as a kill would:
    the job's record stays, its lock goes with the process."""
    class Killed(BaseException):
        pass

    def die(_done: int, _total: int, seen: list[int] = []) -> None:  # noqa: B006
        seen.append(1)
        if len(seen) == steps:
            raise Killed

    with pytest.raises(Killed):
        library.undo_import(source, backup=False, progress=die)


def test_a_take_back_cut_short_is_finished_at_start_off_the_gui_thread(
        as_the_app_opens, make_window, seeded: Library, tmp_path: Path, qtbot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    source, ids = _big_import(seeded, tmp_path, monkeypatch)
    _cut_short(seeded, source)
    # As the app opens it: the job is left for the window to finish.
    opened = as_the_app_opens(seeded.path)
    [job] = opened.removal_jobs()
    assert (job["what"], job["pos"]) == (f"taking back import {source}", 100)
    window = make_window(opened)
    said: list[str] = []
    threads: set[int] = set()
    window.remover.message.connect(said.append)
    qtbot.waitUntil(lambda: window.remover.busy, timeout=5000)
    from PySide6.QtCore import Qt

    window.remover.worker.progress.connect(
        lambda *_: threads.add(threading.get_ident()), Qt.ConnectionType.DirectConnection)
    qtbot.waitUntil(lambda: any(m.startswith("Finishing") for m in said), timeout=15000)
    change = window.ops.run(lambda library: library.set_starred([ids[-1]]))
    assert change is not None and change.paper_ids == (ids[-1],)
    # Undo waits for the job, and says so without blaming another program.
    assert window.remover.busy
    window.run_command("edit.undo")
    assert re.fullmatch(rf"library\.db: taking back import {source} is still running "
                        rf"\([\d,]+ of 600 papers\); undo and redo wait until it finishes",
                        window.statusBar().currentMessage().removeprefix(
                            str(opened.path.parent) + "/"))
    assert opened.get(ids[-1]).starred
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=30000)
    assert threads and threading.get_ident() not in threads
    assert said[0] == f"Finishing taking back import {source}: 150 of 600 papers"
    assert said[-1] == f"Finishing taking back import {source}: 600 of 600 papers"
    assert opened.removal_jobs() == [] and opened.get(ids[-1]).starred
    assert opened.stats()["total"] == 416
    assert window.statusBar().currentMessage() == (
        f"library.db: taking back import {source} was cut short; it has been finished")
    assert window.model.row_of(ids[0]) < 0


def test_cancel_of_finishing_a_cut_short_take_back_rolls_it_back(
        as_the_app_opens, make_window, seeded: Library, tmp_path: Path, qtbot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    source, _ids = _big_import(seeded, tmp_path, monkeypatch)
    opened = as_the_app_opens(seeded.path)
    window = make_window(opened)
    qtbot.wait(50)
    assert not window.remover.busy  # nothing to finish when it opened
    _cut_short(seeded, source, steps=4)  # another program, killed meanwhile
    window.remover.show_dialogs = True
    from desktop.actions.imports import finish_cut_short

    finish_cut_short(window)  # what the window runs once it is up
    dialog = window.remover.dialog
    assert dialog.labelText() == (f"Finishing taking back import {source}, cut short "
                                  f"when Winnow last stopped…")
    # Not modal: the window stays usable meanwhile.
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    assert dialog.windowModality() == Qt.WindowModality.NonModal
    [button] = window.remover.dialog.findChildren(QPushButton)
    button.click()
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=30000)
    assert opened.removal_jobs() == [] and opened.stats()["total"] == 1015
    assert [s["status"] for s in opened.sources() if s["id"] == source] == ["complete"]
    assert window.statusBar().currentMessage() == (
        f"library.db: taking back import {source} was cut short; finishing it was "
        f"cancelled, so it has been rolled back")
    assert window.model.rowCount() > 0


def test_an_import_cut_short_is_taken_back_at_start_off_the_gui_thread(
        as_the_app_opens, make_window, seeded: Library, tmp_path: Path, qtbot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from PySide6.QtCore import Qt

    source, ids = _big_import(seeded, tmp_path, monkeypatch)
    # As a kill between two batch commits leaves it: 'importing', its lock free.
    seeded.conn.execute("UPDATE sources SET status = 'importing' WHERE id = ?", (source,))
    opened = as_the_app_opens(seeded.path)
    # The window's Library took nothing back while it opened (it did, before).
    assert opened.stats()["total"] == 1015 and opened.notices == []
    window = make_window(opened)
    said: list[str] = []
    threads: set[int] = set()
    window.remover.message.connect(said.append)
    qtbot.waitUntil(lambda: window.remover.busy, timeout=5000)
    window.remover.worker.progress.connect(
        lambda *_: threads.add(threading.get_ident()), Qt.ConnectionType.DirectConnection)
    qtbot.waitUntil(lambda: any(m.startswith("Taking back") for m in said), timeout=15000)
    # The window's own write goes through mid-way; the paper it stars stays.
    change = window.ops.run(lambda library: library.set_starred([ids[-1]]))
    assert change is not None and change.paper_ids == (ids[-1],)
    assert window.remover.busy
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=30000)
    assert threads and threading.get_ident() not in threads
    # Progress after every step (the first may come before `said` was connected: the
    # runner starts as soon as the window is up).
    steps = [f"Taking back import {source}: {n} of 600 papers" for n in range(50, 601, 50)]
    assert len(said) >= 2 and said == steps[-len(said):], said
    assert opened.removal_jobs() == [] and opened.get(ids[-1]).starred
    assert opened.stats()["total"] == 416
    assert window.statusBar().currentMessage() == (
        "big.txt: an import that was cut short has been taken back (599 papers); kept 1 "
        "paper you had read, starred, tagged, noted or highlighted meanwhile, with all you "
        "did to them")
    assert window.model.row_of(ids[0]) < 0


def test_the_dialog_of_an_import_cut_short_is_not_modal_and_cancel_stops_it(
        as_the_app_opens, make_window, seeded: Library, tmp_path: Path, qtbot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from desktop.actions.imports import finish_cut_short

    source, ids = _big_import(seeded, tmp_path, monkeypatch)
    opened = as_the_app_opens(seeded.path)
    window = make_window(opened)
    qtbot.wait(50)
    assert not window.remover.busy  # nothing to take back when it opened
    # Another program's import, killed meanwhile.
    seeded.conn.execute("UPDATE sources SET status = 'importing' WHERE id = ?", (source,))
    window.remover.show_dialogs = True
    finish_cut_short(window)  # what the window runs once it is up
    dialog = window.remover.dialog
    assert dialog.labelText() == (f"Taking back import {source} (big.txt), cut short when "
                                  f"Winnow last stopped…")
    assert dialog.windowModality() == Qt.WindowModality.NonModal
    [button] = dialog.findChildren(QPushButton)
    button.click()
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=30000)
    # Stopped between two steps: the rest waits for the next start, which says so.
    [job] = opened.removal_jobs()
    assert job["kind"] == "import" and 0 < job["papers"] < 600
    assert window.statusBar().currentMessage() == (
        f"Stopped taking back import {source} (big.txt): the rest is taken back at the "
        f"next start")
    assert opened.get(ids[-1]) is not None


# ------------------------------------- Undo this import from anywhere (attack N7, N10)
def _focused_in(kind: type) -> bool:
    from PySide6.QtWidgets import QApplication

    focus = QApplication.focusWidget()
    return focus is not None and isinstance(focus.window(), kind)

def test_undo_this_import_from_the_inbox_offers_the_recent_imports(
        make_window, library: Library, press, qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop.dialogs import ChoiceRole, CommandPalette
    from desktop.removing import ChooseImport
    from tests.storage.test_identity import ABSTRACTS, TITLES, listing

    monday = library.import_text(listing(list(zip(TITLES[:3], ABSTRACTS[:3], strict=True))),
                                 name="monday.txt")
    library.import_text(listing(list(zip(TITLES[3:6], ABSTRACTS[3:6], strict=True))),
                        name="tuesday.txt")
    window = make_window(library)
    assert window.browser.view_key == "inbox"
    press("ctrl+k")
    qtbot.waitUntil(lambda: _focused_in(CommandPalette))
    palette = QApplication.focusWidget().window()
    qtbot.keyClicks(palette.input, "undo this import")
    assert [palette.list.item(i).data(ChoiceRole).title
            for i in range(palette.list.count())] == ["Undo this import"]
    press("Return")
    qtbot.waitUntil(lambda: _focused_in(ChooseImport))
    chooser = QApplication.focusWidget().window()
    shown = [chooser.list.item(i).data(ChoiceRole) for i in range(chooser.list.count())]
    assert [c.title for c in shown] == [
        f"Mar 14, 2026 · tuesday.txt (import {monday.source_id + 1})",
        f"Mar 14, 2026 · monday.txt (import {monday.source_id})"]
    assert shown[1].detail.startswith("3 papers · imported ")
    qtbot.keyClicks(chooser.input, "monday")
    assert chooser.list.count() == 1
    press("Return")
    assert window.remover.busy
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=15000)
    assert library.stats()["total"] == 3
    assert window.statusBar().currentMessage().startswith(
        f"Undid import {monday.source_id}: removed 3 papers")
    assert [s["name"] for s in library.sources()] == ["tuesday.txt"]


def test_an_interrupted_import_is_in_recent_imports_and_can_be_taken_back(
        as_the_app_opens, make_window, library: Library, qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop.dialogs import ChoiceRole
    from desktop.removing import ChooseImport
    from tests.storage.test_identity import ABSTRACTS, TITLES, listing

    cut = library.import_text(listing(list(zip(TITLES[:3], ABSTRACTS[:3], strict=True))),
                              name="monday.txt")
    [starred, *_] = library.search("", limit=None).ids
    library.set_starred([starred])
    # As a kill between two batches leaves it: still 'importing', its lock free.
    library.conn.execute("UPDATE sources SET status = 'importing' WHERE id = ?",
                         (cut.source_id,))
    opened = as_the_app_opens(library.path)
    window = make_window(opened)  # it takes it back once up, on the worker
    qtbot.waitUntil(lambda: not window.remover.busy and "kept 1 paper" in
                    window.statusBar().currentMessage(), timeout=15000)
    window.ops.refresh_counts()
    [entry] = [e for e in window.sidebar.entries() if e.key == f"source:{cut.source_id}"]
    assert entry.label == "Mar 14, 2026 (interrupted)" and entry.count == 1
    window.run_command("import.undo")
    qtbot.waitUntil(lambda: _focused_in(ChooseImport))
    chooser = QApplication.focusWidget().window()
    [choice] = [chooser.list.item(i).data(ChoiceRole) for i in range(chooser.list.count())]
    assert choice.detail.endswith(" · interrupted")
    chooser.list.setCurrentRow(0)
    chooser._accept()
    qtbot.waitUntil(lambda: not window.remover.busy, timeout=15000)
    assert window.statusBar().currentMessage().startswith(
        f"Undid import {cut.source_id}: removed 0 papers, kept 1 you acted on")
    assert opened.get(starred).starred
    assert not any(e.key.startswith("source:") for e in window.sidebar.entries())


def test_fetch_with_no_network_is_a_no_network_toast(make_window, library: Library) -> None:
    """What the fetch says offline (storage.fetch.unreachable on the resolver's own
    error, as `winnow fetch` says it in a namespace with no network): the toast names the
    state, "No network", not "Fetch failed" over Python's "[Errno -3] Temporary failure
    in name resolution"."""
    import socket

    from desktop.actions.imports import fetch_done
    from storage.fetch import unreachable

    window = make_window(library)
    lookup = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    fetch_done(window, None, f"Fetch failed: {unreachable('huggingface.co', lookup, timeout=20)}")
    toast = window.findChild(Toast)
    assert toast is not None and toast.isVisible()
    assert toast.headline.text() == "No network"
    assert toast.detail_text() == "Could not reach huggingface.co to fetch papers"
    assert toast.action.text() == "Try again"
    assert window.statusBar().currentMessage() == (
        "Fetch failed: no network: could not reach huggingface.co")


def test_the_sample_listings_are_offered_by_name_not_by_their_hashed_files(
        window, seeded: Library, qtbot) -> None:
    """Undo this import listed "Mar 11, 2026 · 004_2b9f25e65c4a65f9.txt (import 5)" and
    "Sample listing 2 · 001_2386f24fa6d6a846.txt (import 2)" (a real window)."""
    from PySide6.QtWidgets import QApplication

    from desktop.dialogs import ChoiceRole
    from desktop.removing import ChooseImport

    window.run_command("import.undo")
    qtbot.waitUntil(lambda: _focused_in(ChooseImport))
    chooser = QApplication.focusWidget().window()
    titles = [chooser.list.item(i).data(ChoiceRole).title for i in range(chooser.list.count())]
    assert titles == [
        "Mar 11, 2026 · sample listing 5 (import 5)", "Dec 8, 2025 · sample listing 4 (import 4)",
        "Nov 20, 2026 · sample listing 3 (import 3)", "Sample listing 2 (import 2)",
        "Dec 9, 2025 · sample listing 1 (import 1)"]
    qtbot.keyClicks(chooser.input, "nov 20 sample")
    assert chooser.list.count() == 1
    chooser.close()
