"""The Stats view: its figures agree with `winnow stats`, and it follows the theme."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from PySide6.QtWidgets import QApplication

from desktop.statsview import StatsDialog, StatsView, figures_from
from desktop.theme import DARK
from storage import Library
from storage.states import table


def _cli_json(path) -> dict:
    out = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(path), "stats",
                          "--json"], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    return json.loads(out)


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


def test_g_t_opens_the_view_and_esc_closes_it(window, seeded: Library, press, qtbot) -> None:
    press("e", "e")
    press("g t")
    qtbot.waitUntil(lambda: any(isinstance(w, StatsDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, StatsDialog))
    view = dialog.view
    assert dict(view.figures.per_state)["Done"] == 2
    assert {"states", "tags"} <= set(view.plots)
    assert view.numbers["in the Inbox"].text() == "413"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view)
    press("Escape")
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_the_view_redraws_in_the_dark_theme(seeded: Library, qtbot) -> None:
    view = StatsView()
    qtbot.addWidget(view)
    view.show_figures(figures_from(seeded, table(), date(2026, 11, 30)))
    view.set_theme(DARK)
    assert view.heatmap.theme is DARK
    assert all(plot.backgroundBrush().color() == DARK.colour("base")
               for plot in view.plots.values())
    assert {"inbox", "oldest", "states", "tags"} <= set(view.plots)
    assert view.missing == ["Time per decision"]  # no timed decisions in a fresh library
