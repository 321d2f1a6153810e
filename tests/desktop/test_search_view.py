"""The app's search box against the real engine (issue 12): the live search while
typing, Enter, the result's message, highlighter and error, all through the view."""

from __future__ import annotations

import re
import sqlite3

import pytest

from desktop.model import COL_TITLE
from storage import Library
from tests.storage.search.helpers import WORD_CLASSES


def raw(lib: Library, expr: str) -> int:
    return lib.conn.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?",
                            (expr,)).fetchone()[0]


def type_into_search(window, qtbot, text: str) -> None:
    """Real key presses into the search box, then the pause that runs the live search."""
    window.search.setFocus()
    window.search.clear()
    qtbot.keyClicks(window.search, text)
    qtbot.waitUntil(lambda: not window.browser.search_timer.isActive()
                    and window.browser.search_query == text.strip(), timeout=5000)


@pytest.mark.parametrize("kind", list(WORD_CLASSES))
def test_live_search_and_enter_find_what_raw_fts5_finds(window, seeded: Library, qtbot,
                                                        press, kind: str) -> None:
    for word in WORD_CLASSES[kind][:2]:
        type_into_search(window, qtbot, word)
        # While typing: the word's own matches plus a real prefix query.
        prefix = f' OR "{word}"*' if len(word) >= 3 else ""
        assert window.browser.search_typing
        assert window.model.rowCount() == raw(seeded, f'"{word}"{prefix}'), (kind, word)
        # Enter: the word alone, every inflection, the same count as raw FTS5.
        press("Return")
        qtbot.waitUntil(lambda: not window.browser.search_typing)
        assert window.model.rowCount() == raw(seeded, f'"{word}"'), (kind, word)
        assert not window.panel.correction.isVisible(), window.panel.correction.text()


def test_a_space_ends_the_word_being_typed(window, seeded: Library, qtbot) -> None:
    type_into_search(window, qtbot, "memo")
    assert window.model.rowCount() == raw(seeded, '"memo" OR "memo"*') > 0
    type_into_search(window, qtbot, "memory ")
    assert window.model.rowCount() == raw(seeded, '"memory"') == 52


def test_the_status_line_is_the_results_message(window, seeded: Library, qtbot, press) -> None:
    type_into_search(window, qtbot, "agent memory")
    press("Return")
    qtbot.waitUntil(lambda: not window.browser.search_typing)
    either = raw(seeded, '"agent" OR "memory"')
    assert window.model.rowCount() == either
    assert window.panel.correction.isVisible()
    assert window.panel.correction.text() == window.model.result.message == \
        f"1 has all words · {either - 1} more have some"


def test_views_highlight_with_the_results_highlighter(window, qtbot, press) -> None:
    type_into_search(window, qtbot, "memory")
    press("Return")
    qtbot.waitUntil(lambda: not window.browser.search_typing)
    delegate = window.panel.paper_delegate
    assert delegate.highlight("Memory Efficient Optimizers") == [(0, 6)]
    assert delegate.highlight("Memories of memorised things") == [(0, 8)]
    title = window.model.index(0, COL_TITLE).data()
    assert delegate.highlight(title) == window.model.result.highlight(title)
    paper = window.reader.paper
    assert paper is not None
    assert list(window.reader.abstract.search_spans) == \
        window.model.result.highlight(paper.abstract)


def test_a_failed_search_shows_its_error_not_no_papers_match(window, seeded: Library,
                                                            qtbot, press) -> None:
    # Break the index under the running app: every search now fails in SQLite.
    with sqlite3.connect(seeded.path) as other:
        other.execute("DROP TABLE papers_fts_idx")
    type_into_search(window, qtbot, "memory")
    press("Return")
    qtbot.waitUntil(lambda: not window.browser.search_typing)
    assert window.model.rowCount() == 0
    assert window.model.error
    assert window.panel.empty_title.text() == "The search failed"
    assert window.panel.empty_text.text() == window.model.error
    assert window.panel.empty_title.text() != "No papers match"


def test_a_filter_that_is_not_one_says_so_once_it_is_typed(window, qtbot, press) -> None:
    type_into_search(window, qtbot, "memory is:unre")
    assert "not a filter" not in window.model.result.message  # still being typed
    press("Return")
    qtbot.waitUntil(lambda: not window.browser.search_typing)
    message = window.model.result.message
    assert message.startswith("is:unre is not a filter (is: takes ") and "unread" in message
    assert window.panel.correction.isVisible() and window.panel.correction.text() == message


def test_a_field_with_no_word_says_so_once_it_is_entered(window, seeded: Library, qtbot,
                                                         press) -> None:
    # `summary:` alone listed every paper and said nothing (session 6's window walk).
    type_into_search(window, qtbot, "summary:")
    assert not window.panel.correction.isVisible()  # still being typed
    press("Return")
    qtbot.waitUntil(lambda: not window.browser.search_typing)
    assert window.model.rowCount() == len(seeded.search("", limit=None).ids)
    message = window.model.result.message
    assert message == ("summary: has nothing after it (write summary:word, with no space); "
                       "every paper is listed")
    assert window.panel.correction.isVisible() and window.panel.correction.text() == message


def test_a_card_found_by_its_ai_summary_is_highlighted_there(library: Library, make_window,
                                                             qtbot, press) -> None:
    """Schema 12: a word only a trending card's AI summary has finds the card, and the
    reader washes the word in the summary: that is where the match is."""
    from tests.storage.forms.helpers import FORMS

    assert library.import_files([FORMS / "md-trending-clipped.md"]).ok
    window = make_window(library)
    type_into_search(window, qtbot, "abstain")
    press("Return")
    qtbot.waitUntil(lambda: not window.browser.search_typing)
    assert window.model.rowCount() == 1
    assert "I Don't Know" in window.model.index(0, COL_TITLE).data()
    window.browser.show_current()
    reader = window.browser.reader
    paper = reader.paper
    assert paper is not None and not paper.abstract and "abstain" in (paper.ai_summary or "")
    # The summary is the card's body, with the word washed where abstracts' are.
    assert reader.abstract.field == "ai_summary"
    word = paper.ai_summary.index("abstain")
    assert any(s <= word < e for s, e in reader.abstract.search_spans), \
        reader.abstract.search_spans
    # Beside an abstract the summary is an aside: washed there too, as rich text.
    colour = reader.theme.colour("search_hit").name()
    shown = reader.summary.text()
    assert colour in shown and re.search(r">abstain<", shown), shown
