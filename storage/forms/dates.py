"""Card dates as the page prints them ("Mar 13", "Mar 8, 2024") and how a yearless one
gets its year: the latest such day not after an anchor (the capture's date, the listing's
date or the file's time), so a date never lands in the future."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Listings write "Dec 9"; full names and "Sept" cost nothing to accept as well.
_MONTHS = {
    **{full: number for number, full in enumerate(_MONTH_NAMES, start=1)},
    **{full[:3]: number for number, full in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_MAX_DAY = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# Used with fullmatch and free of nested quantifiers, so a hostile line cannot make it
# backtrack. Digit counts are capped so an upvote count always fits a 64-bit SQLite integer.
# A year needs its comma ("Jun 16, 2020"), as on the site: "Jun 16 2020" is 2020 upvotes.
_DATE_RE = re.compile(
    r"(?P<raw>(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<day>[0-9]{1,2})(?:,\s*(?P<year>[0-9]{4}))?)"
    r"(?:\s+(?P<up>[0-9]{1,9}))?"
)
_DATE_MAX_LEN = 32
@dataclass(frozen=True, slots=True)
class _DateLine:
    published: str | None
    raw: str
    year_inferred: bool
    upvotes: int | None
    valid: bool


def _latest_on_or_before(month: int, day: int, anchor: date) -> date | None:
    """The latest ``month``/``day`` not after ``anchor``: how a yearless date is read."""
    if not 1 <= month <= 12 or not 1 <= day <= _MAX_DAY[month]:
        return None
    # Feb 29 may need to go back up to eight years (across a non-leap century year).
    for year in range(anchor.year, max(anchor.year - 9, 0), -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= anchor:
            return candidate
    return None


def _parse_date(text: str, anchor: date, *, allow_upvotes: bool = True) -> _DateLine | None:
    """Read ``Oct 28, 2024 2`` / ``Jun 16`` ...; None when the line is not date-shaped."""
    if len(text) > _DATE_MAX_LEN or not text[0].isalpha():
        return None
    m = _DATE_RE.fullmatch(text)
    if m is None:
        return None
    month = _MONTHS.get(m["mon"].lower())
    if month is None:
        return None
    if m["up"] is not None and not allow_upvotes:
        return None
    day = int(m["day"])
    upvotes = int(m["up"]) if m["up"] is not None else None
    raw = m["raw"]
    if m["year"] is not None:
        try:
            when: date | None = date(int(m["year"]), month, day)
        except ValueError:
            when = None
        inferred = False
    else:
        when = _latest_on_or_before(month, day, anchor)
        inferred = when is not None
    published = when.isoformat() if when is not None else None
    return _DateLine(published, raw, inferred, upvotes, when is not None)
