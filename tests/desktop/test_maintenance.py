"""The app's background care of the library: integrity check and daily backup."""

from __future__ import annotations

from pathlib import Path

import pytest

import desktop.maintenance as maintenance_module
from desktop.maintenance import Maintenance
from storage import Library, LibraryError


def test_daily_backup_is_made_after_start(seeded_path: Path, qtbot) -> None:
    job = Maintenance(seeded_path)
    with qtbot.waitSignal(job.finished, timeout=20000) as finished:
        job.start()
    [backup] = (seeded_path.parent / "backups").glob("*-daily-*.db")
    assert str(backup) in finished.args[0]
    with Library(backup) as copy:
        assert copy.stats()["total"] == 415
    # One a day: a second start the same day makes none.
    again = Maintenance(seeded_path)
    with qtbot.waitSignal(again.finished, timeout=20000) as second:
        again.start()
    assert second.args == [""]


def test_damage_in_a_big_library_is_reported_and_stops_writes(
        seeded_path: Path, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    window_library = Library(seeded_path)  # opened before the damage, as the app was
    data = bytearray(seeded_path.read_bytes())
    for offset in range(4096 * 3, min(len(data), 4096 * 40), 4096):
        data[offset:offset + 200] = b"\xde\xad\xbe\xef" * 50
    seeded_path.write_bytes(bytes(data))
    # Every library counts as big here, so the check runs in the background.
    monkeypatch.setattr(maintenance_module, "QUICK_CHECK_BELOW_BYTES", 0)
    job = Maintenance(seeded_path)
    try:
        with qtbot.waitSignal(job.damaged, timeout=20000) as damaged:
            job.start()
        assert "restore" in damaged.args[0]
        assert not (seeded_path.parent / "backups").exists()
        with pytest.raises(LibraryError):
            window_library.set_read([1])
    finally:
        window_library.close()
