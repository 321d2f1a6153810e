"""Undo what carried a copy to us before any form's reader sees it.

A copy of the page that went through an e-mail (a saved ``.eml``, a message's raw source
with its quoted-printable body), through a tool that read UTF-8 as Windows-1252 and saved
the result as UTF-8 again ("â€™" for "’", "Â·" for "·"), or through an editor that ends
its lines with Unicode line separators is still the page: left as it was, the readers
took "=C2=B7" and "Â" for organisations, cut titles at "=" soft line breaks, or found no
listing at all (attack F29, F30, F32). Each undoing is decided by the text itself, is
exact (nothing is guessed), and is said in a warning naming the file, except for line
separators, which are only line ends.

Pure standard library; no Qt.
"""

from __future__ import annotations

import codecs
import csv
import email
import email.policy
import html.parser
import io
import itertools
import json
import quopri
import re
import urllib.parse
from email.message import EmailMessage
from xml.etree import ElementTree

from storage.records import ListingError

__all__ = [
    "HEAD",
    "line_separated",
    "mojibaked",
    "transported_head",
    "uncontained",
    "undoubled",
    "unmojibaked",
    "untransported",
    "unwrapped_links",
]


# ------------------------------------------------------------------ line separators

# U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR and NEL end the lines of text from
# some editors and converters. One of them inside an abstract is the page's own text
# (kept); a text where they outnumber the newlines uses them as its line ends.
_SEPARATORS = ("\u2028", "\u2029", "\x85")


# Each undoing is judged from the text's head, as its form is: scanning every character of
# a page of 20k papers for these marks cost a fifth of its parsing.
HEAD = 1 << 16


def line_separated(text: str) -> str:
    """The text with Unicode line separators as newlines, when they are its line ends."""
    head = text[:HEAD]
    if not any(sep in head for sep in _SEPARATORS):
        return text
    if sum(head.count(sep) for sep in _SEPARATORS) <= head.count("\n"):
        return text
    return text.replace("\u2029", "\n\n").replace("\u2028", "\n").replace("\x85", "\n")


# -------------------------------------------------------------- double spacing

# A copy with a blank line after every line: a Notion or Bear export (each line a block), a
# text whose line ends a Windows tool doubled (CR CR LF). Most readers took it as it was, but
# a title wrapped onto a second line was no longer one title (attack F39: 9 titles cut on
# the real trending extraction). Told by every second line being blank while the copy's own
# blank lines became runs of three; a copy whose parts are paragraphs of one line each (a
# scraper's) has lines of its own side by side somewhere (front matter, avatar rows).
_DOUBLED_MIN_LINES = 40
_DOUBLED_RUNS = 2


def _doubled(lines: list[str]) -> bool:
    return len(lines) >= _DOUBLED_MIN_LINES and not any(
        line.strip() for line in itertools.islice(lines, 1, None, 2))


def undoubled(text: str, name: str, warnings: list[str]) -> str:
    """The text without the blank line after each of its lines, when it is double-spaced
    (judged from the head, then the whole checked)."""
    head = text[:HEAD]
    if head.count("\n\n\n\n") < _DOUBLED_RUNS:
        return text
    if not _doubled(head.split("\n")[:-1]):
        return text
    lines = text.split("\n")
    if not _doubled(lines):
        return text
    warnings.append(f"{name}: every line is followed by a blank line (a double-spaced copy: "
                    f"a Notion or Bear export, or line ends doubled); read without them")
    return "\n".join(lines[0::2])


# ------------------------------------------------------------------------- mojibake


def _cp1252_table() -> str:
    # cp1252 leaves five bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) unmapped; a file that has them is
    # still text, so they fall back to their Latin-1 meaning (the import reads them so, and
    # text a tool decoded that way encodes back byte for byte).
    chars = []
    for b in range(256):
        try:
            chars.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(b))
    return "".join(chars)


