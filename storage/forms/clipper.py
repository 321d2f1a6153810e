"""A note-taking clipper's Markdown of the page (Obsidian-style: bare ``###`` titles, the
upvote count linked to the login page, "Submitted by" and an avatar, abstracts broken
with backslashes or two trailing spaces, ``\\_`` and ``\\[`` escapes, avatar rows), read in
one pass: card after card, two regular expressions around the abstract's paragraph.

One card of such a copy::

    [101](https://huggingface.co/login?next=%2Fpapers%2F2606.00683)

    Submitted by

    ![](https://huggingface.co/avatars/akhaliq.svg)

    akhaliq

    ### Lattice-KV: Compressing the Key-Value Cache

    Serving long-context language models is bounded by the memory of the cache.\\
    We introduce Lattice-KV, ...

    [![](https://cdn-avatars.huggingface.co/nvidia.png)NVIDIA](https://huggingface.co/nvidia)

    ·

    Oct 1

(or a row of avatars and ``4 authors`` for a card without an organisation). The texts are
read with the general reader's own functions (storage/forms/markdown.py, cards.py); a copy
it is not sure of goes to that reader whole, and its test holds the two to the same
records on the fixture and on cut and mutated copies of it.
"""

from __future__ import annotations

import html
import re
from datetime import date

from storage.forms.base import ParsedListing
from storage.forms.cards import (
    _CHROME,
    _NOT_HANDLES,
    K_TEXT,
    _Card,
    _kind,
    _org_name,
)
from storage.forms.markdown import _BARE_URL, _balance, _cut_here, _plain, _structural
from storage.forms.onepass import Probe, collapse, dated, inline_text, read_cards

__all__ = ["clipper_listing"]

_ID = r"[0-9]{4}\.[0-9]{4,5}"
_IMG = r"!\[\]\([^()\s\[\]]*\)"
# From the upvote count to the blank line after the title (a long title may be split
# over two heading lines).
_HEAD = re.compile(
    r"\n*\[(?P<up>-|[0-9]{1,9})\]\(https://huggingface\.co/login\?next=%2Fpapers%2F"
    r"(?P<id>" + _ID + r")\)\n\n"
    r"(?:Submitted by\n\n(?:" + _IMG + r"\n\n)?(?P<user>[^\n\[\]!#·\\&<]+)\n\n)?"
    r"### (?P<title>[^\n]+)\n(?:### (?P<title2>[^\n]+)\n)?\n"
)
_FIRST = re.compile(r"^\[(?:-|[0-9]{1,9})\]\(https://huggingface\.co/login\?next=%2Fpapers"
                    r"%2F" + _ID + r"\)\n\n(?:Submitted by\n\n|### )", re.MULTILINE)
# From the blank line after the abstract to the end of the date line.
_TAIL = re.compile(
    r"\n\n"
    r"(?:\[" + _IMG + r"(?P<org>[^\[\]\n\\]+)\]\(https://huggingface\.co/"
    r"(?P<handle>[A-Za-z0-9][\w.-]*)\)"
    r"|" + _IMG + r"(?: " + _IMG + r")*\n\n(?P<n>[0-9]{1,6}) authors?)\n\n"
    r"·\n\n"
    r"(?P<date>[A-Za-z]{3,9} [0-9]{1,2}(?:, [0-9]{4})?)\n\n"
)


def clipper_listing(text: str, *, name: str, reference: date | None,
                    warnings: list[str], probe: Probe | None = None) -> ParsedListing | None:
    """The listing, or None when the copy is not the regular shape (read it generally)."""
    return read_cards(text, _FIRST, _read, name=name, reference=reference,
                      warnings=warnings, probe=probe)


