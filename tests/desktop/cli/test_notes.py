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


def _trending_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """The trending fixture with its Lattice-KV summary reworded (a later capture)."""
    forms = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
    text = (forms / "md-trending.md").read_text(encoding="utf-8")
    assert text.count(old) == 2  # the trending page lists every card twice
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_show_keeps_the_summary_a_highlight_was_made_on_after_a_rewording(
        tmp_path: Path) -> None:
    """A later capture rewords the highlighted sentence away: the highlight says it is
    no longer in the summary, and `show` prints the summary it was made on, named by
    the import that replaced it (schema 14's summary_history; before, that text was
    only in the import's journal)."""
    forms = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
    db = tmp_path / "library.db"
    assert winnow("import", str(forms / "md-trending.md"), db=db).returncode == 0
    [card] = json.loads(winnow("list", "title:lattice", "--json", db=db).stdout)
    quote = "cutting memory 5.3x at almost no accuracy cost"
    assert winnow("annotate", str(card["id"]), "--quote", quote, "--comment", "the claim",
                  db=db).returncode == 0
    later = _trending_copy(tmp_path, "trending-later.md", quote,
                           "with a far smaller memory footprint")
    done = winnow("import", str(later), "--json", db=db)
    assert done.returncode == 0, done.stderr
    source = json.loads(done.stdout)["files"][0]["source_id"]
    shown = winnow("show", str(card["id"]), db=db).stdout
    assert f'[1] (yellow) (no longer in the AI summary) "{quote}" — the claim' in shown
    assert (f"\nEarlier AI summary (replaced by import {source}, "
            in shown)
    earlier = shown.split(f"(replaced by import {source}, ")[1].split("\n")[1]
    assert earlier == card["ai_summary"] and quote in earlier
    # Nothing replaced, nothing printed.
    other = json.loads(winnow("list", "--json", db=db).stdout)
    plain = next(p for p in other if p["id"] != card["id"])
    assert "Earlier" not in winnow("show", str(plain["id"]), db=db).stdout


def test_reading_notes_keep_a_summary_highlight_once_the_card_has_an_abstract(
        tmp_path: Path) -> None:
    """A trending card highlighted on its summary, then a daily copy brings its
    abstract: the notes print the abstract and, beneath it, the summary the highlight
    is on (they printed the abstract alone, the highlight's text nowhere)."""
    forms = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
    db = tmp_path / "library.db"
    assert winnow("import", str(forms / "md-trending.md"), db=db).returncode == 0
    [card] = json.loads(winnow("list", "title:lattice", "--json", db=db).stdout)
    quote = "cutting memory 5.3x at almost no accuracy cost"
    assert winnow("annotate", str(card["id"]), "--quote", quote, db=db).returncode == 0
    assert winnow("import", str(forms / "md-firecrawl.md"), db=db).returncode == 0
    [paper] = json.loads(winnow("list", "title:lattice", "--json", db=db).stdout)
    assert paper["id"] == card["id"] and paper["abstract"].startswith("Serving long")
    notes = winnow("export", "title:lattice", "--format", "markdown", db=db).stdout
    assert f"> {quote}\n>\n> — *yellow highlight on the AI summary*" in notes
    abstract_at = notes.index("### Abstract\n\nServing long")
    assert notes.index("### AI summary\n\n" + card["ai_summary"]) > abstract_at
    # A paper with an abstract and a summary but no highlight on it: the abstract only.
    assert winnow("highlight", "--delete", "1", db=db).returncode == 0
    notes = winnow("export", "title:lattice", "--format", "markdown", db=db).stdout
    assert "### Abstract" in notes and "### AI summary" not in notes
    # The empty abstract the daily copy filled is no earlier text to print.
    assert "Earlier" not in winnow("show", str(card["id"]), db=db).stdout
