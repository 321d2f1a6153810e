"""What every listing parser produces, whatever form the page arrived in.

One record type for all forms (the seeds' text layout, today's copied text, saved HTML,
Markdown from clippers, text exports, the JSON API): the import code reads these and
nothing else. Fields a form cannot carry stay None (or an empty tuple), so an import
never invents a fact; the older fields keep their positions so existing callers that
build records positionally still work.

Pure Python, stdlib only: imported by the command line and the import worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["DATE_SOURCES", "FORMS", "GROWING", "LISTS", "PLAIN", "SHORTER_SHARE", "Listing",
           "ListingError", "PaperRecord"]

# Where a record's `published` got its year: written on the card itself, or, for a
# yearless "Mar 13", the capture's own date (front matter, the API), the listing's
# date, or the file's modification time, in that order of preference.
DateSource = Literal["card", "capture", "listing", "file"]
DATE_SOURCES: tuple[str, ...] = ("card", "capture", "listing", "file")

# The forms the detector can report (storage/forms/); "seeds" is the older text layout.
FORMS: tuple[str, ...] = (
    "seeds",
    "text",
    "html",
    "markdown",
    "text-urls",
    "api",
)

# How two records of one paper merge, whether from two imports (storage/identity.py) or
# two copies of the page glued in one file (storage/forms/__init__.py):
# A text under this share of the stored abstract's length is a summary or a cut-off
# copy, never a better abstract.
SHORTER_SHARE = 0.5
# Facts that only grow: an older listing imported later must not lower them.
GROWING = ("upvotes", "github_stars", "comments")
# Facts a listing either has or not; a new non-empty value replaces the old one.
PLAIN = ("authors_count", "organization", "url", "submitted_by", "ai_summary",
         "github_repo", "project_page")
LISTS = ("authors", "ai_keywords")


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """One paper card as the listing wrote it; dedupe and storage happen elsewhere."""

    title: str
    abstract: str
    position: int
    authors_count: int | None
    organization: str | None
    published: str | None
    published_raw: str | None
    year_inferred: bool
    upvotes: int | None
    # Card facts that newer forms carry. All optional: the seeds layout has none of them.
    arxiv_id: str | None = None
    url: str | None = None
    comments: int | None = None
    authors: tuple[str, ...] = ()
    submitted_by: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    date_source: DateSource | None = None

    # A frozen dataclass sets each field through object.__setattr__ (2.3 us a record, a
    # tenth of a one-pass parser's time per card). This __init__ takes the same arguments
    # (a test holds it to the fields) and stores them as plain slot writes: the instance
    # wears an open twin's class (the same slots, so the same layout) while it is filled,
    # then its own again, frozen from then on.
    def __init__(self, title: str, abstract: str, position: int, authors_count: int | None,
                 organization: str | None, published: str | None, published_raw: str | None,
                 year_inferred: bool, upvotes: int | None, arxiv_id: str | None = None,
                 url: str | None = None, comments: int | None = None,
                 authors: tuple[str, ...] = (), submitted_by: str | None = None,
                 ai_summary: str | None = None, ai_keywords: tuple[str, ...] = (),
                 github_repo: str | None = None, github_stars: int | None = None,
                 project_page: str | None = None, date_source: DateSource | None = None
                 ) -> None:
        _OBJECT_SETATTR(self, "__class__", _Filling)
        filling: _Filling = self  # type: ignore[assignment]
        filling.title = title
        filling.abstract = abstract
        filling.position = position
        filling.authors_count = authors_count
        filling.organization = organization
        filling.published = published
        filling.published_raw = published_raw
        filling.year_inferred = year_inferred
        filling.upvotes = upvotes
        filling.arxiv_id = arxiv_id
        filling.url = url
        filling.comments = comments
        filling.authors = authors
        filling.submitted_by = submitted_by
        filling.ai_summary = ai_summary
        filling.ai_keywords = ai_keywords
        filling.github_repo = github_repo
        filling.github_stars = github_stars
        filling.project_page = project_page
        filling.date_source = date_source
        filling.__class__ = PaperRecord  # type: ignore[assignment]

    def __init_subclass__(cls, **kwargs: object) -> None:
        # The fill above assumes PaperRecord's own layout: a record is a value, not a base.
        raise TypeError("PaperRecord is not meant to be subclassed")


_OBJECT_SETATTR = object.__setattr__


class _Filling:
    """A PaperRecord while its __init__ fills it: the same slots, nothing frozen."""

    __slots__ = PaperRecord.__slots__  # type: ignore[attr-defined]


class ListingError(ValueError):
    """A listing that cannot be imported at all; the message is one line naming the file."""


@dataclass
class Listing:
    """A whole listing in memory: fine for daily pages, use ``open_listing`` for huge files."""

    name: str
    listing_date: str | None
    listing_date_raw: str | None
    records: list[PaperRecord]
    warnings: list[str]
    # Which form the detector picked (one of FORMS) and the capture's own date (ISO), when
    # the copy states one (front matter, an API response).
    form: str = "seeds"
    capture_date: str | None = None
