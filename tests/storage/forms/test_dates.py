"""storage/forms/dates.py: card dates as the page prints them, and the year a yearless one
gets (the latest such day not after the anchor: never in the future)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from storage.forms.dates import _latest_on_or_before, _parse_date
from storage.listing import parse_listing, read_listing
from tests.storage.forms.helpers import FORMS


def test_yearless_dates_never_land_after_the_files_time(tmp_path: Path) -> None:
    path = tmp_path / "copied.txt"
    path.write_bytes((FORMS / "text-daily.txt").read_bytes())
    stamp = 1_790_000_000  # 2026-09-21: before the page's "Oct 2"
    os.utime(path, (stamp, stamp))
    listing = read_listing(path)
    assert listing.listing_date == "2025-10-02"
    assert all(r.published <= "2025-10-02" for r in listing.records if r.year_inferred)
    assert {r.date_source for r in listing.records if r.year_inferred} == {"listing"}


# ------------------------------------------------- the anchor: capture, listing, file, today


def firecrawl_retrieved(day: str) -> str:
    """The scraped page with its front matter saying it was captured on ``day``."""
    text = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    assert "\nretrieved: 2026-10-02\n" in text
    return text.replace("\nretrieved: 2026-10-02\n", f"\nretrieved: {day}\n", 1)


def test_yearless_dates_are_read_against_the_capture_date() -> None:
    # Captured the day before the page's "Oct 2": that Oct 2 is last year's.
    listing = parse_listing(firecrawl_retrieved("2026-10-01"), name="page.md",
                            reference=date(2026, 11, 30))
    assert (listing.capture_date, listing.listing_date) == ("2026-10-01", "2025-10-02")
    inferred = [r for r in listing.records if r.year_inferred]
    assert inferred and {r.date_source for r in inferred} == {"capture"}
    assert all(r.published <= "2026-10-01" for r in inferred)


def test_a_capture_date_in_the_future_is_held_to_today() -> None:
    today = date.today()
    listing = parse_listing(firecrawl_retrieved(f"{today.year + 4}-10-05"), name="page.md",
                            reference=None)
    inferred = [r for r in listing.records if r.year_inferred]
    assert inferred
    assert all(r.published <= today.isoformat() for r in inferred)
    assert listing.listing_date is not None and listing.listing_date <= today.isoformat()


def test_a_files_time_in_the_future_is_held_to_today() -> None:
    today = date.today()
    text = (FORMS / "text-daily.txt").read_text(encoding="utf-8")
    listing = parse_listing(text, name="copied.txt", reference=today + timedelta(days=3 * 365))
    assert listing.listing_date is not None and listing.listing_date <= today.isoformat()
    assert all(r.published <= today.isoformat() for r in listing.records if r.year_inferred)


# ----------------------------------------------------------------- one date as printed


ANCHOR = date(2026, 10, 2)


@pytest.mark.parametrize(("line", "published", "inferred", "upvotes"), [
    ("Oct 2", "2026-10-02", True, None),
    ("Oct 3", "2025-10-03", True, None),  # the day after the anchor: last year's
    ("Sep 29 3", "2026-09-29", True, 3),  # a yearless date and a count
    ("Mar 8, 2024", "2024-03-08", False, None),
    ("Oct 28, 2024 2", "2024-10-28", False, 2),
    ("Jun 16 2020", "2026-06-16", True, 2020),  # no comma: 2020 is a count, not a year
    ("Sept 3", "2026-09-03", True, None),
    ("September 3", "2026-09-03", True, None),
    ("Feb 29", "2024-02-29", True, None),  # the latest Feb 29 before the anchor
])
def test_a_date_as_the_page_prints_it(line: str, published: str, inferred: bool,
                                      upvotes: int | None) -> None:
    got = _parse_date(line, ANCHOR)
    assert got is not None and got.valid
    assert (got.published, got.year_inferred, got.upvotes) == (published, inferred, upvotes)


@pytest.mark.parametrize("line", ["Feb 30", "Smarch 3", "Jun 31, 2024", "Feb 29, 2025"])
def test_a_day_that_does_not_exist_is_date_shaped_but_not_valid(line: str) -> None:
    got = _parse_date(line, ANCHOR)
    assert got is None or (not got.valid and got.published is None)


@pytest.mark.parametrize("line", ["3 authors", "October the second", "Oct", "2 Oct",
                                  "Oct 2 " + "9" * 30, "Oct 2, 2026 1234567890"])
def test_a_line_that_is_no_date_is_not_read_as_one(line: str) -> None:
    assert _parse_date(line, ANCHOR) is None


def test_a_count_after_the_date_can_be_refused() -> None:
    assert _parse_date("Sep 29 3", ANCHOR, allow_upvotes=False) is None
    assert _parse_date("Sep 29", ANCHOR, allow_upvotes=False) is not None


def test_feb_29_goes_back_across_a_century_that_is_not_leap() -> None:
    # 2100 is not a leap year: the latest Feb 29 on or before 2101-01-01 is in 2096.
    assert _latest_on_or_before(2, 29, date(2101, 1, 1)) == date(2096, 2, 29)
    assert _latest_on_or_before(2, 29, date(2024, 2, 29)) == date(2024, 2, 29)
    assert _latest_on_or_before(2, 29, date(2024, 2, 28)) == date(2020, 2, 29)
    assert _latest_on_or_before(13, 1, ANCHOR) is None
