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
import io
import itertools
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import BinaryIO

from storage.documents import document_of, read_document
from storage.forms import HEAD_CHARS, HEAD_LINES, ParsedListing, detect, open_blocks, open_form
from storage.forms.seeds import ListingStream
from storage.records import Listing, ListingError, PaperRecord
from storage.transport import (
    CP1252_TABLE,
    line_separated,
    mojibaked,
    transported_head,
    unmojibaked,
    untransported,
)

__all__ = [
    "Listing",
    "ListingError",
    "ListingStream",
    "PaperRecord",
    "ParsedListing",
    "decode_listing",
    "iter_listing",
    "open_listing",
    "open_listing_bytes",
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


def _decode_cp1252(data: bytes) -> str:
    return codecs.charmap_decode(data, "strict", CP1252_TABLE)[0]


def _wide_codec(head: bytes) -> str | None:
    for bom, codec in _WIDE_BOMS:
        if head.startswith(bom):
            return codec
    return None


def _wide_without_bom(sample: bytes) -> str | None:
    """"UTF-16LE" (etc.) when `sample` reads as mostly ASCII text in a wide encoding
    saved without a byte-order mark: a NUL in every second (or three of four) byte
    at the same places, and none elsewhere."""
    sample = sample[:_SNIFF_BYTES]
    if len(sample) < 8:
        return None
    for width, names in ((4, ("UTF-32LE", "UTF-32BE")), (2, ("UTF-16LE", "UTF-16BE"))):
        lanes = [sample[lane::width] for lane in range(width)]
        share = [lane.count(0) / len(lane) for lane in lanes]
        # Little-endian: the first byte of each unit carries the ASCII letter.
        for name, text_lane in zip(names, (0, width - 1), strict=True):
            if share[text_lane] < 0.05 and all(share[n] > 0.6 for n in range(width)
                                                if n != text_lane):
                return name
    return None


# Compressed files by their first bytes (whatever the file is named: a .gz renamed .md).
# "contains NUL bytes" told the user nothing about what they had or what to do.
_PACKED = (
    ((b"\x1f\x8b",), "a gzip-compressed file", "decompress it (gunzip -k FILE)"),
    ((b"BZh11AY&SY", b"BZh21AY&SY", b"BZh31AY&SY", b"BZh41AY&SY", b"BZh51AY&SY",
      b"BZh61AY&SY", b"BZh71AY&SY", b"BZh81AY&SY", b"BZh91AY&SY", b"BZh9\x17rE8P\x90"),
     "a bzip2-compressed file", "decompress it (bunzip2 -k FILE)"),
    ((b"\xfd7zXZ\x00",), "an xz-compressed file", "decompress it (unxz -k FILE)"),
    ((b"(\xb5/\xfd",), "a zstd-compressed file", "decompress it (unzstd FILE)"),
    ((b"7z\xbc\xaf\x27\x1c",), "a 7-Zip archive", None),
)


def _check_packed(head: bytes, name: str) -> None:
    """Refuse a compressed file or an archive by name, with the way to its text."""
    for magics, what, decompress in _PACKED:
        if head.startswith(magics):
            if decompress is None:
                raise ListingError(f"{name}: {what}, not text; unpack it and import the "
                                   f"listing inside")
            raise ListingError(f"{name}: {what}, not text; {decompress} and import what "
                               f"it holds")


def _check_binary(sample: bytes, name: str) -> None:
    if b"\x00" in sample:
        wide = _wide_without_bom(sample)
        if wide is not None:
            # Windows tools write UTF-16 so; "contains NUL bytes" sent users looking
            # for binary data that was never there.
            raise ListingError(
                f"{name}: looks like {wide} text without a byte-order mark; save it as "
                f"UTF-8 (or convert it: iconv -f {wide} -t UTF-8 IN > OUT) and import that")
        raise ListingError(f"{name}: not a text file (contains NUL bytes)")
    head = sample[:_SNIFF_BYTES]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls and controls > len(head) * _MAX_CONTROL_SHARE:
        raise ListingError(f"{name}: not a text file (binary data)")


_TRUNCATED = frozenset({"unexpected end of data", "truncated data"})
# Bytes that are not UTF-8 come out of the "surrogateescape" decoder as these; a valid
# non-ASCII character is anything else above ASCII.
_ESCAPED = re.compile("[\udc80-\udcff]")
_VALID_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_BAD_BYTES_SHOWN = 20


def _normalise(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = line_separated(text)
    if not _latin1(text) and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _latin1(text: str) -> bool:
    """Only characters up to U+00FF: NFC already (the first that NFC can change is the
    combining grave accent, U+0300). Encoding such a text is a copy; the NFC check reads
    every character's properties."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def decode_listing(data: bytes, name: str) -> str:
    """Decode a listing file's bytes to NFC text with ``\\n`` line ends.

    The same decoder as :func:`open_listing` (one decoder for files, pastes and tests):
    UTF-32/UTF-16 when a BOM says so, reject binary data, UTF-8 (with or without BOM),
    and cp1252 only for a file that is not UTF-8 at all.
    """
    return "\n".join(_decode_bytes(data, name, []))


def _decode_bytes(data: bytes, name: str, warnings: list[str]) -> list[str]:
    handle = io.BytesIO(data)
    encoding = _validate(handle, name)
    return list(_decoded_lines(handle, encoding, name, warnings))


Stream = ListingStream | ParsedListing


# ---------------------------------------------------------------------- wrapped copies

# A copy inside something else: quoted in an email ("> " before every line, one level more
# per forward) or pasted into a Markdown note as a list item (the marker on its first line,
# every other line indented under it). The marks are the wrapper's, not the page's; left
# on, every form's reader missed its cards and the file was "no Daily Papers listing".
_QUOTE_MARK = re.compile(r"[ \t]*>[ \t]?")
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*+]|[0-9]{1,3}[.)])[ \t]+")
# An indent of spaces, tabs or no-break spaces (rich-text editors keep a leading space as one).
_INDENT = re.compile(r"[ \t\xa0]*")
# Fewer lines than this say nothing about how a text is wrapped.
_WRAPPED_MIN_LINES = 3
# The share of a text's first lines quoted that makes it a quoted copy with a mail's own
# lines around it.
_REPLY_SHARE = 0.9


@dataclass(frozen=True, slots=True)
class _Wrapper:
    levels: int  # quote marks on every (quoted) line
    indent: str  # the indent of every line after the first
    marker: bool  # the first line carries a list marker instead of the indent
    reply: bool = False  # a few lines of the mail's own are not quoted

    def line(self, line: str, first: bool = False) -> str:
        for _ in range(self.levels):
            mark = _QUOTE_MARK.match(line)
            if mark is None:
                break
            line = line[mark.end():]
        if first and self.marker:
            marker = _LIST_MARKER.match(line)
            return line[marker.end():] if marker else line
        if self.indent and line.startswith(self.indent):
            return line[len(self.indent):]
        return line

    def note(self, name: str) -> str | None:
        # An indent is whitespace, which every reader takes as it comes ("tabs are fine");
        # quote marks are characters taken out of the user's text, so that is said.
        if not self.levels:
            return None
        if self.reply:
            return (f"{name}: the copy in it is quoted with '>', as in an email reply; read "
                    f"without the quote marks")
        return (f"{name}: every line is quoted with '>', as in an email; read without "
                f"the quote marks")


# An outliner's copy (Logseq, Roam, Workflowy, Dynalist keep a pasted page so): every
# paragraph a block, its first line behind a "- " bullet, its other lines indented under
# it, a list inside it a child block one level deeper, and not one blank line. Read as
# it was, the readers took an anchor line or a login link for a title (attack F32).
_BULLET = re.compile(r"([ \t]*)- ")
_OUTLINE_MIN_BULLETS = 3


def _is_outline(head: list[str]) -> bool:
    """Whether the first lines of a text are an outliner's blocks: after its first line
    (a page's title, say), a bullet or a line indented under one on every line (a block
    of many lines, a code block, has more of these than bullets), and not one empty line
    between."""
    lines = head[:-1] if head and not head[-1].strip() else head
    bullets = 0
    for index, line in enumerate(lines):
        if _BULLET.match(line) is not None:
            bullets += 1
        elif index and (not line or line[0] not in " \t"):
            return False
    return bullets >= _OUTLINE_MIN_BULLETS


def _unoutlined(lines: Iterable[str]) -> Iterator[str]:
    """An outliner's blocks as the paragraphs they were: each bullet begins one (after a
    blank line), a block's other lines lose the indent that put them under it."""
    under = ""  # what a line inside the current block starts with
    for line in lines:
        bullet = _BULLET.match(line)
        if bullet is not None:
            under = bullet.group(1) + "  "
            yield ""
            yield line[bullet.end():]
        elif line.startswith(under):
            yield line[len(under):]
        else:
            yield line.lstrip(" \t")


def _outline_note(name: str) -> str:
    # The bullets are characters taken out of the user's text, so that is said.
    return (f"{name}: every paragraph is a '- ' item, as an outliner (Logseq, Roam) keeps "
            f"a page; read as paragraphs")


def _quote_depth(line: str) -> int:
    depth = pos = 0
    while (mark := _QUOTE_MARK.match(line, pos)) is not None:
        depth += 1
        pos = mark.end()
    return depth


def _common_start(texts: list[str]) -> str:
    """The characters every text starts with (an indent of tabs and spaces)."""
    shortest = min(texts, key=len, default="")
    for index, char in enumerate(shortest):
        if any(text[index] != char for text in texts):
            return shortest[:index]
    return shortest


def _wrapper(head: list[str]) -> _Wrapper | None:
    """How the first lines of a text say it is wrapped, if every one of them says so."""
    lines = [line for line in head if line.strip()]
    if len(lines) < _WRAPPED_MIN_LINES:
        return None
    depths = [_quote_depth(line) for line in lines]
    quoted = [depth for depth in depths if depth]
    # A reply quotes the copy under a line or two of its own ("On Mon, Alice wrote:"):
    # nearly every line quoted is a quoted copy; one quoted line is the page's own text.
    reply = len(quoted) < len(depths) and len(quoted) >= _REPLY_SHARE * len(depths)
    levels = min(quoted) if reply else min(depths)
    bare = _Wrapper(levels, "", False)
    lines = [text for text in (bare.line(line) for line in lines) if text.strip()]
    indent, marker = "", False
    if len(lines) >= _WRAPPED_MIN_LINES:
        indent = _common_start([_INDENT.match(line).group() for line in lines[1:]])
        if indent and not lines[0].startswith(indent):
            marker = _LIST_MARKER.match(lines[0]) is not None
            indent = indent if marker else ""
    if not levels and not indent:
        return None
    return _Wrapper(levels, indent, marker, reply)


def _unwrapped_blocks(blocks: Iterator[str], name: str, warnings: list[str]
                      ) -> Generator[str, None, None]:
    """The blocks of a text (whole lines each) with a wrapper its first lines show taken
    off every line; closing this closes ``blocks``."""
    try:
        first = next(blocks, None)
        if first is None:
            return
        head = _first_lines(first)
        wrapper = _wrapper(head)
        outline = _is_outline(_bare(head, wrapper))
        if wrapper is None and not outline:
            yield first
            yield from blocks
            return
        if wrapper is not None and (note := wrapper.note(name)) is not None:
            warnings.append(note)
        if outline:
            warnings.append(_outline_note(name))
            every = (line for block in itertools.chain((first,), blocks)
                     for line in block.split("\n"))
            yield "\n".join(_unoutlined(_bare(every, wrapper)))
            return
        assert wrapper is not None
        lines = first.split("\n")
        yield "\n".join([wrapper.line(lines[0], first=True),
                         *(wrapper.line(line) for line in lines[1:])])
        for block in blocks:
            yield "\n".join(wrapper.line(line) for line in block.split("\n"))
    finally:
        close = getattr(blocks, "close", None)
        if close is not None:
            close()


def _bare(lines: Iterable[str], wrapper: _Wrapper | None) -> list[str] | Iterator[str]:
    """Lines without the wrapper (quote marks, a list item's indent) they are in."""
    if wrapper is None:
        return lines if isinstance(lines, list) else iter(lines)
    bare = (wrapper.line(line, first=index == 0) for index, line in enumerate(lines))
    return list(bare) if isinstance(lines, list) else bare


def _first_lines(text: str) -> list[str]:
    """The first HEAD_LINES lines of a text, without copying the rest of it out (a page
    kept whole is one block of megabytes: split with a limit still copies its remainder)."""
    end = 0
    for _ in range(HEAD_LINES):
        end = text.find("\n", end) + 1
        if not end:
            return text.split("\n")
    return text[: end - 1].split("\n")


def _unwrapped_lines(lines: Iterator[str], name: str, warnings: list[str]) -> Iterator[str]:
    """:func:`_unwrapped_blocks` for a text given as lines (a paste)."""
    head = list(itertools.islice(lines, HEAD_LINES))
    wrapper = _wrapper(head)
    outline = _is_outline(_bare(head, wrapper))
    if wrapper is None and not outline:
        return itertools.chain(head, lines)
    if wrapper is not None and (note := wrapper.note(name)) is not None:
        warnings.append(note)
    if outline:
        warnings.append(_outline_note(name))
        return _unoutlined(_bare(itertools.chain(head, lines), wrapper))
    assert wrapper is not None
    return itertools.chain(
        (wrapper.line(line, first=index == 0) for index, line in enumerate(head)),
        map(wrapper.line, lines))


def iter_listing(
    lines: Iterable[str], *, name: str, reference: date | None = None
) -> Stream:
    """Parse lines (trailing ``\\n`` allowed) in whatever form they are: the seeds' layout
    lazily, any other form whole. ``reference`` is the date a yearless date may not be
    after when the text states no date of its own: the file's modification date, by
    default today. The result has ``.form``: which form the detector picked."""
    warnings: list[str] = []
    stripped = (line.rstrip("\r\n") for line in lines)
    head = list(itertools.islice(stripped, HEAD_LINES))
    if transported_head("\n".join(head)):
        # An e-mail or its quoted-printable source is undone whole (a paste is in memory).
        text = untransported("\n".join(itertools.chain(head, stripped)), name, warnings)
        plain: Iterator[str] = iter(text.split("\n"))
    elif mojibaked("\n".join(head)):
        plain = (unmojibaked(line, name, warnings) for line in itertools.chain(head, stripped))
    else:
        plain = itertools.chain(head, stripped)
    bare = _unwrapped_lines(plain, name, warnings)
    return open_form(bare, name=name, reference=reference, warnings=warnings)


def parse_listing(text: str, *, name: str = "<text>", reference: date | None = None) -> Listing:
    """Parse a whole listing held in memory (a decoded file or the clipboard)."""
    warnings: list[str] = []
    return _parse_text(untransported(_normalise(text), name, warnings), name, reference,
                       warnings)


def _parse_text(text: str, name: str, reference: date | None,
                warnings: list[str] | None = None) -> Listing:
    # Lines split on "\n" only: str.splitlines would also break an abstract at U+2028.
    warnings = warnings if warnings is not None else []
    stream = open_blocks(_unwrapped_blocks(iter((text,)), name, warnings), name=name,
                         reference=reference, warnings=warnings)
    return _whole(stream)


def _whole(stream: Stream) -> Listing:
    records = list(stream)
    return Listing(
        name=stream.name,
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
    """Read, decode and parse a listing file; yearless dates are read against its mtime
    when the copy states no date of its own. The same decoder and parsers as
    :func:`open_listing`, with every record in memory."""
    with open_listing(path) as stream:
        return _whole(stream)


@dataclass(frozen=True, slots=True)
class _Encoding:
    codec: str  # "utf-8", "cp1252", "utf-16" or "utf-32"
    skip: int  # bytes of a UTF-8 BOM to seek past
    sha256: str  # of the file's bytes, taken on the validating pass
    repair: bool = False  # UTF-8 with a few bad bytes: shown as U+FFFD, line by line
    # Valid UTF-8 of at most _KEEP_DECODED bytes: the whole text, decoded once by its
    # validation. Decoding it again, then joining its chunks into lines and its blocks into
    # a page, cost as much as the decoding three times over (26 MB of a page with CJK
    # text: 36 ms to decode, 25 to join lines, 30 to join the page).
    decoded: str | None = field(default=None, repr=False, compare=False)
    # What the file was when it was another program's document (storage/documents.py).
    note: str | None = None


# Files up to this size keep their validated text (see _Encoding.decoded): every page a
# browser or a clipper saves, by far. A bigger file (a generated listing of 70k papers
# and more) is decoded again, a megabyte at a time, and never held whole.
_KEEP_DECODED = 32 << 20


def _validate(handle: BinaryIO, name: str) -> _Encoding:
    """Scan the whole file once so a NUL byte deep inside fails before anything is imported.

    Bounded memory; the file's sha256 is taken on the same pass, so an import reads each
    file twice, not three times. A file with bytes that are not UTF-8 is still UTF-8 when
    it holds valid UTF-8 characters as well (one bad byte must not turn every "é" into
    "Ã©"); only a file with no valid multi-byte character at all is read as cp1252.
    """
    digest = hashlib.sha256()

    def read(size: int) -> bytes:
        chunk = handle.read(size)
        digest.update(chunk)
        return chunk

    # A file small enough to keep its text is read in one go (no chunks to join later).
    start = handle.tell()
    size = handle.seek(0, io.SEEK_END) - start
    handle.seek(start)
    head = read(max(_CHUNK, 4, size if size <= _KEEP_DECODED else 0))  # a whole BOM too
    if not head:
        raise ListingError(f"{name}: file is empty")
    kind = document_of(head)
    if kind is not None:
        # A word processor's document, a PDF, a web archive: its text if it is read.
        document = read_document(kind, handle, name)
        handle.seek(start)
        digest = hashlib.sha256()
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
        if not document.text.strip():
            raise ListingError(f"{name}: {document.note.split(': ', 1)[1].split(';')[0]} "
                               f"with no text in it")
        return _Encoding("utf-8", 0, digest.hexdigest(), decoded=document.text,
                         note=document.note)
    wide = _wide_codec(head[:4])
    if wide is None:
        _check_packed(head, name)
    if wide is not None:
        found, nonblank = _validate_wide(wide, head, read, name)
    else:
        found, nonblank = _validate_utf8(head, read, name)
    if not nonblank:
        raise ListingError(f"{name}: file is empty")
    return replace(found, sha256=digest.hexdigest())


def _validate_wide(wide: str, chunk: bytes, read: Callable[[int], bytes], name: str
                   ) -> tuple[_Encoding, bool]:
    """UTF-16 or UTF-32 by its BOM: the whole file must decode; no NUL characters."""
    decoder = codecs.getincrementaldecoder(wide)("strict")
    nonblank = False
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
            return _Encoding(wide, 0, ""), nonblank
        chunk = read(_CHUNK)


def _validate_utf8(head: bytes, read: Callable[[int], bytes], name: str
                   ) -> tuple[_Encoding, bool]:
    """UTF-8 (or cp1252 when not one valid multi-byte character is in it), no binary."""
    _check_binary(head, name)
    skip = len(_UTF8_BOM) if head.startswith(_UTF8_BOM) else 0
    chunk = head[skip:]
    # Strict decoding (at C speed) until the first byte that is not UTF-8; from there
    # the escaping decoder, only while no valid non-ASCII character has been seen. A file
    # small enough to keep is held as bytes and decoded in one go at its end instead (and
    # checked chunk by chunk only if that fails, or once it grows too big to keep).
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    bad = valid = nonblank = False

    def scan(chunk: bytes, final: bool) -> None:
        nonlocal bad, valid, decoder
        # An ASCII chunk needs no decoding unless a character began in the last one.
        if not (bad and valid) and (not chunk.isascii() or final or decoder.getstate()[0]):
            bad, valid, decoder = _scan_utf8(decoder, chunk, final, bad, valid)

    kept: list[bytes] | None = []
    size = len(head)  # bytes read
    while True:
        final = not chunk
        if b"\x00" in chunk:
            raise ListingError(f"{name}: not a text file (contains NUL bytes)")
        # Binary data can start after the first 64 KB sniffed above: every window of the
        # file gets the same test (a megabyte without a control byte passes them all; a
        # megabyte at a time, as a small file comes as one chunk).
        for block in range(0, len(chunk), _CHUNK):
            window = chunk[block:block + _CHUNK]
            if len(window.translate(None, _CONTROL_BYTES)) != len(window):
                for start in range(0, len(window), _SNIFF_BYTES):
                    _check_binary(window[start:start + _SNIFF_BYTES], name)
        nonblank = nonblank or not (chunk.isspace() or not chunk)
        if kept is not None and size > _KEEP_DECODED:
            for held in kept:
                scan(held, False)
            kept = None
        if kept is not None:
            kept.append(chunk)
        else:
            scan(chunk, final)
        if final:
            break
        chunk = read(_CHUNK)
        size += len(chunk)
    text = None
    if kept is not None:
        kept = [held for held in kept if held]
        text = _strict(kept[0] if len(kept) == 1 else b"".join(kept))
        if text is None:  # not UTF-8 throughout: checked chunk by chunk after all
            for k, held in enumerate(kept):
                scan(held, k == len(kept) - 1)
        else:
            valid = not text.isascii()
    if bad and not valid:
        return _Encoding("cp1252", skip, ""), nonblank
    return _Encoding("utf-8", skip, "", repair=bad, decoded=text), nonblank


def _strict(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _scan_utf8(decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool, bad: bool,
               valid: bool) -> tuple[bool, bool, codecs.IncrementalDecoder]:
    """One chunk of a UTF-8 check: whether it has bytes that are not UTF-8 (``bad``) and
    valid non-ASCII characters (``valid``); the decoder to go on with."""
    if not bad:
        try:
            text = decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            # The strict decoder keeps its state from before this chunk: the escaping
            # one starts from there.
            state = decoder.getstate()
            decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
            decoder.setstate(state)
            bad = True
        else:
            # Strictly decoded text has no escapes: anything above ASCII is valid.
            return False, valid or not text.isascii(), decoder
    text = decoder.decode(chunk, final=final)
    return True, valid or _VALID_NON_ASCII.search(text) is not None, decoder


def _repair(lines: list[str], first: int, name: str, warnings: list[str]) -> list[str]:
    """Show each byte that is not UTF-8 as U+FFFD, warning once per line that has one."""
    for index, line in enumerate(lines):
        if _ESCAPED.search(line) is not None:
            lines[index] = _ESCAPED.sub("\ufffd", line)
            shown = sum(1 for w in warnings if "not UTF-8" in w)
            if shown < _BAD_BYTES_SHOWN:
                warnings.append(f"{name}: line {first + index}: bytes that are not UTF-8, "
                                f"shown as \ufffd")
    return lines


def _decoded_lines(handle: BinaryIO, encoding: _Encoding, name: str,
                   warnings: list[str]) -> Iterator[str]:
    """Yield the file's lines decoded and NFC-normalised, split at CRLF, LF or lone CR."""
    blocks = _decoded_blocks(handle, encoding, name, warnings)
    try:
        for block in blocks:
            yield from block.split("\n")
    finally:
        blocks.close()


def _decoded_blocks(handle: BinaryIO, encoding: _Encoding, name: str,
                    warnings: list[str]) -> Generator[str, None, None]:
    """The file's text decoded and NFC-normalised in blocks of whole lines (the lines
    are the blocks' lines, one after another): a parser that wants the whole text joins
    the blocks, instead of splitting the text into lines and joining those."""
    with handle:
        if encoding.decoded is not None:
            yield from _kept_blocks(handle, encoding.decoded, name, warnings)
            return
        handle.seek(encoding.skip)
        if encoding.codec == "cp1252":
            decode = _decode_cp1252
        else:
            # UTF-8 keeps bad bytes as escapes until its line is known (the warning names
            # it); the wide codecs were validated already, so "replace" only covers a
            # character cut by the end of the file (or a file changed since).
            errors = "surrogateescape" if encoding.codec == "utf-8" else "replace"
            incremental = codecs.getincrementaldecoder(encoding.codec)(errors)

            def decode(chunk: bytes) -> str:
                return incremental.decode(chunk, final=not chunk)

        repair = encoding.repair
        moji: bool | None = None  # UTF-8 read as cp1252: judged from the first block

        def undone(block: str) -> str:
            nonlocal moji
            if moji is None:
                moji = mojibaked(block)
            return unmojibaked(block, name, warnings) if moji else block

        done = 0  # lines yielded so far, for the warnings' line numbers
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
                whole = "".join(carry)
                if repair or (encoding.codec == "utf-8" and _ESCAPED.search(whole)):
                    # A character cut by the end of the file is repaired the same way.
                    lines = _repair(whole.split("\n"), done + 1, name, warnings)
                    yield undone(_normalise("\n".join(lines)))
                else:
                    yield undone(_normalise(whole))
                return
            cut = text.rfind("\n")
            if cut < 0:
                carry.append(text)
                continue
            carry.append(text[:cut])
            whole = "".join(carry)
            carry = [text[cut + 1 :]]
            # Only whole lines are normalised: a combining mark never crosses a newline.
            if repair:
                lines = _repair(whole.split("\n"), done + 1, name, warnings)
                done += len(lines)
                whole = "\n".join(lines)
            yield undone(_normalise(whole))


def _kept_blocks(handle: BinaryIO, text: str, name: str, warnings: list[str]
                 ) -> Generator[str, None, None]:
    """The blocks of a file whose validation kept its text. A page (every form but the
    seeds' layout) is parsed whole: it comes as one block, never split or joined again.
    The seeds' layout streams: it comes in blocks of about a megabyte of whole lines, the
    file's position following them (in proportion: a progress bar reads it). What carried
    the copy (an e-mail, a second decoding) is undone first, on the whole text."""
    text = untransported(_normalise(text), name, warnings)
    size = handle.seek(0, io.SEEK_END)
    if detect(text[:HEAD_CHARS]) != "seeds":
        yield text
        return
    start = 0
    while True:
        end = text.find("\n", start + _CHUNK)
        if end < 0:
            handle.seek(size)
            yield text[start:]
            return
        handle.seek(size * end // len(text))
        yield text[start:end]
        start = end + 1


def open_listing(path: str | os.PathLike[str]) -> Stream:
    """Open a listing in any form, e.g. a 1.5 GB file of a million papers (streamed).

    The whole file is validated first (encoding, NUL bytes, emptiness), then its lines are
    decoded lazily and the detector picks the form from the first of them. ``close()``
    the stream (or use it as a context manager) to stop early; exhausting it closes the
    file too.
    """
    name = Path(path).name
    handle, info = _open(path, name)
    return open_listing_bytes(handle, name=name, reference=_mtime_date(info))


def open_listing_bytes(handle: BinaryIO, *, name: str, reference: date | None = None
                       ) -> Stream:
    """:func:`open_listing` over an open, seekable binary file that has no path of its
    own (a pipe's bytes kept in a temporary file): the same checks, decoder, refusals
    and warnings, named `name`. ``reference`` stands in for a file's modification date
    (default: today). The stream owns `handle` and closes it."""
    try:
        size = handle.seek(0, io.SEEK_END)
        handle.seek(0)
        encoding = _validate(handle, name)
    except ListingError:
        handle.close()
        raise
    except OSError as exc:
        handle.close()
        raise ListingError(f"{name}: cannot read ({exc.strerror or exc})") from None
    warnings: list[str] = [encoding.note] if encoding.note else []
    blocks = _unwrapped_blocks(_decoded_blocks(handle, encoding, name, warnings), name,
                               warnings)
    try:
        stream = open_blocks(blocks, name=name, reference=reference, warnings=warnings)
    except BaseException:
        blocks.close()
        handle.close()
        raise
    if isinstance(stream, ListingStream):
        stream._resource = blocks
        # Bytes read so far, for a progress bar that moves through one big file.
        stream.position = handle.tell  # type: ignore[union-attr]
    else:
        blocks.close()
    stream.size = size  # type: ignore[union-attr]
    stream.sha256 = encoding.sha256
    return stream
