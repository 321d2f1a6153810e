"""Operations: the one write path of the app, and following other processes' writes."""

from __future__ import annotations

from desktop.model import COL_STAR
from storage import Library


def _star_shown(window, paper_id: int) -> bool:
    row = window.model.row_of(paper_id)
    return bool(window.model.index(row, COL_STAR).data())


def test_a_write_repaints_its_row_the_pane_and_the_counts_and_offers_undo(
        window, seeded: Library, qtbot) -> None:
    first = window.current_id()
    seen: list[object] = []
    window.ops.changed.connect(seen.append)
    result = window.ops.run(lambda library: library.set_starred([first], True), ids=[first],
                            message="Starred")
    assert result and result.count == 1 and seeded.get(first).starred
    assert _star_shown(window, first)
    assert window.statusBar().currentMessage() == "Starred · Ctrl+Z to undo"
    assert seen == [[first]]
    qtbot.waitUntil(lambda: window.sidebar.entry("starred").count == 1)


def test_a_failed_write_is_said_and_changes_nothing(window, seeded: Library) -> None:
    first = window.current_id()
    seen: list[object] = []
    window.ops.changed.connect(seen.append)
    result = window.ops.run(lambda library: library.annotate(first, 0, 5, colour="plaid"),
                            ids=[first], message="Highlighted")
    assert result is None and seen == []
    assert "unknown colour 'plaid'" in window.statusBar().currentMessage()
    assert seeded.annotations(first) == []


def test_the_pane_follows_a_change_to_the_paper_it_shows(window, seeded: Library) -> None:
    first = window.current_id()
    window.ops.run(lambda library: library.add_tags([first], ["queued"]), ids=[first])
    assert "queued" in window.reader.paper.tags
    window.ops.run(lambda library: library.set_note(first, "typed"), ids=[first], pane=False)
    assert window.reader.paper.note == ""  # the editor made it: the pane is not redrawn


def test_a_change_result_names_its_own_papers(window, seeded: Library) -> None:
    first = window.current_id()
    seeded.set_starred([first], True)
    window.ops.run(lambda library: library.undo(), reload=True, undoable=False,
                   message=lambda change: change.description)
    assert not _star_shown(window, first)


def test_another_process_write_shows_after_a_poll(window, seeded: Library, qtbot) -> None:
    first = window.current_id()
    with Library(seeded.path) as other:
        other.set_read([first], True)
    window.ops.poll()
    assert first not in window.model.ids  # the Inbox lost it
    assert "Inbox 414" in window.counts_label.text()


def test_a_write_outside_run_is_heard_and_repainted(window, seeded: Library) -> None:
    """The library announces every Change; one made by another part of the app (not
    through `run`) still repaints its row."""
    first = window.current_id()
    seeded.set_starred([first], True)
    assert _star_shown(window, first)
    assert window.reader.paper.starred


def test_a_closed_window_stops_listening(window, seeded: Library) -> None:
    first = window.current_id()
    seen: list[object] = []
    window.ops.changed.connect(seen.append)
    seeded.set_starred([first], True)
    assert seen == [[first]]
    window.close()
    seeded.set_starred([first], False)
    assert seen == [[first]]  # a closed window's rows are not repainted


def test_a_new_day_brings_snoozed_papers_back_to_the_inbox_list(window, seeded: Library,
                                                                 qtbot) -> None:
    from datetime import date, timedelta

    tomorrow = date.today() + timedelta(days=1)
    first, second = window.model.id_at(0), window.model.id_at(1)
    window.ops.run(lambda library: library.set_state([first, second], "later",
                                                     tomorrow.isoformat()))
    window.ops.refresh_external()
    assert window.model.row_of(first) < 0 and window.model.row_of(second) < 0
    inbox_before = seeded.stats()["inbox"]
    window.ops.poll()  # the same day: nothing wakes
    assert seeded.get(first).state == "later"

    window.ops.today = lambda: tomorrow  # the clock the app reads passes midnight
    window.ops.poll()

    assert seeded.get(first).state == "inbox" and seeded.get(second).state == "inbox"
    assert window.model.row_of(first) >= 0 and window.model.row_of(second) >= 0
    assert window.statusBar().currentMessage() == "2 snoozed papers back in the Inbox"
    assert window.sidebar.entry("inbox").count == inbox_before + 2
    assert window.sidebar.entry("later").count == 0
    window.ops.poll()  # once a day
    assert window.statusBar().currentMessage() == "2 snoozed papers back in the Inbox"
