"""Highlighting abstracts from the keyboard: caret mode, highlights, the list, undo."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from desktop.dialogs import CommentDialog
from storage import Library

ABSTRACT = ("We study sieves. The 𝒪(n log n) bound holds for every input! "
            "Results on <b>bold</b> claims follow. A last sentence ends here.")


def focus():
    return QApplication.focusWidget()


@pytest.fixture
def one_paper(library: Library) -> Library:
    report = library.import_text(f"Sieves and 𝒪-notation\n{ABSTRACT}\n")
    assert report.ok, report.error
    return library


@pytest.fixture
def win(one_paper: Library, make_window):
    return make_window(one_paper)


def only_annotation(library: Library, paper_id: int):
    [annotation] = library.annotations(paper_id)
    return annotation


def test_v_w_h_highlights_words_from_the_keyboard(win, one_paper: Library, press) -> None:
    pid = win.current_id()
    press("v")
    assert focus() is win.reader.abstract
    press("v", "w", "w", "h")
    annotation = only_annotation(one_paper, pid)
    assert annotation.quote == "We study"  # trailing space trimmed
    assert (annotation.start, annotation.end) == (0, 8)
    assert annotation.colour == "yellow"
    assert win.reader.annotation_list.count() == 1
    assert not win.reader.abstract.textCursor().hasSelection()
    press("ctrl+z")
    assert one_paper.annotations(pid) == []


def test_sentences_and_colours_with_non_bmp_text(win, one_paper: Library, press) -> None:
    pid = win.current_id()
    press("v", ")", "v", ")", "3")  # second sentence, in colour 3 (blue)
    annotation = only_annotation(one_paper, pid)
    assert annotation.quote == "The 𝒪(n log n) bound holds for every input!"
    assert ABSTRACT[annotation.start:annotation.end] == annotation.quote
    assert annotation.colour == "blue"
    press("v", ")", "h")  # the caret stayed after the highlight; h reuses the colour
    later = [a for a in one_paper.annotations(pid) if a.id != annotation.id]
    assert later[0].quote == "Results on <b>bold</b> claims follow."
    assert later[0].colour == "blue"


def test_backwards_selection_and_escape(win, one_paper: Library, press) -> None:
    press("v", "G", "v", "b", "b")
    span = win.reader.abstract.selection_span()
    assert span is not None and span[1] == len(ABSTRACT)
    assert ABSTRACT[span[0]:span[1]] in ("here.", "ends here.")
    press("Esc")  # first Esc drops the selection
    assert win.reader.abstract.selection_span() is None
    assert focus() is win.reader.abstract
    press("Esc")  # the second goes back to the list
    assert focus() is win.table


def test_a_highlights_with_a_comment(win, one_paper: Library, press, type_text,
                                     qtbot) -> None:
    pid = win.current_id()
    press("v", "v", ")")
    press("a")
    qtbot.waitUntil(lambda: isinstance(focus().window(), CommentDialog))
    type_text("the setting")
    press("Return")
    qtbot.waitUntil(lambda: bool(one_paper.annotations(pid)))
    annotation = only_annotation(one_paper, pid)
    assert annotation.quote == "We study sieves."
    assert annotation.comment == "the setting"
    qtbot.waitUntil(lambda: focus() is win.reader.abstract)
    # Moving onto the highlight shows its comment.
    press("0")
    assert "the setting" in win.statusBar().currentMessage()
    press("ctrl+z")  # one step: highlight and comment together
    assert one_paper.annotations(pid) == []


def test_escape_in_the_comment_box_still_highlights(win, one_paper: Library, press,
                                                    type_text, qtbot) -> None:
    pid = win.current_id()
    press("v", "v", "w", "a")
    qtbot.waitUntil(lambda: isinstance(focus().window(), CommentDialog))
    press("Esc")
    qtbot.waitUntil(lambda: focus() is win.reader.abstract)
    assert one_paper.annotations(pid) == []


def test_highlight_without_selection_explains(win, one_paper: Library, press) -> None:
    press("v", "h")
    assert one_paper.annotations(win.current_id()) == []
    assert "select text first" in win.statusBar().currentMessage()


def test_annotation_list_jump_edit_recolour_delete_undo(win, one_paper: Library, press,
                                                        type_text, qtbot) -> None:
    pid = win.current_id()
    first = one_paper.annotate_quote(pid, "We study sieves.", "intro").annotation
    second = one_paper.annotate_quote(pid, "A last sentence ends here.").annotation
    win.ops.refresh_external()
    assert win.reader.annotation_list.count() == 2
    press("A")
    assert focus() is win.reader.annotation_list
    press("j", "Return")  # jump to the second highlight
    assert focus() is win.reader.abstract
    assert win.reader.abstract.selection_span() == (second.start, second.end)
    press("Esc", "Esc", "A", "k", "e")
    qtbot.waitUntil(lambda: isinstance(focus().window(), CommentDialog))
    type_text(" matters")
    press("Return")
    qtbot.waitUntil(lambda: one_paper.annotation(first.id).comment == "intro matters")
    qtbot.waitUntil(lambda: focus() is win.reader.annotation_list)
    press("4")
    assert one_paper.annotation(first.id).colour == "pink"
    press("d")
    assert one_paper.annotation(first.id) is None
    assert win.reader.annotation_list.count() == 1
    press("ctrl+z")
    assert one_paper.annotation(first.id) is not None
    assert win.reader.annotation_list.count() == 2


def test_highlights_are_drawn_as_extra_selections(win, one_paper: Library) -> None:
    pid = win.current_id()
    one_paper.annotate_quote(pid, "<b>bold</b>", colour="green")
    win.ops.refresh_external()
    abstract = win.reader.abstract
    assert abstract.toPlainText() == ABSTRACT  # plain text, tags and all
    marks = [s for s in abstract.extraSelections() if s.cursor.hasSelection()]
    assert [s.cursor.selectedText() for s in marks] == ["<b>bold</b>"]
    assert abstract.document().toPlainText().count("<b>") == 1


def test_html_title_shows_its_angle_brackets(library: Library, make_window) -> None:
    report = library.import_text("<b>Bold</b> <img src=/etc/passwd> title\n"
                                 "Body with <table> and <a href='x'>link</a>.\n")
    assert report.ok, report.error
    window = make_window(library)
    assert window.reader.title.toPlainText() == "<b>Bold</b> <img src=/etc/passwd> title"
    assert window.reader.abstract.toPlainText() == \
        "Body with <table> and <a href='x'>link</a>."
    assert window.model.data(window.model.index(0, 2)) == \
        "<b>Bold</b> <img src=/etc/passwd> title"
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    for label in window.findChildren(QLabel):
        if label is window.reader.facts:
            # Its links are rich text built from escaped fields (test_reader.py,
            # test_card_facts_are_escaped_and_only_checked_addresses_are_links).
            assert "<b>" not in label.text() and "<img" not in label.text()
            continue
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()


def test_a_refused_comment_comes_back_to_be_tried_again(one_paper: Library, make_window,
                                                        press, type_text, qtbot) -> None:
    """On a read-only (or full) library the comment box closed on the typed comment
    (attack.md F18): it comes back with the text, and Esc drops it."""
    with Library(one_paper.path, read_only=True) as library:
        win = make_window(library)
        pid = win.current_id()
        press("v", "v", ")", "a")
        qtbot.waitUntil(lambda: isinstance(focus().window(), CommentDialog))
        type_text("a thought worth keeping")
        press("Return")
        assert "read-only" in win.statusBar().currentMessage()
        qtbot.waitUntil(lambda: focus() is not None
                        and isinstance(focus().window(), CommentDialog)
                        and focus().window().isVisible())
        dialog = focus().window()
        assert dialog.edit.toPlainText() == "a thought worth keeping"
        assert library.annotations(pid) == []
        press("Esc")
        qtbot.waitUntil(lambda: not dialog.isVisible())
        win.close()


def test_a_right_after_h_comments_the_highlight_just_made(win, one_paper: Library, press,
                                                          type_text, qtbot) -> None:
    """h says "Highlighted in yellow · a to comment"; then a said "Select text first"
    (the caret sat just after the highlight, outside it), and the comment typed next
    went to the list as keys: m opened More like this, o a web page."""
    pid = win.current_id()
    press("v", "v", "w", "w", "h")
    assert "a to comment" in win.statusBar().currentMessage()
    press("a")
    qtbot.waitUntil(lambda: isinstance(focus().window(), CommentDialog), timeout=3000)
    type_text("the setting")
    press("Return")
    qtbot.waitUntil(lambda: only_annotation(one_paper, pid).comment == "the setting")
    assert only_annotation(one_paper, pid).quote == "We study"
    assert win.opened_urls == []


def test_a_trending_cards_summary_is_highlighted_and_commented_from_the_keyboard(
        library: Library, make_window, press, type_text, qtbot) -> None:
    """A card with only its AI summary (a trending page's) had nothing to select ("No
    abstract to select in"): its summary is now the text of the caret view, and a
    highlight made there is on the summary (Annotation.field), drawn and listed."""
    from pathlib import Path

    from storage.export import to_markdown

    forms = Path(__file__).resolve().parents[1] / "fixtures" / "forms"
    library.import_files([forms / "md-trending.md"])
    [pid] = library.search("title:lattice", limit=None).ids
    summary = library.get(pid).ai_summary
    assert library.get(pid).abstract == "" and summary
    win = make_window(library)
    win.browser.select_paper(pid)
    win.browser.reload_current()
    press("v")
    assert focus() is win.reader.abstract
    press("v", ")", "h")  # its sentence (the whole summary: "5.3x" ends none)
    annotation = only_annotation(library, pid)
    assert (annotation.field, annotation.quote, annotation.start) == ("ai_summary", summary, 0)
    assert win.reader.annotation_list.count() == 1
    assert [a.id for a in win.reader.abstract.annotations] == [annotation.id]
    assert win.reader.abstract.extraSelections()  # drawn on the summary
    # `a` on it comments it, as on an abstract's highlight.
    press("a")
    qtbot.waitUntil(lambda: isinstance(focus().window(), CommentDialog))
    type_text("the headline claim")
    press("Return")
    qtbot.waitUntil(lambda: only_annotation(library, pid).comment == "the headline claim")
    notes = to_markdown(library.get_many([pid]))
    assert "> — *yellow highlight on the AI summary*" in notes
    assert "the headline claim" in notes
    qtbot.waitUntil(lambda: focus() is win.reader.abstract)
    press("ctrl+z", "ctrl+z")
    assert library.annotations(pid) == []


def _pixels(widget, colour: str) -> int:
    """How many pixels of `widget`, as drawn on screen, are exactly `colour`."""
    from PySide6.QtGui import QColor

    image = widget.grab().toImage()
    wanted = QColor(colour).rgb()
    return sum(image.pixel(x, y) == wanted
               for y in range(0, image.height(), 2) for x in range(0, image.width(), 2))


def test_a_summary_highlight_stays_drawn_and_usable_once_the_card_gets_an_abstract(
        library: Library, make_window, press, qtbot, tmp_path) -> None:
    """A trending card highlighted on its summary, then a daily copy brings its abstract
    (imported by the window, on its worker thread): the abstract is the body now, and
    the highlight, listed, was drawn nowhere. It is drawn on the summary above the
    abstract, in its colour; Enter on it in the list brings it into view, marked, and
    the list's keys recolour and delete it there."""
    from pathlib import Path

    from desktop.theme import LIGHT
    from storage.export import to_markdown

    forms = Path(__file__).resolve().parents[1] / "fixtures" / "forms"
    library.import_files([forms / "md-trending.md"])
    [pid] = library.search("title:lattice", limit=None).ids
    summary = library.get(pid).ai_summary
    win = make_window(library, size=(1280, 800))
    win.browser.select_paper(pid)
    win.browser.reload_current()
    press("v", "v", ")", "h")
    made = only_annotation(library, pid)
    assert (made.field, made.quote) == ("ai_summary", summary)
    reader = win.reader
    yellow = LIGHT.highlight("yellow").name()
    press("Esc", "Esc")
    qtbot.waitUntil(lambda: reader.abstract.active_annotation is None)
    assert _pixels(reader.abstract.viewport(), yellow) > 50  # the body: drawn there

    daily = tmp_path / "daily.md"
    daily.write_bytes((forms / "md-firecrawl.md").read_bytes())
    assert win.import_paths([daily])
    qtbot.waitUntil(lambda: not win.importer.busy and library.get(pid).abstract != "",
                    timeout=60_000)
    qtbot.waitUntil(lambda: reader.abstract.toPlainText().startswith("Serving long"))
    abstract = library.get(pid).abstract
    assert reader.abstract.field == "abstract" and reader.abstract.annotations == []
    assert reader.summary_box.isVisible() and reader.summary.text() != summary
    # Drawn on the summary, in its colour, every character of the text still its own.
    assert f'background-color: {yellow}; text-decoration: underline">' in reader.summary.text()
    assert _pixels(reader.summary, yellow) > 50
    assert _pixels(reader.abstract.viewport(), yellow) == 0
    assert reader.annotation_list.count() == 1

    # Enter on it in the list: scrolled into view above the abstract, marked, said.
    reader.scroll.verticalScrollBar().setValue(reader.scroll.verticalScrollBar().maximum())
    press("A", "Return")
    assert "On the AI summary, above the abstract" in win.statusBar().currentMessage()
    assert reader.summary_active == made.id
    assert yellow not in reader.summary.text()  # the marked (active) colour instead
    box = reader.summary_box
    top = box.mapTo(reader.scroll.viewport(), box.rect().topLeft()).y()
    assert 0 <= top < reader.scroll.viewport().height()
    # The list's keys work on it: recolour (drawn in the new colour), delete, undo.
    press("A", "2")
    qtbot.waitUntil(lambda: library.annotation(made.id).colour == "green")
    reader.summary_active = None
    reader.show_paper(library.get(pid), keep_position=True)
    assert _pixels(reader.summary, LIGHT.highlight("green").name()) > 50
    notes = to_markdown(library.get_many([pid]))
    assert notes.index("### AI summary\n\n" + summary) > notes.index("### Abstract\n\n"
                                                                      + abstract[:40])
    press("A", "d")
    qtbot.waitUntil(lambda: library.annotations(pid) == [])
    assert reader.summary.text() == summary and _pixels(reader.summary,
                                                        LIGHT.highlight("green").name()) == 0
    press("ctrl+z")
    qtbot.waitUntil(lambda: len(library.annotations(pid)) == 1)
    qtbot.waitUntil(lambda: "text-decoration: underline" in reader.summary.text())


def test_a_highlight_whose_summary_was_reworded_says_so_in_the_list(
        library: Library, make_window) -> None:
    """A later copy rewords the highlighted sentence out of the summary: the list keeps
    the highlight with its quote and names the text it is no longer in (it said the
    abstract, which the card does not have)."""
    from storage.records import PaperRecord

    def card(summary: str) -> PaperRecord:
        return PaperRecord("Wallaby Caches", "", 0, 3, None, "2025-01-06", "Jan 6", False,
                           7, arxiv_id="2501.00042", ai_summary=summary)

    library.import_records([card("Wallaby caches halve memory. Accuracy holds.")],
                           name="monday.md")
    [pid] = library.search("", limit=None).ids
    library.annotate_quote(pid, "Accuracy holds.", field="ai_summary")
    library.import_records([card("Wallaby caches use a third of the memory.")],
                           name="tuesday.md")
    win = make_window(library)
    win.browser.select_paper(pid)
    win.browser.reload_current()
    [annotation] = library.annotations(pid)
    assert annotation.orphaned
    quote, _ = win.reader.annotation_list.delegate._texts(annotation)
    assert quote.endswith("(no longer found in the AI summary)")
    assert library.summary_history(pid)[0]["ai_summary"].endswith("Accuracy holds.")
