"""Text from listings, tags, notes and file names made safe for a terminal.

A title is data. Printed raw, `\\033]0;...\\a` retitles the terminal window,
`\\033[2J` clears the screen, a bare CR overwrites the line before it, and U+202E
turns the rest of the line around. Every character a terminal would obey rather
than show is written as a visible escape (`\\x1b`, `\\r`, `\\u202e`) instead:
the user sees that the text held it, and nothing is executed.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

__all__ = ["BIDI_CONTROLS", "TerminalSafeStream", "for_terminal", "json_for_terminal", "one_line",
           "terminal_safe_output", "unfiltered"]

# C0 controls, DEL and the C1 controls (U+0080-U+009F: U+009B is a one-character CSI
# and U+009D an OSC on terminals that read 8-bit controls), the bidirectional
# overrides and isolates, and the Unicode line and paragraph separators.
# The embeddings, overrides and isolates: one unclosed, and everything after it in the
# same line is reordered (the app's labels drop them too, see desktop/text.py).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = f"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029{BIDI_CONTROLS}"
_LINE = re.compile(f"[{_UNSAFE}]")
# Block text (an abstract, a note, a Markdown export) keeps its line breaks and tabs.
_BLOCK = re.compile(f"[{_UNSAFE.replace(chr(0) + '-' + chr(0x1f), '')}"
                    f"\x00-\x08\x0b-\x1f]")
_NAMED = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: object, *, block: bool = False) -> str:
    """`text` with every control character shown as an escape. `block=True` keeps
    newlines and tabs (an abstract, a note); otherwise the result is one line."""
    return (_BLOCK if block else _LINE).sub(_escape, str(text))


def one_line(text: object) -> str:
    """A message or a listing line: one line, nothing a terminal obeys."""
    return for_terminal(text)


# Inside strings json.dumps already escapes C0; outside them sit its own newlines.
_JSON_UNSAFE = re.compile(f"[{_UNSAFE.replace(chr(0) + '-' + chr(0x1f), '')}]")


def json_for_terminal(value: Any) -> str:
    """`json.dumps(value)` (indented, non-ASCII kept) with the controls JSON leaves
    raw (DEL, C1, bidi overrides) written as `\\uXXXX`: still the same JSON data."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# A stream keeps the CRLF line ends of a CSV export; a CR on its own is escaped.
_STREAM = re.compile(f"\r(?!\n)|[{_UNSAFE.replace(chr(0) + '-' + chr(0x1f), '')}"
                     f"\x00-\x08\x0b\x0c\x0e-\x1f]")


class TerminalSafeStream:
    """A text stream that escapes, in everything written to it, what a terminal
    would obey: the command line's stdout and stderr while a command runs, so that
    no printed title, tag, note or file name can drive the terminal, whichever
    command prints it. The program's own control sequences (the progress line)
    go to `unfiltered`."""

    def __init__(self, stream: TextIO) -> None:
        self.unfiltered = stream

    def write(self, text: str) -> int:
        return self.unfiltered.write(_STREAM.sub(_escape, text))

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unfiltered, name)


@contextmanager
def terminal_safe_output() -> Iterator[None]:
    """sys.stdout and sys.stderr filtered by TerminalSafeStream inside the block."""
    saved = sys.stdout, sys.stderr
    sys.stdout = TerminalSafeStream(saved[0])  # type: ignore[assignment]
    sys.stderr = TerminalSafeStream(saved[1])  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def unfiltered(stream: object) -> TextIO:
    """The real stream under a TerminalSafeStream (or `stream` itself)."""
    return getattr(stream, "unfiltered", stream)  # type: ignore[no-any-return]
