"""The seeds' older text layout: title, abstract, then ``  • 6 authors`` (or an
organisation line), ``·`` and ``May 22 1`` (date and upvotes on one line).

Nothing in a line says whether it is a title or an abstract, so the parser goes by
structure only: text lines alternate title, abstract within a paper, and an organisation
line is told from a title solely by the ``·`` line that follows it. It streams: a file of a
million papers is parsed line by line and never held.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import replace
from datetime import date

from storage.forms.dates import _DATE_MAX_LEN, _DateLine, _parse_date
from storage.records import ListingError, PaperRecord

__all__ = ["ListingStream"]

_AUTHORS_RE = re.compile(r"•\s*([0-9]{1,6})\s+authors?")
_DOT = "·"
_BULLET = "•"

_CHROME = frozenset(
    {
        "new",
        "Get trending papers in your email inbox!",
        "Get trending papers in your email inbox once a day!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
        "by AK and the research community",
    }
)
_SUBSCRIBE = "Subscribe"
# The lines a copy of the page starts with.
_COPY_STARTS = frozenset({"new", "Get trending papers in your email inbox once a day!",
                          "Get trending papers in your email inbox!"})




_MAX_WARNINGS = 100
_TITLE_IN_MESSAGE = 80

# Where the parser is inside a paper block.
_WANT_TITLE, _WANT_ABSTRACT, _HAVE_TEXT = 0, 1, 2
# Where it is inside a meta block.
_NO_META, _WANT_DOT, _WANT_DATE = 0, 1, 2


# Records read before a text without chrome or card meta is judged by its shape.
_JUDGE_AFTER = 64
_TITLE_SIZED = 300
_CARD_SHARE = 0.75
_SENTENCE_ENDS = (".", "!", "?", ".)", '."', ".”", ")")


# The bare layout has no card meta to miss at its end: a cut last abstract is told by its
# end, where nearly all the file's abstracts end a sentence or with their code's address.
_FINAL = (".", "!", "?", ")", "]", '"', "”", "’", "'", "。", "！", "？", "…", "．")
_FINISHED_SHARE = 0.9
_FINISHED_MIN = 5
_TAIL_IN_MESSAGE = 30


def _finished(abstract: str) -> bool:
    """The abstract ends as a whole one does: a sentence's end, or an address."""
    if abstract.endswith(_FINAL):
        return True
    last = abstract.rsplit(None, 1)[-1] if abstract else ""
    return "://" in last or last.startswith("www.") or ("/" in last and "." in last)


def _card_shaped(record: PaperRecord) -> bool:
    """A title-sized line that is no sentence, then a text that is one."""
    title, abstract = record.title, record.abstract
    return (
        2 <= len(title) <= _TITLE_SIZED
        and not title.endswith(".")
        and abstract.count(" ") >= 2
        and abstract.endswith(_SENTENCE_ENDS)
    )


def _looks_like_cards(records: list[PaperRecord]) -> bool:
    """Most records are a title followed by an abstract: what the bare layout of some seeds
    has, and a shopping list or a README's alternating lines do not."""
    if not records:
        return False
    return sum(1 for r in records if _card_shaped(r)) >= _CARD_SHARE * len(records)


# How a copy of the page begins: where two copies were joined without a line end
# (`cat day1.txt day2.txt`), the first copy's last line ends in one of these.
_PAGE_STARTS = ("Get trending papers in your email inbox once a day!", "new")


def _page_start_glued(text: str) -> str | None:
    """``text`` without a copy's first line glued to its end ("Jun 16, 2020new"), or None
    when there is none. A "new" needs a sign that it is no word of the text: a digit
    (a date's end) or punctuation (an abstract's) right before it."""
    for start in _PAGE_STARTS:
        if text.endswith(start) and len(text) > len(start):
            before = text[: -len(start)].rstrip("\ufeff")
            if before and (start != "new" or not (before[-1].isalpha()
                                                  or before[-1].isspace())):
                return before.rstrip()
    return None


def _without_subscribe(line: str) -> str:
    """In one saved page "Subscribe" is glued to the first title: the title. Only when the
    rest does not read as one word ("Subscribers ..." stays a title)."""
    if line.startswith(_SUBSCRIBE) and len(line) > len(_SUBSCRIBE):
        rest = line[len(_SUBSCRIBE) :].lstrip()
        if rest and not rest[0].islower():
            return rest
    return line


# A line that is only a link to the paper's own page: a phone's share text puts it under
# the title and summary ("TITLE", "SUMMARY", "https://huggingface.co/papers/2412.20138").
_PAPER_LINK = re.compile(r"(?:https?://)?(?:www\.)?(?:huggingface\.co/papers|arxiv\.org/(?:abs|pdf))"
                         r"/([0-9]{4}\.[0-9]{4,5})(?:v[0-9]+)?(?:[/?#]\S*)?")


