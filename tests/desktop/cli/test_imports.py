"""`winnow import` ids, `sources`, `undo-import`, `delete` and `show`'s card facts,
through the real command in a subprocess on a real library file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage import Library
from tests.conftest import ROOT
from tests.desktop.cli.conftest import winnow
from tests.storage.test_identity import ABSTRACTS, TITLES, listing, record


def _write(path: Path, pairs: list[tuple[str, str]], upvotes: int = 5) -> Path:
    path.write_text(listing(pairs, upvotes=upvotes), encoding="utf-8")
    return path


def test_import_prints_its_id_and_json_reports_form_and_id(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    page = _write(tmp_path / "monday.txt", list(zip(TITLES[:3], ABSTRACTS[:3], strict=True)))
    done = winnow("import", str(page), db=db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "monday.txt: 3 papers, 3 new, 0 updated, 0 unchanged (import 1)"
    other = _write(tmp_path / "tuesday.txt", [(TITLES[3], ABSTRACTS[3])])
    report = json.loads(winnow("import", "--json", str(other), db=db).stdout)
    [file] = report["files"]
    assert file["source_id"] == 2 and file["new"] == 1 and file["ok"]
    assert file["form"] == "seeds"
    # The same bytes again: nothing imported, and still the form they are in.
    again = winnow("import", "--json", str(other), db=db)
    [file] = json.loads(again.stdout)["files"]
    assert (file["form"], file["source_id"], file["new"]) == ("seeds", 2, 0)
    assert "already imported" in again.stderr
    one = _write(tmp_path / "wednesday.txt", [(TITLES[4], ABSTRACTS[4])])
    assert winnow("import", str(one), db=db).stdout.strip() == (
        "wednesday.txt: 1 paper, 1 new, 0 updated, 0 unchanged (import 3)")


def test_a_refused_file_reports_no_import_id_and_no_form(tmp_path: Path) -> None:
    """Attack N44: "hello world" (read by the seeds layout until it found no paper) was
    refused with `"source_id": 4, "form": "seeds"` in its JSON; the next import was then
    given id 4, so a script's `undo-import` of the refused file's id took that one back."""
    db = tmp_path / "lib.db"
    page = _write(tmp_path / "monday.txt", list(zip(TITLES[:3], ABSTRACTS[:3], strict=True)))
    assert winnow("import", str(page), db=db).returncode == 0
    hello = tmp_path / "hello.txt"
    hello.write_text("hello world\n", encoding="utf-8")
    refused = winnow("import", "--json", str(hello), db=db)
    assert refused.returncode == 1
    [file] = json.loads(refused.stdout)["files"]
    assert file["error"] == "hello.txt: no Daily Papers listing found in it"
    assert (file["source_id"], file["form"], file["found"], file["new"]) == (None, None, 0, 0)
    other = _write(tmp_path / "tuesday.txt", [(TITLES[3], ABSTRACTS[3])])
    [file] = json.loads(winnow("import", "--json", str(other), db=db).stdout)["files"]
    assert file["source_id"] == 2 and file["new"] == 1
    assert [s["id"] for s in json.loads(winnow("sources", "--all", "--json", db=db).stdout)] \
        == [2, 1]


def test_sources_undo_import_and_undo_again(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    monday = _write(tmp_path / "monday.txt", list(zip(TITLES[:3], ABSTRACTS[:3], strict=True)))
    tuesday = _write(tmp_path / "tuesday.txt",
                     list(zip(TITLES[2:6], ABSTRACTS[2:6], strict=True)), upvotes=9)
    assert winnow("import", str(monday), str(tuesday), db=db).returncode == 0
    listed = winnow("sources", db=db)
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert len(lines) == 2 and "tuesday.txt" in lines[0] and "monday.txt" in lines[1]
    assert "4 found" in lines[0] and "3 new" in lines[0]

    assert winnow("star", "4", db=db).returncode == 0  # one of Tuesday's own papers
    undone = winnow("undo-import", "2", db=db)
    assert undone.returncode == 0, undone.stderr
    out = undone.stdout
    assert "undid import 2 (tuesday.txt): removed 2 papers" in out
    assert "listing facts of 1 paper" in out
    assert "kept 1 paper you acted on" in out and ": 4" in out
    papers = json.loads(winnow("list", "--json", "--limit", "50", db=db).stdout)
    assert sorted(p["id"] for p in papers) == [1, 2, 3, 4]
    assert [p["upvotes"] for p in papers if p["id"] == 3] == [5]
    assert [json.loads(winnow("sources", "--json", db=db).stdout)[0]["id"]] == [1]
    every = json.loads(winnow("sources", "--all", "--json", db=db).stdout)
    assert [(s["id"], s["status"]) for s in every] == [(2, "undone"), (1, "complete")]
    assert len(list((tmp_path / "backups").glob("lib-before-undo-import-2-*.db"))) == 1

    back = winnow("undo", db=db)
    # Named, with the papers that came back (attack N5, N22).
    assert back.stdout.strip() == "Put back import 2 (tuesday.txt): 2 papers back in the library"
    assert len(json.loads(winnow("list", "--json", db=db).stdout)) == 6

    again = winnow("undo-import", "9", db=db)
    assert again.returncode == 1
    assert again.stderr.strip() == ("winnow: no import with id 9 (see `winnow sources`)")


def test_delete_then_undo(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    page = _write(tmp_path / "p.txt", list(zip(TITLES[:3], ABSTRACTS[:3], strict=True)))
    assert winnow("import", str(page), db=db).returncode == 0
    assert winnow("tag", "2", "--add", "keep", db=db).returncode == 0
    done = winnow("delete", "2", "3", db=db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "deleted 2 papers (`winnow undo` brings them back)"
    assert [p["id"] for p in json.loads(winnow("list", "--json", db=db).stdout)] == [1]
    assert len(list((tmp_path / "backups").glob("lib-before-delete-*.db"))) == 1
    missing = winnow("delete", "77", db=db)
    assert missing.returncode == 1 and "no paper with id 77" in missing.stderr
    assert winnow("undo", db=db).stdout.strip() == "Undid delete on 2 papers"
    shown = json.loads(winnow("show", "2", "--json", db=db).stdout)
    assert shown["tags"] == ["keep"]


def test_show_prints_the_card_facts(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    with Library(db) as lib:
        lib.import_records([record(
            TITLES[0], ABSTRACTS[0], arxiv_id="2503.01234", comments=3,
            authors=("Ada Lovelace", "Alan Turing"), submitted_by="akhaliq",
            ai_summary="Sparse attention made cheap.", ai_keywords=("attention", "sparsity"),
            github_repo="https://github.com/x/y", github_stars=1200,
            project_page="https://x.example.org")], name="api", form="api")
    shown = winnow("show", "1", db=db)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    for line in ("arXiv 2503.01234 · https://huggingface.co/papers/2503.01234",
                 "Authors: Ada Lovelace, Alan Turing",
                 "Submitted by akhaliq · 3 comments",
                 "AI summary: Sparse attention made cheap.",
                 "Keywords: attention, sparsity",
                 "GitHub: https://github.com/x/y (1,200 stars) · "
                 "Project page: https://x.example.org"):
        assert line in text.splitlines()
    data = json.loads(winnow("show", "1", "--json", db=db).stdout)
    assert data["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert data["github_stars"] == 1200 and data["submitted_by"] == "akhaliq"


def test_a_file_with_no_listing_is_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    assert winnow("init", db=db).returncode == 0
    article = ROOT / "tests" / "fixtures" / "forms" / "not-article.txt"
    done = winnow("import", str(article), db=db)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "winnow: not-article.txt: no Daily Papers listing found in it"]
    assert json.loads(winnow("sources", "--all", "--json", db=db).stdout) == []


def test_utf16_without_a_bom_is_named_with_the_command_that_converts_it(tmp_path: Path
                                                                       ) -> None:
    import subprocess

    db = tmp_path / "lib.db"
    assert winnow("init", db=db).returncode == 0
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    wide = tmp_path / "saved-by-notepad.txt"
    wide.write_bytes(seed.read_text(encoding="utf-8").encode("utf-16-le"))  # no BOM
    done = winnow("import", str(wide), db=db)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line == ("winnow: saved-by-notepad.txt: looks like UTF-16LE text without a "
                    "byte-order mark; save it as UTF-8 (or convert it: iconv -f UTF-16LE "
                    "-t UTF-8 IN > OUT) and import that")
    assert json.loads(winnow("sources", "--all", "--json", db=db).stdout) == []
    # The command it names does what it says (iconv from the system, as a user runs it).
    converted = tmp_path / "converted.txt"
    with converted.open("wb") as out:
        subprocess.run(["iconv", "-f", "UTF-16LE", "-t", "UTF-8", str(wide)], stdout=out,
                       check=True)
    again = winnow("import", str(converted), db=db)
    assert again.returncode == 0, again.stderr
    assert "new" in again.stdout


def test_export_carries_the_card_facts_in_json_and_csv(tmp_path: Path) -> None:
    import csv

    db = tmp_path / "lib.db"
    with Library(db) as lib:
        lib.import_records([record(
            TITLES[0], ABSTRACTS[0], arxiv_id="2503.01234", comments=3,
            authors=("Ada Lovelace", "Alan Turing"), submitted_by="=cmd|evil",
            ai_keywords=("attention", "sparsity"), github_stars=1200)], name="api", form="api")
    out = tmp_path / "out.csv"
    assert winnow("export", "--format", "csv", "-o", str(out), db=db).returncode == 0
    with out.open(encoding="utf-8", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["arxiv_id"] == "2503.01234" and row["comments"] == "3"
    assert row["authors"] == "Ada Lovelace; Alan Turing"
    assert row["ai_keywords"] == "attention; sparsity" and row["github_stars"] == "1200"
    assert row["submitted_by"] == "'=cmd|evil"  # listing text is never a formula
    assert row["title"] == TITLES[0]  # v1's columns keep their places and values
    data = json.loads(winnow("export", "--format", "json", db=db).stdout)
    assert data[0]["arxiv_id"] == "2503.01234" and data[0]["authors"] == [
        "Ada Lovelace", "Alan Turing"]


def test_a_card_whose_title_has_no_letter_or_digit_is_warned_about(tmp_path: Path) -> None:
    """F8: twenty cards, two titled only in punctuation: those two have no title key,
    so they cannot be papers, and the import says so in one line naming the file
    instead of counting "20 papers, 18 new" with nothing said about the other two."""
    from tests.api_server import api_item

    items = [api_item(n) for n in range(1, 19)]
    items.insert(4, api_item(40, title="\\{\\}"))
    items.insert(11, api_item(41, title="{{{{}}}}}"))
    page = tmp_path / "day.json"
    page.write_text(json.dumps(items), encoding="utf-8")
    db = tmp_path / "lib.db"

    done = winnow("import", str(page), db=db)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "day.json: 20 papers, 18 new, 0 updated, 0 unchanged, 1 warning (import 1)")
    [warning] = [line for line in done.stderr.splitlines() if "letter or digit" in line]
    assert warning.endswith('day.json: skipped 2 cards whose title has no letter or digit '
                            '("\\{\\}", "{{{{}}}}}"); nothing imported from them')
    with Library(db) as lib:
        assert lib.stats()["total"] == 18
        # The one warning is kept with the import, where `sources` and the app read it.
        [stored] = json.loads(lib.conn.execute("SELECT warnings FROM sources").fetchone()[0])
        assert stored == warning[warning.index("day.json"):]
    # The --json report carries it as well.
    again = tmp_path / "again.json"
    again.write_text(json.dumps([api_item(42, title="***")]), encoding="utf-8")
    [file] = json.loads(winnow("import", "--json", str(again), db=db).stdout)["files"]
    assert file["found"] == 1 and file["new"] == 0
    assert file["warnings"] == ['again.json: skipped 1 card whose title has no letter or '
                                'digit ("***"); nothing imported from it']


def test_a_copy_quoted_in_an_email_imports_and_a_gzipped_one_is_named(tmp_path: Path) -> None:
    import gzip

    db = tmp_path / "lib.db"
    assert winnow("init", db=db).returncode == 0
    page = (ROOT / "tests" / "fixtures" / "forms" / "md-firecrawl.md").read_text(encoding="utf-8")
    clean = tmp_path / "clean.md"
    clean.write_text(page, encoding="utf-8")
    quoted = tmp_path / "forwarded.md"
    quoted.write_text("".join("> " + line for line in page.splitlines(keepends=True)),
                      encoding="utf-8")
    done = winnow("import", "--json", str(quoted), db=db)
    assert done.returncode == 0, done.stderr
    [file] = json.loads(done.stdout)["files"]
    assert file["form"] == "markdown" and file["new"] > 0
    assert file["warnings"] == ["forwarded.md: every line is quoted with '>', as in an "
                                "email; read without the quote marks"]
    # The same papers as the copy itself: importing that brings nothing new.
    [again] = json.loads(winnow("import", "--json", str(clean), db=db).stdout)["files"]
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, file["new"])

    packed = tmp_path / "page.md"  # a .gz under a Markdown name
    packed.write_bytes(gzip.compress(page.encode("utf-8")))
    refused = winnow("import", str(packed), db=db)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "winnow: page.md: a gzip-compressed file, not text; decompress it (gunzip -k FILE) "
        "and import what it holds"]
    assert len(json.loads(winnow("sources", "--json", db=db).stdout)) == 2


def _in_terminal(*args: str, db: Path, env: dict[str, str]) -> str:
    """`winnow` with stdout and stderr on a real pseudo-terminal (raw: the bytes read
    are the bytes written)."""
    import os
    import select
    import subprocess
    import tty

    from tests.desktop.cli.conftest import WINNOW

    master, slave = os.openpty()
    tty.setraw(slave)
    process = subprocess.Popen([*WINNOW, "--db", str(db), *args], cwd=ROOT,
                               stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                               env={**os.environ, **env})
    os.close(slave)
    chunks = []
    try:
        while select.select([master], [], [], 60)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        process.wait(timeout=60)
    return b"".join(chunks).decode()


def test_a_take_back_in_steps_shows_its_progress_on_a_terminal_only(
        tmp_path: Path, db: Path) -> None:
    from tests.reliability.conftest import write_listing

    big = write_listing(tmp_path / "big.txt", 120)
    assert winnow("import", str(big), db=db).returncode == 0
    steps = {"WINNOW_REMOVAL_BATCH": "50"}
    out = _in_terminal("undo-import", "6", db=db, env=steps)
    line = "\r\x1b[Ktaking back import 6: {} of 120 papers…"
    assert out.startswith("".join(line.format(n) for n in (50, 100, 120)) + "\r\x1b[K"), out
    assert "undid import 6 (big.txt): removed 120 papers" in out
    out = _in_terminal("undo", db=db, env=steps)
    assert out.startswith("\r\x1b[Kundo: 50 of 120 papers…"), out
    assert "Put back import 6 (big.txt): 120 papers back in the library" in out
    # Not on a terminal (a pipe, a script): no progress line at all.
    piped = winnow("undo-import", "6", db=db, env=steps)
    assert piped.returncode == 0 and piped.stderr == ""
    assert piped.stdout.startswith("undid import 6 (big.txt): removed 120 papers")


def test_the_next_command_finishes_a_cut_short_take_back_with_progress_and_one_line(
        tmp_path: Path, db: Path, monkeypatch) -> None:
    from tests.reliability.conftest import write_listing

    big = write_listing(tmp_path / "big.txt", 120)
    assert winnow("import", str(big), db=db).returncode == 0
    monkeypatch.setenv("WINNOW_REMOVAL_BATCH", "20")

    class Killed(BaseException):
        pass

    def die(done: int, _total: int) -> None:
        if done == 40:
            raise Killed  # as kill -9 between two steps: the record stays

    with Library(db) as lib, pytest.raises(Killed):
        lib.undo_import(6, backup=False, progress=die)
    out = _in_terminal("sources", "--all", db=db, env={"WINNOW_REMOVAL_BATCH": "20"})
    line = "\r\x1b[Kfinishing taking back import 6, cut short: {} of 120 papers…"
    told = "winnow: library.db: taking back import 6 was cut short; it has been finished\n"
    assert out.startswith("".join(line.format(n) for n in (60, 80, 100, 120))
                          + "\r\x1b[K" + told), out
    # Said once, before the command's own output, which shows the job done.
    assert out.count("cut short") == 1 + 4 and "(undone)" in out.split(told)[1]


def test_the_next_command_takes_back_an_import_cut_short_with_progress_and_one_line(
        tmp_path: Path, db: Path) -> None:
    import sqlite3
    from contextlib import closing

    from tests.reliability.conftest import write_listing

    big = write_listing(tmp_path / "big.txt", 120)
    assert winnow("import", str(big), db=db).returncode == 0
    # As a kill between two batch commits leaves it: 'importing', its lock free.
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE sources SET status = 'importing' WHERE id = 6")
    out = _in_terminal("stats", db=db, env={"WINNOW_REMOVAL_BATCH": "50"})
    line = "\r\x1b[Ktaking back import 6 (big.txt), cut short: {} of 120 papers…"
    told = "winnow: big.txt: an import that was cut short has been taken back (120 papers)\n"
    # The progress line while it runs (it was silent: the take-back ran inside the
    # open, in one transaction), then one line, then the command's own output.
    assert out.startswith("".join(line.format(n) for n in (50, 100, 120))
                          + "\r\x1b[K" + told), out
    assert out.count("cut short") == 1 + 3 and "415" in out.split(told)[1]
