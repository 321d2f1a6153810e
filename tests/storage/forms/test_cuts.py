"""A copy cut anywhere (attack F27): it imports the whole copy's cards with the whole copy's
fields, and names the card it was cut in; never a field silently wrong.

The sweep cuts every page fixture at random points (a fixed seed per file); the tests after
it pin the cuts the attack found in the real copies, each in the fixture of its form, and
the last one runs the real `winnow import` on them.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from storage.listing import Listing, ListingError, parse_listing
from storage.records import PaperRecord
from tests.fixtures.forms.make_forms import FILES
from tests.storage.forms.helpers import FORMS, READ_ON, read

# Every fixture of the page itself, the saved page that carries its listing as JSON and
# the API's responses too (cut inside that JSON, the saved page was refused as "no
# listing"; a response cut inside its first paper, too: neither said it was cut).
PAGES = sorted(name for name in FILES if name.endswith((".txt", ".md", ".html", ".json"))
               and not name.startswith("not-"))
CUTS = 30


def key(record: PaperRecord) -> str:
    return record.arxiv_id or " ".join(record.title.lower().split())


def facts(record: PaperRecord) -> dict[str, Any]:
    found = asdict(record)
    del found["position"]
    return found


def outcome(text: str, name: str) -> tuple[list[PaperRecord] | None, list[str]]:
    """The records a text imports (None: refused) and what it says."""
    try:
        listing = parse_listing(text, name=name, reference=READ_ON)
    except ListingError as refused:
        return None, [str(refused)]
    return listing.records, listing.warnings


# What names the card a copy ends in: the card by its title, or the card before it.
_NAMED = re.compile(r'the card "([^"]*(?:"[^"]*)*?)"; skipped|the date of "(.*)" \(|'
                    r'after "(.*)"(?: \(arXiv [0-9.]+\))?(?:;| with)')


def named(messages: list[str]) -> list[str]:
    return [next(g for g in m.groups() if g is not None).rstrip("…")
            for message in messages for m in [_NAMED.search(message)] if m]


def wrong(text: str, name: str, cut: int, whole: dict[str, dict[str, Any]],
          titles: list[str], first: int) -> list[str]:
    """What is wrong with the copy cut at ``cut``: a record the whole copy does not have,
    a field unlike the whole copy's on a card no message names, a refusal that names no
    card after the first card's title began, a message naming no card of the copy."""
    records, messages = outcome(text[:cut], name)
    names = named(messages)
    problems = [f"names {shown!r}, no card's title" for shown in names
                if not any(title.startswith(shown) for title in titles)]
    if records is None:
        ends_before = cut <= first and messages[0].endswith(
            ("no Daily Papers listing found in it", "no papers found",
             "before its title; nothing to import"))
        if not names and not ends_before:
            problems.append(f"refused without naming the card: {messages}")
        return problems
    for record in records:
        if key(record) not in whole:
            problems.append(f"a record the whole copy has not: {record.title!r}")
            continue
        said = any(record.title.startswith(shown) for shown in names)
        if facts(record) != whole[key(record)] and not said:
            diff = {f: v for f, v in facts(record).items() if whole[key(record)][f] != v}
            problems.append(f"{record.title[:40]!r} silently wrong: {diff}")
    return problems


@pytest.mark.parametrize("name", PAGES)
def test_a_copy_cut_anywhere_keeps_whole_cards_or_names_the_cut_one(name: str) -> None:
    # Before: a lone cut card in plain text was "no Daily Papers listing found" (not
    # named); a trending card cut after its date lost its upvotes, repository and stars;
    # a text export cut after the next card's "[-] 31" gave the last card 31 comments; a
    # plain-text card cut inside its date ("Sep ") gave its organisation and "-" to the
    # card before. The sweep found each in the fixtures at 30 cuts a file.
    text = (FORMS / name).read_text(encoding="utf-8")
    full = read(name).records
    whole = {key(r): facts(r) for r in full}
    titles = [r.title for r in full]
    first = text.find(titles[0][:12])
    cuts = sorted(random.Random(name).sample(range(1, len(text)), CUTS))
    problems = {cut: found for cut in cuts
                if (found := wrong(text, name, cut, whole, titles, first))}
    assert problems == {}


