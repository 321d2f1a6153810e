"""The toast (desktop/toast.py): a card over the bottom of the window that says what
happened without taking the keyboard, carries at most one action, goes away on its
own, and shows the library's own notices. Real widgets offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from desktop.toast import Toast, show_notices, toast_for
from storage import Library

FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "forms"


class Host(QWidget):
    """A window with a line edit: where the keyboard is."""

    def __init__(self) -> None:
        super().__init__()
        self.edit = QLineEdit()
        QVBoxLayout(self).addWidget(self.edit)


@pytest.fixture
def host(qtbot) -> Host:
    widget = Host()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget.edit)
    return widget


def test_a_toast_shows_its_words_as_plain_text_and_leaves_the_focus(host, qtbot) -> None:
    toast = toast_for(host)
    toast.show_message("Imported <b>evil</b>\u202e.json", "line one\nline two")
    assert toast.isVisible()
    assert toast.headline.text() == "Imported <b>evil</b>.json"  # no markup, no override
    assert toast.details.text() == "line one\nline two" and toast.details.isVisible()
    assert toast.text() == "Imported <b>evil</b>.json\nline one\nline two"
    assert QApplication.focusWidget() is host.edit
    qtbot.mouseClick(toast, Qt.MouseButton.LeftButton)  # a click on the card either
    assert QApplication.focusWidget() is host.edit
    toast.show_message("Second")  # one toast per window: it replaces what it showed
    assert toast_for(host) is toast
    assert toast.text() == "Second" and not toast.details.isVisible()


def test_long_details_are_cut_to_six_lines(host) -> None:
    toast = toast_for(host)
    toast.show_message("Imported 10 files", "\n".join(f"file {n}" for n in range(10)))
    assert toast.details.text().splitlines() == [
        "file 0", "file 1", "file 2", "file 3", "file 4", "file 5", "… and 4 more"]


def test_it_sits_over_the_bottom_centre_and_follows_a_resize(host, qtbot) -> None:
    toast = toast_for(host)
    toast.show_message("Exported 3 papers")
    geometry = toast.geometry()
    assert geometry.width() == Toast.WIDTH
    assert abs(geometry.center().x() - host.width() // 2) <= 1
    assert host.height() - 120 < geometry.bottom() < host.height()
    host.resize(400, 700)
    qtbot.waitUntil(lambda: toast.width() == 400 - 2 * Toast.MARGIN)
    assert toast.x() == Toast.MARGIN
    assert 580 < toast.geometry().bottom() < 700


def test_the_action_runs_once_and_closes_the_toast(host) -> None:
    toast = toast_for(host)
    calls: list[str] = []
    toast.show_message("Deleted 2 papers", action="Undo", on_action=lambda: calls.append("undo"))
    assert toast.action.isVisible() and toast.action.text() == "Undo"
    assert toast.trigger() is True
    assert calls == ["undo"] and not toast.isVisible()
    assert toast.trigger() is False  # hidden: nothing left to run
    assert calls == ["undo"]
    toast.show_message("Exported", on_action=lambda: calls.append("no button, no action"))
    assert not toast.action.isVisible()
    assert toast.trigger() is False and calls == ["undo"]


def test_the_button_and_the_close_cross(host, qtbot) -> None:
    toast = toast_for(host)
    calls: list[int] = []
    toast.show_message("Deleted", action="Undo", on_action=lambda: calls.append(1))
    toast.action.click()
    assert calls == [1] and not toast.isVisible()
    toast.show_message("Deleted", action="Undo", on_action=lambda: calls.append(2))
    toast.close_button.click()
    assert not toast.isVisible()
    assert toast.trigger() is False and calls == [1]  # closed: nothing left to run


def test_it_goes_away_on_its_own_unless_told_to_stay(host, qtbot) -> None:
    toast = toast_for(host)
    toast.show_message("Fetched", timeout_ms=30)
    qtbot.waitUntil(lambda: not toast.isVisible(), timeout=5000)
    toast.show_message("Could not use states.json", timeout_ms=0)
    qtbot.wait(200)
    assert toast.isVisible()


def test_notices_are_one_toast_first_line_as_headline(host) -> None:
    show_notices(host, ["   ", ""])
    assert host.findChild(Toast) is None  # nothing to say: no toast made
    show_notices(host, ["The import of a.txt was\n cut short and taken back.", "",
                        "Kept   12 papers you acted on."])
    toast = host.findChild(Toast)
    assert toast is not None and toast.isVisible()
    assert toast.headline.text() == "The import of a.txt was cut short and taken back."
    assert toast.details.text() == "Kept 12 papers you acted on."
    assert QApplication.focusWidget() is host.edit


QUOTED_IMPORT = [
    "✓ clipboard (Pasted 2026-11-30 22:00): 50 papers, 50 new, 0 updated, 0 unchanged",
    "read as quoted text: the '> ' quote marks before every line were taken off first, "
    "as a mail client puts them when a copy is forwarded",
    "one card was cut at its end (line 812) and skipped: 'Scaling Laws for Sparse Mixture "
    "of Experts Routing'",
    "nothing else was skipped",
]


def _shown_whole(label) -> bool:
    return label.height() >= label.heightForWidth(label.width())


def test_a_detail_of_several_wrapped_lines_is_shown_whole(host, qtbot) -> None:
    """N12: the import toast of an email-quoted copy cut its four lines of detail top
    and bottom: the card kept the labels' unwrapped height."""
    host.resize(1280, 800)
    toast = toast_for(host)
    toast.show_message("Imported 50 papers from the clipboard", "\n".join(QUOTED_IMPORT),
                       action="Undo import")
    qtbot.waitUntil(lambda: toast.details.width() > 0)
    assert toast.details.heightForWidth(toast.details.width()) > \
        4 * toast.details.fontMetrics().height()  # the lines wrap at this width
    assert _shown_whole(toast.details) and _shown_whole(toast.headline)
    assert toast.details.text() == "\n".join(QUOTED_IMPORT)  # nothing elided
    assert toast.geometry().bottom() < host.height()
    assert toast.toolTip() == ""  # nothing hidden, nothing to reach
    toast.show_message("Exported 3 papers")  # a one-line toast shrinks back
    assert toast.height() < 4 * toast.headline.fontMetrics().height()


