"""storage/library/learning.py: the Library's For you and more-like-this part, through the
Library's own API on real library files: who vectorises an import and when, what the
status line says, and the errors a user can meet."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Library, LibraryError
from storage.learn import MIN_POSITIVES
from storage.vectors import missing
from tests.storage.test_vectors import _df, _terms_of

TWO = ("Quokka Parsing\n\nA quokka parser for marsupial grammars.\n\n"
       "Wombat Burrows\n\nWombats dig burrows under eucalyptus roots.\n")


def test_a_library_that_never_used_vectors_pays_nothing_at_import(library: Library) -> None:
    library.import_text(TWO, name="first")
    assert library.conn.execute("SELECT count(*) FROM paper_vectors").fetchone()[0] == 0
    assert missing(library.conn) == 2


def test_once_vectors_exist_a_small_import_vectorises_its_papers_itself(
        library: Library) -> None:
    library.import_text(TWO, name="first")
    assert library.update_vectors() == 2
    library.import_text("Numbat Termites\n\nNumbats eat termites at dawn.\n", name="second")
    assert missing(library.conn) == 0
    assert library.conn.execute("SELECT count(*) FROM paper_vectors").fetchone()[0] == 3


def test_in_the_background_mode_an_import_leaves_the_vectors_to_the_worker(
        library: Library) -> None:
    library.import_text(TWO, name="first")
    library.update_vectors()
    library.learn_in_background = True
    library.import_text("Numbat Termites\n\nNumbats eat termites at dawn.\n", name="second")
    assert missing(library.conn) == 1
    # Asked for neighbours before the worker loaded anything, a small library
    # vectorises the few papers it lacks on the caller's thread (about a second's work).
    quokka = library.search("quokka", limit=1).ids[0]
    library.similar(quokka)
    assert missing(library.conn) == 0


def test_the_status_says_how_far_from_learning_the_library_is(library: Library) -> None:
    library.import_text(TWO, name="first")
    assert library.interest_status() == (
        f"Not enough to learn from yet: 0 of {MIN_POSITIVES} papers starred, tagged, "
        f"highlighted or noted. Ordered by upvotes and recency meanwhile.")
    ids = library.search("", limit=None).ids
    library.add_tags(ids[:1], ["marsupials"])
    assert library.interest_status("marsupials") == (
        f"Not enough to learn from yet: 1 of {MIN_POSITIVES} papers tagged #marsupials. "
        f"Ordered by upvotes and recency meanwhile.")


def test_without_a_model_the_order_is_the_one_given(library: Library) -> None:
    library.import_text(TWO, name="first")
    ids = library.search("", limit=None).ids
    assert library.order_by_interest(list(reversed(ids))) == list(reversed(ids))


def test_what_a_user_can_get_wrong_is_one_line(library: Library, tmp_path: Path) -> None:
    library.import_text(TWO, name="first")
    with pytest.raises(LibraryError, match=r"^no tag named 'nope'$"):
        library.recommend("nope")
    with pytest.raises(LibraryError, match="no paper with id 999"):
        library.similar(999)


def test_a_big_import_is_left_to_the_catch_up(seeded: Library, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.library import learning

    seeded.update_vectors()
    monkeypatch.setattr(learning, "IMPORT_VECTORS", 1)  # "big": more than one paper
    listing = tmp_path / "two.txt"
    listing.write_text("Quokka Parsing\n\nA quokka parser.\n\n"
                       "Zyxwvut Grammars\n\nZyxwvut grammars, parsed by quokkas.\n")
    assert seeded.import_files([listing]).ok
    assert missing(seeded.conn) == 2
    one = tmp_path / "one.txt"
    one.write_text("Wombat Burrows\n\nWombats dig burrows.\n")
    assert seeded.import_files([one]).ok  # behind by 3 now: still left alone
    assert missing(seeded.conn) == 3
    seeded.recommend(limit=1)  # any use catches up first
    assert missing(seeded.conn) == 0
    assert _df(seeded) == dict(_terms_of(seeded))
