"""The reading pane as it is painted: search hits against highlights, highlight
boundaries and comments, the caret, and what scrolls into view.

Colours are read back from the rendered widget (offscreen, device pixel ratio 1),
so a change that makes two marks look alike fails here.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QTextDocumentFragment
from PySide6.QtWidgets import QApplication, QLabel, QStyleOptionViewItem

from desktop.model import COL_TITLE
from desktop.reader import HIGHLIGHT_HINT, code_url, facts_html, facts_line, washed_html
from storage import Library

SENTENCE = "Sparse attention with learned routing scales to long inputs. "
ABSTRACT = SENTENCE * 30


@pytest.fixture
def long_paper(library: Library) -> Library:
    report = library.import_text(f"Routing Attention at Length\n{ABSTRACT}\n")
    assert report.ok, report.error
    return library


def _image(widget) -> QImage:
    QApplication.processEvents()
    return widget.grab().toImage()


def _colours(image: QImage, rect: QRect) -> Counter:
    counts: Counter = Counter()
    rect = rect.intersected(image.rect())
    for x in range(rect.left(), rect.right() + 1):
        for y in range(rect.top(), rect.bottom() + 1):
            counts[image.pixelColor(x, y).name()] += 1
    return counts


def _background(image: QImage, rect: QRect) -> QColor:
    return QColor(_colours(image, rect).most_common(1)[0][0])


def _distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


def _near(image: QImage, rect: QRect, colour: QColor, tolerance: int = 40) -> int:
    return sum(n for name, n in _colours(image, rect).items()
               if _distance(QColor(name), colour) <= tolerance)


def _within(widget, point, viewport):
    """`point` of `widget` in the coordinates of the scroll area's viewport."""
    return viewport.mapFromGlobal(widget.mapToGlobal(point))


def _cursor_at(view, position: int):
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(view.document())
    cursor.setPosition(position)
    return cursor


