"""storage/records.py: the one record every form's parser produces. Checked on every
fixture page of every form and on the seed listings: the form is a known one, a date says
where its year came from, and a fact the page did not carry stays empty."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import get_args

import pytest

from storage.listing import parse_listing, read_listing
from storage.records import (
    DATE_SOURCES,
    FORMS,
    DateSource,
    Listing,
    ListingError,
    PaperRecord,
)
from tests.conftest import SEEDS
from tests.storage.forms.helpers import FORMS as FORM_PAGES
from tests.storage.forms.helpers import READ_ON

PAGES = sorted(p for p in FORM_PAGES.iterdir()
               if p.suffix in (".txt", ".md", ".html", ".json") and not p.name.startswith("not-"))


def listings() -> list[Listing]:
    pages = [parse_listing(p.read_text(encoding="utf-8"), name=p.name, reference=READ_ON)
             for p in PAGES]
    return pages + [read_listing(p) for p in SEEDS]


@pytest.fixture(scope="module")
def every_listing() -> list[Listing]:
    return listings()


def test_every_form_the_detector_reports_is_a_known_one(every_listing: list[Listing]) -> None:
    assert {listing.form for listing in every_listing} == set(FORMS)


def test_a_date_says_where_its_year_came_from(every_listing: list[Listing]) -> None:
    assert set(DATE_SOURCES) == set(get_args(DateSource))
    seen: set[str | None] = set()
    for listing in every_listing:
        for r in listing.records:
            seen.add(r.date_source)
            if r.published is None:  # no date on the card: nothing about one
                assert (r.published_raw, r.date_source, r.year_inferred) == (
                    None, None, False), r
            elif listing.form == "seeds":
                assert r.date_source in (None, *DATE_SOURCES), r
            elif r.year_inferred:
                assert r.date_source in ("capture", "listing", "file"), r
            else:
                assert r.date_source == "card", r
            assert r.position >= 1
    assert {"card", "capture", "listing"} <= seen


def test_a_fact_the_form_cannot_carry_stays_empty(every_listing: list[Listing]) -> None:
    for listing in every_listing:
        if listing.form not in ("text", "seeds"):
            continue
        for r in listing.records:  # copied text has no links: no ids, no addresses
            assert (r.arxiv_id, r.url, r.project_page, r.github_repo) == (None,) * 4, r
            assert r.authors == () and r.ai_keywords == ()


def test_records_are_values_built_positionally_as_before() -> None:
    # The first nine fields keep their places: older callers build records by position.
    record = PaperRecord("T", "A", 1, 3, None, "2026-10-02", "Oct 2", True, 5)
    assert (record.title, record.position, record.authors_count, record.upvotes) == (
        "T", 1, 3, 5)
    assert all(getattr(record, f.name) in (None, ()) for f in dataclasses.fields(record)[9:])
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.title = "changed"  # type: ignore[misc]
    assert record == PaperRecord("T", "A", 1, 3, None, "2026-10-02", "Oct 2", True, 5)


def test_a_refused_listing_is_a_value_error_of_one_line(tmp_path: Path) -> None:
    path = tmp_path / "shopping.txt"
    path.write_text("eggs\nmilk\nbread\n", encoding="utf-8")
    with pytest.raises(ListingError) as refused:
        read_listing(path)
    assert isinstance(refused.value, ValueError)
    assert str(refused.value) == "shopping.txt: no Daily Papers listing found in it"


# A record with every field set to a value of its own, to see each one land in its place.
VALUES = ("Title", "Abstract", 7, 4, "Org", "2026-10-02", "Oct 2", True, 12, "2610.00001",
          "https://huggingface.co/papers/2610.00001", 3, ("A", "B"), "user", "Summary",
          ("kw",), "https://github.com/a/b", 1540, "https://a.b", "listing")


def test_the_constructor_takes_the_fields_in_their_order_with_their_defaults() -> None:
    # PaperRecord's own __init__ (the cheap one) must take what the dataclass would.
    import inspect

    params = list(inspect.signature(PaperRecord.__init__).parameters.values())[1:]
    declared = dataclasses.fields(PaperRecord)
    assert [p.name for p in params] == [f.name for f in declared]
    for p, f in zip(params, declared, strict=True):
        expected = inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        assert p.default == expected, f.name
    assert len(VALUES) == len(declared)


def test_every_field_lands_in_its_place_by_position_and_by_name() -> None:
    names = [f.name for f in dataclasses.fields(PaperRecord)]
    by_position = PaperRecord(*VALUES)
    by_name = PaperRecord(**dict(zip(names, VALUES, strict=True)))
    assert type(by_position) is PaperRecord and type(by_name) is PaperRecord
    assert dataclasses.astuple(by_position) == VALUES
    assert by_position == by_name and hash(by_position) == hash(by_name)
    assert by_position != dataclasses.replace(by_position, upvotes=13)
    assert repr(by_position).startswith("PaperRecord(title='Title', abstract='Abstract'")


def test_a_record_stays_frozen_in_every_field() -> None:
    record = PaperRecord(*VALUES)
    for f in dataclasses.fields(PaperRecord):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, f.name, None)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(record, f.name)
    # Not a field: refused too (a TypeError from the dataclass's frozen __setattr__).
    with pytest.raises((TypeError, AttributeError)):
        record.__class__ = dict  # type: ignore[assignment]
    with pytest.raises((TypeError, AttributeError)):
        record.other = 1  # type: ignore[attr-defined]
    assert type(record) is PaperRecord and dataclasses.astuple(record) == VALUES


def test_a_record_is_copied_pickled_and_replaced_as_a_value() -> None:
    import copy
    import pickle

    record = PaperRecord(*VALUES)
    for twin in (copy.copy(record), copy.deepcopy(record),
                 pickle.loads(pickle.dumps(record))):
        assert type(twin) is PaperRecord and twin == record
        with pytest.raises(dataclasses.FrozenInstanceError):
            twin.title = "changed"  # type: ignore[misc]
    moved = dataclasses.replace(record, position=1, title="Other")
    assert (moved.position, moved.title, moved.abstract) == (1, "Other", "Abstract")
    assert record.position == 7


def test_wrong_arguments_are_refused_as_a_dataclass_refuses_them() -> None:
    with pytest.raises(TypeError):
        PaperRecord("T", "A")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        PaperRecord(*VALUES, "one too many")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        PaperRecord(*VALUES[:9], colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        class Sub(PaperRecord):  # the definition itself is refused
            pass
