"""The page kept in another program's document, told by the file's first bytes.

People keep the page where they keep everything else: pasted into Word or LibreOffice
(.docx, .odt), into TextEdit or WordPad (RTF, their default format), printed to PDF, saved
by Safari as a web archive. Read as text, each was "no Daily Papers listing found in it"
or "a zip archive; unzip it" (unzipping a .docx gives XML, not a listing: attack F42).
Where the page's text is kept whole and in order, and the standard library reads it
exactly (a word processor's paragraphs, RTF's text, the web archive's HTML), it is read,
with a warning naming the document; otherwise the file is refused in one line that says
what it is and how to get the page's text out of it.

XML is parsed only without a document type of its own (no entity can be declared, so none
can expand), and a zip's member only when it says it is under a size a page could be (a
zip bomb is refused before it is inflated). Pure standard library; no Qt.
"""

from __future__ import annotations

import plistlib
import re
import zipfile
from typing import BinaryIO
from xml.etree import ElementTree

from storage.records import ListingError

__all__ = ["Document", "document_of", "read_document"]

# What a word processor's document (or a web archive) may hold at most, uncompressed: a
# page of 20k trending cards is 50 MB of text.
_MAX_MEMBER = 128 << 20

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_RTF = b"{\\rtf"
_PDF = b"%PDF-"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BPLIST = b"bplist00"

# What to do with a document whose text is not read here: the page saved as the browser
# saves it, or copied as text.
_SAVE_PAGE = ("import the page saved from the browser (Ctrl+S: an .html file) or copied "
              "as text (select all, copy, paste into a .txt file) instead")


class Document:
    """A file that is another program's document: what it is, and its text if read."""

    __slots__ = ("note", "text")

    def __init__(self, text: str, note: str) -> None:
        self.text = text
        self.note = note


def document_of(head: bytes) -> str | None:
    """Which kind of document a file's first bytes begin, or None for text and the rest."""
    if head.startswith(_ZIP):
        return "zip"
    if head.startswith(_RTF):
        return "rtf"
    if head.lstrip(b"\xef\xbb\xbf").startswith(_PDF):
        return "pdf"
    if head.startswith(_OLE):
        return "ole"
    if head.startswith(_BPLIST):
        return "plist"
    return None


def read_document(kind: str, handle: BinaryIO, name: str) -> Document:
    """The text of the document ``kind`` (from :func:`document_of`) with a note saying
    what was read; ListingError naming the document and the way to its text otherwise."""
    if kind == "zip":
        return _zip_document(handle, name)
    if kind == "rtf":
        data = _bounded(handle, name, "an RTF document")
        return Document(rtf_text(data), f"{name}: an RTF document (TextEdit, WordPad); read "
                                        f"its text")
    if kind == "plist":
        return _web_archive(handle, name)
    if kind == "pdf":
        raise ListingError(f"{name}: a PDF document, whose text is laid out on pages, not "
                           f"kept as the page's; {_SAVE_PAGE}")
    raise ListingError(f"{name}: an older Microsoft Office document (.doc, .xls, .ppt); save "
                       f"it as plain text (.txt) or Word's .docx and import that")


def _bounded(handle: BinaryIO, name: str, what: str) -> bytes:
    handle.seek(0)
    data = handle.read(_MAX_MEMBER + 1)
    if len(data) > _MAX_MEMBER:
        raise ListingError(f"{name}: {what} larger than any page ({_MAX_MEMBER >> 20} MB)")
    return data


# ------------------------------------------------------------------------- zip documents

_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODF_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"

# Zip documents that hold no page to read, by a member only they have, or their mimetype.
_OTHER_ZIPS = (
    ("xl/workbook.xml", "an Excel workbook (.xlsx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
)
# Pages keeps its text in a format of its own (protocol buffers, compressed).
_PAGES = ("Index/Document.iwa", "Index.zip")
_ODF_KINDS = {
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)",
    "application/epub+zip": "an e-book (EPUB)",
}


