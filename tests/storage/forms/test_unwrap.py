"""A Markdown copy wrapped at a fixed width by another tool reads as the copy did (attack F24).

`fold -s -w 80` (the real command), and the way fmt and mail clients wrap (Python's textwrap
with words and hyphens kept whole) cut every line longer than the width. The trending
clipper copy wrapped at 80 columns had 37 fields wrong on 50 cards: organisations read as
"Kandinsky Lab ·", abstracts ending with the next line's "[图片：kandinskylab] Kandinsky Lab ·
Oct 4,", a trending card's closing "[arXiv Page]" link lost.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storage.forms.unwrap import unwrapped_markdown
from storage.listing import parse_listing
from tests.fixtures.forms.make_forms import FILES
from tests.storage.forms.helpers import FORMS, READ_ON, read

# Every Markdown fixture and the text export (the plain-text forms have their own pre-pass,
# storage/forms/__init__.py's _unwrapped).
WRAPPABLE = sorted(name for name in FILES
                   if (name.endswith(".md") and not name.startswith("not-"))
                   or name == "text-urls-export.txt")


def fold(text: str, width: int) -> str:
    """`fold -s -w WIDTH`: breaks after the last blank within the width (keeping it), a
    word longer than the width at the width; counts bytes."""
    return subprocess.run(["fold", "-s", "-w", str(width)], input=text.encode("utf-8"),
                          capture_output=True, check=True).stdout.decode("utf-8")


def fmt(text: str, width: int) -> str:
    """fmt's and mail clients' way: lines over the width refilled at blanks, which are
    dropped; words (and hyphenated words) never cut."""
    return "\n".join(
        textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False)
        if len(line) > width else line for line in text.split("\n"))


@pytest.mark.parametrize("name", WRAPPABLE)
@pytest.mark.parametrize("wrap", [fold, fmt])
@pytest.mark.parametrize("width", [60, 72, 80, 100])
def test_a_copy_wrapped_at_a_fixed_width_reads_as_the_copy(name: str, wrap, width: int) -> None:  # type: ignore[no-untyped-def]
    text = (FORMS / name).read_text(encoding="utf-8")
    whole = read(name)
    wrapped = parse_listing(wrap(text, width), name=name, reference=READ_ON)
    assert wrapped.records == whole.records
    assert wrapped.warnings == whole.warnings


def gnu_fmt(text: str, width: int) -> str:
    """The real `fmt -w WIDTH`: it refills every paragraph toward 93% of the width,
    balancing its lines (so a line is rarely full)."""
    return subprocess.run(["fmt", "-w", str(width)], input=text.encode("utf-8"),
                          capture_output=True, check=True).stdout.decode("utf-8")


# The shapes whose every part is a paragraph of its own (blank lines between), which fmt
# refills without running two parts together: the clipper's and the extractor's trending
# copies, the clipper's date page, the scraper's copy; and the two that keep a card's parts
# on consecutive lines, which fmt runs into one and the unwrapper puts apart again: the
# trending extraction ("summary.  - 4 authors [LINK: GitHub 2.31k](...)") and the reference
# links ("][33] [ * 4 authors ][34] · Oct 1 [ 6][35] [ 87 ][36]"; refused before, attack F43).
ONE_LINE_PARTS = ("md-clipper-date-page.md", "md-firecrawl.md", "md-trending-clipped.md",
                  "md-trending.md", "md-trending-extraction.md", "md-reference-links.md")


@pytest.mark.parametrize("name", ONE_LINE_PARTS)
@pytest.mark.parametrize("width", [72, 80, 100])
def test_a_copy_refilled_by_fmt_reads_as_the_copy(name: str, width: int) -> None:
    text = (FORMS / name).read_text(encoding="utf-8")
    wrapped = parse_listing(gnu_fmt(text, width), name=name, reference=READ_ON)
    assert wrapped.records == read(name).records


@pytest.mark.parametrize("name", sorted(n for n in FILES if n.endswith((".md", ".txt"))
                                        and not n.startswith("not-")))
def test_a_copy_that_is_not_wrapped_is_left_as_it_is(name: str) -> None:
    text = (FORMS / name).read_text(encoding="utf-8")
    assert unwrapped_markdown(text) is None


def test_an_unwrapped_copy_is_the_copy_to_the_character() -> None:
    # The clipper's trending copy: CJK alt texts (fold counts their bytes), organisation
    # lines cut after their "·", GitHub/arXiv lines cut inside "[arXiv Page]".
    text = (FORMS / "md-trending-clipped.md").read_text(encoding="utf-8")
    for width in (72, 80):
        assert unwrapped_markdown(fold(text, width)) == text
        assert unwrapped_markdown(fmt(text, width)).split() == text.split()  # type: ignore[union-attr]


def test_the_command_imports_a_wrapped_trending_copy_as_the_copy(tmp_path: Path) -> None:
    text = (FORMS / "md-trending-clipped.md").read_text(encoding="utf-8")
    (tmp_path / "clean.md").write_text(text, encoding="utf-8")
    (tmp_path / "wrapped.md").write_text(fold(text, 80), encoding="utf-8")

    def imported(file: str) -> list[dict[str, object]]:
        db = str(tmp_path / f"{file}.db")
        done = subprocess.run(
            [sys.executable, "-m", "desktop.cli", "--db", db, "import", "--json",
             str(tmp_path / file)], capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["files"][0]["warnings"] == []
        listed = subprocess.run(
            [sys.executable, "-m", "desktop.cli", "--db", db, "list", "--json", "--limit",
             "100"], capture_output=True, text=True, timeout=120, check=True)
        return sorted(({k: v for k, v in p.items() if k not in ("id", "added_at", "sources")}
                       for p in json.loads(listed.stdout)), key=lambda p: str(p["title"]))

    clean = imported("clean.md")
    assert len(clean) == 12
    assert imported("wrapped.md") == clean
