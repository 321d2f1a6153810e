"""The app's way back and its fetch: Delete with undo, "Undo this import" on a Recent
imports entry, Fetch today's papers against a real server on 127.0.0.1, `o` opens
the paper's own page. Real window, real keys, real library file, real QThread."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

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
                                                        tmp_path: Path, press) -> None:
    from tests.storage.test_identity import ABSTRACTS, TITLES, listing

    library.import_text(listing(list(zip(TITLES[:3], ABSTRACTS[:3], strict=True))),
                        name="monday")
    later = library.import_text(listing(list(zip(TITLES[3:6], ABSTRACTS[3:6], strict=True))),
                                name="tuesday")
    window = make_window(library)
    command = window.registry["import.undo"]
    assert not command.is_enabled()  # not on the Inbox
    entry = next(e for e in window.sidebar.entries() if e.key == f"source:{later.source_id}")
    window.browser.show_view(entry.key, entry.label, entry.query)
    assert command.is_enabled()
    window.run_command("import.undo")
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
    window.run_command("fetch.today")
    qtbot.waitUntil(lambda: not window.fetcher.busy, timeout=15000)
    assert window.statusBar().currentMessage().startswith(
        "Fetch failed: cannot reach 127.0.0.1:")
    assert library.stats()["total"] == 0


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
