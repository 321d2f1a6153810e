"""The Stats view, a page of the main window: its figures agree with `winnow stats`, every
bar carries its figure, and it follows the theme."""

from __future__ import annotations

import json
import subprocess
import sys

from PySide6.QtWidgets import QApplication, QDialog

from desktop.statsview import StatsView, figures_from
from desktop.theme import DARK
from storage import Library
from storage.states import table


def _cli_json(path) -> dict:
    out = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(path), "stats",
                          "--json"], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    return json.loads(out)


def _painted(view, qtbot) -> None:
    """Wait for the count under way to be painted."""
    if view.counting:
        with qtbot.waitSignal(view.painted, timeout=30000):
            pass
    assert not view.counting and view.status.text() == view.HINT


def test_figures_agree_with_winnow_stats_json(seeded: Library) -> None:
    ids = seeded.search("", limit=None).ids
    seeded.set_state(ids[:3], "done")
    seeded.set_state(ids[3:5], "shortlist")
    seeded.set_state(ids[5:6], "skipped")
    seeded.add_tags(ids[:2], ["rl"])
    figures = figures_from(seeded, table())
    cli = _cli_json(seeded.path)
    labels = {s.name: s.label for s in table().states}
    assert dict(figures.per_state) == {labels[k]: v for k, v in cli["per_state"].items()}
    assert dict(figures.per_state)["Done"] == 3 and dict(figures.per_state)["Skipped"] == 1
    assert {d.isoformat(): n for d, n in figures.per_day.items()} == dict(cli["per_day"])
    assert sum(figures.per_day.values()) == cli["decided"] == 6
    assert [(d.isoformat(), n) for d, n in figures.inbox] == [
        (day, size) for day, size, _age in cli["inbox"]]
    assert figures.inbox[-1][1] == cli["per_state"]["inbox"] == 409
    assert [list(t) for t in figures.top_tags] == cli["top_tags"]
    assert ("in the Inbox", "409") in figures.headline


def test_g_t_shows_the_page_in_the_window_and_esc_returns_to_the_list(
        window, seeded: Library, press, qtbot) -> None:
    press("e", "e")
    current = window.current_id()
    press("g t")
    view = window.stats_view
    _painted(view, qtbot)
    assert window.showing_page() and window.pages.currentWidget() is view
    assert view.isVisible() and view.window() is window and not window.reader.isVisible()
    assert not any(isinstance(w, QDialog) and w.isVisible()
                   for w in QApplication.topLevelWidgets())  # a page, not a window
    assert window.sidebar.currentItem() is window.sidebar._entries["stats"]
    assert dict(view.figures.per_state)["Done"] == 2
    # No tags yet: said in a line, not drawn as an empty chart.
    assert "states" in view.plots and "tags" not in view.plots and "Top tags" in view.missing
    assert view.numbers["in the Inbox"].text() == "413"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view)
    press("e")  # no paper is current on the page: a triage key decides nothing
    assert seeded.stats()["done"] == 2
    press("Escape")
    assert not window.showing_page() and window.reader.isVisible()
    assert window.current_id() == current
    qtbot.waitUntil(lambda: window.table.hasFocus())
    assert window.sidebar.currentItem() is window.sidebar._entries["inbox"]


def test_the_sidebar_entry_opens_the_page_and_a_view_leaves_it(window, press,
                                                                qtbot) -> None:
    sidebar = window.sidebar
    sidebar.setCurrentItem(sidebar._entries["stats"])  # as a click picks it
    assert window.showing_page() and window.stats_view.isVisible()
    press("g a")
    assert not window.showing_page() and window.browser.view_key == "all"
    press("g t")
    assert window.showing_page()
    press("/")
    window.search.setText("kolmogorov")
    window.browser.run_search()
    assert not window.showing_page() and window.model.rowCount() > 0


def test_the_page_agrees_with_winnow_stats_json(window, seeded: Library, press,
                                                qtbot) -> None:
    press("e", "e", "e", "q", "-")
    press("g t")
    view = window.stats_view
    _painted(view, qtbot)
    cli = _cli_json(seeded.path)
    assert view.numbers["papers"].text() == f"{cli['counts']['total']:,}"
    assert view.numbers["in the Inbox"].text() == f"{cli['per_state']['inbox']:,}"
    assert view.numbers["decided"].text() == f"{cli['decided']:,}" == "5"
    labels = {s.name: s.label for s in table().states}
    assert dict(view.figures.per_state) == {labels[k]: v for k, v in cli["per_state"].items()}


