"""Fetching off the GUI thread (desktop/fetching.py): the runner starts one fetch at a
time on its own thread, the worker imports with its own connection, and the window
hears the outcome as one `done` line; closing mid-fetch cancels it before anything
is imported. A real HTTP server on 127.0.0.1, a real library file, real threads."""

from __future__ import annotations

import json
import threading
import urllib.parse
from datetime import date
from pathlib import Path
from typing import BinaryIO

import pytest
from PySide6.QtCore import QCoreApplication, QObject

from desktop.fetching import FetchRunner, FetchWorker
from storage import ImportReport, Library
from storage.fetch import day_period
from tests.api_server import ApiServer, api_item, closed_port_url, paged, serve


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "library.db"
    Library(path).close()
    return path


@pytest.fixture
def runner(db: Path, qtbot):
    parent = QObject()
    runner = FetchRunner(parent, db)
    yield runner
    runner.shutdown()


def _count(db: Path) -> int:
    with Library(db) as lib:
        return lib.stats()["total"]


def test_a_fetch_runs_on_its_own_thread_one_at_a_time(runner: FetchRunner, db: Path,
                                                      qtbot, monkeypatch) -> None:
    today = date.today().isoformat()
    items = [api_item(n, day=today) for n in range(1, 4)]
    messages: list[str] = []
    runner.message.connect(messages.append)
    with serve(ApiServer({("date", today): paged(items)})) as server:
        monkeypatch.setenv("WINNOW_API_URL", server.url)
        with qtbot.waitSignal(runner.done, timeout=20000) as done:
            assert runner.start() is True
            assert runner.busy and runner.thread is not threading.current_thread()
            assert runner.start() is False  # the second one is refused, not queued
    report, text = done.args
    assert isinstance(report, ImportReport) and report.new == 3
    assert text == f"Fetched: 3 new papers, 0 updated (import {report.files[0].source_id})"
    assert not runner.busy and runner.thread is None
    # The host actually asked (WINNOW_API_URL's), not huggingface.co.
    host = urllib.parse.urlsplit(server.url).netloc
    assert host.startswith("127.0.0.1:")
    assert messages[:2] == [f"Fetching today's papers from {host}…",
                            "A fetch is already running"]
    assert report.files[0].name == f"{host} date={today}"
    assert _count(db) == 3
    assert server.requests[0]["date"] == today


def test_a_day_with_no_papers_yet_says_so(runner: FetchRunner, db: Path, qtbot,
                                          monkeypatch) -> None:
    with serve(ApiServer()) as server:  # every day answers []
        monkeypatch.setenv("WINNOW_API_URL", server.url)
        with qtbot.waitSignal(runner.done, timeout=20000) as done:
            runner.start()
    report, text = done.args
    assert report.files == [] and text == "Fetched: no papers listed yet for today"
    assert _count(db) == 0


def test_offline_is_one_line_and_changes_nothing(runner: FetchRunner, db: Path, qtbot,
                                                 monkeypatch) -> None:
    monkeypatch.setenv("WINNOW_API_URL", closed_port_url())
    monkeypatch.setenv("WINNOW_FETCH_RETRY_BASE", "0.01")
    with qtbot.waitSignal(runner.done, timeout=20000) as done:
        runner.start()
    report, text = done.args
    assert report is None
    assert text.startswith("Fetch failed: could not reach 127.0.0.1:") and "\n" not in text
    assert _count(db) == 0 and not runner.busy


def test_closing_mid_fetch_cancels_before_the_import(runner: FetchRunner, db: Path, qtbot,
                                                     monkeypatch) -> None:
    today = date.today().isoformat()
    body = json.dumps([api_item(n, day=today) for n in range(1, 4)]).encode()
    answering, release = threading.Event(), threading.Event()

    def slow(out: BinaryIO) -> None:
        answering.set()
        release.wait(20)
        out.write(body)

    reply = (200, {"Content-Type": "application/json", "Content-Length": str(len(body))}, slow)
    done: list[object] = []
    runner.done.connect(lambda *args: done.append(args))
    with serve(ApiServer({("date", today): [reply]})) as server:
        monkeypatch.setenv("WINNOW_API_URL", server.url)
        runner.start()
        thread = runner.thread
        assert thread is not None
        assert answering.wait(20)
        runner.shutdown()  # returns at once: the import had not begun
        assert not runner.busy
        release.set()  # the answer arrives after the window went away
        thread.join(20)
        assert not thread.is_alive()
    QCoreApplication.processEvents()
    assert done == []  # nobody is told: the window is gone
    assert _count(db) == 0  # and nothing was imported


def test_a_worker_on_a_file_that_is_no_library_fails_in_one_line(tmp_path: Path,
                                                                 qtbot) -> None:
    today = date.today().isoformat()
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a library\n" * 100)
    with serve(ApiServer({("date", today): paged([api_item(1, day=today)])})) as server:
        worker = FetchWorker(bad, [day_period(today)], base_url=server.url)
        finished: list[object] = []
        worker.finished.connect(finished.append)
        with qtbot.waitSignal(worker.failed, timeout=20000) as failed:
            threading.Thread(target=worker.run, daemon=True).start()
    [message] = failed.args
    assert "notes.db" in message and "\n" not in message
    assert finished == []
    assert bad.read_text().startswith("these are my notes")