CP1252_TABLE = _cp1252_table()
_TABLE = CP1252_TABLE
_ENCODE = codecs.charmap_build(_TABLE)
_HIGH = "".join(sorted(set(_TABLE[0x80:])))
_CONTINUATION = "".join(sorted(set(_TABLE[0x80:0xC0])))
# A UTF-8 lead byte (0xC2-0xF4) read as cp1252, then a continuation byte (0x80-0xBF)
# read as cp1252: the mark of UTF-8 decoded as Windows-1252. Text never has these pairs
# of its own ("Ã©", "Â·", "â€"), and a run of such characters that encodes back to valid
# UTF-8 is decoded; a run that does not ("é" alone) is left as it is.
_MOJIBAKE = re.compile(f"[{re.escape(_TABLE[0xC2:0xF5])}][{re.escape(_CONTINUATION)}]")
_HIGH_RUN = re.compile(f"[{re.escape(_HIGH)}]+")
# What a text must show to be taken for one decoded so: the pairs every such copy of the
# page is full of ("Â·" for the "·" of each card, "Ã©" for "é", "â€™" for "’"), several
# times. One lead and continuation pair alone ("à" before two no-break spaces) can be
# text as written.
_SIGNATURE = re.compile(f"[\u00c2\u00c3][{re.escape(_CONTINUATION)}]|"
                        f"\u00e2\u20ac[{re.escape(_CONTINUATION)}]")
_SIGNATURES = 3


def _fixed_run(match: re.Match[str]) -> str:
    run = match.group()
    if _MOJIBAKE.search(run) is None:
        return run
    try:
        return codecs.charmap_encode(run, "strict", _ENCODE)[0].decode("utf-8")
    except UnicodeDecodeError:
        return run


def _example(text: str, start: int) -> str:
    """One character's worth of the mojibake at ``start`` and what it was ("Â·" for "·")."""
    lead = ord(text[start])
    shown = text[start:start + (2 if lead < 0xE0 else 3 if lead < 0xF0 else 4)]
    try:
        was = codecs.charmap_encode(shown, "strict", _ENCODE)[0].decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return f'"{shown}"'
    return f'"{shown}" for "{was}"'


def mojibaked(head: str) -> bool:
    """Whether a text whose head this is was UTF-8 read as Windows-1252 (a tool decodes a
    whole file one way: its head says how)."""
    found = _SIGNATURE.finditer(head, 0, HEAD)
    return sum(1 for _ in itertools.islice(found, _SIGNATURES)) == _SIGNATURES


def unmojibaked(text: str, name: str, warnings: list[str]) -> str:
    """The text with UTF-8 that was read as Windows-1252 read as UTF-8 again (twice read:
    twice undone), warning once per file."""
    for _ in range(2):
        found = _MOJIBAKE.search(text)
        if found is None:
            return text
        fixed = _HIGH_RUN.sub(_fixed_run, text)
        if fixed == text:
            return text
        note = f"{name}: text in it is UTF-8 that was read as Windows-1252"
        if not any(w.startswith(note) for w in warnings):
            warnings.append(f"{note} ({_example(text, found.start())}); read as UTF-8")
        text = fixed
    return text


# -------------------------------------------------------------------------- e-mail

# A message saved whole (.eml, "Show original" / "View source" of a mail): header lines
# first, a blank line, the body. The page saved as a single file (.mhtml) is a MIME
# message too, but the detector reads that one as the page it holds.
_HEADER = re.compile(r"[A-Za-z][A-Za-z0-9-]*:[ \t]")
_MAIL_HEADERS = ("from", "to", "subject", "date", "mime-version", "content-type",
                 "received", "return-path", "message-id", "delivered-to")
_HEAD_LINES = 60


def _is_message(text: str) -> bool:
    names: list[str] = []
    for line in text[:8192].lstrip("\n").split("\n")[:_HEAD_LINES]:
        if not line.strip():
            break
        if line[0] in " \t" and names:
            continue  # a folded header's next line
        if _HEADER.match(line) is None:
            return False
        names.append(line.split(":", 1)[0].lower())
    else:
        return False
    known = [n for n in names if n in _MAIL_HEADERS]
    return len(known) >= 2 and ("content-type" in known or "mime-version" in known
                                or "from" in known)


