"""Copies that something carried to us (attack F29, F30, F32): an e-mail message or its
quoted-printable source, UTF-8 read as Windows-1252 and saved again, Unicode line
separators. Each must read as exactly the clean copy's papers, through a file, a text in
memory and a paste's lines, and through the real `winnow import` once."""

from __future__ import annotations

import email.message
import email.policy
import json
import quopri
import re
import sqlite3
import subprocess
import sys
import urllib.parse
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from storage.listing import Listing, ListingError, iter_listing, parse_listing, read_listing

FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "forms"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# Every text and Markdown form a page is saved in (HTML and JSON have no text to carry
# this way that is not also a saved page), and one of the older layout.
PAGES = ["md-firecrawl.md", "md-reference-links.md", "md-trending-extraction.md",
         "md-clipper-date-page.md", "md-trending.md", "md-truncated.md", "text-daily.txt",
         "text-trending.txt", "text-date-page.txt", "text-urls-export.txt", "seed-002"]


def _source(name: str) -> str:
    if name.startswith("seed-"):
        (path,) = SEEDS.glob(f"{name.removeprefix('seed-')}_*.txt")
        return path.read_text(encoding="utf-8")
    return (FORMS / name).read_text(encoding="utf-8")


def _message(text: str, cte: str, html: bool = False) -> str:
    """The page as the body of a mail saved whole (.eml), as Python's mail library writes
    one: headers, then the body in the given transfer encoding."""
    message = email.message.EmailMessage()
    message["From"] = "Alice <alice@example.org>"
    message["To"] = "me@example.org"
    message["Subject"] = "Fwd: Daily Papers"
    message["Date"] = "Mon, 30 Nov 2026 09:12:00 +0000"
    message.set_content(text, cte=cte)
    if html:  # a mail client's HTML alternative beside the plain text
        message.add_alternative("<html><body><p>see below</p></body></html>",
                                subtype="html", cte="quoted-printable")
    return message.as_string(policy=email.policy.SMTP)


def _mojibake(text: str) -> str:
    """UTF-8 decoded as Windows-1252 (the five bytes it leaves unmapped as Latin-1, as a
    lenient tool does) and saved as UTF-8."""
    raw = text.encode("utf-8")
    return "".join(bytes([b]).decode("cp1252", errors="strict") if b not in
                   (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b) for b in raw)


CARRIERS: dict[str, Callable[[str], str]] = {
    "eml-quoted-printable": lambda t: _message(t, "quoted-printable"),
    "eml-base64": lambda t: _message(t, "base64"),
    "eml-with-html-alternative": lambda t: _message(t, "quoted-printable", html=True),
    # The body alone, copied out of a message's source ("Show original").
    "quoted-printable-body": lambda t: quopri.encodestring(t.encode("utf-8")).decode("ascii"),
    "mojibake": _mojibake,
    "mojibake-twice": lambda t: _mojibake(_mojibake(t)),
    "line-separators": lambda t: t.replace("\n", "\u2028"),
    "paragraph-separators": lambda t: t.replace("\n\n", "\u2029").replace("\n", "\u2028"),
    "next-line": lambda t: t.replace("\n", "\x85"),
}
NOTES = {
    "eml-quoted-printable": "an e-mail message; read the text of its body "
                            "(quoted-printable decoded)",
    "eml-with-html-alternative": "an e-mail message; read the text of its body "
                                 "(quoted-printable decoded)",
    "eml-base64": "an e-mail message; read the text of its body (base64 decoded)",
    "quoted-printable-body": "quoted-printable text (an e-mail's source: \"=C2=B7\", \"=\" "
                             "at line ends); read decoded",
}


