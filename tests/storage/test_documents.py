"""The page kept in another program's document (attack F42, N37).

Pasted into Word or LibreOffice (.docx, .odt), TextEdit or WordPad (RTF), an Evernote note
(.enex), a Jupyter notebook's Markdown cell, a JSON string; printed to PDF. Each was
refused with a line naming the wrong thing ("no Daily Papers listing found in it", "a zip
archive; unzip it"). The documents are made here as those programs write them, from every
text and Markdown fixture; read, each must give exactly the fixture's papers, with one
warning naming the document. What cannot be read exactly is refused saying what it is.
"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from storage.listing import ListingError, decode_listing, open_listing, read_listing

FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "forms"
PAGES = ["md-firecrawl.md", "md-reference-links.md", "md-trending-extraction.md",
         "md-clipper-date-page.md", "md-trending.md", "md-truncated.md", "text-daily.txt",
         "text-trending.txt", "text-date-page.txt", "text-urls-export.txt"]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _zip(members: dict[str, str], stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first is not None:  # OpenDocument: "mimetype" first, not compressed
            archive.writestr(stored_first, members.pop(stored_first),
                             compress_type=zipfile.ZIP_STORED)
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


def _word_run(text: str) -> str:
    # Word splits a line into runs, keeps its tabs as <w:tab/> and a leading or trailing
    # space with xml:space="preserve".
    pieces = text.split("\t")
    runs = "<w:tab/>".join(f'<w:t xml:space="preserve">{escape(p)}</w:t>' for p in pieces)
    return f"<w:r><w:rPr><w:rFonts w:ascii=\"Calibri\"/></w:rPr>{runs}</w:r>"


def _docx(text: str) -> bytes:
    """Word's document: a paragraph a line (Paste > Keep Text Only); a line with a link
    to a paper keeps it as a hyperlink around its run, as a rich paste does."""
    paragraphs = []
    for line in text.split("\n"):
        run = _word_run(line)
        if "/papers/" in line and len(line) > 40:
            half = len(line) // 2
            run = (_word_run(line[:half]) + '<w:hyperlink r:id="rId9" w:history="1">'
                   + _word_run(line[half:]) + "</w:hyperlink>")
        paragraphs.append(f'<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr>{run}</w:p>')
    body = "".join(paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{_W}" xmlns:r="http://schemas.openxmlformats.org/'
        f'officeDocument/2006/relationships"><w:body>{body}<w:sectPr/></w:body></w:document>')
    return _zip({
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.'
                               'openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships/>',
        "word/document.xml": document,
        "docProps/app.xml": '<?xml version="1.0"?><Properties/>',
    })


def _odf_line(line: str) -> str:
    # LibreOffice writes a run of spaces as one space and <text:s text:c="N"/>, a tab as
    # <text:tab/>.
    out = []
    for k, piece in enumerate(line.split("\t")):
        if k:
            out.append("<text:tab/>")
        spaces = 0
        for char in piece:
            if char == " ":
                spaces += 1
                continue
            if spaces:
                out.append(" " if spaces == 1 else f' <text:s text:c="{spaces - 1}"/>')
                spaces = 0
            out.append(escape(char))
        if spaces:
            out.append(" " if spaces == 1 else f' <text:s text:c="{spaces - 1}"/>')
    return "".join(out)


def _odt(text: str) -> bytes:
    paragraphs = "".join(f'<text:p text:style-name="P1">{_odf_line(line)}</text:p>'
                         for line in text.split("\n"))
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
        'office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'office:version="1.3"><office:automatic-styles/><office:body><office:text>'
        f'<text:sequence-decls/>{paragraphs}</office:text></office:body>'
        '</office:document-content>')
    return _zip({"mimetype": "application/vnd.oasis.opendocument.text",
                 "content.xml": content, "styles.xml": '<?xml version="1.0"?><x/>'},
                stored_first="mimetype")


def _rtf_escaped(line: str, unicode_form: str) -> str:
    """A line in RTF: "\\", "\\{", "\\}" escaped, a character of the code page as
    "\\'hh", any other as its UTF-16 units in ``unicode_form`` ("\\uc0\\u8212 " for
    TextEdit, "\\u8212?" for WordPad)."""
    out = []
    for char in line:
        if char in "\\{}":
            out.append("\\" + char)
        elif ord(char) < 128:
            out.append(char)
        else:
            try:
                out.append(f"\\'{char.encode('cp1252')[0]:02x}")
            except UnicodeEncodeError:
                units = char.encode("utf-16-le")
                for at in range(0, len(units), 2):
                    code = int.from_bytes(units[at:at + 2], "little")
                    out.append(unicode_form.format(code if code < 32768 else code - 65536))
    return "".join(out)


def _rtf_textedit(text: str) -> str:
    """TextEdit's RTF (its default format): a header, then each line ending in "\\"."""
    head = ("{\\rtf1\\ansi\\ansicpg1252\\cocoartf2761\n\\cocoatextscaling0"
            "\\cocoaplatform0{\\fonttbl\\f0\\fswiss\\fcharset0 Helvetica;}\n"
            "{\\colortbl;\\red255\\green255\\blue255;}\n{\\*\\expandedcolortbl;;}\n"
            "\\paperw11900\\paperh16840\\margl1440\\margr1440\\vieww11520\\viewh8400"
            "\\viewkind0\n\\pard\\tx566\\tx1133\\pardirnatural\\partightenfactor0\n\n"
            "\\f0\\fs24 \\cf0 ")
    lines = [_rtf_escaped(line, "\\uc0\\u{} ") for line in text.split("\n")]
    return head + "\\\n".join(lines) + "}"


