"""Export: the papers a query finds, in the formats of storage/export.py."""

from __future__ import annotations

import os

from storage.files import whole_file
from storage.integrity import is_library_file
from storage.library.core import Core, guarded, safe_text
from storage.library.errors import LibraryError
from storage.library.reads import Reads


class Exporter:
    """Exports from one library, reading through `reads`."""

    def __init__(self, core: Core, reads: Reads) -> None:
        self._core = core
        self._reads = reads

    @guarded
    def export(self, query: str = "", format: str = "json",
               out: str | os.PathLike[str] | None = None) -> str:
        """Papers matching `query` as json, csv, bibtex or markdown; written to `out`
        if given, else returned."""
        from storage.export import FORMATS

        if format not in FORMATS:
            raise LibraryError(f"unknown export format {format!r} "
                               f"(choose from {', '.join(FORMATS)})")
        ids = self._reads.search(query, limit=None).ids
        papers = (paper for start in range(0, len(ids), 500)
                  for paper in self._reads.get_many(ids[start:start + 500]))
        text = FORMATS[format](papers)
        if out is not None:
            if is_library_file(self._core.path, out):
                raise LibraryError(f"{safe_text(str(out))}: is the library's own file; "
                                   f"export to another file")
            try:
                with whole_file(out) as temp:  # a full disk keeps the previous file
                    temp.write_text(text, encoding="utf-8")
            except OSError as error:
                raise LibraryError(f"{safe_text(str(out))}: cannot write "
                                   f"({error.strerror or error})") from None
        return text
