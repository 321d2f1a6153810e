"""Draw storage/stats.py's figures into a PNG with matplotlib (Agg, no display).

Imported only by `winnow stats --plot`: matplotlib costs a second to import.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from storage.files import whole_file
from storage.stats import TriageStats

LIGHT = {"bg": "#ffffff", "fg": "#222222", "grid": "#dddddd", "accent": "#2f6fde",
         "cmap": "Greens"}
DARK = {"bg": "#1e1f22", "fg": "#e6e6e6", "grid": "#3a3b3f", "accent": "#6ea0ff",
        "cmap": "viridis"}


def plot_stats(figures: TriageStats, out: Path, *, dark: bool = False) -> Path:
    """The heatmap of decisions per day, the Inbox over time (size and the age of
    its oldest paper), papers per state, time per decision and the top tags."""
    import logging

    import matplotlib

    # On its first run (a new HOME) matplotlib builds its font cache, and where it cannot
    # save it (a full disk) it warns on stderr before Winnow's own one line about the
    # file. The cache is matplotlib's: it builds it again next time.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    theme = DARK if dark else LIGHT
    plt.rcParams.update({"text.color": theme["fg"], "axes.labelcolor": theme["fg"],
                         "xtick.color": theme["fg"], "ytick.color": theme["fg"],
                         "axes.edgecolor": theme["grid"], "font.size": 9})
    fig = plt.figure(figsize=(12, 9), facecolor=theme["bg"])
    grid = fig.add_gridspec(3, 2, height_ratios=[1.1, 1, 1])
    heat = fig.add_subplot(grid[0, :])
    inbox = fig.add_subplot(grid[1, :])
    per_state = fig.add_subplot(grid[2, 0])
    tags = fig.add_subplot(grid[2, 1])
    for axes in (heat, inbox, per_state, tags):
        axes.set_facecolor(theme["bg"])
    _heatmap(heat, figures, theme)
    _inbox(inbox, figures, theme)
    labels = [figures.labels.get(name, name) for name in figures.per_state]
    per_state.barh(labels, list(figures.per_state.values()), color=theme["accent"])
    per_state.invert_yaxis()
    timing = figures.decision_seconds
    per_state.set_title(f"Papers per state · median {timing['median']:.1f} s per decision "
                        f"({timing['count']} timed)")
    names = [name for name, _ in figures.top_tags] or ["(no tags)"]
    tags.barh(names, [n for _, n in figures.top_tags] or [0], color=theme["accent"])
    tags.invert_yaxis()
    tags.set_title("Top tags")
    fig.tight_layout()
    try:
        with whole_file(out) as temp:  # a full disk keeps the previous picture
            # The format from the name asked for: the temporary name ends otherwise.
            fig.savefig(temp, facecolor=theme["bg"], dpi=100,
                        format=Path(out).suffix[1:].lower() or "png")
    finally:
        plt.close(fig)
    return out


def _heatmap(axes, figures: TriageStats, theme: dict[str, str]) -> None:
    import numpy as np

    days = [(date.fromisoformat(day), count) for day, count in figures.per_day]
    start = days[0][0]
    offset = start.weekday()
    weeks = (offset + len(days) + 6) // 7
    cells = np.full((7, weeks), np.nan)
    for index, (_, count) in enumerate(days):
        cells[(offset + index) % 7, (offset + index) // 7] = count
    axes.imshow(cells, aspect="auto", cmap=theme["cmap"], interpolation="nearest")
    axes.set_yticks(range(7), ["Mon", "", "Wed", "", "Fri", "", "Sun"])
    axes.set_xticks([])
    total = sum(count for _, count in days)
    axes.set_title(f"Decisions per day, {days[0][0]} to {days[-1][0]} ({total} papers)")


def _inbox(axes, figures: TriageStats, theme: dict[str, str]) -> None:
    xs = [date.fromisoformat(day) for day, _, _ in figures.inbox]
    axes.plot(xs, [size for _, size, _ in figures.inbox], color=theme["accent"])
    axes.set_ylabel("papers in the Inbox")
    axes.grid(color=theme["grid"])
    age = axes.twinx()
    age.plot(xs, [a if a is not None else float("nan") for _, _, a in figures.inbox],
             color=theme["fg"], linestyle="--")
    age.set_ylabel("age of the oldest (days)")
    axes.set_title("The Inbox over time")
