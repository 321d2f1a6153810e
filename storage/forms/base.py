"""What a parser of a whole-text form hands back: the same face as the streaming seeds
parser (iterate it for records; ``listing_date``, ``warnings``, ``form``...), so the import
code reads every form the same way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from storage.records import PaperRecord

__all__ = ["ParsedListing", "anchor_date", "today"]


def today() -> date:
    return date.today()


def anchor_date(
    capture: str | None, listing: str | None, reference: date | None
) -> tuple[date, str]:
    """The day a yearless card date may not be after, and which fact gave it.

    The capture's own date first (front matter, an API response), then the listing's date,
    then the file's time; never a day after today, so no date lands in the future.
    """
    now = today()
    for value, source in ((capture, "capture"), (listing, "listing")):
        if value:
            try:
                return min(date.fromisoformat(value), now), source
            except ValueError:
                continue
    return min(reference or now, now), "file"


class ParsedListing:
    """A listing parsed whole (HTML, JSON, Markdown, today's copied text)."""

    def __init__(
        self,
        records: list[PaperRecord],
        *,
        name: str,
        form: str,
        warnings: list[str],
        listing_date: str | None = None,
        listing_date_raw: str | None = None,
        capture_date: str | None = None,
    ) -> None:
        self.name = name
        self.form = form
        self.records = records
        self.warnings = warnings
        self.listing_date = listing_date
        self.listing_date_raw = listing_date_raw
        self.capture_date = capture_date
        # sha256 of the file's bytes when opened by open_listing; None for other text.
        self.sha256: str | None = None
        self._iter = iter(records)

    def __iter__(self) -> Iterator[PaperRecord]:
        return self

    def __next__(self) -> PaperRecord:
        return next(self._iter)

    def close(self) -> None:
        self._iter = iter(())

    def __enter__(self) -> ParsedListing:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