def _zip_document(handle: BinaryIO, name: str) -> Document:
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
        names = set(archive.namelist())
        mimetype = ""
        if "mimetype" in names:
            with archive.open("mimetype") as member:  # a few bytes, never the whole member
                mimetype = member.read(100).decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
            NotImplementedError, ValueError):
        raise ListingError(f"{name}: a zip archive, not text; unzip it and import the "
                           f"listing inside") from None
    if "word/document.xml" in names:
        root = _xml(archive, "word/document.xml", name, "a Word document (.docx)")
        return Document(_word_text(root), f"{name}: a Word document (.docx); read the text "
                                          f"of its paragraphs")
    if mimetype == "application/vnd.oasis.opendocument.text" and "content.xml" in names:
        root = _xml(archive, "content.xml", name, "an OpenDocument text (.odt)")
        return Document(_odf_text(root), f"{name}: an OpenDocument text (.odt); read the "
                                         f"text of its paragraphs")
    if any(member in names for member in _PAGES):
        raise ListingError(f"{name}: an Apple Pages document; export it as Word or plain "
                           f"text (File > Export To) and import that")
    what = _ODF_KINDS.get(mimetype) or next(
        (kind for member, kind in _OTHER_ZIPS if member in names), None)
    if what is not None:
        raise ListingError(f"{name}: {what}, which keeps no copy of the page to read; "
                           f"{_SAVE_PAGE}")
    raise ListingError(f"{name}: a zip archive, not text; unzip it and import the listing "
                       f"inside")


# A document type declared inside the XML is where entities are defined (and could expand
# into gigabytes); a word processor's document never has one.
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _xml(archive: zipfile.ZipFile, member: str, name: str, what: str) -> ElementTree.Element:
    info = archive.getinfo(member)
    if info.file_size > _MAX_MEMBER:
        raise ListingError(f"{name}: {what} larger than any page ({_MAX_MEMBER >> 20} MB "
                           f"of text)")
    try:
        with archive.open(info) as part:
            data = part.read(_MAX_MEMBER + 1)
        if len(data) > _MAX_MEMBER or _DOCTYPE.search(data) is not None:
            raise ValueError(member)
        return ElementTree.fromstring(data)
    except (ElementTree.ParseError, ValueError, zipfile.BadZipFile, OSError, EOFError,
            RuntimeError, NotImplementedError):
        raise ListingError(f"{name}: {what} that could not be read (its {member} is "
                           f"damaged); open it and save it as plain text (.txt), then "
                           f"import that") from None


def _word_text(root: ElementTree.Element) -> str:
    """A .docx's paragraphs, one a line: runs' text, tabs, line breaks (what Word keeps of
    a pasted page: a line of the copy is a paragraph, or a line break in one)."""
    lines = []
    for paragraph in root.iter(f"{_WORD}p"):
        parts = []
        for node in paragraph.iter():
            tag = node.tag
            if tag == f"{_WORD}t":
                parts.append(node.text or "")
            elif tag == f"{_WORD}tab":
                parts.append("\t")
            elif tag in (f"{_WORD}br", f"{_WORD}cr"):
                parts.append("\n")
            elif tag == f"{_WORD}noBreakHyphen":
                parts.append("-")
        lines.append("".join(parts))
    return "\n".join(lines) + "\n"


def _odf_text(root: ElementTree.Element) -> str:
    """An .odt's paragraphs and headings, one a line, in the document's order."""
    body = root.find(f"{_ODF_OFFICE}body")
    lines: list[str] = []
    _odf_blocks(body if body is not None else root, lines)
    return "\n".join(lines) + "\n"


def _odf_blocks(node: ElementTree.Element, lines: list[str]) -> None:
    for child in node:
        if child.tag in (f"{_ODF_TEXT}p", f"{_ODF_TEXT}h"):
            parts: list[str] = []
            _odf_inline(child, parts)
            lines.append("".join(parts))
        elif child.tag != f"{_ODF_TEXT}note":
            _odf_blocks(child, lines)


def _odf_inline(node: ElementTree.Element, parts: list[str]) -> None:
    parts.append(node.text or "")
    for child in node:
        tag = child.tag
        if tag == f"{_ODF_TEXT}s":
            parts.append(" " * int(child.get(f"{_ODF_TEXT}c", "1") or 1))
        elif tag == f"{_ODF_TEXT}tab":
            parts.append("\t")
        elif tag == f"{_ODF_TEXT}line-break":
            parts.append("\n")
        elif tag != f"{_ODF_TEXT}note":  # a footnote's text is not the paragraph's
            _odf_inline(child, parts)
        parts.append(child.tail or "")


# ------------------------------------------------------------------------------- RTF

# RTF as TextEdit and WordPad write a pasted page: a header of tables, then the text with
# "\" or "\par" at each line's end, "\'b7" for a character of the code page and "\uN" for
# any other. Control words, escapes, braces, raw line ends (not text in RTF), or a run of
# text.
_RTF_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?[0-9]{1,10})? ?|\\'([0-9a-fA-F]{2})|"
                        rb"\\([^a-zA-Z])|([{}])|[\r\n]+|([^\\{}\r\n]+)")