def _show(win, library: Library, spans=()):
    paper = library.get(win.current_id())
    win.reader.show_paper(paper, spans=spans)
    return win.reader.abstract


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_search_hit_inside_a_highlight_stands_out(long_paper: Library, make_window,
                                                    monkeypatch, theme: str) -> None:
    monkeypatch.setenv("WINNOW_THEME", theme)
    win = make_window(long_paper)
    pid = win.current_id()
    long_paper.annotate(pid, 0, len(SENTENCE) - 1)  # the first sentence, yellow
    word = ABSTRACT.index("learned")
    hit = (word, word + len("learned"))
    outside = len(SENTENCE) + word
    view = _show(win, long_paper, spans=[hit, (outside, outside + len("learned"))])
    image = _image(view.viewport())
    highlight_only = view.span_rects(0, word - 1)[0]
    hit_in_highlight = view.span_rects(*hit)[0]
    plain = _background(image, view.span_rects(len(SENTENCE) + 2, len(SENTENCE) + 8)[0])
    highlighted = _background(image, highlight_only)
    matched = _background(image, hit_in_highlight.adjusted(2, 2, -2, -2))
    assert _distance(highlighted, plain) > 20  # the highlight is visible at all
    assert _distance(matched, highlighted) > 60, (matched.name(), highlighted.name())
    # Outside a highlight a hit is the soft wash the list and the title use: plainly
    # there, and nothing drawn around it (an outline squeezed the letters beside it).
    alone = view.span_rects(outside, outside + len("learned"))[0]
    washed = _background(image, alone.adjusted(2, 2, -2, -2))
    assert washed == win.theme.colour("search_hit"), washed.name()
    assert _distance(washed, plain) > 60
    assert _distance(washed, matched) > 60
    beside = QRect(alone.right() + 2, alone.top(), 4, alone.height())
    assert _background(image, beside) == plain
    assert _near(image, alone.adjusted(-3, -2, 3, 2), win.theme.colour("search_hit_strong"),
                 10) == 0


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_hits_a_hyphen_apart_are_one_wash(library: Library, make_window, qtbot, press,
                                          monkeypatch, theme: str) -> None:
    """`kolmogorov arnold` finds "Kolmogorov-Arnold": one wash over the whole compound
    in the list, the title and the abstract, the hyphen included."""
    monkeypatch.setenv("WINNOW_THEME", theme)
    report = library.import_text(
        "Kolmogorov-Arnold Transformer\n"
        "We replace MLP layers with Kolmogorov-Arnold network layers and train them.\n")
    assert report.ok, report.error
    win = make_window(library)
    press("/")
    qtbot.keyClicks(win.search, "kolmogorov arnold")
    press("Return")
    qtbot.waitUntil(lambda: not win.browser.search_typing and win.reader.paper is not None)
    view = win.reader.abstract
    text = view.toPlainText()
    start = text.index("Kolmogorov-Arnold")
    assert view.search_spans == [(start, start + len("Kolmogorov-Arnold"))]
    image = _image(view.viewport())
    hyphen = view.span_rects(start + len("Kolmogorov"), start + len("Kolmogorov-"))[0]
    wash = win.theme.colour("search_hit")
    assert _near(image, hyphen, wash, 10) >= hyphen.width() * hyphen.height() // 3
    title = win.reader.title
    title_image = _image(title.viewport())
    left, right = (title.cursorRect(_cursor_at(title, n))
                   for n in (len("Kolmogorov"), len("Kolmogorov-")))
    dash = QRect(left.left() + 1, left.top(), max(1, right.left() - left.left() - 1),
                 left.height())
    assert _near(title_image, dash, wash, 10) >= dash.width() * dash.height() // 3
    # The list's title cell: one wash, not two boxes.
    table = win.table
    index = win.model.index(0, COL_TITLE)
    option = QStyleOptionViewItem()
    option.initFrom(table)
    option.rect = table.visualRect(index)
    option.font = table.font()
    option.widget = table
    assert len(win.panel.paper_delegate.title_matches(option, index)) == 1


def test_touching_highlights_and_comments_are_told_apart(long_paper: Library,
                                                         make_window) -> None:
    win = make_window(long_paper)
    pid = win.current_id()
    middle = ABSTRACT.index("learned")
    long_paper.annotate(pid, 0, middle)
    second = long_paper.annotate(pid, middle, len(SENTENCE) - 1,
                                 comment="why routing").annotation.id
    third = long_paper.annotate(pid, 2 * len(SENTENCE), 3 * len(SENTENCE) - 1).annotation.id
    view = _show(win, long_paper)
    image = _image(view.viewport())
    mark = win.theme.mark("yellow")
    boundary = view.span_rects(middle, middle + 1)[0]
    # The second highlight starts with a bar in the mark colour, where the first ends.
    assert _near(image, QRect(boundary.left() - 1, boundary.top() + 2, 3,
                              boundary.height() - 4), mark) >= boundary.height() - 6
    # Only the highlight with a comment carries the comment badge at its end.
    ends = {}
    for annotation in long_paper.annotations(pid):
        last = view.span_rects(annotation.start, annotation.end)[-1]
        ends[annotation.id] = _near(image, QRect(last.right() - 4, last.top() - 4, 12, 10),
                                    mark)
    assert ends[second] > 20
    assert ends[third] < 10


def test_the_caret_is_a_bar_not_a_hairline(long_paper: Library, make_window, press) -> None:
    win = make_window(long_paper)
    press("v")
    view = win.reader.abstract
    assert QApplication.focusWidget() is view
    press("w", "w")
    image = _image(view.viewport())
    caret = view.cursorRect()
    colour = win.theme.colour("caret")
    columns = {x for x in range(caret.left() - 4, caret.left() + 6)
               if _near(image, QRect(x, caret.top() + 2, 1, caret.height() - 4), colour,
                        30) >= caret.height() - 6}
    assert len(columns) >= 3, columns


