"""The stored paper vectors and their in-memory index (storage/vectors.py)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from storage import Library, vectors
from storage.vectors import VectorIndex, missing, retired, term_counts
from tests.desktop.cli.conftest import winnow
from tests.fixtures.make_fixture import load

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _stored(lib: Library) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    return {pid: (np.frombuffer(terms, np.int32), np.frombuffer(tf, np.float32))
            for pid, terms, tf in lib.conn.execute(
                "SELECT paper_id, terms, tf FROM paper_vectors")}


def test_loaded_rows_are_unit_tfidf_vectors_across_slices(seeded: Library, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    # Last in id order, papers whose words are all stop words: their rows are
    # empty, and with slices of 3 rows the last slice holds nothing at all.
    listing = tmp_path / "stop.txt"
    listing.write_text("The Other One\n\nIt is what it was, and we are here.\n\n"
                       "It Is What It Was\n\nWe are here, and it is what it was.\n\n"
                       "We Are Here\n\nIt was what it is, and here we are.\n")
    assert seeded.import_files([listing]).new == 3
    seeded.update_vectors()
    # Rows are weighed and placed a slice at a time: small slices cross many
    # boundaries.
    monkeypatch.setattr(vectors, "_NORMALISE_ROWS", 3)
    index = VectorIndex.load(seeded.conn)
    assert len(index) == 418
    stored = _stored(seeded)
    df = dict(seeded.conn.execute("SELECT id, df FROM vector_terms"))
    papers = len(stored)
    assert index.ids.tolist() == sorted(stored)
    by_row = index.matrix.tocsr()
    assert all(by_row[len(index) - i].nnz == 0 for i in (1, 2, 3))
    # Each paper's row as read back alone (training, explanations, a query) is
    # the same row.
    again = index.vectors(seeded.conn, index.ids.tolist())
    assert abs(again - by_row).max() < 1e-6
    for row, paper_id in enumerate(index.ids.tolist()):
        terms, tf = stored[paper_id]
        want = {int(t): float(d) * (math.log((1 + papers) / (1 + df[int(t)])) + 1)
                for t, d in zip(terms, tf, strict=True)}
        norm = math.sqrt(sum(v * v for v in want.values())) or 1.0
        got = by_row[row]
        assert dict(zip(got.indices.tolist(), got.data.tolist(), strict=True)) == \
            pytest.approx({t: v / norm for t, v in want.items()}, rel=1e-5)


# ------------------------------------------------- document frequencies
def _id(lib: Library, title_start: str) -> int:
    return lib.conn.execute("SELECT id FROM papers WHERE title LIKE ? || '%'",
                            (title_start,)).fetchone()[0]


def _df(lib: Library) -> dict[str, int]:
    return dict(lib.conn.execute("SELECT term, df FROM vector_terms WHERE df != 0"))


def _terms_of(lib: Library, ids: list[int] | None = None) -> Counter[str]:
    """How many papers hold each term, counted afresh from the papers' texts: of
    the vectorised papers, or of the papers given."""
    sql = ("SELECT p.title, p.abstract FROM papers p "
           "JOIN paper_vectors v ON v.paper_id = p.id")
    args: list[int] = []
    if ids is not None:
        sql = f"SELECT title, abstract FROM papers WHERE id IN ({','.join('?' * len(ids))})"
        args = ids
    counts: Counter[str] = Counter()
    for title, abstract in lib.conn.execute(sql, args):
        counts.update(term_counts(title, abstract or "").keys())
    return counts


def test_winnow_delete_takes_the_papers_terms_out_and_undo_puts_them_back(
        seeded_path: Path) -> None:
    db = seeded_path
    with Library(db) as lib:
        lib.update_vectors()
        before = _df(lib)
        assert before == dict(_terms_of(lib))
        gone = [_id(lib, "BadVLA"), _id(lib, "TETRIS: Optimal Draft Token")]
        expected = Counter(before)
        expected.subtract(_terms_of(lib, gone))
        stays = _id(lib, "Kolmogorov-Arnold Transformer")
    assert "badvla" in before and "badvla" not in +expected
    result = winnow("delete", *map(str, gone), db=db)
    assert result.returncode == 0, result.stderr
    # The next reader catches up: here `winnow similar` in its own process.
    assert winnow("similar", str(stays), db=db).returncode == 0
    with Library(db) as lib:
        assert retired(lib.conn) == 0
        assert _df(lib) == dict(+expected) == dict(_terms_of(lib))
    result = winnow("undo", db=db)
    assert result.returncode == 0, result.stderr
    assert winnow("similar", str(stays), db=db).returncode == 0
    with Library(db) as lib:
        assert missing(lib.conn) == 0 and retired(lib.conn) == 0
        assert _df(lib) == before


def test_undo_import_and_its_redo_keep_the_counts(library: Library, tmp_path: Path) -> None:
    listing = tmp_path / "first.txt"
    listing.write_text("Speculative Decoding with Draft Trees\n\n"
                       "Draft trees make speculative decoding faster.\n")
    extra = tmp_path / "second.txt"
    extra.write_text("Zyxwvut Quokka Parsing\n\nA quokka parser for zyxwvut grammars.\n")
    library.import_files([listing])
    [source] = library.import_files([extra]).files
    library.update_vectors()
    with_both = _df(library)
    assert with_both["quokka"] == 1
    library.undo_import(source.source_id, backup=False)
    library.update_vectors()
    assert "quokka" not in _df(library) and "zyxwvut" not in _df(library)
    assert _df(library) == dict(_terms_of(library))
    library.undo()  # the import comes back
    library.update_vectors()
    assert _df(library) == with_both


def test_a_library_from_before_the_counts_followed_deletes_gets_the_triggers(
        tmp_path: Path) -> None:
    path = load((FIXTURES / "library-v7.sql").read_text(encoding="utf-8"),
                tmp_path / "v7.db")
    with Library(path) as lib:
        lib.update_vectors()
        assert _df(lib) == dict(_terms_of(lib))
        [paper] = lib.conn.execute("SELECT id FROM papers ORDER BY id LIMIT 1").fetchone()
        # Any tool's edit of the text: the old words go, the new ones come.
        lib.conn.execute("UPDATE papers SET abstract = 'Quokka grammars, parsed.' "
                         "WHERE id = ?", (paper,))
        assert retired(lib.conn) == 1 and missing(lib.conn) == 1
        lib.update_vectors()
        assert _df(lib) == dict(_terms_of(lib))
        assert _df(lib)["quokka"] == 1
        lib.delete_papers([paper], backup=False)
        lib.update_vectors()
        assert "quokka" not in _df(lib) and _df(lib) == dict(_terms_of(lib))


def test_the_catch_up_finds_papers_behind_anywhere(seeded: Library, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """New papers at the end are found from the last vectorised id; a changed
    abstract in the middle as well, when both are behind at once."""
    from storage.library import learning

    seeded.update_vectors()
    monkeypatch.setattr(learning, "IMPORT_VECTORS", 0)  # leave the import behind
    early = _id(seeded, "BadVLA")
    seeded.conn.execute("UPDATE papers SET abstract = 'Quokka grammars.' WHERE id = ?",
                        (early,))
    listing = tmp_path / "new.txt"
    listing.write_text("Wombat Burrows\n\nWombats dig burrows.\n")
    assert seeded.import_files([listing]).ok
    assert missing(seeded.conn) == 2
    assert seeded.update_vectors() == 2
    assert missing(seeded.conn) == 0 and retired(seeded.conn) == 0
    assert _df(seeded) == dict(_terms_of(seeded))
    assert seeded.update_vectors() == 0
    listing.write_text("Numbat Termites\n\nNumbats eat termites.\n")
    assert seeded.import_files([listing]).ok
    assert seeded.update_vectors() == 1  # at the end only
    assert _df(seeded)["numbat"] == 1


def test_neighbours_by_columns_are_the_nearest_by_cosine(seeded: Library) -> None:
    """More like this reads only the columns of the paper's terms: the result is
    the full cosine ranking's head all the same."""
    seeded.update_vectors()
    index = VectorIndex.load(seeded.conn)
    by_row = index.matrix.tocsr()
    for row in (0, 57, 200, len(index) - 1):
        paper_id = int(index.ids[row])
        cosine = (by_row @ by_row[row].T).toarray().ravel()
        cosine[row] = -1.0
        order = sorted((i for i in range(len(index)) if cosine[i] > 0),
                       key=lambda i: (-cosine[i], index.ids[i]))[:10]
        got = index.similar(seeded.conn, paper_id, 10)
        assert [i for i, _ in got] == [int(index.ids[i]) for i in order]
        assert [s for _, s in got] == pytest.approx([cosine[i] for i in order], abs=1e-5)
