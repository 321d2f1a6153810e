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

import pytest

from storage.listing import Listing, parse_listing
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