def _lines(text: str, name: str, reference: date) -> Listing:
    # As the app imports a paste: the clipboard's text split into lines.
    with iter_listing(text.splitlines(), name=name, reference=reference) as stream:
        return Listing(name=stream.name, listing_date=stream.listing_date,
                       listing_date_raw=stream.listing_date_raw, records=list(stream),
                       warnings=stream.warnings, form=stream.form,
                       capture_date=stream.capture_date)


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
@pytest.mark.parametrize("name", PAGES)
def test_a_carried_copy_is_its_papers(tmp_path: Path, name: str, carrier: str) -> None:
    text = _source(name)
    clean = tmp_path / "clean.txt"
    clean.write_text(text, encoding="utf-8")
    expected = read_listing(clean)
    assert expected.records
    carried_text = CARRIERS[carrier](text)
    if carrier.startswith("mojibake") and carried_text == text:
        pytest.skip("an ASCII page: nothing for a second decoding to change")
    carried = tmp_path / "carried.eml"
    carried.write_bytes(carried_text.encode("utf-8"))
    reference = date.fromtimestamp(carried.stat().st_mtime)
    for got in (read_listing(carried),
                parse_listing(carried_text, name="carried.eml", reference=reference),
                _lines(carried_text, "carried.eml", reference)):
        assert got.form == expected.form
        assert got.records == expected.records
        said = [w.replace("clean.txt", "carried.eml") for w in expected.warnings]
        notes = [w for w in got.warnings if w not in said]
        if carrier.startswith("mojibake"):
            [note] = notes
            assert note.startswith("carried.eml: text in it is UTF-8 that was read as "
                                   "Windows-1252 (")
        elif carrier in NOTES:
            assert notes == [f"carried.eml: {NOTES[carrier]}"]
        else:  # line ends are only line ends
            assert notes == []


def test_text_that_only_looks_carried_is_read_as_written() -> None:
    # A setext heading's "====" and an "=" in a URL are no quoted-printable; "São Paulo",
    # "Ångström", a lone "Â" and "à" before two no-break spaces (bytes of a UTF-8
    # character, read as cp1252) are no mojibake; one U+2028 inside an abstract is the
    # abstract's own (the file's line ends are newlines).
    page = _source("text-daily.txt")
    abstract = ("Serving long-context language models is bounded by the memory of the "
                "key-value cache")
    assert abstract in page
    odd = ("Lattice-KV in São Paulo and Ångström units, Â alone, voilà\u00a0\u00a0twice,"
           "\u2028with a line separator. " + abstract)
    text = "Daily Papers\n=====\n\n" + page.replace(abstract, odd)
    got = parse_listing(text, name="page.txt", reference=date(2026, 11, 30))
    clean = parse_listing(page, name="page.txt", reference=date(2026, 11, 30))
    assert len(got.records) == len(clean.records)
    [record] = [r for r in got.records if r.title.startswith("Lattice-KV")]
    # (the text reader makes the separator a space, as any line break inside an abstract)
    assert record.abstract.startswith("Lattice-KV in São Paulo and Ångström units, Â alone,")
    assert "voilà" in record.abstract
    assert not [w for w in got.warnings if "Windows-1252" in w or "quoted" in w]


def test_the_command_imports_a_saved_mail_as_the_page(tmp_path: Path) -> None:
    clean = tmp_path / "page.md"
    clean.write_text(_source("md-firecrawl.md"), encoding="utf-8")
    mail = tmp_path / "Fwd Daily Papers.eml"
    mail.write_text(_message(clean.read_text(encoding="utf-8"), "quoted-printable"),
                    encoding="utf-8", newline="")
    rows = {}
    for path in (clean, mail):
        db = tmp_path / f"{path.stem}.db"
        done = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(db),
                               "import", "--json", str(path)],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)["files"][0]
        with sqlite3.connect(db) as conn:
            rows[path] = sorted(conn.execute(
                "SELECT arxiv_id, title, abstract, upvotes, organization, authors_count,"
                " published, comments FROM papers"))
        if path == mail:
            assert report["warnings"] == [
                "Fwd Daily Papers.eml: an e-mail message; read the text of its body "
                "(quoted-printable decoded)"]
    assert rows[mail] == rows[clean]
    assert len(rows[clean]) >= 10


# Links behind a mail or document tool's redirect (attack F40): Microsoft 365 mail's Safe
# Links (the address percent-encoded), Google's (a Docs export, the address as it was),
# Slack's. Read as they were, every card lost its arXiv id and URL.
_ADDRESS = re.compile(r"https?://[^\s)\]>\"'<]+")