# ----------------------------------------------------------- the cuts the attack found


def test_a_text_export_cut_after_the_next_cards_count_gives_no_comment_count() -> None:
    # F27: the real text export cut at " [-] 5" gave HoPE 5 comments: the upvote
    # button's count of the next card (its address cut off) was read as a comment count.
    text = (FORMS / "text-urls-export.txt").read_text(encoding="utf-8")
    full = read("text-urls-export.txt").records
    before = "When Do Agents Need Memory? A Controlled Study on Web Navigation Tasks"
    for end in (" [-] 31", " [-] 31\n\nhttps://huggingface.co/login?next=%2Fpapers%2F",
                " [-] 31\n\nht"):
        listing = parse_listing(text[: text.index(end) + len(end)], name="t.txt",
                                reference=READ_ON)
        kept = full[: [r.title for r in full].index(before) + 1]
        assert listing.records == kept, end
        assert listing.records[-1].comments is None
        assert listing.warnings == [
            f'NAME: the copy ends inside a card after "{before}"; its title is cut off'
            .replace("NAME", "t.txt")]


TRENDING = ("md-trending.md", "md-trending-clipped.md", "text-trending.txt")


@pytest.mark.parametrize("name", TRENDING)
@pytest.mark.parametrize("mark", ["Upvote", "GitHub 1.5", "arXiv"])
def test_a_trending_card_cut_after_its_date_is_named_not_kept_without_its_repo(
        name: str, mark: str) -> None:
    # F27: the real trending clipper cut inside a card's upvote or GitHub link imported
    # the card without its upvotes, repository and stars (its other copy cut off).
    text = (FORMS / name).read_text(encoding="utf-8")
    full = read(name).records
    last = full[-1]
    cut = text.index(mark, text.index(last.title)) + len(mark)
    listing = parse_listing(text[:cut], name=name, reference=READ_ON)
    assert listing.records == full[:-1]
    assert listing.warnings == [f'{name}: the copy ends inside the card "{last.title}"; skipped']


def dated_last(name: str) -> tuple[str, Listing, int] | None:
    """The fixture, its listing, and where its last card's date with a year ends (None
    when that date has no year)."""
    full = read(name)
    raw = full.records[-1].published_raw
    if not raw or "," not in raw:
        return None
    text = (FORMS / name).read_text(encoding="utf-8")
    # (Trending pages show a card twice: its first copy is cut.)
    return text, full, text.index(raw, text.index(full.records[-1].title)) + len(raw)


def _last_day(name: str) -> str:
    """The last card's month and day ("Oct 21" of "Oct 21, 2025")."""
    return read(name).records[-1].published_raw.split(",")[0]  # type: ignore[union-attr]


# Which fixtures the cases below apply to, decided when the tests are collected (a case
# that does not apply is no test, not a skip): a last card whose date has its year; of
# those, the ones whose day has two digits (a copy cut after "Oct 2" of "Oct 21, 2025"
# may go on: the card is skipped, as test_cards says). Pinned by the test after them.
DATED = [name for name in PAGES if dated_last(name) is not None]
TWO_DIGIT_DAY = [name for name in DATED if len(_last_day(name).split()[1]) >= 2]


def test_the_date_cuts_apply_to_the_fixtures_whose_last_date_has_a_year() -> None:
    assert DATED == ["html-daily.html", "md-clipper-date-page.md", "md-firecrawl.md",
                     "md-trending-clipped.md", "md-trending.md", "text-daily.txt",
                     "text-trending.txt", "text-urls-export.txt"]
    assert TWO_DIGIT_DAY == ["html-daily.html", "md-clipper-date-page.md", "md-firecrawl.md",
                             "text-daily.txt", "text-urls-export.txt"]
    # The others end with a yearless date ("Oct 1": a cut there is the date-end warning's
    # case, tests/storage/forms/helpers.ENDS_AT_DATE) or with a one-digit day.
    for name in sorted(set(PAGES) - set(DATED)):
        assert "," not in (read(name).records[-1].published_raw or ""), name
    for name in sorted(set(DATED) - set(TWO_DIGIT_DAY)):
        assert len(_last_day(name).split()[1]) == 1, name