def _message_text(text: str) -> tuple[str, str] | None:
    """The text of an e-mail message's body (plain text before HTML) and how it was
    encoded; None when it holds no text part."""
    message = email.message_from_string(text, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        return None
    if "multipart/related" in message.get_content_type():
        return None  # a single-file page (.mhtml): the detector's
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return None
    try:
        content = body.get_content()
    except (LookupError, UnicodeError, ValueError):
        payload = body.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return None
        content = payload.decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return None
    encoding = (body.get("Content-Transfer-Encoding") or "").strip().lower()
    return content.replace("\r\n", "\n").replace("\r", "\n"), encoding


# A quoted-printable body without its headers (copied out of a message's source): every
# "=" is an escape ("=3D" for "=" itself, "=C2=B7" for "·") or a soft line break ending
# a line, and no line is longer than 76 characters. A page's own text has "=" in its
# URLs ("?next=%2F"), which no quoted-printable text can.
_QP_ESCAPES = re.compile(r"=(?:[0-9A-F]{2}|\n)")
_QP_NOT_ESCAPE = re.compile(r"=(?![0-9A-F]{2}|\n|\Z)")
_QP_MIN_ESCAPES = 3
_QP_LINE = 78  # 76 by the standard; a little room for the tools that overrun it


def _is_quoted_printable(text: str) -> bool:
    head = text[:HEAD]
    if "=\n" not in head or not head.isascii() or _QP_NOT_ESCAPE.search(head):
        return False
    if len(_QP_ESCAPES.findall(head)) < _QP_MIN_ESCAPES:
        return False
    # Judged by its head; then all of it must be quoted-printable to be decoded so.
    return (text.isascii() and _QP_NOT_ESCAPE.search(text) is None
            and max(len(line) for line in text.split("\n")) <= _QP_LINE)


def _unquoted_printable(text: str) -> str:
    raw = quopri.decodestring(text.encode("ascii"))
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = codecs.charmap_decode(raw, "strict", _TABLE)[0]
    return decoded.replace("\r\n", "\n").replace("\r", "\n")


# ----------------------------------------------------------------- wrapped links

# Mail and document tools put every link behind a redirect of their own: Outlook's Safe
# Links (Microsoft 365 mail), Google's (a Docs or Gmail export), Slack's. A reader saw the
# redirect, not the paper's page: every card lost its arXiv id and URL (attack F40). The
# address the redirect carries is in its url= (q=) parameter, percent-encoded.
_WRAPPER_MARKS = ("safelinks.protection.outlook.com/", "google.com/url?", "slack-redir.net/")
_URL_END = r"[^\s)\]>\"'<]"
_WRAPPED = re.compile(
    r"https?://(?:[\w-]+\.)?(?:safelinks\.protection\.outlook\.com/|(?:www\.)?google\.com/url"
    r"|slack-redir\.net/link)\?(?:" + _URL_END + r"*?&(?:amp;)?)?(?:url|q)=(" + _URL_END
    + r"+?)(?=&|[\s)\]>\"'<]|$)" + _URL_END + "*")
# Characters an unwrapped address keeps escaped: as they were, they would end a Markdown
# link or a text's URL.
_KEEP_ESCAPED = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E",
                               '"': "%22", "[": "%5B", "]": "%5D", "\n": "%0A"})


def _carried(match: re.Match[str]) -> str:
    # Encoded ("https%3A%2F%2F...", Safe Links) or as it was (Google's "q=https://...", whose
    # own escapes, "next=%2Fpapers%2F...", must stay).
    address = match[1] if "://" in match[1] else urllib.parse.unquote(match[1])
    if not address.startswith(("http://", "https://")):
        return match[0]  # a redirect to something that is no web address: left as it is
    return address.translate(_KEEP_ESCAPED)


def unwrapped_links(text: str, name: str, warnings: list[str]) -> str:
    """The text with each link a mail or document tool wrapped in its redirect as the
    address it carries (judged from the head: a clean copy costs three searches of it)."""
    head = text[:HEAD]
    if not any(mark in head for mark in _WRAPPER_MARKS):
        return text
    text, count = _WRAPPED.subn(_carried, text)
    if count:
        warnings.append(f"{name}: its links go through a mail or document tool's redirect "
                        f"(Outlook Safe Links, Google, Slack); read as the addresses they "
                        f"carry")
    return text


# ------------------------------------------------------------------ chat copy-backs

