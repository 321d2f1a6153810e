"""run_gui(): scripted screenshots, first start, empty and broken libraries, hard kills."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from desktop.app import parse_keys
from storage import Library

ROOT = Path(__file__).resolve().parents[2]


def run_gui_subprocess(tmp_path: Path, db: Path, *, out: Path | None, search: str | None = None,
                       keys: list[str] | None = None, first_start: bool = False,
                       timeout: float = 60) -> subprocess.CompletedProcess[str]:
    code = textwrap.dedent("""
        import json, sys
        from pathlib import Path
        from desktop.app import run_gui
        args = json.loads(sys.argv[1])
        raise SystemExit(run_gui(Path(args["db"]), import_samples_if_new=args["first"],
                                 screenshot=Path(args["out"]) if args["out"] else None,
                                 search=args["search"], keys=args["keys"]))
    """)
    import json

    payload = json.dumps({"db": str(db), "first": first_start, "out": str(out) if out else None,
                          "search": search, "keys": keys})
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "WINNOW_CONFIG_DIR": str(tmp_path / "config"), "WINNOW_THEME": "light"}
    return subprocess.run([sys.executable, "-c", code, payload], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_key_names_from_the_command_line() -> None:
    assert parse_keys(["r", "j", "ctrl+z", "escape", "return", "g i"]) == \
        ["r", "j", "Ctrl+Z", "Esc", "Return", "g", "i"]


def test_screenshot_with_search_and_keys(tmp_path: Path, seeded_path: Path) -> None:
    with Library(seeded_path) as lib:
        first_hit = lib.search("kolmogorov", limit=1).ids[0]
    out = tmp_path / "shot.png"
    result = run_gui_subprocess(tmp_path, seeded_path, out=out, search="kolmogorov",
                                keys=["s", "n", "w", "o", "w", "escape", "r"])
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    with Library(seeded_path) as lib:
        paper = lib.get(first_hit)
        assert paper.starred and paper.read and paper.note == "wow"


def test_screenshot_of_the_inbox_marks_the_first_paper(tmp_path: Path,
                                                       seeded_path: Path) -> None:
    with Library(seeded_path) as lib:
        first = lib.search("is:unread", limit=1).ids[0]
    out = tmp_path / "inbox.png"
    result = run_gui_subprocess(tmp_path, seeded_path, out=out, keys=["r", "ctrl+z", "j", "e"])
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000
    with Library(seeded_path) as lib:
        assert not lib.get(first).read
        assert lib.stats()["read"] == 1


def test_first_start_imports_the_samples(tmp_path: Path) -> None:
    db = tmp_path / "new" / "library.db"
    out = tmp_path / "first.png"
    result = run_gui_subprocess(tmp_path, db, out=out, first_start=True)
    assert result.returncode == 0, result.stderr
    with Library(db) as lib:
        assert lib.stats()["total"] == 415
    assert QImage(str(out)).width() == 1280


def test_a_new_db_starts_empty_with_an_import_action(tmp_path: Path) -> None:
    db = tmp_path / "new" / "empty.db"
    result = run_gui_subprocess(tmp_path, db, out=tmp_path / "empty.png")
    assert result.returncode == 0, result.stderr
    assert QImage(str(tmp_path / "empty.png")).width() == 1280
    # N13: nothing was imported, so nothing is left at the new path (no empty
    # library, no folder): the next start there is a first start again.
    assert not (tmp_path / "new").exists()


def test_empty_state_button_imports_the_samples(library: Library, make_window,
                                                qtbot) -> None:
    window = make_window(library)
    assert window.panel.stack.currentWidget() is window.empty_state
    assert window.panel.empty_title.text() == "Your library is empty"
    assert window.panel.samples_button.isVisible()
    assert "import.samples" in {c.id for c in window.registry}
    qtbot.mouseClick(window.panel.samples_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20000)
    qtbot.waitUntil(lambda: window.model.rowCount() == 415)
    assert library.stats()["total"] == 415
    assert window.panel.stack.currentWidget() is window.table
    assert window.current_id() == window.model.ids[0]


def test_a_damaged_library_is_one_line_and_exit_1(tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    result = run_gui_subprocess(tmp_path, db, out=tmp_path / "x.png")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("winnow:")]
    assert len(lines) == 1 and str(db) in lines[0]
    assert not (tmp_path / "x.png").exists()


def test_an_unknown_key_name_is_an_error(tmp_path: Path, seeded_path: Path) -> None:
    result = run_gui_subprocess(tmp_path, seeded_path, out=tmp_path / "x.png",
                                keys=["ctrl+nosuchkey"])
    assert result.returncode == 1
    assert result.stderr.strip().startswith("winnow: unknown key")


KILL_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from desktop.app import _application
    from desktop.window import MainWindow
    from storage import Library

    app = _application()
    window = MainWindow(Library(Path(sys.argv[1])), interactive=False)
    window.show()
    window.activateWindow()
    window.run_command("note.edit")
    QTest.keyClicks(window.reader.note, "typed just before the crash")
    print("typed", flush=True)
    app.exec()
""")


@pytest.mark.slow
def test_note_survives_a_hard_kill_a_second_after_typing(tmp_path: Path,
                                                         seeded_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "WINNOW_CONFIG_DIR": str(tmp_path / "config")}
    with Library(seeded_path) as lib:
        first = lib.search("is:unread", limit=1).ids[0]
    process = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(seeded_path)], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "typed"
        time.sleep(1.0)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert process.returncode == -signal.SIGKILL
    with Library(seeded_path) as lib:
        assert lib.get(first).note == "typed just before the crash"
