"""The Hugging Face JSON API: ``/api/daily_papers`` (a day, a week or a month: a list of
objects with a ``paper`` inside) and ``/api/papers/<id>`` (one paper object).

Note where the facts sit: ``upvotes`` inside ``paper``, ``numComments`` and ``submittedBy``
outside it. Dates are full ISO timestamps, so no year is ever guessed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from typing import Any

from storage.forms.base import ParsedListing
from storage.records import ListingError, PaperRecord

__all__ = ["api_listing", "cut_list", "entries_listing", "looks_like_api", "warn_cut"]


_JSON_START = re.compile(r"\s*(?:\{|\[\s*[{\]])")


def looks_like_api(head: str) -> bool:
    """An object, or a list of objects: a Markdown copy may begin with "[101](...)" too."""
    return _JSON_START.match(head) is not None


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value < 2**62:
        return value
    return None


def _day(value: Any) -> str | None:
    """The day of an ISO timestamp; None for one that is not a real day ("2026-13-45")."""
    if not isinstance(value, str) or len(value) < 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _str_or_none(value: Any) -> str | None:
    text = _text(value)
    return text or None


# The arXiv id as the other forms take it from links (cards.py `_ID`): a new-style
# id, its version dropped. Taken as it came, `2611.01234v3` made a second paper
# beside `2611.01234`, and any string ("../../x", markup) became the paper's id,
# its page address and BibTeX's eprint.
_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?")


def _arxiv_id(value: Any) -> str | None:
    match = _ARXIV_ID.fullmatch(_text(value))
    return match[1] if match else None


def _web_address(value: Any) -> str | None:
    """A link the card shows (GitHub, project page): http(s) only, as in the HTML form."""
    text = _text(value)
    return text if re.match(r"https?://[^\s/]", text) else None


def _record(entry: dict[str, Any], position: int) -> PaperRecord | None:
    paper = entry.get("paper") if isinstance(entry.get("paper"), dict) else entry
    assert isinstance(paper, dict)
    arxiv = _arxiv_id(paper.get("id"))
    title = _text(entry.get("title")) or _text(paper.get("title"))
    if not title:
        return None
    authors = tuple(
        _text(a.get("name"))
        for a in paper.get("authors") or ()
        if isinstance(a, dict) and _text(a.get("name"))
    )
    org = paper.get("organization") or entry.get("organization")
    organization = None
    if isinstance(org, dict):
        organization = _str_or_none(org.get("fullname")) or _str_or_none(org.get("name"))
    submitted = entry.get("submittedBy") or paper.get("submittedOnDailyBy")
    submitted_by = None
    if isinstance(submitted, dict):
        submitted_by = _str_or_none(submitted.get("name")) or _str_or_none(
            submitted.get("fullname"))
    published = _day(paper.get("publishedAt")) or _day(entry.get("publishedAt"))
    keywords = paper.get("ai_keywords") or ()
    github = _web_address(paper.get("githubRepo"))
    return PaperRecord(
        title=title,
        abstract=_text(paper.get("summary")) or _text(entry.get("summary")),
        position=position,
        authors_count=len(authors) if authors else None,
        organization=organization,
        published=published,
        published_raw=paper.get("publishedAt") if published else None,
        year_inferred=False,
        upvotes=_int(paper.get("upvotes")) if "upvotes" in paper else _int(entry.get("upvotes")),
        arxiv_id=arxiv,
        url=f"https://huggingface.co/papers/{arxiv}" if arxiv else None,
        comments=_int(entry.get("numComments")),
        authors=authors,
        submitted_by=submitted_by,
        ai_summary=_str_or_none(paper.get("ai_summary")),
        ai_keywords=tuple(_text(k) for k in keywords if _text(k)) if isinstance(
            keywords, list) else (),
        github_repo=github,
        github_stars=_int(paper.get("githubStars")),
        project_page=_web_address(paper.get("projectPage")),
        date_source="card" if published else None,
    )


def api_listing(text: str, *, name: str, warnings: list[str]) -> ParsedListing:
    """The entries of every JSON document in the text: one response, or several one after
    another (``cat day1.json day2.json``, JSON Lines of entries or of single papers), with
    or without blanks between them. A paper in two documents is one paper."""
    cut: list[str] = []
    commas: list[int] = []
    documents = _documents(text, name, cut, commas)
    if commas:
        warnings.append(f"{name}: entries copied out of a JSON list, with its ',' between "
                        f"them (line {commas[0]}); read as the entries")
    if cut:
        warn_cut(documents, cut[0], name, warnings)
    if len(documents) == 1:
        data = documents[0][1]
        if _single_paper(data):
            return entries_listing([data], name=name, form="api", warnings=warnings,
                                   single=True)
        if isinstance(data, list):
            return entries_listing(data, name=name, form="api", warnings=warnings)
        if _keyed_papers(data):
            # Another tool's JSON of the papers, keyed by id (attack N41): "no listing"
            # told a user holding the papers that there were none.
            raise ListingError(f"{name}: JSON from another tool (papers keyed by their ids), "
                               f"not the Daily Papers API's; fetch the days it covers "
                               f"(winnow fetch DATE) or import the page saved from the "
                               f"browser instead")
        raise ListingError(f"{name}: no Daily Papers listing found in it")
    entries: list[Any] = []
    for at, data in documents:
        if _single_paper(data):
            entries.append(data)
        elif isinstance(data, list) and (not data or any(_entry(e) for e in data)):
            entries.extend(data)
        else:
            raise ListingError(f"{name}: line {_line_of(text, at)}: a JSON document that "
                               f"is no Daily Papers listing")
    single = all(isinstance(data, dict) and "paper" not in data for _, data in documents)
    return entries_listing(entries, name=name, form="api", warnings=warnings, single=single)


def _keyed_papers(data: object) -> bool:
    """An object whose values are papers (a title and an abstract, or a link) by their ids."""
    if not isinstance(data, dict) or not data:
        return False
    values = list(data.values())[:20]
    return all(isinstance(v, dict) and "title" in v and ("abstract" in v or "url" in v)
               for v in values)


# Blanks between documents; a byte-order mark where a file saved with one was appended.
_BETWEEN = re.compile(r"[\s\ufeff]*")


def _documents(text: str, name: str, cut: list[str],
               commas: list[int] | None = None) -> list[tuple[int, Any]]:
    """Every JSON value in the text, with where it starts. A list the text ends inside (a
    download or a copy that stopped short) is its whole entries; what the copy has of the
    entry it ends inside goes into ``cut``."""
    decoder = json.JSONDecoder()
    found: list[tuple[int, Any]] = []
    commas = commas if commas is not None else []
    pos = _BETWEEN.match(text).end()  # type: ignore[union-attr]
    while pos < len(text):
        try:
            data, end = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError) as error:
            whole = cut_list(text, pos, decoder) if text[pos] == "[" else None
            if whole is not None and (whole[0] or found):
                found.append((pos, whole[0]))
                cut.append(whole[1])
                return found
            if not found:
                first = whole[1] if whole is not None else (
                    text[pos:] if _cut_short(text, error) else "")
                # A response that ends inside its first paper says so; a text that only
                # starts with "{" (no JSON after all) holds no listing in any form.
                raise ListingError(_cut_first(first, name) or
                                   f"{name}: no Daily Papers listing found in it") from None
            what = ("a JSON document cut off or malformed" if text[pos] in "[{"
                    else "text that is no JSON")
            raise ListingError(f"{name}: line {_line_of(text, pos)}: {what}") from None
        found.append((pos, data))
        pos = _BETWEEN.match(text, end).end()  # type: ignore[union-attr]
        if pos < len(text) and text[pos] == "," and isinstance(data, dict):
            # Entries copied out of a response's list keep its "," between and after
            # them (attack N34: refused whole as "text that is no JSON").
            commas.append(_line_of(text, pos))
            pos = _BETWEEN.match(text, pos + 1).end()  # type: ignore[union-attr]
    return found


def cut_list(text: str, pos: int, decoder: json.JSONDecoder) -> tuple[list[Any], str] | None:
    """The whole entries of the list at ``pos`` when the text ends inside it, and the text
    of the entry it ends inside ("" when it ends between entries); None when the list is
    malformed, not cut."""
    entries: list[Any] = []
    i = _BETWEEN.match(text, pos + 1).end()  # type: ignore[union-attr]
    while i < len(text):
        try:
            value, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as error:
            # Cut: the text ends inside a string, or before what had to come next.
            # ("fa" of "false": a literal cut short is no value yet.)
            ends = (error.msg.startswith("Unterminated string")
                    or error.pos >= len(text.rstrip())
                    or _cut_literal(text, error.pos))
            return (entries, text[i:]) if ends else None
        except (ValueError, RecursionError):
            return None
        entries.append(value)
        i = _BETWEEN.match(text, end).end()  # type: ignore[union-attr]
        if i < len(text) and text[i] == ",":
            i = _BETWEEN.match(text, i + 1).end()  # type: ignore[union-attr]
        elif i < len(text):
            return None  # "]" (then the list was not cut) or anything else
    return entries, ""


def _cut_short(text: str, error: ValueError | RecursionError) -> bool:
    """The decoding failed because the text ends before the value does."""
    return isinstance(error, json.JSONDecodeError) and (
        error.msg.startswith("Unterminated string") or error.pos >= len(text.rstrip())
        or _cut_literal(text, error.pos))


def _cut_first(rest: str, name: str) -> str | None:
    """What to say of a response that ends inside its first paper (``rest``: its text),
    or None when ``rest`` is no paper's start."""
    if not rest or ('"paper"' not in rest[:400] and _CUT_ID.search(rest, 0, 400) is None):
        return None
    found = _CUT_TITLE.search(rest)
    title = _cut_title(found[1]) if found is not None else ""
    if title:
        return f'{name}: the copy ends inside the card "{_short(title)}"; skipped'
    return f"{name}: the copy ends inside its first card, before its title; nothing to import"


