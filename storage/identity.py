"""One batch of an import: which known paper each record is, and what it may change.

Identity: the arXiv id where the record has one, else the normalised title. A paper
first seen without an id and later with one is one paper: the id-less paper of the
same title takes the id, and every mark, note and highlight stays on it.

A re-import changes listing facts only, never user data. An abstract is the one
listing fact the user's work hangs on (highlights are offsets into it), so it is
never replaced without the old one going to `abstract_history` (an AI summary, which
a trending card's highlights are on, to `summary_history`), and not at all
where the new text is evidently not this paper's: another paper's abstract (a
listing whose blocks are out of order), a much shorter text (a trending page's
one-line summary), or, for a paper the user acted on, an entirely different text.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from rapidfuzz import fuzz

from storage.records import GROWING, LISTS, PLAIN, SHORTER_SHARE, PaperRecord
from storage.removal import LISTING_FACTS, acted_on
from storage.schema import STATE_COUNT_TRIGGERS
from storage.text import normalise_title

# Below this similarity (rapidfuzz ratio, 0-100) a new abstract is another text,
# not a revision of the paper's own; measured on arXiv v1/v2 abstract pairs, which
# score 75-99.
SAME_TEXT_RATIO = 50.0
# The day an import's facts are as of, recorded in `meta` per import (`as_of:<source id>`)
# where the copy states it: its capture date (front matter, a scraper's header), else its
# listing's date if the copy writes that date's year (storage/library/importing.py,
# `_as_of`). An import without one (every import before this rule) places nothing.
AS_OF_KEY = "as_of:"
# How two listings' facts about one paper merge (SHORTER_SHARE, GROWING, PLAIN, LISTS) is
# the records' own rule: storage/records.py, where the glued copies of one file merge too.

_COLUMNS = ("id", "key", "first_source_id", *LISTING_FACTS)
# The columns of `BatchOutcome.new_rows`, in order.
NEW_ROW_COLUMNS = ("id", "key", "added_at", "first_source_id", *LISTING_FACTS)
_ARXIV_AT = NEW_ROW_COLUMNS.index("arxiv_id")
@dataclass(slots=True)
class BatchOutcome:
    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    new_rows: list[tuple[Any, ...]] = field(default_factory=list)
    # Titles with no letter or digit: no title key, so no paper (the importer says so).
    untitled: list[str] = field(default_factory=list)
    # Known papers whose facts another import states as of a later day: this one's
    # differing facts were not taken (BatchImporter.as_of).
    older: int = 0


def _json_list(values: Sequence[str]) -> str | None:
    return json.dumps(list(values), ensure_ascii=False) if values else None


# The order `_fact_values` writes a record's facts in: that of LISTING_FACTS, the
# papers columns they go to (checked here, so a column added there cannot shift
# the values into the wrong columns).
_FACT_ORDER = (
    "title", "abstract", "authors_count", "organization", "published", "published_raw",
    "year_inferred", "upvotes", "arxiv_id", "url", "comments", "authors", "submitted_by",
    "ai_summary", "ai_keywords", "github_repo", "github_stars", "project_page", "date_source",
)
if _FACT_ORDER != LISTING_FACTS:
    raise RuntimeError("storage.identity._fact_values does not follow LISTING_FACTS")


def _fact_values(record: PaperRecord, tomorrow: str) -> tuple[Any, ...]:
    """A record's listing facts as the papers table stores them, in LISTING_FACTS
    order: a new paper's row is these behind its id, key, time and source, built
    without a dict per paper (100k of them cost 0.2-0.3 s of an import)."""
    published, year_inferred, date_source = (record.published, int(record.year_inferred),
                                              record.date_source)
    if published:
        # A card's date is never in the future (a day's slack for time zones): a
        # year guessed wrong or a typo'd one is left empty rather than sorting
        # first forever.
        if published > tomorrow:
            published, year_inferred, date_source = None, 0, None
        elif date_source is None:
            date_source = "listing" if year_inferred else "card"
    authors, keywords = record.authors, record.ai_keywords
    return (record.title, record.abstract, record.authors_count, record.organization,
            published, record.published_raw, year_inferred, record.upvotes,
            record.arxiv_id or None, record.url, record.comments,
            _json_list(authors) if authors else None, record.submitted_by,
            record.ai_summary, _json_list(keywords) if keywords else None,
            record.github_repo, record.github_stars, record.project_page, date_source)


def _tomorrow(today: date) -> str:
    return (today + timedelta(days=1)).isoformat()


def record_facts(record: PaperRecord, *, today: date) -> dict[str, Any]:
    """A record's listing facts as the papers table stores them."""
    return dict(zip(LISTING_FACTS, _fact_values(record, _tomorrow(today)), strict=True))


