"""Plain value types that the Library hands out. No database handles inside."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, BinaryIO

COLOURS = ("yellow", "green", "blue", "pink", "purple")


def byline(organization: str | None, authors_count: int | None) -> str:
    """Who wrote a paper, as the listing says: an organisation or an author count."""
    if organization:
        return organization
    if authors_count:
        return f"{authors_count} author{'s' if authors_count != 1 else ''}"
    return ""


def _export_state(name: str) -> str:
    from storage.states import table

    state = table().get(name)
    return state.export if state is not None else name


@dataclass(frozen=True, slots=True)
class SourceRef:
    path: str
    name: str
    listing_date: str | None
    position: int
    imported_at: str


@dataclass(frozen=True, slots=True)
class Annotation:
    id: int
    paper_id: int
    start: int
    end: int
    quote: str
    comment: str
    colour: str
    orphaned: bool
    created_at: str
    updated_at: str
    # Which text of the paper `start`/`end` are offsets into: "abstract", or
    # "ai_summary" (the body of a card that has no abstract).
    field: str = "abstract"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "comment": self.comment,
            "colour": self.colour,
            "orphaned": self.orphaned,
            "field": self.field,
        }


@dataclass(frozen=True, slots=True)
class Paper:
    id: int
    title: str
    abstract: str
    authors_count: int | None
    organization: str | None
    published: str | None
    published_raw: str | None
    year_inferred: bool
    upvotes: int | None
    added_at: str
    read_at: str | None
    starred: bool
    note: str
    tags: tuple[str, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    state: str = "inbox"  # a name in storage/states.py
    snooze_until: str | None = None  # YYYY-MM-DD while `later`; None: someday
    # Card facts (schema v2); None or empty where the listing's form did not carry them.
    arxiv_id: str | None = None
    url: str | None = None
    comments: int | None = None
    authors: tuple[str, ...] = ()
    submitted_by: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    date_source: str | None = None  # where `published` got its year: card, capture, ...

    @property
    def page_url(self) -> str | None:
        """The paper's own page: the listing's link, else its Hugging Face page."""
        if self.url:
            return self.url
        return f"https://huggingface.co/papers/{self.arxiv_id}" if self.arxiv_id else None

    @property
    def read(self) -> bool:
        return self.read_at is not None

    @property
    def state_export(self) -> str:
        """The state as export writes it (the state table's `export` value)."""
        return _export_state(self.state)

    @property
    def byline(self) -> str:
        return byline(self.organization, self.authors_count)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "abstract": self.abstract,
            "authors_count": self.authors_count,
            "organization": self.organization,
            "published": self.published,
            "published_raw": self.published_raw,
            "year_inferred": self.year_inferred,
            "upvotes": self.upvotes,
            "arxiv_id": self.arxiv_id,
            "url": self.url,
            "comments": self.comments,
            "authors": list(self.authors),
            "submitted_by": self.submitted_by,
            "ai_summary": self.ai_summary,
            "ai_keywords": list(self.ai_keywords),
            "github_repo": self.github_repo,
            "github_stars": self.github_stars,
            "project_page": self.project_page,
            "date_source": self.date_source,
            "read": self.read,
            "read_at": self.read_at,
            "state": self.state_export,
            "snooze_until": self.snooze_until,
            "starred": self.starred,
            "tags": list(self.tags),
            "note": self.note,
            "annotations": [a.to_json() for a in self.annotations],
            "sources": [
                {"path": s.path, "listing_date": s.listing_date, "position": s.position}
                for s in self.sources
            ],
            "added_at": self.added_at,
        }


@dataclass(frozen=True, slots=True)
class PaperRow:
    """What one line of the paper list shows: everything but the long texts."""

    id: int
    title: str
    read: bool
    starred: bool
    tags: tuple[str, ...]
    published: str | None
    upvotes: int | None
    byline: str
    annotated: bool
    has_note: bool
    state: str = "inbox"
    # The day of the earliest dated listing it is in: what the list's Date column
    # shows when the listing gave no publication date.
    listed: str | None = None


@dataclass(frozen=True, slots=True)
class PipedListing:
    """A listing that came on a pipe (`winnow import -`), for `import_files` beside
    paths: its bytes in an open, seekable binary file (a pipe can be read only once,
    and the decoder reads a listing twice), reported and recorded under `name`."""

    handle: BinaryIO
    name: str = "stdin"


@dataclass(slots=True)
class FileReport:
    path: str
    name: str
    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    source_id: int | None = None  # the import id: `winnow undo-import ID` takes it back
    form: str | None = None  # the listing form the detector picked

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        if self.error:
            return f"error: {self.error}"
        papers = f"{self.found} paper{'' if self.found == 1 else 's'}"
        text = (f"{self.name}: {papers}, {self.new} new, "
                f"{self.updated} updated, {self.unchanged} unchanged")
        if self.warnings:
            text += f", {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}"
        if self.source_id is not None:
            text += f" (import {self.source_id})"
        return text

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


@dataclass(slots=True)
class ImportReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def new(self) -> int:
        return sum(f.new for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "new": self.new, "updated": self.updated,
                "files": [f.to_json() for f in self.files]}


# What a Change touched. A view repaints what it shows of these; `COUNTS` means
# the sidebar's numbers may have moved.
STATE = "state"              # triage state (inbox, later, done...) or its snooze date
FLAGS = "flags"              # the star
TAGS = "tags"
NOTE = "note"
ANNOTATIONS = "annotations"
PAPERS = "papers"            # papers came or went, or their listing facts changed
COUNTS = "counts"
SEARCHES = "searches"        # saved searches
ASPECTS = frozenset({STATE, FLAGS, TAGS, NOTE, ANNOTATIONS, PAPERS, COUNTS, SEARCHES})


@dataclass(frozen=True, slots=True)
class Change:
    """What one Library operation did: every mutation returns one, and the Library's
    listeners (`Library.listen`) receive it after the commit.

    description  one line for the user ("Marked 3 papers done", "Undid tag on 2 papers")
    paper_ids    the papers whose rows changed, each once, in the order acted on
    aspects      which of STATE, FLAGS, TAGS, NOTE, ANNOTATIONS, PAPERS, COUNTS, SEARCHES
    count        how many things changed: papers, (paper, tag) pairs, annotations
    annotation   the annotation as it now is, after annotate / update_annotation
    origin       "user" (a direct operation), "undo", "redo", "import", or "outside"
                 (another connection committed: `poll_changes`)
    everything   True when `paper_ids` cannot be listed (an import, another process):
                 re-run the query rather than repaint rows

    A Change is true when something changed: `if library.set_note(...):`.
    """

    description: str = ""
    paper_ids: tuple[int, ...] = ()
    aspects: frozenset[str] = frozenset()
    count: int = 0
    annotation: Annotation | None = None
    origin: str = "user"
    everything: bool = False

    def __bool__(self) -> bool:
        return bool(self.count or self.paper_ids or self.everything)

    def touches(self, *aspects: str) -> bool:
        """Whether any of `aspects` changed."""
        return not self.aspects.isdisjoint(aspects)
