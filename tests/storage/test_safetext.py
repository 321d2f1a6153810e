"""storage/safetext.py: every character a terminal would obey is shown as a visible escape;
everything else (markup, non-Latin scripts, emoji) is left as the text it is."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from storage.safetext import (
    BIDI_CONTROLS,
    TerminalSafeStream,
    for_terminal,
    json_for_terminal,
    one_line,
    terminal_safe_output,
    unfiltered,
)

# What a terminal obeys: C0 but newline and tab, DEL, C1, bidi overrides.
OBEYED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(("text", "shown"), [
    ("Title\x1b]0;pwned\x07", "Title\\x1b]0;pwned\\x07"),
    ("clears \x1b[2J", "clears \\x1b[2J"),
    ("over\rwritten", "over\\rwritten"),
    ("two\nlines", "two\\nlines"),
    ("a\ttab", "a\\ttab"),
    ("C1 CSI \x9b31m", "C1 CSI \\x9b31m"),
    ("DEL\x7f", "DEL\\x7f"),
    ("\u202eevil", "\\u202eevil"),
    ("isolate \u2066x\u2069", "isolate \\u2066x\\u2069"),
    ("marks \u200e\u200f\u061c", "marks \\u200e\\u200f\\u061c"),
    ("line\u2028sep\u2029", "line\\u2028sep\\u2029"),
])
def test_one_line_shows_what_a_terminal_would_obey(text: str, shown: str) -> None:
    assert one_line(text) == shown == for_terminal(text)


@pytest.mark.parametrize("text", [
    "<b>bold</b> &amp; <script>alert(1)</script>",
    "[link](https://example.org) **not bold** `code`",
    "{\\rtf1} \\x1b as typed, %s %(name)s {0}",
    "Ελληνικά, 中文, العربية, עברית, emoji 🧪",
    "Großbuchstaben – dash … ellipsis",
])
def test_markup_and_other_scripts_stay_as_they_are(text: str) -> None:
    assert one_line(text) == text
    assert for_terminal(text, block=True) == text


def test_a_block_keeps_its_lines_and_tabs_and_nothing_else() -> None:
    text = "First line\n\tindented\r\nthird \x1b[31mred\x1b[0m\u202e"
    assert for_terminal(text, block=True) == (
        "First line\n\tindented\\r\nthird \\x1b[31mred\\x1b[0m\\u202e")


def test_every_bidi_control_is_escaped() -> None:
    assert len(BIDI_CONTROLS) == 9
    escaped = one_line(BIDI_CONTROLS)
    assert escaped == "".join(f"\\u{ord(c):04x}" for c in BIDI_CONTROLS)
    assert not set(escaped) & set(BIDI_CONTROLS)


def test_non_strings_are_shown_as_their_text() -> None:
    assert one_line(Path("a\x1bb.txt")) == "a\\x1bb.txt"
    assert one_line(42) == "42"


def test_json_for_the_terminal_is_the_same_json_data() -> None:
    value = {"title": "Hostile \x1b]0;x\x07 \x9b31m \u202eevil", "tags": ["数学", "a\u2066b"],
             "note": "two\nlines"}
    text = json_for_terminal(value)
    assert not OBEYED.search(text)
    assert "数学" in text  # non-ASCII kept as it is
    assert json.loads(text) == value


def test_a_stream_keeps_crlf_line_ends_and_escapes_a_lone_cr() -> None:
    raw = io.StringIO()
    stream = TerminalSafeStream(raw)
    stream.write("id,title\r\n1,ok\r\n2,over\rwritten \x1b[2J\n")
    stream.writelines(["\u202eflip\n", "tab\tkept\n"])
    assert raw.getvalue() == ("id,title\r\n1,ok\r\n2,over\\rwritten \\x1b[2J\n"
                              "\\u202eflip\ntab\tkept\n")
    assert stream.getvalue() == raw.getvalue()  # the rest of the stream's face
    assert unfiltered(stream) is raw and unfiltered(raw) is raw


def test_output_is_filtered_only_inside_the_block() -> None:
    saved = sys.stdout, sys.stderr
    with terminal_safe_output():
        assert isinstance(sys.stdout, TerminalSafeStream)
        assert isinstance(sys.stderr, TerminalSafeStream)
        assert unfiltered(sys.stdout) is saved[0]
    assert (sys.stdout, sys.stderr) == saved
    with pytest.raises(RuntimeError), terminal_safe_output():
        raise RuntimeError("restored even so")
    assert (sys.stdout, sys.stderr) == saved


def test_helper_escapes_every_control(tmp_path: Path) -> None:
    from storage.safetext import for_terminal, json_for_terminal

    every = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]) + "\u202e\u2066"
    assert not OBEYED.search(for_terminal(every))
    assert for_terminal(every, block=True).count("\n") == 1
    assert not OBEYED.search(json_for_terminal({"x": every}))
    assert json.loads(json_for_terminal({"x": every})) == {"x": every}
    assert sys.stdout  # the helper needs no terminal of its own
