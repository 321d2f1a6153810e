"""Charts: the calendar heatmap's geometry and colours, themed pyqtgraph plots."""

from __future__ import annotations

from datetime import date, timedelta

from desktop.charts import WEEKS, CalendarHeatmap, bar_plot, level, series_plot
from desktop.theme import DARK, LIGHT


def test_levels_split_by_the_busiest_day() -> None:
    assert [level(n, 8) for n in (0, 1, 2, 3, 4, 5, 8)] == [0, 1, 1, 2, 2, 3, 4]
    assert level(3, 0) == 0


def test_every_day_of_the_year_has_a_cell_that_maps_back(qtbot) -> None:
    heatmap = CalendarHeatmap()
    qtbot.addWidget(heatmap)
    end = date(2026, 11, 30)  # a Monday
    heatmap.set_data({end: 3, end - timedelta(days=40): 1}, end)
    assert heatmap.start.weekday() == 0 and (end - heatmap.start).days < WEEKS * 7
    day = heatmap.start
    while day <= end:
        assert heatmap.day_at(heatmap.cell_rect(day).center()) == day
        day += timedelta(days=1)
    beyond = heatmap.cell_rect(end).center()
    beyond.setY(beyond.y() + 15)  # Tuesday after the end: no cell
    assert heatmap.day_at(beyond) is None


def test_heatmap_colours_follow_the_theme(qtbot) -> None:
    heatmap = CalendarHeatmap()
    qtbot.addWidget(heatmap)
    light_empty, light_full = heatmap.colour_of(0, 4), heatmap.colour_of(4, 4)
    heatmap.set_theme(DARK)
    assert heatmap.colour_of(0, 4) != light_empty and heatmap.colour_of(4, 4) != light_full
    assert heatmap.colour_of(4, 4) == DARK.colour("accent")
    heatmap.resize(heatmap.sizeHint())
    image = heatmap.grab().toImage()
    corner = heatmap.cell_rect(heatmap.start).center()
    assert image.pixelColor(corner) == DARK.colour("hover")


def test_plots_take_the_theme_background(qtbot) -> None:
    for theme in (LIGHT, DARK):
        line = series_plot([(date(2026, 11, d), d) for d in range(1, 8)], theme)
        bars = bar_plot([("done", 5), ("later", 2)], theme)
        for plot in (line, bars):
            qtbot.addWidget(plot)
            assert plot.backgroundBrush().color() == theme.colour("base")


def test_a_few_papers_are_counted_in_whole_numbers(qtbot) -> None:
    """Top tags of 2, 2, 1, 1 papers: the axis read 0.5, 1, 1.5, 2. A count axis has
    whole numbers; seconds per decision keep their fractions."""
    counts = bar_plot([("kan", 2), ("safety", 2), ("agents", 1), ("diffusion", 1)], LIGHT)
    qtbot.addWidget(counts)
    counts.resize(400, 210)
    axis = counts.getPlotItem().getAxis("left")
    low, high = counts.getPlotItem().viewRange()[1]
    values = [v for _spacing, level in axis.tickValues(low, high, 200) for v in level]
    assert values and all(float(v).is_integer() for v in values), values
    assert {1.0, 2.0} <= set(values)
    seconds = bar_plot([("median", 2.5), ("p90", 4.0)], LIGHT)
    qtbot.addWidget(seconds)
    axis = seconds.getPlotItem().getAxis("left")
    low, high = seconds.getPlotItem().viewRange()[1]
    values = [v for _spacing, level in axis.tickValues(low, high, 200) for v in level]
    assert not all(float(v).is_integer() for v in values), values
