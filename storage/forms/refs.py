"""A text browser's dump of the page as Markdown (reference links whose definitions are
missing, link brackets over several lines, abstracts hard-wrapped at ~120 columns), read
in one pass: card after card, two regular expressions around a search for the abstract's
end.

One card of such a dump::

    [
    101
    ][31]

    ### [Lattice-KV: Compressing the Key-Value Cache][32]

    [

    Serving long-context language models is bounded by the memory of the key-value
    cache, which grows linearly with sequence length. ...

    ][33]
    [
    * 4 authors
    ][34]
    ·
    Oct 1 [ 6][35]

(or ``[[microsoft] Microsoft][34]`` for an organisation). Every part is read with the
general reader's own functions (storage/forms/markdown.py, cards.py); a dump it is not sure
of (definitions present, a bracket in an abstract, an organisation it would read as text, a
cut card) goes to that reader whole. Its test holds the two to the same records on the
fixtures and on cut and mutated copies of them.
"""

from __future__ import annotations

import re
from datetime import date

from storage.forms.base import ParsedListing
from storage.forms.cards import (
    _CHROME,
    K_AUTH,
    K_TEXT,
    _Card,
    _kind,
    _org_name,
)
from storage.forms.markdown import _plain, _structural
from storage.forms.onepass import Probe, abstract_text, dated, read_cards

__all__ = ["refs_listing"]

_REF = r"\]\[[0-9]{1,9}\]"  # "][31]": a reference whose definition the dump left out
# From the upvote count to the abstract's opening bracket.
_HEAD = re.compile(
    r"\n*\[\n(?P<up>-|[0-9]{1,9})\n" + _REF + r"\n\n"
    r"### \[(?P<title>[^\[\]\n\\]+)" + _REF + r"\n\n"
    r"\[\n"
)
_FIRST = re.compile(r"^\[\n(?:-|[0-9]{1,9})\n" + _REF + r"\n\n### \[", re.MULTILINE)
# From the abstract's closing bracket to the end of the date line.
_TAIL = re.compile(
    _REF + r"\n"
    r"(?:\[\n(?P<authors>[^\[\]\n]*)\n" + _REF + r"|\[(?P<org>\[[^\[\]\n]*\][^\[\]\n\\]*)"
    + _REF + r")\n"
    r"·\n"
    r"(?P<date>[A-Za-z]{3,9} [0-9]{1,2}(?:, [0-9]{4})?)"
    r"(?: \[ (?P<c>[0-9]{1,9})" + _REF + r")?\n"
)
# A link's text over more lines than this is cut there by the general reader.
_MAX_LINES = 390


def refs_listing(text: str, *, name: str, reference: date | None,
                 warnings: list[str], probe: Probe | None = None) -> ParsedListing | None:
    """The listing, or None when the dump is not the regular shape (read it generally)."""
    return read_cards(text, _FIRST, _read, name=name, reference=reference,
                      warnings=warnings, probe=probe)


def _read(text: str, pos: int, before: _Card | None) -> tuple[_Card | None, int] | None:
    head = _HEAD.match(text, pos)
    if head is None:
        # No card starts here: the line after the last card's date must not run on
        # into it as the general reader reads a paragraph.
        nl = text.find("\n", pos)
        line = text[pos:] if nl < 0 else text[pos:nl]
        return None if _structural(line.strip()) else (None, 0)
    start = head.end()
    end = text.find("]", start)
    if end < 0:
        return None, 0
    inner = text[start:end]
    tail = _TAIL.match(text, end)
    if tail is None or inner.count("\n") > _MAX_LINES:
        return None, 0
    up, raw = head.groups()
    authors, org_raw, day, comments = tail.groups()
    # _clean_title of a text whose blanks _plain collapsed already.
    card = _Card(title=_plain(raw).rstrip("\\").strip(), title_at=0, canonical=True,
                 heading=True)
    title = card.title
    if not title or (len(title) < 24 and title.lower() in _CHROME):
        return None, 0
    card.upvotes = 0 if up == "-" else int(up)
    abstract = abstract_text(inner)
    if not abstract or "·" in abstract or (len(abstract) < 80 and _kind(abstract)[0] != K_TEXT):
        return None, 0
    card.texts = [abstract]
    if authors is not None:
        kind, value = _kind(_plain(authors))
        if kind != K_AUTH:
            return None, 0
        card.authors_count = value  # type: ignore[assignment]
    else:
        org = _plain(org_raw)
        if (_kind(org)[0] != K_TEXT or "·" in org or len(org) > 100 or org.endswith(".")
                or not _org_name(org)):
            return None, 0
        card.organization = _org_name(org)
    if not dated(card, day if comments is None else f"{day} {comments}", comments):
        return None, 0
    return card, tail.end()
