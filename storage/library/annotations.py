"""Highlights and comments on a paper's abstract, or on the AI summary of a card that has
no abstract (`field`), kept on their quote when that text changes."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from storage.library import ids
from storage.library.core import Core, guarded, now, safe_text
from storage.library.errors import LibraryError
from storage.library.events import Events
from storage.models import ANNOTATIONS, COLOURS, COUNTS, Annotation, Change
from storage.schema import ANNOTATED_FIELDS

# How messages name each text a highlight can be on.
TEXT_NAMES = {"abstract": "abstract", "ai_summary": "AI summary"}


class Annotations:
    """The annotations of one library; their undo goes through `events`."""

    def __init__(self, core: Core, events: Events) -> None:
        self._core = core
        self.conn = core.conn
        self._events = events
        for action, label in (("annotation_add", "highlight"),
                              ("annotation_edit", "annotation edit"),
                              ("annotation_delete", "annotation delete")):
            events.register(action, self._put_back, label, frozenset({ANNOTATIONS}))

    @guarded
    def annotate(self, paper_id: int, start: int, end: int, comment: str | None = None,
                 colour: str | None = None, field: str = "abstract") -> Change:
        """Highlight text[start:end] (end exclusive) with an optional comment, where
        text is the paper's `field` ("abstract", or "ai_summary": the body of a card
        that has no abstract); the new annotation is the Change's `annotation`."""
        abstract = self._text(paper_id, field)
        if not (0 <= start < end <= len(abstract)):
            raise LibraryError(
                f"annotation range {start}-{end} is outside the {TEXT_NAMES[field]} "
                f"(0-{len(abstract)})")
        colour = self._check_colour(colour or COLOURS[0])
        comment = safe_text(comment) if comment else comment
        quote = abstract[start:end]
        stamp = now()
        with self._core.write() as conn:
            # Never the id of a deleted annotation: its undo would put it back there.
            annotation_id = ids.next_id(conn, "annotations")
            conn.execute(
                "INSERT INTO annotations (id, paper_id, start, \"end\", quote, comment, "
                "colour, orphaned, created_at, updated_at, field) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                (annotation_id, paper_id, start, end, quote, comment or "", colour, stamp, stamp,
                 field),
            )
            row = conn.execute(f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id = ?",
                               (annotation_id,)).fetchone()
            self._events.log(self._events.new_batch(), paper_id, "annotation_add", None,
                             _annotation_state(row))
        return self._changed("Highlighted" if not comment else "Highlighted with a comment",
                             row)

    @guarded
    def annotate_quote(self, paper_id: int, quote: str, comment: str | None = None,
                       colour: str | None = None, occurrence: int = 1,
                       field: str = "abstract") -> Change:
        """Highlight the `occurrence`-th place where `quote` stands in the paper's
        `field` (its abstract, or its AI summary)."""
        abstract = self._text(paper_id, field)
        if not quote.strip():
            raise LibraryError("the quote is empty")
        start = -1
        for _ in range(max(1, occurrence)):
            start = abstract.find(quote, start + 1)
            if start < 0:
                raise LibraryError(
                    f"paper {paper_id}: the quote is not in the {TEXT_NAMES[field]}: "
                    f"\"{quote[:60]}\"")
        return self.annotate(paper_id, start, start + len(quote), comment, colour, field)

    def _text(self, paper_id: int, field: str) -> str:
        if field not in ANNOTATED_FIELDS:
            raise LibraryError(f"a highlight goes on the abstract or the AI summary, "
                               f"not on {field!r}")
        row = self.conn.execute(f"SELECT {field} FROM papers WHERE id = ?",
                                (int(paper_id),)).fetchone()
        if row is None:
            raise LibraryError(f"no paper with id {paper_id}")
        return row[0] or ""

    @staticmethod
    def _check_colour(colour: str) -> str:
        name = colour.strip().lower()
        if name == "grey":
            name = "yellow"
        if name not in COLOURS:
            raise LibraryError(f"unknown colour {colour!r} (choose from {', '.join(COLOURS)})")
        return name

    @guarded
    def annotation(self, annotation_id: int) -> Annotation | None:
        row = self.conn.execute(f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id = ?",
                                (annotation_id,)).fetchone()
        return _annotation(row) if row else None

    @guarded
    def annotations(self, paper_id: int | None = None) -> list[Annotation]:
        if paper_id is None:
            rows = self.conn.execute(
                f"SELECT {_ANNOTATION_COLUMNS} FROM annotations "
                f"ORDER BY paper_id, field, start, id")
        else:
            rows = self.conn.execute(
                f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE paper_id = ? "
                f"ORDER BY field, start, id", (paper_id,))
        return [_annotation(row) for row in rows]

    @guarded
    def update_annotation(self, annotation_id: int, *, comment: str | None = None,
                          colour: str | None = None) -> Change:
        new_colour = None if colour is None else self._check_colour(colour)
        with self._core.write() as conn:
            before = self._annotation_row(annotation_id)
            new_comment = before[5] if comment is None else safe_text(comment)
            conn.execute("UPDATE annotations SET comment = ?, colour = ?, updated_at = ? "
                         "WHERE id = ?", (new_comment, new_colour or before[6], now(),
                                          annotation_id))
            row = self._annotation_row(annotation_id)
            self._events.log(self._events.new_batch(), row[1], "annotation_edit",
                             _annotation_state(before), _annotation_state(row))
        return self._changed("Changed the highlight", row)

    @guarded
    def delete_annotation(self, annotation_id: int) -> Change:
        with self._core.write() as conn:
            row = self._annotation_row(annotation_id)
            conn.execute("DELETE FROM annotations WHERE id = ?", (annotation_id,))
            self._events.log(self._events.new_batch(), row[1], "annotation_delete",
                             _annotation_state(row), None)
        return self._core.announce(Change("Deleted the highlight", (row[1],),
                                          frozenset({ANNOTATIONS, COUNTS}), count=1))

    def _changed(self, description: str, row: Sequence[Any]) -> Change:
        return self._core.announce(Change(description, (row[1],),
                                          frozenset({ANNOTATIONS, COUNTS}), count=1,
                                          annotation=_annotation(row)))

    def _annotation_row(self, annotation_id: int) -> tuple[Any, ...]:
        """The annotation's row, read inside the write that changes it."""
        row = self.conn.execute(f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id = ?",
                                (annotation_id,)).fetchone()
        if row is None:
            raise LibraryError(f"no annotation with id {annotation_id}")
        return row

    def _put_back(self, paper_id: int, target: Any, other: Any) -> None:
        if target is None:
            self.conn.execute("DELETE FROM annotations WHERE id = ?", (other["id"],))
        else:
            self.conn.execute(
                "INSERT OR REPLACE INTO annotations (id, paper_id, start, \"end\", quote, "
                "comment, colour, orphaned, created_at, updated_at, field) "
                "VALUES (:id, :paper_id, :start, :end, :quote, :comment, :colour, "
                ":orphaned, :created_at, :updated_at, :field)",
                # An event logged before schema 13 names no field: the abstract.
                {"field": "abstract", **target})