def _safelinks(text: str) -> str:
    return _ADDRESS.sub(lambda m: "https://eur03.safelinks.protection.outlook.com/?url="
                        + urllib.parse.quote(m[0], safe="") + "&data=05%7C02%7C%7Cabc%7C0"
                        "&sdata=xyz%3D&reserved=0", text)


WRAPPERS: dict[str, Callable[[str], str]] = {
    "safelinks": _safelinks,
    "google": lambda t: _ADDRESS.sub(lambda m: f"https://www.google.com/url?q={m[0]}&sa=D"
                                     "&source=editors&ust=1764580000000000&usg=AOvVaw0", t),
    "google-encoded": lambda t: _ADDRESS.sub(
        lambda m: "https://www.google.com/url?sa=t&url=" + urllib.parse.quote(m[0], safe="")
        + "&usg=AOvVaw0", t),
    "slack": lambda t: _ADDRESS.sub(
        lambda m: "https://slack-redir.net/link?url=" + urllib.parse.quote(m[0], safe=""), t),
}
LINKED = ["md-firecrawl.md", "md-search-highlight.md", "md-clipper-date-page.md",
          "md-trending.md", "text-urls-export.txt"]


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
@pytest.mark.parametrize("name", LINKED)
def test_links_behind_a_tools_redirect_are_the_addresses_they_carry(
        tmp_path: Path, name: str, wrapper: str) -> None:
    text = _source(name)
    clean = tmp_path / "clean.txt"
    clean.write_text(text, encoding="utf-8")
    expected = read_listing(clean)
    assert any(r.arxiv_id for r in expected.records)
    wrapped_text = WRAPPERS[wrapper](text)
    host = {"safelinks": "safelinks.protection", "slack": "slack-redir"}.get(wrapper,
                                                                         "google.com/url")
    assert wrapped_text.count(host) >= len(expected.records)
    wrapped = tmp_path / "wrapped.md"
    wrapped.write_text(wrapped_text, encoding="utf-8")
    reference = date.fromtimestamp(wrapped.stat().st_mtime)
    for got in (read_listing(wrapped),
                parse_listing(wrapped_text, name="wrapped.md", reference=reference),
                _lines(wrapped_text, "wrapped.md", reference)):
        assert got.records == expected.records
        said = [w.replace("clean.txt", "wrapped.md") for w in expected.warnings]
        assert [w for w in got.warnings if w not in said] == [
            "wrapped.md: its links go through a mail or document tool's redirect (Outlook "
            "Safe Links, Google, Slack); read as the addresses they carry"]


def test_a_redirect_to_no_web_address_is_left_as_it_is() -> None:
    text = _source("md-firecrawl.md")
    odd = "https://www.google.com/url?q=javascript:alert(1)"
    listing = parse_listing(text.replace("We release kernels", f"See {odd} We release kernels"),
                            name="x.md", reference=date(2026, 11, 30))
    assert any(odd in r.abstract for r in listing.records)


def test_the_command_reads_a_safelinks_copy_with_its_ids(tmp_path: Path) -> None:
    clean = tmp_path / "page.md"
    clean.write_text(_source("md-firecrawl.md"), encoding="utf-8")
    mailed = tmp_path / "mailed.md"
    mailed.write_text(_safelinks(clean.read_text(encoding="utf-8")), encoding="utf-8")
    rows = {}
    for path in (clean, mailed):
        db = tmp_path / f"{path.stem}.db"
        done = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(db),
                               "import", "--json", str(path)],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        with sqlite3.connect(db) as conn:
            rows[path] = sorted(conn.execute("SELECT arxiv_id, url, title FROM papers"))
    assert rows[mailed] == rows[clean]
    assert all(arxiv and url for arxiv, url, _ in rows[clean])


# A blank line after every line (attack F39): a Notion or Bear export, or line ends a
# Windows tool doubled to CR CR LF. The trending extraction lost the second line of each
# wrapped title (9 titles cut, 9 summaries lost, 9 junk papers on the real copy).
SPACINGS: dict[str, Callable[[str], str]] = {
    "double-spaced": lambda t: "\n\n".join(t.split("\n")),
    "cr-cr-lf": lambda t: t.replace("\n", "\r\r\n"),
}