# The per-row trigger that counts inserted papers into `state_counts` (schema 9).
_STATE_COUNT_INSERT = "papers_state_count_insert"
_KNOWN_COUNT_TRIGGER = " ".join(STATE_COUNT_TRIGGERS.split("END;")[0].split()) + " END"


@contextmanager
def _state_counted_once(conn: sqlite3.Connection, first: int, last: int) -> Iterator[None]:
    """Insert papers `first`..`last` with the state-count trigger set aside and count
    them into `state_counts` in one statement after, inside the caller's transaction.

    The trigger runs a small program per inserted row: 1.1-1.5 s of CPU per 100k
    imported papers, the largest single cost between the import and its raw floor
    (bench/README, "Import at 100k"). Dropping and re-creating it in the same
    transaction is atomic: a failure or a killed process rolls both back with the
    rows. Only the trigger as schema 9 wrote it is set aside, since the count here
    does what that one does; any other definition is left to fire.
    """
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                       (_STATE_COUNT_INSERT,)).fetchone()
    if row is None or " ".join(row[0].rstrip("; \n").split()) != _KNOWN_COUNT_TRIGGER:
        yield
        return
    conn.execute(f"DROP TRIGGER {_STATE_COUNT_INSERT}")
    yield
    conn.execute(
        "INSERT INTO state_counts (state, papers) "
        "SELECT state, count(*) FROM papers WHERE id BETWEEN ? AND ? GROUP BY state "
        "ON CONFLICT (state) DO UPDATE SET papers = papers + excluded.papers",
        (first, last))
    conn.execute(row[0])


def _short(title: str) -> str:
    return title if len(title) <= 60 else title[:59] + "…"


# Bits of each OwnPapers map (2 MB, whatever the import's size) and the bits a
# value sets in it: three slices of its 64-bit hash. At 100k papers a card the
# import never inserted finds all three set about once per 7 imports (with one
# bit in a 1 MB map: 1 card in 80), and each such card makes the import build
# the title index it deferred (storage/library/deferred.py).
_OWN_BITS = 1 << 24
_OWN_MASK = _OWN_BITS - 1


