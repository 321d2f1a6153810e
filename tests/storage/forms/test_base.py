"""storage/forms/base.py: the day a yearless card date may not be after, and the face every
whole-text parser hands back (iterated once, closed, used as a context manager)."""

from __future__ import annotations

from datetime import date

from storage.forms.base import ParsedListing, anchor_date
from storage.listing import parse_listing
from tests.storage.forms.helpers import FORMS, READ_ON


def test_the_anchor_is_the_capture_then_the_listing_then_the_file() -> None:
    on = date(2026, 11, 30)
    assert anchor_date("2026-10-01", "2026-10-02", on) == (date(2026, 10, 1), "capture")
    assert anchor_date(None, "2026-10-02", on) == (date(2026, 10, 2), "listing")
    assert anchor_date("not a day", "2026-10-02", on) == (date(2026, 10, 2), "listing")
    assert anchor_date(None, None, on) == (on, "file")
    assert anchor_date(None, None, None) == (date.today(), "file")


def test_a_capture_or_listing_date_after_today_is_held_to_today() -> None:
    today = date.today()
    later = date(today.year + 3, 1, 1).isoformat()
    assert anchor_date(later, None, None) == (today, "capture")
    assert anchor_date(None, later, None) == (today, "listing")
    assert anchor_date(None, None, date(today.year + 3, 1, 1)) == (today, "file")


def test_a_parsed_listing_is_read_once_and_closed() -> None:
    records = parse_listing((FORMS / "api-paper.json").read_text(encoding="utf-8"),
                            name="p.json", reference=READ_ON).records
    assert records
    parsed = ParsedListing(records * 2, name="p.json", form="api", warnings=["w"],
                           listing_date="2026-10-02", capture_date="2026-10-03")
    assert (parsed.name, parsed.form, parsed.warnings, parsed.listing_date,
            parsed.capture_date, parsed.sha256) == (
        "p.json", "api", ["w"], "2026-10-02", "2026-10-03", None)
    assert next(parsed) is records[0]
    assert list(parsed) == records  # the rest, once
    assert list(parsed) == []
    with ParsedListing(records * 3, name="p.json", form="api", warnings=[]) as listing:
        assert next(iter(listing)) is records[0]
    assert list(listing) == []  # closed on leaving: nothing more to read