def _rtf_wordpad(text: str) -> str:
    """WordPad's RTF: "\\par" and CR LF at each line's end, a generator group, a "?"
    after each \\uN for readers that cannot show it (\\uc1)."""
    head = ("{\\rtf1\\ansi\\ansicpg1252\\deff0\\nouicompat\\deflang1033{\\fonttbl"
            "{\\f0\\fnil\\fcharset0 Calibri;}}\r\n{\\*\\generator Riched20 10.0.19041}"
            "\\viewkind4\\uc1 \r\n\\pard\\sa200\\sl276\\slmult1\\f0\\fs22\\lang9 ")
    lines = [_rtf_escaped(line, "\\u{}?") for line in text.split("\n")]
    return head + "\\par\r\n".join(lines) + "\\par\r\n}\r\n"


def _enex(text: str) -> str:
    """Evernote's export: the note's text as XHTML, a <div> a line, <div><br/></div> for
    an empty one, in a CDATA section."""
    divs = "".join(f"<div>{escape(line)}</div>" if line else "<div><br/></div>"
                   for line in text.split("\n"))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE en-export SYSTEM '
            '"http://xml.evernote.com/pub/evernote-export4.dtd">\n<en-export export-date='
            '"20261130T091200Z" application="Evernote" version="10.70.2">\n  <note>\n'
            '    <title>Daily Papers</title>\n    <created>20261130T091200Z</created>\n'
            '    <content>\n      <![CDATA[<?xml version="1.0" encoding="UTF-8" standalone='
            '"no"?>\n<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
            f'<en-note>{divs}</en-note>      ]]>\n    </content>\n  </note>\n</en-export>\n')