# A page pasted into a chat in parts (Discord's 2,000-character messages, a user's paste
# per card or two) and copied back out of it: the chat's lines stand between the parts.
# Read as the page's, they were a junk paper ("Alice 9:13 AM"), a card lost, a sender
# line at the head of 17 abstracts (attack F41). As the apps render a copy:
# - Discord: "Alice — Today at 9:12 AM" over a sender's first message, "[9:13 AM]" over
#   each of the same sender's later ones; " (edited)" after an edited message;
# - Slack: "Alice Smith  9:12 AM" over each sender's first message, the bare time
#   ("9:13") over later ones; " (edited)"; reactions under a message (":+1: 2", "👍 2");
# - Teams: "[9:12 AM] Alice Smith" (or "[11/30 9:12 AM] ...") over each message;
# - WhatsApp: "[30/11/2026, 09:12:33] Alice: " (export), "[09:12, 30/11/2026] Alice: "
#   (a copy of chosen messages) or "30/11/2026, 09:12 - Alice: " (Android's export) before
#   each message's first line; "<This message was edited>" after an edited one.
# Decided by the text's first lines (a chat copy begins with its first message's line);
# each such line becomes a blank line (the parts were messages: paragraphs of their own,
# and every other line keeps its number), a WhatsApp prefix is taken off its line (a blank
# line put before it).
_CLOCK = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?(?:[ \u202f]?[AaPp]\.?[Mm]\.?)?"
_DAY = r"[0-9]{1,4}[./-][0-9]{1,2}(?:[./-][0-9]{1,4})?"
_SENDER = r"[^\s:\[\]][^:\n\[\]]{0,79}?"
_CHAT_HEADS = {
    "Discord": re.compile(rf"(?P<name>{_SENDER}) [—–] (?:(?:Today|Yesterday) at |{_DAY},? )?"
                          rf"{_CLOCK}"),
    "Teams": re.compile(rf"\[(?:{_DAY},? )?{_CLOCK}\] (?P<name>{_SENDER})"),
    # Two blanks between name and time: a note's "Papers for the 10:30 meeting" is none.
    "Slack": re.compile(rf"(?P<name>{_SENDER})[ \t\u202f]{{2,}}{_CLOCK}"),
}
_CHAT_LATER = {
    "Discord": re.compile(rf"\[{_CLOCK}\]"),
    "Slack": re.compile(_CLOCK),
}
_WHATSAPP = re.compile(
    rf"\u200e?(?:\[{_DAY},? {_CLOCK}\]|\[{_CLOCK},? {_DAY}\]|{_DAY},? {_CLOCK} -) "
    rf"(?P<name>{_SENDER}): ")
_EDITED = (" (edited)", "(edited)", " <This message was edited>",
           " \u200e<This message was edited>")
# A reaction line under a message: emoji (or Slack's ":name:") each with its count.
_REACTIONS = re.compile(
    r"(?:(?::[a-z0-9_+'-]+:|[\u2600-\u27bf\U0001f000-\U0001faff][\ufe0f\u200d"
    r"\u2600-\u27bf\U0001f000-\U0001faff\U0001f3fb-\U0001f3ff]*)[ \t]*(?:[0-9]{1,5})?[ \t]*)+")
_COUNT_ONLY = re.compile(r"[0-9]{1,5}")
# A chat copy begins with its first message's line: among the text's first lines.
_CHAT_FIRST_LINES = 3


def _chat(head: str) -> str | None:
    """The chat app whose copy the text begins as, if it does."""
    seen = 0
    for line in head[:4096].split("\n"):
        line = line.strip()
        if not line:
            continue
        if _WHATSAPP.match(line) is not None:
            return "WhatsApp"
        for app, pattern in _CHAT_HEADS.items():
            if pattern.fullmatch(line) is not None:
                return app
        seen += 1
        if seen >= _CHAT_FIRST_LINES:
            return None
    return None


def _reaction_line(s: str) -> bool:
    """A line of reactions: emoji or ":name:" with counts, not a count alone."""
    return not s.isdigit() and _REACTIONS.fullmatch(s) is not None


def _next_line(lines: list[str], k: int, chat_at: set[int]) -> int:
    """The next line from ``k`` on that is not blank or was a chat's line."""
    while k < len(lines) and not lines[k].strip() and k not in chat_at:
        k += 1
    return k


