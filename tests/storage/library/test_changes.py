"""Every Library mutation returns one Change and announces it to listeners after
the commit (storage/library/core.py: listen/announce; storage/models.py: Change)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from storage import Change, Library
from storage.models import ANNOTATIONS, COUNTS, FLAGS, NOTE, PAPERS, SEARCHES, STATE, TAGS
from tests.conftest import SEEDS


def _heard(lib: Library) -> list[Change]:
    heard: list[Change] = []
    lib.listen(heard.append)
    return heard


def _abstract_quote(lib: Library, paper_id: int) -> str:
    return lib.get(paper_id).abstract[:12]


MUTATIONS: dict[str, tuple[Callable[[Library], Change], set[str]]] = {
    "set_read": (lambda lib: lib.set_read([1, 2]), {STATE, COUNTS}),
    "set_starred": (lambda lib: lib.set_starred([1, 2]), {FLAGS, COUNTS}),
    "add_tags": (lambda lib: lib.add_tags([1, 2], ["rl", "kan"]), {TAGS, COUNTS}),
    "set_note": (lambda lib: lib.set_note(1, "a note"), {NOTE, COUNTS}),
    "annotate": (lambda lib: lib.annotate_quote(1, _abstract_quote(lib, 1)),
                 {ANNOTATIONS, COUNTS}),
    "save_search": (lambda lib: lib.save_search("mine", "is:starred"), {SEARCHES}),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_each_mutation_returns_the_change_it_announces(seeded: Library, name: str) -> None:
    act, aspects = MUTATIONS[name]
    heard = _heard(seeded)
    change = act(seeded)
    assert isinstance(change, Change) and change
    assert heard == [change]
    assert set(change.aspects) == aspects
    assert change.origin == "user" and change.description
    if SEARCHES not in aspects:
        assert set(change.paper_ids) <= {1, 2} and change.paper_ids


def test_a_change_lists_only_the_papers_that_changed(seeded: Library) -> None:
    seeded.set_read([1])
    change = seeded.set_read([1, 2, 3])
    assert change.paper_ids == (2, 3) and change.count == 2
    assert change.description == "Marked 2 papers done"
    tags = seeded.add_tags([1, 2], ["rl", "kan"])
    assert tags.count == 4 and tags.paper_ids == (1, 2)
    removed = seeded.remove_tags([1, 2, 3], ["rl"])
    assert removed.count == 2 and removed.paper_ids == (1, 2)
    assert removed.aspects == frozenset({TAGS, COUNTS})


def test_nothing_changed_is_a_false_change_and_not_announced(seeded: Library) -> None:
    seeded.set_read([1])
    seeded.set_note(1, "same")
    heard = _heard(seeded)
    assert not seeded.set_read([1])
    assert not seeded.set_note(1, "same")
    assert not seeded.remove_tags([1], ["never-used"])
    assert heard == []


def test_annotation_changes_carry_the_annotation(seeded: Library) -> None:
    made = seeded.annotate_quote(1, _abstract_quote(seeded, 1), comment="why")
    assert made.annotation is not None and made.annotation.comment == "why"
    edited = seeded.update_annotation(made.annotation.id, colour="blue")
    assert edited.annotation.colour == "blue" and edited.paper_ids == (1,)
    deleted = seeded.delete_annotation(made.annotation.id)
    assert deleted and deleted.annotation is None and deleted.touches(ANNOTATIONS)


def test_undo_and_redo_announce_what_they_put_back(seeded: Library) -> None:
    seeded.add_tags([4, 5], ["rl"])
    heard = _heard(seeded)
    undone = seeded.undo()
    assert undone.origin == "undo" and set(undone.paper_ids) == {4, 5}
    assert undone.aspects == frozenset({TAGS, COUNTS})
    assert undone.description == "Undid tag on 2 papers"
    redone = seeded.redo()
    assert redone.origin == "redo" and heard == [undone, redone]
    seeded.undo()
    seeded.undo()  # nothing left
    nothing = seeded.undo()
    assert not nothing and nothing.description == "Nothing to undo"
    assert len(heard) == 3


def test_listeners_hear_after_the_commit(seeded: Library) -> None:
    # Another connection sees the write from inside the listener: it is committed.
    other = sqlite3.connect(seeded.path)
    seen: list[int] = []
    seeded.listen(lambda change: seen.append(other.execute(
        "SELECT starred FROM papers WHERE id = 7").fetchone()[0]))
    seeded.set_starred([7])
    other.close()
    assert seen == [1]


def test_stop_listening(seeded: Library) -> None:
    heard: list[Change] = []
    stop = seeded.listen(heard.append)
    seeded.set_starred([1])
    stop()
    stop()  # twice is harmless
    seeded.set_starred([2])
    assert len(heard) == 1


def test_a_failing_listener_neither_stops_the_others_nor_the_write(seeded: Library) -> None:
    def broken(change: Change) -> None:
        raise RuntimeError("view bug")

    heard: list[Change] = []
    seeded.listen(broken)
    seeded.listen(heard.append)
    with pytest.raises(RuntimeError, match="view bug"):
        seeded.set_starred([3])
    assert len(heard) == 1
    assert seeded.get(3).starred


def test_import_announces_new_papers(library: Library) -> None:
    heard = _heard(library)
    report = library.import_files(SEEDS[:1])
    [change] = heard
    assert change.origin == "import" and change.everything
    assert change.count == report.new > 0
    assert change.touches(PAPERS) and change.touches(COUNTS)
    library.import_files(SEEDS[:1])  # the same bytes again: nothing new
    assert len(heard) == 1


def test_poll_announces_another_connections_commit(seeded_path: Path) -> None:
    with Library(seeded_path) as app, Library(seeded_path) as cli:
        heard = _heard(app)
        assert not app.poll_changes() and heard == []
        cli.set_starred([9])
        assert app.poll_changes()
        [change] = heard
        assert change.origin == "outside" and change.everything
        assert change.touches(FLAGS, STATE)
