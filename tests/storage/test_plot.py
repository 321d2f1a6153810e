"""storage/plot.py draws storage/stats.py's figures into a real PNG (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Library
from storage.plot import plot_stats
from storage.stats import triage_stats


@pytest.mark.parametrize("dark", [False, True])
def test_the_figures_become_a_png_in_either_theme(seeded: Library, tmp_path: Path,
                                                  dark: bool) -> None:
    seeded.set_state([1, 2], "done")
    seeded.add_tags([1], ["rl"])
    out = plot_stats(triage_stats(seeded, days=30), tmp_path / "stats.png", dark=dark)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    # 1200 x 900 pixels: the figure size the view and the command line share.
    assert int.from_bytes(data[16:20], "big") == 1200
    assert int.from_bytes(data[20:24], "big") == 900
