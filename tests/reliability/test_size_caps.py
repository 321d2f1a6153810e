"""Sizes: a giant field is cut at import, with a warning; binary data late in a
file is still binary."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

from storage import Library
from storage.library import FIELD_CAPS
from tests.reliability.conftest import read_only, winnow

HEAD = ["Daily Papers", "", "byAK and the research community", "", "Dec 9", ""]


def _paper(title: str, abstract: str) -> list[str]:
    return [title, "", abstract, "", "  • 3 authors", "·", "May 22, 2024 7", ""]


def test_giant_abstract_is_cut_at_import_and_said(tmp_path: Path) -> None:
    cap = FIELD_CAPS["abstract"]
    words = "zebra quantum lattice " * (5_000_000 // 22)  # ~5 MB on one line
    abstract = "Opening words here. " + words + " farewellword"
    listing = tmp_path / "giant.txt"
    listing.write_text("\n".join(HEAD + _paper("A paper with a giant abstract", abstract)
                                 + _paper("A normal neighbour", "Ordinary text.")),
                       encoding="utf-8")
    db = tmp_path / "library.db"
    result = winnow("import", str(listing), db=db)
    assert result.returncode == 0, result.stderr
    said = result.stderr.decode()
    assert "giant abstract" in said and "cut" in said and f"{cap:,}" in said, said
    with closing(read_only(db)) as conn:
        [[length]] = conn.execute("SELECT length(abstract) FROM papers WHERE title LIKE "
                                  "'A paper with%'")
    assert length <= cap + 1  # the cut adds one ellipsis
    with Library(db) as lib:
        assert lib.search("opening").ids  # the start is indexed...
        assert not lib.search("farewellword").ids  # ...what was cut is not
        assert len(lib.search("neighbour").ids) == 1
    listed = json.loads(winnow("show", "--json", "1", db=db).stdout)
    assert len(listed["abstract"]) <= cap + 1


def test_giant_title_is_cut_too(tmp_path: Path) -> None:
    cap = FIELD_CAPS["title"]
    listing = tmp_path / "t.txt"
    listing.write_text("\n".join(HEAD + _paper("Long " * 5000, "An abstract.")),
                       encoding="utf-8")
    db = tmp_path / "library.db"
    result = winnow("import", str(listing), db=db)
    assert result.returncode == 0, result.stderr
    assert b"title" in result.stderr and b"cut" in result.stderr
    with closing(read_only(db)) as conn:
        assert conn.execute("SELECT max(length(title)) FROM papers").fetchone()[0] <= cap + 1


def test_control_bytes_after_the_first_64_kb_are_binary(tmp_path: Path) -> None:
    lines = list(HEAD)
    for number in range(80):  # ~80 KB of ordinary listing first
        lines += _paper(f"Ordinary paper {number}", "Plain words in an abstract. " * 35)
    text = "\n".join(lines).encode("utf-8")
    assert len(text) > 70_000
    blob = bytes(range(1, 9)) * 2000 + bytes(range(14, 32)) * 1000  # binary, no NUL
    listing = tmp_path / "late-binary.txt"
    listing.write_bytes(text + b"\n" + blob + b"\n")
    db = tmp_path / "library.db"
    result = winnow("import", str(listing), db=db)
    assert result.returncode == 1
    assert b"binary" in result.stderr, result.stderr