def _cut_title(raw: str) -> str:
    try:
        return _text(json.loads(f'"{raw}"'))
    except ValueError:
        return _text(raw.rstrip("\\"))


def _cut_literal(text: str, pos: int) -> bool:
    """The text ends at ``pos`` with the start of ``true``, ``false`` or ``null``."""
    tail = text[pos:pos + 8].rstrip()
    return bool(tail) and pos + 8 >= len(text) and any(
        word.startswith(tail) for word in ("true", "false", "null"))


_CUT_TITLE = re.compile(r'"title"\s*:\s*"((?:[^"\\]|\\.)*)("?)')
_CUT_ID = re.compile(r'"id"\s*:\s*"(\d{4}\.\d{4,5})"')


def warn_cut(documents: list[tuple[int, Any]], rest: str, name: str,
              warnings: list[str]) -> None:
    """Name the entry a cut response ends inside, as the other forms name a cut card."""
    before = ""
    for _, data in documents:
        for entry in data if isinstance(data, list) else [data]:
            if isinstance(entry, dict):
                paper = entry.get("paper") if isinstance(entry.get("paper"), dict) else entry
                before = _text(entry.get("title")) or _text(paper.get("title")) or before
    found = _CUT_TITLE.search(rest)
    if found is not None:
        title = _cut_title(found[1])
        if title:
            warnings.append(f'{name}: the copy ends inside the card "{_short(title)}"; skipped')
            return
    if rest.strip():
        arxiv = _CUT_ID.search(rest)
        known = f" (arXiv {arxiv[1]})" if arxiv else ""
        warnings.append(f'{name}: the copy ends inside a card after "{_short(before)}"'
                        f"{known}; its title is cut off")
    else:
        warnings.append(f'{name}: the copy ends after "{_short(before)}" before its list '
                        f"does; whatever followed is cut off")