def _notebook(text: str) -> str:
    """Jupyter's notebook: the page in a Markdown cell, a code cell beside it."""
    return json.dumps({
        "cells": [
            {"cell_type": "markdown", "id": "a1", "metadata": {},
             "source": text.splitlines(keepends=True)},
            {"cell_type": "code", "execution_count": None, "id": "b2", "metadata": {},
             "outputs": [], "source": ["import pandas as pd\n", "print('Oct 1')"]},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}, indent=1, ensure_ascii=False) + "\n"


DOCUMENTS: dict[str, tuple[Callable[[str], bytes | str], str]] = {
    "docx": (_docx, "a Word document (.docx); read the text of its paragraphs"),
    "odt": (_odt, "an OpenDocument text (.odt); read the text of its paragraphs"),
    "rtf-textedit": (_rtf_textedit, "an RTF document (TextEdit, WordPad); read its text"),
    "rtf-wordpad": (_rtf_wordpad, "an RTF document (TextEdit, WordPad); read its text"),
    "enex": (_enex, "an Evernote export (.enex); read the text of its notes"),
    "ipynb": (_notebook, "a Jupyter notebook; read the text of its Markdown cells"),
    "json-string": (lambda t: json.dumps(t) + "\n", "a JSON string; read the text it holds"),
    "json-object": (lambda t: json.dumps({"title": "Daily Papers", "created": "2026-11-30",
                                          "text": t}, indent=2),
                    "a JSON string; read the text it holds"),
}


def _write(path: Path, made: bytes | str) -> Path:
    if isinstance(made, str):
        path.write_text(made, encoding="utf-8")
    else:
        path.write_bytes(made)
    return path


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
@pytest.mark.parametrize("name", PAGES)
def test_a_page_kept_in_a_document_is_its_papers(tmp_path: Path, name: str, kind: str) -> None:
    text = (FORMS / name).read_text(encoding="utf-8")
    clean = read_listing(_write(tmp_path / "clean.txt", text))
    make, what = DOCUMENTS[kind]
    path = _write(tmp_path / "kept.doc", make(text))
    got = read_listing(path)
    assert got.form == clean.form
    assert got.records == clean.records
    said = [w.replace("clean.txt", "kept.doc") for w in clean.warnings]
    assert [w for w in got.warnings if w not in said] == [f"kept.doc: {what}"]
    with open_listing(path) as stream:
        assert list(stream) == clean.records


def test_decode_listing_gives_a_documents_text() -> None:
    text = (FORMS / "text-daily.txt").read_text(encoding="utf-8")
    assert decode_listing(_docx(text), "d.docx") == text + "\n"
    assert decode_listing(_rtf_textedit(text).encode("ascii"), "d.rtf") == text


REFUSED: dict[str, tuple[bytes, str]] = {
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
            "a PDF document, whose text is laid out on pages, not kept as the page's; import "
            "the page saved from the browser (Ctrl+S: an .html file) or copied as text "
            "(select all, copy, paste into a .txt file) instead"),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
            "an older Microsoft Office document (.doc, .xls, .ppt); save it as plain text "
            "(.txt) or Word's .docx and import that"),
    "xlsx": (_zip({"[Content_Types].xml": "<x/>", "xl/workbook.xml": "<x/>"}),
             "an Excel workbook (.xlsx), which keeps no copy of the page to read; import the "
             "page saved from the browser (Ctrl+S: an .html file) or copied as text (select "
             "all, copy, paste into a .txt file) instead"),
    "ods": (_zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                  "content.xml": "<x/>"}, stored_first="mimetype"),
            "an OpenDocument spreadsheet (.ods), which keeps no copy of the page to read; "
            "import the page saved from the browser (Ctrl+S: an .html file) or copied as "
            "text (select all, copy, paste into a .txt file) instead"),
    "pages": (_zip({"Index/Document.iwa": "\x00\x01", "Metadata/Properties.plist": "x"}),
              "an Apple Pages document; export it as Word or plain text (File > Export To) "
              "and import that"),
    "zip": (_zip({"page.md": "# Daily Papers"}),
            "a zip archive, not text; unzip it and import the listing inside"),
    # An entity that would expand a thousand-fold per level: never parsed.
    "docx-with-entities": (_zip({"word/document.xml": (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;'
        '&a;&a;&a;&a;&a;&a;&a;">]><w:document xmlns:w="' + _W + '"><w:body><w:p><w:r><w:t>'
        '&b;</w:t></w:r></w:p></w:body></w:document>')}),
        "a Word document (.docx) that could not be read (its word/document.xml is damaged); "
        "open it and save it as plain text (.txt), then import that"),
    "docx-damaged": (_zip({"word/document.xml": "<w:document><w:body><w:p>"}),
                     "a Word document (.docx) that could not be read (its word/document.xml "
                     "is damaged); open it and save it as plain text (.txt), then import "
                     "that"),
    "docx-empty": (_docx(""), "a Word document (.docx) with no text in it"),
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_a_document_that_holds_no_readable_page_is_named(tmp_path: Path, kind: str) -> None:
    data, says = REFUSED[kind]
    path = tmp_path / "page.md"  # whatever its name says, the bytes tell
    path.write_bytes(data)
    for opener in (read_listing, open_listing):
        with pytest.raises(ListingError) as caught:
            opener(path)
        assert str(caught.value) == f"page.md: {says}"


