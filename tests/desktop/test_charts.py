"""Charts: the calendar heatmap's geometry and colours, the painted bars and series."""

from __future__ import annotations

from datetime import date, timedelta

from desktop.charts import WEEKS, CalendarHeatmap, bar_plot, level, nice_ticks, series_plot
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


def _pixels(chart):
    chart.resize(420, chart.height())
    chart.show()
    return chart.grab().toImage()


def test_plots_take_the_theme_background(qtbot) -> None:
    for theme in (LIGHT, DARK):
        line = series_plot([(date(2026, 11, d), d) for d in range(1, 8)], theme)
        bars = bar_plot([("done", 5), ("later", 2)], theme)
        for plot in (line, bars):
            qtbot.addWidget(plot)
            image = _pixels(plot)
            assert image.pixelColor(plot.width() - 3, 3) == theme.colour("base")
        # The bars in the theme's accent, the line too.
        image = _pixels(bars)
        assert image.pixelColor(bars.bar_rects[0].center().toPoint()) == \
            theme.colour("accent")
        image = _pixels(line)
        middle = line.path.pointAtPercent(0.5).toPoint()
        assert any(image.pixelColor(middle.x(), middle.y() + dy) == theme.colour("accent")
                   for dy in (-1, 0, 1))


def test_a_few_papers_are_counted_in_whole_numbers(qtbot) -> None:
    """Top tags of 2, 2, 1, 1 papers: the axis read 0.5, 1, 1.5, 2. A count axis has
    whole numbers; seconds per decision keep their fractions."""
    counts = bar_plot([("kan", 2), ("safety", 2), ("agents", 1), ("diffusion", 1)], LIGHT)
    qtbot.addWidget(counts)
    counts.resize(400, 210)
    assert counts.ticks and all(float(v).is_integer() for v in counts.ticks), counts.ticks
    assert {1.0, 2.0} <= set(counts.ticks)
    seconds = bar_plot([("median", 0.8), ("p90", 1.4)], LIGHT)
    qtbot.addWidget(seconds)
    seconds.resize(400, 210)
    assert not all(float(v).is_integer() for v in seconds.ticks), seconds.ticks


def test_ticks_step_by_one_two_or_five_and_cover_the_top() -> None:
    assert nice_ticks(4.72, whole=True) == [0, 1, 2, 3, 4]
    assert nice_ticks(1.18, whole=True) == [0, 1]
    assert nice_ticks(4.72, whole=False) == [0, 1, 2, 3, 4]
    assert nice_ticks(2.36, whole=False) == [0, 0.5, 1.0, 1.5, 2.0]
    assert nice_ticks(98_000, whole=True) == [0, 20_000, 40_000, 60_000, 80_000]
    assert nice_ticks(0, whole=True) == [0]


def test_each_bar_has_its_figure_over_it_and_a_one_beside_a_thousand_shows(qtbot) -> None:
    bars = bar_plot([("Inbox", 1000), ("Later", 1), ("Done", 0)], LIGHT)
    qtbot.addWidget(bars)
    image = _pixels(bars)
    assert bars.value_labels == ["1,000", "1", "0"]
    for bar, label in zip(bars.bar_rects, bars.label_rects, strict=True):
        # The figure sits just above its bar, inside the chart, and is painted.
        assert label.bottom() <= bar.top() + 1 and label.top() >= 0
        assert abs(label.center().x() - bar.center().x()) < 1
        inked = [image.pixelColor(x, y) for x in range(int(label.left()), int(label.right()))
                 for y in range(int(label.top()), int(label.bottom()))]
        assert LIGHT.colour("base") in inked and any(
            p.lightness() < 120 for p in inked), label
    # A bar of 1 beside one of 1,000 is a sliver (a pixel at most) under its "1".
    assert bars.bar_rects[1].height() <= 1.5 and bars.bar_rects[0].height() > 100


def test_one_day_of_inbox_shows_the_week_before_it_from_zero(qtbot) -> None:
    line = series_plot([(date(2026, 11, 30), 40)], LIGHT)
    qtbot.addWidget(line)
    _pixels(line)
    assert line.first == date(2026, 11, 23) and line.ticks[0] == 0
    assert [text for _x, text in line.x_ticks][:2] == ["Nov 23", "Nov 25"]
    year = series_plot([(date(2025, 12, 1) + timedelta(days=n), n) for n in range(365)],
                       LIGHT)
    qtbot.addWidget(year)
    _pixels(year)
    names = [text for _x, text in year.x_ticks]
    assert 3 <= len(names) <= 7 and names[0] == "Dec 2025" and "Mar 2026" in names
    xs = [x for x, _text in year.x_ticks]
    assert xs == sorted(xs) and year.area.left() <= xs[0] and xs[-1] <= year.area.right()