@pytest.mark.parametrize("spacing", sorted(SPACINGS))
@pytest.mark.parametrize("name", PAGES)
def test_a_double_spaced_copy_is_its_papers(tmp_path: Path, name: str, spacing: str) -> None:
    text = _source(name)
    clean = tmp_path / "clean.txt"
    clean.write_text(text, encoding="utf-8")
    expected = read_listing(clean)
    spaced_text = SPACINGS[spacing](text)
    spaced = tmp_path / "spaced.txt"
    spaced.write_bytes(spaced_text.encode("utf-8"))
    reference = date.fromtimestamp(spaced.stat().st_mtime)
    for got in (read_listing(spaced),
                parse_listing(spaced_text, name="spaced.txt", reference=reference)):
        assert got.records == expected.records
        said = [w.replace("clean.txt", "spaced.txt") for w in expected.warnings]
        notes = [w for w in got.warnings if w not in said]
        assert notes in ([], ["spaced.txt: every line is followed by a blank line (a "
                              "double-spaced copy: a Notion or Bear export, or line ends "
                              "doubled); read without them"])


def test_the_trending_extraction_double_spaced_keeps_its_wrapped_titles(tmp_path: Path) -> None:
    text = _source("md-trending-extraction.md")
    wrapped = [r.title for r in parse_listing(text, name="t.md",
                                              reference=date(2026, 11, 30)).records]
    spaced = tmp_path / "t.md"
    spaced.write_text("\n\n".join(text.split("\n")), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "l.db"),
                           "import", "--json", str(spaced)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)["files"][0]
    assert report["warnings"] == [
        "t.md: every line is followed by a blank line (a double-spaced copy: a Notion or Bear "
        "export, or line ends doubled); read without them"]
    with sqlite3.connect(tmp_path / "l.db") as conn:
        assert sorted(r[0] for r in conn.execute("SELECT title FROM papers")) == sorted(wrapped)


# A copy pasted into a chat in parts and copied back out of it (attack F41): the chat's
# sender and time lines between the parts were a junk paper ("Alice 9:13 AM"), a lost
# card, a sender line at the head of abstracts. Made here as each app renders a copy of
# its messages: every message trimmed of blank lines at its ends, as chats keep them.
def _messages(text: str, limit: int) -> list[str]:
    """The text cut at line ends into messages of at most ``limit`` characters."""
    parts: list[list[str]] = [[]]
    size = 0
    for line in text.split("\n"):
        if size + len(line) + 1 > limit and parts[-1]:
            parts.append([])
            size = 0
        parts[-1].append(line)
        size += len(line) + 1
    return [m for m in ("\n".join(p).strip("\n") for p in parts) if m]


def _discord(text: str) -> str:
    # One sender: "Name — Today at 9:12 AM" over the first message, "[9:13 AM]" over each
    # later one; an edited message ends in " (edited)"; a reaction (emoji, count) under one.
    out = []
    for k, part in enumerate(_messages(text, 1990)):
        out.append("Alice — Today at 9:12 AM" if k == 0 else f"[9:{12 + k % 40:02d} AM]")
        out.append(part + (" (edited)" if k == 1 else ""))
        if k == 2:
            out.append("🔥\n3")
    return "\n".join(out) + "\n"


def _discord_24h(text: str) -> str:
    return "\n".join(("Alice — 30/11/2026 09:12" if k == 0 else f"[09:{12 + k % 40:02d}]")
                     + "\n" + part for k, part in enumerate(_messages(text, 1990))) + "\n"


def _slack(text: str) -> str:
    # "Name  9:12 AM" over a sender's first message, the bare time over the next ones in
    # the same minute group, the name again after a pause; reactions as ":name: count".
    out = []
    for k, part in enumerate(_messages(text, 3990)):
        out.append("Alice Smith  9:12 AM" if k % 3 == 0 else f"9:{12 + k % 40:02d}")
        out.append(part + (" (edited)" if k == 1 else ""))
        if k == 0:
            out.append(":+1: 2 :eyes: 1")
    return "\n".join(out) + "\n"


def _teams(text: str) -> str:
    return "\n".join(f"[11/30 9:{12 + k % 40:02d} AM] Alice Smith\n{part}"
                     for k, part in enumerate(_messages(text, 2800))) + "\n"


