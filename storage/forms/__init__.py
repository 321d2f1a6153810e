"""Every form the Daily Papers page arrives in, and the one detector that picks among them.

=============  ==============================================================  ===========
form           what it is                                                      parser
=============  ==============================================================  ===========
``seeds``      the older text layout of the sample files (streams)             seeds.py
``text``       today's page copied as text (select all, copy, paste)           cards.py
``html``       the browser's "Save Page As"                                    html.py
``markdown``   Markdown from clippers and scrapers (firecrawl, Obsidian...)    markdown.py
``text-urls``  text exports with each link's URL on its own line               markdown.py
``api``        ``/api/daily_papers`` JSON (a day, a week, a month) or one
               ``/api/papers/<id>``                                            api.py
``dump``       the saved page as a text browser renders it (lynx -dump,
               pandoc -t plain; w3m, links, html2text are refused)             dumps.py
=============  ==============================================================  ===========

The detector reads the content, never the file name: a Markdown copy saved as ``.txt`` is
still Markdown. A text that holds no listing in any form is refused with one line.
"""

from __future__ import annotations

import email
import email.policy
import gc
import itertools
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

from storage.forms.api import api_listing, entries_listing, looks_like_api, warn_cut
from storage.forms.base import ParsedListing
from storage.forms.cards import assemble
from storage.forms.clipper import clipper_listing
from storage.forms.copies import Copy, foreign_start, holds_card, other_marks, split_copies
from storage.forms.dumps import dump_tool, undumped
from storage.forms.extraction import extraction_listing
from storage.forms.html import (
    PageProps,
    cut_page_props,
    html_items,
    looks_like_html,
    page_props,
    rendered_note,
)
from storage.forms.markdown import markdown_items, plain_items
from storage.forms.onepass import Probe
from storage.forms.refs import refs_listing
from storage.forms.scraper import scraper_listing
from storage.forms.seeds import ListingStream
from storage.forms.text import text_listing
from storage.forms.trending import trending_listing
from storage.forms.unwrap import unwrapped_markdown
from storage.forms.urls import urls_listing
from storage.records import GROWING, LISTS, PLAIN, SHORTER_SHARE, ListingError, PaperRecord
from storage.text import normalise_title

__all__ = [
    "HEAD_CHARS", "HEAD_LINES", "ParsedListing", "detect", "open_blocks", "open_form",
    "parse_form",
]

# Detection reads at most this much of the start of a text: a bounded look-ahead, so the
# seeds' layout still streams (and a caller's endless line source is not drained).
HEAD_CHARS = 64 * 1024
HEAD_LINES = 400

# Markdown of the page: links to the site (inline or by reference) and "###" card titles.
# Any other Markdown-looking text (a "[click](javascript:...)" title) is no reason.
_MD_LINK = re.compile(r"\]\((?:https?://(?:www\.)?huggingface\.co)?/|\]\[\d+\]|^#{3} ",
                      re.MULTILINE)
_MD_HEADING_FIRST = re.compile(r"\s*#{1,6}[ \t]+\S")
_URL_LINE = re.compile(r"^\s*<?https?://\S+>?\s*$", re.MULTILINE)
# Today's page as plain text: the upvote count alone on a line ("101", "-"), "N authors"
# without the seeds' bullet, "Submitted by", "Upvote", "GitHub 11.3k", "· Published on",
# and the Daily / Weekly / Monthly tabs the older page did not have.
_TODAY = re.compile(
    r"^[ \t]*(?:-|[0-9]{1,7}|[0-9]{1,6} authors?|Submitted by.*|Upvote|GitHub [0-9.,]+[kKmM]?|"
    r"Daily|Weekly|Monthly|Trending Papers|"
    r"arXiv Page|·[ \t]*(?:Published on )?[A-Z][a-z]{2,8}\.? [0-9]{1,2}(?:, [0-9]{4})?.*)"
    r"[ \t]*$",
    re.MULTILINE,
)
_SEEDS = re.compile(
    r"^[ \t]*•[ \t]*[0-9]{1,6} authors?[ \t]*$|"
    r"^[ \t]*[A-Z][a-z]{2,8}\.? [0-9]{1,2}(?:, [0-9]{4})? [0-9]{1,9}$",
    re.MULTILINE,
)


