"""The sidebar as a function of the library's facts."""

from __future__ import annotations

from datetime import date

from desktop.sidebar import LibraryFacts, builtin_views, listing_label, sidebar_entries
from storage import Library
from storage.states import table


def test_entries_from_facts_with_counts_quick_tags_and_sections() -> None:
    facts = LibraryFacts(
        stats={"total": 10, "inbox": 4, "later": 1, "shortlist": 1, "done": 3, "skipped": 1,
               "starred": 2, "annotated": 1},
        tags=[("rl", 4), ("Vision", 2)],
        saved=[("KAN", "kolmogorov", 3), ("broken", "tag:", None)],
        sources=[{"id": 5, "name": "clipboard 2026-11-30 10:00", "path": "-",
                  "listing_date": None, "found": 12},
                 {"id": 6, "name": "dec9.txt", "path": "/x/dec9.txt",
                  "listing_date": "2024-12-09", "found": 40}])
    entries = sidebar_entries(facts, builtin_views(table()), quick_tags=["vision"])
    by_key = {e.key: e for e in entries if not e.header}
    assert [by_key[k].count for k in ("inbox", "later", "shortlist", "done", "skipped", "all",
                                      "starred", "annotated")] == [4, 1, 1, 3, 1, 10, 2, 1]
    assert by_key["later"].query == "is:later" and by_key["done"].label == "Done"
    assert by_key["tag:vision"].hint == "1" and by_key["tag:rl"].hint == ""
    assert by_key["tag:vision"].query == 'tag:"Vision"'
    assert by_key["saved:broken"].count is None
    # A paste as short as the day allows: "Pasted 2026-11-30 10:00" was cut to
    # "Pasted 2026-1…" in the sidebar; the whole name is the tooltip.
    assert by_key["source:5"].label == listing_label(facts.sources[0])
    assert by_key["source:5"].label.startswith("Pasted ")
    assert "clipboard 2026-11-30 10:00" in by_key["source:5"].tooltip
    for today, label in ((date(2026, 11, 30), "Pasted 10:00"),
                         (date(2026, 12, 2), "Pasted Nov 30"),
                         (date(2027, 1, 3), "Pasted Nov 30, 2026")):
        assert listing_label(facts.sources[0], today) == label
    assert by_key["source:6"].label == "Dec 9, 2024" and by_key["source:6"].count == 40
    assert [e.label for e in entries if e.header] == [
        "Library", "Tags", "Saved searches", "Recent imports"]


def test_an_empty_library_has_only_its_views(library: Library) -> None:
    entries = sidebar_entries(LibraryFacts.read(library), builtin_views(table()))
    # The Inbox, For you after it, the other states in the table's order, then the rest.
    later_states = [s.view for s in table().states[1:]]
    assert [e.key for e in entries] == ["header:Library", "inbox", "foryou", *later_states,
                                        "all", "starred", "annotated", "stats"]
    assert {e.count for e in entries[1:-1]} == {0}
    assert entries[-1].page == "stats" and entries[-1].count is None


def test_facts_read_from_a_real_library(seeded: Library) -> None:
    seeded.save_search("KAN", "kolmogorov")
    seeded.add_tags([1, 2], ["rl"])
    facts = LibraryFacts.read(seeded)
    assert facts.stats["total"] == 415 and facts.tags == [("rl", 2)]
    assert facts.saved == [("KAN", "kolmogorov", seeded.count("kolmogorov"))]
    assert len(facts.sources) == 5


def test_a_state_only_the_library_still_has_is_a_view_after_the_states() -> None:
    facts = LibraryFacts(stats={"total": 7, "inbox": 4}, unknown={"parked": 2, "done": 1})
    entries = sidebar_entries(facts, builtin_views(table()))
    keys = [e.key for e in entries]
    parked = next(e for e in entries if e.key == "unknown:parked")
    assert (parked.label, parked.query, parked.count) == ("parked", "is:parked", 2)
    assert "states.json" in parked.tooltip
    assert keys.index("skipped") < keys.index("unknown:parked") == keys.index("all") - 1
    # A name the window's own table still has (states.json changed while the app
    # runs) keeps its own view: no second entry.
    assert "unknown:done" not in keys
