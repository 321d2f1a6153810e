"""storage/files.py: a file written for the user is replaced whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.files import whole_file


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("old")
    with pytest.raises(OSError, match="disk full"), whole_file(target) as temp:
        temp.write_text("half of the new")
        raise OSError(28, "disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]


def test_the_new_text_replaces_the_target_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "project" / "refs.bib"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "refs.bib"
    link.symlink_to(real)
    with whole_file(link) as temp:
        assert temp.parent == real.parent  # the rename stays on one file system
        temp.write_text("new")
    assert link.is_symlink() and real.read_text() == "new"
    assert sorted(p.name for p in real.parent.iterdir()) == ["refs.bib"]


def test_a_special_file_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with whole_file(fifo) as temp:
            assert temp == fifo
            temp.write_text("through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert fifo.exists() and not fifo.is_file()
