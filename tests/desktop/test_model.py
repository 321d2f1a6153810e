"""The paper list's model: Qt's contract, laziness, plain text."""

from __future__ import annotations

import contextlib
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.model import (
    COL_DATE,
    COL_READ,
    COL_TAGS,
    COL_TITLE,
    COL_UPVOTES,
    MarkedRole,
    PaperIdRole,
    PaperTableModel,
    TagsRole,
    format_date,
)
from storage import Library


def test_model_passes_qt_model_tester(seeded: Library, qtmodeltester) -> None:
    seeded.add_tags(seeded.search("", limit=3).ids, ["rl"])
    model = PaperTableModel(seeded)
    model.set_query("")
    assert model.rowCount() == 415
    qtmodeltester.check(model, force_py=True)
    model.set_query("is:unread")
    qtmodeltester.check(model, force_py=True)


def test_row_count_and_flags_do_not_query(seeded: Library) -> None:
    model = PaperTableModel(seeded)
    model.set_query("")
    statements: list[str] = []
    seeded.conn.set_trace_callback(statements.append)
    try:
        assert model.rowCount() == 415
        for row in range(0, 415, 7):
            assert model.flags(model.index(row, COL_TITLE)) & Qt.ItemFlag.ItemIsSelectable
            assert model.data(model.index(row, 0), PaperIdRole) == model.ids[row]
    finally:
        seeded.conn.set_trace_callback(None)
    assert statements == []
    assert model.cached_rows == 0


def test_rows_are_fetched_a_page_at_a_time(seeded: Library) -> None:
    model = PaperTableModel(seeded)
    model.set_query("")
    title = model.data(model.index(0, COL_TITLE))
    assert title and model.rows_calls == 1 and model.cached_rows == model.PAGE
    for row in range(model.PAGE):
        model.data(model.index(row, COL_TITLE))
    assert model.rows_calls == 1
    model.data(model.index(model.PAGE + 3, COL_TITLE))
    assert model.rows_calls == 2


def test_unread_rows_are_bold_and_changes_repaint(seeded: Library, qtbot) -> None:
    model = PaperTableModel(seeded)
    model.set_query("")
    index = model.index(0, COL_TITLE)
    assert model.data(index, Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(0, COL_READ)) == "●"
    seeded.set_read([model.ids[0]])
    with qtbot.wait_signal(model.dataChanged):
        model.refresh_ids([model.ids[0]])
    assert model.data(index, Qt.ItemDataRole.FontRole) is None
    assert model.data(model.index(0, COL_READ)) == "✓"  # the done state's mark


def test_tags_dates_and_marks(seeded: Library) -> None:
    model = PaperTableModel(seeded)
    model.set_query("")
    row = next(r for r in range(model.rowCount())
               if model.paper_row(r) and model.paper_row(r).published)
    paper_id = model.ids[row]
    seeded.add_tags([paper_id], ["keep", "rl"])
    model.refresh_ids([paper_id])
    assert model.data(model.index(row, COL_TAGS), TagsRole) == ["keep", "rl"]
    assert model.data(model.index(row, COL_DATE)) == format_date(model.paper_row(row).published)
    assert not model.data(model.index(row, 0), MarkedRole)
    model.toggle_mark(paper_id)
    assert model.data(model.index(row, 0), MarkedRole)
    # Picking a row keeps its unread dot (a ✓ there read as "read", the sidebar's sign).
    assert model.data(model.index(row, COL_READ)) == "●"


