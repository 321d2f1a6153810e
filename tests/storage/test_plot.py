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


def test_a_full_disk_on_the_first_plot_is_one_line(seeded_path: Path, tmp_path: Path) -> None:
    """The README's test command in a new HOME failed here (new-user walk N28): on its
    first run matplotlib builds its font cache, and on a full disk it also printed "Could
    not save font_manager cache [Errno 27] File too large" before Winnow's own line. The
    cache is matplotlib's (it builds it again next time); the user gets one line. A fresh
    MPLCONFIGDIR is that first run; RLIMIT_FSIZE is the full disk."""
    import os
    import resource
    import subprocess
    import sys

    def full_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))

    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(seeded_path), "stats", "--plot",
         "stats.png"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        check=False, preexec_fn=full_disk,
        env={**os.environ, "MPLCONFIGDIR": str(tmp_path / "new-matplotlib-config")})
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["winnow: stats.png: cannot write (File too large)"]
    assert not (tmp_path / "stats.png").exists()
