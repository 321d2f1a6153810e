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
import os
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import BinaryIO

from storage.forms.seeds import ListingStream
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
