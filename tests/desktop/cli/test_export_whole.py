"""An export or a plot that cannot be written whole leaves the file it was going to
replace as it was, and no half file: on a full disk `winnow export -o refs.bib` cut the
user's previous refs.bib to the first 40 KB of the new one (attack.md F17).

The disk fills for real: RLIMIT_FSIZE on the command's process makes every write past
the limit fail with EFBIG, as a full disk fails with ENOSPC (Python ignores SIGXFSZ)."""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.desktop.cli.conftest import WINNOW

LIMIT = 32 * 1024  # the whole library's BibTeX is ~600 KB, its plot ~55 KB; one paper's ~2 KB


def winnow_limited(folder: Path, *args: str, db: Path) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))

    return subprocess.run([*WINNOW, "--db", str(db), *args], capture_output=True, text=True,
                          cwd=folder, timeout=120, check=False, preexec_fn=limit,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(("args", "name"), [
    (("export", "--format", "bibtex", "-o"), "refs.bib"),
    (("export", "--format", "json", "-o"), "papers.json"),
    (("stats", "--plot"), "stats.png"),
])
def test_a_failed_write_keeps_the_previous_file(db: Path, tmp_path: Path, args: tuple[str, ...],
                                                name: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    previous = b"the user's previous export, still needed\n"
    (out / name).write_bytes(previous)
    done = winnow_limited(out, *args, name, db=db)
    assert done.returncode == 1, done.stdout
    assert done.stderr.strip().splitlines() == [
        f"winnow: {name}: cannot write (File too large)"], done.stderr
    assert (out / name).read_bytes() == previous
    assert listing(out) == [name]  # no temporary file left behind


def test_a_failed_new_export_leaves_no_half_file(db: Path, tmp_path: Path) -> None:
    done = winnow_limited(tmp_path, "export", "--format", "markdown", "-o", "notes.md", db=db)
    assert done.returncode == 1 and "cannot write" in done.stderr
    assert not (tmp_path / "notes.md").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".notes.md")]


def test_an_export_that_fits_replaces_the_file_and_keeps_its_mode(db: Path, tmp_path: Path
                                                                  ) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("old\n")
    target.chmod(0o640)
    done = winnow_limited(tmp_path, "export", "title:tetris", "--format", "bibtex",
                          "-o", "refs.bib", db=db)
    assert done.returncode == 0, done.stderr
    assert target.read_text().startswith("@") and "etris" in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o640
    link = tmp_path / "link.bib"
    link.symlink_to(target)
    assert winnow_limited(tmp_path, "export", "--format", "csv", "title:tetris", "-o",
                          "link.bib", db=db).returncode == 0
    assert link.is_symlink() and target.read_text().startswith("id,title")