def unchatted(text: str, name: str, warnings: list[str]) -> str:
    """The text without a chat's lines between the parts it was pasted in, when it begins
    as a copy out of a chat does."""
    app = _chat(text[:HEAD])
    if app is None:
        return text
    lines = text.split("\n")
    head = _CHAT_HEADS.get(app)
    later = _CHAT_LATER.get(app)
    chat_at: list[int] = []
    dropped: set[int] = set()  # chat lines taken out, not left blank
    for k, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        if app == "WhatsApp":
            prefix = _WHATSAPP.match(s)
            if prefix is not None:
                lines[k] = s = s[prefix.end():]
                if k and lines[k - 1].strip() and not _continues(s):
                    # A message is a paragraph of its own: the chat took the blank line
                    # at its ends (a wrapped title's end ran into the summary under it).
                    lines[k] = "\n" + lines[k]
                chat_at.append(k)
        elif ((head is not None and head.fullmatch(s) is not None)
              or (later is not None and later.fullmatch(s) is not None)):
            # A blank line, as the message's end was; none where the next message goes on
            # with an indented line of the one before (a title wrapped onto a second line).
            joined = (0 < k < len(lines) - 1 and lines[k - 1].strip()
                      and _continues(lines[k + 1]))
            lines[k] = ""
            if joined:
                dropped.add(k)
            chat_at.append(k)
            continue
        for mark in _EDITED:
            if s.endswith(mark):
                lines[k] = lines[k][:lines[k].rindex(mark)].rstrip()
                break
    # Reactions stand under a message, before the next message's line (or the text's end).
    nexts = set(chat_at)
    for k in range(len(lines) - 1, -1, -1):
        s = lines[k].strip()
        if not s or not _reaction_line(s):
            continue
        after = _next_line(lines, k + 1, nexts)
        if after < len(lines) and _COUNT_ONLY.fullmatch(lines[after].strip()) is not None:
            after = _next_line(lines, after + 1, nexts)
        if after == len(lines) or after in nexts:
            for j in range(k, after):
                lines[j] = ""
            nexts.add(k)
    warnings.append(f"{name}: a copy out of a chat ({app}): read without the chat's sender "
                    f"and time lines between its messages")
    return "\n".join(line for k, line in enumerate(lines) if k not in dropped)


def _continues(line: str) -> bool:
    """An indented line that goes on with the line before it (a wrapped title's second)."""
    return line[:1] in (" ", "\t") and bool(line.strip())


# ------------------------------------------------------------------ text containers

# The page inside a text another program wrote around it (attack N37): an Evernote export
# (.enex: XML, each note's text as XHTML in a CDATA section), a Jupyter notebook (.ipynb:
# JSON, the page in a Markdown cell's "source") or the page as one JSON string ({"text":
# "..."}, a note app's or a script's dump). Read as text, each was "no Daily Papers
# listing found in it". The text they hold is read, exactly: the notebook's and the JSON's
# strings are the page's characters; a note's XHTML keeps each line of a pasted page as a
# block element of its own.
_ENEX = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!DOCTYPE en-export[^>]*>\s*)?<en-export\b")
# Jupyter writes a notebook's keys in order: "cells" first, "nbformat" after them.
_NOTEBOOK = re.compile(r'\A\s*\{\s*"cells"\s*:\s*\[')
_JSON_TEXT = re.compile(r'\A\s*(?:"|\{\s*"[^"\\]{1,40}"\s*:\s*")')
# A paper's keys in the API's answer: its JSON is the API's, read by the API's reader.
_API_KEYS = ("paper", "summary", "publishedAt", "upvotes", "authors")


def _contained(text: str) -> tuple[str, str] | None:
    """(the text held, what held it) when the text is one of the containers above."""
    start = text[:256].lstrip()[:1]
    if start == "<" and _ENEX.match(text) is not None:
        held = _enex_text(text)
        return (held, "an Evernote export (.enex); read the text of its notes") if held else None
    if start == "{" and _NOTEBOOK.match(text) is not None and '"nbformat"' in text[-4096:]:
        held = _notebook_text(text)
        return (held, "a Jupyter notebook; read the text of its Markdown cells") if held else None
    if start in ('"', "{") and _JSON_TEXT.match(text) is not None:
        held = _json_text(text)
        return (held, "a JSON string; read the text it holds") if held else None
    return None


