"""Text normalisation shared by import (dedupe keys) and search (fuzzy titles)."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


# ASCII letters and digits lower-cased, every other byte a space.
_ASCII_KEY = bytes(ord(chr(c).lower()) if chr(c).isalnum() else 32
                   for c in range(128)) + bytes(range(128, 256))


def normalise_title(title: str) -> str:
    """The dedupe key of a paper: two listings that print the same title with other
    casing, punctuation, spacing or Unicode forms name the same paper."""
    if title.isascii():
        # NFKC and casefold change nothing in ASCII, and a run of anything but
        # letters and digits is one space: the same key without Unicode tables or
        # a regular expression (every imported card asks for one).
        return " ".join(title.encode("ascii").translate(_ASCII_KEY).decode("ascii").split())
    return _unicode_key(title)


def _unicode_key(title: str) -> str:
    folded = unicodedata.normalize("NFKC", title).casefold()
    return _NON_WORD.sub(" ", folded).strip()
