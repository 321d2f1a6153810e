"""`winnow annotate`, `annotations` and `highlight` (desktop/cli/notes.py),
run as the real command on a real library file."""

from __future__ import annotations

import json
from pathlib import Path

from storage import Library
from tests.desktop.cli.conftest import winnow


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


def test_highlight_edit_and_delete(seeded_path: Path) -> None:
    with Library(seeded_path) as lib:
        quote = lib.get(1).abstract.split(".")[0]
        annotation = lib.annotate_quote(1, quote, comment="first").annotation
    ident = str(annotation.id)
    edited = winnow("highlight", "--edit", ident, "--comment", "sharper", "--colour", "green",
                    db=seeded_path)
    assert edited.returncode == 0, edited.stderr
    with Library(seeded_path) as lib:
        now = lib.annotation(annotation.id)
        assert (now.comment, now.colour) == ("sharper", "green")
    assert winnow("highlight", "--delete", ident, db=seeded_path).returncode == 0
    with Library(seeded_path) as lib:
        assert lib.annotation(annotation.id) is None
    gone = winnow("highlight", "--delete", ident, db=seeded_path)
    assert gone.returncode == 1 and f"no highlight with id {ident}" in gone.stderr
    neither = winnow("highlight", "--edit", "1", db=seeded_path)
    assert neither.returncode == 1 and "--comment" in neither.stderr
