"""What the subcommands share (desktop/cli/common.py): the argument types and their
one-line usage errors, messages as one line, the paper lines of `list`, plurals and
the missing-paper error. The real `winnow` in a subprocess on a temp library; the
pure helpers are also called directly where a subprocess would only hide them."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from desktop.cli.common import MAX_ID, MAX_LIMIT, one_line, plural, text, whole_number
from storage import Library
from tests.desktop.cli.conftest import winnow


def _usage_error(result) -> str:
    """The one stderr line of an argparse refusal (exit 2, no traceback)."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("args, message", [
    (["show", "abc"], "argument id: invalid paper id 'abc' is not a number"),
    (["show", "0"], "argument id: invalid paper id '0' must be at least 1 (a positive number)"),
    (["read", "-5"], "argument ID: invalid paper id '-5' must be at least 1 (a positive number)"),
    (["show", str(MAX_ID + 1)],
     f"argument id: invalid paper id '{MAX_ID + 1}' is too large (at most {MAX_ID:,})"),
    (["list", "--limit", str(MAX_LIMIT + 1)],
     f"argument --limit: number '{MAX_LIMIT + 1}' is too large (at most {MAX_LIMIT:,})"),
    (["highlight", "--delete", "x"],
     "argument --delete: invalid highlight id 'x' is not a number"),
], ids=["not-a-number", "zero", "negative", "past-sqlite", "limit", "highlight-id"])
def test_argument_types_refuse_in_one_usage_line(db: Path, args: list[str],
                                                 message: str) -> None:
    line = _usage_error(winnow(*args, db=db))
    assert line == f"winnow {args[0]}: {message} (see `winnow {args[0]} --help`)"


def test_the_largest_ids_and_limits_are_accepted(db: Path) -> None:
    # The bounds themselves pass the type check: the command runs and says what it found.
    shown = winnow("show", str(MAX_ID), db=db)
    assert shown.returncode == 1
    assert shown.stderr.strip() == f"winnow: no paper with id {MAX_ID}"
    listed = winnow("list", "--limit", str(MAX_LIMIT), db=db)
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 415


def test_a_file_name_with_controls_is_shown_escaped_in_one_line(db: Path,
                                                                 tmp_path: Path) -> None:
    name = tmp_path / "evil\nname\u202e.txt"
    result = winnow("import", str(name), db=db)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "evil\\nname\\u202e.txt" in lines[0]
    assert "\u202e" not in result.stderr


def test_one_line_escapes_only_what_is_not_printable() -> None:
    assert one_line("a\nb\x1ec\u202ed\te") == "a\\nb\\x1ec\\u202ed\\te"
    assert one_line("café 😀 Ω") == "café 😀 Ω"
    assert one_line(ValueError("bad\rthing")) == "bad\\rthing"


def test_text_refuses_undecodable_arguments_and_keeps_the_rest() -> None:
    assert text("naïve 𝔼") == "naïve 𝔼"
    with pytest.raises(argparse.ArgumentTypeError, match="not valid UTF-8"):
        text("caf\udce9")  # how Python hands over the byte 0xE9 of a non-UTF-8 argv


def test_whole_number_names_what_it_checks() -> None:
    assert whole_number("7", high=7, what="day") == 7
    with pytest.raises(argparse.ArgumentTypeError, match=r"^day '8' is too large \(at most 7\)$"):
        whole_number("8", high=7, what="day")
    with pytest.raises(argparse.ArgumentTypeError, match=r"^day '1.5' is not a number$"):
        whole_number("1.5", high=7, what="day")


def test_list_prints_one_line_per_paper_with_its_marks_and_tags(db: Path) -> None:
    with Library(db) as lib:
        first, second = lib.search("", limit=2).ids
        lib.set_read([first], True)
        lib.set_starred([first])
        lib.add_tags([first], ["moe", "to-cite"])
        title = " ".join(lib.get(first).title.split())
        other = " ".join(lib.get(second).title.split())
    result = winnow("list", "--limit", "415", db=db)
    assert result.returncode == 0, result.stderr
    lines = {int(line.split()[0]): line for line in result.stdout.splitlines()}
    assert lines[first] == f"{first:>6} ·★ {title}  [moe, to-cite]"
    assert lines[second] == f"{second:>6} ●  {other}"
    assert all(re.fullmatch(r" *\d+ [·●][★ ] \S.*", line) for line in lines.values())


def test_plural_and_the_missing_paper_error(db: Path) -> None:
    assert (plural(1, "paper"), plural(0, "paper"), plural(2, "paper")) == \
        ("1 paper", "0 papers", "2 papers")
    with Library(db) as lib:
        one, two = lib.search("", limit=2).ids
    deleted = winnow("delete", str(one), db=db)
    assert deleted.stdout.strip() == "deleted 1 paper (`winnow undo` brings it back)"
    both = winnow("delete", str(two), "424242", db=db)
    assert both.returncode == 1
    assert both.stderr.strip() == "winnow: no paper with id 424242"
