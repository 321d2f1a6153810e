"""desktop/summary_marks.py: the AI summary beside an abstract, drawn with the highlights
made on it (the reading pane's use of it, with real keys and a real import on the
window's worker, is in tests/desktop/test_annotations.py)."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument

from desktop.summary_marks import summary_html
from desktop.theme import DARK, LIGHT
from storage.models import Annotation


def test_the_summary_beside_an_abstract_draws_its_text_as_data(qtbot) -> None:
    """The summary's highlights and search washes are rich text: every piece of the
    text in it is escaped, so what it shows is the text itself, tags and all."""
    text = "Sieves & <b>bold</b> claims.\nA <script>second</script> line."
    start = text.index("<b>")
    mark = Annotation(id=7, paper_id=1, start=start, end=start + 11, quote="<b>bold</b>",
                      comment="", colour="purple", orphaned=False, created_at="",
                      updated_at="", field="ai_summary")
    gone = Annotation(id=8, paper_id=1, start=0, end=6, quote="Sieves", comment="",
                      colour="blue", orphaned=True, created_at="", updated_at="",
                      field="ai_summary")
    made = summary_html(text, [(start + 3, start + 20)], [mark, gone], DARK)
    assert "<b>" not in made and "<script>" not in made
    document = QTextDocument()
    document.setHtml(made)
    assert document.toPlainText() == text
    purple = DARK.highlight("purple").name()
    assert made.count(purple) == 1  # the highlight up to where a search hit begins
    assert DARK.colour("search_hit_strong").name() in made  # the hit inside it
    assert DARK.highlight("blue").name() not in made  # orphaned: not drawn
    assert summary_html(text, [], [gone], DARK) == ""  # nothing to draw: plain text



def test_the_highlight_jumped_to_is_drawn_marked(qtbot) -> None:
    text = "Caches halve memory. Accuracy holds."
    mark = Annotation(id=3, paper_id=1, start=21, end=36, quote="Accuracy holds.",
                      comment="", colour="yellow", orphaned=False, created_at="",
                      updated_at="", field="ai_summary")
    plain = summary_html(text, [], [mark], LIGHT)
    active = summary_html(text, [], [mark], LIGHT, active=3)
    assert LIGHT.highlight("yellow").name() in plain
    assert LIGHT.highlight("yellow").name() not in active and active != plain
    assert summary_html(text, [], [mark], LIGHT, active=4) == plain
