"""Highlight commands: colour keys in caret mode, recolouring from the list."""

from __future__ import annotations

from storage import Library


def test_a_colour_digit_in_caret_mode_highlights_in_that_colour(window, seeded: Library,
                                                                 press) -> None:
    first = window.current_id()
    press("v", "v", "w", "w", "3")
    [annotation] = seeded.annotations(first)
    assert annotation.colour == "blue" and annotation.start == 0
    assert window.highlight_colour == "blue"
    press("A", "1")
    assert seeded.annotations(first)[0].colour == "yellow"
    press("ctrl+z")
    assert seeded.annotations(first)[0].colour == "blue"
