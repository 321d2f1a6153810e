"""Decode and parse Hugging Face "Daily Papers" listing pages saved as text.

A listing is page chrome (``new``, ``Subscribe``, the page date ``Dec 9`` ...) followed by
one block per paper: a title line, an abstract line and, in most files, a meta block
(``  • 6 authors`` or an organisation line, then ``·``, then ``May 22 1``). Nothing in a
line says whether it is a title or an abstract, so the parser goes by structure only:
text lines alternate title, abstract within a paper, and an organisation line is told
from a title solely by the ``·`` line that follows it.

Pure Python and stdlib only: this module is imported by the command line, by scripts and
by the import worker, none of which may pull in Qt.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import os
import re
import stat
import unicodedata
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import BinaryIO

from storage.records import Listing, ListingError, PaperRecord

__all__ = [
    "Listing",
    "ListingError",
    "ListingStream",
    "PaperRecord",
    "decode_listing",
    "iter_listing",
    "open_listing",
    "parse_listing",
    "read_listing",
]


# --------------------------------------------------------------------------- decoding

_CHUNK = 1 << 20
# C0 control bytes other than tab and line breaks hardly ever occur in text; a share of
# them above this marks a binary file even when it happens to hold no NUL byte.
_SNIFF_BYTES = 64 * 1024
_MAX_CONTROL_SHARE = 0.02
_CONTROL_BYTES = bytes([*range(0x01, 0x09), *range(0x0E, 0x20), 0x7F])

_UTF8_BOM = codecs.BOM_UTF8
# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _build_cp1252_table() -> str:
    # cp1252 leaves five bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) unmapped; a file that has them is
    # still text, so they fall back to their Latin-1 meaning instead of failing the import.
    chars = []
    for b in range(256):
        try:
            chars.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(b))
    return "".join(chars)


_CP1252_TABLE = _build_cp1252_table()


def _decode_cp1252(data: bytes) -> str:
    return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]


def _wide_codec(head: bytes) -> str | None:
    for bom, codec in _WIDE_BOMS:
        if head.startswith(bom):
            return codec
    return None


def _check_binary(sample: bytes, name: str) -> None:
    if b"\x00" in sample:
        raise ListingError(f"{name}: not a text file (contains NUL bytes)")
    head = sample[:_SNIFF_BYTES]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls and controls > len(head) * _MAX_CONTROL_SHARE:
        raise ListingError(f"{name}: not a text file (binary data)")


_TRUNCATED = frozenset({"unexpected end of data", "truncated data"})


def _is_truncated_tail(exc: UnicodeDecodeError, size: int) -> bool:
    # A file cut off mid-character is still the encoding it claims to be; only the last
    # character is lost. Anything else invalid means the guess was wrong.
    return exc.end == size and exc.reason in _TRUNCATED


def _normalise(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def decode_listing(data: bytes, name: str) -> str:
    """Decode a listing file's bytes to NFC text with ``\\n`` line ends.

    Order: UTF-32/UTF-16 when a BOM says so, reject binary data, strict UTF-8 (with or
    without BOM), then cp1252. Detectors guess badly on short text (cp1252 "naïve" read
    as cp1250), so there is no guessing beyond this.
    """
    if not data:
        raise ListingError(f"{name}: file is empty")
    codec = _wide_codec(data[:4])
    if codec is not None:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            if not _is_truncated_tail(exc, len(data)):
                raise ListingError(f"{name}: not valid {codec.upper()} text") from None
            text = data[: exc.start].decode(codec) + "\ufffd"
        if "\x00" in text:
            raise ListingError(f"{name}: not a text file (contains NUL characters)")
    else:
        _check_binary(data, name)
        # The BOM is dropped by hand (not by utf-8-sig) so error offsets index ``body``.
        body = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            if _is_truncated_tail(exc, len(body)):
                text = body[: exc.start].decode("utf-8") + "\ufffd"
            else:
                text = _decode_cp1252(body)
    if not text or text.isspace():
        raise ListingError(f"{name}: file is empty")
    return _normalise(text)


# ---------------------------------------------------------------------------- dates

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Listings write "Dec 9"; full names and "Sept" cost nothing to accept as well.
_MONTHS = {
    **{full: number for number, full in enumerate(_MONTH_NAMES, start=1)},
    **{full[:3]: number for number, full in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_MAX_DAY = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# Used with fullmatch and free of nested quantifiers, so a hostile line cannot make it
# backtrack. Digit counts are capped so an upvote count always fits a 64-bit SQLite integer.
# A year needs its comma ("Jun 16, 2020"), as on the site: "Jun 16 2020" is 2020 upvotes.
_DATE_RE = re.compile(
    r"(?P<raw>(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<day>[0-9]{1,2})(?:,\s*(?P<year>[0-9]{4}))?)"
    r"(?:\s+(?P<up>[0-9]{1,9}))?"
)
_DATE_MAX_LEN = 32
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


@dataclass(frozen=True, slots=True)
class _DateLine:
    published: str | None
    raw: str
    year_inferred: bool
    upvotes: int | None
    valid: bool


def _latest_on_or_before(month: int, day: int, anchor: date) -> date | None:
    """The latest ``month``/``day`` not after ``anchor``: how a yearless date is read."""
    if not 1 <= month <= 12 or not 1 <= day <= _MAX_DAY[month]:
        return None
    # Feb 29 may need to go back up to eight years (across a non-leap century year).
    for year in range(anchor.year, max(anchor.year - 9, 0), -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= anchor:
            return candidate
    return None


def _parse_date(text: str, anchor: date, *, allow_upvotes: bool = True) -> _DateLine | None:
    """Read ``Oct 28, 2024 2`` / ``Jun 16`` ...; None when the line is not date-shaped."""
    if len(text) > _DATE_MAX_LEN or not text[0].isalpha():
        return None
    m = _DATE_RE.fullmatch(text)
    if m is None:
        return None
    month = _MONTHS.get(m["mon"].lower())
    if month is None:
        return None
    if m["up"] is not None and not allow_upvotes:
        return None
    day = int(m["day"])
    upvotes = int(m["up"]) if m["up"] is not None else None
    raw = m["raw"]
    if m["year"] is not None:
        try:
            when: date | None = date(int(m["year"]), month, day)
        except ValueError:
            when = None
        inferred = False
    else:
        when = _latest_on_or_before(month, day, anchor)
        inferred = when is not None
    published = when.isoformat() if when is not None else None
    return _DateLine(published, raw, inferred, upvotes, when is not None)


# ---------------------------------------------------------------------------- parsing

_MAX_WARNINGS = 100
_TITLE_IN_MESSAGE = 80

# Where the parser is inside a paper block.
_WANT_TITLE, _WANT_ABSTRACT, _HAVE_TEXT = 0, 1, 2
# Where it is inside a meta block.
_NO_META, _WANT_DOT, _WANT_DATE = 0, 1, 2


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

    def __init__(self, lines: Iterable[str], *, name: str, reference: date | None = None) -> None:
        self.name = name
        self.listing_date: str | None = None
        self.listing_date_raw: str | None = None
        # Which form the detector picked, and the capture's own date where the copy
        # states one; the seeds' text layout states none.
        self.form = "seeds"
        self.capture_date: str | None = None
        self.warnings: list[str] = []
        self._suppressed = 0
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
        self._records = self._parse(first, anchor)

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
            line = raw.strip()
            if not line or line in _CHROME:
                continue
            if self.listing_date_raw is None:
                page = _parse_date(line, reference, allow_upvotes=False)
                if page is not None and page.valid:
                    self.listing_date = page.published
                    self.listing_date_raw = page.raw
                    continue
            # In one saved page "Subscribe" is glued to the first title. Only strip it when
            # the rest does not read as one word ("Subscribers ..." stays a title).
            if line.startswith(_SUBSCRIBE) and len(line) > len(_SUBSCRIBE):
                rest = line[len(_SUBSCRIBE) :].lstrip()
                if rest and not rest[0].islower():
                    if rest in _CHROME:
                        continue
                    line = rest
            return number, line
        return None

    def _parse(self, first: tuple[int, str] | None, anchor: date) -> Iterator[PaperRecord]:
        name = self.name
        warn = self._warn
        if first is None:
            raise ListingError(f"{name}: no papers found")
        # The first line is already stripped (and freed of a glued "Subscribe");
        # stripping it again is a no-op.
        numbered = itertools.chain((first,), enumerate(self._lines, start=first[0] + 1))

        dates: dict[str, _DateLine | None] = {}

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
            if when is None:
                return PaperRecord(title, abstract, position, authors, org, None, None, False, None)
            if when.published is None:
                source = None
            else:
                source = inferred_from if when.year_inferred else "card"
            return PaperRecord(
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
        title = abstract = ""
        authors: int | None = None
        org: str | None = None
        when: _DateLine | None = None

        for number, raw in numbered:
            line = raw.strip()
            if not line:
                continue

            if held is not None:
                if line == dot:
                    # The "·" is the only sign that the held line was an organisation line.
                    orphan = phase == _WANT_TITLE
                    if orphan:
                        warn(f"line {held_at}: metadata without a paper; ignored")
                    else:
                        if phase == _WANT_ABSTRACT:
                            warn(f'line {held_at}: paper "{_short(title)}" has no abstract')
                            phase = _HAVE_TEXT
                        slug_and_name = held.split(None, 1)
                        org = slug_and_name[-1]
                    held = None
                    meta = _WANT_DATE
                    continue
                # Not followed by "·": the held line is a title or an abstract.
                if phase == _WANT_TITLE:
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

            held, held_at = line, number

        # End of input: settle whatever is still open.
        if held is not None:
            if phase == _HAVE_TEXT and held[0] == bullet:
                # "  • 6 auth" cut mid-line: metadata, not the next title.
                meta, orphan = _WANT_DOT, False
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
            position += 1
            yield make(title, abstract, position, authors, org, when)
        elif meta == _NO_META and phase == _WANT_ABSTRACT:
            warn(f'last paper "{_short(title)}" is cut off (no abstract); skipped')
        if self._suppressed:
            self.warnings.append(f"{name}: {self._suppressed} more warnings not shown")
            self._suppressed = 0
        if position == 0:
            raise ListingError(f"{name}: no papers found")


def iter_listing(
    lines: Iterable[str], *, name: str, reference: date | None = None
) -> ListingStream:
    """Parse lines lazily (trailing ``\\n`` allowed). ``reference`` is the date the page's
    own yearless date may not be after: the file's modification date, by default today."""
    return ListingStream(lines, name=name, reference=reference)