def _paper_link(line: str) -> str | None:
    """The arXiv id of a line that is only a link to a paper's page, else None."""
    if line[0] not in "hw":
        return None
    found = _PAPER_LINK.fullmatch(line)
    return found[1] if found is not None else None


def _short(title: str) -> str:
    if len(title) <= _TITLE_IN_MESSAGE:
        return title
    return title[: _TITLE_IN_MESSAGE - 1].rstrip() + "…"


class ListingStream:
    """A listing parsed lazily: iterate it for :class:`PaperRecord` objects.

    The page chrome is read when the stream is created, so ``listing_date`` is known before
    the first record. Records are produced one at a time and never collected; ``warnings``
    fills up while iterating. Iterating a listing without a single paper raises
    :class:`ListingError` at the end, after the caller has written nothing.
    """

    def __init__(self, lines: Iterable[str], *, name: str, reference: date | None = None,
                 warnings: list[str] | None = None,
                 then: Callable[[], list[PaperRecord]] | None = None) -> None:
        self.name = name
        # The records of a copy of another form glued after this one (read whole), if any.
        self._then = then
        # The position of that copy's first record once it is read: the import merges
        # its cards of papers this copy listed (storage/identity.py, `glued_from`).
        self.glued_from: int | None = None
        self.listing_date: str | None = None
        self.listing_date_raw: str | None = None
        # Which form the detector picked, and the capture's own date where the copy
        # states one; the seeds' text layout states none.
        self.form = "seeds"
        self.capture_date: str | None = None
        # The decoder may already have warned about bad bytes in this list.
        self.warnings: list[str] = warnings if warnings is not None else []
        self._suppressed = 0
        # Set once the text shows it is a listing: page chrome, or a card's meta block.
        self._evidence = False
        # sha256 of the file's bytes when opened by open_listing; None for other text.
        self.sha256: str | None = None
        self._lines = iter(lines)
        # Set by open_listing: the line reader that owns an open file. A caller's own
        # iterable is never closed for them.
        self._resource: Generator[str, None, None] | None = None
        reference = reference if reference is not None else date.today()
        first = self._read_chrome(reference)
        anchor = date.fromisoformat(self.listing_date) if self.listing_date else reference
        self._inferred_from = "listing" if self.listing_date else "file"
        self._records = self._accepted(self._parse(first, anchor))

    def __iter__(self) -> Iterator[PaperRecord]:
        return self

    def __next__(self) -> PaperRecord:
        return next(self._records)

    def close(self) -> None:
        """Stop early and release the file behind the stream, if any."""
        self._records.close()
        if self._resource is not None:
            self._resource.close()

    def __enter__(self) -> ListingStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _warn(self, message: str) -> None:
        # A garbage file of a million blocks must not produce a million warnings in memory.
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(f"{self.name}: {message}")
        else:
            self._suppressed += 1

    def _read_chrome(self, reference: date) -> tuple[int, str] | None:
        """Consume page chrome; return the first paper line (numbered) or None at EOF."""
        for number, raw in enumerate(self._lines, start=1):
            line = raw.strip().lstrip("\ufeff")  # a BOM the decoder did not take
            if not line:
                continue
            if line in _CHROME:
                self._evidence = True
                continue
            if self.listing_date_raw is None:
                page = _parse_date(line, reference, allow_upvotes=False)
                if page is not None and page.valid:
                    self._evidence = True
                    self.listing_date = page.published
                    self.listing_date_raw = page.raw
                    continue
            rest = _without_subscribe(line)
            if rest is not line:
                self._evidence = True
                if rest in _CHROME:
                    continue
                line = rest
            return number, line
        return None

    @staticmethod
    def _page_furniture(line: str, anchor: date) -> bool:
        """Page chrome, or a page's own date line (a date without upvotes)."""
        line = line.lstrip("\ufeff")  # a byte-order mark where a copy was appended
        if not line or line in _CHROME:
            return True
        if len(line) > _DATE_MAX_LEN:
            return False
        page = _parse_date(line, anchor, allow_upvotes=False)
        return page is not None and page.valid

    def _accepted(self, records: Iterator[PaperRecord]) -> Iterator[PaperRecord]:
        """Hold back the first records until the text shows it is a listing.

        A README or a shopping list also alternates short and long lines; what a listing
        has and they lack is page chrome, card meta (``·`` and a date, ``• 6 authors``) or,
        in the bare layout of some seeds, title-sized lines each followed by an
        abstract-sized one. Nothing is yielded (so nothing is written) before the verdict.
        """
        held: list[PaperRecord] = []
        for record in records:
            held.append(record)
            if self._evidence or len(held) >= _JUDGE_AFTER:
                break
        if not self._evidence and not _looks_like_cards(held):
            raise ListingError(f"{self.name}: no Daily Papers listing found in it")
        yield from held
        yield from records

    def _parse(self, first: tuple[int, str] | None, anchor: date) -> Iterator[PaperRecord]:
        name = self.name
        warn = self._warn
        if first is None:
            raise ListingError(f"{name}: no papers found")
        # The first line is already stripped (and freed of a glued "Subscribe");
        # stripping it again is a no-op.
        numbered = itertools.chain((first,), enumerate(self._lines, start=first[0] + 1))

        dates: dict[str, _DateLine | None] = {}
        # Papers (by the position they will get) whose page a line of its own linked.
        links: dict[int, str] = {}

        def read_date(text: str, number: int) -> _DateLine | None:
            # The same few hundred date lines recur across a listing; parse each once.
            try:
                parsed = dates[text]
            except KeyError:
                if len(dates) > 4096:
                    dates.clear()
                parsed = dates[text] = _parse_date(text, anchor)
            if parsed is not None and not parsed.valid:
                warn(f'line {number}: unreadable date "{parsed.raw}"; left empty')
            return parsed

        def make(
            title: str,
            abstract: str,
            position: int,
            authors: int | None,
            org: str | None,
            when: _DateLine | None,
        ) -> PaperRecord:
            nonlocal finished
            if abstract.endswith(_FINAL) or _finished(abstract):
                finished += 1
            if when is None:
                record = PaperRecord(title, abstract, position, authors, org, None, None,
                                     False, None)
            else:
                if when.published is None:
                    source = None
                else:
                    source = inferred_from if when.year_inferred else "card"
                record = PaperRecord(
                    title,
                    abstract,
                    position,
                    authors,
                    org,
                    when.published,
                    when.raw,
                    when.year_inferred,
                    when.upvotes,
                    date_source=source,
                )
            if links and position in links:
                arxiv = links.pop(position)
                record = replace(record, arxiv_id=arxiv,
                                 url=f"https://huggingface.co/papers/{arxiv}")
            return record

        inferred_from = self._inferred_from
        dot = _DOT
        bullet = _BULLET
        authors_re = _AUTHORS_RE.fullmatch
        position = 0
        phase = _WANT_TITLE
        meta = _NO_META
        orphan = False  # the meta block being read belongs to no paper
        held: str | None = None  # text line whose role depends on whether "·" follows
        held_at = 0
        # Reading the head of another copy of the page (two pastes, `cat a b`).
        head = False
        # Papers with their meta ("• N authors" or an organisation, "·", a date): where
        # nearly all have it, one without it at the end of the text was cut off.
        metas = 0
        # Papers whose abstract ends as a whole one does (see _finished).
        finished = 0
        title = abstract = ""
        authors: int | None = None
        org: str | None = None
        when: _DateLine | None = None

        for number, raw in numbered:
            line = raw.strip()
            if not line or line == "\ufeff":  # a blank line of a copy saved with a BOM
                continue

            if held is not None:
                if line == dot:
                    # The "·" is the only sign that the held line was an organisation line.
                    orphan = phase == _WANT_TITLE
                    if orphan:
                        warn(f"line {held_at}: metadata without a paper; ignored")
                    else:
                        self._evidence = True
                        metas += 1
                        if phase == _WANT_ABSTRACT:
                            warn(f'line {held_at}: paper "{_short(title)}" has no abstract')
                            phase = _HAVE_TEXT
                        slug_and_name = held.split(None, 1)
                        org = slug_and_name[-1]
                    held = None
                    meta = _WANT_DATE
                    continue
                # Not followed by "·": the held line is a title or an abstract, or the
                # link to the page of the paper it follows.
                if phase == _HAVE_TEXT and (arxiv := _paper_link(held)) is not None:
                    links[position + 1] = arxiv
                elif phase == _WANT_TITLE:
                    title, abstract, authors, org, when = held, "", None, None, None
                    phase = _WANT_ABSTRACT
                elif phase == _WANT_ABSTRACT:
                    abstract, phase = held, _HAVE_TEXT
                else:
                    position += 1
                    yield make(title, abstract, position, authors, org, when)
                    title, abstract, authors, org, when = held, "", None, None, None
                    phase = _WANT_ABSTRACT
                held = None

            if meta != _NO_META:
                if meta == _WANT_DOT and line == dot:
                    meta = _WANT_DATE
                    continue
                # After "·" a date is expected; straight after an authors line one is
                # accepted too, as if the "·" had been lost.
                missing = "after its authors" if meta == _WANT_DOT else 'after "·"'
                meta = _NO_META
                phase = _WANT_TITLE
                parsed = read_date(line, number) if len(line) <= _DATE_MAX_LEN else None
                if parsed is None and (before := _page_start_glued(line)) is not None:
                    # "Jun 16, 2020new": the next copy of the page glued to this one's end.
                    parsed = (read_date(before, number) if len(before) <= _DATE_MAX_LEN
                              else None)
                    head = parsed is not None
                if parsed is not None:
                    if not orphan:
                        position += 1
                        yield make(title, abstract, position, authors, org, parsed)
                    continue
                if not orphan:
                    warn(f'line {number}: paper "{_short(title)}" has no date {missing}')
                    position += 1
                    yield make(title, abstract, position, authors, org, when)
                # The line is not part of the meta block: read it as text below.

            if line == dot or (line[0] == bullet and (found := authors_re(line)) is not None):
                is_dot = line == dot
                orphan = phase == _WANT_TITLE
                if orphan:
                    warn(f"line {number}: metadata without a paper; ignored")
                else:
                    self._evidence = True
                    metas += 1
                    if phase == _WANT_ABSTRACT:
                        warn(f'line {number}: paper "{_short(title)}" has no abstract')
                        phase = _HAVE_TEXT
                    if not is_dot:
                        authors = int(found[1])
                meta = _WANT_DATE if is_dot else _WANT_DOT
                continue

            if phase == _HAVE_TEXT and len(line) <= _DATE_MAX_LEN:
                # A date straight after the abstract is this paper's even with its authors
                # and "·" lines lost: a bare date is never a plausible title.
                parsed = read_date(line, number)
                if parsed is not None:
                    position += 1
                    yield make(title, abstract, position, authors, org, parsed)
                    phase = _WANT_TITLE
                    continue

            if phase != _WANT_TITLE and (line in _COPY_STARTS or line[0] == "\ufeff"):
                # Another copy of the page begins after a paper without card meta (the
                # bare layout; a copy cut short): the paper ends here. Only a copy's first
                # lines say so: "Daily Papers" after an abstract may be a title.
                if phase == _HAVE_TEXT:
                    abstract = _page_start_glued(abstract) or abstract
                    position += 1
                    yield make(title, abstract, position, authors, org, when)
                else:
                    warn(f'line {number}: paper "{_short(title)}" is cut off (no abstract); '
                         f"skipped")
                phase = _WANT_TITLE
                head = True
                continue
            if phase == _WANT_TITLE:
                if self._page_furniture(line, anchor):
                    # A second copy of the page in one file (two pastes, `cat a b`):
                    # its chrome and page date are no paper's title.
                    head = True
                    continue
                if head:
                    head = False
                    line = _without_subscribe(line)
            held, held_at = line, number

        # End of input: settle whatever is still open.
        if held is not None:
            if phase == _HAVE_TEXT and (arxiv := _paper_link(held)) is not None:
                links[position + 1] = arxiv
            elif phase == _HAVE_TEXT and held[0] == bullet:
                # "  • 6 auth" cut mid-line: metadata, not the next title.
                meta, orphan = _WANT_DOT, False
                self._evidence = True
            elif phase == _WANT_TITLE:
                title, abstract, authors, org, when = held, "", None, None, None
                phase = _WANT_ABSTRACT
            elif phase == _WANT_ABSTRACT:
                abstract, phase = held, _HAVE_TEXT
            else:
                position += 1
                yield make(title, abstract, position, authors, org, when)
                title, abstract, authors, org, when = held, "", None, None, None
                phase = _WANT_ABSTRACT
        if meta != _NO_META and not orphan:
            warn(f'last paper "{_short(title)}" has cut-off metadata (no date); kept')
            position += 1
            yield make(title, abstract, position, authors, org, when)
        elif meta == _NO_META and phase == _HAVE_TEXT:
            if position and metas * 5 >= position * 4:
                warn(f'last paper "{_short(title)}" is cut off (no authors or date); kept')
            elif (not metas and position >= _FINISHED_MIN and not _finished(abstract)
                  and finished >= _FINISHED_SHARE * position):
                tail = abstract[-_TAIL_IN_MESSAGE:].lstrip()
                warn(f'last paper "{_short(title)}" may be cut off (its abstract ends '
                     f'"…{tail}" mid-sentence); kept')
            position += 1
            yield make(title, abstract, position, authors, org, when)
        elif meta == _NO_META and phase == _WANT_ABSTRACT:
            warn(f'last paper "{_short(title)}" is cut off (no abstract); skipped')
        if self._then is not None:
            for record in self._then():
                position += 1
                if self.glued_from is None:
                    self.glued_from = position
                yield replace(record, position=position)
        if self._suppressed:
            self.warnings.append(f"{name}: {self._suppressed} more warnings not shown")
            self._suppressed = 0
        if position == 0:
            # The page's chrome with no paper under it is a page without papers; a line or
            # two of text that shows nothing of the page ("hello world", a stylesheet) is
            # no listing, as the README says (attack N29).
            if self._evidence:
                raise ListingError(f"{name}: no papers found")
            raise ListingError(f"{name}: no Daily Papers listing found in it")
