"""Export formats: each takes papers and returns the whole text.

Listing text is data wherever it goes: a spreadsheet must not run a cell as a
formula (CSV), a Markdown reader must not turn a title into a link, an image or
HTML (Markdown), and BibTeX must find its braces balanced (BibTeX). Control
characters (terminal escapes) never leave in any text format.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable

from storage import states
from storage.models import Paper

# C0 and C1 controls but tab and newline: ESC starts terminal sequences, the
# others are invisible in every reader and break some.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(text: str | None) -> str:
    return _CONTROLS.sub("", text or "")


def arxiv_id(paper: object) -> str | None:
    """The paper's arXiv identifier when the library knows it (newer schemas)."""
    value = getattr(paper, "arxiv_id", None)
    return str(value).strip() or None if value else None


def to_json(papers: Iterable[Paper]) -> str:
    return json.dumps([p.to_json() for p in papers], ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------- CSV
CSV_COLUMNS = ("id", "title", "abstract", "authors_count", "organization", "published",
               "upvotes", "read", "starred", "tags", "note", "sources", "added_at", "state",
               "snooze_until",
               # Card facts (schema v2), last so that earlier columns keep their places.
               "arxiv_id", "url", "comments", "authors", "submitted_by", "ai_summary",
               "ai_keywords", "github_repo", "github_stars", "project_page", "date_source")

# OWASP "CSV injection": a cell that starts with one of these is a formula (or
# becomes one) in Excel, LibreOffice and Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A quoted CSV cell may hold tab, CR and LF; the other controls go.
_CSV_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def csv_cell(text: str | None) -> str:
    """A text cell a spreadsheet shows as text: formulas are prefixed with `'`."""
    cell = _CSV_CONTROLS.sub("", text or "")
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def to_csv(papers: Iterable[Paper]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for p in papers:
        writer.writerow([
            p.id, csv_cell(p.title), csv_cell(p.abstract), p.authors_count or "",
            csv_cell(p.organization), p.published or "",
            "" if p.upvotes is None else p.upvotes, int(p.read), int(p.starred),
            csv_cell("; ".join(p.tags)), csv_cell(p.note),
            csv_cell("; ".join(s.name for s in p.sources)), p.added_at,
            csv_cell(p.state_export), p.snooze_until or "",
            csv_cell(p.arxiv_id), csv_cell(p.url), "" if p.comments is None else p.comments,
            csv_cell("; ".join(p.authors)), csv_cell(p.submitted_by), csv_cell(p.ai_summary),
            csv_cell("; ".join(p.ai_keywords)), csv_cell(p.github_repo),
            "" if p.github_stars is None else p.github_stars, csv_cell(p.project_page),
            p.date_source or "",
        ])
    return buffer.getvalue()


# ------------------------------------------------------------------- BibTeX
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Each special character of LaTeX as text. Braces from the listing become
# commands: BibTeX counts every brace, even after a backslash, so `\{` in an
# abstract unbalances the entry for pybtex and BibTeX itself.
_LATEX = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}
_LATEX_SPECIAL = re.compile(r"[\\{}&%$#_^~]")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_STOPWORDS_TEXT = (
    "a an the on of for in to toward towards with without via and or from by is are be at "
    "as into onto using use how what why when where which who do does can your our we us it "
    "its this that these those not no beyond through over under vs versus rethinking revisiting"
)
_KEY_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def _latex(text: str) -> str:
    return _LATEX_SPECIAL.sub(lambda m: _LATEX[m.group(0)], text)


def _bibtex_value(text: str) -> str:
    return "{" + _latex(" ".join(_clean(text).split())) + "}"


def _bibtex_title(title: str) -> str:
    """The title with each acronym or camel-case word braced, so that a style that
    lower-cases titles prints "GaLore" and "LLM", not "Galore" and "llm"."""
    text = " ".join(_clean(title).split())
    out, last = [], 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        out.append(_latex(text[last:match.start()]))
        if any(c.isupper() for part in re.split(r"[-'’]", word) for c in part[1:]):
            out.append("{" + _latex(word) + "}")
        else:
            out.append(_latex(word))
        last = match.end()
    out.append(_latex(text[last:]))
    return "{" + "".join(out) + "}"


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[a-z0-9]+", folded.lower())


def _bibtex_authors(names: Iterable[str]) -> str | None:
    """The listing's author names as BibTeX people ("A and B"), None without names.
    A name BibTeX would cut in two ("Smith and Sons Lab") or turn around at its comma
    ("Ng, Andrew", as a listing wrote it) is braced whole."""
    people = []
    for name in names:
        name = " ".join(_clean(name).split())
        if name:
            person = _latex(name)
            people.append("{" + person + "}" if re.search(r"(?i)\band\b|,", name) else person)
    return "{" + " and ".join(people) + "}" if people else None


def bibtex_key(paper: Paper, used: set[str]) -> str:
    """organisation + year + first significant title word ("nvidia2025nemotron"),
    made unique within one export by a, b, c… A copied page names no authors, so the
    organisation stands in for the first author (also where a saved page or the API
    named them: a paper's key must not change when a richer import of it comes in);
    without one the key is the word and the year ("galore2024"), as a reader would
    cite it."""
    org = _ascii_words(paper.organization or "")
    year = (paper.published or "")[:4] if (paper.published or "")[:4].isdigit() else ""
    words = _ascii_words(paper.title)
    word = next((w for w in words if w not in _KEY_STOPWORDS and not w.isdigit()),
                words[0] if words else "")[:20]
    base = f"{org[0][:16]}{year}{word}" if org else f"{word}{year}"
    if not base or base[0].isdigit():
        base = f"paper{paper.id}{base}"
    key, n = base, 0
    while key in used:
        n += 1
        key = f"{base}{chr(96 + n) if n <= 26 else n}"
    used.add(key)
    return key


def to_bibtex(papers: Iterable[Paper]) -> str:
    entries = []
    used: set[str] = set()
    for p in papers:
        fields = [("title", _bibtex_title(p.title))]
        authors = _bibtex_authors(p.authors)
        if authors:
            fields.append(("author", authors))
        if p.organization:
            fields.append(("institution", _bibtex_value(p.organization)))
        if p.published:
            fields.append(("year", p.published[:4]))
            month = p.published[5:7]
            if month.isdigit() and 1 <= int(month) <= 12:
                fields.append(("month", _MONTHS[int(month) - 1]))
        arxiv = arxiv_id(p)
        if arxiv:
            fields.append(("eprint", _bibtex_value(arxiv)))
            fields.append(("archiveprefix", "{arXiv}"))
            fields.append(("url", "{https://arxiv.org/abs/" + _latex(arxiv) + "}"))
        fields.append(("abstract", _bibtex_value(p.abstract)))
        if p.tags:
            fields.append(("keywords", _bibtex_value(", ".join(p.tags))))
        if p.note:
            fields.append(("note", _bibtex_value(p.note)))
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        entries.append(f"@misc{{{bibtex_key(p, used)},\n{body}\n}}\n")
    return "\n".join(entries)


# ----------------------------------------------------------------- Markdown
def state_text(paper: Paper) -> str:
    """The paper's triage state as the app names it ("Later, until 2026-12-24"). A state
    no longer in states.json (or a states.json that does not load) is named as stored:
    the export still writes every paper."""
    try:
        state = states.table().get(paper.state)
    except states.StatesFileError:
        state = None
    label = state.label if state is not None else paper.state
    if state is not None and state.snoozes:
        label += f", until {paper.snooze_until}" if paper.snooze_until else ", someday"
    return label


def meta_line(paper: Paper) -> str:
    """Date · byline · upvotes · sources, as the reading pane and notes show it."""
    parts = []
    if paper.published:
        # Once, saying where an inferred year came from (the listing's date, the
        # file's...); a card's own date needs no word.
        source = paper.date_source if paper.date_source not in (None, "card") else None
        if source:
            parts.append(f"{paper.published} (year from the {source})")
        elif paper.year_inferred:
            parts.append(f"{paper.published} (year inferred)")
        else:
            parts.append(paper.published)
    if paper.byline:
        parts.append(paper.byline)
    if paper.upvotes:
        parts.append(f"{paper.upvotes} upvote{'s' if paper.upvotes != 1 else ''}")
    if paper.sources:
        parts.append("from " + ", ".join(s.name for s in paper.sources))
    return " · ".join(parts)


# Every ASCII punctuation character CommonMark gives a meaning to somewhere
# (links, images, emphasis, code, HTML, tables, strikethrough). A backslash makes
# each a literal character, and `&` is escaped only where it would start an
# entity, so "R&D" stays readable.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>!|~])|&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)](?=\s|$))")


def md_text(text: str | None) -> str:
    """Listing text as Markdown that renders as exactly these characters."""
    escaped = _MD_INLINE.sub(lambda m: "\\" + (m.group(1) or "&"), _clean(text))
    lines = []
    for line in escaped.splitlines() or [""]:
        line = line.strip()  # four leading spaces would make a code block
        lines.append(_MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line))
    return "\n".join(lines)