def reanchor_annotations(conn: sqlite3.Connection, paper_id: int,
                         abstract: str | None = None) -> None:
    """Find each annotation's quote in the paper's changed texts (`abstract` if given,
    else as stored; the AI summary as stored): exactly, then fuzzily. Callers run it
    after writing a new abstract or AI summary."""
    texts: dict[str, str] = {}
    for annotation_id, start, quote, field in conn.execute(
            "SELECT id, start, quote, field FROM annotations WHERE paper_id = ?",
            (paper_id,)).fetchall():
        if field not in texts:
            if field == "abstract" and abstract is not None:
                texts[field] = abstract
            else:
                column = field if field in ANNOTATED_FIELDS else "abstract"
                row = conn.execute(f"SELECT {column} FROM papers WHERE id = ?",
                                   (paper_id,)).fetchone()
                texts[field] = (row[0] if row else None) or ""
        place = _find_quote(texts[field], quote, start)
        if place is None:
            conn.execute("UPDATE annotations SET orphaned = 1 WHERE id = ?",
                         (annotation_id,))
        else:
            conn.execute("UPDATE annotations SET start = ?, \"end\" = ?, orphaned = 0 "
                         "WHERE id = ?", (*place, annotation_id))


_ANNOTATION_COLUMNS = ('id, paper_id, start, "end", quote, comment, colour, orphaned, '
                       'created_at, updated_at, field')


def _annotation(row: Sequence[Any]) -> Annotation:
    return Annotation(id=row[0], paper_id=row[1], start=row[2], end=row[3], quote=row[4],
                      comment=row[5], colour=row[6], orphaned=bool(row[7]),
                      created_at=row[8], updated_at=row[9], field=row[10])


def _annotation_state(row: Sequence[Any]) -> dict[str, Any]:
    names = ("id", "paper_id", "start", "end", "quote", "comment", "colour", "orphaned",
             "created_at", "updated_at", "field")
    return dict(zip(names, row, strict=True))


def _find_quote(text: str, quote: str, near: int) -> tuple[int, int] | None:
    """Where `quote` now stands in `text`: the exact place nearest the old one, else the
    best fuzzy match of the same length (at least 85% alike)."""
    if not quote:
        return None
    places = []
    index = text.find(quote)
    while index >= 0:
        places.append(index)
        index = text.find(quote, index + 1)
    if places:
        best = min(places, key=lambda p: abs(p - near))
        return best, best + len(quote)
    alignment = fuzz.partial_ratio_alignment(quote, text, score_cutoff=85)
    if alignment is None:
        return None
    start, end = alignment.dest_start, alignment.dest_end
    if Indel.normalized_similarity(quote, text[start:end]) < 0.85:
        return None
    return start, end
