"""The Library's export (storage/library/exporting.py) in every format, on real files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from storage import Library, LibraryError
from tests.storage.library.conftest import title_id


def test_export_formats(seeded: Library, tmp_path: Path) -> None:
    paper_id = title_id(seeded, "TokenFormer")
    seeded.add_tags([paper_id], ["scaling"])
    seeded.set_note(paper_id, "Compare with MoE.")
    seeded.annotate_quote(paper_id, "natively scalable architecture", comment="why it scales")

    data = json.loads(seeded.export("", format="json"))
    assert len(data) == 415
    token = next(p for p in data if p["id"] == paper_id)
    assert token["tags"] == ["scaling"]
    assert token["annotations"][0]["quote"] == "natively scalable architecture"
    assert token["sources"][0]["position"] >= 1

    rows = list(csv.DictReader(io.StringIO(seeded.export("", format="csv"))))
    assert len(rows) == 415

    bib = seeded.export("", format="bibtex")
    assert bib.count("@misc{") == 415
    assert bib.count("{") == bib.count("}")

    out = tmp_path / "notes.md"
    seeded.export("", format="markdown", out=out)
    markdown = out.read_text(encoding="utf-8")
    assert "## TokenFormer: Rethinking Transformer Scaling" in markdown
    assert "> natively scalable architecture" in markdown
    assert "why it scales" in markdown and "Compare with MoE." in markdown
    with pytest.raises(LibraryError, match="unknown export format"):
        seeded.export("", format="docx")


def test_markdown_export_escapes_listing_markup(library: Library, tmp_path: Path) -> None:
    listing = tmp_path / "html.txt"
    listing.write_text("Dec 9\n\n<script>x</script> Title\n\nAbstract <b>bold</b>.\n",
                       encoding="utf-8")
    library.import_files([listing])
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").render(library.export("", format="markdown"))
    assert "<script>" not in rendered and "&lt;script&gt;x&lt;/script&gt; Title" in rendered
    assert "<b>" not in rendered