def test_text_that_only_begins_like_a_container_is_read_as_written(tmp_path: Path) -> None:
    # A JSON object of facts with no text of lines in it, an API paper: not a JSON string.
    api = (FORMS / "api-paper.json").read_text(encoding="utf-8")
    got = read_listing(_write(tmp_path / "p.json", api))
    assert got.form == "api"
    assert not any("JSON string" in w for w in got.warnings)
    with pytest.raises(ListingError, match=r"no Daily Papers listing found in it$"):
        read_listing(_write(tmp_path / "facts.json", '{"title": "x", "date": "Oct 1"}\n'))


@pytest.mark.parametrize("kind", ["docx", "odt", "rtf-textedit", "enex", "ipynb",
                                  "json-string"])
def test_winnow_import_reads_a_page_kept_in_a_document(tmp_path: Path, kind: str) -> None:
    text = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    clean = read_listing(_write(tmp_path / "clean.md", text))
    make, what = DOCUMENTS[kind]
    path = _write(tmp_path / f"papers.{kind}", make(text))
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         "--json", str(path)], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    (report,) = json.loads(run.stdout)["files"]
    assert (report["found"], report["new"], report["form"]) == (15, 15, "markdown")
    assert report["warnings"] == [f"papers.{kind}: {what}"]
    with sqlite3.connect(tmp_path / "lib.db") as conn:
        rows = conn.execute("SELECT title, arxiv_id, upvotes, abstract FROM papers "
                            "ORDER BY title").fetchall()
    assert rows == sorted((r.title, r.arxiv_id, r.upvotes, r.abstract) for r in clean.records)


def test_winnow_import_names_a_pdf_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "papers.pdf"
    path.write_bytes(REFUSED["pdf"][0])
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         str(path)], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == f"winnow: papers.pdf: {REFUSED['pdf'][1]}"
    if (tmp_path / "lib.db").exists():
        with sqlite3.connect(tmp_path / "lib.db") as conn:
            assert conn.execute("SELECT count(*) FROM papers").fetchone() == (0,)


def _webarchive(html: str) -> bytes:
    """Safari's "Web Archive": a binary property list, the page's HTML as its main
    resource's data, beside the resources it loaded."""
    import plistlib

    return plistlib.dumps({
        "WebMainResource": {
            "WebResourceData": html.encode("utf-8"),
            "WebResourceFrameName": "",
            "WebResourceMIMEType": "text/html",
            "WebResourceTextEncodingName": "UTF-8",
            "WebResourceURL": "https://huggingface.co/papers",
        },
        "WebSubresources": [{"WebResourceData": b"\x89PNG\r\n\x1a\n\x00\x00",
                             "WebResourceMIMEType": "image/png",
                             "WebResourceURL": "https://huggingface.co/avatars/1.png"}],
    }, fmt=plistlib.FMT_BINARY)


@pytest.mark.parametrize("name", ["html-daily.html", "html-daily-props.html"])
def test_a_safari_web_archive_is_the_page_it_holds(tmp_path: Path, name: str) -> None:
    html = (FORMS / name).read_text(encoding="utf-8")
    clean = read_listing(_write(tmp_path / "clean.html", html))
    got = read_listing(_write(tmp_path / "page.webarchive", _webarchive(html)))
    assert (got.form, got.records) == (clean.form, clean.records)
    said = [w.replace("clean.html", "page.webarchive") for w in clean.warnings]
    assert [w for w in got.warnings if w not in said] == [
        "page.webarchive: a Safari web archive; read the page it holds"]