def _whatsapp(prefix: Callable[[int], str]) -> Callable[[str], str]:
    # The prefix before each message's first line; an edited message ends in WhatsApp's
    # "<This message was edited>".
    def made(text: str) -> str:
        return "\n".join(prefix(k) + part + (" <This message was edited>" if k == 1 else "")
                         for k, part in enumerate(_messages(text, 400))) + "\n"
    return made


CHATS: dict[str, Callable[[str], str]] = {
    "discord": _discord,
    "discord-24h": _discord_24h,
    "slack": _slack,
    "teams": _teams,
    "whatsapp-copy": _whatsapp(lambda k: f"[09:{12 + k % 40:02d}, 30/11/2026] Alice: "),
    "whatsapp-export": _whatsapp(lambda k: f"[30/11/2026, 09:{12 + k % 40:02d}:33] Alice: "),
    "whatsapp-android": _whatsapp(lambda k: f"30/11/2026, 09:{12 + k % 40:02d} - Alice: "),
    # A paragraph a message (pasted card by card): the blank lines between them are gone.
    "whatsapp-paragraphs": lambda text: "\n".join(
        f"[09:{12 + k % 40:02d}, 30/11/2026] Alice: {part.strip(chr(10))}"
        for k, part in enumerate(text.split("\n\n")) if part.strip()) + "\n",
}
APPS = {"discord": "Discord", "discord-24h": "Discord", "slack": "Slack", "teams": "Teams"}


@pytest.mark.parametrize("chat", sorted(CHATS))
@pytest.mark.parametrize("name", PAGES)
def test_a_copy_pasted_into_a_chat_in_parts_is_its_papers(tmp_path: Path, name: str,
                                                          chat: str) -> None:
    text = _source(name)
    clean = tmp_path / "clean.txt"
    clean.write_text(text, encoding="utf-8")
    expected = read_listing(clean)
    chatted_text = CHATS[chat](text)
    # More than one message: the parts are glued by the chat's lines.
    assert len(_messages(text, 2800)) > 1
    chatted = tmp_path / "chat.txt"
    chatted.write_text(chatted_text, encoding="utf-8")
    reference = date.fromtimestamp(chatted.stat().st_mtime)
    for got in (read_listing(chatted),
                parse_listing(chatted_text, name="chat.txt", reference=reference),
                _lines(chatted_text, "chat.txt", reference)):
        assert got.form == expected.form
        assert got.records == expected.records
        said = [w.replace("clean.txt", "chat.txt") for w in expected.warnings]
        app = APPS.get(chat, "WhatsApp")
        assert [w for w in got.warnings if w not in said] == [
            f"chat.txt: a copy out of a chat ({app}): read without the chat's sender and time "
            f"lines between its messages"]


def test_lines_that_only_look_like_a_chats_are_the_pages() -> None:
    # A chat's line inside a copy that does not begin as a chat's copy is the copy's own
    # text: an abstract line "[9:13 AM]" stays in it.
    text = _source("text-daily.txt")
    k = text.index("We release kernels")
    odd = text[:k] + "[9:13 AM] " + text[k:]
    got = parse_listing(odd, name="x.txt", reference=date(2026, 10, 2))
    assert "[9:13 AM] We release kernels" in got.records[0].abstract
    assert not any("chat" in w for w in got.warnings)
    # A note's first line with a time in it is no chat's sender line.
    for note in ("Papers for the 10:30 meeting\n\n", "Standup notes 9:12\n\n"):
        got = parse_listing(note + odd, name="x.txt", reference=date(2026, 10, 2))
        assert "[9:13 AM] We release kernels" in got.records[0].abstract
        assert not any("chat" in w for w in got.warnings)


def test_the_command_reads_a_discord_copy_as_the_page(tmp_path: Path) -> None:
    text = _source("md-firecrawl.md")
    clean = read_listing_text(tmp_path, text)
    chatted = tmp_path / "chat.md"
    chatted.write_text(_discord(text), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "l.db"),
                           "import", "--json", str(chatted)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)["files"][0]
    assert report["found"] == len(clean.records) == 15
    assert "chat.md: a copy out of a chat (Discord): read without the chat's sender and time " \
           "lines between its messages" in report["warnings"]
    with sqlite3.connect(tmp_path / "l.db") as conn:
        rows = conn.execute("SELECT title, abstract, upvotes, comments, arxiv_id FROM papers "
                            "ORDER BY title").fetchall()
    assert rows == sorted((r.title, r.abstract, r.upvotes, r.comments, r.arxiv_id)
                          for r in clean.records)


