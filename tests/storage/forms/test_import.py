"""Every form of the page through the real import, into a real library file.

The card-by-card tests (test_cards.py) check the parsers; these check that what they
produce lands in the library: one paper per card, the same paper whatever form it came in,
and nothing at all from a file that is no listing.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from storage import Library
from tests.fixtures.forms.catalogue import API_ONLY, PAPERS

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
NOT_LISTINGS = ["not-readme.md", "not-shopping-list.txt", "not-article.txt",
                "not-other-site.html"]


@pytest.fixture
def library(tmp_path: Path):  # type: ignore[no-untyped-def]
    lib = Library(tmp_path / "library.db")
    yield lib
    lib.close()


@pytest.mark.parametrize(("name", "form", "count"), [
    ("text-daily.txt", "text", 15), ("html-daily.html", "html", 15),
    ("md-firecrawl.md", "markdown", 15), ("md-reference-links.md", "markdown", 12),
    ("md-trending.md", "markdown", 12), ("text-urls-export.txt", "text-urls", 15),
    ("api-week.json", "api", 14), ("md-truncated.md", "markdown", 12),
])
def test_each_form_imports_one_paper_per_card(library: Library, name: str, form: str,
                                             count: int) -> None:
    report = library.import_files([FORMS / name])
    (file_report,) = report.files
    assert file_report.error is None, file_report.error
    assert (file_report.form, file_report.found, file_report.new) == (form, count, count)
    assert library.stats()["total"] == count


def test_the_same_papers_in_every_form_are_the_same_papers(library: Library) -> None:
    """HTML gives ids, copied text gives none: the titles find the papers the ids made."""
    for name in ("html-daily.html", "md-firecrawl.md", "text-daily.txt",
                 "text-urls-export.txt", "md-reference-links.md", "md-trending.md",
                 "api-week.json"):
        report = library.import_files([FORMS / name])
        assert report.files[0].error is None, (name, report.files[0].error)
    assert library.stats()["total"] == len(PAPERS) + len(API_ONLY)
    with closing(sqlite3.connect(library.path)) as conn:
        ids = {row[0] for row in conn.execute("SELECT arxiv_id FROM papers")}
    assert ids == {p.arxiv_id for p in PAPERS + API_ONLY}


@pytest.mark.parametrize("name", NOT_LISTINGS)
def test_a_file_that_is_no_listing_writes_nothing(library: Library, name: str) -> None:
    before = library.path.read_bytes()
    report = library.import_files([FORMS / name])
    assert report.files[0].error == f"{name}: no Daily Papers listing found in it"
    assert library.stats()["total"] == 0
    with closing(sqlite3.connect(library.path)) as conn:
        assert conn.execute("SELECT count(*) FROM sources WHERE status = 'complete'"
                            ).fetchone()[0] == 0
    assert len(library.path.read_bytes()) == len(before)


# Each plain-text fixture's last card (its first copy on the trending page).
LAST_CARDS = {
    "text-daily.txt": "Measuring Contamination of Code Benchmarks Through Near-Duplicate Commits",
    "text-date-page.txt": "Low-Rank Adapters Forget Less: A Large-Scale Study of Continual "
                          "Fine-Tuning",
    "text-trending.txt": "Proof Sketches as Curriculum for Formal Theorem Proving",
}


@pytest.mark.parametrize(("name", "title"), sorted(LAST_CARDS.items()))
def test_the_command_names_the_card_a_cut_copy_ends_inside(tmp_path: Path, name: str,
                                                           title: str) -> None:
    # The plain-text copy cut inside its last card's title: that card was dropped with
    # exit 0 and no word. The real `winnow import --json` now names it.
    text = (FORMS / name).read_text(encoding="utf-8")
    cut = tmp_path / name
    cut.write_text(text[: text.index(title) + 20], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "library.db"), "import",
         "--json", str(cut)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["files"]
    assert report["warnings"] == [
        f'{name}: the copy ends inside the card "{title[:20]}"; skipped']
    assert report["found"] == report["new"] > 0
