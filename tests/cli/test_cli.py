"""The real `winnow` command in a subprocess against a temp library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS

WINNOW = [sys.executable, "-m", "desktop.cli"]


def winnow(*args: str, db: Path | None = None, stdin: str | None = None,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [*WINNOW, *(["--db", str(db)] if db else []), *args]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, input=stdin,
                          env=full_env, timeout=120, check=False)


def test_import_reports_each_file_and_json(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    result = winnow("import", *map(str, SEEDS), db=db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("000_21a6442399f68ffa.txt: 22 papers, 22 new")
    again = winnow("import", "--json", str(SEEDS[1]), db=db)
    report = json.loads(again.stdout)
    assert report["ok"] and report["new"] == 0
    assert report["files"][0]["found"] == 221


def test_bad_file_among_good_ones_fails_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary\x00" * 50)
    result = winnow("import", str(bad), str(SEEDS[0]), db=db)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        result.stderr.strip().splitlines()[0]]
    assert "bad.txt" in result.stderr and "Traceback" not in result.stderr
    assert "22 new" in result.stdout


@pytest.fixture
def db(tmp_path: Path, seeded_path: Path) -> Path:
    return seeded_path


def test_list_show_and_json_fields(db: Path) -> None:
    listed = winnow("list", "--json", "--limit", "3", db=db)
    assert listed.returncode == 0, listed.stderr
    papers = json.loads(listed.stdout)
    assert len(papers) == 3
    expected = {"id", "title", "abstract", "authors_count", "organization", "published",
                "published_raw", "year_inferred", "upvotes", "read", "read_at", "starred",
                "tags", "note", "annotations", "sources", "added_at", "state", "snooze_until",
                # v2's card facts
                "arxiv_id", "url", "comments", "authors", "submitted_by", "ai_summary",
                "ai_keywords", "github_repo", "github_stars", "project_page", "date_source"}
    assert set(papers[0]) == expected
    shown = json.loads(winnow("show", str(papers[0]["id"]), "--json", db=db).stdout)
    assert shown == papers[0]
    text = winnow("show", str(papers[0]["id"]), db=db).stdout
    assert papers[0]["abstract"] in text


def test_triage_commands_change_the_library(db: Path) -> None:
    assert winnow("read", "1", "2", db=db).stdout.strip() == "marked 2 papers read"
    assert winnow("star", "3", db=db).returncode == 0
    assert winnow("tag", "1", "3", "--add", "rl", "--add", "keep", db=db).returncode == 0
    assert winnow("tag", "3", "--remove", "keep", db=db).returncode == 0
    assert winnow("note", "1", "-", db=db, stdin="from stdin\n").returncode == 0
    one = json.loads(winnow("show", "1", "--json", db=db).stdout)
    three = json.loads(winnow("show", "3", "--json", db=db).stdout)
    assert one["read"] and one["tags"] == ["keep", "rl"] and one["note"] == "from stdin\n"
    assert three["starred"] and three["tags"] == ["rl"]
    assert "rl" in winnow("tags", db=db).stdout
    assert winnow("undo", db=db).stdout.startswith("Undid")
    assert winnow("unread", "1", db=db).returncode == 0


def test_annotate_and_list_annotations(db: Path) -> None:
    paper = json.loads(winnow("show", "1", "--json", db=db).stdout)
    quote = paper["abstract"][10:40]
    done = winnow("annotate", "1", "--quote", quote, "--comment", "why", "--colour", "blue",
                  db=db)
    assert done.returncode == 0, done.stderr
    shown = json.loads(winnow("show", "1", "--json", db=db).stdout)
    assert shown["annotations"] == [{"id": 1, "start": 10, "end": 40, "quote": quote,
                                     "comment": "why", "colour": "blue", "orphaned": False}]
    listed = json.loads(winnow("annotations", "--json", db=db).stdout)
    assert listed[0]["paper_id"] == 1
    missing = winnow("annotate", "1", "--quote", "no such words here", db=db)
    assert missing.returncode == 1
    assert "not in the abstract" in missing.stderr


def test_export_to_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.bib"
    result = winnow("export", "--format", "bibtex", "-o", str(out), db=db)
    assert result.returncode == 0
    assert out.read_text(encoding="utf-8").count("@misc{") == 415


def test_saved_searches(db: Path) -> None:
    assert winnow("search", "save", "kan", "kolmogorov", db=db).returncode == 0
    listed = winnow("search", "list", db=db).stdout
    assert "kan: kolmogorov" in listed
    assert winnow("search", "delete", "kan", db=db).returncode == 0
    assert winnow("search", "delete", "kan", db=db).returncode == 1


@pytest.mark.parametrize("args, message", [
    (["show", "abc"], "invalid paper id"),
    (["read"], "the following arguments are required"),
    (["export", "--format", "docx"], "invalid choice"),
])
def test_usage_errors_exit_2(db: Path, args: list[str], message: str) -> None:
    result = winnow(*args, db=db)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize("args, message", [
    (["show", "99999"], "no paper with id 99999"),
    (["read", "99999"], "no paper with id 99999"),
    (["tag", "1"], "--add"),
    (["note", "424242", "x"], "no paper with id 424242"),
])
def test_errors_are_one_line_exit_1(db: Path, args: list[str], message: str) -> None:
    result = winnow(*args, db=db)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_library_is_a_clear_error(tmp_path: Path) -> None:
    result = winnow("list", db=tmp_path / "nope.db")
    assert result.returncode == 1
    assert "no library yet" in result.stderr
    assert not (tmp_path / "nope.db").exists()


def test_winnow_db_environment_variable(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    result = winnow("import", str(SEEDS[0]), env={"WINNOW_DB": str(db)})
    assert result.returncode == 0 and db.exists()


def test_backup_and_restore_keep_the_current_file(db: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    assert winnow("backup", str(backup), db=db).returncode == 0
    winnow("star", "7", db=db)
    restored = winnow("restore", str(backup), db=db)
    assert restored.returncode == 0, restored.stderr
    assert not json.loads(winnow("show", "7", "--json", db=db).stdout)["starred"]
    kept = [p for p in db.parent.iterdir() if ".before-restore-" in p.name
            and not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1
    bogus = tmp_path / "bogus.db"
    bogus.write_text("not a database")
    assert winnow("restore", str(bogus), db=db).returncode == 1


def test_command_line_does_not_import_qt(db: Path) -> None:
    code = ("import sys; from desktop.cli import main; main(['--db', sys.argv[1], 'list']); "
            "print(any(m.startswith('PySide6') for m in sys.modules), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True,
                            text=True, check=True)
    assert result.stderr.strip() == "False"


def test_screenshot_renders_offscreen_without_being_told(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    result = subprocess.run([*WINNOW, "--db", str(db), "gui", "--screenshot", str(out),
                             "--search", "kolmogorov"], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_app_without_a_display_says_so_in_one_line(db: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([*WINNOW, "--db", str(db)], capture_output=True, text=True,
                            env=env, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "winnow: no display to open the app on (DISPLAY and WAYLAND_DISPLAY are unset); "
        "use the commands in `winnow --help`, or `winnow gui --screenshot OUT.png`")


def test_stats_counts_and_papers_read_per_day(db: Path) -> None:
    winnow("read", "1", "2", "3", db=db)
    winnow("star", "4", db=db)
    winnow("read", "5", db=db)
    winnow("undo", db=db)
    out = winnow("stats", db=db).stdout
    counts = dict(line.split() for line in out.split("\n\n")[0].splitlines())
    assert counts == {"total": "415", "unread": "412", "read": "3", "starred": "1",
                      "with_note": "0", "annotated": "0", "inbox": "412", "later": "0",
                      "shortlist": "0", "done": "3", "skipped": "0"}
    [day_line] = out.split("\n\n")[1].splitlines()[1:]
    assert day_line.split()[1] == "3"


def test_similar_lists_papers_like_a_paper(db: Path) -> None:
    listed = json.loads(winnow("list", "--json", "title:tetris", db=db).stdout)
    result = winnow("similar", str(listed[0]["id"]), "--limit", "2", "--json", db=db)
    assert result.returncode == 0, result.stderr
    titles = [p["title"] for p in json.loads(result.stdout)]
    assert len(titles) == 2 and all("Speculative" in t for t in titles)


def _papers_in(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM papers").fetchone()[0]


def test_first_start_on_a_named_new_library_imports_the_samples(tmp_path: Path) -> None:
    """WINNOW_DB naming a file that does not exist yet is a first start like the
    default library's: the sample listings go in, so there is something to triage."""
    path = tmp_path / "fresh" / "library.db"
    env = {**os.environ, "WINNOW_DB": str(path), "QT_QPA_PLATFORM": "offscreen",
           "WINNOW_CONFIG_DIR": str(tmp_path / "config")}
    shot = subprocess.run([*WINNOW, "gui", "--screenshot", str(tmp_path / "shot.png")],
                          capture_output=True, text=True, env=env, timeout=180, check=False)
    assert shot.returncode == 0, shot.stderr
    assert _papers_in(path) == 415
    # A second start finds the library and imports nothing again.
    again = subprocess.run([*WINNOW, "gui", "--screenshot", str(tmp_path / "again.png")],
                           capture_output=True, text=True, env=env, timeout=180, check=False)
    assert again.returncode == 0, again.stderr
    assert _papers_in(path) == 415
