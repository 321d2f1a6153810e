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


def test_the_counts_and_the_list_agree_while_another_process_imports(
        seeded_path, make_window, qtbot, tmp_path, press) -> None:
    """N9: while `winnow import` of a big file ran in another process, the sidebar
    counted its committed batches (Inbox 20,475) while the list still showed the old
    rows (478). Both now follow the import together: a real importer, stopped between
    two batch commits, then let go."""
    import signal
    import sqlite3
    from contextlib import closing

    from tests.reliability.conftest import (
        TEST_BATCH,
        read_only,
        start_winnow,
        wait_for,
        write_listing,
    )

    library = Library(seeded_path)
    window = make_window(library)
    window.ops.poll_timer.stop()  # the test polls by hand
    inbox = window.model.rowCount()
    assert window.sidebar.entry("inbox").count == inbox == 415
    listing = write_listing(tmp_path / "big.txt", 6 * TEST_BATCH)
    process = start_winnow("import", str(listing), db=seeded_path)
    try:
        with closing(read_only(seeded_path)) as conn:
            wait_for(lambda: conn.execute("SELECT count(*) FROM papers").fetchone()[0]
                     >= inbox + TEST_BATCH or process.poll() is not None, timeout=60)
        lock = sqlite3.connect(seeded_path, isolation_level=None, timeout=30)
        try:
            lock.execute("BEGIN IMMEDIATE")  # the importer is between batches now
            process.send_signal(signal.SIGSTOP)
            [status] = lock.execute("SELECT status FROM sources ORDER BY id DESC").fetchone()
            lock.execute("ROLLBACK")
        finally:
            lock.close()
        assert status == "importing", "the import finished before it could be stopped"
        # The user triages meanwhile: the counts refresh after the key press.
        press("e")
        qtbot.waitUntil(lambda: not window.ops.counts_timer.isActive(), timeout=10_000)
        shown = window.model.rowCount()
        assert shown > inbox  # the committed batches are listed ...
        assert window.sidebar.entry("inbox").count == shown  # ... and counted, alike
        assert window.counts_label.text().startswith(f"Inbox {shown:,}  ·  Showing {shown:,}")
        # Let it finish: the next poll shows the whole file, counts and rows alike.
        process.send_signal(signal.SIGCONT)
        assert process.wait(timeout=120) == 0
        qtbot.waitUntil(lambda: (window.ops.poll(), window.model.rowCount())[1]
                        == inbox - 1 + 6 * TEST_BATCH, timeout=10_000)
        assert window.sidebar.entry("inbox").count == window.model.rowCount()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.kill()
        process.communicate()
        window.close()
        library.close()


def test_a_writer_that_commits_all_the_time_does_not_reload_the_list_at_every_key(
        window, seeded: Library, qtbot) -> None:
    """Another connection committing over and over (For you's vectors after a big
    import, a script): the counts refresh after each key follows it with the list at
    most every POLL_MS, the counts never ahead of the rows."""
    from desktop.ops import POLL_MS

    window.ops.poll_timer.stop()
    loads: list[int] = []
    window.browser.loaded.connect(lambda: loads.append(1))
    inbox = window.model.ids[:3]
    with Library(seeded.path) as other:
        other.set_read([inbox[0]], True)
        window.ops.refresh_counts()  # the first one follows at once
        assert len(loads) == 1 and inbox[0] not in window.model.ids
        assert window.sidebar.entry("inbox").count == window.model.rowCount()
        other.set_read([inbox[1]], True)
        window.ops.refresh_counts()  # right after: waits, counts and rows alike
        assert len(loads) == 1 and inbox[1] in window.model.ids
        assert window.sidebar.entry("inbox").count == window.model.rowCount()
        assert 0 < window.ops.counts_timer.remainingTime() <= POLL_MS + 50  # timer slack
    qtbot.waitUntil(lambda: inbox[1] not in window.model.ids, timeout=POLL_MS + 2000)
    assert len(loads) == 2
    assert window.sidebar.entry("inbox").count == window.model.rowCount()