def test_a_property_list_that_is_no_web_archive_is_named(tmp_path: Path) -> None:
    import plistlib

    path = _write(tmp_path / "x.plist", plistlib.dumps({"a": 1}, fmt=plistlib.FMT_BINARY))
    with pytest.raises(ListingError) as caught:
        read_listing(path)
    assert str(caught.value).startswith("x.plist: a property list (an Apple binary file), "
                                        "not a listing; import the page saved")


# The page kept as an Emacs Org file: `pandoc -t org` of the saved page or a Markdown copy
# (what org-web-tools runs). Its [[URL][TEXT]] links and "*** " headings were read as the
# page's text: one paper titled with Org markup for the saved page's 15, junk titles for a
# Markdown copy (attack F49). Pandoc's rewriting cannot be undone exactly: refused, named.
# tests/fixtures/documents/*.org: pandoc 2.17 -t org of the fixtures named.
ORG = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
ORG_REFUSAL = ("an Org-mode file (Emacs: org-web-tools, pandoc -t org), whose links and "
               "headings are Org's; import the page saved from the browser (Ctrl+S), or the "
               "copy the Org file was made from, instead")


@pytest.mark.parametrize("name", ["html-daily.org", "md-firecrawl.org", "md-trending.org"])
def test_a_page_kept_as_an_org_file_is_refused_naming_it(tmp_path: Path, name: str) -> None:
    path = tmp_path / "notes.org"
    path.write_bytes((ORG / name).read_bytes())
    for opener in (read_listing, open_listing):
        with pytest.raises(ListingError) as caught:
            opener(path)
        assert str(caught.value) == f"notes.org: {ORG_REFUSAL}"


def test_a_text_copy_under_org_headings_is_read() -> None:
    # An Org note the page was pasted into as text (no Org links): the page's papers.
    from datetime import date

    from storage.listing import parse_listing

    text = (FORMS / "text-daily.txt").read_text(encoding="utf-8")
    note = "#+TITLE: Reading\n* Papers\n  :PROPERTIES:\n  :CREATED: [2026-11-30]\n  :END:\n\n"
    got = parse_listing(note + text, name="n.org", reference=date(2026, 10, 2))
    assert got.records == parse_listing(text, name="n.org", reference=date(2026, 10, 2)).records


def test_winnow_import_refuses_an_org_file_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "papers.org"
    path.write_bytes((ORG / "html-daily.org").read_bytes())
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         str(path)], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == f"winnow: papers.org: {ORG_REFUSAL}"
    if (tmp_path / "lib.db").exists():
        with sqlite3.connect(tmp_path / "lib.db") as conn:
            assert conn.execute("SELECT count(*) FROM papers").fetchone() == (0,)


# A note rendered to HTML (`pandoc -s`, an editor's "Export to HTML") and imported as if it
# were the saved page: its login links became titles, its avatar rows organisations
# (attack F52). tests/fixtures/documents/*.pandoc.html: pandoc 2.17 -s -t html of the
# fixtures named.
NOTE_REFUSAL = ("a note rendered to HTML (by pandoc), not the page as the browser saves it; "
                "import the copy it was made from, or the page saved from the browser "
                "(Ctrl+S), instead")


@pytest.mark.parametrize("name", ["md-firecrawl.pandoc.html", "text-urls-export.pandoc.html"])
def test_a_note_rendered_to_html_is_refused_naming_its_tool(tmp_path: Path, name: str) -> None:
    path = tmp_path / "page.html"
    path.write_bytes((ORG / name).read_bytes())
    for opener in (read_listing, open_listing):
        with pytest.raises(ListingError) as caught:
            opener(path)
        assert str(caught.value) == f"page.html: {NOTE_REFUSAL}"


def test_winnow_import_refuses_a_rendered_note(tmp_path: Path) -> None:
    path = tmp_path / "papers.html"
    path.write_bytes((ORG / "md-firecrawl.pandoc.html").read_bytes())
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "lib.db"), "import",
         str(path)], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == f"winnow: papers.html: {NOTE_REFUSAL}"
