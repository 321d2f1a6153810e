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
