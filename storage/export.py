"""Export formats: each takes papers and returns the whole text."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable, Iterable

from storage.models import Paper
from storage.text import normalise_title


def to_json(papers: Iterable[Paper]) -> str:
    return json.dumps([p.to_json() for p in papers], ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ("id", "title", "abstract", "authors_count", "organization", "published",
               "upvotes", "read", "starred", "tags", "note", "sources", "added_at")


def to_csv(papers: Iterable[Paper]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for p in papers:
        writer.writerow([
            p.id, p.title, p.abstract, p.authors_count or "", p.organization or "",
            p.published or "", "" if p.upvotes is None else p.upvotes, int(p.read),
            int(p.starred), "; ".join(p.tags), p.note, "; ".join(s.name for s in p.sources),
            p.added_at,
        ])
    return buffer.getvalue()


_BIBTEX_SPECIAL = re.compile(r"([{}\\&%$#_^~])")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _bibtex_value(text: str) -> str:
    # Braces keep BibTeX from re-casing titles; specials are escaped so any
    # listing text stays a valid entry.
    escaped = _BIBTEX_SPECIAL.sub(lambda m: "\\" + m.group(1)
                                  if m.group(1) not in "\\^~" else
                                  {"\\": r"\textbackslash{}", "^": r"\^{}",
                                   "~": r"\~{}"}[m.group(1)], text)
    return "{" + " ".join(escaped.split()) + "}"


def _bibtex_key(paper: Paper, used: set[str]) -> str:
    words = [w for w in normalise_title(paper.title).split() if len(w) > 3] or ["paper"]
    year = (paper.published or "")[:4]
    base = re.sub(r"[^a-z0-9]", "", words[0])[:20] + year or f"paper{paper.id}"
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base}{chr(96 + n) if n <= 26 else n}"
    used.add(key)
    return key


def to_bibtex(papers: Iterable[Paper]) -> str:
    entries = []
    used: set[str] = set()
    for p in papers:
        fields = [("title", _bibtex_value(p.title))]
        if p.published:
            fields.append(("year", p.published[:4]))
            fields.append(("month", _MONTHS[int(p.published[5:7]) - 1]))
        if p.organization:
            fields.append(("institution", _bibtex_value(p.organization)))
        fields.append(("abstract", _bibtex_value(p.abstract)))
        if p.tags:
            fields.append(("keywords", _bibtex_value(", ".join(p.tags))))
        if p.note:
            fields.append(("note", _bibtex_value(p.note)))
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        entries.append(f"@misc{{{_bibtex_key(p, used)},\n{body}\n}}\n")
    return "\n".join(entries)


def meta_line(paper: Paper) -> str:
    """Date · byline · upvotes · sources, as the reading pane and notes show it."""
    parts = []
    if paper.published:
        parts.append(paper.published + (" (year inferred)" if paper.year_inferred else ""))
    if paper.byline:
        parts.append(paper.byline)
    if paper.upvotes:
        parts.append(f"{paper.upvotes} upvote{'s' if paper.upvotes != 1 else ''}")
    if paper.sources:
        parts.append("from " + ", ".join(s.name for s in paper.sources))
    return " · ".join(parts)


def _quote_block(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines() or [""])


def _md_text(text: str) -> str:
    # Listing text is data: a "<script>" in an abstract must read as those
    # characters in Obsidian or a wiki, not become markup.
    return html.escape(text, quote=False)


def to_markdown(papers: Iterable[Paper]) -> str:
    """Reading notes: per paper its meta, tags, note and annotations as quotes."""
    blocks = []
    for p in papers:
        lines = [f"## {_md_text(' '.join(p.title.split()))}", "", _md_text(meta_line(p))]
        status = ["read" if p.read else "unread"] + (["starred"] if p.starred else [])
        lines.append(f"Status: {', '.join(status)}")
        if p.tags:
            lines.append("Tags: " + " ".join("#" + t.replace(" ", "-") for t in p.tags))
        if p.note.strip():
            lines += ["", "### Note", "", p.note.strip()]
        if p.annotations:
            lines += ["", "### Highlights"]
            for a in p.annotations:
                label = f"{a.colour}" + (", orphaned: the abstract changed" if a.orphaned else "")
                lines += ["", _quote_block(_md_text(a.quote)), f"> — *{label}*"]
                if a.comment.strip():
                    lines += ["", a.comment.strip()]
        lines += ["", "### Abstract", "", _md_text(p.abstract)]
        blocks.append("\n".join(lines))
    return "# Reading notes\n\n" + "\n\n---\n\n".join(blocks) + "\n"


FORMATS: dict[str, Callable[[Iterable[Paper]], str]] = {
    "json": to_json,
    "csv": to_csv,
    "bibtex": to_bibtex,
    "markdown": to_markdown,
}
