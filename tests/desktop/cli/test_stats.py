"""`winnow stats` (desktop/cli/stats.py), run as the real command on a real library file."""

from __future__ import annotations

from pathlib import Path

from storage.states import BUILTIN_STATES
from tests.desktop.cli.conftest import winnow


def test_stats_counts_and_papers_read_per_day(db: Path) -> None:
    winnow("read", "1", "2", "3", db=db)
    winnow("star", "4", db=db)
    winnow("read", "5", db=db)
    winnow("undo", db=db)
    out = winnow("stats", db=db).stdout
    counts = dict(line.split() for line in out.split("\n\n")[0].splitlines())
    every_state = {state.name: "0" for state in BUILTIN_STATES}
    assert counts == {"total": "415", "unread": "412", "read": "3", "starred": "1",
                      "with_note": "0", "annotated": "0",
                      **every_state, "inbox": "412", "done": "3"}
    [day_line] = out.split("\n\n")[1].splitlines()[1:]
    assert day_line.split()[1] == "3"


def test_stats_text_gives_the_inbox_and_the_top_tags(db: Path) -> None:
    """The README lists the Inbox's size, its oldest paper's age and the top tags among
    what `winnow stats` prints; the text had none of them (attack.md F16)."""
    winnow("tag", "1", "2", "3", "--add", "rl", db=db)
    winnow("tag", "3", "--add", "moe", db=db)
    winnow("done", "4", "5", db=db)
    sections = winnow("stats", db=db).stdout.split("\n\n")
    [inbox] = [s for s in sections if s.startswith("inbox:")]
    assert inbox.startswith("inbox: 413 papers (0 a week ago), the oldest waiting 0 days")
    [tags] = [s for s in sections if s.startswith("top tags:")]
    assert tags.strip() == "top tags: rl (3), moe (1)"


def test_stats_plot_to_a_name_that_is_no_image_format_is_one_line(db: Path, tmp_path: Path
                                                                  ) -> None:
    """`--plot stats.txt` was "unexpected error: ValueError: Format 'txt' is not supported"."""
    out = tmp_path / "stats.txt"
    done = winnow("stats", "--plot", str(out), db=db)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"winnow: {out}: not an image format matplotlib writes (use .png, .svg or .pdf)"]
    assert sorted(p.name for p in tmp_path.iterdir() if "stats" in p.name) == []


def test_stats_text_has_a_row_for_a_state_taken_out_of_states_json(
        db: Path, tmp_path: Path) -> None:
    """Papers in a state removed from states.json keep it: the text gives them a row,
    so the states add up to the total (attack.md F13)."""
    import json

    config = tmp_path / "config"
    config.mkdir()
    env = {"WINNOW_CONFIG_DIR": str(config)}
    (config / "states.json").write_text(json.dumps(
        {"states": {"parked": {"label": "Parked", "key": "z"}}}), encoding="utf-8")
    assert winnow("parked", "1", "2", "3", db=db, env=env).returncode == 0
    assert winnow("done", "4", db=db, env=env).returncode == 0
    (config / "states.json").unlink()
    lines = winnow("stats", db=db, env=env).stdout.split("\n\n")[0].splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in lines}
    assert " ".join(rows["parked"]) == "3 (a state not in states.json)"
    names = [line.split()[0] for line in lines]
    # Right after the table's own states, before the flags.
    assert names.index("parked") == names.index(BUILTIN_STATES[-1].name) + 1
    in_states = sum(int(rows[name][0]) for name in (*(s.name for s in BUILTIN_STATES),
                                                    "parked"))
    assert in_states == int(rows["total"][0]) == 415
