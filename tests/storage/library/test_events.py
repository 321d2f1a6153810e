"""Undo and redo of every action, kept across restarts (storage/library/events.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Library
from tests.storage.library.conftest import title_id


@pytest.mark.parametrize("action", ["read", "star", "tag", "note", "annotate"])
def test_every_action_undoes_and_redoes(seeded: Library, action: str) -> None:
    paper_id = title_id(seeded, "TokenFormer")
    original = seeded.get(paper_id)
    if action == "read":
        seeded.set_read([paper_id, paper_id + 1])
    elif action == "star":
        seeded.set_starred([paper_id])
    elif action == "tag":
        seeded.add_tags([paper_id], ["to-read", "scaling"])
    elif action == "note":
        seeded.set_note(paper_id, "first")
        seeded.set_note(paper_id, "first draft, typed on")
    else:
        seeded.annotate_quote(paper_id, "natively scalable", comment="key idea")
    changed = seeded.get(paper_id)
    assert changed != original

    change = seeded.undo()
    assert change and paper_id in change.paper_ids
    assert seeded.get(paper_id) == original
    assert not seeded.undo()

    seeded.redo()
    assert seeded.get(paper_id) == changed
    assert not seeded.redo()


def test_new_action_after_undo_drops_the_redo(seeded: Library) -> None:
    seeded.set_starred([1])
    seeded.undo()
    seeded.set_read([2])
    assert not seeded.redo()
    assert not seeded.get(1).starred


def test_undo_survives_a_restart(seeded_path: Path) -> None:
    with Library(seeded_path) as lib:
        lib.add_tags([3], ["keep"])
    with Library(seeded_path) as lib:
        lib.undo()
        assert lib.get(3).tags == ()