def read_listing_text(tmp_path: Path, text: str) -> Listing:
    clean = tmp_path / "clean.md"
    clean.write_text(text, encoding="utf-8")
    return read_listing(clean)


def test_a_wrapped_title_in_a_whatsapp_message_of_its_own_is_whole() -> None:
    # The trending extraction wraps a long title onto an indented second line with a blank
    # line under it; pasted card part by card part into WhatsApp, the blank line went with
    # the message's end and the summary ran into the title (the real extraction: 2 junk
    # papers, their titles cut).
    text = _source("md-trending-extraction.md")
    title = "Lattice-KV: Compressing the Key-Value Cache with Learned Product Quantizers"
    cut = title.index(" Product")
    wrapped = text.replace(f"### {title}", f"### {title[:cut]}\n  {title[cut + 1:]}")
    clean = parse_listing(text, name="x.md", reference=date(2026, 10, 2))
    assert parse_listing(wrapped, name="x.md", reference=date(2026, 10, 2)).records == \
        clean.records
    got = parse_listing(CHATS["whatsapp-paragraphs"](wrapped), name="x.md",
                        reference=date(2026, 10, 2))
    assert got.records == clean.records
    assert got.records[0].title == title


# The page printed to PDF by a browser (Ctrl+P, "Save as PDF") and its text copied out: the
# print's header (date and time, the page's title) over every sheet, its footer (the address,
# "N/M") under it (attack F51: a junk paper named after the header, a card lost, footer text
# in abstracts). Made here as Chrome's print lays a sheet out, 48 lines a sheet.
def _printed(header: str, sep: str) -> Callable[[str], str]:
    def made(text: str) -> str:
        lines = text.split("\n")
        sheets = [lines[k:k + 48] for k in range(0, len(lines), 48)]
        return "\n".join(
            "\n".join([header, *sheet, f"https://huggingface.co/papers{sep}{n}/{len(sheets)}"])
            for n, sheet in enumerate(sheets, start=1)) + "\n"
    return made


PRINTS: dict[str, Callable[[str], str]] = {
    "chrome": _printed("12/1/26, 9:12 AM\tDaily Papers - Hugging Face", "\t"),
    "chrome-24h": _printed("01/12/2026, 09:12   Daily Papers - Hugging Face", "   "),
    "safari": _printed("12/1/26, 9:12\u202fAM  Trending Papers - Hugging Face", "  "),
}


@pytest.mark.parametrize("printer", sorted(PRINTS))
@pytest.mark.parametrize("name", PAGES)
def test_a_page_printed_to_pdf_and_copied_out_is_its_papers(tmp_path: Path, name: str,
                                                            printer: str) -> None:
    text = _source(name)
    clean = tmp_path / "clean.txt"
    clean.write_text(text, encoding="utf-8")
    expected = read_listing(clean)
    printed_text = PRINTS[printer](text)
    printed = tmp_path / "print.txt"
    printed.write_text(printed_text, encoding="utf-8")
    reference = date.fromtimestamp(printed.stat().st_mtime)
    for got in (read_listing(printed),
                parse_listing(printed_text, name="print.txt", reference=reference),
                _lines(printed_text, "print.txt", reference)):
        assert got.records == expected.records
        said = [w.replace("clean.txt", "print.txt") for w in expected.warnings]
        assert [w for w in got.warnings if w not in said] == [
            "print.txt: the page as printed (a PDF's text): read without the print's header "
            "and footer lines"]


def test_a_date_over_a_copy_is_no_print() -> None:
    # A note's first line with a date and time, and no print's footer: the copy as it is.
    text = "12/1/26, 9:12 AM  saved from HF\n\n" + _source("text-daily.txt")
    got = parse_listing(text, name="x.txt", reference=date(2026, 10, 2))
    assert len(got.records) == 15
    assert not any("printed" in w for w in got.warnings)