# No-break spaces (U+00A0, U+202F) where a copy has spaces: some browsers copy the page's
# text that way, and its chrome, counts and "Submitted by" must still read as such.


def _nbsp_for_spaces(head: str) -> bool:
    """The copy writes its spaces as no-break spaces (not an abstract's odd one)."""
    if "\xa0" not in head and "\u202f" not in head:
        return False
    found = head.count("\xa0") + head.count("\u202f")
    return found >= 3 and found * 20 >= head.count(" ")


def _spaces(text: str) -> str:
    """No-break spaces as spaces: what the parsers read in such a copy."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


# Characters that show nothing, which web pages, Word and Google Docs exports and copy tools
# put into text: zero-width spaces, word joiners, soft hyphens. Inside "Submitted",
# "authors" or a month they hid a card's facts; on a line of their own it was no blank
# line. They are taken out before anything is read (titles and abstracts too: invisible
# there, and a title with one was another paper than the same title without).
_INVISIBLE = ("\u200b", "\u2060", "\xad")
# Bidi marks at the edges of a line (copied around right-to-left text): "\u200e142" is no
# count. Inside a line they stay: there they place a right-to-left title's words.
_EDGE_MARKS = re.compile(r"^[\u200e\u200f]+|[\u200e\u200f]+$", re.MULTILINE)


def _visible(text: str) -> str:
    """``text`` without the invisible characters (an ASCII text, the common case, is
    told at once)."""
    if text.isascii():
        return text
    for char in _INVISIBLE:
        if char in text:
            text = text.replace(char, "")
    if "\u200e" in text or "\u200f" in text:
        text = _EDGE_MARKS.sub("", text)
    return text


# "Save as: Webpage, Single File" (Chrome, Edge): the page inside a MIME message (.mhtml),
# its HTML quoted-printable. Read with the standard library's MIME parser.
# Chrome writes "From: <Saved by Blink>" first; other savers (and Python's email package)
# begin with the message's Content-Type (attack N31: refused, later read as 5 of 15).
_MHTML_STARTS = ("From:", "MIME-Version:", "Snapshot-Content-Location:", "Subject:", "Date:",
                 "Content-Type:")


def _looks_like_mhtml(head: str) -> bool:
    top = head[:4096]
    return top.lstrip().startswith(_MHTML_STARTS) and "multipart/related" in top.lower()


def _mhtml_page(text: str) -> str | None:
    """The HTML part of a single-file page, decoded; None when it has none."""
    message = email.message_from_string(text, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                # The part often names no charset; the page itself is UTF-8.
                charset = part.get_content_charset() or "utf-8"
                try:
                    return payload.decode(charset, errors="replace")
                except LookupError:
                    return payload.decode("utf-8", errors="replace")
    return None


# Marks of today's text page a Markdown copy cut in its head may show ("-" for an empty
# count); more are a text page's cards.
_TODAY_UNDER_HEADING = 2


def detect(head: str) -> str:
    """The form of a text, judged from its first ``HEAD_CHARS`` characters."""
    head = head[:HEAD_CHARS]
    if _looks_like_mhtml(head):
        return "html"
    if looks_like_api(head):
        return "api"
    if looks_like_html(head):
        return "html"
    if dump_tool(head) is not None:
        return "dump"
    md = len(_MD_LINK.findall(head))
    urls = len(_URL_LINE.findall(head))
    if urls >= 3 and urls >= md:
        return "text-urls"
    if md >= 2:
        return "markdown"
    today = len(_TODAY.findall(head))
    seeds = len(_SEEDS.findall(head))
    # A Markdown heading first and no mark of the older layout: a Markdown copy (cut short,
    # say), whose "# Title" / "- URL: ..." the seeds' reader would take for a paper. Not
    # where today's text page follows it: a note's "# My papers" above a select-all copy.
    if not seeds and today <= _TODAY_UNDER_HEADING and _MD_HEADING_FIRST.match(head):
        return "markdown"
    # One mark of today's page and none of the older one: a copy of today's page (cut in
    # its head, say), which the seeds' reader would read chrome from as a paper.
    if (today >= 2 and today > seeds) or (today and not seeds):
        return "text"
    return "seeds"


def parse_form(text: str, form: str, *, name: str, reference: date | None,
               warnings: list[str] | None = None, one_pass: bool = True) -> ParsedListing:
    """Parse a whole text of a known form (every form but the streaming seeds).
    ``one_pass``: False when the one-pass readers declined this text already."""
    warnings = warnings if warnings is not None else []
    if "\ufeff" in text:
        # A copy saved with a byte-order mark, appended to another (`cat a.md b.md`).
        text = text.replace("\ufeff", "")
    with _collector_paused():
        return _parse_form(text, form, name=name, reference=reference, warnings=warnings,
                           one_pass=one_pass)


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A page becomes hundreds of thousands of small objects, none in a reference cycle: the
    # cyclic collector walking them again and again cost a third of the parse.
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _parse_joined(parts: Iterable[str], form: str, *, name: str, reference: date | None,
                  warnings: list[str] | None) -> ParsedListing:
    """Parse the text the parts make, joined by line ends (a page in any form but the
    streaming seeds)."""
    with _collector_paused():
        text = "\n".join(parts)
    # isspace() stops at the first character that is not a blank; strip() would copy a
    # whole page (50 MB for 20k trending cards) to find out.
    if not text or text.isspace():
        raise ListingError(f"{name}: no papers found")
    warnings = warnings if warnings is not None else []
    tried = False
    if form in _ONE_PASS and "\ufeff" not in text:
        # A one-pass reader first: the cards it matched, when they hold no sign of another
        # copy, are left out of the search for glued copies (a twentieth of a big trending
        # page's parse). Its listing is the text's when the text is one copy; else each
        # copy is read on its own below, as before.
        mine = len(warnings)
        probe = Probe()
        try:
            with _collector_paused():
                fast, _ = _one_pass(text, form, name=name, reference=reference,
                                    warnings=warnings, probe=probe)
        except ListingError:
            fast = None  # read again below, where a glued copy may be readable on its own
        else:
            tried = fast is None
        if fast is not None:
            copies = split_copies(text, quiet=probe.span if probe.text is text else None)
            if len(copies) < 2:
                return fast
        del warnings[mine:]
    glued = _parse_copies(text, form, name=name, reference=reference, warnings=warnings)
    if glued is not None:
        return glued
    # (Where the one-pass readers all declined this very text, they are not asked again.)
    return parse_form(text, form, name=name, reference=reference, warnings=warnings,
                      one_pass=not tried)


# Where a text that begins with its JSON has its first bracket.
_JSON_LEAD = re.compile(r"[ \t\r\n\ufeff]*")


def _parse_copies(text: str, form: str, *, name: str, reference: date | None,
                  warnings: list[str], line_base: int = 0) -> ParsedListing | None:
    """Copies of the page glued in one text, each read on its own and merged as two files
    would be (a paper in both, once); None when the text is one copy (attack F26).
    ``line_base``: the lines before ``text`` in its file, for the warnings."""
    if form == "html" and _looks_like_mhtml(text):
        return None  # one page in a MIME message; its markup is quoted-printable
    if form == "api" and text[_JSON_LEAD.match(text).end()] in "{[" and not other_marks(text):  # type: ignore[union-attr]
        # JSON and nothing after it that begins a copy: the API's reader decodes it once
        # (finding where a 36 MB response ends cost a second full decode). A note above
        # the JSON is a preamble, left out by the splitter.
        return None
    copies = split_copies(text)
    if len(copies) < 2:
        if not copies[0].lead or form not in _NO_PREAMBLE:
            return None  # the text's reader takes a preamble as a page's head
        # One copy under a preamble, in a form whose reader cannot take one.
        return _parse_part(_unpreambled(copies[0], form), form, name=name,
                           reference=reference, warnings=warnings)
    # Copies of one shape too (two days' pages from one tool): each read alone, as its file
    # would be, so that a copy cut short keeps no other copy's cards from being read.
    forms = [detect(copy.text[copy.lead:]) for copy in copies]
    copies[0] = replace(copies[0], text=_unpreambled(copies[0], forms[0]))
    parsed: list[ParsedListing] = []
    before = len(warnings)
    unread_head = False
    for index, (part, copy) in enumerate(zip(forms, copies, strict=True)):
        mine = len(warnings)
        try:
            parsed.append(_parse_part(copy.text, part, name=name, reference=reference,
                                      warnings=warnings))
        except ListingError:
            # A copy that was not read says so in one line, not in its reader's words.
            del warnings[mine:]
            if index == 0:
                # Text before the first copy that holds no listing (a README's or a
                # note's lines the page was pasted under): said below, if a copy is read.
                unread_head = True
                continue
            line = line_base + text.count("\n", 0, copy.start) + 1
            warnings.append(
                f"{name}: line {line} begins another copy of the page that could not be read "
                f"on its own; its papers may be missing (import that copy as a file of its own)")
    if not parsed:
        return None  # the first copy's own reader says what is wrong with the text
    if unread_head:
        last = line_base + text.count("\n", 0, copies[1].start)
        warnings.insert(before, f"{name}: lines {line_base + 1}-{last}, before the copy of the "
                                f"page on line {last + 1}, hold no listing that could be read; "
                                f"left out")
    # Two pastes of one cut copy name its cut card once.
    warnings[before:] = dict.fromkeys(warnings[before:])
    return merged(parsed, name=name, warnings=warnings)


# Forms whose readers take no preamble: JSON is read from its first bracket, and the seeds'
# reader takes every line for a title or an abstract.
_NO_PREAMBLE = ("api", "seeds")


def _unpreambled(copy: Copy, form: str) -> str:
    """The copy's text as its form's reader takes it: its preamble left out where that
    reader cannot take one (as blank lines for the seeds' reader, which names lines)."""
    if not copy.lead or form not in _NO_PREAMBLE:
        return copy.text
    if form == "api":
        return copy.text[copy.lead:]
    return _blanked(copy.text, copy.lead)


def _parse_part(text: str, form: str, *, name: str, reference: date | None,
                warnings: list[str]) -> ParsedListing:
    """One copy of a glued text, read as its own file would be."""
    if form != "seeds":
        return parse_form(text, form, name=name, reference=reference, warnings=warnings)
    stream = ListingStream(text.split("\n"), name=name, reference=reference,
                           warnings=warnings)
    records = list(stream)
    return ParsedListing(records, name=name, form="seeds", warnings=warnings,
                         listing_date=stream.listing_date,
                         listing_date_raw=stream.listing_date_raw)


def merged(parsed: list[ParsedListing], *, name: str, warnings: list[str]) -> ParsedListing:
    """The copies' records, a paper in two copies once: the first copy's card with the
    later one's facts merged in as a second import would merge them."""
    records: list[PaperRecord] = []
    seen: dict[str, int] = {}
    for listing in parsed:
        offset = len(records)
        for record in listing.records:
            keys = [normalise_title(record.title)]
            if record.arxiv_id:
                keys.append(record.arxiv_id)
            index = next((seen[key] for key in keys if key in seen), None)
            if index is None:
                index = len(records)
                records.append(replace(record, position=record.position + offset))
            else:
                records[index] = _filled(records[index], record)
            for key in keys:
                seen.setdefault(key, index)
    first = parsed[0]
    return ParsedListing(records, name=name, form=first.form, warnings=warnings,
                         listing_date=first.listing_date,
                         listing_date_raw=first.listing_date_raw,
                         capture_date=first.capture_date)


# The trending reader first: it declines any other text after one bounded search for its
# anchors, where the others each search for their first card (a millisecond a reader on
# a big trending page). Whichever reader takes a text reads it as the general reader does.
_ONE_PASS = {"markdown": (trending_listing, scraper_listing, refs_listing, clipper_listing,
                          extraction_listing),
             "text-urls": (urls_listing,)}


_DATE_FIELDS = ("published", "published_raw", "year_inferred", "date_source")


def _filled(first: PaperRecord, other: PaperRecord) -> PaperRecord:
    """A paper both copies hold: the first copy's card with the other's facts merged in
    by the rules a second import of that copy follows (storage/identity.py's update)."""
    changes: dict[str, object] = {}
    new, old = other.abstract, first.abstract
    if new and new != old and (not old or len(new) >= len(old) * SHORTER_SHARE):
        changes["abstract"] = new
    for name in PLAIN + LISTS:
        value = getattr(other, name)
        if value not in (None, "", ()) and value != getattr(first, name):
            changes[name] = value
    if other.arxiv_id and first.arxiv_id is None:
        changes["arxiv_id"] = other.arxiv_id
    # A date with its year written beats one whose year was guessed.
    if other.published and other.published != first.published and (
            first.published is None or (first.year_inferred and not other.year_inferred)):
        changes.update({name: getattr(other, name) for name in _DATE_FIELDS})
    for name in GROWING:
        mine, theirs = getattr(first, name), getattr(other, name)
        if theirs is not None and (mine is None or theirs > mine):
            changes[name] = theirs
    return replace(first, **changes) if changes else first


def _one_pass(text: str, form: str, *, name: str, reference: date | None,
              warnings: list[str], probe: Probe | None = None
              ) -> tuple[ParsedListing | None, str]:
    """What the first one-pass reader that takes the text reads (None: none does), and
    the text the readers were given."""
    # A copy another tool wrapped at a fixed width (fold, fmt, an e-mail) is read
    # as it was before (attack F24).
    text = unwrapped_markdown(text, name=name, warnings=warnings) or text
    # The one-pass readers of the common shapes first; each declines a text that is
    # not wholly its shape, and the general reader takes what none of them took.
    for reader in _ONE_PASS[form]:
        fast = reader(text, name=name, reference=reference, warnings=warnings, probe=probe)
        if fast is not None:
            return fast, text
    return None, text


def _parse_form(text: str, form: str, *, name: str, reference: date | None,
                warnings: list[str], one_pass: bool = True) -> ParsedListing:
    if form == "dump":
        return _parse_dump(text, name=name, reference=reference, warnings=warnings)
    if form == "api":
        return api_listing(text, name=name, warnings=warnings)
    if form == "html":
        if _looks_like_mhtml(text):
            text = _mhtml_page(text) or ""
        if (tool := rendered_note(text)) is not None:
            raise ListingError(f"{name}: a note rendered to HTML (by {tool}), not the page as "
                               f"the browser saves it; import the copy it was made from, or "
                               f"the page saved from the browser (Ctrl+S), instead")
        tokens, props = html_items(text)
        listing = page_props(props)
        if listing is None:
            listing = cut_page_props(text)
            if listing is not None and listing.cut is not None:
                return _cut_props_listing(listing, name=name, warnings=warnings)
        if listing is not None:
            try:
                return entries_listing(listing.entries, name=name, form="html",
                                       warnings=warnings, listing_date=listing.listing_date)
            except ListingError:
                pass  # JSON without a paper in it: the rendered cards, then
    elif form == "text":
        text = _unwrapped(text, name, warnings) or text
        fast = text_listing(text, name=name, reference=reference, warnings=warnings)
        if fast is not None:
            return fast
        tokens = plain_items(text)
    else:
        if one_pass:
            fast, text = _one_pass(text, form, name=name, reference=reference,
                                   warnings=warnings)
            if fast is not None:
                return fast
        else:
            text = unwrapped_markdown(text, name=name, warnings=warnings) or text
        tokens = markdown_items(text, url_lines=form == "text-urls")
    return assemble(
        tokens.items,
        name=name,
        form=form,
        reference=reference,
        capture_date=tokens.capture_date,
        listing_date=tokens.listing_date,
        truncated=tokens.truncated,
        warnings=warnings,
    )


def _cut_props_listing(listing: PageProps, *, name: str, warnings: list[str]
                       ) -> ParsedListing:
    """A saved page that ends inside its listing's JSON: the entries before the cut, and
    the one it ends inside named, as a cut API response's; refused, saying so, when the
    cut comes inside the first."""
    mine = len(warnings)
    warn_cut([(0, listing.entries)], listing.cut or "", name, warnings)
    try:
        return entries_listing(listing.entries, name=name, form="html", warnings=warnings,
                               listing_date=listing.listing_date)
    except ListingError:
        said = warnings[mine:]
        del warnings[mine:]
        if said and said[0].endswith("; skipped"):
            raise ListingError(said[0]) from None
        raise ListingError(f"{name}: the copy ends inside its first card, before its "
                           f"title; nothing to import") from None


def _parse_dump(text: str, *, name: str, reference: date | None,
                warnings: list[str]) -> ParsedListing:
    """A text browser's dump of the saved page, read as the page's text form; the form
    reported names the tool (``lynx-dump``, ``pandoc-dump``)."""
    tool = dump_tool(text[:HEAD_CHARS]) or "glued"
    plain, ids = undumped(text, tool, name)
    listing = _parse_form(plain, "text", name=name, reference=reference, warnings=warnings)
    if ids:
        listing.records = [
            replace(r, arxiv_id=ids[r.title], url=f"https://huggingface.co/papers/{ids[r.title]}")
            if r.title in ids and r.arxiv_id is None else r for r in listing.records]
        listing._iter = iter(listing.records)
    listing.form = f"{tool}-dump"
    return listing


# A text that a tool wrapped at a fixed width (pandoc -t plain, w3m or lynx -dump, an
# e-mail): its long lines are cut where the next word would not fit, so a title wrapped
# onto a second line lost its end to the abstract. Select-all copies have each abstract on
# one line, far longer than this.
_WRAP_MAX = 100
_WRAP_MIN = 40
_WRAP_JOINTS = 3
_BLOCKS_SHARE = 0.6
_WRAP_HEAD = 16 * 1024


def _unwrapped(text: str, name: str, warnings: list[str]) -> str | None:
    """The text with each wrapped line joined to the next, or None when it is not wrapped
    at a fixed width with blank lines between its blocks (as pandoc, w3m and lynx write a
    page). A line was wrapped where it is full: the next line's first word would not have
    fitted on it. Short lines (a count, "4 authors", "·", a date) are never full, so they
    stay lines of their own. Without blank lines between blocks, a title that fills its
    line cannot be told from one wrapped onto the next: such a text is left as it is."""
    if max(map(len, text[:_WRAP_HEAD].split("\n"))) > _WRAP_MAX:
        return None  # a select-all copy: its first abstracts are in its head
    lines = text.split("\n")
    width = max(map(len, lines), default=0)
    if not _WRAP_MIN <= width <= _WRAP_MAX:
        return None
    # fold -s and a mail client's flowed text keep the blank each line was broken at: where
    # a line ends in one, it went on; where none does, the next word's width decides.
    # fold counts bytes: a line with "·" or a CJK character in it is full at fewer characters.
    widest = max(len(line.encode("utf-8")) for line in lines)
    kept = [k for k in range(len(lines) - 1)
            if lines[k].endswith(" ") and not lines[k].endswith("  ")
            and _full_bytes(lines[k], lines[k + 1], widest)]
    # Lines cut at the width wherever it fell (fold without -s) end in a blank by chance;
    # most of them end inside a word, exactly at the width.
    cut = sum(1 for k in range(len(lines) - 1) if lines[k + 1].strip()
              and not lines[k].endswith(" ") and len(lines[k].encode("utf-8")) == widest)
    if len(kept) >= _WRAP_JOINTS and cut <= _CUT_SHARE * len(kept):
        for k in reversed(kept):
            lines[k] += lines.pop(k + 1)
        return "\n".join(lines)
    joints = [k for k in range(len(lines) - 1) if _full(lines[k], lines[k + 1], width)]
    if len(joints) < _WRAP_JOINTS:
        return None
    joined = set(joints)
    ends = [k for k, line in enumerate(lines) if line.strip() and k not in joined]
    blank = sum(1 for k in ends if k + 1 == len(lines) or not lines[k + 1].strip())
    if blank < _BLOCKS_SHARE * len(ends):
        warnings.append(f"{name}: the text is wrapped at {width} columns with no blank lines "
                        f"between a card's parts: a title wrapped onto a second line may "
                        f"have lost its end to the abstract")
        return None
    for k in reversed(joints):
        line, after = lines[k].rstrip(), lines.pop(k + 1).strip()
        # "Fine-" / "Tuning": a word wrapped at its hyphen is one word again.
        glue = "" if len(line) > 1 and line[-1] == "-" and line[-2].isalpha() else " "
        lines[k] = f"{line}{glue}{after}"
    return "\n".join(lines)


_CUT_SHARE = 0.2


def _full_bytes(line: str, after: str, width: int) -> bool:
    """Whether fold -s broke ``line`` (its blank kept) where ``after``'s first word would
    not have fitted: the two together pass the width, in bytes as fold counts."""
    word = after.split(None, 1)
    return bool(word) and len(line.encode("utf-8")) + len(word[0].encode("utf-8")) > width


def _full(line: str, after: str, width: int) -> bool:
    word = after.split(None, 1)
    return bool(line.strip() and word) and len(line.rstrip()) + 1 + len(word[0]) > width


def open_form(lines: Iterable[str], *, name: str, reference: date | None,
              warnings: list[str] | None = None) -> ListingStream | ParsedListing:
    """Detect the form from the first lines, then stream (seeds) or parse the whole text.

    ``lines`` carry no line ends. Only the seeds' layout streams: it is the one form a
    million-paper file comes in; a page in any other form is a few hundred kilobytes.
    """
    source: Iterator[str] = map(_visible, lines)
    head: list[str] = []
    size = 0
    for line in source:
        head.append(line)
        size += len(line) + 1
        if size >= HEAD_CHARS or len(head) >= HEAD_LINES:
            break
    if _nbsp_for_spaces("\n".join(head)):
        head = [_spaces(line) for line in head]
        source = map(_spaces, source)
    joined = "\n".join(head)
    form, preamble = _head_form(joined)
    if form == "seeds":
        if preamble and joined[preamble - 1] == "\n":
            joined = _blanked(joined, preamble)
        # Blocks of lines for the search for another copy after the seeds' one.
        blocks = itertools.chain((joined,), map("\n".join, _batched(source, 256)))
        return _seeds_stream(blocks, name=name, reference=reference, warnings=warnings)
    return _parse_joined(itertools.chain(head, source), form, name=name, reference=reference,
                         warnings=warnings)


def open_blocks(blocks: Iterator[str], *, name: str, reference: date | None,
                warnings: list[str] | None = None) -> ListingStream | ParsedListing:
    """:func:`open_form` for a text that comes in blocks of whole lines (a file decoded a
    megabyte at a time; a text in memory is one block): the lines are the blocks' lines
    one after another. A page is parsed from the joined blocks, never split into lines
    and joined again; only the seeds' layout is split into lines, as it streams."""
    taken: list[str] = []
    size = count = 0
    blocks = map(_visible, blocks)
    for block in blocks:
        taken.append(block)
        size += len(block) + 1
        # Lines past HEAD_CHARS characters are past the head anyway: not counted (a
        # page kept whole comes as one block of megabytes).
        count += block.count("\n", 0, HEAD_CHARS) + 1
        if size >= HEAD_CHARS or count >= HEAD_LINES:
            break
    first = "\n".join(taken)
    head = _head(first)
    if _nbsp_for_spaces(head):
        first, head, blocks = _spaces(first), _spaces(head), map(_spaces, blocks)
    form, preamble = _head_form(head)
    if form == "seeds":
        if preamble and head[preamble - 1] == "\n":
            first = _blanked(first, preamble)
        return _seeds_stream(itertools.chain((first,), blocks), name=name,
                             reference=reference, warnings=warnings)
    return _parse_joined(itertools.chain((first,), blocks), form, name=name,
                         reference=reference, warnings=warnings)


def _head_form(head: str) -> tuple[str, int]:
    """The form of a text from its head, and where its preamble ends (0: none). Lines that
    hold no card above the first copy's header (a note's title, a mail's "On Mon, ...
    wrote:") are no part of the copy: the form is the copy's. Where the head holds a copy
    in the seeds' layout after a copy of another form, the first copy's (its card lines
    outnumbered a copied page's, which then was read as seeds)."""
    form = detect(head)
    if form in ("api", "html"):
        return form, 0  # a document from the text's first character
    copies = split_copies(head)
    if copies[0].lead:
        first = copies[0]
        return detect(first.text[first.lead:]), first.lead
    if form == "seeds" and len(copies) > 1 and (first := detect(copies[0].text)) != "seeds":
        return first, 0
    # A note above a JSON response: the head ends inside the JSON, where the splitter
    # cannot find it whole; its first line and keys say what it is.
    found = _JSON_LINE.search(head, 0, _PREAMBLE_REACH)
    if found is not None and not holds_card(head, found.start()) and _API_KEY.search(
            head, found.start(), found.start() + _PREAMBLE_REACH) is not None:
        return "api", 0
    return form, 0


def _blanked(text: str, end: int) -> str:
    """``text`` with its preamble (up to ``end``, a line's start) as blank lines: the seeds'
    reader skips them, and the lines it names keep their numbers."""
    return "\n" * text.count("\n", 0, end) + text[end:]


# A line that opens an API response (an object with its first key, a list of objects),
# and how far into a text a preamble may reach before it.
_JSON_LINE = re.compile(r'^[ \t]*(?:\{\s*"|\[\s*\{\s*")', re.MULTILINE)
_PREAMBLE_REACH = 8000
_API_KEY = re.compile(r'"(?:paper|title|publishedAt|upvotes)"\s*:')


def _batched(lines: Iterator[str], size: int) -> Iterator[list[str]]:
    while batch := list(itertools.islice(lines, size)):
        yield batch


def _seeds_stream(blocks: Iterator[str], *, name: str, reference: date | None,
                  warnings: list[str] | None) -> ListingStream:
    """The seeds' layout, streamed, and any copy of another form glued after it (a saved
    page, a Markdown or JSON copy: ``cat seeds.txt page.md``) read on its own after it."""
    warnings = warnings if warnings is not None else []
    rest: list[str] = []
    # Lines the seeds' reader was given, for the line a warning names.
    given = [0]
    # Lists of lines, flattened at C speed: a generator step per line cost the seeds'
    # reader a sixth of its speed.
    lines = itertools.chain.from_iterable(_seeds_lines(blocks, rest, given))

    def then() -> list[PaperRecord]:
        if not rest:
            return []
        text = "\n".join(rest)
        rest.clear()
        line = given[0]
        form = detect(text[:HEAD_CHARS])
        mine = len(warnings)
        try:
            if form == "seeds":
                # Its header is no seeds' copy's (foreign_start): the older layout's reader
                # would take its header lines for papers.
                raise ListingError(name)
            glued = _parse_copies(text, form, name=name, reference=reference,
                                  warnings=warnings, line_base=line - 1)
            tail = glued if glued is not None else _parse_part(
                text, form, name=name, reference=reference, warnings=warnings)
        except ListingError:
            del warnings[mine:]
            warnings.append(
                f"{name}: line {line} begins another copy of the page that could not be read "
                f"on its own; its papers may be missing (import that copy as a file of its own)")
            return []
        return tail.records

    return ListingStream(lines, name=name, reference=reference, warnings=warnings,
                         then=then)


# What of a block is kept back for the next one: a copy of another form whose header
# begins at a block's end is found whole in the next (headers are under 8,000 characters).
_CARRY = 16 * 1024
_CARRY_LINES = 100


def _carry_from(text: str) -> int:
    """Where the part of a block kept back for the next begins (at a line end): its last
    _CARRY_LINES lines or _CARRY characters, whichever is less; -1 for all of it."""
    by_lines = len(text)
    for _ in range(_CARRY_LINES):
        by_lines = text.rfind("\n", 0, by_lines)
        if by_lines < 0:
            break
    return max(by_lines, text.rfind("\n", 0, max(0, len(text) - _CARRY)))


def _seeds_lines(blocks: Iterator[str], rest: list[str], given: list[int]
                 ) -> Iterator[list[str]]:
    """The lines of the seeds' layout copy the blocks begin with, a list at a time. Where
    a copy of another form begins, the text from there on goes into ``rest`` and the
    lines end; ``given[0]`` counts the lines given."""
    carry: str | None = None
    for block in blocks:
        text = block if carry is None else f"{carry}\n{block}"
        at = foreign_start(text)
        while at is not None and len(text) - at < HEAD_CHARS:
            # Detected from a head as long as a file's would be.
            more = next(blocks, None)
            if more is None:
                break
            text = f"{text}\n{more}"
            at = foreign_start(text)
        if at is not None:
            lines = text[:at].split("\n")
            given[0] += len(lines)
            yield lines
            rest.append(text[at:])
            rest.extend(blocks)
            return
        cut = _carry_from(text)
        if cut < 0:
            carry = text
            continue
        lines = text[:cut].split("\n")
        given[0] += len(lines)
        yield lines
        carry = text[cut + 1:]
    if carry is not None:
        lines = carry.split("\n")
        given[0] += len(lines)
        yield lines


def _head(text: str) -> str:
    """The lines :func:`open_form` would read for detection: up to ``HEAD_LINES`` lines,
    stopping at the one that reaches ``HEAD_CHARS`` characters."""
    size = count = pos = 0
    while True:
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        count += 1
        size += end - pos + 1
        if nl < 0 or size >= HEAD_CHARS or count >= HEAD_LINES:
            return text[:end]
        pos = nl + 1
