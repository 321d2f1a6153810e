"""Copies refilled by `fmt` (or a mail client's Rewrap: each paragraph's lines joined, then
wrapped again at ~72 columns) read as the copy, or are refused in one line that names the
reflow; never junk (attack F43).

fmt knows no Markdown: it runs a paragraph's lines into one, whatever each line was (a
trending extraction's summary, "- 8 authors" and "[LINK: GitHub 11.3k](...)"; a select-all
copy's upvote count, title and abstract), puts two blanks after a sentence's end, and may
begin a line with a "+" or a dash from inside a sentence. The copies in
tests/fixtures/forms/refilled/ were made from our fixtures with GNU fmt 9.1 (commands in
tests/fixtures/README.md).
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from storage.listing import Listing, parse_listing
from storage.records import ListingError
from tests.storage.forms.helpers import FORMS, READ_ON, read


def read_text(text: str) -> Listing:
    return parse_listing(text, name="copy.txt", reference=READ_ON)


@pytest.mark.parametrize("width", [72, 80, 100])
def test_a_refilled_trending_extraction_reads_as_the_copy(width: int) -> None:
    """Before: 1-2 of the 5 cards kept "[LINK: GitHub ...](...)" in their AI summary (fmt's
    two blanks after the summary's last sentence) or lost the authors count (a line ending
    in the item's "-"); on the real copy 13-16 fields, silently."""
    got = read(f"refilled/md-trending-extraction.fmt{width}.md")
    want = read("md-trending-extraction.md")
    assert got.records == want.records
    assert got.warnings == []
    assert all("[LINK" not in (r.ai_summary or "") for r in got.records)


def test_a_plus_fmt_put_at_a_lines_start_stays_in_the_abstract() -> None:
    """"... a dataset of instruction" / "+ program pairs": read as a list item, the abstract
    ended before it (the real text export through fmt: one abstract cut). The fixture is
    text-urls-export.txt with a sentence added to its first abstract, through fmt -w 72."""
    text = (FORMS / "text-urls-export.txt").read_text(encoding="utf-8")
    first = next(line for line in text.split("\n") if line.startswith("Serving long-context"))
    sentences = re.split(r"(?<=\.) ", first)
    added = "Each calibration sample is an instruction + program pair."
    want = read_text(text.replace(first, " ".join([*sentences[:3], added, *sentences[3:]])))
    name = "refilled/text-urls-export-plus.fmt72.txt"
    assert "\n+ program pair." in (FORMS / name).read_text(encoding="utf-8")
    got = read(name)
    assert added in got.records[0].abstract
    assert got.records == want.records and got.warnings == []


# A plain-text copy refilled: its cards' lines run into paragraphs, so a title cannot be
# told from its abstract. Before: fmt -w 72 of text-daily.txt 8 junk papers of 15 ("87
# Teaching Small Models to Say..."), of text-trending.txt 1 junk of 12, the date page
# "no Daily Papers listing"; pandoc -f gfm -t gfm of the date page 10 junk papers.
FMT = ("a plain-text copy of the page refilled by fmt or a mail client's Rewrap: each card's "
       "upvote count, title, abstract and date were run into one paragraph, so a title cannot "
       "be told from its abstract; not read: import the copy as it was saved")
MARKDOWN_TOOL = FMT.replace(
    "by fmt or a mail client's Rewrap",
    "by a Markdown tool (pandoc, prettier, an editor's format command) that read the text "
    "as Markdown")
SEEDS = ("a copy of the older page's layout re-wrapped at a fixed width (fmt, fold or a mail "
         "client): its titles and abstracts broken over lines cannot be told apart; not read: "
         "import the copy as it was saved")
REFUSED = {
    "text-daily.fmt72.txt": FMT,
    "text-trending.fmt72.txt": FMT,
    "text-date-page.fmt72.txt": FMT,
    "text-date-page.pandoc-gfm-gfm.md": MARKDOWN_TOOL,
    # Before: 302 papers from seeds/000's 22 (fmt), 260 (fold -s); seeds/001's bare layout
    # (a title line, an abstract line) through fold -s: a junk paper per wrapped line.
    "seeds-000.fmt72.txt": SEEDS,
    "seeds-000.fold80.txt": SEEDS,
    "seeds-001-head.fold80.txt": SEEDS,
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_refilled_plain_text_copy_is_refused_naming_the_reflow(name: str) -> None:
    path = f"refilled/{name}"
    with pytest.raises(ListingError) as caught:
        read(path)
    assert str(caught.value) == f"{path}: {REFUSED[name]}"


@pytest.mark.parametrize("name", ["text-daily.txt", "text-trending.txt", "text-date-page.txt"])
def test_a_text_copy_wrapped_but_not_refilled_is_still_the_text_form(name: str) -> None:
    """A mail client's hard wrap (fmt -s: long lines split, never joined) keeps each of a
    card's lines apart: not refused as refilled; read as the text form with its warning
    that a wrapped title may have lost its end, as before."""
    text = (FORMS / name).read_text(encoding="utf-8")
    wrapped = subprocess.run(["fmt", "-s", "-w", "72"], input=text, capture_output=True,
                             text=True, check=True).stdout
    got = read_text(wrapped)
    assert len(got.records) == len(read(name).records)
    assert any("a title wrapped onto a second line may have lost its end" in w
               for w in got.warnings)


def test_winnow_import_refuses_a_refilled_copy_in_one_line_with_nothing_written(
        tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    name = "text-daily.fmt72.txt"
    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(db), "import",
         str(FORMS / "refilled" / name)],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1, run.stdout
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert lines == [f"winnow: {name}: {FMT}"] or (
        len(lines) == 1 and lines[0].endswith(f"{name}: {FMT}")), run.stderr
    if db.exists():
        with closing(sqlite3.connect(db)) as conn:
            assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 0


@pytest.mark.parametrize("width", [72, 80])
@pytest.mark.parametrize("name", ["text-daily.txt", "text-trending.txt", "text-date-page.txt"])
def test_a_text_copy_folded_at_its_blanks_reads_as_the_copy(name: str, width: int) -> None:
    """fold -s (and a mail client's flowed text) keeps the blank each line was broken at:
    a line that ends in one went on. Before, such a copy was read by the width alone, with
    a warning that a title may have lost its end: 1-5 titles of 10-15 did (their ends read
    as their abstracts' first words)."""
    text = (FORMS / name).read_text(encoding="utf-8")
    folded = subprocess.run(["fold", "-s", "-w", str(width)], input=text,
                            capture_output=True, text=True, check=True).stdout
    got = read_text(folded)
    assert got.records == read(name).records
    assert got.warnings == []


def test_a_text_copy_cut_at_the_width_inside_words_still_warns() -> None:
    """fold without -s cuts every long line at the width wherever it falls; a few of those
    cuts end in a blank by chance. Not read as a copy folded at its blanks: the warning that
    a title may be cut stays."""
    text = (FORMS / "text-daily.txt").read_text(encoding="utf-8")
    cut = subprocess.run(["fold", "-w", "80"], input=text, capture_output=True, text=True,
                         check=True).stdout
    assert any("a title wrapped onto a second line may have lost its end" in w
               for w in read_text(cut).warnings)
