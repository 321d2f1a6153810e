"""storage/forms/html.py: a saved page, read from its data-props JSON or else from its
rendered cards, card by card against the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.listing import parse_listing, read_listing
from tests.fixtures.forms.catalogue import PAPERS
from tests.storage.forms.helpers import FORMS, READ_ON, api_facts, assert_cards, page_facts, read


def test_saved_html_page() -> None:
    listing = read("html-daily.html")
    assert (listing.form, listing.listing_date) == ("html", "2026-10-02")
    assert listing.warnings == []
    assert_cards(listing, [page_facts(p, source_for_yearless="listing") for p in PAPERS])
    # Entities are decoded once; the text stays as the page showed it.
    assert listing.records[1].title.startswith('Teaching Small Models to Say "I Don\'t Know"')
    assert "Not A Card From A Script" not in {r.title for r in listing.records}


def test_saved_html_page_is_read_from_its_data_props_json() -> None:
    # The page as served holds the listing as JSON too: ids, author names, organisations,
    # summaries and keywords that the rendered cards do not show.
    listing = read("html-daily-props.html")
    assert (listing.form, listing.listing_date) == ("html", "2026-10-02")
    assert listing.warnings == []
    assert_cards(listing, [api_facts(p) for p in PAPERS])


@pytest.mark.parametrize("damage", [
    ('data-props="{&quot;periodType', 'data-props="{,&quot;periodType'),  # not JSON
    ("&quot;dailyPapers&quot;: [", "&quot;dailyPapers&quot;: [], &quot;x&quot;: ["),  # empty
])
def test_saved_html_page_without_usable_json_is_read_from_its_cards(
        damage: tuple[str, str]) -> None:
    text = (FORMS / "html-daily-props.html").read_text(encoding="utf-8")
    assert damage[0] in text
    listing = parse_listing(text.replace(damage[0], damage[1], 1), name="page.html",
                            reference=READ_ON)
    assert (listing.form, listing.listing_date) == ("html", "2026-10-02")
    assert_cards(listing, [page_facts(p, source_for_yearless="listing") for p in PAPERS])


# ----------------------------------------- "Webpage, Single File": the page as MHTML

def mhtml(html: str) -> str:
    """The page as Chrome's "Save as: Webpage, Single File" writes it: a MIME message
    whose first part is the HTML, quoted-printable, with the page's images after it."""
    import quopri
    boundary = "----MultipartBoundary--4X8yWq3Dz5mYdR1sFh2KpLcTjVbNuEaG----"
    body = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    return "\r\n".join([
        "From: <Saved by Blink>",
        "Snapshot-Content-Location: https://huggingface.co/papers",
        "Subject: Daily Papers - Hugging Face",
        "Date: Fri, 2 Oct 2026 08:15:02 -0000",
        "MIME-Version: 1.0",
        "Content-Type: multipart/related;",
        '\ttype="text/html";',
        f'\tboundary="{boundary}"',
        "",
        "",
        f"--{boundary}",
        "Content-Type: text/html",
        "Content-ID: <frame-6F1A2B3C4D5E@mhtml.blink>",
        "Content-Transfer-Encoding: quoted-printable",
        "Content-Location: https://huggingface.co/papers",
        "",
        body.replace("\n", "\r\n"),
        "",
        f"--{boundary}",
        "Content-Type: image/png",
        "Content-Transfer-Encoding: base64",
        "Content-Location: https://cdn-avatars.huggingface.co/google.png",
        "",
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "",
        f"--{boundary}--",
        "",
    ])


@pytest.mark.parametrize("name", ["html-daily.html", "html-daily-props.html"])
def test_a_page_saved_as_a_single_file_reads_as_the_page(name: str, tmp_path: Path) -> None:
    # Chrome's and Edge's "Webpage, Single File" (.mhtml): the HTML inside a MIME message,
    # quoted-printable ("=3D" for "=", lines cut with "="). It was refused as no listing.
    page = (FORMS / name).read_text(encoding="utf-8")
    saved = tmp_path / "page.mhtml"
    saved.write_bytes(mhtml(page).encode("ascii"))
    got = read_listing(saved)
    assert got.form == "html"
    assert got.records == read(name).records
    assert got.warnings == []


def test_the_command_imports_a_single_file_page(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys
    saved = tmp_path / "papers.mhtml"
    saved.write_bytes(mhtml((FORMS / "html-daily.html").read_text(encoding="utf-8"))
                      .encode("ascii"))
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "library.db"), "import",
         "--json", str(saved)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["files"]
    assert (report["form"], report["new"], report["warnings"]) == ("html", 15, [])


def mhtml_by_python(html: str) -> str:
    """The page as Python's email package (and savers built on one) writes a single-file
    page: the message's Content-Type first, then its other headers."""
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText
    message = MIMEMultipart("related", type="text/html")
    message["From"] = "<Saved by Blink>"
    message["Snapshot-Content-Location"] = "https://huggingface.co/papers"
    message["Subject"] = "Daily Papers - Hugging Face"
    part = MIMEText(html, "html", "utf-8")
    del part["Content-Transfer-Encoding"]
    part["Content-Transfer-Encoding"] = "quoted-printable"
    import quopri
    part.set_payload(quopri.encodestring(html.encode("utf-8")).decode("ascii"))
    part["Content-Location"] = "https://huggingface.co/papers"
    message.attach(part)
    return message.as_string()


@pytest.mark.parametrize("name", ["html-daily.html", "html-daily-props.html"])
def test_a_single_file_page_whose_headers_begin_with_its_content_type(
        name: str, tmp_path: Path) -> None:
    # Attack N31: refused as no listing (main 90959d0), then read as 5 of 15 papers from the
    # quoted-printable HTML once the MIME headers were taken for a preamble.
    page = (FORMS / name).read_text(encoding="utf-8")
    text = mhtml_by_python(page)
    assert text.startswith("Content-Type: multipart/related")
    saved = tmp_path / "page.mhtml"
    saved.write_text(text, encoding="ascii")
    got = read_listing(saved)
    assert (got.form, got.records, got.warnings) == ("html", read(name).records, [])
    if name == "html-daily.html":
        import json
        import subprocess
        import sys
        done = subprocess.run(
            [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "library.db"),
             "import", "--json", str(saved)],
            capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        (report,) = json.loads(done.stdout)["files"]
        assert (report["form"], report["new"], report["warnings"]) == ("html", 15, [])
