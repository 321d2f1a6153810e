"""The reading pane's spacing (desktop/reader.py ReaderPane._lay_out, _fit_gaps), on the
real pane in a real window: a section never sits flush against the next."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from storage import Library


def _top(widget: QWidget, content: QWidget) -> int:
    return widget.mapTo(content, widget.rect().topLeft()).y()


def _bottom(widget: QWidget, content: QWidget) -> int:
    return _top(widget, content) + widget.height()


def test_the_highlight_hint_keeps_its_gap_above_the_note(seeded: Library, make_window,
                                                         qtbot) -> None:
    """With no highlight, the hint under HIGHLIGHTS sat 4 px above NOTE on every card
    (real X server walk): the gap after the hidden highlight list went with the list,
    and the hint had none of its own. Both ways, NOTE is the same distance below."""
    window = make_window(seeded)
    reader = window.reader
    content = reader.scroll.widget()
    pid = window.current_id()
    assert seeded.annotations(pid) == []
    qtbot.waitUntil(lambda: reader.annotations_hint.isVisible())
    assert not reader.annotation_list.isVisible()
    without = _top(reader.note_label, content) - _bottom(reader.annotations_hint, content)

    quote = " ".join(seeded.get(pid).abstract.split()[:4])
    seeded.annotate(pid, 0, len(quote), colour="yellow")
    reader.show_paper(seeded.get(pid))
    qtbot.waitUntil(lambda: reader.annotation_list.isVisible())
    assert not reader.annotations_hint.isVisible()
    content.layout().activate()
    with_one = _top(reader.note_label, content) - _bottom(reader.annotation_list, content)
    assert without >= 16, without
    assert abs(without - with_one) <= 2, (without, with_one)