def parse_listing(text: str, *, name: str = "<text>", reference: date | None = None) -> Listing:
    """Parse a whole listing held in memory (a decoded file or the clipboard)."""
    return _parse_text(_normalise(text), name, reference)


def _parse_text(text: str, name: str, reference: date | None) -> Listing:
    # Split on "\n" only: str.splitlines would also break an abstract at U+2028 or \x0c.
    stream = ListingStream(text.split("\n"), name=name, reference=reference)
    records = list(stream)
    return Listing(
        name=name,
        listing_date=stream.listing_date,
        listing_date_raw=stream.listing_date_raw,
        records=records,
        warnings=stream.warnings,
        form=stream.form,
        capture_date=stream.capture_date,
    )


# ------------------------------------------------------------------------------ files


def _open(path: str | os.PathLike[str], name: str) -> tuple[BinaryIO, os.stat_result]:
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the caller or the line reader
    except FileNotFoundError:
        raise ListingError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ListingError(f"{name}: is a directory, not a file") from None
    except PermissionError:
        raise ListingError(f"{name}: permission denied") from None
    except OSError as exc:
        raise ListingError(f"{name}: cannot open ({exc.strerror or exc})") from None
    try:
        info = os.fstat(handle.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise ListingError(f"{name}: is a directory, not a file")
    except BaseException:
        handle.close()
        raise
    return handle, info


def _mtime_date(info: os.stat_result) -> date:
    return date.fromtimestamp(info.st_mtime)


def read_listing(path: str | os.PathLike[str]) -> Listing:
    """Read, decode and parse a listing file; yearless dates are read against its mtime."""
    name = Path(path).name
    handle, info = _open(path, name)
    try:
        with handle:
            data = handle.read()
    except OSError as exc:
        raise ListingError(f"{name}: cannot read ({exc.strerror or exc})") from None
    # decode_listing already normalised the text; a second NFC check of a big file is waste.
    return _parse_text(decode_listing(data, name), name, _mtime_date(info))


@dataclass(frozen=True, slots=True)
class _Encoding:
    codec: str  # "utf-8", "cp1252", "utf-16" or "utf-32"
    skip: int  # bytes of a UTF-8 BOM to seek past
    sha256: str  # of the file's bytes, taken on the validating pass


def _validate(handle: BinaryIO, name: str) -> _Encoding:
    """Scan the whole file once so a bad byte deep inside fails before anything is imported.

    Same verdicts as :func:`decode_listing`, in bounded memory. The file's sha256 is
    taken on the same pass, so an import reads each file twice, not three times.
    """
    digest = hashlib.sha256()

    def read(size: int) -> bytes:
        chunk = handle.read(size)
        digest.update(chunk)
        return chunk

    head = read(max(_CHUNK, 4))  # a whole BOM, whatever the chunk size
    if not head:
        raise ListingError(f"{name}: file is empty")
    wide = _wide_codec(head[:4])
    nonblank = False
    chunk = head
    if wide is not None:
        decoder = codecs.getincrementaldecoder(wide)("strict")
        while True:
            final = not chunk
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                if not (final and exc.reason in _TRUNCATED):
                    raise ListingError(f"{name}: not valid {wide.upper()} text") from None
                text = ""
            if "\x00" in text:
                raise ListingError(f"{name}: not a text file (contains NUL characters)")
            nonblank = nonblank or not (text.isspace() or not text)
            if final:
                break
            chunk = read(_CHUNK)
        found = _Encoding(wide, 0, "")
    else:
        _check_binary(head, name)
        skip = len(_UTF8_BOM) if head.startswith(_UTF8_BOM) else 0
        chunk = head[skip:]
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        utf8 = True
        while True:
            final = not chunk
            if b"\x00" in chunk:
                raise ListingError(f"{name}: not a text file (contains NUL bytes)")
            if utf8:
                try:
                    decoder.decode(chunk, final=final)
                except UnicodeDecodeError as exc:
                    # A character cut by the end of the file does not make it cp1252.
                    utf8 = final and exc.reason in _TRUNCATED
            nonblank = nonblank or not (chunk.isspace() or not chunk)
            if final:
                break
            chunk = read(_CHUNK)
        found = _Encoding("utf-8" if utf8 else "cp1252", skip, "")
    if not nonblank:
        raise ListingError(f"{name}: file is empty")
    return replace(found, sha256=digest.hexdigest())


def _decoded_lines(handle: BinaryIO, encoding: _Encoding) -> Iterator[str]:
    """Yield the file's lines decoded and NFC-normalised, split at CRLF, LF or lone CR."""
    with handle:
        handle.seek(encoding.skip)
        if encoding.codec == "cp1252":
            decode = _decode_cp1252
        else:
            # Validated already: "replace" only covers a character cut by the end of the
            # file (or a file changed since), which must not fail half-way through.
            incremental = codecs.getincrementaldecoder(encoding.codec)("replace")

            def decode(chunk: bytes) -> str:
                return incremental.decode(chunk, final=not chunk)

        carry: list[str] = []  # text after the last newline, possibly over many chunks
        held_cr = False
        while True:
            chunk = handle.read(_CHUNK)
            text = decode(chunk)
            if held_cr:
                text = "\r" + text
            # Hold back a final CR: its LF may begin the next chunk.
            held_cr = bool(chunk) and text.endswith("\r")
            if held_cr:
                text = text[:-1]
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            if not chunk:
                carry.append(text)
                yield from _normalise("".join(carry)).split("\n")
                return
            cut = text.rfind("\n")
            if cut < 0:
                carry.append(text)
                continue
            carry.append(text[:cut])
            whole = "".join(carry)
            carry = [text[cut + 1 :]]
            # Only whole lines are normalised: a combining mark never crosses a newline.
            yield from _normalise(whole).split("\n")


def open_listing(path: str | os.PathLike[str]) -> ListingStream:
    """Open a listing for streaming, e.g. a 1.5 GB file of a million papers.

    The whole file is validated first (encoding, NUL bytes, emptiness), then lines are
    decoded and parsed lazily. ``close()`` the stream (or use it as a context manager)
    to stop early; exhausting it closes the file too.
    """
    name = Path(path).name
    handle, info = _open(path, name)
    try:
        encoding = _validate(handle, name)
    except ListingError:
        handle.close()
        raise
    except OSError as exc:
        handle.close()
        raise ListingError(f"{name}: cannot read ({exc.strerror or exc})") from None
    lines = _decoded_lines(handle, encoding)
    try:
        stream = ListingStream(lines, name=name, reference=_mtime_date(info))
    except BaseException:
        lines.close()
        handle.close()
        raise
    stream._resource = lines
    stream.sha256 = encoding.sha256
    return stream
