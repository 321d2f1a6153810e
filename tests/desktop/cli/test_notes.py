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
                                     "comment": "why", "colour": "blue", "orphaned": False,
                                     "field": "abstract"}]
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


def test_a_trending_card_is_highlighted_on_its_ai_summary(tmp_path: Path) -> None:
    """A card with only its AI summary (a trending page's): `annotate` quotes the summary
    (it said "not in the abstract"), the listings say so, and the reading notes carry
    it under the summary."""
    forms = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
    db = tmp_path / "library.db"
    assert winnow("import", str(forms / "md-trending.md"), db=db).returncode == 0
    [card] = json.loads(winnow("list", "title:lattice", "--json", db=db).stdout)
    assert card["abstract"] == "" and card["ai_summary"]
    quote = "cutting memory 5.3x at almost no accuracy cost"
    done = winnow("annotate", str(card["id"]), "--quote", quote, "--comment", "the claim",
                  db=db)
    assert done.returncode == 0, done.stderr
    start = card["ai_summary"].index(quote)
    assert done.stdout == (f"annotation 1 on paper {card['id']} (its AI summary): "
                           f"characters {start}-{start + len(quote)}\n")
    shown = json.loads(winnow("show", str(card["id"]), "--json", db=db).stdout)
    assert shown["annotations"] == [{"id": 1, "start": start, "end": start + len(quote),
                                     "quote": quote, "comment": "the claim",
                                     "colour": "yellow", "orphaned": False,
                                     "field": "ai_summary"}]
    listed = winnow("annotations", db=db).stdout
    assert f'[1] (yellow) (AI summary) "{quote}" — the claim' in listed
    notes = winnow("export", "title:lattice", "--format", "markdown", db=db).stdout
    assert f"> {quote}\n>\n> — *yellow highlight on the AI summary*\n>\n> the claim" in notes
    assert "### AI summary\n\n" + card["ai_summary"] in notes
    assert "### Abstract" not in notes
    # A quote the summary lacks is named as such.
    missing = winnow("annotate", str(card["id"]), "--quote", "no such words", db=db)
    assert missing.returncode == 1 and "not in the AI summary" in missing.stderr
