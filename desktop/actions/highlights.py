"""Caret mode in the abstract, highlights and their comments, and the highlight list."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop import theme as themes
from desktop.actions import has_annotation, has_paper
from desktop.commands import CommandSet
from desktop.dialogs import CommentDialog
from desktop.text import utf16_to_index

if TYPE_CHECKING:
    from desktop.window import MainWindow

commands = CommandSet("highlights")
# How a selection is made: `v` puts the caret in the abstract, `v` again starts
# selecting ("v, then w" left the user with nothing selected).
SELECT_KEYS = "v, v again to start selecting, then w/b/(/) to extend"
# From the abstract itself (caret mode: Tab, or the first `v`), one `v` starts: "v, v
# again" there started and stopped a selection, then said "select text first" again.
SELECT_KEYS_IN_CARET = "v starts selecting, then w/b/(/) to extend"
command = commands.command


@command("caret.enter", "Select text in the abstract (caret mode)", keys=("v", "Return"),
         when=has_paper, group="Highlights", menu="Paper")
def enter_caret(w: MainWindow) -> None:
    paper = w.reader.paper
    # A card with only its AI summary shows it here: its sentences are highlighted
    # as an abstract's (they could not be: highlights were offsets into the abstract).
    if paper is not None and not w.reader.abstract.toPlainText():
        w.flash("No abstract to select in: this paper's listing gave none")
        return
    w.reader.abstract.enter_caret()
    w.flash("Caret mode: v starts a selection · w/b words · (/) sentences · "
            "h highlight · a comment · Esc leaves", 10000)


@command("caret.toggle", "Start / stop selecting", keys=("v",), mode="caret",
         group="Highlights")
def caret_toggle(w: MainWindow) -> None:
    selecting = w.reader.abstract.toggle_selecting()
    w.flash("Selecting: move to extend, h to highlight" if selecting else "Selection off")


def _caret_motion(id: str, title: str, keys: tuple[str, ...], how: str,
                  palette: bool = True) -> None:
    command(id, title, keys=keys, mode="caret", group="Highlights", palette=palette)(
        lambda w: w.reader.abstract.move_caret(how))


for _args in (
        ("caret.word_next", "Next word", ("w",), "word+"),
        ("caret.word_prev", "Previous word", ("b",), "word-"),
        ("caret.sentence_next", "Next sentence", (")",), "sentence+"),
        ("caret.sentence_prev", "Previous sentence", ("(",), "sentence-"),
        ("caret.char_next", "Next character", ("l", "Right"), "char+", False),
        ("caret.char_prev", "Previous character", ("Left",), "char-", False),
        ("caret.line_down", "Line down", ("j", "Down"), "line+", False),
        ("caret.line_up", "Line up", ("k", "Up"), "line-", False),
        ("caret.line_start", "Start of line", ("0", "Home"), "home", False),
        ("caret.line_end", "End of line", ("$", "End"), "end", False),
        ("caret.top", "Start of the abstract", ("g g",), "top", False),
        ("caret.bottom", "End of the abstract", ("G",), "bottom", False)):
    _caret_motion(*_args)


@command("caret.highlight", "Highlight the selection", keys=("h",), when=has_paper,
         group="Highlights", menu="Paper")
def highlight(w: MainWindow) -> None:
    highlight_in(w, w.highlight_colour)


def highlight_in(w: MainWindow, colour: str) -> None:
    w.highlight_colour = colour
    abstract = w.reader.abstract
    span = abstract.selection_span()
    pid = w.current_id()
    if span is None or pid is None:
        keys = SELECT_KEYS_IN_CARET if abstract.hasFocus() else SELECT_KEYS
        w.flash(f"Highlight colour: {colour} · select text first: {keys}")
        return
    field = abstract.field  # the text shown: the abstract, or a card's only summary
    annotation = w.ops.run(lambda library: library.annotate(pid, span[0], span[1],
                                                            colour=colour, field=field),
                           ids=[pid], then=lambda _a: abstract.clear_selection(),
                           message=f"Highlighted in {colour} · a to comment")
    if annotation is not None and annotation.annotation is not None:
        abstract.active_annotation = annotation.annotation.id
        abstract.paint_marks()


@command("caret.annotate", "Highlight and comment…", keys=("a",), when=has_paper,
         group="Highlights", menu="Paper")
def annotate(w: MainWindow) -> None:
    abstract = w.reader.abstract
    pid = w.current_id()
    if pid is None:
        return
    span = abstract.selection_span()
    if span is None:
        # On an existing highlight, `a` edits its comment; so it does on the one just
        # made ("Highlighted · a to comment"), whose end the caret sits after.
        caret = utf16_to_index(abstract.toPlainText(), abstract.textCursor().position())
        here = abstract.annotation_at(caret) or next(
            (a for a in abstract.annotations if a.id == abstract.active_annotation
             and not a.orphaned), None)
        if here is not None:
            edit_annotation(w, here.id)
        else:
            w.flash(f"Select text first: {SELECT_KEYS}, then a")
        return
    paper = w.library.get(pid)
    if paper is None:
        return
    colour = w.highlight_colour
    field = abstract.field  # the text shown: the abstract, or a card's only summary
    text = (paper.ai_summary or "") if field == "ai_summary" else paper.abstract
    quote = text[span[0]:span[1]]
    dialog = CommentDialog(w, quote)

    def save(comment: str) -> None:
        annotation = w.ops.run(
            lambda library: library.annotate(pid, span[0], span[1], comment or None,
                                             colour=colour, field=field),
            ids=[pid], then=lambda _a: abstract.clear_selection(),
            message="Highlighted with a comment")
        if annotation is None:
            ask_again(w, quote, comment, save, abstract)
            return
        if annotation.annotation is not None:
            abstract.active_annotation = annotation.annotation.id
            abstract.paint_marks()
            abstract.setFocus()

    dialog.saved.connect(save)
    w.open_dialog(dialog, refocus=abstract)


@command("caret.copy", "Copy the selection", keys=("y",), mode="caret", group="Highlights")
def copy_selection(w: MainWindow) -> None:
    abstract = w.reader.abstract
    if abstract.selection_span() is None:
        w.flash("Nothing selected")
        return
    abstract.copy()
    w.flash("Copied")


def annotation_under_caret(w: MainWindow, annotation) -> None:
    """The caret entered or left a highlight: mark it and show its comment."""
    abstract = w.reader.abstract
    new = annotation.id if annotation is not None else None
    if new != abstract.active_annotation:
        abstract.active_annotation = new
        abstract.paint_marks()
    if annotation is not None:
        w.flash(f"Comment: {annotation.comment}" if annotation.comment else
                "Highlight without a comment · a to add one", 8000)


# ---- the highlight list
@command("annotation.focus", "Go to the highlight list", keys=("A",), when=has_paper,
         group="Highlight list", menu="Paper")
def focus_annotations(w: MainWindow) -> None:
    items = w.reader.annotation_list
    if not items.count():
        w.flash("No highlights on this paper yet")
        return
    w.reader.scroll.ensureWidgetVisible(items, 0, 40)
    items.setFocus(Qt.FocusReason.ShortcutFocusReason)


@command("annotation.next", "Next highlight", keys=("j", "Down"), mode="annotations",
         group="Highlight list", palette=False)
def annotation_next(w: MainWindow) -> None:
    items = w.reader.annotation_list
    items.setCurrentRow(min(items.count() - 1, items.currentRow() + 1))


@command("annotation.prev", "Previous highlight", keys=("k", "Up"), mode="annotations",
         group="Highlight list", palette=False)
def annotation_prev(w: MainWindow) -> None:
    items = w.reader.annotation_list
    items.setCurrentRow(max(0, items.currentRow() - 1))


@command("annotation.jump", "Jump to the highlight", keys=("Return", "Enter"),
         mode="annotations", when=has_annotation, group="Highlight list")
def annotation_jump(w: MainWindow) -> None:
    annotation = w.reader.annotation_list.current_annotation()
    if annotation is None or annotation.orphaned:
        w.flash("This highlight is no longer in the " + (
            "AI summary" if annotation is not None and annotation.field == "ai_summary"
            else "abstract"))
        return
    abstract = w.reader.abstract
    if annotation.field != abstract.field:  # on the summary beside an abstract now
        w.reader.reveal_summary_annotation(annotation)
        w.flash("On the AI summary, above the abstract" + (
            f" · {annotation.comment}" if annotation.comment else
            " · e comments it, 1-5 recolour it, d deletes it"), 8000)
        return
    abstract.setFocus(Qt.FocusReason.ShortcutFocusReason)
    abstract.selecting = False
    abstract.select_span(annotation.start, annotation.end)
    abstract.active_annotation = annotation.id
    abstract.paint_marks()


@command("annotation.edit", "Edit the comment…", keys=("e",), mode="annotations",
         when=has_annotation, group="Highlight list")
def annotation_edit(w: MainWindow) -> None:
    annotation = w.reader.annotation_list.current_annotation()
    if annotation is not None:
        edit_annotation(w, annotation.id)


def ask_again(w: MainWindow, quote: str, comment: str, save: Callable[[str], None],
              refocus: QWidget | None) -> None:
    """The library refused a comment (read-only or full disk): the dialog comes back
    with what was typed, rather than closing on it; the status line says why."""
    def reopen() -> None:  # after the closed dialog has given the keyboard back
        dialog = CommentDialog(w, quote, comment,
                               title="Not saved: Enter to try again, Esc to drop it")
        dialog.saved.connect(save)
        w.open_dialog(dialog, refocus=refocus)

    QTimer.singleShot(0, reopen)


def edit_annotation(w: MainWindow, annotation_id: int) -> None:
    annotation = w.library.annotation(annotation_id)
    if annotation is None:
        return
    dialog = CommentDialog(w, annotation.quote, annotation.comment, title="Edit the comment")
    back = QApplication.focusWidget()

    def save(comment: str) -> None:
        done = w.ops.run(lambda library: library.update_annotation(annotation_id,
                                                                   comment=comment),
                         ids=[annotation.paper_id], message="Comment saved")
        if done is None:
            ask_again(w, annotation.quote, comment, save, back)
        elif back is not None:
            back.setFocus()

    dialog.saved.connect(save)
    w.open_dialog(dialog, refocus=back)


@command("annotation.delete", "Delete the highlight", keys=("d", "Delete"),
         mode="annotations", when=has_annotation, group="Highlight list")
def annotation_delete(w: MainWindow) -> None:
    items = w.reader.annotation_list
    annotation = items.current_annotation()
    if annotation is None:
        return
    row = items.currentRow()
    w.ops.run(lambda library: library.delete_annotation(annotation.id),
              ids=[annotation.paper_id], message="Highlight deleted")
    if items.count():
        items.setCurrentRow(min(row, items.count() - 1))
        items.setFocus()
    else:
        w.focus_list()


def recolour_annotation(w: MainWindow, colour: str) -> None:
    annotation = w.reader.annotation_list.current_annotation()
    if annotation is None:
        return
    w.ops.run(lambda library: library.update_annotation(annotation.id, colour=colour),
              ids=[annotation.paper_id], message=f"Highlight is now {colour}")
    w.reader.annotation_list.setFocus()


for _digit, _colour in enumerate(themes.ANNOTATION_COLOURS, start=1):
    command(f"caret.colour.{_digit}", f"Highlight in {_colour}", keys=(str(_digit),),
            mode="caret", when=has_paper, group="Highlights")(
        functools.partial(highlight_in, colour=_colour))
    command(f"annotation.colour.{_digit}", f"Recolour highlight {_colour}",
            keys=(str(_digit),), mode="annotations", when=has_annotation,
            group="Highlight list")(functools.partial(recolour_annotation, colour=_colour))
