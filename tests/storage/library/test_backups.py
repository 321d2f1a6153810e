"""Backups (storage/library/backups.py): a consistent copy, one daily backup a day."""

from __future__ import annotations

from pathlib import Path

from storage import Library


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
