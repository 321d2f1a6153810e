"""Tags (storage/library/tags.py): case-insensitive names, stable quick-tag keys, rename,
merge and delete, each one undo step."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library, LibraryError
from tests.fixtures.make_fixture import load

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _tagged(lib: Library, name: str) -> set[int]:
    return {pid for pid in lib.search(f'tag:"{name}"', limit=None).ids}


def test_quick_keys_are_given_once_and_kept(seeded: Library) -> None:
    seeded.add_tags([1], ["safety"])
    seeded.add_tags([2], ["agents"])  # before "safety" by name: it must not move it
    seeded.add_tags([3], ["benchmarks"])
    assert seeded.quick_tags() == [(1, "safety"), (2, "agents"), (3, "benchmarks")]
    seeded.delete_tag("agents")
    seeded.add_tags([4], ["zeta"])  # takes the freed key, the others stay
    assert seeded.quick_tags() == [(1, "safety"), (2, "zeta"), (3, "benchmarks")]
    seeded.rename_tag("safety", "alignment")
    assert seeded.quick_tags()[0] == (1, "alignment")
    names = [f"t{n}" for n in range(8)]
    seeded.add_tags([5], names)
    assert [n for n, _ in seeded.quick_tags()] == list(range(1, 10))  # a tenth gets none
    assert ("t7", 1) in seeded.tags()


def test_rename_into_an_existing_tag_merges_and_undoes_whole(seeded: Library) -> None:
    seeded.add_tags([1, 2], ["rl"])
    seeded.add_tags([2, 3], ["Reinforcement learning"])
    before_quick = dict((name, n) for n, name in seeded.quick_tags())
    moved = seeded.rename_tag("rl", "reinforcement LEARNING")
    assert moved == 2
    assert _tagged(seeded, "Reinforcement learning") == {1, 2, 3}
    assert [name for name, _ in seeded.tags()] == ["Reinforcement learning"]
    change = seeded.undo()
    assert change is not None and set(change.paper_ids) == {1, 2}
    assert _tagged(seeded, "rl") == {1, 2}
    assert _tagged(seeded, "Reinforcement learning") == {2, 3}
    assert dict((name, n) for n, name in seeded.quick_tags()) == before_quick
    seeded.redo()
    assert _tagged(seeded, "Reinforcement learning") == {1, 2, 3}


def test_delete_takes_a_tag_off_every_paper_and_undo_puts_it_back(seeded: Library) -> None:
    seeded.add_tags([1, 2, 3], ["stray"])
    assert seeded.delete_tag("STRAY") == 3
    assert seeded.tags() == [] and seeded.quick_tags() == []
    assert seeded.get(1).tags == ()
    seeded.undo()
    assert _tagged(seeded, "stray") == {1, 2, 3}
    assert seeded.quick_tags() == [(1, "stray")]


def test_undo_and_redo_of_a_tag_delete_rename_or_merge_name_the_tag(seeded: Library) -> None:
    # "Undid tag edit on 1 paper" named neither the tag nor what was done to it.
    seeded.add_tags([1, 2, 3], ["stray"])
    seeded.add_tags([4], ["Reinforcement learning"])
    seeded.add_tags([5], ["rl"])
    seeded.delete_tag("stray")
    assert seeded.undo().description == "Undid deleting tag “stray” on 3 papers"
    assert seeded.redo().description == "Redid deleting tag “stray” on 3 papers"
    seeded.rename_tag("rl", "RL methods")
    # A rename changes no paper: no "on 0 papers".
    assert seeded.undo().description == "Undid renaming tag “rl” to “RL methods”"
    assert seeded.redo().description == "Redid renaming tag “rl” to “RL methods”"
    seeded.rename_tag("RL methods", "reinforcement LEARNING")
    assert seeded.undo().description == (
        "Undid merging tag “RL methods” into “Reinforcement learning” on 1 paper")
    assert _tagged(seeded, "RL methods") == {5}
    assert seeded.redo().description == (
        "Redid merging tag “RL methods” into “Reinforcement learning” on 1 paper")
    assert _tagged(seeded, "Reinforcement learning") == {4, 5}
    # Other undos read as before.
    seeded.add_tags([1], ["plain"])
    assert seeded.undo().description == "Undid tag on 1 paper"


def test_renaming_or_deleting_a_missing_tag_is_a_clear_error(seeded: Library) -> None:
    with pytest.raises(LibraryError, match="no tag named 'nope'"):
        seeded.rename_tag("nope", "x")
    with pytest.raises(LibraryError, match="no tag named 'nope'"):
        seeded.delete_tag("nope")
    seeded.add_tags([1], ["a"])
    with pytest.raises(LibraryError, match="cannot be empty"):
        seeded.rename_tag("a", "  ")


def test_an_upgraded_library_keeps_the_keys_its_user_pressed(tmp_path: Path) -> None:
    # A v1 library numbered its tags by name; the upgrade stores exactly that.
    path = load((FIXTURES / "library-v1.sql").read_text(encoding="utf-8"),
                tmp_path / "library.db")
    with closing(sqlite3.connect(path)) as conn:
        by_name = [row[0] for row in conn.execute(
            "SELECT name FROM tags ORDER BY name COLLATE NOCASE LIMIT 9")]
    assert by_name
    with Library(path) as lib:
        assert lib.quick_tags() == list(enumerate(by_name, start=1))
        lib.add_tags([1], ["aaa first by name"])
        assert lib.quick_tags()[:len(by_name)] == list(enumerate(by_name, start=1))


def test_tags_are_case_insensitive_and_validated(seeded: Library) -> None:
    seeded.add_tags([1], ["RL"])
    seeded.add_tags([2], ["rl"])
    assert seeded.tags() == [("RL", 2)]
    with pytest.raises(LibraryError, match="empty"):
        seeded.add_tags([1], ["  "])
    with pytest.raises(LibraryError, match="no paper with id 99999"):
        seeded.set_read([99999])
