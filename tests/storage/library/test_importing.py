"""Importing listings into a real SQLite file (storage/library/importing.py): dedupe,
user data kept, re-anchored highlights, cancelled and unfinished imports rolled back."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import storage.library.importing as importing_module
from storage import Library
from storage.records import PaperRecord
from tests.conftest import ROOT, SEEDS
from tests.storage.library.conftest import title_id

SEED_BLOCKS = {"000": 22, "001": 221, "002": 63, "003": 57, "004": 70}


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
    badvla = seeded.get(title_id(seeded, "BadVLA: Towards Backdoor Attacks"))
    assert badvla is not None
    assert badvla.authors_count == 6
    assert badvla.published_raw == "May 22"
    assert badvla.year_inferred
    assert badvla.upvotes == 1
    assert badvla.abstract.startswith("Vision-Language-Action (VLA) models")
    assert [s.position for s in badvla.sources] == [1]
    assert badvla.sources[0].name.startswith("000_")

    tokenformer = seeded.get(title_id(seeded, "TokenFormer: Rethinking"))
    assert tokenformer is not None
    assert tokenformer.published == "2024-10-30"
    assert not tokenformer.year_inferred
    assert tokenformer.upvotes == 5
    assert tokenformer.authors_count == 8

    nvidia = seeded.conn.execute(
        "SELECT id FROM papers WHERE organization = 'NVIDIA'").fetchone()
    assert nvidia, "the nvidia NVIDIA org line must give organization NVIDIA"


def test_reimport_adds_nothing_and_keeps_user_data(seeded: Library) -> None:
    paper_id = title_id(seeded, "TokenFormer")
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
    paper_id = title_id(seeded, "TokenFormer")
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
    keep_id = title_id(library, "BadVLA")
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
    paper = library.get(title_id(library, "Paper number 1"))
    assert paper.abstract == "Abstract 1."
    assert [s.position for s in paper.sources] == [2]


def test_an_import_works_in_a_larger_page_cache_and_gives_it_back(
        library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "20")
    library.conn.execute("PRAGMA cache_size = -1234")
    during: list[int] = []

    def progress(name: str, found: int) -> None:
        during.append(library.conn.execute("PRAGMA cache_size").fetchone()[0])

    assert library.import_files([SEEDS[1]], progress=progress).ok
    # Between batches the import's size; the last report comes after it finished.
    assert len(during) > 2 and set(during[:-1]) == {-importing_module.IMPORT_CACHE_KB}
    assert during[-1] == -1234
    assert library.conn.execute("PRAGMA cache_size").fetchone()[0] == -1234

    # A cancelled import gives it back too.
    report = library.import_files([SEEDS[2]], cancel=lambda: True)
    assert not report.ok and "cancelled" in report.files[0].error
    assert library.conn.execute("PRAGMA cache_size").fetchone()[0] == -1234


def _counts(library: Library) -> tuple[dict[str, int], dict[str, int]]:
    """(what `state_counts` says, what the papers say) per state."""
    kept = dict(library.conn.execute("SELECT state, papers FROM state_counts WHERE papers"))
    truth = dict(library.conn.execute("SELECT state, count(*) FROM papers GROUP BY state"))
    return kept, truth


def test_imported_papers_are_counted_per_state_and_the_count_trigger_stays(
        seeded: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The import counts its new papers in one statement per batch rather than by
    # the per-row trigger; the counts must come out as the trigger's would, and the
    # trigger must be there again for every other write.
    trigger = "SELECT sql FROM sqlite_master WHERE name = 'papers_state_count_insert'"
    before = seeded.conn.execute(trigger).fetchone()
    seeded.set_state([1, 2, 3], "done")
    seeded.set_state([4], "shortlist")
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "20")
    blocks = [f"Counted paper number {n}\n\nAbstract {n}.\n" for n in range(70)]
    listing = tmp_path / "counted.txt"
    listing.write_text("Dec 9\n\n" + "\n".join(blocks), encoding="utf-8")

    assert seeded.import_files([listing]).files[0].new == 70
    kept, truth = _counts(seeded)
    assert kept == truth == {"inbox": 415 - 4 + 70, "done": 3, "shortlist": 1}
    assert seeded.conn.execute(trigger).fetchone() == before

    # Cut short after its second batch committed: taken back, counts and trigger too.
    more = tmp_path / "more.txt"
    more.write_text("Dec 10\n\n" + "\n".join(b.replace("Counted", "Cancelled") for b in blocks),
                    encoding="utf-8")
    calls: list[int] = []
    report = seeded.import_files([more], cancel=lambda: len(calls.append(1) or calls) >= 3)
    assert not report.ok and "cancelled" in report.files[0].error
    assert _counts(seeded) == (kept, truth)
    assert seeded.conn.execute(trigger).fetchone() == before
    # Any other insert is still counted by the trigger.
    seeded.conn.execute("INSERT INTO papers (id, key, title, abstract, added_at) "
                        "VALUES (9999, 'by hand', 'By hand', '', '2026-01-01')")
    assert _counts(seeded)[0]["inbox"] == 415 - 4 + 70 + 1


def _listing(path: Path, word: str, count: int) -> Path:
    blocks = [f"{word} paper number {n}\n\nAbstract {n}.\n" for n in range(count)]
    path.write_text("Dec 9\n\n" + "\n".join(blocks), encoding="utf-8")
    return path


def test_into_an_empty_library_an_import_commits_every_bulk_commit_papers(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What another connection sees after each batch: into an empty library the
    # batches commit BULK_COMMIT papers at a time; into one with papers, each batch.
    monkeypatch.setattr(importing_module, "BATCH", 10)
    monkeypatch.setattr(importing_module, "BULK_COMMIT", 30)
    seen: list[int] = []

    def progress(name: str, found: int) -> None:
        with sqlite3.connect(library.path) as other:
            seen.append(other.execute("SELECT count(*) FROM papers").fetchone()[0])

    assert library.import_files([_listing(tmp_path / "a.txt", "Bulk", 75)],
                                progress=progress).files[0].new == 75
    assert seen == [0, 0, 30, 30, 30, 60, 60, 75]

    seen.clear()
    assert library.import_files([_listing(tmp_path / "b.txt", "Later", 35)],
                                progress=progress).files[0].new == 35
    assert seen == [85, 95, 105, 110]


def test_a_bulk_import_cut_short_before_its_first_commit_leaves_nothing(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing_module, "BATCH", 10)
    monkeypatch.setattr(importing_module, "BULK_COMMIT", 30)
    calls: list[int] = []
    report = library.import_files([_listing(tmp_path / "a.txt", "Bulk", 75)],
                                  cancel=lambda: len(calls.append(1) or calls) >= 2)
    assert not report.ok and "cancelled" in report.files[0].error
    assert library.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 0
    assert library.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
    library.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")


def test_foreign_key_checks_are_off_only_inside_the_import_and_nothing_dangles(
        seeded: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The import writes without SQLite's per-row foreign-key checks (every parent it
    # points at exists for its whole transaction); they are on again after it, and a
    # full check finds nothing that points nowhere after new papers, merges and a
    # replaced abstract.
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "20")
    during: list[int] = []

    def progress(name: str, found: int) -> None:
        during.append(seeded.conn.execute("PRAGMA foreign_keys").fetchone()[0])

    badvla = title_id(seeded, "BadVLA: Towards Backdoor Attacks")
    seeded.set_read([badvla])
    overlap = tmp_path / "overlap.txt"
    overlap.write_text(SEEDS[0].read_text(encoding="utf-8")
                       .replace("May 22 1", "May 22 7")
                       .replace("Vision-Language-Action (VLA) models",
                                "Vision-Language-Action (VLA) robot models")
                       + "\n\n" + _listing(tmp_path / "x.txt", "Fresh", 45)
                       .read_text(encoding="utf-8").split("Dec 9", 1)[-1], encoding="utf-8")
    report = seeded.import_files([overlap], progress=progress)
    assert report.ok and report.new == 45 and report.updated >= 1
    assert seeded.abstract_history(badvla)
    assert len(during) > 2 and set(during[:-1]) == {0} and during[-1] == 1
    assert seeded.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert seeded.conn.execute("PRAGMA foreign_key_check").fetchall() == []

    # On again after a cancelled import too, and the cancel's undo ran with them on.
    report = seeded.import_files([_listing(tmp_path / "c.txt", "Cut", 70)],
                                 cancel=lambda: True)
    assert not report.ok
    assert seeded.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert seeded.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_an_import_into_a_library_without_vectors_does_not_load_scipy(tmp_path: Path) -> None:
    # Vectors are made after an import only where the library has some; loading
    # storage.vectors (scipy) just to find that out cost every import ~0.1 s of CPU.
    probe = ("import sys\nfrom storage import Library\n"
             f"lib = Library({str(tmp_path / 'lib.db')!r})\n"
             f"assert lib.import_files([{str(SEEDS[0])!r}]).ok\n"
             "print('scipy' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def _cards(path: Path, titles: list[str]) -> Path:
    path.write_text("Dec 9\n\n" + "\n".join(f"{title}\n\nAbstract of {title}.\n"
                                            for title in titles), encoding="utf-8")
    return path


def test_into_an_empty_library_a_card_met_again_in_a_later_batch_is_one_paper(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Into an empty library with nobody else writing, the import answers "have I
    # seen this card?" from the papers it inserted: by title, by arXiv id, an
    # id-less card of a title it inserted with an id, and a title it inserted for
    # two papers with two ids.
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "4")
    records = [PaperRecord(f"Own paper {n}", f"Abstract {n}.", n, None, None, None, None,
                           False, None, arxiv_id=f"2501.{n:05d}") for n in range(10)]
    records[9] = dataclasses.replace(records[9], title="Own paper 1")  # its own id
    records += [
        dataclasses.replace(records[2], title="Own paper 2, retitled", position=10),
        dataclasses.replace(records[3], arxiv_id=None, position=11),  # same title, no id
        dataclasses.replace(records[1], arxiv_id="2501.99999", position=12),
        PaperRecord("Own paper 1", "Again.", 13, None, None, None, None, False, None),
        PaperRecord("A new one", "New.", 14, None, None, None, None, False, None),
    ]
    report = library.import_records(records, name="own.json")

    assert report.found == 15 and report.new == 12, report.warnings
    assert sum("appears twice" in w for w in report.warnings) == 3
    titles = [row[0] for row in library.conn.execute("SELECT title FROM papers ORDER BY id")]
    assert titles.count("Own paper 1") == 3  # 2501.00001, 2501.00009 and 2501.99999
    assert "Own paper 2, retitled" not in titles and "A new one" in titles


def test_an_import_into_an_empty_library_meets_what_others_wrote_meanwhile(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Between two of its commits another process imports a paper this file lists
    # later: that card is the other's paper (linked to both), not a second paper.
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "10")
    titles = [f"Own paper {n}" for n in range(30)]
    titles[25] = "Written meanwhile"
    listing = _cards(tmp_path / "own.txt", titles)
    calls: list[int] = []

    def progress(name: str, found: int) -> None:
        calls.append(found)
        if len(calls) == 1:
            with Library(library.path) as other:
                assert other.import_text(_cards(tmp_path / "x.txt", ["Written meanwhile"])
                                         .read_text(encoding="utf-8"), name="other").new == 1

    report = library.import_files([listing], progress=progress)

    assert report.ok and (report.files[0].new, report.files[0].found) == (29, 30)
    rows = library.conn.execute("SELECT id FROM papers WHERE title = 'Written meanwhile'")
    [(paper_id,)] = rows.fetchall()
    assert sorted(s.name for s in library.get(paper_id).sources) == ["other", "own.txt"]


def test_an_import_into_an_empty_library_meets_what_its_own_connection_did_meanwhile(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The progress callback imports, through the importing Library itself, a paper
    # the file lists later, and deletes one it lists again later: the first card
    # is that paper, the second brings its paper in anew, as in any library.
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "10")
    titles = [f"Own paper {n}" for n in range(25)] + ["Own paper 3"]
    titles[20] = "Written meanwhile"
    calls: list[int] = []

    def progress(name: str, found: int) -> None:
        calls.append(found)
        if len(calls) == 1:
            assert library.import_text(_cards(tmp_path / "x.txt", ["Written meanwhile"])
                                       .read_text(encoding="utf-8"), name="same").new == 1
            library.delete_papers([title_id(library, "Own paper 3")], backup=False)

    report = library.import_files([_cards(tmp_path / "own.txt", titles)], progress=progress)

    assert report.ok and report.files[0].new == 25, report.files[0].warnings
    assert not any("appears twice" in w for w in report.files[0].warnings)
    count = "SELECT count(*) FROM papers WHERE title = ?"
    assert library.conn.execute(count, ("Own paper 3",)).fetchone()[0] == 1
    assert library.conn.execute(count, ("Written meanwhile",)).fetchone()[0] == 1


def test_the_same_copy_again_names_a_later_import_that_changed_its_papers(
        library: Library, tmp_path: Path) -> None:
    """N16: the clean copy, then a damaged copy of it that rewrites its organisations,
    then the clean copy again through the real command: the "already imported" line
    names the later import and the command that takes it back, and that command does."""
    forms = ROOT / "tests" / "fixtures" / "forms"
    clean = forms / "md-firecrawl.md"
    text = clean.read_text(encoding="utf-8")
    damaged = tmp_path / "damaged.md"
    damaged.write_text(text.replace("Carnegie Mellon University", "Carnegie Mellon Â"),
                       encoding="utf-8")
    assert library.import_files([clean]).ok
    cmu = [p.id for p in library.get_many(library.search("", limit=None).ids)
           if p.organization == "Carnegie Mellon University"]
    assert cmu
    library.set_starred(cmu)
    quiet = library.import_files([clean]).files[0].warnings
    assert quiet == ["md-firecrawl.md: already imported on "
                     f"{library.sources()[0]['imported_at'][:10]}; nothing changed"]
    junk = library.import_files([damaged]).files[0]
    assert junk.updated == len(cmu)
    library.close()

    command = [sys.executable, "-m", "desktop.cli", "--db", str(library.path)]
    again = subprocess.run([*command, "import", str(clean)], capture_output=True, text=True,
                           timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert (f"import {junk.source_id} (damaged.md) changed {len(cmu)} of its papers"
            in again.stderr), again.stderr
    # Said as a choice, not an order: the later import may be the richer copy (N38).
    assert (f"; if that was a mistake, `winnow undo-import {junk.source_id}` takes it back"
            in again.stderr), again.stderr

    undo = subprocess.run([*command, "undo-import", str(junk.source_id)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert undo.returncode == 0, undo.stderr
    with Library(library.path) as after:
        papers = after.get_many(cmu)
        assert {p.organization for p in papers} == {"Carnegie Mellon University"}
        assert all(p.starred for p in papers)
        assert after.import_files([clean]).files[0].warnings == quiet
