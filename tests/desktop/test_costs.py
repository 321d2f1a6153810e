"""What a key press costs: library calls and reading-pane renders, counted, not timed.

At 1M papers each redundant call here was tens to hundreds of milliseconds on the GUI
thread (bench/README.md), so the counts are the contract.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from storage import Library


class CountingLibrary(Library):
    """The real library, counting the calls whose cost grows with the library."""

    def __init__(self, *args, **kwargs) -> None:
        self.calls: Counter[str] = Counter()
        super().__init__(*args, **kwargs)

    def stats(self) -> dict[str, int]:
        self.calls["stats"] += 1
        return super().stats()

    def count(self, query: str = "") -> int:
        self.calls["count"] += 1
        return super().count(query)

    def has_state(self, state: str) -> bool:
        self.calls["has_state"] += 1
        return super().has_state(state)

    def tags(self) -> list[tuple[str, int]]:
        self.calls["tags"] += 1
        return super().tags()


@pytest.fixture
def counting(seeded_path: Path):
    library = CountingLibrary(seeded_path)
    yield library
    library.close()


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch):
    """Count the reading pane's renders of `window`: renders(window) -> list of ids."""

    def watch(window) -> list[int | None]:
        shown: list[int | None] = []
        real = window.reader.show_paper

        def show_paper(paper, *args, **kwargs):
            shown.append(paper.id if paper is not None else None)
            return real(paper, *args, **kwargs)

        monkeypatch.setattr(window.reader, "show_paper", show_paper)
        return shown

    return watch


def test_start_up_reads_the_counts_once(counting: CountingLibrary, make_window,
                                        qtbot) -> None:
    window = make_window(counting)
    qtbot.waitUntil(lambda: not window.busy)
    assert counting.calls["stats"] == 1 and counting.calls["tags"] == 1
    assert "Inbox 415" in window.counts_label.text()
    assert window.sidebar.entry("inbox").count == 415


def test_r_renders_the_next_paper_once_and_never_counts_the_inbox(
        counting: CountingLibrary, make_window, press, renders) -> None:
    window = make_window(counting)
    ids = list(window.model.ids)
    shown = renders(window)
    counting.calls.clear()
    press("r")
    assert counting.get(ids[0]).read
    assert shown == [ids[1]]
    assert window.reader.paper.id == ids[1]
    press("r")
    assert shown == [ids[1], ids[2]]
    assert counting.calls["count"] == 0 and counting.calls["has_state"] == 2


def test_r_on_the_last_row_shows_it_read_once(counting: CountingLibrary, make_window,
                                              press, renders) -> None:
    window = make_window(counting)
    press("G")
    last = window.current_id()
    shown = renders(window)
    press("r")
    assert shown == [last]
    assert window.reader.paper.read


def test_moving_and_undo_render_once(window, seeded: Library, press, renders) -> None:
    ids = list(window.model.ids)
    shown = renders(window)
    press("j")
    assert shown == [ids[1]]
    press("k")
    assert shown == [ids[1], ids[0]]
    press("s")
    assert shown[-1] == ids[0] and len(shown) == 3  # the star shows on the paper
    press("ctrl+z")
    assert len(shown) == 4 and not window.reader.paper.starred
    assert not seeded.get(ids[0]).starred


def test_the_last_r_in_the_inbox_shows_all_caught_up(window, seeded: Library,
                                                     press) -> None:
    rest = [pid for pid in window.model.ids if pid != window.current_id()]
    seeded.set_read(rest, True)
    press("r")
    assert not seeded.has_unread()
    assert window.panel.stack.currentWidget() is window.empty_state
    assert window.panel.empty_title.text() == "All caught up"


def test_a_burst_of_writes_refreshes_the_counts_once(counting: CountingLibrary,
                                                     make_window, press, qtbot) -> None:
    window = make_window(counting)
    qtbot.waitUntil(lambda: not window.busy)
    counting.calls.clear()
    press("r", "r", "s")
    qtbot.waitUntil(lambda: not window.busy)
    assert counting.calls["stats"] == 1
    # Keys a little apart (a brisk triager) share a refresh too: at most one pending
    # and COUNTS_GAP_MS between refreshes, instead of one per key.
    counting.calls.clear()
    for key in ("r", "u", "r"):
        press(key)
        qtbot.wait(80)
    qtbot.waitUntil(lambda: not window.busy)
    assert counting.calls["stats"] <= 2
    assert f"Inbox {counting.stats()['unread']}" in window.counts_label.text()
    assert window.sidebar.entry("starred").count == 1


def test_searching_and_switching_views_do_not_recount_the_library(
        counting: CountingLibrary, make_window, press, qtbot) -> None:
    window = make_window(counting)
    counting.calls.clear()
    window.set_search("diffusion")
    shown = window.model.rowCount()
    assert 0 < shown < 415
    assert f"Showing {shown:,}" in window.counts_label.text()
    press("Esc", "g a")
    assert window.browser.view_key == "all"
    assert "Showing 415" in window.counts_label.text()
    assert counting.calls["stats"] == 0


def test_another_process_writing_refreshes_list_and_counts(counting: CountingLibrary,
                                                           make_window, qtbot) -> None:
    window = make_window(counting)
    first = window.current_id()
    with Library(counting.path) as other:
        other.set_read([first], True)
    window.ops.refresh_external()
    assert "Inbox 414" in window.counts_label.text()
    assert window.sidebar.entry("inbox").count == 414
    assert first not in window.model.ids


def test_r_finds_its_row_without_an_id_index(window, press) -> None:
    # The id-to-row dict over every id is 70 ms at 800k ids; the changed paper is the
    # row the press was on.
    press("r", "r", "j", "r")
    assert window.model.index_builds == 0


def test_the_id_index_is_built_once_per_query_result(seeded: Library) -> None:
    from desktop.model import PaperTableModel

    model = PaperTableModel(seeded)
    model.set_query("")
    ids = list(model.ids)
    assert model.row_of(ids[7], near=7) == 7 and model.index_builds == 0
    assert [model.row_of(ids[n]) for n in (3, 300, 9)] == [3, 300, 9]
    assert model.row_of(ids[5], near=6) == 5 and model.row_of(-1) == -1
    assert model.index_builds == 1
    model.set_query("is:unread")
    assert model.row_of(ids[3]) == model.ids.index(ids[3])
    assert model.index_builds == 2


def test_the_list_scrolls_by_moving_pixels(window) -> None:
    # A see-through viewport makes Qt repaint every visible row on a one-row scroll.
    assert window.table.viewport().autoFillBackground()
    window.run_command("view.theme")
    assert window.table.viewport().autoFillBackground()
