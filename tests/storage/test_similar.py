"""More like this, on the sample listings."""

from __future__ import annotations

import pytest

from storage import Library, LibraryError


def _id(lib: Library, title_start: str) -> int:
    return lib.conn.execute("SELECT id FROM papers WHERE title LIKE ? || '%'",
                            (title_start,)).fetchone()[0]


def _titles(lib: Library, ids: list[int]) -> list[str]:
    return [p.title for p in lib.get_many(ids)]


def test_kolmogorov_arnold_papers_are_most_alike(seeded: Library) -> None:
    ids = seeded.similar(_id(seeded, "Kolmogorov-Arnold Transformer"), limit=5)
    titles = _titles(seeded, ids[:2])
    assert all("Kolmogorov-Arnold" in t for t in titles), titles
    assert _id(seeded, "Kolmogorov-Arnold Transformer") not in ids


def test_speculative_decoding_papers_come_first(seeded: Library) -> None:
    ids = seeded.similar(_id(seeded, "TETRIS: Optimal Draft Token"), limit=3)
    assert all("Speculative" in t for t in _titles(seeded, ids)), _titles(seeded, ids)


def test_similarity_ignores_the_users_notes(seeded: Library) -> None:
    paper = _id(seeded, "TETRIS: Optimal Draft Token")
    before = seeded.similar(paper)
    other = _id(seeded, "BadVLA")
    seeded.set_note(other, "speculative decoding draft tokens batch throughput " * 5)
    assert seeded.similar(paper) == before


def test_unknown_paper_is_an_error(seeded: Library) -> None:
    with pytest.raises(LibraryError, match="no paper with id 99999"):
        seeded.similar(99999)


def test_a_lone_paper_has_no_likes(library: Library, tmp_path) -> None:
    listing = tmp_path / "one.txt"
    listing.write_text("Only Paper\n\nAn abstract about nothing in particular.\n")
    library.import_files([listing])
    assert library.similar(1) == []