def _notebook_text(text: str) -> str | None:
    try:
        notebook = json.loads(text)
        cells = notebook["cells"]
        texts = ["".join(cell["source"]) if isinstance(cell["source"], list)
                 else str(cell["source"]) for cell in cells
                 if cell.get("cell_type") in ("markdown", "raw")]
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    return "\n\n".join(texts) if any(t.strip() for t in texts) else None


def _json_text(text: str) -> str | None:
    """The string a JSON document is, or the one string of an object's values that holds
    lines (the object's other values are short facts: a title, a date)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, dict):
        if any(key in value for key in _API_KEYS):
            return None
        texts = [v for v in value.values() if isinstance(v, str) and "\n" in v]
        value = texts[0] if len(texts) == 1 else None
    return value if isinstance(value, str) and value.strip() else None


# An ENEX note's content: XHTML whose block elements are its lines.
_ENML_BLOCKS = frozenset({"div", "p", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                          "pre", "blockquote", "hr", "en-note", "ul", "ol", "table"})


_ENML_LINES = frozenset({"div", "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})


class _Enml(html.parser.HTMLParser):
    """A note's XHTML as lines: each block a line, an empty one (``<div></div>`` or, as
    Evernote writes it, ``<div><br/></div>``) a blank line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.line_open = False  # text since the last line end
        self.broken = False  # the block's line was ended by its <br/>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
            self.line_open, self.broken = False, True
        elif tag in _ENML_BLOCKS:
            self._end_line()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _ENML_LINES and not self.line_open and not self.broken:
            self.parts.append("\n")
        elif tag in _ENML_BLOCKS:
            self._end_line()
        self.broken = False

    def handle_data(self, data: str) -> None:
        if data:
            self.parts.append(data)
            self.line_open, self.broken = True, False

    def _end_line(self) -> None:
        if self.line_open:
            self.parts.append("\n")
            self.line_open = False
        self.broken = False


def _enex_text(text: str) -> str | None:
    # ENEX is read with the XML parser for its notes (its DTD is named, never loaded; an
    # entity declared inside is refused, as nothing of Evernote's declares one).
    if "<!ENTITY" in text:
        return None
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except ElementTree.ParseError:
        return None
    notes = []
    for content in root.iter("content"):
        parser = _Enml()
        parser.feed(content.text or "")
        parser.close()
        notes.append("".join(parser.parts))
    return "\n\n".join(notes) if any(n.strip() for n in notes) else None


def uncontained(text: str, name: str, warnings: list[str]) -> str:
    """The text a notebook, a note export or a JSON string holds, when ``text`` is one."""
    found = _contained(text)
    if found is None:
        return text
    held, what = found
    warnings.append(f"{name}: {what}")
    return held


# ----------------------------------------------------------------- a browser's print

# The page printed to PDF (Ctrl+P, "Save as PDF") and its text copied out of the PDF (or
# pdftotext): the print's header (date and time, the page's title) and footer (its address,
# "N/M") stand between the card lines wherever a sheet ended. Read as the page's, they were
# a junk paper "12/1/26, 9:12 AM Daily Papers - Hugging Face", a card lost, footer text in
# abstracts (attack F51). Told by the text's first line, the first sheet's header; taken out
# wherever the same header, or the footer with its page number, stands on a line of its own.
# The lines around a sheet's end are one text: the page's lines run on across it.
_PRINT_HEAD = re.compile(rf"{_DAY},? {_CLOCK}(?:[ \t]+\S.*)?")
_PRINT_FOOT = re.compile(r"(?P<url>https?://\S+)[ \t]+(?P<page>[0-9]{1,4})/(?P<of>[0-9]{1,4})")


def unprinted(text: str, name: str, warnings: list[str]) -> str:
    """The text without a browser print's header and footer lines, when it begins with
    one's header."""
    head = text[:512].lstrip("\n")
    first = head.split("\n", 1)[0].strip()
    if not first or not first[0].isdigit() or _PRINT_HEAD.fullmatch(first) is None:
        return text
    lines = text.split("\n")
    url = None
    for line in lines:
        found = _PRINT_FOOT.fullmatch(line.strip())
        if found is not None:
            url = found["url"]
            break
    if url is None:
        return text  # a date and time over a copy, no print
    kept = [line for line in lines if line.strip() != first and not (
        (found := _PRINT_FOOT.fullmatch(line.strip())) is not None and found["url"] == url)]
    warnings.append(f"{name}: the page as printed (a PDF's text): read without the print's "
                    f"header and footer lines")
    return "\n".join(kept)


