"""Text from listings, tags, notes and file names reaches the terminal as text.

A hostile listing (OSC window titles, screen clears, colour codes, BEL, a bare CR,
backspace, a C1 CSI, a right-to-left override) is imported by the real `winnow`
under a real pseudo-terminal, then every command that prints listing text runs
in a subprocess; its raw output bytes are searched for anything a terminal would
obey. The hostile characters must still be visible, escaped.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import tty
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.reliability.conftest import TEST_ENV, WINNOW, winnow

TITLE = "Hostile \x1b]0;pwned\x07 title \x1b[2J clears \x9b31m and \u202eevil"
ABSTRACT = ("Abstract with \x1b[31mred\x1b[0m, a bell\x07, a "
            "back\x08space and an OSC 52 \x1b]52;c;cm0gLXJmIH4=\x07 clipboard write.")
NOTE = "note \x1b[8mhidden\x1b[0m\rOVERWRITTEN"
TAG = "tag\x1b[5mblink"
FILE_NAME = "evil\n\x1b]0;name\x07\r.txt"
# What a terminal obeys: C0 but newline and tab, DEL, C1, bidi overrides.
OBEYED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _listing(folder: Path) -> Path:
    lines = ["Daily Papers", "", "byAK and the research community", "", "Dec 9", "",
             TITLE, "", ABSTRACT, "", "  • 3 authors", "·", "May 22, 2024 7", "",
             "A plain neighbour paper", "", "Nothing odd in this abstract.", "",
             "  • 2 authors", "·", "May 21, 2024 3", ""]
    # Plain papers around it keep the share of control bytes under the parser's
    # binary-file threshold: a listing with a few hostile titles is still a listing.
    for number in range(30):
        lines += [f"Plain paper number {number}", "", "An ordinary abstract. " * 20, "",
                  "  • 2 authors", "·", "May 20, 2024 1", ""]
    path = folder / FILE_NAME
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _inert(output: bytes, *, own: tuple[bytes, ...] = ()) -> str:
    """The output as text, asserted to hold nothing a terminal would obey. `own`:
    sequences the program writes itself (the progress line's CR and erase)."""
    for sequence in own:
        output = output.replace(sequence, b"\n")
    text = output.decode("utf-8")
    found = OBEYED.findall(text)
    assert not found, (found, text[:2000])
    return text


def _in_pty(*args: str, db: Path) -> bytes:
    """Run `winnow` with stdout and stderr on a real pseudo-terminal (raw mode, so
    the bytes read are the bytes written) and return them."""
    master, slave = os.openpty()
    tty.setraw(slave)
    process = subprocess.Popen([*WINNOW, "--db", str(db), *args], cwd=ROOT,
                               stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                               env={**os.environ, **TEST_ENV})
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                raise AssertionError("winnow wrote nothing for 60 s")
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
    return b"".join(chunks)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, bytes]:
    """A library holding the hostile paper, tag and note; the import's terminal output."""
    folder = tmp_path_factory.mktemp("hostile")
    listing = _listing(folder)
    db = folder / "library.db"
    out = _in_pty("import", str(listing), db=db)
    listed = winnow("list", "--json", db=db)
    assert listed.returncode == 0, listed.stderr
    [paper] = [p for p in json.loads(listed.stdout) if p["title"].startswith("Hostile")]
    for args in (("tag", str(paper["id"]), "--add", TAG), ("note", str(paper["id"]), NOTE),
                 ("annotate", str(paper["id"]), "--quote", "Abstract with",
                  "--comment", "see \x1b[2J here"),
                 ("search", "save", "evil\x1b]0;x\x07", "hostile")):
        result = winnow(*args, db=db)
        assert result.returncode == 0, (args, result.stderr)
    return db, listing, out


def test_import_summary_under_a_terminal_shows_the_file_name_escaped(
        hostile: tuple[Path, Path, bytes]) -> None:
    _, _, out = hostile
    # The progress line is the program's own: CR, then erase-to-end-of-line.
    text = _inert(out, own=(b"\r\x1b[K", b"\r"))
    assert "evil\\n\\x1b]0;name\\x07\\r.txt" in text, text


@pytest.mark.parametrize("args", [
    ("list",), ("list", "hostile"), ("show", "{id}"), ("tags",), ("annotations",),
    ("search", "list"), ("similar", "{id}"),
    ("export", "--format", "markdown"), ("export", "--format", "csv"),
    ("export", "--format", "bibtex"),
])
def test_listing_text_printed_is_inert(hostile: tuple[Path, Path, bytes],
                                       args: tuple[str, ...]) -> None:
    db, _, _ = hostile
    ids = json.loads(winnow("list", "--json", "hostile", db=db).stdout)
    paper_id = str(ids[0]["id"])
    result = winnow(*(a.replace("{id}", paper_id) for a in args), db=db)
    assert result.returncode == 0, result.stderr
    text = _inert(result.stdout.replace(b"\r\n", b"\n")) + _inert(result.stderr)
    if args[0] in ("list", "show"):
        assert "\\x1b]0;pwned\\x07" in text  # shown, escaped, not dropped
    if args[0] == "show":
        assert "\\x1b[8mhidden\\x1b[0m\\rOVERWRITTEN" in text
        assert "\\u202eevil" in text


@pytest.mark.parametrize("args", [("list", "--json"), ("show", "--json", "{id}"),
                                  ("annotations", "--json")])
def test_json_output_is_inert_and_keeps_the_data(hostile: tuple[Path, Path, bytes],
                                                 args: tuple[str, ...]) -> None:
    db, _, _ = hostile
    ids = json.loads(winnow("list", "--json", "hostile", db=db).stdout)
    paper_id = str(ids[0]["id"])
    result = winnow(*(a.replace("{id}", paper_id) for a in args), db=db)
    assert result.returncode == 0, result.stderr
    _inert(result.stdout)
    data = json.loads(result.stdout)
    if args[0] == "show":
        assert data["title"] == TITLE  # the JSON still carries the exact text
        assert data["note"] == NOTE


def test_errors_naming_hostile_text_are_inert(hostile: tuple[Path, Path, bytes]) -> None:
    db, listing, _ = hostile
    for args in (("import", str(listing.with_name("gone\x1b[2J.txt"))),
                 ("search", "delete", "no\x1b]0;such\x07")):
        result = winnow(*args, db=db)
        assert result.returncode == 1, result
        _inert(result.stdout)
        assert "\\x1b" in _inert(result.stderr), result.stderr
