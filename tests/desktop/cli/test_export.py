"""`winnow export` (desktop/cli/export.py), run as the real command on a real library file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import bibtexparser
from pybtex.database import parse_file as pybtex_parse_file

from tests.desktop.cli.conftest import winnow


def test_export_to_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.bib"
    result = winnow("export", "--format", "bibtex", "-o", str(out), db=db)
    assert result.returncode == 0
    assert out.read_text(encoding="utf-8").count("@misc{") == 415


# ---------------------------------------------- the format from -o's ending (N27)
def _starred(db: Path) -> dict[int, str]:
    """Star three papers with the real command; their ids and titles."""
    ids = ["3", "17", "42"]
    assert winnow("star", *ids, db=db).returncode == 0
    papers = [json.loads(winnow("show", i, "--json", db=db).stdout) for i in ids]
    return {p["id"]: p["title"] for p in papers}


def test_export_to_a_bib_file_writes_bibtex_without_format(db: Path, tmp_path: Path) -> None:
    """`winnow export is:starred -o refs.bib` wrote JSON into refs.bib (attack N27)."""
    starred = _starred(db)
    out = tmp_path / "refs.bib"
    done = winnow("export", "is:starred", "-o", str(out), db=db)
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"wrote {out} (bibtex)\n"
    parsed = bibtexparser.parse_string(out.read_text(encoding="utf-8"))
    assert not parsed.failed_blocks
    # BibTeX keeps a title's capitals in braces ("{MiniMax-M1}: ..."): compare without.
    titles = [e.fields_dict["title"].value.translate({ord("{"): None, ord("}"): None})
              for e in parsed.entries]
    assert sorted(titles) == sorted(starred.values())
    assert len(pybtex_parse_file(str(out), "bibtex").entries) == len(starred)


def test_export_by_ending_csv_md_json_and_upper_case(db: Path, tmp_path: Path) -> None:
    starred = _starred(db)
    done = winnow("export", "is:starred", "-o", str(tmp_path / "refs.csv"), db=db)
    assert done.returncode == 0, done.stderr
    with (tmp_path / "refs.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {int(r["id"]): r["title"] for r in rows} == starred

    assert winnow("export", "is:starred", "-o", str(tmp_path / "notes.md"),
                  db=db).returncode == 0
    notes = (tmp_path / "notes.md").read_text(encoding="utf-8")
    assert notes.startswith("# Reading notes\n")
    assert all(f"## {title}" in notes for title in starred.values())

    assert winnow("export", "is:starred", "-o", str(tmp_path / "all.json"),
                  db=db).returncode == 0
    exported = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert {p["id"] for p in exported} == set(starred)

    assert winnow("export", "is:starred", "-o", str(tmp_path / "REFS.BIB"),
                  db=db).returncode == 0
    assert (tmp_path / "REFS.BIB").read_text(encoding="utf-8").count("@misc{") == 3


def test_an_unknown_ending_is_refused_in_one_line_and_nothing_written(db: Path,
                                                                     tmp_path: Path) -> None:
    for name in ("refs.txt", "refs"):
        out = tmp_path / name
        done = winnow("export", "-o", str(out), db=db)
        assert done.returncode == 1
        said = "'.txt'" if name.endswith(".txt") else "a name without an ending"
        assert done.stderr == (f"winnow: {out}: cannot tell the export format from {said}; "
                               f"name the file .md, .json, .csv, .bib or give --format\n")
        assert done.stdout == ""
        assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("refs", ".refs"))]


def test_format_given_wins_over_the_ending_and_stdout_stays_json(db: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "refs.bib"
    done = winnow("export", "title:tetris", "--format", "csv", "-o", str(out), db=db)
    assert done.returncode == 0 and done.stderr == f"wrote {out} (csv)\n"
    assert out.read_text(encoding="utf-8").startswith("id,title")
    assert winnow("export", "--format", "markdown", "-o", str(tmp_path / "x.txt"),
                  db=db).returncode == 0
    on_stdout = winnow("export", "title:tetris", db=db)
    assert on_stdout.returncode == 0
    assert [p["title"] for p in json.loads(on_stdout.stdout)]