def test_the_highlight_list_follows_the_focused_entry(long_paper: Library, make_window,
                                                      press, qtbot) -> None:
    win = make_window(long_paper, size=(1000, 640))
    pid = win.current_id()
    for n in range(12):
        start = n * len(SENTENCE)
        long_paper.annotate(pid, start, start + len(SENTENCE) - 1, comment=f"comment {n}")
    win.reader.show_paper(long_paper.get(pid))
    qtbot.wait(50)
    press("A")
    items = win.reader.annotation_list
    assert QApplication.focusWidget() is items
    viewport = win.reader.scroll.viewport()
    for _ in range(11):
        press("j")
        QApplication.processEvents()
        rect = items.visualItemRect(items.currentItem())
        top = _within(items.viewport(), rect.topLeft(), viewport)
        bottom = _within(items.viewport(), rect.bottomLeft(), viewport)
        assert top.y() >= 0 and bottom.y() <= viewport.height(), (items.currentRow(), top,
                                                                  bottom)
    assert items.currentRow() == 11


def test_jumping_to_a_long_highlight_shows_its_start(long_paper: Library, make_window,
                                                    press) -> None:
    win = make_window(long_paper, size=(1000, 640))
    pid = win.current_id()
    start = 3 * len(SENTENCE)
    long_paper.annotate(pid, start, len(ABSTRACT) - 1, comment="most of it")
    win.reader.show_paper(long_paper.get(pid))
    press("A", "Return")
    view = win.reader.abstract
    assert QApplication.focusWidget() is view
    QApplication.processEvents()
    first = view.span_rects(start, start + 5)[0]
    viewport = win.reader.scroll.viewport()
    top = _within(view.viewport(), first.topLeft(), viewport)
    assert 0 <= top.y() <= viewport.height() - first.height(), top


def test_the_pane_names_the_state_from_the_state_table(seeded: Library, make_window,
                                                       _isolated_config, press) -> None:
    import json
    from datetime import date, timedelta

    from desktop.model import format_date

    _isolated_config.mkdir(parents=True, exist_ok=True)
    (_isolated_config / "states.json").write_text(json.dumps({"states": {
        "done": {"label": "Read in full"},
        "parked": {"label": "Parked", "key": "z", "icon": "≈"}}}), encoding="utf-8")
    win = make_window(seeded)
    first = win.current_id()
    assert win.reader.state.text() == "● INBOX"
    seeded.set_starred([first])
    seeded.set_note(first, "why")
    win.browser.reload_current()
    assert win.reader.state.text() == "● INBOX  ·  ★ STARRED  ·  NOTE"
    win.browser.show_builtin("all")
    for state, text in (("done", "✓ READ IN FULL"), ("parked", "≈ PARKED"),
                        ("skipped", "⊘ SKIPPED"), ("later", "◷ LATER · SOMEDAY")):
        seeded.set_state([first], state, "someday" if state == "later" else None)
        win.browser.select_paper(first)
        win.browser.reload_current()
        assert win.reader.state.text().split("  ·  ★")[0] == text
    day = date.today() + timedelta(days=9)
    seeded.set_state([first], "later", day.isoformat())
    win.browser.reload_current()
    until = format_date(day.isoformat()).upper()
    assert win.reader.state.text().startswith(f"◷ LATER UNTIL {until}")
    # A state that states.json no longer names keeps its stored name in the pane.
    seeded.set_state([first], "parked")
    settings = _isolated_config / "states.json"
    stamp = settings.stat().st_mtime_ns + 10**9
    settings.write_text("{}", encoding="utf-8")
    os.utime(settings, ns=(stamp, stamp))
    from storage import states

    win.reader.states = states.table()
    win.browser.reload_current()
    assert win.reader.state.text().startswith("• PARKED")


