"""The reading pane's line under the title names an undated listing as the sidebar does
(desktop/reader.py meta_line), by a real window on a real library."""

from __future__ import annotations

from storage import Library


def _only_in(library: Library, source_id: int) -> int:
    [[paper_id]] = library.conn.execute(
        "SELECT paper_id FROM paper_sources WHERE source_id = ? AND paper_id NOT IN "
        "(SELECT paper_id FROM paper_sources WHERE source_id != ?) ORDER BY paper_id "
        "LIMIT 1", (source_id, source_id))
    return paper_id


def test_an_undated_sample_is_named_as_in_recent_imports_not_by_its_file(
        window, seeded: Library) -> None:
    """Every paper of the undated sample read "from 001_2386f24fa6d6a846.txt" under its
    title (a real window, first start); the sidebar calls that import "Sample listing 2"."""
    [sample] = [s for s in seeded.sources() if not s["listing_date"]]
    window.browser.select_paper(_only_in(seeded, sample["id"]))
    meta = window.reader.meta.text()
    assert meta.endswith("from Sample listing 2"), meta
    assert ".txt" not in meta
    assert f"source:{sample['id']}" in {
        e.key for e in window.sidebar.entries() if e.label == "Sample listing 2"}


def test_a_paste_reads_pasted_and_a_pipe_its_name(window, seeded: Library, qtbot) -> None:
    listing = ("Daily Papers\n\nA Pasted Paper About Sieves\nWe sieve things carefully and "
               "report what stays in the sieve.\n")
    assert window.importer.start(text=listing)
    qtbot.waitUntil(lambda: not window.importer.busy, timeout=10000)
    [paper_id] = [p for p, in seeded.conn.execute(
        "SELECT id FROM papers WHERE title = 'A Pasted Paper About Sieves'")]
    window.browser.select_paper(paper_id)
    meta = window.reader.meta.text()
    assert meta.startswith("pasted ") and "clipboard" not in meta, meta
    assert seeded.import_text(listing.replace("Sieves", "Pipes"), name="stdin").ok
    window.browser.load()
    [paper_id] = [p for p, in seeded.conn.execute(
        "SELECT id FROM papers WHERE title = 'A Pasted Paper About Pipes'")]
    window.browser.select_paper(paper_id)
    assert window.reader.meta.text() == "from \u2068stdin\u2069"  # isolated: listing text


def test_a_files_name_is_not_wrapped_at_its_hyphen(window, seeded: Library) -> None:
    """The line under the title wrapped "from md-" / "trending.md" (a real window)."""
    from tests.desktop.test_polish import _wrapped_lines

    listing = ("Daily Papers\n\nA Paper Whose Listing Has A Long Hyphenated Name\nWe "
               "sieve things carefully and keep what stays in the sieve.\n")
    assert seeded.import_text(listing, name="md-trending-extraction-copy.md").ok
    window.browser.load()
    [paper_id] = [p for p, in seeded.conn.execute(
        "SELECT id FROM papers WHERE title LIKE 'A Paper Whose Listing%'")]
    window.browser.select_paper(paper_id)
    meta = window.reader.meta
    assert meta.text().replace("\u2060", "").endswith(
        "from \u2068md-trending-extraction-copy.md\u2069")
    for width in (120, 160, 200, 260, meta.width()):
        lines = _wrapped_lines(meta, width)
        assert not any(line.rstrip().endswith("-") for line in lines), (width, lines)