def _md_tag(tag: str) -> str:
    # Obsidian and GitHub read "#name" as a tag when it is one plain word.
    slug = tag.replace(" ", "-")
    return "#" + slug if re.fullmatch(r"[\w/-]+", slug) else md_text(tag)


def _quote_block(text: str) -> list[str]:
    return ["> " + line if line else ">" for line in text.splitlines() or [""]]


def to_markdown(papers: Iterable[Paper]) -> str:
    """Reading notes: per paper its facts, note and highlights (each comment under
    its quote, in the same block quote)."""
    blocks = []
    for p in papers:
        lines = [f"## {md_text(' '.join(p.title.split()))}", ""]
        meta = meta_line(p)
        if meta:
            lines.append(f"- {md_text(meta)}")
        status = [state_text(p)] + (["starred"] if p.starred else [])
        lines.append(f"- Status: {', '.join(status)}")
        if p.tags:
            lines.append("- Tags: " + " ".join(_md_tag(t) for t in p.tags))
        arxiv = arxiv_id(p)
        if arxiv:
            lines.append(f"- arXiv: {md_text(arxiv)}")
        if p.note.strip():
            lines += ["", "### Note", "", _clean(p.note).strip()]
        if p.annotations:
            lines += ["", "### Highlights"]
            for a in p.annotations:
                text = "AI summary" if a.field == "ai_summary" else "abstract"
                label = f"{a.colour} highlight" + (
                    " on the AI summary" if a.field == "ai_summary" else "") + (
                    f", orphaned: the {text} changed" if a.orphaned else "")
                lines += ["", *_quote_block(md_text(" ".join(a.quote.split()))), ">",
                          f"> — *{label}*"]
                comment = _clean(a.comment).strip()
                if comment:
                    lines += [">", *_quote_block(comment)]
        if p.abstract or not p.ai_summary:
            lines += ["", "### Abstract", "", md_text(p.abstract)]
        # A trending card: its summary is what there is to read (and highlight); a
        # card that gained an abstract later keeps the summary its highlights are on.
        if p.ai_summary and (not p.abstract or any(a.field == "ai_summary"
                                                   for a in p.annotations)):
            lines += ["", "### AI summary", "", md_text(p.ai_summary)]
        blocks.append("\n".join(lines))
    return "# Reading notes\n\n" + "\n\n---\n\n".join(blocks) + "\n"


FORMATS: dict[str, Callable[[Iterable[Paper]], str]] = {
    "json": to_json,
    "csv": to_csv,
    "bibtex": to_bibtex,
    "markdown": to_markdown,
}

# What a file of each format is called and ends with: the app's Export dialog and
# its choice of format by suffix read this, beside FORMATS (the command line's --format).
FORMAT_FILES: dict[str, tuple[str, str]] = {
    "markdown": ("Markdown reading notes", ".md"),
    "json": ("JSON", ".json"),
    "csv": ("CSV", ".csv"),
    "bibtex": ("BibTeX", ".bib"),
}


def format_for(suffix: str, default: str = "markdown") -> str:
    """The export format a file name's suffix (".bib") asks for."""
    for name, (_label, ending) in FORMAT_FILES.items():
        if ending == suffix.lower():
            return name
    return default