def _read(text: str, pos: int, before: _Card | None) -> tuple[_Card | None, int] | None:
    head = _HEAD.match(text, pos)
    if head is None:
        return None  # the cards are over; the footer is read as the general reader does
    start = head.end()
    end = text.find("\n\n", start)
    tail = _TAIL.match(text, end) if end > start else None
    if tail is None:
        return None, 0
    up, pid, user, raw, raw2 = head.groups()
    title = _title(raw, raw2)
    abstract = _paragraph(text[start:end])
    if title is None or abstract is None:
        return None, 0
    card = _Card(title=title, title_at=0, canonical=True, heading=True)
    card.arxiv_id = pid
    card.upvotes = 0 if up == "-" else int(up)
    if user is not None:
        name = user if _handle(user) else _paragraph(user)  # a line of its own
        if name is None or len(name) >= 64 or _kind(name)[0] != K_TEXT:
            return None, 0
        card.submitted_by = name
    card.texts = [abstract]
    org_raw, handle, n, day = tail.groups()
    if n is not None:
        card.authors_count = int(n)
    else:
        org = _plain(org_raw)
        if not org or handle.lower() in _NOT_HANDLES or _kind(org)[0] != K_TEXT or "·" in org:
            return None, 0
        card.organization = _org_name(org)
    if not dated(card, day, None):
        return None, 0
    return card, tail.end()


def _title(raw: str, raw2: str | None) -> str | None:
    """The heading's text as the general reader makes it (a title split over two heading
    lines joined), or None when it would read it another way (a link in it, chrome)."""
    parts = []
    for part in (raw, raw2):
        if part is None:
            continue
        s = part.strip().rstrip("#").strip()
        if not s or _balance(s) > 0:
            return None  # no title, or a link over several lines: the general reader
        text = inline_text(s)
        if not text or _kind(text)[0] != K_TEXT:
            return None
        if len(text) < 24 and text.lower() in _CHROME:
            return None
        parts.append(text)
    # _clean_title of a text whose blanks are collapsed already.
    return (parts[0] if len(parts) == 1 else " ".join(parts)).rstrip("\\").strip()


def _handle(user: str) -> bool:
    """A user name as the site makes them ("akhaliq", "j-doe_2"): a paragraph of one word
    that no rule of the general reader's changes."""
    return (user.isascii() and user[:1].isalpha()
            and user.replace("-", "").replace("_", "").isalnum())


def _paragraph(block: str, *, urls: bool = False) -> str | None:
    """The abstract's lines joined as the general reader joins a paragraph, or None when
    one of them would start another item there, or its first line opens a link the
    general reader would run on over the lines after it (a "[" left open). ``urls``: a
    line that is only a URL goes on with the paragraph (Markdown's reading of
    "available at" / "https://...")."""
    if "\n" not in block:  # one line, the common case: no list to split and join
        s = block.strip()
        if not s or _starts_item(s):
            return None
        if "[" in s or "]" in s or "\\" in s:
            if _balance(s) > 0:
                return None
            # A closing backslash is a hard break: a space, as the general reader makes it.
            text = inline_text(s.rstrip("\\") if s[-1] == "\\" else s)
        else:  # plain text (inline_text's own shortcut, without its searches again)
            text = collapse(html.unescape(s) if "&" in s else s)
    else:
        lines = block.split("\n")
        for k, line in enumerate(lines):
            s = line.strip()
            if not s:
                return None
            if urls and k and s[0] == "h" and _BARE_URL.fullmatch(s):
                lines[k] = s
                continue
            if _starts_item(s) or (k == 0 and _balance(s) > 0):
                return None
            lines[k] = s.rstrip("\\") if s[-1] == "\\" else s
        text = inline_text(" ".join(lines))
    if (text is None or (not text.isascii() and "·" in text)
            or (len(text) < 80 and _kind(text)[0] != K_TEXT)):
        return None
    return text


def _starts_item(s: str) -> bool:
    """A line (stripped, not empty) that starts an item of its own in the general reader:
    it never goes on with a paragraph, nor begins one."""
    c = s[0]
    return (c in _STARTS_ITEM or (c in "-*+" and (len(s) == 1 or s[1] in " -*"))
            or (c == "h" and s.startswith(("http://", "https://")))
            or (c in "cC" and _cut_here(s)) or (len(s) <= 32 and _structural(s)))


# First characters of a line that is not a paragraph's (see markdown._structural and
# markdown._scan): a heading, a link or image, a quote, a table, the card meta, an HTML
# anchor, a fence.
_STARTS_ITEM = frozenset("#[!>|·•<`")


