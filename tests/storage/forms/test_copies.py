"""Two copies of the page saved by different tools, glued in one file (attack F26).

``cat a.md b.txt`` must give the papers the two files give imported one after the other,
field by field, with or without a line end between the copies. Each glued file is made
here from two fixture copies; the expectation is the real import of the two files into
one library, compared with the real import of the glued file into another.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from storage.forms import parse_form
from storage.forms.copies import split_copies
from storage.listing import parse_listing

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
# One copy per tool: copied text, a scraper's front matter, a reference dump, a clipper's
# trending page, an extraction's trending page, a text export with URL lines.
COPIES = ["text-daily.txt", "md-firecrawl.md", "md-reference-links.md", "md-trending.md",
          "md-trending-extraction.md", "text-urls-export.txt"]
# What the library keeps of a paper, less what differs between any two imports.
SKIP = {"id", "added_at", "first_seen", "updated_at", "source_id", "first_source_id"}


def _glue(first: str, second: str, between: str) -> str:
    a = (FORMS / first).read_text(encoding="utf-8")
    b = (FORMS / second).read_text(encoding="utf-8")
    return a.rstrip("\n") + between + b


def _papers(path: Path) -> dict[str, dict[str, object]]:
    with closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        rows = [dict(row) for row in conn.execute("SELECT * FROM papers")]
    return {str(row["key"]): {k: v for k, v in row.items() if k not in SKIP} for row in rows}


def _imported(db: Path, files: list[Path]) -> dict[str, dict[str, object]]:
    lib = Library(db)
    try:
        for file in files:
            report = lib.import_files([file])
            assert report.files[0].error is None, report.files[0].error
    finally:
        lib.close()
    return _papers(db)


PAIRS = list(itertools.permutations(COPIES, 2))


@pytest.mark.parametrize("between", ["\n", ""], ids=["line-end", "glued"])
@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_two_copies_of_different_forms_are_the_two_files(tmp_path: Path, first: str,
                                                          second: str, between: str) -> None:
    glued = tmp_path / "both.md"
    glued.write_text(_glue(first, second, between), encoding="utf-8")
    one_by_one = _imported(tmp_path / "two.db", [FORMS / first, FORMS / second])
    together = _imported(tmp_path / "one.db", [glued])
    assert together.keys() == one_by_one.keys()
    for key, paper in one_by_one.items():
        assert together[key] == paper, key


def test_each_copy_begins_at_its_own_header() -> None:
    """The second copy's front matter is its own, even glued to the first's last line."""
    text = _glue("md-reference-links.md", "text-urls-export.txt", "")
    copies = split_copies(text)
    assert len(copies) == 2
    second = (FORMS / "text-urls-export.txt").read_text(encoding="utf-8")
    assert copies[1].text == second
    assert copies[0].text.rstrip("\n") == (FORMS / "md-reference-links.md").read_text(
        encoding="utf-8").rstrip("\n")


def test_two_pastes_of_one_copy_stay_with_their_form_reader() -> None:
    """Same-form pairs (two pastes, ``cat day1.txt day2.txt``) are read as before, by the
    one reader of their form over the whole text, not split."""
    for name in COPIES:
        text = (FORMS / name).read_text(encoding="utf-8")
        twice = text + text
        assert len(split_copies(twice)) == 2, name
        listing = parse_listing(twice, name=name)
        whole = parse_form(twice, listing.form, name=name, reference=None)
        assert listing.records == whole.records, name


def test_one_copy_is_one_part() -> None:
    for name in COPIES:
        assert len(split_copies((FORMS / name).read_text(encoding="utf-8"))) == 1, name


def test_winnow_import_json_reads_both_copies(tmp_path: Path) -> None:
    pair = [FORMS / "md-reference-links.md", FORMS / "text-urls-export.txt"]
    glued = tmp_path / "both.md"
    glued.write_text(_glue(pair[0].name, pair[1].name, "\n"), encoding="utf-8")
    one_by_one = _imported(tmp_path / "two.db", pair)
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         "--json", str(glued)],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["new"] == len(one_by_one)
    assert _papers(tmp_path / "lib.db") == one_by_one


def test_a_copy_that_cannot_be_read_on_its_own_is_named_by_its_line() -> None:
    """Unsure (the second copy holds no card of its own): the first is read as before and
    one warning names the file and the line where the unread copy begins."""
    page = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    stub = "---\ntitle: Daily Papers\nurl: https://huggingface.co/papers\n---\nnew\n" \
           "Get trending papers in your email inbox once a day!\nnothing here\n"
    alone = parse_listing(page, name="both.md")
    both = parse_listing(page + stub, name="both.md")
    assert both.records == alone.records
    line = page.count("\n") + 1
    assert both.warnings == [*alone.warnings,
                             f"both.md: line {line} begins another copy of the page that "
                             f"could not be read on its own; its papers may be missing "
                             f"(import that copy as a file of its own)"]