def test_a_detail_too_tall_for_the_window_is_cut_to_rows_and_kept_in_the_tooltip(
        host, qtbot) -> None:
    host.resize(700, 420)
    toast = toast_for(host)
    lines = [f"{n}: " + " ".join(["a listing line long enough to wrap"] * 3) for n in range(9)]
    toast.show_message("Imported 9 files", "\n".join(lines))
    qtbot.waitUntil(lambda: toast.details.width() > 0)
    assert toast.height() <= int(host.height() * Toast.MAX_SHARE)
    assert toast.geometry().top() >= 0
    shown = toast.details.text().splitlines()
    assert len(shown) == 7 and shown[-1] == "… and 3 more"
    assert all(row.endswith("…") for row in shown[:6])  # one row each
    assert _shown_whole(toast.details)
    tip = toast.toolTip()
    for line in lines:  # the whole text is reachable, the hidden lines too
        assert line in tip
    assert toast.text().splitlines()[1] == lines[0]
    host.resize(1280, 800)  # room again: the same lines are shown whole
    qtbot.waitUntil(lambda: not toast.details.text().splitlines()[0].endswith("…"))
    assert _shown_whole(toast.details)


def test_a_long_file_name_wraps_at_its_separators_instead_of_running_under_the_button(
        host, qtbot) -> None:
    host.resize(1280, 800)
    toast = toast_for(host)
    name = "/home/someone/Downloads/2026-11-30/Daily_Papers_Hugging_Face_trending_copy.md"
    toast.show_message("Imported 50 papers", f"✓ {name}: 50 papers, 50 new",
                       action="Undo import")
    qtbot.waitUntil(lambda: toast.details.width() > 0)
    metrics = toast.details.fontMetrics()
    assert metrics.horizontalAdvance(name) > toast.details.width()  # it cannot fit one row
    rows = toast.details.text().replace("\u200b", "\n").splitlines()
    assert all(metrics.horizontalAdvance(row.split(" ")[-1]) <= toast.details.width()
               for row in rows)
    assert toast.details.text().replace("\u200b", "") == f"✓ {name}: 50 papers, 50 new"
    assert _shown_whole(toast.details)
    assert toast.details.geometry().right() < toast.action.geometry().left()
    assert toast.text() == f"Imported 50 papers\n✓ {name}: 50 papers, 50 new"


def _in_window(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def test_in_the_main_window_it_sits_over_the_list_not_the_reading_pane(
        seeded: Library, make_window, qtbot, tmp_path: Path) -> None:
    """Centred on the window, the import toast covered the last lines of the abstract
    being read (seen in a real X server). It sits over the list's page, follows the
    splitter, and over Statistics (which takes the pane's room) stays over the page."""
    window = make_window(seeded)
    listing = tmp_path / "trending.md"
    listing.write_bytes((FORMS / "md-trending-clipped.md").read_bytes())
    assert window.import_paths([listing])
    qtbot.waitUntil(lambda: (found := window.findChild(Toast)) is not None
                    and found.isVisible(), timeout=60_000)
    toast = window.findChild(Toast)
    assert toast.action.text() == "Undo import"
    reader, pages = _in_window(window.reader, window), _in_window(window.pages, window)
    assert not toast.geometry().intersects(reader)
    assert pages.contains(toast.geometry())
    assert abs(toast.geometry().center().x() - pages.center().x()) <= 1

    window.splitter.setSizes([196, 800, 284])
    qtbot.waitUntil(lambda: abs(toast.geometry().center().x()
                                - _in_window(window.pages, window).center().x()) <= 1)
    assert not toast.geometry().intersects(_in_window(window.reader, window))

    window.show_stats_page()
    qtbot.waitUntil(lambda: abs(toast.geometry().center().x()
                                - _in_window(window.pages, window).center().x()) <= 1)
    assert toast.width() == Toast.WIDTH

    # A list too narrow for a toast: over the window as before, whole.
    window.show_list_page()
    window.splitter.setSizes([600, 330, 350])
    qtbot.waitUntil(lambda: abs(toast.geometry().center().x() - window.width() // 2) <= 1)
    assert toast.width() == Toast.WIDTH