def test_the_command_reads_the_text_of_a_printed_page(tmp_path: Path) -> None:
    text = _source("text-date-page.txt")
    clean = read_listing_text(tmp_path, text)
    printed = tmp_path / "print.txt"
    printed.write_text(PRINTS["chrome"](text), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "l.db"),
                           "import", "--json", str(printed)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)["files"][0]
    assert report["found"] == len(clean.records) == 10
    with sqlite3.connect(tmp_path / "l.db") as conn:
        rows = conn.execute("SELECT title, abstract, upvotes, comments FROM papers "
                            "ORDER BY title").fetchall()
    assert rows == sorted((r.title, r.abstract, r.upvotes, r.comments) for r in clean.records)


# A copy rendered in an HTML mail and read back as the mail's plain text (Gmail's and
# Thunderbird's plain-text part): links "TEXT <URL>" ("TEXT<URL>" in Outlook), images
# "[image: ALT]", a card's date run into its comment count (attack F50: 245 junk papers for
# the real firecrawl copy). Refused in one line, naming it.
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)\s]*\)")
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\((https?://[^)\s]+)\)")


def _mail_text(text: str, gap: str) -> str:
    text = _MD_IMAGE.sub(lambda m: f"[image: {m[1]}]", text)
    return _MD_LINK.sub(lambda m: f"{m[1]}{gap}<{m[2]}>", text)


MAIL_REFUSAL = ("a mail's plain text of the page (each link written \"text <URL>\"), in which "
                "a card's date runs into its comment count; import the copy that was mailed "
                "(the Markdown file, or the page saved from the browser) instead")


@pytest.mark.parametrize("gap", [" ", ""], ids=["gmail", "outlook"])
@pytest.mark.parametrize("name", ["md-firecrawl.md", "md-trending.md",
                                  "md-clipper-date-page.md", "md-search-highlight.md"])
def test_a_mails_plain_text_of_a_copy_is_refused_naming_it(tmp_path: Path, name: str,
                                                           gap: str) -> None:
    mailed = _mail_text(_source(name), gap)
    assert mailed.count(f"{gap}<https://huggingface.co/") >= 3
    path = tmp_path / "mail.txt"
    path.write_text(mailed, encoding="utf-8")
    for read in (lambda: read_listing(path),
                 lambda: parse_listing(mailed, name="mail.txt", reference=date(2026, 10, 2)),
                 lambda: _lines(mailed, "mail.txt", date(2026, 10, 2))):
        with pytest.raises(ListingError) as caught:
            read()
        assert str(caught.value) == f"mail.txt: {MAIL_REFUSAL}"


def test_a_copy_with_a_link_or_two_written_so_is_read() -> None:
    # An abstract that ends in an address in angle brackets is the page's text.
    text = _source("text-daily.txt")
    k = text.index("We release kernels")
    odd = text[:k] + "Code <https://huggingface.co/lattice>\n" + text[k:]
    got = parse_listing(odd, name="x.txt", reference=date(2026, 10, 2))
    assert len(got.records) == 15


# A copy shown with its line numbers and copied so (`cat -n`, `nl -ba`): the numbers ran
# into counts and titles (attack N40: 24 junk papers for the trending page's 12).
def _cat_n(text: str) -> str:
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()
    return "".join(f"{k:6d}\t{line}\n" for k, line in enumerate(lines, start=1))


@pytest.mark.parametrize("name", PAGES)
def test_a_copy_with_its_line_numbers_is_its_papers(tmp_path: Path, name: str) -> None:
    text = _source(name)
    clean = tmp_path / "clean.txt"
    clean.write_text(text, encoding="utf-8")
    expected = read_listing(clean)
    numbered_text = _cat_n(text)
    numbered = tmp_path / "n.txt"
    numbered.write_text(numbered_text, encoding="utf-8")
    reference = date.fromtimestamp(numbered.stat().st_mtime)
    for got in (read_listing(numbered),
                parse_listing(numbered_text, name="n.txt", reference=reference),
                _lines(numbered_text, "n.txt", reference)):
        assert got.records == expected.records
        said = [w.replace("clean.txt", "n.txt") for w in expected.warnings]
        assert [w for w in got.warnings if w not in said] == [
            "n.txt: every line begins with its number (cat -n); read without them"]


def test_numbers_that_do_not_count_the_lines_are_the_texts() -> None:
    # A list of counts and names ("1\tAlice", "3\tBob"): not numbered lines.
    text = "1\tfirst\n3\tthird\n4\tfourth\n5\tfifth\n6\tsixth\n7\tseventh\n"
    with pytest.raises(ListingError, match=r"no Daily Papers listing found in it$"):
        parse_listing(text, name="x.txt")


def test_the_command_reads_a_numbered_copy(tmp_path: Path) -> None:
    text = _source("text-trending.txt")
    clean = read_listing_text(tmp_path, text)
    numbered = tmp_path / "n.txt"
    numbered.write_text(_cat_n(text), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "l.db"),
                           "import", "--json", str(numbered)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"][0]["found"] == len(clean.records) == 12
    with sqlite3.connect(tmp_path / "l.db") as conn:
        rows = conn.execute("SELECT title, ai_summary, upvotes FROM papers ORDER BY title"
                            ).fetchall()
    assert rows == sorted((r.title, r.ai_summary, r.upvotes) for r in clean.records)


# The page pasted into a spreadsheet, a line a row in its first column, saved as CSV
# (attack N39: quotes kept in titles and abstracts, two cards lost).
def _sheet(text: str) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # quotes only where needed, as sheets do
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()
    for line in lines:
        writer.writerow([line])
    return out.getvalue()


@pytest.mark.parametrize("name", PAGES)
def test_a_page_pasted_into_one_column_of_a_sheet_is_its_papers(tmp_path: Path,
                                                                name: str) -> None:
    text = _source(name)
    clean = tmp_path / "clean.txt"
    clean.write_text(text, encoding="utf-8")
    expected = read_listing(clean)
    sheet_text = _sheet(text)
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(sheet_text.encode("utf-8"))
    reference = date.fromtimestamp(sheet.stat().st_mtime)
    for got in (read_listing(sheet),
                parse_listing(sheet_text, name="sheet.csv", reference=reference),
                _lines(sheet_text, "sheet.csv", reference)):
        assert got.records == expected.records
        said = [w.replace("clean.txt", "sheet.csv") for w in expected.warnings]
        assert [w for w in got.warnings if w not in said] == [
            "sheet.csv: a one-column CSV (the page pasted into a spreadsheet); read its cells "
            "as the page's lines"]


def test_the_command_reads_a_one_column_sheet(tmp_path: Path) -> None:
    text = _source("text-daily.txt")
    clean = read_listing_text(tmp_path, text)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(_sheet(text), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "l.db"),
                           "import", "--json", str(sheet)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"][0]["found"] == len(clean.records) == 15
    with sqlite3.connect(tmp_path / "l.db") as conn:
        rows = conn.execute("SELECT title, abstract FROM papers ORDER BY title").fetchall()
    assert rows == sorted((r.title, r.abstract) for r in clean.records)


@pytest.mark.parametrize("chat", ["whatsapp", "discord"])
def test_a_message_that_goes_on_with_a_wrapped_title_keeps_it_whole(chat: str) -> None:
    # The message ends inside a title wrapped onto an indented second line: the next
    # message goes on with it (the real trending extraction in 400-character WhatsApp
    # messages: 5 junk papers, titles cut, when every message was made a paragraph).
    text = _source("md-trending-extraction.md")
    title = "Lattice-KV: Compressing the Key-Value Cache with Learned Product Quantizers"
    cut = title.index(" Product")
    wrapped = text.replace(f"### {title}", f"### {title[:cut]}\n  {title[cut + 1:]}")
    first, second = wrapped.split("\n  Product", 1)
    second = "  Product" + second
    if chat == "whatsapp":
        chatted = (f"[09:12, 30/11/2026] Alice: {first}\n"
                   f"[09:13, 30/11/2026] Alice: {second}")
    else:
        chatted = f"Alice — Today at 9:12 AM\n{first}\n[9:13 AM]\n{second}"
    clean = parse_listing(text, name="x.md", reference=date(2026, 10, 2))
    got = parse_listing(chatted, name="x.md", reference=date(2026, 10, 2))
    assert got.records == clean.records
    assert got.records[0].title == title
