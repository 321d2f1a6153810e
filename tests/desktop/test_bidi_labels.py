"""A bidi override in listing text stays inside that text: the reading pane's
lines and the toasts join listing text (a title, an organisation, a file name)
with the app's own words, and one unclosed U+202E reversed all of them after it
(the For you line read `… "eltit idib live .(derrats)"`)."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.toast import toast_for
from storage import Library

RLO = "\u202e"
ABSTRACT = ("We route tokens to experts by a learned score and show that a small router "
            "matches a dense model at a third of the compute on four benchmarks.")


def test_overrides_from_listings_reorder_no_words_of_the_app(library: Library, make_window,
                                                             tmp_path: Path) -> None:
    listing = tmp_path / f"{RLO}evil.json"
    card = {"id": "2405.01234", "title": "Sparse Routing at Scale", "summary": ABSTRACT,
            "publishedAt": "2024-05-02T00:00:00Z", "upvotes": 7,
            "organization": {"fullname": f"{RLO}Evil Org"}}
    listing.write_text(json.dumps([{"paper": card, "title": card["title"]}]), encoding="utf-8")
    report = library.import_files([listing])
    assert report.ok, report.files[0].error
    [paper_id] = library.search("").ids
    window = make_window(library)
    window.reader.show_paper(library.get(paper_id))
    meta = window.reader.meta.text()
    assert "Evil Org" in meta and "7 upvotes" in meta and RLO not in meta
    window.reader.set_why(f'Closest to "{RLO}Sparse Routing" (starred).')
    assert window.reader.why.text() == '\u2726 Closest to "Sparse Routing" (starred).'
    toast = toast_for(window)
    toast.show_message(f"Imported {listing.name}: 1 new", f"✓ {listing.name}: 1 paper")
    assert toast.headline.text() == "Imported evil.json: 1 new"
    assert toast.details.text() == "✓ evil.json: 1 paper"
