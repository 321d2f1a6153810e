"""Highlights on abstracts: offsets, colours, edits, searchable comments
(storage/library/annotations.py)."""

from __future__ import annotations

import pytest

from storage import Library, LibraryError
from tests.storage.library.conftest import title_id


def test_annotation_offsets_select_exactly_the_quote(seeded: Library) -> None:
    paper_id = title_id(seeded, "TokenFormer")
    abstract = seeded.get(paper_id).abstract
    annotation = seeded.annotate_quote(paper_id, "token-parameter attention layer",
                                       colour="green").annotation
    assert abstract[annotation.start:annotation.end] == "token-parameter attention layer"
    assert annotation.colour == "green"
    with pytest.raises(LibraryError, match="not in the abstract"):
        seeded.annotate_quote(paper_id, "words that are not there")
    with pytest.raises(LibraryError, match="outside the abstract"):
        seeded.annotate(paper_id, 10, len(abstract) + 5)
    with pytest.raises(LibraryError, match="unknown colour"):
        seeded.annotate(paper_id, 0, 5, colour="mauve")


def test_annotation_comments_and_notes_are_full_text_searchable(seeded: Library) -> None:
    paper_id = title_id(seeded, "TokenFormer")
    seeded.annotate_quote(paper_id, "natively scalable", comment="zanzibar idea")
    other = title_id(seeded, "BadVLA")
    seeded.set_note(other, "quixotic follow-up")
    assert seeded.search("zanzibar").ids == [paper_id]
    assert seeded.search("quixotic").ids == [other]
    seeded.delete_annotation(seeded.annotations(paper_id)[0].id)
    assert seeded.search("zanzibar").ids == []


def test_editing_an_annotation_changes_only_what_is_given(seeded: Library) -> None:
    paper_id = title_id(seeded, "TokenFormer")
    annotation = seeded.annotate_quote(paper_id, "natively scalable", comment="first").annotation
    recoloured = seeded.update_annotation(annotation.id, colour="blue").annotation
    assert (recoloured.comment, recoloured.colour) == ("first", "blue")
    edited = seeded.update_annotation(annotation.id, comment="second").annotation
    assert (edited.comment, edited.colour) == ("second", "blue")
    seeded.delete_annotation(annotation.id)
    for change in (lambda: seeded.update_annotation(annotation.id, comment="x"),
                   lambda: seeded.delete_annotation(annotation.id)):
        with pytest.raises(LibraryError, match=f"no annotation with id {annotation.id}"):
            change()
    assert seeded.undo() and seeded.annotation(annotation.id) == edited
