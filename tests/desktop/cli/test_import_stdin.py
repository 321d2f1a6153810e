"""`winnow import -` reads a listing piped in (`xclip -o | winnow import -`, attack N30),
through the real command in a subprocess on a real library file."""

from __future__ import annotations

import gzip
import json
import os
import select
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.desktop.cli.conftest import WINNOW, winnow
from tests.storage.test_identity import ABSTRACTS, TITLES, listing

DAILY = ROOT / "tests" / "fixtures" / "forms" / "text-daily.txt"


def piped(*args: str, db: Path, data: bytes) -> subprocess.CompletedProcess[bytes]:
    """`winnow --db DB ARGS...` with `data` on its standard input (a pipe)."""
    return subprocess.run([*WINNOW, "--db", str(db), *args], input=data, cwd=ROOT,
                          capture_output=True, timeout=120, check=False)


def _titles(db: Path) -> list[str]:
    return [p["title"] for p in json.loads(winnow("list", "--json", "--limit", "1000",
                                                  db=db).stdout)]


def test_a_piped_copy_imports_as_the_same_file_would_named_stdin(tmp_path: Path) -> None:
    data = DAILY.read_bytes()
    done = piped("import", "-", db=tmp_path / "piped.db", data=data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == "stdin: 15 papers, 15 new, 0 updated, 0 unchanged (import 1)\n"
    assert winnow("import", str(DAILY), db=tmp_path / "file.db").returncode == 0
    assert _titles(tmp_path / "piped.db") == _titles(tmp_path / "file.db")
    [source] = json.loads(winnow("sources", "--json", db=tmp_path / "piped.db").stdout)
    assert (source["name"], source["form"], source["new"]) == ("stdin", "text", 15)
    # The same bytes again are the same import; and it is taken back as any import.
    again = piped("import", "--json", "-", db=tmp_path / "piped.db", data=data)
    [file] = json.loads(again.stdout)["files"]
    assert (file["path"], file["source_id"], file["new"], file["ok"]) == ("stdin", 1, 0, True)
    assert winnow("undo-import", "1", db=tmp_path / "piped.db").returncode == 0
    assert _titles(tmp_path / "piped.db") == []


NOT_LISTINGS = {
    "empty": b"",
    "blank": b"\n  \n",
    "shopping list": b"milk\neggs\nbread\n",
    "binary": bytes(range(256)) * 4,
    "gzip": gzip.compress(DAILY.read_bytes()),
    "utf-16 without a BOM": DAILY.read_text(encoding="utf-8").encode("utf-16-le"),
}


@pytest.mark.parametrize("what", NOT_LISTINGS)
def test_stdin_is_refused_with_a_files_line_and_status(tmp_path: Path, what: str) -> None:
    data = NOT_LISTINGS[what]
    db = tmp_path / "lib.db"
    assert winnow("import", str(DAILY), db=db).returncode == 0
    file = tmp_path / "copy.txt"
    file.write_bytes(data)
    as_file = winnow("import", str(file), db=db)
    as_pipe = piped("import", "-", db=db, data=data)
    assert as_file.returncode == as_pipe.returncode == 1
    assert as_file.stderr.startswith("winnow: copy.txt: ")
    assert as_pipe.stderr.decode() == as_file.stderr.replace("copy.txt", "stdin", 1)
    assert as_pipe.stdout == b""
    assert len(json.loads(winnow("sources", "--json", db=db).stdout)) == 1


def test_a_bad_byte_on_stdin_is_warned_by_its_line(tmp_path: Path) -> None:
    text = listing(list(zip(TITLES[:3], ABSTRACTS[:3], strict=True))).encode()
    cut = text.index(ABSTRACTS[1][:20].encode())
    data = text[:cut] + b"\xff" + text[cut:]
    done = piped("import", "-", db=tmp_path / "lib.db", data=data)
    assert done.returncode == 0
    line = text[:cut].count(b"\n") + 1
    assert f"  warning: stdin: line {line}: bytes that are not UTF-8, shown as \ufffd" \
        in done.stderr.decode()
    assert "stdin: 3 papers, 3 new" in done.stdout.decode()


def test_stdin_among_files_keeps_their_order_and_is_read_once(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    first = tmp_path / "monday.txt"
    first.write_text(listing([(TITLES[0], ABSTRACTS[0])]), encoding="utf-8")
    data = listing([(TITLES[1], ABSTRACTS[1]), (TITLES[2], ABSTRACTS[2])]).encode()
    done = piped("import", str(first), "-", str(tmp_path / "missing.txt"), db=db, data=data)
    assert done.returncode == 1  # the missing file, as without a pipe
    assert done.stdout.decode().splitlines() == [
        "monday.txt: 1 paper, 1 new, 0 updated, 0 unchanged (import 1)",
        "stdin: 2 papers, 2 new, 0 updated, 0 unchanged (import 2)"]
    twice = piped("import", "-", "-", db=db, data=data)
    assert twice.returncode == 1
    assert twice.stderr.decode() == ("winnow: '-' (stdin) given 2 times; a pipe can be read "
                                     "only once\n")
    assert len(json.loads(winnow("sources", "--json", db=db).stdout)) == 2


def test_at_a_terminal_it_says_how_to_end_the_paste_and_reads_to_ctrl_d(
        tmp_path: Path) -> None:
    """A user who types `winnow import -` and pastes: told how to end, not left waiting."""
    db = tmp_path / "lib.db"
    master, slave = os.openpty()  # a terminal in its usual (canonical) mode
    process = subprocess.Popen([*WINNOW, "--db", str(db), "import", "-"], cwd=ROOT,
                               stdin=slave, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""
    try:
        while b"Ctrl+D" not in seen and select.select([master], [], [], 60)[0]:
            seen += os.read(master, 4096)
        assert seen.decode().startswith(
            "winnow import: reading the listing from the terminal; paste it, then press "
            "Ctrl+D on a line of its own")
        pasted = listing([(TITLES[0], ABSTRACTS[0]), (TITLES[1], ABSTRACTS[1])])
        os.write(master, pasted.encode() + b"\x04")  # the paste, then Ctrl+D
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    assert process.returncode == 0
    assert out.decode() == "stdin: 2 papers, 2 new, 0 updated, 0 unchanged (import 1)\n"