# Groups whose text is no text of the document (tables, pictures, a field's instruction,
# "\*" destinations).
_RTF_SKIP = frozenset({
    b"fonttbl", b"colortbl", b"stylesheet", b"info", b"pict", b"object", b"header",
    b"footer", b"headerl", b"headerr", b"footerl", b"footerr", b"fldinst", b"themedata",
    b"colorschememapping", b"latentstyles", b"datastore", b"listtable", b"listoverridetable",
    b"rsidtbl", b"generator", b"xmlnstbl", b"mmathPr", b"filetbl", b"revtbl",
})
_RTF_WORDS = {
    b"par": "\n", b"line": "\n", b"sect": "\n", b"page": "\n", b"tab": "\t", b"cell": "\t",
    b"row": "\n", b"emdash": "\u2014", b"endash": "\u2013", b"bullet": "\u2022",
    b"lquote": "\u2018", b"rquote": "\u2019", b"ldblquote": "\u201c", b"rdblquote": "\u201d",
    b"emspace": "\u2003", b"enspace": "\u2002", b"qmspace": "\u2005",
}
_RTF_SYMBOLS = {b"\n": "\n", b"\r": "\n", b"~": "\xa0", b"_": "\u2011", b"-": "",
                b"\\": "\\", b"{": "{", b"}": "}", b"\t": "\t"}


def rtf_text(data: bytes) -> str:
    """The text of an RTF document."""
    codepage = "cp1252"
    found = re.search(rb"\\ansicpg([0-9]{3,5})", data[:4096])
    if found is not None:
        codepage = f"cp{int(found[1])}"
    try:
        b"".decode(codepage)
    except LookupError:
        codepage = "cp1252"
    out: list[str] = []
    stack: list[tuple[bool, int]] = []
    skipping = False
    skip_after_unicode = 1  # \ucN: characters that stand in for a \u character
    pending = 0  # of those, still to skip
    escaped = bytearray()  # \'hh bytes, decoded together (a double-byte code page)

    def flush() -> None:
        if escaped:
            out.append(escaped.decode(codepage, errors="replace"))
            escaped.clear()

    for token in _RTF_TOKEN.finditer(data):
        word, arg, hexed, symbol, brace, run = token.groups()
        if hexed is not None:
            if pending:
                pending -= 1
            elif not skipping:
                escaped.append(int(hexed, 16))
            continue
        flush()
        if brace is not None:
            if brace == b"{":
                stack.append((skipping, skip_after_unicode))
            elif stack:
                skipping, skip_after_unicode = stack.pop()
            pending = 0
            continue
        if word is not None:
            if word in _RTF_SKIP:
                skipping = True
            elif word == b"uc" and arg is not None:
                skip_after_unicode = max(0, int(arg))
            elif word == b"u" and arg is not None:
                if not skipping:
                    code = int(arg)
                    out.append(chr(code + 0x10000 if code < 0 else code))
                pending = skip_after_unicode
            elif not skipping and word in _RTF_WORDS:
                out.append(_RTF_WORDS[word])
            continue
        if symbol is not None:
            if symbol == b"*":
                skipping = True
            elif not skipping and symbol in _RTF_SYMBOLS:
                out.append(_RTF_SYMBOLS[symbol])
            continue
        if run is not None:
            if pending:
                skip = min(pending, len(run))
                run = run[skip:]
                pending -= skip
            if run and not skipping:
                out.append(run.decode(codepage, errors="replace"))
    flush()
    return "".join(out)


# ------------------------------------------------------------------ Safari web archives

def _web_archive(handle: BinaryIO, name: str) -> Document:
    """Safari's "Web Archive" (.webarchive): a property list whose main resource is the
    page's HTML, as Safari received it."""
    data = _bounded(handle, name, "a property list")
    try:
        archive = plistlib.loads(data)
        main = archive["WebMainResource"]
        html = main["WebResourceData"]
        charset = str(main.get("WebResourceTextEncodingName") or "utf-8")
        text = html.decode(charset, errors="replace")
    except (plistlib.InvalidFileException, KeyError, TypeError, AttributeError,
            ValueError, LookupError, OverflowError):
        raise ListingError(f"{name}: a property list (an Apple binary file), not a listing; "
                           f"{_SAVE_PAGE}") from None
    return Document(text, f"{name}: a Safari web archive; read the page it holds")