@pytest.mark.parametrize("name", TWO_DIGIT_DAY)
def test_a_copy_cut_after_a_two_digit_day_keeps_the_card_and_says_its_year_may_be_cut(
        name: str) -> None:
    # F27: "Oct 21" of "Oct 21, 2025" at the end was stored as this year's Oct 21 without
    # a word. The copy cannot tell "Oct 21" whole from cut: the card is kept and named.
    found = dated_last(name)
    assert found is not None
    text, full, end = found
    last = full.records[-1]
    day = _last_day(name)
    listing = parse_listing(text[: end - len(last.published_raw) + len(day)], name=name,
                            reference=READ_ON)
    assert [r.title for r in listing.records] == [r.title for r in full.records]
    assert listing.records[:-1] == full.records[:-1]
    commented = any(r.comments is not None for r in full.records[:-1])
    missing = "year or comment count" if commented else "year"
    assert listing.warnings == [
        f'{name}: the copy ends with the date of "{last.title}" ({day}): if it was cut '
        f"there, its {missing} is missing"]


@pytest.mark.parametrize("name", DATED)
@pytest.mark.parametrize("within", [1, 2, 3])
def test_a_copy_cut_inside_the_last_cards_year_names_and_skips_it(name: str,
                                                                  within: int) -> None:
    # F27: "Oct 21, 20" at the end.
    found = dated_last(name)
    assert found is not None
    text, full, end = found
    listing = parse_listing(text[: end - 4 + within], name=name, reference=READ_ON)
    last = full.records[-1].title
    assert listing.records == full.records[:-1]
    assert listing.warnings == [f'{name}: the copy ends inside the card "{last}"; skipped']


# ------------------------------------------------------------- the real command


def test_the_command_names_the_card_of_each_cut_copy(tmp_path: Path) -> None:
    """`winnow import --json` of cut copies: each file's report names its cut card, and
    what it imports has the whole copy's fields."""
    daily = (FORMS / "text-daily.txt").read_text(encoding="utf-8")
    first = read("text-daily.txt").records[0]
    export = (FORMS / "text-urls-export.txt").read_text(encoding="utf-8")
    trending = (FORMS / "md-trending-clipped.md").read_text(encoding="utf-8")
    last = read("md-trending-clipped.md").records[-1]
    files = {
        # A lone card cut in its abstract: it was "no Daily Papers listing found".
        "lone.txt": daily[: daily.index(first.abstract[:60]) + 60],
        "export.txt": export[: export.index(" [-] 31") + 7],
        "trending.md": trending[: trending.index("GitHub", trending.index(last.title)) + 8],
    }
    for file, text in files.items():
        (tmp_path / file).write_text(text, encoding="utf-8")

    def run(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "library.db"),
             "import", "--json", *(str(tmp_path / f) for f in files)],
            capture_output=True, text=True, timeout=120, check=False)

    lone = run("lone.txt")
    assert lone.returncode == 1
    assert lone.stderr.strip().endswith(
        f'lone.txt: the copy ends inside the card "{first.title}"; skipped')
    done = run("export.txt", "trending.md")
    assert done.returncode == 0, done.stderr
    export_report, trending_report = json.loads(done.stdout)["files"]
    assert export_report["warnings"] == [
        'export.txt: the copy ends inside a card after "When Do Agents Need Memory? A '
        'Controlled Study on Web Navigation Tasks"; its title is cut off']
    assert trending_report["warnings"] == [
        f'trending.md: the copy ends inside the card "{last.title}"; skipped']
    listed = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "library.db"), "list",
         "--json", "--limit", "100"], capture_output=True, text=True, timeout=120, check=True)
    papers = {p["title"]: p for p in json.loads(listed.stdout)}
    assert papers["When Do Agents Need Memory? A Controlled Study on Web Navigation Tasks"][
        "comments"] is None
    assert last.title not in papers
    for record in read("md-trending-clipped.md").records[:-1]:
        assert papers[record.title]["github_repo"] == record.github_repo
        assert papers[record.title]["github_stars"] == record.github_stars
