"""Ctrl+V with a browser's copy on the real clipboard: the HTML beside the plain text
brings each paper's arXiv id (attack N36)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from storage import Library
from storage.listing import parse_listing
from tests.desktop.test_paste_choice import (
    FORMS,
    PAGE_TEXT,
    SAVED,
    cards,
    chrome_copy,
    page_body,
)


def _paste(text: str, html: str | None) -> None:
    mime = QMimeData()
    mime.setText(text)
    if html is not None:
        mime.setHtml(html)
    QGuiApplication.clipboard().setMimeData(mime)


def _imported(library: Library) -> list[tuple[str, str | None]]:
    source = library.sources(limit=1)[0]
    return [tuple(row) for row in library.conn.execute(
        "SELECT p.title, p.arxiv_id FROM papers p JOIN paper_sources s ON s.paper_id = p.id "
        "WHERE s.source_id = ? ORDER BY s.position", (source["id"],))]


def test_ctrl_v_of_a_browser_copy_imports_the_papers_with_their_arxiv_ids(
        window, seeded: Library, press, qtbot) -> None:
    _paste(PAGE_TEXT, chrome_copy(page_body()))
    press("ctrl+v")
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20000)
    source = seeded.sources(limit=1)[0]
    assert source["name"].startswith("clipboard ") and source["form"] == "html"
    papers = _imported(seeded)
    assert len(papers) == 15 and all(arxiv for _, arxiv in papers)
    assert papers[0] == ("Lattice-KV: Compressing the Key-Value Cache with Learned Product "
                         "Quantizers", "2611.01234")
    assert window.model.rowCount() == 415 + 15


def test_ctrl_v_of_three_cards_and_of_plain_text_only(window, seeded: Library, press,
                                                      qtbot) -> None:
    text, markup = cards(3, 5)
    _paste(text, chrome_copy(markup))
    press("ctrl+v")
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20000)
    assert _imported(seeded) == [(r.title, r.arxiv_id) for r in
                                 parse_listing(SAVED).records[2:5]]
    # Plain text alone (a terminal, a text editor): read as before, no ids.
    others, _ = cards(6, 7)
    _paste(others, None)
    press("ctrl+v")
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20000)
    papers = _imported(seeded)
    assert len(papers) == 2 and [arxiv for _, arxiv in papers] == [None, None]
    assert seeded.sources(limit=1)[0]["form"] == "text"


def test_ctrl_v_of_an_editors_coloured_markdown_imports_the_markdown(
        window, seeded: Library, press, qtbot) -> None:
    markdown = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    _paste(markdown, '<div style="white-space: pre;"><span>' + markdown.replace(
        "&", "&amp;").replace("<", "&lt;").replace("\n", "<br>") + "</span></div>")
    press("ctrl+v")
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=20000)
    assert seeded.sources(limit=1)[0]["form"] != "html"
    papers = _imported(seeded)
    assert papers and all(arxiv for _, arxiv in papers)
