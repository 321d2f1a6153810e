"""Hypothesis at the Library's edges, for what the search and listing tests leave out.

tests/storage/test_listing.py already fuzzes the parser (any text, listing-shaped
noise, any bytes) and tests/storage/search/ the query language on text
without surrogates. Here: queries with anything a str can hold (lone surrogates,
controls) and every sort, limit and offset, checked to write nothing as seen from
another connection; and user text and pasted listings with the same characters
going into the write paths, which must store or refuse them, never crash or leave
a half write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Library, LibraryError
from storage.query import SORTS
from tests.reliability.conftest import assert_sound, copy_library

# Everything, surrogates and control characters included.
ANY_TEXT = st.text(alphabet=st.characters(), max_size=80)
QUERY_PIECES = st.lists(st.sampled_from(
    ['"', "(", ")", "-", " OR ", " ", "AND", "NOT", "*", "title:", "tag:to-read", "tag:kan",
     "is:read", "is:starred", "has:note", "year:2024", "upvotes:>10", "sort:date", "added:7d",
     "source:000", "org:", "zanzibar", "kan", "model", "\udcff", "\x00", "\u202e", "é"]),
    max_size=12).map("".join)
FLAGS = ("read", "starred")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, base_template: Path
           ) -> Iterator[tuple[Library, sqlite3.Connection]]:
    """The seeded library with user data, and a second connection watching it."""
    path = copy_library(base_template, tmp_path_factory.mktemp("fuzz"))
    lib = Library(path)
    observer = sqlite3.connect(path, isolation_level=None)
    yield lib, observer
    observer.close()
    lib.close()
    assert_sound(path)


def _data_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA data_version").fetchone()[0]


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT | QUERY_PIECES, sort=st.sampled_from((None, *SORTS)),
       limit=st.sampled_from((None, 1, 20, 10**6)), offset=st.integers(0, 500))
def test_search_never_raises_and_never_writes(
        shared: tuple[Library, sqlite3.Connection], text: str, sort: str | None,
        limit: int | None, offset: int) -> None:
    lib, observer = shared
    version, changes = _data_version(observer), lib.conn.total_changes
    result = lib.search(text, limit=limit, offset=offset, sort=sort)
    assert len(result.ids) == len(set(result.ids))
    assert limit is None or len(result.ids) <= limit
    lib.count(text)
    lib.explain(text)
    lib.fuzzy_titles(text)
    assert lib.conn.total_changes == changes and not lib.conn.in_transaction
    assert _data_version(observer) == version  # the other connection saw no commit


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT, flag=st.sampled_from(FLAGS))
def test_user_text_with_any_characters_is_stored_or_refused(
        shared: tuple[Library, sqlite3.Connection], text: str, flag: str) -> None:
    lib, _ = shared
    paper = 7
    for write in (lambda: lib.set_note(paper, text),
                  lambda: lib.add_tags([paper], [text[:64]]),
                  lambda: lib.annotate(paper, 0, 5, comment=text),
                  lambda: lib.save_search(text or "empty", text)):
        try:
            write()
        except LibraryError as error:  # e.g. an empty tag: refused in one line
            assert "\n" not in str(error)
        assert not lib.conn.in_transaction
    stored = lib.get(paper)
    assert stored is not None
    stored.note.encode("utf-8")  # whatever was kept is valid text
    if any("\ud800" <= c <= "\udfff" for c in text):
        assert stored.note == "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c
                                      for c in text)
    else:
        assert stored.note == text
    lib.set_note(paper, "")
    for annotation in lib.annotations(paper):
        lib.delete_annotation(annotation.id)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(ANY_TEXT, min_size=1, max_size=8))
def test_pasted_listing_with_any_characters_imports_or_is_reported(
        shared: tuple[Library, sqlite3.Connection], body: list[str]) -> None:
    lib, _ = shared
    before = lib.stats()["total"]
    report = lib.import_text("\n\n".join(body), name="paste")
    assert report.error is None or "\n" not in report.error
    assert not lib.conn.in_transaction
    with closing(sqlite3.connect(lib.path)) as conn:
        assert conn.execute("SELECT count(*) FROM sources WHERE status != 'complete'"
                            ).fetchone()[0] == 0
    assert lib.stats()["total"] == before + report.new
