"""Which of a paste's two texts is imported (desktop/importer.py chosen_paste, attack
N36): a browser's copy carries the selection as plain text and as HTML with each title's
`/papers/<id>`."""

from __future__ import annotations

import html
import re

from desktop.importer import chosen_paste
from storage.listing import parse_listing
from tests.conftest import ROOT

FORMS = ROOT / "tests" / "fixtures" / "forms"
PAGE_TEXT = (FORMS / "text-daily.txt").read_text(encoding="utf-8")
SAVED = (FORMS / "html-daily.html").read_text(encoding="utf-8")
STYLE = ' style="box-sizing: border-box; margin: 0px; color: rgb(17, 24, 39);"'


def _copied(markup: str) -> str:
    """Markup as a browser serialises a selection onto the clipboard: links made
    absolute and each element's computed style written inline."""
    markup = markup.replace('href="/', 'href="https://huggingface.co/')
    return re.sub(r"<(article|div|h3|p|a|span|ul|li)(?=[ >])", rf"<\1{STYLE}", markup)


def chrome_copy(markup: str) -> str:
    """Chrome's text/html: the fragment between its markers in a bare page."""
    return ("<html>\n<body>\n<!--StartFragment-->" + _copied(markup)
            + "<!--EndFragment-->\n</body>\n</html>")


def firefox_copy(markup: str) -> str:
    """Firefox's text/html: a charset line, then the elements themselves."""
    return ('<meta http-equiv="content-type" content="text/html; charset=utf-8">'
            + _copied(markup))


def page_body() -> str:
    return SAVED[SAVED.index("<body>") + len("<body>"):SAVED.index("</body>")]


def cards(first: int, last: int) -> tuple[str, str]:
    """Cards first..last (1-based) of the daily page selected from the first one's
    title to the end of the last one: (the plain text, the HTML) a browser copies."""
    articles = re.findall(r"<article.*?</article>", SAVED, flags=re.S)[first - 1:last]
    articles[0] = '<article class="card"><div class="w-full">' + articles[0][
        articles[0].index("<h3>"):]
    markup = '<div class="grid">' + "".join(articles) + "</div>"
    records = parse_listing(PAGE_TEXT).records
    start = PAGE_TEXT.index(records[first - 1].title)
    end = PAGE_TEXT.index(records[last].title) if last < len(records) else len(PAGE_TEXT)
    text = PAGE_TEXT[start:end]
    text = text[:text.rstrip("\n").rfind("\n") + 1]  # not the next card's upvotes
    return text, markup


def _facts(text: str) -> list[tuple[object, ...]]:
    return [(r.title, r.abstract, r.upvotes, r.authors_count, r.organization, r.published,
             r.comments) for r in parse_listing(text).records]


def test_a_chrome_copy_of_the_page_imports_its_html_with_every_arxiv_id() -> None:
    paste = chosen_paste(PAGE_TEXT, chrome_copy(page_body()))
    assert paste.html
    records = parse_listing(paste.text).records
    assert [r.arxiv_id for r in records] == [
        r.arxiv_id for r in parse_listing(SAVED).records]
    assert len(records) == 15
    assert records[0].url == "https://huggingface.co/papers/2611.01234"
    # Nothing the plain text held is lost or read otherwise.
    assert _facts(paste.text) == _facts(PAGE_TEXT)


def test_a_firefox_copy_of_three_cards_from_a_title_on() -> None:
    text, markup = cards(3, 5)
    assert [r.arxiv_id for r in parse_listing(text).records] == [None] * 3
    paste = chosen_paste(text, firefox_copy(markup))
    assert paste.html
    expected = parse_listing(SAVED).records[2:5]
    assert [(r.title, r.arxiv_id) for r in parse_listing(paste.text).records] == [
        (r.title, r.arxiv_id) for r in expected]
    assert _facts(paste.text) == _facts(text)


def test_windows_clipboard_html_with_its_offsets_header() -> None:
    body = chrome_copy(page_body())
    header = ("Version:0.9\r\nStartHTML:0000000105\r\nEndHTML:0000099999\r\n"
              "StartFragment:0000000141\r\nEndFragment:0000099963\r\n")
    paste = chosen_paste(PAGE_TEXT, header + body)
    assert paste.html and not paste.text.startswith("Version")
    assert len([r for r in parse_listing(paste.text).records if r.arxiv_id]) == 15


def test_an_editors_coloured_copy_of_a_markdown_file_keeps_the_markdown() -> None:
    """VS Code copies a Markdown file's lines as coloured HTML spans: the links are
    text there, so the HTML has no ids and the Markdown (with them) is imported."""
    markdown = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    lines = "".join(f"<div><span style=\"color: #569cd6;\">{html.escape(line)}</span></div>"
                    if line else "<br>" for line in markdown.split("\n"))
    coloured = ('<div style="color: #cccccc;background-color: #1f1f1f;font-family: '
                "'Droid Sans Mono', monospace;white-space: pre;\">" + lines + "</div>")
    paste = chosen_paste(markdown, coloured)
    assert not paste.html and paste.text == markdown
    assert all(r.arxiv_id for r in parse_listing(paste.text).records)


def test_html_that_lacks_a_paper_of_the_text_or_no_listing_keeps_the_text() -> None:
    _, fewer = cards(1, 14)
    paste = chosen_paste(PAGE_TEXT, chrome_copy(fewer))
    assert not paste.html and paste.text == PAGE_TEXT
    paste = chosen_paste(PAGE_TEXT, "<p>Lattice-KV, <b>see</b> this</p>")
    assert not paste.html and paste.text == PAGE_TEXT
    assert chosen_paste(PAGE_TEXT, "") == chosen_paste(PAGE_TEXT, None)
    assert not chosen_paste(PAGE_TEXT, None).html


def test_html_alone_is_read_and_text_alone_stays_text() -> None:
    paste = chosen_paste("", chrome_copy(page_body()))
    assert paste.html and len(parse_listing(paste.text).records) == 15
    # A shopping list as both: nothing to choose; the import refuses it as before.
    paste = chosen_paste("milk\neggs\n", "<div>milk</div><div>eggs</div>")
    assert not paste.html and paste.text == "milk\neggs\n"
