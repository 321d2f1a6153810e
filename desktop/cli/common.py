"""What several subcommands share: argument types, one-line errors, paper output."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from storage.safetext import json_for_terminal

if TYPE_CHECKING:
    from storage import Library, Paper

PROG = "winnow"
# SQLite integers are signed 64-bit: a bigger id would fail deep in a query.
MAX_ID = 2**63 - 1
MAX_LIMIT = 10**9


class CommandError(Exception):
    """A one-line message for stderr; exit status 1."""


def one_line(text: object) -> str:
    """A message as one line: control characters (newlines, U+001E, U+202E...) that
    arrived in an argument or a file name are shown escaped, not obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def text(value: str) -> str:
    """An argparse type for text that goes into the library."""
    # Undecodable bytes in argv arrive as lone surrogates, which SQLite and UTF-8
    # output refuse; file names are the one place such bytes are legitimate.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            f"not valid UTF-8 text: {value!r}") from None
    return value


def whole_number(text: str, *, high: int, what: str) -> int:
    """An argument that must be a whole number from 1 to `high`; `what` names it in
    the one-line message argparse prints."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} {text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{what} {text!r} must be at least 1 "
                                         f"(a positive number)")
    if value > high:
        raise argparse.ArgumentTypeError(f"{what} {text!r} is too large (at most {high:,})")
    return value


def paper_id(text: str) -> int:
    return whole_number(text, high=MAX_ID, what="invalid paper id")


def positive(text: str) -> int:
    return whole_number(text, high=MAX_LIMIT, what="number")


def print_json(value: Any) -> None:
    # The same JSON, with the controls json.dumps leaves raw (DEL, C1, bidi) escaped.
    print(json_for_terminal(value))


def warn(message: object) -> None:
    print(f"{PROG}: {one_line(message)}", file=sys.stderr)


def print_papers(papers: Sequence[Paper]) -> None:
    for paper in papers:
        marks = ("·" if paper.read else "●") + ("★" if paper.starred else " ")
        tags = f"  [{', '.join(paper.tags)}]" if paper.tags else ""
        print(f"{paper.id:>6} {marks} {' '.join(paper.title.split())}{tags}")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def require(lib: Library, paper_id: int) -> Paper:
    paper = lib.get(paper_id)
    if paper is None:
        raise CommandError(f"no paper with id {paper_id}")
    return paper
