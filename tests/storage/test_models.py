"""storage/models.py: the value types the Library hands out, read from a real library:
a paper's JSON says every fact it holds, a report's summary is the line the user reads,
and a Change is true exactly when something changed."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from storage import Library
from storage.models import (
    ASPECTS,
    COUNTS,
    FLAGS,
    STATE,
    TAGS,
    Change,
    FileReport,
    ImportReport,
    Paper,
    byline,
)

LISTING = """Sparse Routing for Mixtures

We scale a mixture of experts with a router that learns where each token goes.

Dense Baselines Revisited

A dense transformer, trained longer, matches the sparse models we compare against.
"""


@pytest.fixture
def paper(library: Library) -> Paper:
    library.import_text(LISTING, name="monday")
    [first] = library.search("Sparse Routing", limit=1).ids
    library.add_tags([first], ["moe"])
    library.set_note(first, "read the router section")
    library.annotate_quote(first, "mixture of experts", comment="MoE")
    library.set_state([first], "done")
    got = library.get(first)
    assert got is not None
    return got


def test_a_papers_json_holds_every_fact_of_the_paper(paper: Paper) -> None:
    data = paper.to_json()
    # A field added to Paper and left out of the JSON export would be lost by `export`.
    assert {f.name for f in fields(Paper)} <= set(data)
    assert set(data) - {f.name for f in fields(Paper)} == {"read"}
    assert json.loads(json.dumps(data)) == data  # plain JSON all the way down
    assert data["tags"] == ["moe"] and data["note"] == "read the router section"
    assert [a["quote"] for a in data["annotations"]] == ["mixture of experts"]
    assert data["state"] == paper.state_export == "done"
    assert data["read"] is paper.read is True and data["read_at"] == paper.read_at
    assert [s["path"] for s in data["sources"]] == ["monday"]


def test_a_papers_page_is_its_link_else_its_hugging_face_page(paper: Paper) -> None:
    assert paper.page_url is None  # copied text carries neither
    with_id = Paper(**{**{f.name: getattr(paper, f.name) for f in fields(Paper)},
                       "arxiv_id": "2611.01234"})
    assert with_id.page_url == "https://huggingface.co/papers/2611.01234"
    with_url = Paper(**{**{f.name: getattr(with_id, f.name) for f in fields(Paper)},
                        "url": "https://example.org/p"})
    assert with_url.page_url == "https://example.org/p"


@pytest.mark.parametrize(("organization", "count", "line"), [
    ("Google DeepMind", 12, "Google DeepMind"),  # the organisation, when the card names one
    (None, 1, "1 author"),
    (None, 7, "7 authors"),
    ("", 2, "2 authors"),
    (None, 0, ""),
    (None, None, ""),
])
def test_byline(organization: str | None, count: int | None, line: str) -> None:
    assert byline(organization, count) == line


def test_an_import_report_is_the_line_the_user_reads(library: Library) -> None:
    first = library.import_text(LISTING, name="monday.txt")
    again = library.import_text(LISTING + "\nA Third Paper\n\nAn abstract about bilbies.\n",
                                name="tuesday.txt")
    assert first.summary() == (
        f"monday.txt: 2 papers, 2 new, 0 updated, 0 unchanged (import {first.source_id})")
    assert again.summary() == (
        f"tuesday.txt: 3 papers, 1 new, 0 updated, 2 unchanged (import {again.source_id})")
    same = library.import_text(LISTING, name="monday.txt")
    assert same.summary() == (f"monday.txt: 2 papers, 0 new, 0 updated, 2 unchanged, "
                              f"1 warning (import {first.source_id})")
    one = FileReport("a.txt", "a.txt", found=1, new=1, warnings=["cut"])
    assert one.summary() == "a.txt: 1 paper, 1 new, 0 updated, 0 unchanged, 1 warning"
    failed = FileReport("b.txt", "b.txt", error="b.txt: no Daily Papers listing found in it")
    assert failed.summary() == "error: b.txt: no Daily Papers listing found in it"
    report = ImportReport([first, again])
    assert (report.ok, report.new, report.updated) == (True, 3, 0)
    report.files.append(failed)
    data = report.to_json()
    assert data["ok"] is False and [f["ok"] for f in data["files"]] == [True, True, False]
    assert json.loads(json.dumps(data)) == data


def test_a_change_is_true_when_something_changed(library: Library) -> None:
    library.import_text(LISTING, name="monday")
    ids = library.search("", limit=None).ids
    starred = library.set_starred(ids[:1])
    assert starred and starred.paper_ids == tuple(ids[:1]) and starred.touches(FLAGS)
    assert not starred.touches(TAGS)
    again = library.set_starred(ids[:1])  # already starred: nothing changed
    assert not again
    assert not library.delete_papers([], backup=False)
    assert Change(everything=True) and Change(count=1) and not Change("said something")


def test_every_change_names_only_known_aspects(library: Library) -> None:
    library.import_text(LISTING, name="monday")
    ids = library.search("", limit=None).ids
    seen: list[Change] = []
    library.listen(seen.append)
    library.set_state(ids, "later")
    library.add_tags(ids, ["x"])
    library.set_note(ids[0], "n")
    library.annotate_quote(ids[0], "mixture of experts")
    library.save_search("Sparse", "sparse")
    library.undo()
    library.delete_papers(ids[1:], backup=False)
    assert len(seen) == 7
    for change in seen:
        assert change.aspects and change.aspects <= ASPECTS, change
    assert seen[0].touches(STATE, COUNTS)
    assert seen[5].origin == "undo"
