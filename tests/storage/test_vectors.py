"""The stored paper vectors and their in-memory index (storage/vectors.py)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from storage import Library, vectors
from storage.vectors import VectorIndex


def _stored(lib: Library) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    return {pid: (np.frombuffer(terms, np.int32), np.frombuffer(tf, np.float32))
            for pid, terms, tf in lib.conn.execute(
                "SELECT paper_id, terms, tf FROM paper_vectors")}


def test_loaded_rows_are_unit_tfidf_vectors_across_slices(seeded: Library, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    # Last in id order, a paper whose words are all stop words: its row is empty.
    listing = tmp_path / "stop.txt"
    listing.write_text("The Other One\n\nIt is what it was, and we are here.\n")
    assert seeded.import_files([listing]).ok
    seeded.update_vectors()
    # Rows are weighed a slice at a time: small slices cross many boundaries.
    monkeypatch.setattr(vectors, "_NORMALISE_ROWS", 7)
    index = VectorIndex.load(seeded.conn)
    stored = _stored(seeded)
    df = dict(seeded.conn.execute("SELECT id, df FROM vector_terms"))
    papers = len(stored)
    assert index.ids.tolist() == sorted(stored)
    last = index.matrix[len(index) - 1]
    assert last.nnz == 0
    for row, paper_id in enumerate(index.ids.tolist()):
        terms, tf = stored[paper_id]
        want = {int(t): float(d) * (math.log((1 + papers) / (1 + df[int(t)])) + 1)
                for t, d in zip(terms, tf, strict=True)}
        norm = math.sqrt(sum(v * v for v in want.values())) or 1.0
        got = index.matrix[row]
        assert dict(zip(got.indices.tolist(), got.data.tolist(), strict=True)) == \
            pytest.approx({t: v / norm for t, v in want.items()}, rel=1e-5)
