"""Tag commands: the quick tags on 1-9 and applying tags."""

from __future__ import annotations

from desktop.actions.tags import apply_tags, quick_tags
from storage import Library


def test_quick_tags_come_from_settings_else_the_library(seeded: Library) -> None:
    seeded.add_tags([1], ["zeta"])
    seeded.add_tags([1, 2], ["alpha"])
    # Keys in the order the tags were made (stored, stable), not by name.
    assert quick_tags({}, seeded) == {1: "zeta", 2: "alpha"}
    assert quick_tags({"quick_tags": ["  to   read ", "", "rl"]}, seeded) == \
        {1: "to read", 2: "rl"}
    assert quick_tags({"quick_tags": "rl"}, seeded) == {1: "zeta", 2: "alpha"}


def test_digit_toggles_a_quick_tag_and_undo_takes_it_back(window, seeded: Library,
                                                          press) -> None:
    seeded.add_tags([2], ["rl"])
    window.ops.refresh_counts()
    first = window.current_id()
    press("1")
    assert "rl" in seeded.get(first).tags
    assert "Tagged rl" in window.statusBar().currentMessage()
    press("1")
    assert "rl" not in seeded.get(first).tags
    press("ctrl+z")
    assert "rl" in seeded.get(first).tags
    press("9")
    assert "No quick tag 9" in window.statusBar().currentMessage()


def test_apply_tags_adds_and_removes_in_one_step(window, seeded: Library) -> None:
    first = window.current_id()
    seeded.add_tags([first], ["old"])
    apply_tags(window, [first], ["new"], ["old"])
    assert list(seeded.get(first).tags) == ["new"]
    assert window.statusBar().currentMessage() == "Tagged new; removed old · Ctrl+Z to undo"
    assert list(window.reader.paper.tags) == ["new"]
