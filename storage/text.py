"""Text normalisation shared by import (dedupe keys) and search (fuzzy titles)."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_title(title: str) -> str:
    """The dedupe key of a paper: two listings that print the same title with other
    casing, punctuation, spacing or Unicode forms name the same paper."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return _NON_WORD.sub(" ", folded).strip()
