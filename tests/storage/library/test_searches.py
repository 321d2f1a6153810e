"""storage/library/searches.py: saved searches through the Library, on a real file: a name
for a query, shown sorted, replaced by name, deleted by name, each a Change for the views."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Library, LibraryError
from storage.models import SEARCHES, Change


def test_a_saved_search_is_kept_by_its_name_and_replaced_by_it(library: Library) -> None:
    seen: list[Change] = []
    library.listen(seen.append)
    change = library.save_search("  diffusion \t models  ", "diffusion is:inbox")
    assert change.description == "Saved the search diffusion models"
    assert change.aspects == frozenset({SEARCHES}) and change.count == 1 and change
    library.save_search("Zero-shot", "zero shot")
    library.save_search("agents", "tool use")
    library.save_search("diffusion models", "diffusion sort:upvotes")
    # In the order a person reads names: case does not put "Zero-shot" first.
    assert library.saved_searches() == [("agents", "tool use"),
                                        ("diffusion models", "diffusion sort:upvotes"),
                                        ("Zero-shot", "zero shot")]
    assert [c.description for c in seen] == [
        "Saved the search diffusion models", "Saved the search Zero-shot",
        "Saved the search agents", "Saved the search diffusion models"]


def test_saved_searches_survive_reopening_the_file(tmp_path: Path) -> None:
    with Library(tmp_path / "library.db") as lib:
        lib.save_search("KAN", "kolmogorov arnold")
    with Library(tmp_path / "library.db") as lib:
        assert lib.saved_searches() == [("KAN", "kolmogorov arnold")]


def test_deleting_one_leaves_the_others(library: Library) -> None:
    library.save_search("KAN", "kolmogorov")
    library.save_search("MoE", "mixture of experts")
    change = library.delete_saved_search("KAN")
    assert change.description == "Deleted the saved search KAN" and change.count == 1
    assert library.saved_searches() == [("MoE", "mixture of experts")]


def test_what_cannot_be_saved_or_deleted_is_one_line_and_changes_nothing(
        library: Library) -> None:
    library.save_search("MoE", "mixture of experts")
    with pytest.raises(LibraryError, match=r"^a saved search needs a name$"):
        library.save_search(" \t ", "anything")
    with pytest.raises(LibraryError, match=r"^no saved search named 'KAN'$"):
        library.delete_saved_search("KAN")
    assert library.saved_searches() == [("MoE", "mixture of experts")]


def test_a_name_with_broken_characters_is_still_saved(library: Library) -> None:
    # A lone surrogate (undecodable bytes pasted in) becomes U+FFFD: SQLite refuses it raw.
    library.save_search("bad \udcff name", "q \udcfe")
    assert library.saved_searches() == [("bad \ufffd name", "q \ufffd")]