# ------------------------------------------------------------------------- Org mode

# A page kept as an Emacs Org file (org-web-tools' "read URL as Org", `pandoc -t org` of the
# saved page or of a Markdown copy): links written [[URL][TEXT]], headings "*** ", property
# drawers under them. Read as text, its Org markup became titles and organisations: one
# paper titled "[[/papers/2610.22841][[[https://cdn-thumbnails…" for the saved page's 15,
# 93 junk papers for the real firecrawl copy's 120 (attack F49). Org's rewrapping and
# pandoc's rewriting of the page cannot be undone exactly: such a file is refused, naming it.
_ORG_LINK = re.compile(r"\[\[(?:https?://|/)[^\]\n]{0,2000}\]\[")
_ORG_MARK = re.compile(r"^[ \t]*:(?:PROPERTIES|END):[ \t]*$|^\*+ \S|^#\+[A-Za-z_]+:", re.M)
_ORG_LINKS = 3


def refuse_org(text: str, name: str) -> None:
    """Refuse a text that is an Org file's rendering of the page (ListingError)."""
    head = text[:HEAD]
    if "[[" not in head:
        return
    for found, _ in enumerate(_ORG_LINK.finditer(head), start=1):
        if found >= _ORG_LINKS:
            if _ORG_MARK.search(head) is None:
                return
            raise ListingError(
                f"{name}: an Org-mode file (Emacs: org-web-tools, pandoc -t org), whose links "
                f"and headings are Org's; import the page saved from the browser (Ctrl+S), or "
                f"the copy the Org file was made from, instead")


# ------------------------------------------------------------ a mail's plain text

# A copy rendered in an HTML mail and read back as the mail's plain text (Gmail's and
# Thunderbird's plain-text part, a client's "plain text" view): each link written "TEXT
# <URL>" (Outlook: "TEXT<URL>"), each image "[image: ALT]", and a card's date run into its
# comment count ("May 296": May 29 with 6 comments, or May 2 with 96). Read as the page, it
# was 245 junk papers for the real firecrawl copy, titles ending in their URL (attack F50).
# The counts cannot be told from the dates: such a text is refused, naming it.
# Searched for by its literal start; the text before it on its line is checked apart.
_MAIL_LINK = re.compile(r"<https?://(?:www\.)?huggingface\.co/[^>\s]*>[ \t]*$", re.M)
_MAIL_LINKS = 3


def refuse_mail_text(text: str, name: str) -> None:
    """Refuse a mail's plain-text rendering of a copy (ListingError)."""
    head = text[:HEAD]
    if "co/" not in head or ">" not in head:
        return
    found = 0
    for link in _MAIL_LINK.finditer(head):
        at = link.start()
        # Text before it on its line, a space between at most: "TEXT <URL>", "TEXT<URL>".
        before = head[at - 2:at] if at >= 2 else head[:at]
        if not before or before[-1] == "\n" or before.isspace() or (
                before[-1] == " " and before[0] in " \n"):
            continue
        found += 1
        if found >= _MAIL_LINKS:
            raise ListingError(
                f"{name}: a mail's plain text of the page (each link written \"text <URL>\"), "
                f"in which a card's date runs into its comment count; import the copy that was "
                f"mailed (the Markdown file, or the page saved from the browser) instead")


# ---------------------------------------------------------------- numbered lines

# A copy shown with its line numbers and copied so (`cat -n`, `nl -ba`, a viewer's copy
# with numbers): each line begins with its number, right-aligned, and a tab. Read as the
# page, the numbers ran into counts and titles: 24 junk papers for the trending page's 12
# (attack N40). Told by the first lines counting up from 1; the numbers are taken off.
_NUMBERED = re.compile(r"[ ]*([0-9]{1,9})\t")
_NUMBERED_MIN = 5