def test_html_in_a_title_is_plain_text(library: Library) -> None:
    report = library.import_text(
        "<b>Bold</b> claims about <script>alert(1)</script> agents\n"
        "An abstract with <i>tags</i> & entities &amp; in it.\n")
    assert report.ok, report.error
    model = PaperTableModel(library)
    model.set_query("")
    title = model.data(model.index(0, COL_TITLE))
    assert title == "<b>Bold</b> claims about <script>alert(1)</script> agents"
    tooltip = model.data(model.index(0, COL_TITLE), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;Bold&lt;/b&gt;" in tooltip and "<b>" not in tooltip


def test_sorting_requeries(seeded: Library) -> None:
    model = PaperTableModel(seeded)
    model.set_query("")
    model.sort(COL_UPVOTES, Qt.SortOrder.DescendingOrder)
    votes = [model.paper_row(r).upvotes for r in range(model.rowCount())]
    known = [v for v in votes if v is not None]
    assert model.rowCount() == 415 and known == sorted(known, reverse=True)
    model.sort(COL_UPVOTES, Qt.SortOrder.AscendingOrder)
    votes = [model.paper_row(r).upvotes for r in range(model.rowCount())]
    assert [v for v in votes if v is not None] == sorted(known)
    model.sort(COL_TITLE, Qt.SortOrder.AscendingOrder)
    titles = [model.paper_row(r).title.casefold() for r in range(model.rowCount())]
    assert titles == sorted(titles)
    model.sort(COL_TAGS, Qt.SortOrder.AscendingOrder)  # not sortable: ignored
    assert model.sort_column == COL_TITLE


def test_data_never_raises(seeded: Library) -> None:
    model = PaperTableModel(seeded)
    model.set_query("")
    seeded.close()  # a vanished connection: blanks, not exceptions
    assert model.data(model.index(300, COL_TITLE)) is None
    assert model.data(model.index(0, 99)) is None


# ------------------------------------------------------------- 100k papers
@pytest.fixture(scope="session")
def _big_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(7)
    words = ["graph", "neural", "network", "sparse", "attention", "diffusion", "model",
             "agent", "reasoning", "token", "vision", "language", "robot", "policy"]
    folder = tmp_path_factory.mktemp("big")
    listing = folder / "big.txt"
    with listing.open("w", encoding="utf-8") as handle:
        for n in range(100_000):
            title = " ".join(rng.choice(words).capitalize() for _ in range(6))
            handle.write(f"{title} {n}\n{' '.join(rng.choice(words) for _ in range(24))}.\n\n")
    path = folder / "big.db"
    with Library(path) as lib:
        report = lib.import_files([listing])
        assert report.ok and report.new == 100_000, report
        lib.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.mark.slow
def test_a_100k_library_opens_with_ids_only(_big_template: Path, tmp_path: Path,
                                            make_window) -> None:
    path = tmp_path / "big.db"
    shutil.copy(_big_template, path)
    library = Library(path)
    statements: list[str] = []
    library.conn.set_trace_callback(statements.append)
    try:
        window = make_window(library)
        model = window.model
        assert model.rowCount() == 100_000
        # Only what is on screen was fetched: a page or two of light rows.
        assert model.rows_fetched <= 2 * model.PAGE
        assert model.rows_calls <= 3
        abstract_reads = [s for s in statements
                          if "abstract" in s and "FROM papers" in s and "SELECT" in s]
        assert len(abstract_reads) <= 2  # the one paper in the reading pane
        window.run_command("list.last")
        assert window.current_id() == model.ids[-1]
        assert model.rows_fetched <= 3 * model.PAGE
    finally:
        library.conn.set_trace_callback(None)
        library.close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 100_000


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_each_state_has_its_mark_name_and_colour_in_the_list(
        seeded: Library, make_window, monkeypatch, theme: str) -> None:
    from storage.states import BUILTIN_STATES

    monkeypatch.setenv("WINNOW_THEME", theme)
    window = make_window(seeded)
    window.set_search("")
    window.browser.show_builtin("all")
    model = window.model
    for n, state in enumerate(BUILTIN_STATES):
        pid = model.ids[n]
        seeded.set_state([pid], state.name, "someday" if state.snoozes else None)
        model.refresh_ids([pid])
        index = model.index(model.row_of(pid), COL_READ)
        assert model.data(index) == state.mark
        assert model.data(index, Qt.ItemDataRole.ToolTipRole) == state.label
        colour = model.data(index, Qt.ItemDataRole.ForegroundRole)
        expected = window.theme.mark(state.colour) if state.colour else \
            window.theme.colour("secondary")
        assert colour == expected, state.name
    marks = [model.data(model.index(model.row_of(model.ids[n]), COL_READ))
             for n in range(len(BUILTIN_STATES))]
    assert len(set(marks)) == len(BUILTIN_STATES)  # told apart at a glance


def test_a_renamed_and_an_added_state_show_their_own_mark_and_name(
        seeded: Library, make_window, _isolated_config) -> None:
    import json

    _isolated_config.mkdir(parents=True, exist_ok=True)
    (_isolated_config / "states.json").write_text(json.dumps({"states": {
        "shortlist": {"label": "To read"},
        "parked": {"label": "Parked", "key": "z", "icon": "≈", "colour": "pink"}}}),
        encoding="utf-8")
    seeded.set_state([1], "parked")
    seeded.set_state([2], "shortlist")
    window = make_window(seeded)
    window.browser.show_builtin("all")
    model = window.model
    parked = model.index(model.row_of(1), COL_READ)
    assert model.data(parked) == "≈"
    assert model.data(parked, Qt.ItemDataRole.ToolTipRole) == "Parked"
    assert model.data(parked, Qt.ItemDataRole.ForegroundRole) == window.theme.mark("pink")
    assert model.data(model.index(model.row_of(2), COL_READ),
                      Qt.ItemDataRole.ToolTipRole) == "To read"
