"""The API form's values checked as the other forms check them: an arXiv id is an
arXiv id (its version dropped), a link is an http(s) link, a day is a real day.
Real imports into a real library file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage import Library

TITLE = "Lattice-KV: Compressing the Key-Value Cache with Learned Product Quantizers"
SUMMARY = ("Serving long-context language models is bounded by the memory of the key-value "
           "cache, which grows linearly with sequence length. We introduce Lattice-KV, a "
           "cache compressor that learns product quantizers per attention head.")


def entry(**paper: object) -> dict[str, object]:
    card: dict[str, object] = {"id": "2611.01234", "title": TITLE, "summary": SUMMARY,
                               "publishedAt": "2026-10-01T17:59:15.000Z", "upvotes": 5}
    card.update(paper)
    return {"paper": card, "title": card["title"], "publishedAt": card["publishedAt"]}


@pytest.fixture
def library(tmp_path: Path) -> Library:
    with Library(tmp_path / "library.db") as lib:
        yield lib


def imported(library: Library, *entries: dict[str, object]) -> list[dict[str, object]]:
    report = library.import_text(json.dumps(list(entries)), name="api.json")
    assert report.ok, report.error
    return [paper.to_json() for paper in library.get_many(library.search("").ids)]


def test_a_versioned_id_is_the_same_paper_as_the_plain_one(library: Library) -> None:
    # A revision also renames the paper: only the id can tell it is the same one.
    imported(library, entry(id="2611.01234v3"))
    [paper] = imported(library, entry(id="2611.01234", title="Lattice-KV, revised title"))
    assert paper["arxiv_id"] == "2611.01234"
    assert paper["url"] == "https://huggingface.co/papers/2611.01234"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "<b>2611.01234</b>",
                                 "1}, title = {Pwned", "2611.01234 x", "2611.1", 2611.01234])
def test_an_id_that_is_not_an_arxiv_id_is_no_id(library: Library, bad: object) -> None:
    [paper] = imported(library, entry(id=bad))
    assert paper["title"] == TITLE
    assert paper["arxiv_id"] is None and paper["url"] is None


def test_links_are_web_addresses_and_days_are_real_days(library: Library) -> None:
    papers = imported(
        library,
        entry(githubRepo="javascript:alert(1)", projectPage="file:///etc/passwd",
              publishedAt="2026-13-45T00:00:00Z"),
        entry(id="2611.05678", title="A second paper on sparse routing",
              githubRepo="https://github.com/lab/routing", projectPage="http://lab.example.org",
              publishedAt="0000-01-01T00:00:00Z"))
    first = next(p for p in papers if p["arxiv_id"] == "2611.01234")
    second = next(p for p in papers if p["arxiv_id"] == "2611.05678")
    assert first["github_repo"] is None and first["project_page"] is None
    assert first["published"] is None
    assert second["github_repo"] == "https://github.com/lab/routing"
    assert second["project_page"] == "http://lab.example.org"
    assert second["published"] is None
