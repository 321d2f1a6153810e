"""Quitting the app while an import or a fetch runs: the real window in its own
process (offscreen), closed mid-work, must exit cleanly.

A QThread destroyed while it still runs aborts the process ("QThread: Destroyed
while thread is still running", SIGABRT): that is what quitting during the first
start's import, a dropped big file or a fetch on a slow network used to do.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import BinaryIO

from storage import Library
from tests.api_server import ApiServer, serve
from tests.conftest import ROOT
from tests.reliability.conftest import TEST_ENV, winnow

# Opens the window on argv[1], starts the work named by argv[2], closes the window
# once the work is under way, and lets the interpreter exit as the app does.
SCRIPT = r"""
import sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from storage import Library
from desktop.window import MainWindow

app = QApplication([])
window = MainWindow(Library(sys.argv[1]), interactive=False)
window.importer.show_dialogs = False
window.show()
said = []
if sys.argv[2] == "import":
    window.importer.message.connect(said.append)
    window.importer.start(paths=[Path(sys.argv[3])])
    runner = window.importer
    # Under way: at least one batch committed ("Importing big.txt… 1,000 papers").
    started = lambda: any(m.startswith("Importing") and not m.endswith(" 0 papers")
                          for m in said)
else:
    window.fetcher.start()
    runner = window.fetcher
    started = lambda: Path(sys.argv[3]).exists()  # the server has the request
deadline = time.monotonic() + 60
while not started() and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.005)
print("closing while busy:", runner.busy, started(), flush=True)
window.close()
print("closed", flush=True)
"""


def run_app(db: Path, *args: str, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, str(db), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, **TEST_ENV, "QT_QPA_PLATFORM": "offscreen",
                               "WINNOW_CONFIG_DIR": str(db.parent / "config"),
                               **(env or {})})


def test_quitting_during_an_import_cancels_it_and_exits_cleanly(
        tmp_path: Path, _seeded_template: Path, big_listing: Path) -> None:
    db = tmp_path / "library.db"
    shutil.copy(_seeded_template, db)
    with closing(sqlite3.connect(db)) as conn:
        before = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    done = run_app(db, "import", str(big_listing))
    assert "closing while busy: True True" in done.stdout, (done.stdout, done.stderr)
    assert done.returncode == 0, done.stderr
    assert "QThread" not in done.stderr
    # The import was cancelled and taken back whole, by the app itself.
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == before
        assert conn.execute("SELECT count(*) FROM sources WHERE status = 'importing'"
                            ).fetchone()[0] == 0
    check = winnow("check", db=db)
    assert check.returncode == 0, check.stderr


def _slow_answer(marker: Path) -> Callable[[BinaryIO], None]:
    def write(out: BinaryIO) -> None:
        marker.touch()
        for _ in range(100):  # 10 s of one byte at a time, then the client is gone
            out.write(b" ")
            out.flush()
            time.sleep(0.1)

    return write


def test_quitting_during_a_fetch_exits_cleanly_and_imports_nothing(
        tmp_path: Path, _seeded_template: Path) -> None:
    db = tmp_path / "library.db"
    shutil.copy(_seeded_template, db)
    with Library(db) as lib:
        before = lib.count()
    marker = tmp_path / "asked"
    slow = (200, {"Content-Type": "application/json", "Content-Length": "100000"},
            _slow_answer(marker))
    with serve(ApiServer({("date", time.strftime("%Y-%m-%d")): [slow]})) as server:
        done = run_app(db, "fetch", str(marker), env={"WINNOW_API_URL": server.url})
    assert "closing while busy: True True" in done.stdout, (done.stdout, done.stderr)
    assert done.returncode == 0, done.stderr
    assert "QThread" not in done.stderr
    with Library(db) as lib:
        assert lib.count() == before
