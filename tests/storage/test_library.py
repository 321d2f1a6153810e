"""The Library against real SQLite files: import, dedupe, user data, undo, export."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import storage.library.importing as importing_module
from storage import Library, LibraryCorrupt, LibraryError, SchemaTooNew
from tests.conftest import SEEDS

SEED_BLOCKS = {"000": 22, "001": 221, "002": 63, "003": 57, "004": 70}


def _title_id(lib: Library, prefix: str) -> int:
    row = lib.conn.execute("SELECT id FROM papers WHERE title LIKE ? || '%'",
                           (prefix,)).fetchone()
    assert row, f"no paper titled {prefix!r}"
    return row[0]


def test_seeds_import_to_415_distinct_papers(library: Library) -> None:
    report = library.import_files(SEEDS)
    assert report.ok
    found = {Path(f.path).name[:3]: f.found for f in report.files}
    assert found == SEED_BLOCKS
    assert report.new == 415
    assert library.stats()["total"] == 415
    recurring = library.conn.execute(
        "SELECT count(*) FROM (SELECT paper_id FROM paper_sources GROUP BY paper_id "
        "HAVING count(*) > 1)").fetchone()[0]
    assert recurring == 17


def test_fields_of_named_papers(seeded: Library) -> None:
    badvla = seeded.get(_title_id(seeded, "BadVLA: Towards Backdoor Attacks"))
    assert badvla is not None
    assert badvla.authors_count == 6
    assert badvla.published_raw == "May 22"
    assert badvla.year_inferred
    assert badvla.upvotes == 1
    assert badvla.abstract.startswith("Vision-Language-Action (VLA) models")
    assert [s.position for s in badvla.sources] == [1]
    assert badvla.sources[0].name.startswith("000_")

    tokenformer = seeded.get(_title_id(seeded, "TokenFormer: Rethinking"))
    assert tokenformer is not None
    assert tokenformer.published == "2024-10-30"
    assert not tokenformer.year_inferred
    assert tokenformer.upvotes == 5
    assert tokenformer.authors_count == 8

    nvidia = seeded.conn.execute(
        "SELECT id FROM papers WHERE organization = 'NVIDIA'").fetchone()
    assert nvidia, "the nvidia NVIDIA org line must give organization NVIDIA"


def test_reimport_adds_nothing_and_keeps_user_data(seeded: Library) -> None:
    paper_id = _title_id(seeded, "TokenFormer")
    seeded.set_read([paper_id])
    seeded.set_starred([paper_id])
    seeded.add_tags([paper_id], ["scaling"])
    seeded.set_note(paper_id, "read section 3")
    annotation = seeded.annotate_quote(paper_id, "natively scalable architecture",
                                       comment="the claim").annotation
    before = seeded.get(paper_id)

    report = seeded.import_files(SEEDS)

    assert report.ok and report.new == 0
    assert seeded.stats()["total"] == 415
    after = seeded.get(paper_id)
    assert after == before
    assert after.annotations[0].id == annotation.id


def test_changed_abstract_reanchors_and_orphans_annotations(seeded: Library,
                                                            tmp_path: Path) -> None:
    paper_id = _title_id(seeded, "TokenFormer")
    paper = seeded.get(paper_id)
    kept = seeded.annotate_quote(paper_id, "natively scalable architecture").annotation
    lost = seeded.annotate_quote(paper_id, "Code and models are available").annotation
    # A revised abstract: a sentence added in front, the last sentence dropped.
    revised = "We revise this paper. " + paper.abstract.split(" Code and models")[0]
    listing = tmp_path / "revised.txt"
    listing.write_text(f"Dec 10\n\n{paper.title}\n\n{revised}\n\n  • 8 authors\n·\n"
                       f"Oct 30, 2024 9\n", encoding="utf-8")

    report = seeded.import_files([listing])

    assert report.ok and report.updated == 1 and report.new == 0
    after = seeded.get(paper_id)
    assert after.abstract == revised
    assert after.upvotes == 9
    by_id = {a.id: a for a in after.annotations}
    moved = by_id[kept.id]
    assert not moved.orphaned
    assert revised[moved.start:moved.end] == "natively scalable architecture"
    assert by_id[lost.id].orphaned
    assert by_id[lost.id].quote == "Code and models are available"


def test_bad_file_is_reported_and_others_still_import(library: Library,
                                                      tmp_path: Path) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    report = library.import_files([binary, SEEDS[0], empty, tmp_path / "missing.txt"])
    errors = [f.error for f in report.files if f.error]
    assert len(errors) == 3
    assert "photo.txt" in errors[0]
    assert "empty.txt" in errors[1]
    assert "missing.txt" in errors[2]
    assert all("\n" not in e for e in errors)
    assert library.stats()["total"] == 22
    assert library.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 1


def test_html_in_titles_is_kept_as_text(library: Library, tmp_path: Path) -> None:
    listing = tmp_path / "html.txt"
    listing.write_text("Dec 9\n\n<b>Bold</b> claims <script>alert(1)</script>\n\n"
                       "An abstract with <i>markup</i> &amp; entities.\n", encoding="utf-8")
    assert library.import_files([listing]).ok
    [paper] = library.get_many(library.search("", limit=None).ids)
    assert paper.title == "<b>Bold</b> claims <script>alert(1)</script>"
    assert paper.abstract == "An abstract with <i>markup</i> &amp; entities."


def test_cancelled_batched_import_leaves_library_as_before(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library.import_files([SEEDS[0]])
    keep_id = _title_id(library, "BadVLA")
    library.set_read([keep_id])
    before = library.conn.execute(
        "SELECT id, upvotes, read_at FROM papers ORDER BY id").fetchall()
    monkeypatch.setattr(importing_module, "BATCH", 10)
    # Seed 002 overlaps seed 000, so batches both add papers and update known ones.
    overlap = tmp_path / "overlap.txt"
    overlap.write_text(SEEDS[0].read_text(encoding="utf-8").replace("May 22 1", "May 22 7")
                       + "\n\n" + SEEDS[2].read_text(encoding="utf-8").split("Dec 8", 1)[-1],
                       encoding="utf-8")
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) >= 3

    report = library.import_files([overlap], cancel=cancel)

    assert not report.ok and "cancelled" in report.files[0].error
    after = library.conn.execute("SELECT id, upvotes, read_at FROM papers ORDER BY id").fetchall()
    assert after == before
    assert library.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 1
    assert library.conn.execute("SELECT count(*) FROM import_undo").fetchone()[0] == 0
    # Raises if the index lost step with the papers table during the rollback.
    library.conn.execute(
        "INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")


def test_unfinished_import_is_rolled_back_on_open(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    with Library(path) as lib:
        lib.import_files([SEEDS[0]])
        # What a process killed between two batch commits leaves behind.
        source = lib.conn.execute(
            "INSERT INTO sources (path, name, imported_at, status) "
            "VALUES ('x', 'x.txt', '2026-01-01', 'importing')").lastrowid
        lib.conn.execute(
            "INSERT INTO papers (id, key, title, abstract, added_at, first_source_id) "
            "VALUES (999, 'half', 'Half imported', 'abs', '2026-01-01', ?)", (source,))
        lib.conn.execute("INSERT INTO papers_fts (rowid, title, abstract, note, "
                         "annotation_text) VALUES (999, 'Half imported', 'abs', '', '')")
        lib.conn.execute("INSERT INTO import_undo VALUES (?, 1, ?)",
                         (source, json.dumps({"upvotes": 42})))
    with Library(path) as lib:
        assert lib.get(999) is None
        assert lib.get(1).upvotes == 42
        assert lib.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 1
        assert 999 not in lib.search("Half imported", limit=None).ids


@pytest.mark.parametrize("action", ["read", "star", "tag", "note", "annotate"])
def test_every_action_undoes_and_redoes(seeded: Library, action: str) -> None:
    paper_id = _title_id(seeded, "TokenFormer")
    original = seeded.get(paper_id)
    if action == "read":
        seeded.set_read([paper_id, paper_id + 1])
    elif action == "star":
        seeded.set_starred([paper_id])
    elif action == "tag":
        seeded.add_tags([paper_id], ["to-read", "scaling"])
    elif action == "note":
        seeded.set_note(paper_id, "first")
        seeded.set_note(paper_id, "first draft, typed on")
    else:
        seeded.annotate_quote(paper_id, "natively scalable", comment="key idea")
    changed = seeded.get(paper_id)
    assert changed != original

    change = seeded.undo()
    assert change and paper_id in change.paper_ids
    assert seeded.get(paper_id) == original
    assert not seeded.undo()

    seeded.redo()
    assert seeded.get(paper_id) == changed
    assert not seeded.redo()


def test_new_action_after_undo_drops_the_redo(seeded: Library) -> None:
    seeded.set_starred([1])
    seeded.undo()
    seeded.set_read([2])
    assert not seeded.redo()
    assert not seeded.get(1).starred


def test_undo_survives_a_restart(seeded_path: Path) -> None:
    with Library(seeded_path) as lib:
        lib.add_tags([3], ["keep"])
    with Library(seeded_path) as lib:
        lib.undo()
        assert lib.get(3).tags == ()


def test_tags_are_case_insensitive_and_validated(seeded: Library) -> None:
    seeded.add_tags([1], ["RL"])
    seeded.add_tags([2], ["rl"])
    assert seeded.tags() == [("RL", 2)]
    with pytest.raises(LibraryError, match="empty"):
        seeded.add_tags([1], ["  "])
    with pytest.raises(LibraryError, match="no paper with id 99999"):
        seeded.set_read([99999])


def test_annotation_offsets_select_exactly_the_quote(seeded: Library) -> None:
    paper_id = _title_id(seeded, "TokenFormer")
    abstract = seeded.get(paper_id).abstract
    annotation = seeded.annotate_quote(paper_id, "token-parameter attention layer",
                                       colour="green").annotation
    assert abstract[annotation.start:annotation.end] == "token-parameter attention layer"
    assert annotation.colour == "green"
    with pytest.raises(LibraryError, match="not in the abstract"):
        seeded.annotate_quote(paper_id, "words that are not there")
    with pytest.raises(LibraryError, match="outside the abstract"):
        seeded.annotate(paper_id, 10, len(abstract) + 5)
    with pytest.raises(LibraryError, match="unknown colour"):
        seeded.annotate(paper_id, 0, 5, colour="mauve")


def test_annotation_comments_and_notes_are_full_text_searchable(seeded: Library) -> None:
    paper_id = _title_id(seeded, "TokenFormer")
    seeded.annotate_quote(paper_id, "natively scalable", comment="zanzibar idea")
    other = _title_id(seeded, "BadVLA")
    seeded.set_note(other, "quixotic follow-up")
    assert seeded.search("zanzibar").ids == [paper_id]
    assert seeded.search("quixotic").ids == [other]
    seeded.delete_annotation(seeded.annotations(paper_id)[0].id)
    assert seeded.search("zanzibar").ids == []


def test_read_mark_does_not_touch_the_index(seeded: Library) -> None:
    # The FTS update trigger must fire on text columns only (PITFALLS: a plain
    # AFTER UPDATE re-indexes the abstract at every read mark).
    seeded.check(quick=False)  # the check owed before a first write counts a change
    changes_before = seeded.conn.total_changes
    seeded.set_read([1])
    assert seeded.conn.total_changes - changes_before == 2  # the paper row + one event


def test_export_formats(seeded: Library, tmp_path: Path) -> None:
    paper_id = _title_id(seeded, "TokenFormer")
    seeded.add_tags([paper_id], ["scaling"])
    seeded.set_note(paper_id, "Compare with MoE.")
    seeded.annotate_quote(paper_id, "natively scalable architecture", comment="why it scales")

    data = json.loads(seeded.export("", format="json"))
    assert len(data) == 415
    token = next(p for p in data if p["id"] == paper_id)
    assert token["tags"] == ["scaling"]
    assert token["annotations"][0]["quote"] == "natively scalable architecture"
    assert token["sources"][0]["position"] >= 1

    rows = list(csv.DictReader(io.StringIO(seeded.export("", format="csv"))))
    assert len(rows) == 415

    bib = seeded.export("", format="bibtex")
    assert bib.count("@misc{") == 415
    assert bib.count("{") == bib.count("}")

    out = tmp_path / "notes.md"
    seeded.export("", format="markdown", out=out)
    markdown = out.read_text(encoding="utf-8")
    assert "## TokenFormer: Rethinking Transformer Scaling" in markdown
    assert "> natively scalable architecture" in markdown
    assert "why it scales" in markdown and "Compare with MoE." in markdown
    with pytest.raises(LibraryError, match="unknown export format"):
        seeded.export("", format="docx")


def test_markdown_export_escapes_listing_markup(library: Library, tmp_path: Path) -> None:
    listing = tmp_path / "html.txt"
    listing.write_text("Dec 9\n\n<script>x</script> Title\n\nAbstract <b>bold</b>.\n",
                       encoding="utf-8")
    library.import_files([listing])
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").render(library.export("", format="markdown"))
    assert "<script>" not in rendered and "&lt;script&gt;x&lt;/script&gt; Title" in rendered
    assert "<b>" not in rendered


def test_schema_too_new_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with Library(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaTooNew, match="upgrade Winnow"):
        Library(path)
    assert path.read_bytes() == before


def test_corrupt_library_is_refused_with_restore_advice(seeded_path: Path) -> None:
    data = bytearray(seeded_path.read_bytes())
    page = 4096
    # Overwrite pages in the middle of the file (b-tree pages of papers and FTS).
    for offset in range(page * 3, min(len(data), page * 40), page):
        data[offset:offset + 200] = b"\xde\xad\xbe\xef" * 50
    seeded_path.write_bytes(bytes(data))
    with pytest.raises(LibraryCorrupt, match="restore"):
        Library(seeded_path)


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a library\n" * 200)
    with pytest.raises(LibraryError):
        Library(path)
    assert path.read_text().startswith("these are my notes")


def test_backup_is_a_consistent_library(seeded: Library, tmp_path: Path) -> None:
    seeded.set_starred([5])
    target = seeded.backup(tmp_path / "b" / "copy.db")
    with Library(target) as copy:
        assert copy.stats()["total"] == 415
        assert copy.get(5).starred


def test_daily_backups_rotate(seeded: Library) -> None:
    first = seeded.daily_backup(keep=2)
    assert first is not None and first.exists()
    assert seeded.daily_backup(keep=2) is None  # one a day is enough


def test_storage_never_imports_qt() -> None:
    code = ("import sys, storage, storage.library, storage.search, storage.export; "
            "print(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("batch", ["2", "5000"])
def test_a_title_twice_in_one_file_is_one_paper_across_batches(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: str) -> None:
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", batch)
    blocks = [f"Paper number {n}\n\nAbstract {n}.\n" for n in range(5)]
    blocks.append("PAPER  number 1\n\nThe same paper, printed again.\n")
    listing = tmp_path / "twice.txt"
    listing.write_text("Dec 9\n\n" + "\n".join(blocks), encoding="utf-8")

    report = library.import_files([listing])

    assert report.ok
    assert (report.files[0].found, report.new) == (6, 5)
    assert any("appears twice" in w for w in report.files[0].warnings)
    paper = library.get(_title_id(library, "Paper number 1"))
    assert paper.abstract == "Abstract 1."
    assert [s.position for s in paper.sources] == [2]


def test_editing_an_annotation_changes_only_what_is_given(seeded: Library) -> None:
    paper_id = _title_id(seeded, "TokenFormer")
    annotation = seeded.annotate_quote(paper_id, "natively scalable", comment="first").annotation
    recoloured = seeded.update_annotation(annotation.id, colour="blue").annotation
    assert (recoloured.comment, recoloured.colour) == ("first", "blue")
    edited = seeded.update_annotation(annotation.id, comment="second").annotation
    assert (edited.comment, edited.colour) == ("second", "blue")
    seeded.delete_annotation(annotation.id)
    for change in (lambda: seeded.update_annotation(annotation.id, comment="x"),
                   lambda: seeded.delete_annotation(annotation.id)):
        with pytest.raises(LibraryError, match=f"no annotation with id {annotation.id}"):
            change()
    assert seeded.undo() and seeded.annotation(annotation.id) == edited
