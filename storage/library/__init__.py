"""`Library`, the one API over a Winnow SQLite file, and its errors.

The class lives in `storage.library.facade`; its parts in the sibling modules
(see that module's docstring for which part does what).
"""

from __future__ import annotations

from storage.library.backups import restore_backup
from storage.library.core import QUICK_CHECK_BELOW_BYTES, default_library_path
from storage.library.errors import (
    ImportCancelled,
    LibraryCorrupt,
    LibraryError,
    LibraryReadOnly,
    SchemaTooNew,
)
from storage.library.facade import Library
from storage.library.importing import BATCH, FIELD_CAPS, sample_listings

__all__ = [
    "BATCH",
    "FIELD_CAPS",
    "QUICK_CHECK_BELOW_BYTES",
    "ImportCancelled",
    "Library",
    "LibraryCorrupt",
    "LibraryError",
    "LibraryReadOnly",
    "SchemaTooNew",
    "default_library_path",
    "restore_backup",
    "sample_listings",
]