class OwnPapers:
    """Which arXiv ids and title keys one import has inserted, while its papers
    are all the library holds.

    An import into an empty library, with nobody else writing, finds in the
    library only papers it inserted itself: a card whose arXiv id and title key
    it never inserted is new, and needs no look-up in the indexes (those cost
    0.15-0.25 s of CPU per 100k cards, and the title index is not even built
    yet: storage/library/deferred.py). The ids and keys go into two Bloom
    filters by hash (a fixed 4 MB, where a set of 100k keys held ~20 MB); a
    card that may be in one is asked of the indexes as before, after
    `before_lookup` (which builds the deferred title index), so what is found
    is what the indexes say. The filters answer only while that is provably so:
    the library had no papers when the import's first transaction began, and at
    the start of each later one no other connection has committed (`PRAGMA
    data_version`) and this connection has changed nothing but the import's own
    work (`total_changes`). Once either fails, every card is asked of the
    indexes.
    """

    def __init__(self) -> None:
        self.arxiv_ids = bytearray(_OWN_BITS >> 3)
        self.keys = bytearray(_OWN_BITS >> 3)
        self._seen: tuple[int, int] | None = None
        # Runs once, before the first card is asked of the indexes.
        self.before_lookup: Callable[[], None] | None = None

    @classmethod
    def begin(cls, conn: sqlite3.Connection) -> OwnPapers | None:
        """Inside the import's first transaction: an instance if the library is empty."""
        if conn.execute("SELECT EXISTS (SELECT 1 FROM papers)").fetchone()[0]:
            return None
        own = cls()
        own.mark(conn)
        return own

    def mark(self, conn: sqlite3.Connection) -> None:
        """What `still_alone` compares: taken inside the import's transaction."""
        self._seen = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)

    def commit(self, conn: sqlite3.Connection) -> None:
        """Commit the import's transaction, marking around it: the data version
        while the write lock is still held (nobody else can have committed yet),
        this connection's changes after (a commit writes the full-text index's
        pending rows, which count)."""
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        conn.execute("COMMIT")
        self._seen = (version, conn.total_changes)

    def still_alone(self, conn: sqlite3.Connection) -> bool:
        """Inside a later transaction of the import: has nobody else written since?"""
        return (conn.execute("PRAGMA data_version").fetchone()[0],
                conn.total_changes) == self._seen

    def add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """The new rows of a batch (NEW_ROW_COLUMNS), once inserted."""
        arxiv_bits, key_bits, mask = self.arxiv_ids, self.keys, _OWN_MASK
        for row in rows:
            value = hash(row[1])
            for bit in (value & mask, (value >> 24) & mask, (value >> 40) & mask):
                key_bits[bit >> 3] |= 1 << (bit & 7)
            arxiv_id = row[_ARXIV_AT]
            if arxiv_id is not None:
                value = hash(arxiv_id)
                for bit in (value & mask, (value >> 24) & mask, (value >> 40) & mask):
                    arxiv_bits[bit >> 3] |= 1 << (bit & 7)

    def maybe(self, key: str, arxiv_id: str | None) -> bool:
        """Might the library hold a paper of this title key or arXiv id? False is
        certain."""
        if _in(self.keys, hash(key)):
            return True
        return bool(arxiv_id) and _in(self.arxiv_ids, hash(arxiv_id))

    def asking(self) -> None:
        """A card is about to be asked of the indexes."""
        if self.before_lookup is not None:
            before, self.before_lookup = self.before_lookup, None
            before()


def _in(bits: bytearray, value: int) -> bool:
    """Are all three of `value`'s bits set? (Nearly always the first is not.)"""
    bit = value & _OWN_MASK
    if not bits[bit >> 3] >> (bit & 7) & 1:
        return False
    bit = (value >> 24) & _OWN_MASK
    if not bits[bit >> 3] >> (bit & 7) & 1:
        return False
    bit = (value >> 40) & _OWN_MASK
    return bool(bits[bit >> 3] >> (bit & 7) & 1)


# Quote, dash and ellipsis forms a word processor's AutoFormat (or a "smart
# punctuation" editor) writes for the plain ones. Two abstracts that differ only in
# them are one text (attack N15: a Word-formatted copy re-imported over the clean one
# rewrote 8 abstracts, moving the old ones to history for nothing).
_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-", "\u2026": "...", "\u00a0": " ", "\u202f": " ",
})
_DASHES = re.compile(r"-+")


# The listing facts besides the abstract that are prose a word processor retypesets.
_PROSE = frozenset({"organization", "ai_summary"})


def _typeset_alike(old: str, new: str) -> bool:
    """`old` and `new` are the same text but for quote, dash, ellipsis and space
    typography ("--" and an em dash, "..." and an ellipsis, curly and straight quotes)."""
    def plain(text: str) -> str:
        return " ".join(_DASHES.sub("-", text.translate(_TYPOGRAPHY)).split())
    return plain(old) == plain(new)