def test_a_trending_card_shows_its_summary_and_facts_not_an_empty_pane(
        library: Library, make_window, press, qtbot) -> None:
    """A trending page carries no abstract, only the AI summary, GitHub repo and stars;
    the pane showed a title over nothing (attack, new-user walk), then two plain lines
    (F28). The summary is now the card's body, in the abstract's place (where it can be
    selected and highlighted, i14d) under its own label; the arXiv id and the repository
    are links, opened by a click or from the keyboard (o, Shift+O)."""
    from pathlib import Path

    from PySide6.QtCore import QUrl

    from storage import sample_listings

    forms = Path(__file__).resolve().parents[1] / "fixtures" / "forms"
    library.import_files([forms / "md-trending.md", sample_listings()[0]])
    win = make_window(library)
    [trending] = library.search("title:lattice", limit=None).ids
    win.browser.show_builtin("all")
    win.browser.select_paper(trending)
    win.browser.reload_current()
    paper = library.get(trending)
    assert paper.abstract == "" and paper.ai_summary
    reader = win.reader
    # The body is in the abstract's place, its label above it, not a second copy.
    assert reader.abstract.isVisible() and reader.abstract.field == "ai_summary"
    # The label heads its text as HIGHLIGHTS and NOTE head theirs: flush with the text's
    # left edge, just above it, no aside's box or accent rule left over (in a real window
    # the label sat in a ruled box of its own, 24 px above and 14 px left of the text).
    reader.scroll.widget().layout().activate()
    [label] = [w for w in reader.findChildren(QLabel)
               if w.isVisible() and w.text() == "AI SUMMARY"]
    assert label.objectName() == "sectionLabel"
    content = reader.scroll.widget()
    top_left = label.mapTo(content, label.rect().bottomLeft())
    body = reader.abstract.mapTo(content, reader.abstract.rect().topLeft())
    margin = int(reader.abstract.document().documentMargin())
    assert abs(top_left.x() - (body.x() + margin)) <= 2, (top_left, body, margin)
    assert 0 <= body.y() + margin - top_left.y() <= 12, (top_left, body, margin)
    assert not reader.summary_box.isVisible() and not reader.divider.isVisible()
    assert reader.abstract.toPlainText() == paper.ai_summary
    assert not reader.summary.isVisible()
    meta_px = reader.meta.fontInfo().pixelSize()
    assert reader.abstract.fontInfo().pixelSize() > meta_px  # read, not a footnote
    assert reader.facts.isVisible()
    assert reader.facts.textFormat() == Qt.TextFormat.RichText
    # Listing text among the app's words is isolated (U+2068 … U+2069), as in the meta line.
    assert facts_line(paper) == ("arXiv 2611.01234  ·  GitHub \u2068lattice-kv/lattice-kv"
                                 "\u2069  ·  ★ 2,310")
    assert QTextDocumentFragment.fromHtml(reader.facts.text()).toPlainText() == \
        facts_line(paper)
    assert 'href="https://arxiv.org/abs/2611.01234"' in reader.facts.text()
    assert 'href="https://github.com/lattice-kv/lattice-kv"' in reader.facts.text()
    # In the theme's accent, dark mode included (the label kept the light palette's).
    from desktop.theme import DARK, LIGHT

    assert f"color: {LIGHT.colour('accent').name()}" in reader.facts.text()
    win.run_command("view.theme")
    assert reader.theme is DARK
    assert f"color: {DARK.colour('accent').name()}" in reader.facts.text()
    win.run_command("view.theme")
    # A click on the repository opens it (the label's own link signal).
    reader.facts.linkActivated.emit("https://github.com/lattice-kv/lattice-kv")
    assert win.opened_urls[-1] == QUrl("https://github.com/lattice-kv/lattice-kv")
    # From the keyboard: Shift+O opens the code, o the paper's page.
    press("O")
    assert win.opened_urls[-1] == QUrl("https://github.com/lattice-kv/lattice-kv")
    press("o")
    assert win.opened_urls[-1] == QUrl(paper.page_url)
    # Its summary is selected and highlighted as an abstract (test_annotations).
    press("v")
    assert win.statusBar().currentMessage().startswith("Caret mode")
    assert reader.abstract.hasFocus()
    assert reader.annotations_hint.text() == HIGHLIGHT_HINT
    press("Escape")
    # Found by a word of its title that its summary has too: washed there as in an
    # abstract. (The summary itself is not in the full-text index: a search for a word
    # only the summary has does not find the card; said in the i15 report, for srch.)
    win.set_search("quantizers")
    win.accept_search()
    assert win.model.ids == [trending]
    win.browser.select_paper(trending)
    win.browser.reload_current()
    # Washed in the body, where the abstract's matches are washed.
    word = paper.ai_summary.index("quantizers")
    assert any(s <= word < e for s, e in reader.abstract.search_spans), \
        reader.abstract.search_spans
    assert washed_html("a <b>x</b> b", [(2, 10)], "#ffe2b8") == (
        'a <span style="background-color: #ffe2b8">&lt;b&gt;x&lt;/b&gt;</span> b')
    win.set_search("")
    # A card of a form with none of these (the older sample layout) shows neither line.
    plain = next(i for i in library.search("", limit=None).ids
                 if library.get(i).ai_summary is None and library.get(i).arxiv_id is None)
    win.browser.select_paper(plain)
    win.browser.reload_current()
    assert not reader.summary_box.isVisible() and not reader.facts.isVisible()
    assert reader.abstract.isVisible() and reader.divider.isVisible()
    opened = len(win.opened_urls)
    press("O")
    assert len(win.opened_urls) == opened
    assert win.statusBar().currentMessage() == "This paper's listing names no code repository"


