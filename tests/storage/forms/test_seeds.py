"""Two copies of the 2024 page in one file (two pastes into one file, `cat a b`):
the second copy's page chrome and date are no papers. Before, every appended copy
brought three: "new", "Subscribe" and "byAK and the research community"."""

from __future__ import annotations

from pathlib import Path

from storage import Library
from storage.listing import read_listing
from tests.conftest import SEEDS

CHROME_TITLES = {"new", "Subscribe", "Daily Papers", "byAK and the research community"}


def titles(path: Path) -> list[str]:
    return [record.title for record in read_listing(path).records]


def test_an_appended_copy_brings_only_its_papers(tmp_path: Path) -> None:
    first, second = SEEDS[0], SEEDS[3]
    both = tmp_path / "two-days.txt"
    both.write_bytes(first.read_bytes() + b"\n" + second.read_bytes())
    expected = titles(first) + titles(second)
    assert titles(both) == expected
    assert not CHROME_TITLES & set(titles(both))
    with Library(tmp_path / "library.db") as lib:
        report = lib.import_files([both])
        assert report.ok and report.files[0].found == len(expected)


def test_a_byte_order_mark_twice_is_no_paper(tmp_path: Path) -> None:
    doubled = tmp_path / "bom.txt"
    doubled.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + SEEDS[0].read_bytes())
    assert titles(doubled) == titles(SEEDS[0])
    appended = tmp_path / "appended.txt"
    appended.write_bytes(b"\xef\xbb\xbf" + SEEDS[0].read_bytes() + b"\n\xef\xbb\xbf"
                         + SEEDS[3].read_bytes())
    assert titles(appended) == titles(SEEDS[0]) + titles(SEEDS[3])


def test_copies_joined_without_a_line_end_bring_only_their_papers(tmp_path: Path) -> None:
    # `cat day1.txt day2.txt` of files that end without a line end: "Jun 16, 2020new"
    # was the last paper's date line (no date, a warning) and a paper of its own, with
    # "Subscribe" and "byAK and the research community" two more.
    for first, second in [(SEEDS[0], SEEDS[3]), (SEEDS[2], SEEDS[1]), (SEEDS[4], SEEDS[0]),
                          (SEEDS[1], SEEDS[1])]:
        assert not first.read_bytes().endswith(b"\n")
        for joint in (b"", b"\n", b"\n\xef\xbb\xbf"):
            both = tmp_path / "glued.txt"
            both.write_bytes(first.read_bytes() + joint + second.read_bytes())
            listing = read_listing(both)
            assert [r.title for r in listing.records] == titles(first) + titles(second)
            assert [r.abstract for r in listing.records] == (
                [r.abstract for r in read_listing(first).records]
                + [r.abstract for r in read_listing(second).records])
            assert listing.warnings == []


def test_a_copy_with_no_break_spaces_reads_as_the_copy(tmp_path: Path) -> None:
    # Spaces copied as U+00A0: the chrome ("Get trending papers in your email inbox!",
    # "Daily Papers") no longer matched and came in as two papers.
    for seed in SEEDS:
        nbsp = tmp_path / "nbsp.txt"
        nbsp.write_text(seed.read_text(encoding="utf-8").replace(" ", "\xa0"), encoding="utf-8")
        assert read_listing(nbsp).records == read_listing(seed).records


def test_a_copy_cut_inside_an_abstract_keeps_the_paper_and_says_so(tmp_path: Path) -> None:
    # The 2024 layout closes every card with its meta; a last card without it was kept
    # with half its abstract and no word. Kept (as a card cut inside its meta is), named.
    for seed in (SEEDS[0], SEEDS[2], SEEDS[3]):
        full = read_listing(seed).records
        text = seed.read_text(encoding="utf-8")
        start = text.rindex(full[-1].abstract[:40])
        cut = tmp_path / "cut.txt"
        cut.write_text(text[: start + len(full[-1].abstract) // 2], encoding="utf-8")
        listing = read_listing(cut)
        assert listing.records[:-1] == full[:-1]
        last = listing.records[-1]
        assert last.title == full[-1].title and full[-1].abstract.startswith(last.abstract)
        short = full[-1].title if len(full[-1].title) <= 80 else full[-1].title[:79].rstrip()
        (warning,) = listing.warnings
        assert warning.startswith(f'cut.txt: last paper "{short}')
        assert warning.endswith("is cut off (no authors or date); kept")


def test_the_bare_layout_ends_in_an_abstract_without_a_warning() -> None:
    # Seeds 001 and 004 have no card meta at all: their last paper is whole.
    for seed in (SEEDS[1], SEEDS[4]):
        assert read_listing(seed).warnings == []
