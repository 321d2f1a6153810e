"""Two copies of the 2024 page in one file (two pastes into one file, `cat a b`):
the second copy's page chrome and date are no papers. Before, every appended copy
brought three: "new", "Subscribe" and "byAK and the research community"."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from storage.listing import read_listing
from tests.conftest import SEEDS
from tests.storage.forms.helpers import FORMS, whole_warnings

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


# The bare layout (seeds 001, 004: no card meta at all) has nothing after an abstract to
# miss; what a cut one lacks is its end: nearly every abstract ends a sentence (or with
# its code's address), a cut one mid-sentence.

def _cuts(abstract: str) -> dict[str, int]:
    half = len(abstract) // 2
    while abstract[half - 1] in " .":
        half += 1
    return {"mid-word": half, "after a comma": abstract.rindex(",") + 1,
            "before its full stop": len(abstract) - 1}


@pytest.mark.parametrize("where", ["mid-word", "after a comma", "before its full stop"])
@pytest.mark.parametrize("seed", [1, 4])
def test_the_bare_layout_cut_inside_its_last_abstract_says_it_may_be_cut(
        tmp_path: Path, seed: int, where: str) -> None:
    full = read_listing(SEEDS[seed]).records
    text = SEEDS[seed].read_text(encoding="utf-8")
    abstract = full[-1].abstract
    start = text.rindex(abstract[:40])
    cut = tmp_path / "cut.txt"
    cut.write_text(text[: start + _cuts(abstract)[where]], encoding="utf-8")
    listing = read_listing(cut)
    assert listing.records[:-1] == full[:-1]
    last = listing.records[-1]
    assert last.title == full[-1].title
    assert abstract.startswith(last.abstract) and last.abstract != abstract
    short = last.title if len(last.title) <= 80 else last.title[:79].rstrip() + "…"
    assert listing.warnings == [
        f'cut.txt: last paper "{short}" may be cut off (its abstract ends '
        f'"…{last.abstract[-30:].lstrip()}" mid-sentence); kept']


@pytest.mark.parametrize("seed", [1, 4])
def test_the_bare_layout_cut_between_papers_or_after_a_sentence_warns_of_nothing_it_cannot_tell(
        tmp_path: Path, seed: int) -> None:
    # Cut right after an abstract, or after a full stop inside one: nothing says so.
    full = read_listing(SEEDS[seed]).records
    text = SEEDS[seed].read_text(encoding="utf-8")
    abstract = full[-2].abstract
    end = text.rindex(abstract[:40]) + len(abstract)
    for stop in (end, end + 1, text.rindex(abstract[:40]) + abstract.index(". ") + 1):
        cut = tmp_path / "cut.txt"
        cut.write_text(text[:stop], encoding="utf-8")
        assert read_listing(cut).warnings == []


@pytest.mark.parametrize("ending", ["", "\n", "\n\n"])
def test_no_seed_and_no_fixture_warns_when_whole(ending: str, tmp_path: Path) -> None:
    fixtures = sorted(p for p in FORMS.iterdir() if p.suffix in (".txt", ".md", ".html", ".json")
                      and not p.name.startswith("not-") and p.name != "md-truncated.md")
    for path in [*SEEDS, *fixtures]:
        copy = tmp_path / path.name
        copy.write_text(path.read_text(encoding="utf-8").rstrip("\n") + ending,
                        encoding="utf-8")
        assert read_listing(copy).warnings == whole_warnings(path.name), path.name


def test_the_command_reports_a_cut_bare_layout(tmp_path: Path) -> None:
    text = SEEDS[4].read_text(encoding="utf-8")
    cut = tmp_path / "cut.txt"
    cut.write_text(text[: len(text) - 40], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "library.db"), "import",
         "--json", str(cut)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["files"]
    (warning,) = report["warnings"]
    assert warning.startswith("cut.txt: last paper ") and "may be cut off" in warning
    assert report["found"] == report["new"] == len(read_listing(SEEDS[4]).records)


# A phone's share text (the app's Share -> Copy): the title, its summary, the link to the
# paper's page. Read by the older layout's reader (title, abstract), the link was a paper
# "cut off (no abstract)" and the paper had no arXiv id (attack N18).
SHARED = [("Large Language Models as Judges: A Survey",
           "LLM-as-a-judge is reviewed across evaluation settings, biases and uses, with "
           "guidance on when it can be trusted.", "2412.20138",
           "https://huggingface.co/papers/2412.20138"),
          ("Lattice-KV: Compressing the Key-Value Cache with Learned Product Quantizers",
           "Lattice-KV compresses the key-value cache of long-context models with learned "
           "per-head product quantizers.", "2611.01234", "https://arxiv.org/abs/2611.01234v2")]


def _shared(papers: list[tuple[str, str, str, str]]) -> str:
    return "\n\n".join(f"{title}\n\n{summary}\n\n{link}" for title, summary, _, link in papers)


@pytest.mark.parametrize("count", [1, 2])
def test_a_phones_share_text_keeps_the_link_as_the_papers_id(tmp_path: Path,
                                                              count: int) -> None:
    share = tmp_path / "share.txt"
    share.write_text(_shared(SHARED[:count]) + "\n", encoding="utf-8")
    listing = read_listing(share)
    assert listing.warnings == []
    assert [(r.title, r.abstract, r.arxiv_id, r.url) for r in listing.records] == [
        (title, summary, arxiv, f"https://huggingface.co/papers/{arxiv}")
        for title, summary, arxiv, _ in SHARED[:count]]


def test_a_link_line_is_a_papers_link_only_after_its_abstract(tmp_path: Path) -> None:
    # A line that is a link where a title stands is a title still (nothing taken from it).
    text = (f"{SHARED[0][0]}\n\n{SHARED[0][1]}\n\n  • 3 authors\n·\nDec 9 4\n\n"
            f"https://example.org/papers/1\n\nAn abstract of a paper whose title is a link to "
            f"somewhere else.\n\n  • 2 authors\n·\nDec 9 1\n")
    path = tmp_path / "links.txt"
    path.write_text(text, encoding="utf-8")
    records = read_listing(path).records
    assert [(r.title, r.arxiv_id) for r in records] == [
        (SHARED[0][0], None), ("https://example.org/papers/1", None)]


def test_winnow_import_json_keeps_a_shared_papers_id(tmp_path: Path) -> None:
    share = tmp_path / "share.txt"
    share.write_text(_shared(SHARED[:1]), encoding="utf-8")
    db = tmp_path / "lib.db"
    run = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(db), "import",
                          "--json", str(share)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    (report,) = json.loads(run.stdout)["files"]
    assert (report["found"], report["new"], report["warnings"]) == (1, 1, [])
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT title, arxiv_id, url FROM papers").fetchall() == [
            (SHARED[0][0], "2412.20138", "https://huggingface.co/papers/2412.20138")]