def _summary_taken_for_abstract(old: str | None, record: PaperRecord) -> bool:
    """The stored abstract is the record's AI summary read as an abstract: the record's
    card shows the summary where an abstract would be (and no abstract), and the stored
    text begins with that summary. A copy wrapped or cut so that the text after a summary
    ran on into it (attack F24: '... block sparse attention. [logo] LongCat · Oct 25,')
    stored summary and junk as the abstract, which an empty abstract never replaced."""
    summary = record.ai_summary
    if record.abstract or not summary or not old:
        return False
    return " ".join(old.split()).startswith(" ".join(summary.split()))


class BatchImporter:
    """Imports batches of one listing into papers; the Library owns the transaction."""

    def __init__(self, conn: sqlite3.Connection, *, source_id: int, name: str, now: str,
                 reanchor: Callable[[int, str | None], None], today: date | None = None,
                 own: OwnPapers | None = None, as_of: str | None = None,
                 glued_from: int | None = None) -> None:
        self.conn = conn
        self.own = own
        self.source_id = source_id
        self.name = name
        self.now = now
        self.reanchor = reanchor
        self.today = today or date.today()
        # The day this copy's facts are as of (its capture date, else its listing's
        # date; None if it states neither): a paper whose facts another import states
        # as of a later day keeps them (only empty ones are filled; counts only grow).
        self.as_of = as_of
        # The position of the first card of a copy glued after a seeds-layout copy in
        # the same file (that layout streams, so the two cannot be merged before the
        # import): such a card of a paper the first copy listed merges its facts onto
        # it, as a second import would, where a card twice in one copy keeps the first.
        self.glued_from = glued_from

    # ------------------------------------------------------------- identity
    def _known(self, arxiv_ids: list[str], keys: list[str]
               ) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
        """The known papers with one of these arXiv ids or title keys: one query per
        chunk of 250 of each, both indexes (papers_arxiv_id, papers_key) in it."""
        columns = ", ".join(f"p.{c}" for c in _COLUMNS)
        # Whether this import listed the paper already (NULL if not): its card's position
        # once a glued copy is being read, else 1, which the link's primary-key index
        # answers alone (the position is a row look-up more per known paper: 0.3-0.7 s
        # of CPU on a re-import of 100k).
        linked = ("(SELECT ps.position FROM paper_sources ps WHERE ps.paper_id = p.id "
                  "AND ps.source_id = ?)") if self.glued_from is not None else (
                  "(SELECT 1 FROM paper_sources ps WHERE ps.paper_id = p.id "
                  "AND ps.source_id = ?)")
        names = (*_COLUMNS, "linked")
        wanted_ids, wanted_keys = set(arxiv_ids), set(keys)
        by_id: dict[str, dict[str, Any]] = {}
        by_key: dict[str, list[dict[str, Any]]] = {}
        seen: set[int] = set()
        for start in range(0, max(len(arxiv_ids), len(keys)), 250):
            ids, titles = arxiv_ids[start:start + 250], keys[start:start + 250]
            # Only non-empty lists: an empty `IN ()` is a constant, and an OR with a
            # constant in it cannot use the indexes (a full scan per chunk).
            terms = [f"p.{column} IN ({','.join('?' * len(values))})"
                     for column, values in (("arxiv_id", ids), ("key", titles)) if values]
            sql = f"SELECT {columns}, {linked} FROM papers p WHERE {' OR '.join(terms)}"
            for row in self.conn.execute(sql, (self.source_id, *ids, *titles)):
                paper = dict(zip(names, row, strict=True))
                if paper["id"] in seen:
                    continue  # its id was in one chunk and its key in another
                seen.add(paper["id"])
                if paper["arxiv_id"] in wanted_ids:
                    by_id[paper["arxiv_id"]] = paper
                if paper["key"] in wanted_keys:
                    by_key.setdefault(paper["key"], []).append(paper)
        for papers in by_key.values():
            papers.sort(key=lambda paper: paper["id"])
        return by_id, by_key

    def run(self, records: Sequence[PaperRecord]) -> BatchOutcome:
        """Import one batch: new papers inserted and indexed, known ones merged."""
        out = BatchOutcome()
        later: list[tuple[str, PaperRecord]] = []
        chosen = self._choose(records, out, later)
        if not chosen:
            return out
        matched, fresh = self._match(chosen, out)
        links = self._merge(matched, out)

        next_id = self._next_id()
        tomorrow, now, source_id = _tomorrow(self.today), self.now, self.source_id
        new_rows = out.new_rows
        for key, record in fresh:
            # Concatenated: half the time of unpacking into a new tuple (timeit).
            new_rows.append((next_id, key, now, source_id)  # noqa: RUF005
                            + _fact_values(record, tomorrow))
            links.append((next_id, source_id, record.position))
            next_id += 1
        out.new += len(fresh)
        self._insert(out.new_rows)
        if self.own is not None:
            self.own.add(out.new_rows)
        self.conn.executemany(
            "INSERT OR IGNORE INTO paper_sources (paper_id, source_id, position) "
            "VALUES (?, ?, ?)", links)
        if later:
            # Cards of a glued copy whose paper this batch's first copy listed: now
            # that paper is stored and linked, they merge onto it.
            again, fresh = self._match(later, out)
            if fresh:  # not expected: each one's twin was just stored
                raise RuntimeError("storage.identity: a glued card lost its twin")
            self._merge(again, out)
        return out

    def _merge(self, matched: list[tuple[PaperRecord, dict[str, Any]]], out: BatchOutcome
               ) -> list[tuple[int, int, int]]:
        """Merge each matched record's facts onto its paper; the papers' links to
        this import, for those not linked yet."""
        # The stored abstracts of the papers this batch names: a record that offers one
        # of them for a different paper has its blocks out of order.
        stored = {p["abstract"]: p["id"] for _, p in matched if p["abstract"]}
        newer = self._newer_elsewhere([p["id"] for _, p in matched])
        links: list[tuple[int, int, int]] = []
        for record, paper in matched:
            again = paper["linked"] is not None
            if self._update(paper, record, stored, out, older=paper["id"] in newer,
                            again=again):
                if not again or (paper["first_source_id"] != self.source_id
                                 and not paper["changed_here"]):
                    out.updated += 1
            elif not again:
                out.unchanged += 1
            if not again:
                links.append((paper["id"], self.source_id, record.position))
        return links

    def _newer_elsewhere(self, paper_ids: list[int]) -> set[int]:
        """Those of `paper_ids` that another import lists as of a later day than this
        one's (see `as_of`)."""
        if self.as_of is None or not paper_ids:
            return set()
        conn = self.conn
        # Nearly always no import at all is as of a later day (the newest page is the
        # one imported): a look at the few recorded days instead of one per paper
        # (0.4-0.6 s of CPU on a re-import of 100k papers).
        if not conn.execute(
                "SELECT EXISTS (SELECT 1 FROM meta m JOIN sources s "
                "ON s.id = CAST(substr(m.key, ?) AS INTEGER) "
                "WHERE m.key GLOB ? AND m.value > ? AND s.id != ? AND s.status != 'undone')",
                (len(AS_OF_KEY) + 1, f"{AS_OF_KEY}*", self.as_of, self.source_id)
        ).fetchone()[0]:
            return set()
        newer: set[int] = set()
        for start in range(0, len(paper_ids), 500):
            chunk = paper_ids[start:start + 500]
            newer.update(row[0] for row in conn.execute(
                "SELECT ps.paper_id FROM paper_sources ps "
                "JOIN meta m ON m.key = ? || ps.source_id "
                f"WHERE ps.paper_id IN ({','.join('?' * len(chunk))}) "
                "AND ps.source_id != ? "
                "GROUP BY ps.paper_id HAVING max(m.value) > ?",
                (AS_OF_KEY, *chunk, self.source_id, self.as_of)))
        return newer

    def _twice(self, record: PaperRecord, out: BatchOutcome) -> None:
        out.warnings.append(
            f"{self.name}: \"{_short(record.title)}\" appears twice; kept the first")

    def _choose(self, records: Sequence[PaperRecord], out: BatchOutcome,
                later: list[tuple[str, PaperRecord]]) -> list[tuple[str, PaperRecord]]:
        """(title key, record) of each card of the batch once: one record per arXiv
        id, else per title; an id-less record and an id-bearing one of the same title
        are one card. A glued copy's card of a paper the first copy listed goes to
        `later`, to merge onto that paper once it is stored."""
        # ident -> (normalised title, record): the title is normalised once per record.
        chosen: dict[str, tuple[str, PaperRecord]] = {}
        title_owner: dict[str, str] = {}
        out.found += len(records)
        glued_from = self.glued_from
        for record in records:
            key = normalise_title(record.title)
            if not key:
                out.untitled.append(record.title)
                continue
            arxiv_id = record.arxiv_id
            ident = f"a:{arxiv_id}" if arxiv_id else f"t:{key}"
            if glued_from is not None and record.position >= glued_from:
                twin = chosen.get(ident) or chosen.get(title_owner.get(key, ""))
                if twin is not None and twin[1].position < glued_from and (
                        not arxiv_id or twin[1].arxiv_id in (None, arxiv_id)):
                    later.append((key, record))
                    continue
            if ident in chosen:
                self._twice(record, out)
                continue
            owner = title_owner.get(key)
            if owner is not None and (owner.startswith("t:") or not arxiv_id):
                if owner.startswith("t:") and arxiv_id:
                    # The id arrived with the second copy: keep the first's place.
                    _, first = chosen.pop(owner)
                    chosen[ident] = (key, replace(record, position=first.position))
                    title_owner[key] = ident
                self._twice(record, out)
                continue
            chosen[ident] = (key, record)
            title_owner.setdefault(key, ident)
        return list(chosen.values())

    def _match(self, chosen: list[tuple[str, PaperRecord]], out: BatchOutcome
               ) -> tuple[list[tuple[PaperRecord, dict[str, Any]]],
                          list[tuple[str, PaperRecord]]]:
        """The cards that are known papers (record, paper), and the new ones (key,
        record). A card this file already brought in an earlier batch is neither."""
        asked = chosen if self.own is None else [
            (key, record) for key, record in chosen if self.own.maybe(key, record.arxiv_id)]
        if asked and self.own is not None:
            self.own.asking()
        keys = list(dict.fromkeys(key for key, _ in asked))
        arxiv_ids = [r.arxiv_id for _, r in asked if r.arxiv_id]
        by_id, by_key = self._known(arxiv_ids, keys)
        claimed: set[int] = set()
        matched: list[tuple[PaperRecord, dict[str, Any]]] = []
        fresh: list[tuple[str, PaperRecord]] = []
        for key, record in chosen:
            paper = by_id.get(record.arxiv_id) if record.arxiv_id else None
            if paper is None:
                for candidate in by_key.get(key, ()):
                    # An id-bearing record is the paper of its title only if that paper
                    # has no id yet (or this very one).
                    if candidate["id"] in claimed or (
                            record.arxiv_id and candidate["arxiv_id"] not in
                            (None, record.arxiv_id)):
                        continue
                    paper = candidate
                    break
            glued = self.glued_from
            if paper is None:
                fresh.append((key, record))
            elif paper["linked"] is not None and not (
                    glued is not None and paper["linked"] < glued <= record.position):
                self._twice(record, out)  # came in an earlier batch of this same file
            else:
                # Not linked yet, or listed by the first copy and met again in a copy
                # glued after it: merged as a second import would merge it.
                claimed.add(paper["id"])
                matched.append((record, paper))
        return matched, fresh

    def _next_id(self) -> int:
        """Past every id ever used: a deleted paper waits in the trash for its undo,
        and an AUTOINCREMENT table remembers ids whose rows are gone."""
        conn = self.conn
        highest = conn.execute("SELECT max(coalesce((SELECT max(id) FROM papers), 0), "
                               "coalesce((SELECT max(paper_id) FROM trash), 0))").fetchone()[0]
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
                        ).fetchone() is not None:
            seq = conn.execute("SELECT max(seq) FROM sqlite_sequence WHERE name = 'papers'"
                               ).fetchone()[0]
            highest = max(highest, seq or 0)
        # Schema 5 keeps the highest id any deleted paper had (storage/library/ids.py).
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'id_high_water'"
                        ).fetchone() is not None:
            mark = conn.execute("SELECT id FROM id_high_water WHERE name = 'papers'"
                                ).fetchone()
            highest = max(highest, mark[0] if mark else 0)
        return highest + 1

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        columns = NEW_ROW_COLUMNS
        with _state_counted_once(self.conn, rows[0][0], rows[-1][0]):
            self.conn.executemany(
                f"INSERT INTO papers ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})", rows)
        # The index is written here rather than by a trigger: one statement per
        # batch instead of one FTS flush per row.
        # Every indexed column, as the row holds it: the update and delete triggers
        # take out what the row holds, so what goes in must be the same text.
        title_at, abstract_at = columns.index("title"), columns.index("abstract")
        summary_at = columns.index("ai_summary")
        self.conn.executemany(
            "INSERT INTO papers_fts (rowid, title, abstract, note, annotation_text, "
            "ai_summary) VALUES (?, ?, ?, '', '', ?)",
            ((row[0], row[title_at], row[abstract_at], row[summary_at]) for row in rows))

    # ---------------------------------------------------------------- facts
    def _abstract(self, paper: dict[str, Any], new: str, stored: dict[str, int],
                  out: BatchOutcome, title: str) -> bool:
        """Whether the record's abstract may replace the paper's."""
        old = paper["abstract"] or ""
        if not new or new == old:
            return False
        if not old:
            return True
        if _typeset_alike(old, new):
            return False
        other = stored.get(new)
        if other is not None and other != paper["id"]:
            out.warnings.append(
                f"{self.name}: \"{_short(title)}\" comes with the abstract of paper {other} "
                f"(blocks out of order?); kept its own abstract")
            return False
        if len(new) < len(old) * SHORTER_SHARE:
            return False
        if fuzz.ratio(old, new) < SAME_TEXT_RATIO and acted_on(self.conn, [paper["id"]]):
            out.warnings.append(
                f"{self.name}: \"{_short(title)}\" comes with an entirely different "
                f"abstract; kept the one you worked on (paper {paper['id']})")
            return False
        return True

    def _update(self, paper: dict[str, Any], record: PaperRecord, stored: dict[str, int],
                out: BatchOutcome, *, older: bool = False, again: bool = False) -> bool:
        """Merge what a listing says about a known paper; user data is never touched.

        `older`: another import states this paper's facts as of a later day than this
        copy's, so only the facts the paper lacks are taken. `again`: this import
        listed the paper already (a glued copy's card): what it changes joins what
        the import changed before, so undoing the import takes both back."""
        facts = record_facts(record, today=self.today)
        changes: dict[str, Any] = {}
        if self._abstract(paper, facts["abstract"], stored, out, record.title):
            changes["abstract"] = facts["abstract"]
        elif _summary_taken_for_abstract(paper["abstract"], record):
            changes["abstract"] = ""  # the old text kept in abstract_history, as always
        for column in PLAIN + LISTS:
            if facts[column] not in (None, "") and facts[column] != paper[column]:
                if column in _PROSE and paper[column] and _typeset_alike(paper[column],
                                                                          facts[column]):
                    continue  # the same words, typeset otherwise
                changes[column] = facts[column]
        if older:
            kept = [column for column in ("abstract", *PLAIN, *LISTS)
                    if column in changes and paper[column] not in (None, "")
                    and changes[column] != ""]
            for column in kept:
                del changes[column]
            if kept:
                out.older += 1
        if facts["arxiv_id"] and paper["arxiv_id"] is None:
            changes["arxiv_id"] = facts["arxiv_id"]
        # A date with its year written beats one whose year was guessed.
        better_date = facts["published"] and (
            paper["published"] is None or (paper["year_inferred"] and not facts["year_inferred"]))
        if better_date and facts["published"] != paper["published"]:
            for column in ("published", "published_raw", "year_inferred", "date_source"):
                changes[column] = facts[column]
        for column in GROWING:
            if facts[column] is not None and (paper[column] is None
                                               or facts[column] > paper[column]):
                changes[column] = facts[column]
        if not changes:
            return False
        before = {c: paper[c] for c in changes}
        conn = self.conn
        own = again and paper["first_source_id"] == self.source_id
        if own:
            # A paper this import brought: undoing the import removes it whole, and
            # nobody had its first card's text to work on but for a moment.
            pass
        elif again:
            self._journal_again(paper["id"], before, changes, paper)
        else:
            # import_undo: the crash journal of an unfinished import; import_changes: the
            # lasting record that "undo this import" reads.
            conn.execute(
                "INSERT OR IGNORE INTO import_undo (source_id, paper_id, facts) "
                "VALUES (?, ?, ?)", (self.source_id, paper["id"], json.dumps(before)))
            conn.execute(
                "INSERT OR IGNORE INTO import_changes (source_id, paper_id, before, after) "
                "VALUES (?, ?, ?, ?)",
                (self.source_id, paper["id"], json.dumps(before), json.dumps(changes)))
        if "abstract" in changes and not own:
            conn.execute(
                "INSERT INTO abstract_history (paper_id, abstract, replaced_at, source_id) "
                "VALUES (?, ?, ?, ?)", (paper["id"], paper["abstract"], self.now,
                                        self.source_id))
        if changes.get("ai_summary") and paper["ai_summary"] and not own:
            # A highlight can be on the summary: the text it was made on is kept.
            conn.execute(
                "INSERT INTO summary_history (paper_id, ai_summary, replaced_at, source_id) "
                "VALUES (?, ?, ?, ?)", (paper["id"], paper["ai_summary"], self.now,
                                        self.source_id))
        assignments = ", ".join(f"{column} = ?" for column in changes)
        conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?",
                     (*changes.values(), paper["id"]))
        if "abstract" in changes or "ai_summary" in changes:  # highlights can be on either
            self.reanchor(paper["id"], changes.get("abstract"))
        return True

    def _journal_again(self, paper_id: int, before: dict[str, Any], changes: dict[str, Any],
                       paper: dict[str, Any]) -> None:
        """Record a second change of this import to a paper it did not bring: each
        column's value before the import (the first change's, where it made one) and
        after both."""
        conn = self.conn
        row = conn.execute("SELECT before, after FROM import_changes "
                           "WHERE source_id = ? AND paper_id = ?",
                           (self.source_id, paper_id)).fetchone()
        paper["changed_here"] = row is not None
        first_before, first_after = (json.loads(row[0]), json.loads(row[1])) if row else ({}, {})
        merged_before = {**before, **first_before}
        merged_after = {**first_after, **changes}
        conn.execute(
            "INSERT INTO import_changes (source_id, paper_id, before, after) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (source_id, paper_id) DO UPDATE SET before = excluded.before, "
            "after = excluded.after",
            (self.source_id, paper_id, json.dumps(merged_before), json.dumps(merged_after)))
        row = conn.execute("SELECT facts FROM import_undo WHERE source_id = ? AND paper_id = ?",
                           (self.source_id, paper_id)).fetchone()
        undo = {**before, **(json.loads(row[0]) if row else {})}
        conn.execute(
            "INSERT INTO import_undo (source_id, paper_id, facts) VALUES (?, ?, ?) "
            "ON CONFLICT (source_id, paper_id) DO UPDATE SET facts = excluded.facts",
            (self.source_id, paper_id, json.dumps(undo)))