def _short(title: str) -> str:
    return title if len(title) <= 80 else title[:79].rstrip() + "…"


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _single_paper(data: Any) -> bool:
    """One ``/api/papers/<id>`` object, or one entry of a daily list (a JSON Lines row)."""
    return isinstance(data, dict) and isinstance(data.get("paper"), dict | None) and (
        "id" in data or "paper" in data)


def _entry(value: Any) -> bool:
    return isinstance(value, dict) and (isinstance(value.get("paper"), dict)
                                        or "id" in value or "title" in value)


def entries_listing(entries: list[Any], *, name: str, form: str, warnings: list[str],
                    single: bool = False, listing_date: str | None = None) -> ParsedListing:
    """Records from the API's entries (also what a saved page carries in ``data-props``).

    ``listing_date``: the day the page says it lists; else the one day all entries were
    listed on, if they share one (a week's or a month's response has none)."""
    records: list[PaperRecord] = []
    seen: set[str] = set()
    days: Counter[str] = Counter()
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        paper = entry.get("paper") if isinstance(entry.get("paper"), dict) else entry
        if not isinstance(paper, dict) or not (paper.get("id") or paper.get("title")):
            continue
        if not (paper.get("summary") or paper.get("title")):
            continue
        record = _record(entry, len(records) + 1)
        if record is None:
            continue
        key = record.arxiv_id or record.title
        if key in seen:
            continue
        seen.add(key)
        records.append(record)
        # The day it was listed: submittedOnDailyAt. The entry's own publishedAt is the
        # arXiv time in real responses (a week before, or another day each: attack N35).
        day = (_day(paper.get("submittedOnDailyAt")) or _day(entry.get("submittedOnDailyAt"))
               or _day(entry.get("publishedAt")))
        if day:
            days[day] += 1
    if not records:
        raise ListingError(f"{name}: no Daily Papers listing found in it")
    if listing_date is None and len(days) == 1 and not single:
        listing_date = next(iter(days))
    return ParsedListing(records, name=name, form=form, warnings=warnings,
                         listing_date=listing_date, listing_date_raw=listing_date)
