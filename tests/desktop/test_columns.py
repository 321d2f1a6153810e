"""How wide each column of the paper list is (desktop/columns.py): a column earns its
place when a quarter of the loaded rows have a value, a date is never cut, caps keep
the title's room, a column the user sized stays as sized, and a narrow list drops the
least telling columns first. Real tables on real libraries, offscreen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QTableView

from desktop.columns import MAX_WIDTH, PADDING, SAMPLE_DATE, ColumnFitter, fit_columns
from desktop.model import (
    COL_BYLINE,
    COL_DATE,
    COL_TAGS,
    COL_TITLE,
    COL_UPVOTES,
    PaperTableModel,
    format_date,
)
from storage import Library
from tests.api_server import api_item


def _library(path: Path, count: int, *, with_upvotes: int, organisation: str | None = None
             ) -> Library:
    """`count` papers of which the first `with_upvotes` carry upvotes."""
    items = [api_item(n) for n in range(1, count + 1)]
    for n, item in enumerate(items):
        if n >= with_upvotes:
            item["paper"]["upvotes"] = None
        if organisation is not None:
            item["paper"]["organization"] = {"_id": "o", "name": "o", "fullname": organisation}
    lib = Library(path)
    assert lib.import_text(json.dumps(items), name="api.json").new == count
    return lib


@pytest.fixture
def table(qtbot):
    made: list[tuple[QTableView, Library]] = []

    def make(lib: Library, width: int = 1000) -> tuple[QTableView, PaperTableModel]:
        model = PaperTableModel(lib)
        model.set_query("")
        view = QTableView()
        view.setModel(model)
        qtbot.addWidget(view)
        view.resize(width, 500)
        view.show()
        qtbot.waitExposed(view)
        made.append((view, lib))
        return view, model

    yield make
    for view, lib in made:
        view.close()
        lib.close()


def test_the_title_gets_the_room_and_dates_are_whole(window, seeded: Library) -> None:
    table, header = window.table, window.table.horizontalHeader()
    # The sample inbox's first rows carry no tags: that column gives its room away.
    assert header.isSectionHidden(COL_TAGS)
    assert header.sectionSize(COL_TITLE) >= 0.5 * table.viewport().width()
    assert window.model.headerData(COL_UPVOTES, Qt.Orientation.Horizontal) == "Upvotes"
    metrics = QFontMetrics(table.font())
    if not header.isSectionHidden(COL_DATE):
        assert header.sectionSize(COL_DATE) >= metrics.horizontalAdvance("Sep 30, 2026") + 12
    seeded.add_tags([window.model.ids[0]], ["safety", "reinforcement-learning"])
    window.browser.load()
    assert not header.isSectionHidden(COL_TAGS)
    assert header.sectionSize(COL_TAGS) >= 150  # both chips, by name
    for column in (COL_DATE, COL_UPVOTES, COL_BYLINE):
        assert header.isSectionHidden(column) or header.sectionSize(column) <= 150


@pytest.mark.parametrize("with_upvotes, hidden", [(4, True), (5, False)])
def test_a_column_needs_a_quarter_of_the_rows(table, tmp_path: Path, with_upvotes: int,
                                              hidden: bool) -> None:
    view, model = table(_library(tmp_path / "l.db", 20, with_upvotes=with_upvotes))
    fit_columns(view, model)
    header = view.horizontalHeader()
    # 4 of 20 is under a quarter; 5 of 20 is a quarter.
    assert header.isSectionHidden(COL_UPVOTES) is hidden
    assert not header.isSectionHidden(COL_DATE) and not header.isSectionHidden(COL_BYLINE)


def test_one_tag_shows_the_tags_column_and_dates_are_never_cut(table, tmp_path: Path) -> None:
    lib = _library(tmp_path / "l.db", 20, with_upvotes=20)
    view, model = table(lib)
    fit_columns(view, model)
    header = view.horizontalHeader()
    assert header.isSectionHidden(COL_TAGS)
    lib.add_tags([model.ids[7]], ["moe"])
    model.set_query("")
    fit_columns(view, model)
    assert not header.isSectionHidden(COL_TAGS)
    metrics = QFontMetrics(view.font())
    assert header.sectionSize(COL_DATE) >= metrics.horizontalAdvance(SAMPLE_DATE) + PADDING
    assert header.sectionResizeMode(COL_TITLE) == header.ResizeMode.Stretch


def test_a_long_byline_is_capped(table, tmp_path: Path) -> None:
    long_name = "The Very Long Name of an Institute for Advanced Research in Everything"
    view, model = table(_library(tmp_path / "l.db", 10, with_upvotes=10,
                                 organisation=long_name))
    fit_columns(view, model)
    header = view.horizontalHeader()
    assert QFontMetrics(view.font()).horizontalAdvance(long_name) > MAX_WIDTH[COL_BYLINE]
    assert header.sectionSize(COL_BYLINE) == MAX_WIDTH[COL_BYLINE]


def test_a_narrow_list_drops_upvotes_first_and_keeps_half_for_the_title(
        table, tmp_path: Path) -> None:
    lib = _library(tmp_path / "l.db", 20, with_upvotes=20)
    lib.add_tags(lib.search("", limit=None).ids, ["reinforcement-learning"])
    view, model = table(lib, width=1000)
    fit_columns(view, model)
    header = view.horizontalHeader()
    optional = (COL_TAGS, COL_DATE, COL_UPVOTES, COL_BYLINE)
    assert not any(header.isSectionHidden(c) for c in optional)
    view.resize(560, 500)
    fit_columns(view, model)
    shown = [c for c in optional if not header.isSectionHidden(c)]
    assert header.isSectionHidden(COL_UPVOTES)
    assert COL_TAGS in shown  # the user's own words go last
    assert sum(header.sectionSize(c) for c in shown) <= view.viewport().width() // 2


def test_a_column_sized_by_hand_keeps_its_width_and_is_never_hidden(table,
                                                                    tmp_path: Path) -> None:
    lib = _library(tmp_path / "l.db", 20, with_upvotes=10)
    without = [pid for pid in lib.search("", limit=None).ids if lib.get(pid).upvotes is None]
    lib.add_tags(without, ["late"])
    view, model = table(lib)
    fitter = ColumnFitter(view)
    fitter.fit(model)
    header = view.horizontalHeader()
    assert not header.isSectionHidden(COL_UPVOTES)
    assert fitter.user_sized == set()  # the fit's own resizes are not the user's
    header.resizeSection(COL_UPVOTES, 140)  # as a drag of the header's edge does
    assert fitter.user_sized == {COL_UPVOTES}
    model.set_query("tag:late")  # ten papers, none with upvotes
    assert model.rowCount() == 10
    fitter.fit(model)
    assert not header.isSectionHidden(COL_UPVOTES)
    assert header.sectionSize(COL_UPVOTES) == 140
    # A column nobody sized goes as before.
    fit_columns(view, model)
    assert header.isSectionHidden(COL_UPVOTES)


def test_the_fitter_refits_when_the_list_changes_width(table, tmp_path: Path, qtbot) -> None:
    lib = _library(tmp_path / "l.db", 20, with_upvotes=20)
    lib.add_tags(lib.search("", limit=None).ids, ["reinforcement-learning"])
    view, model = table(lib, width=1000)
    fitter = ColumnFitter(view)
    fitter.fit(model)
    header = view.horizontalHeader()
    assert not header.isSectionHidden(COL_UPVOTES)
    view.resize(560, 500)  # no fit() call: the viewport's resize event does it
    qtbot.waitUntil(lambda: header.isSectionHidden(COL_UPVOTES))
    view.resize(1000, 500)
    qtbot.waitUntil(lambda: not header.isSectionHidden(COL_UPVOTES))


def test_a_paper_without_a_publication_date_shows_its_listing_day(window, seeded: Library,
                                                                   press) -> None:
    """All papers starts with a listing that prints no dates: the Date column was shown
    (a quarter of the first page has one) and empty on every row on screen. A paper
    with no publication date shows the day of its listing, in grey italics, and says
    so; one in no dated listing shows nothing."""
    press("g a")
    table, model = window.table, window.model
    assert not table.horizontalHeader().isSectionHidden(COL_DATE)
    rows = range(table.rowAt(0), table.rowAt(table.viewport().height() - 1) + 1)
    assert len(rows) > 10
    published = listed = 0
    for row in rows:
        paper = seeded.get(model.id_at(row))
        cell = model.index(row, COL_DATE)
        days = [s.listing_date for s in paper.sources if s.listing_date]
        if paper.published:
            published += 1
            assert cell.data() == format_date(paper.published)
            assert not cell.data(Qt.ItemDataRole.FontRole)
        elif days:
            listed += 1
            assert cell.data() == format_date(min(days)), paper.title
            assert cell.data(Qt.ItemDataRole.FontRole).italic()
            assert "listing of " + format_date(min(days)) in \
                cell.data(Qt.ItemDataRole.ToolTipRole)
        else:
            assert cell.data() == ""
    assert listed > 10  # the screen the column used to leave empty
    # A paper that is in no dated listing and has no date shows none.
    undated = seeded.conn.execute(
        "SELECT id FROM papers p WHERE published IS NULL AND NOT EXISTS (SELECT 1 FROM "
        "paper_sources ps JOIN sources s ON s.id = ps.source_id WHERE ps.paper_id = p.id "
        "AND s.listing_date IS NOT NULL) LIMIT 1").fetchone()[0]
    row = model.row_of(undated)
    assert row >= 0 and model.index(row, COL_DATE).data() == ""


def _on_screen(table) -> range:
    return range(table.rowAt(0), table.rowAt(table.viewport().height() - 1) + 1)


def test_no_column_shows_empty_on_every_row_on_screen(window, seeded: Library,
                                                       press) -> None:
    """All papers starts with a listing that has no organisation, no author count and
    no upvotes: the Org / authors column was shown (112 of the first 200 rows have a
    byline) and empty on all 19 rows on screen. A column now needs something on the
    screen; scrolled to papers that have a byline, a reload keeps the row and shows it."""
    press("g a")
    table, model, header = window.table, window.model, window.table.horizontalHeader()
    rows = _on_screen(table)
    assert len(rows) > 10
    assert not any(model.paper_row(row).byline for row in rows)
    page = [model.paper_row(n) for n in range(model.PAGE)]
    assert sum(bool(row.byline) for row in page) >= model.PAGE // 4  # the page has them
    assert header.isSectionHidden(COL_BYLINE)
    for column in (COL_TAGS, COL_DATE, COL_UPVOTES, COL_BYLINE):
        if not header.isSectionHidden(column):
            assert any(model.index(row, column).data() for row in rows), column
    # Down where the papers carry their organisation or author count.
    with_byline = next(n for n, row in enumerate(page) if row.byline and n > rows[-1] + 40)
    window.browser.select_paper(model.id_at(with_byline))
    window.browser.load()
    rows = _on_screen(table)
    assert with_byline in rows
    assert not header.isSectionHidden(COL_BYLINE)
    assert model.index(with_byline, COL_BYLINE).data() == page[with_byline].byline


def test_a_tag_given_on_screen_shows_the_tags_column_at_once(window, seeded: Library, qtbot,
                                                             press, type_text) -> None:
    """The Tags column was fitted at each load only: a paper tagged in an untagged list
    kept its tag out of sight until the list was loaded again."""
    header = window.table.horizontalHeader()
    assert header.isSectionHidden(COL_TAGS)
    from PySide6.QtWidgets import QApplication

    from desktop.dialogs import TagDialog

    press("j", "t")
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget().window(), TagDialog))
    type_text("rl")
    press("Return")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    paper = window.current_id()
    assert [t for t in seeded.get(paper).tags] == ["rl"]
    assert not header.isSectionHidden(COL_TAGS)
    row = window.model.row_of(paper)
    assert window.model.index(row, COL_TAGS).data()
    press("ctrl+z")  # untagged: nothing to show on screen, the column goes again
    assert header.isSectionHidden(COL_TAGS)


def test_scrolling_to_rows_that_have_a_value_shows_the_hidden_column(window, seeded: Library,
                                                                     press, qtbot) -> None:
    """A column hidden because nothing on screen had a value stayed hidden while the
    user scrolled into papers that have one, until the next load or resize. It now
    shows once the scroll settles, from the rows already fetched for painting."""
    press("g a")
    table, model, header = window.table, window.model, window.table.horizontalHeader()
    assert header.isSectionHidden(COL_BYLINE)
    page = [model.paper_row(n) for n in range(model.PAGE)]
    rows = _on_screen(table)
    # A stretch of the page where most rows carry an organisation or author count.
    start = next(n for n in range(rows[-1] + 1, model.PAGE - len(rows))
                 if sum(bool(row.byline) for row in page[n:n + len(rows)]) > len(rows) // 2)
    fetches, current = model.rows_calls, window.current_id()
    table.scrollTo(model.index(start, COL_TITLE), QTableView.ScrollHint.PositionAtTop)
    assert header.isSectionHidden(COL_BYLINE)  # not on every scroll event
    qtbot.waitUntil(lambda: not header.isSectionHidden(COL_BYLINE), timeout=3000)
    assert model.rows_calls == fetches  # the rows were cached: no query for it
    assert window.current_id() == current  # scrolling moved nothing else
    assert header.sectionSize(COL_BYLINE) > 40
    assert any(model.index(row, COL_BYLINE).data() for row in _on_screen(table))
    assert header.sectionSize(COL_TITLE) >= table.viewport().width() // 2
    assert header.isSectionHidden(COL_TAGS)  # no row there earns it: the samples have none
    # Back at the top it stays (no column coming and going under the reader's eyes);
    # the next load hides it again.
    table.scrollToTop()
    qtbot.wait(400)
    assert not header.isSectionHidden(COL_BYLINE)
    window.browser.load()
    assert header.isSectionHidden(COL_BYLINE)