def test_card_facts_are_escaped_and_only_checked_addresses_are_links() -> None:
    """The facts line is rich text: every field from a listing is escaped, and a link
    is made only from an id or repository name that has the right shape."""
    from storage import Paper

    paper = Paper(id=1, title="t", abstract="", authors_count=None, organization=None,
                  published=None, published_raw=None, year_inferred=False, upvotes=None,
                  added_at="2026-11-30", read_at=None, starred=False, note="",
                  arxiv_id="2611.01234", github_repo='https://github.com/a"<b>x</b>/y',
                  github_stars=5, project_page="javascript:alert(1)")
    text = facts_html(paper)
    assert "<b>" not in text and "&lt;b&gt;" in text
    assert text.count("href=") == 1  # the arXiv id only
    assert 'href="https://arxiv.org/abs/2611.01234"' in text
    assert code_url(paper) is None
    good = dataclasses.replace(paper, github_repo="https://github.com/owner/repo.js/",
                               project_page="https://example.org/p?a=1&b=2")
    assert code_url(good) == "https://github.com/owner/repo.js"
    assert 'href="https://example.org/p?a=1&amp;b=2"' in facts_html(good)


def test_hidden_parts_take_their_gaps_with_them(window, seeded: Library, qtbot) -> None:
    """A sample card has no facts, summary, why line or tags: their gaps stayed, 36 px
    of nothing between the meta line and the divider."""
    reader = window.reader

    def gap() -> int:
        reader.scroll.widget().layout().activate()
        return reader.divider.geometry().top() - reader.meta.geometry().bottom()

    assert reader.facts.isHidden() and reader.summary_box.isHidden()
    assert reader.chips.isHidden()
    assert 6 <= gap() <= 14
    seeded.add_tags([window.current_id()], ["queued"])
    window.browser.reload_current()
    assert not reader.chips.isHidden()
    assert gap() >= reader.chips.height() + 20  # the chips and their own gap
    seeded.remove_tags([window.current_id()], ["queued"])
    window.browser.reload_current()
    assert 6 <= gap() <= 14
