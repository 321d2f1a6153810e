"""Winnow's store: listings in, papers out. Plain Python and SQLite; never imports Qt."""

from __future__ import annotations

from storage.library import (
    ImportCancelled,
    Library,
    LibraryCorrupt,
    LibraryError,
    LibraryReadOnly,
    SchemaTooNew,
    default_library_path,
    restore_backup,
    sample_listings,
)
from storage.listing import ListingError
from storage.models import (
    Annotation,
    Change,
    FileReport,
    ImportReport,
    Paper,
    PaperRow,
    PipedListing,
)

__all__ = [
    "Annotation",
    "Change",
    "FileReport",
    "ImportCancelled",
    "ImportReport",
    "Library",
    "LibraryCorrupt",
    "LibraryError",
    "LibraryReadOnly",
    "ListingError",
    "Paper",
    "PaperRow",
    "PipedListing",
    "SchemaTooNew",
    "default_library_path",
    "restore_backup",
    "sample_listings",
]