def unnumbered(text: str, name: str, warnings: list[str]) -> str:
    """The text without its line numbers, when every line begins with its own."""
    if not text.startswith(("     1\t", "1\t")):
        return text
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    bare = []
    expected = 1
    for line in lines:
        found = _NUMBERED.match(line)
        if found is None:
            if line.strip():
                return text  # `nl` leaves blank lines unnumbered; anything else: no numbers
            bare.append(line)
            continue
        if int(found[1]) != expected:
            return text
        expected += 1
        bare.append(line[found.end():])
    if expected <= _NUMBERED_MIN:
        return text
    warnings.append(f"{name}: every line begins with its number (cat -n); read without them")
    return "\n".join(bare) + "\n"


# ------------------------------------------------------------- one column of a sheet

# The page pasted into a spreadsheet (a line a row, all in the first column) and saved as
# CSV: a row with a comma or a quote in it is quoted, its quotes doubled, an empty row is
# '""' (Google Sheets, LibreOffice). Read as the page, the quotes stayed in titles and
# abstracts and two cards were lost (attack N39). Told by quoted rows and empty '""' rows,
# and read with the csv module when every row is one cell.
_EMPTY_ROW = '\n""\n'
_QUOTED_ROW = re.compile(r'^"(?:[^"\n]|"")*,(?:[^"\n]|"")*"$', re.M)
_SHEET_MIN = 2


def unsheeted(text: str, name: str, warnings: list[str]) -> str:
    """The lines of a one-column CSV, when the text is one."""
    head = text[:HEAD]
    if head.count(_EMPTY_ROW) < _SHEET_MIN or _QUOTED_ROW.search(head) is None:
        return text
    try:
        rows = list(csv.reader(io.StringIO(text), strict=True))
    except csv.Error:
        return text
    if any(len(row) > 1 for row in rows):
        return text  # a table, not the page's lines
    warnings.append(f"{name}: a one-column CSV (the page pasted into a spreadsheet); read "
                    f"its cells as the page's lines")
    return "\n".join(row[0] if row else "" for row in rows) + "\n"


def transported_head(head: str) -> bool:
    """Whether the first lines of a text may begin an e-mail message or its
    quoted-printable source, or hold links wrapped in a redirect: what
    :func:`untransported` needs the whole text for."""
    head = head[:HEAD]
    return _is_message(head) or ("=\n" in head and head.isascii()
                                 and _QP_NOT_ESCAPE.search(head) is None) or any(
        mark in head for mark in _WRAPPER_MARKS) or (
        head.count("\n\n\n\n") >= _DOUBLED_RUNS and _doubled(head.split("\n")[:-1])) or (
        _chat(head) is not None) or _PRINT_HEAD.match(head.lstrip("\n")) is not None or (
        "[[" in head and _ORG_LINK.search(head) is not None) or (
        "co/" in head and _MAIL_LINK.search(head) is not None) or head.startswith(
        ("     1\t", "1\t")) or head.count(_EMPTY_ROW) >= _SHEET_MIN or (
        head[:256].lstrip()[:1] in ("<", "{", '"') and (
            _ENEX.match(head) is not None or _NOTEBOOK.match(head) is not None
            or _JSON_TEXT.match(head) is not None))


def untransported(text: str, name: str, warnings: list[str]) -> str:
    """The copy inside a whole text (newline line ends): out of an e-mail message or its
    quoted-printable body, with its line separators as newlines and its mojibake undone."""
    text = undoubled(line_separated(uncontained(text, name, warnings)), name, warnings)
    if _is_message(text):
        found = _message_text(text)
        if found is not None:
            text, encoding = found
            how = f" ({encoding} decoded)" if encoding in ("quoted-printable",
                                                           "base64") else ""
            warnings.append(f"{name}: an e-mail message; read the text of its body{how}")
    elif _is_quoted_printable(text):
        text = _unquoted_printable(text)
        warnings.append(f"{name}: quoted-printable text (an e-mail's source: \"=C2=B7\", "
                        f"\"=\" at line ends); read decoded")
    text = unsheeted(unnumbered(text, name, warnings), name, warnings)
    refuse_org(text, name)
    refuse_mail_text(text, name)
    text = unchatted(unwrapped_links(unprinted(text, name, warnings), name, warnings), name,
                     warnings)
    return unmojibaked(text, name, warnings) if mojibaked(text) else text
