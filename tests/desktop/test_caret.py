"""Caret mode's motions in the reading pane (desktop/reader.py AbstractView.move_caret),
by real key presses in a real window on a real library."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from storage import Library


def focus():
    return QApplication.focusWidget()


def only_annotation(library: Library, paper_id: int):
    [annotation] = library.annotations(paper_id)
    return annotation


def test_w_and_b_step_over_an_apostrophe_inside_a_word(library: Library, make_window,
                                                       press) -> None:
    """Three `w` from "In" selected "In today'" of "In today's era" (real X server walk):
    Qt's word step stops at the apostrophe. A word with an apostrophe in it (straight or
    curly) is one step; a quote mark around words is not part of them."""
    abstract = ("In today's era, models can’t read 'quoted words' well. "
                "A second sentence follows here to make this an abstract.")
    assert library.import_text(f"Apostrophes in words\n{abstract}\n").ok
    win = make_window(library)
    pid = win.current_id()
    press("v", "v", "w", "w", "h")
    assert only_annotation(library, pid).quote == "In today's"
    press("Escape", "v")  # caret mode again, no selection
    view = win.reader.abstract
    assert focus() is view
    text = view.toPlainText()

    def caret_at(index: int) -> None:
        cursor = view.textCursor()
        cursor.setPosition(index)  # all BMP text: UTF-16 and Python indices agree
        view.setTextCursor(cursor)

    caret_at(text.index("read"))
    press("b")
    assert view.textCursor().position() == text.index("can’t")
    press("b")
    assert view.textCursor().position() == text.index("models")
    press("w")
    assert view.textCursor().position() == text.index("can’t")
    press("w")
    assert view.textCursor().position() == text.index("read")


def test_w_and_b_step_over_a_hyphen_inside_a_word(library: Library, make_window,
                                                   press) -> None:
    """`v v w w h` at the start of "Lattice-KV keeps..." highlighted "Lattice-" (a real
    window, session 6): Qt's word step stops at the hyphen and after it. A hyphenated
    word is one step, as a reader reads it; a dash between words is not part of them."""
    abstract = ("Lattice-KV keeps 4-bit codes of state\u2010of\u2010the\u2010art caches "
                "- and a dash - between words. A second sentence makes this an abstract.")
    assert library.import_text(f"Hyphens in words\n{abstract}\n").ok
    win = make_window(library)
    pid = win.current_id()
    press("v", "v", "w", "w", "h")
    assert only_annotation(library, pid).quote == "Lattice-KV keeps"
    press("Escape", "v")
    view = win.reader.abstract
    assert focus() is view
    text = view.toPlainText()
    cursor = view.textCursor()
    cursor.setPosition(text.index("keeps"))
    view.setTextCursor(cursor)
    stops = []
    for _ in range(6):
        press("w")
        stops.append(text[view.textCursor().position():].split(" ")[0])
    assert stops == ["4-bit", "codes", "of", "state\u2010of\u2010the\u2010art", "caches", "-"]
    press("w")
    assert text[view.textCursor().position():].startswith("and a dash")
    for word in ("-", "caches", "state\u2010of\u2010the\u2010art", "of", "codes", "4-bit"):
        press("b")
        assert text[view.textCursor().position():].split(" ")[0] == word


def test_h_without_a_selection_says_the_keys_from_where_the_user_is(
        library: Library, make_window, press) -> None:
    """Tab into the abstract, then `v v w w w h` (the list's keys, from the hint) started
    and stopped a selection there and said "select text first: v, v again…" once more
    (a real window). In the abstract one `v` starts a selection: it says so."""
    abstract = ("Loop models iterate one block many times. A second sentence follows here "
                "to make this an abstract.")
    assert library.import_text(f"Loops\n{abstract}\n").ok
    win = make_window(library)
    pid = win.current_id()
    press("h")  # from the list
    assert win.statusBar().currentMessage().endswith(
        "select text first: v, v again to start selecting, then w/b/(/) to extend")
    press("Tab")
    assert focus() is win.reader.abstract
    press("v", "v", "w", "h")
    assert win.statusBar().currentMessage().endswith(
        "select text first: v starts selecting, then w/b/(/) to extend")
    assert library.annotations(pid) == []
    press("v", "w", "w", "h")  # as it says, from where the caret stands
    assert only_annotation(library, pid).quote == "models iterate"