def test_a_small_count_beside_a_big_one_is_printed_over_its_bar(
        window, seeded: Library, press, qtbot) -> None:
    press("-")  # one paper skipped, 414 in the Inbox
    press("g t")
    _painted(window.stats_view, qtbot)
    plot = window.stats_view.plots["states"]
    per_state = window.stats_view.figures.per_state
    assert plot.value_labels == [f"{n:,}" for _label, n in per_state]
    assert [label for label, _value in plot.bars] == [label for label, _n in per_state]
    assert "1" in plot.value_labels and "414" in plot.value_labels
    bar_colours = [window.theme.mark(s.colour) if s.colour else window.theme.colour("secondary")
                   for s in table().states]
    image = plot.grab().toImage()
    for n, (label, value) in enumerate(per_state):
        assert plot.bar_colour(n) == bar_colours[n], label
        if value >= 10:  # tall enough to look inside
            assert image.pixelColor(plot.bar_rects[n].center().toPoint()) == bar_colours[n]
        assert plot.label_rects[n].bottom() <= plot.bar_rects[n].top() + 1


def test_the_page_follows_the_theme(window, press, qtbot) -> None:
    press("g t")
    _painted(window.stats_view, qtbot)
    window.run_command("view.theme")
    view = window.stats_view
    assert view.plots
    assert view.heatmap.theme is window.theme and window.theme.dark
    assert all(plot.grab().toImage().pixelColor(plot.width() - 3, 3) == DARK.colour("base")
               for plot in view.plots.values())


def test_the_view_redraws_in_the_dark_theme(seeded: Library, qtbot) -> None:
    seeded.add_tags([1, 2], ["rl"])
    view = StatsView()
    qtbot.addWidget(view)
    view.show_figures(figures_from(seeded, table()))
    view.set_theme(DARK)
    assert view.heatmap.theme is DARK
    assert all(plot.grab().toImage().pixelColor(plot.width() - 3, 3) == DARK.colour("base")
               for plot in view.plots.values())
    assert {"inbox", "oldest", "states", "tags"} <= set(view.plots)
    assert view.missing == ["Time per decision"]  # no timed decisions in a fresh library


# ------------------------------------------------ counted off the GUI thread
def test_the_page_counts_on_a_worker_thread_and_says_so(window, seeded: Library,
                                                        qtbot) -> None:
    seeded.set_state(seeded.search("", limit=3).ids, "done")
    qtbot.waitUntil(lambda: not window.busy)
    window.show_stats_page()
    view = window.stats_view
    # Back from opening the page with nothing counted on this thread: the worker counts.
    assert view.counting and view.figures is None
    assert view.status.text() == "Counting…" and not view.content.isVisible()
    assert window.busy  # a scripted screenshot waits for the figures
    with qtbot.waitSignal(view.painted, timeout=30000):
        pass
    assert not view.counting and view.content.isVisible()
    assert view.status.text() == "Esc goes back to the list"
    assert dict(view.figures.per_state)["Done"] == 3
    assert view.numbers["decided"].text() == "3"


def test_shown_again_it_counts_again_only_after_writes(window, seeded: Library, press,
                                                       qtbot) -> None:
    press("g t")
    view = window.stats_view
    _painted(view, qtbot)
    first = view.figures
    press("Escape", "g t")  # nothing written since: the page stays as it was
    assert not view.counting and view.figures is first
    press("Escape", "e", "e")  # two decisions
    press("g t")
    assert view.counting and not view.content.isVisible()  # old charts are not painted
    _painted(view, qtbot)
    assert view.figures is not first and view.content.isVisible()
    assert dict(view.figures.per_state)["Done"] == 2 and view.numbers["decided"].text() == "2"


def test_a_write_by_another_program_while_the_page_shows_is_counted(
        window, seeded: Library, press, qtbot) -> None:
    press("g t")
    view = window.stats_view
    _painted(view, qtbot)
    with Library(seeded.path) as other:  # the command line, say
        other.set_state(other.search("", limit=4).ids, "skipped")
    with qtbot.waitSignal(view.painted, timeout=30000):
        window.ops.poll()
    assert dict(view.figures.per_state)["Skipped"] == 4
    assert window.showing_page() and view.hasFocus()


def test_a_count_that_cannot_open_the_library_says_so(window, seeded: Library,
                                                      qtbot) -> None:
    seeded.path.rename(seeded.path.with_name("moved.db"))  # the open connection goes on
    window.show_stats_page()
    view = window.stats_view
    qtbot.waitUntil(lambda: not view.counting, timeout=30000)
    assert view.status.text().startswith("Could not count: ")
    assert view.figures is None and window.showing_page()


def test_closing_the_window_waits_for_the_count(window, qtbot) -> None:
    window.show_stats_page()
    worker = window.stats_view.worker
    assert worker is not None
    window.close()
    assert worker.isFinished()


def test_another_program_writing_while_the_page_shows_keeps_the_paper_in_the_pane(
        window, seeded: Library, press, qtbot) -> None:
    press("j", "j", "j")
    current = window.current_id()
    press("g t")
    _painted(window.stats_view, qtbot)
    with Library(seeded.path) as other:  # For you's first round writes vectors so
        other.set_starred([window.model.ids[0]])
    window.ops.poll()  # the list reloads under the page
    press("Escape")
    assert window.current_id() == current
    title = " ".join(seeded.get(current).title.split())
    assert " ".join(window.reader.title.toPlainText().split()) == title
