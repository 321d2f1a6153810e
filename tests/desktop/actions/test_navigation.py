"""Navigation commands: moving, views, finding a paper."""

from __future__ import annotations

from desktop.actions.navigation import choices, find_titles
from storage import Library


def test_first_and_last_and_the_view_keys(window, seeded: Library, press) -> None:
    ids = window.model.ids
    press("End")
    assert window.current_id() == ids[-1]
    press("g", "g")
    assert window.current_id() == ids[0]
    seeded.set_starred([ids[4]], True)
    press("g s")
    assert window.browser.view_key == "starred" and list(window.model.ids) == [ids[4]]
    press("g n")
    assert window.browser.view_key == "annotated" and window.model.rowCount() == 0


def test_find_titles_is_fuzzy_then_falls_back_to_search(seeded: Library) -> None:
    [tetris] = seeded.search("title:tetris", limit=1).ids
    title = seeded.get(tetris).title
    found = find_titles(seeded, title[:20].lower().replace("e", "", 1))
    assert found and found[0].value == tetris
    assert find_titles(seeded, "zzzzqqqq") == []


def test_popup_rows_say_date_byline_and_triage_state(seeded: Library) -> None:
    seeded.set_read([1], True)
    seeded.set_state([2], "shortlist")
    [row] = choices(seeded, [1])
    assert row.title == seeded.get(1).title and row.detail.endswith("Done")
    assert choices(seeded, [2])[0].detail.endswith("Shortlist")
    assert choices(seeded, [3])[0].detail.endswith("Inbox")
    assert choices(seeded, [10**9]) == []  # a paper gone meanwhile is left out
