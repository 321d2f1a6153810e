"""`Library`: the one API over a Winnow SQLite file.

The GUI, the command line and scripts all go through it. Every write runs in a
short `BEGIN IMMEDIATE` transaction on this object's connection; user actions
are logged in `events` so they can be undone, even after a restart.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from storage.listing import ListingError, ListingStream, PaperRecord, iter_listing, open_listing
from storage.models import (
    COLOURS,
    Annotation,
    Change,
    FileReport,
    ImportReport,
    Paper,
    PaperRow,
    SourceRef,
)
from storage.schema import SchemaTooNew, migrate
from storage.search import SearchEngine, SearchResult
from storage.text import normalise_title

__all__ = [
    "ImportCancelled",
    "Library",
    "LibraryCorrupt",
    "LibraryError",
    "SchemaTooNew",
    "default_library_path",
    "sample_listings",
]

# A listing-sized file imports in one transaction; a huge one commits every
# BATCH papers so the GUI's own writes never wait more than a fraction of a second.
BATCH = 5000
# Files under this size get a full quick_check before the first write; bigger
# ones are checked on demand (`Library.check()`), off the start-up path.
QUICK_CHECK_BELOW_BYTES = 256 * 1024 * 1024
NOTE_COALESCE_SECONDS = 120

ProgressCallback = Callable[[str, int], None]
CancelCallback = Callable[[], bool]


class LibraryError(Exception):
    """An error meant for the user: one line that says what is wrong."""


class LibraryCorrupt(LibraryError):
    pass


class ImportCancelled(LibraryError):
    pass


def default_library_path() -> Path:
    """`WINNOW_DB` if set, else `library.db` in the user data directory."""
    env = os.environ.get("WINNOW_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("winnow", appauthor=False) / "library.db"


def sample_listings() -> list[Path]:
    """The listings shipped with Winnow, imported into an empty first library."""
    root = resources.files("winnow_seeds")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _corrupt_message(path: Path, error: Exception) -> str:
    return (f"{path}: the library file is damaged ({error}); nothing was written to it. "
            f"Restore a backup with `winnow restore BACKUP` (backups are in "
            f"{path.parent / 'backups'})")


class Library:
    """A Winnow library file. Open with `Library(path)`; close with `close()` or `with`."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True,
                 check: bool | None = None) -> None:
        self.path = Path(path).expanduser()
        if not create and not self.path.exists():
            raise LibraryError(f"{self.path}: no such library")
        if self.path.exists() and self.path.is_dir():
            raise LibraryError(f"{self.path}: is a directory, not a library file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existed = self.path.exists() and self.path.stat().st_size > 0
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None,
                                        check_same_thread=False, timeout=10)
        except sqlite3.Error as error:
            raise LibraryError(f"{self.path}: cannot open ({error})") from error
        try:
            self._configure()
            if existed and (check if check is not None else
                            self.path.stat().st_size < QUICK_CHECK_BELOW_BYTES):
                self.check(quick=True)
            migrate(self.conn, before_upgrade=self._backup_before_migration)
            self._recover_unfinished_imports()
        except sqlite3.DatabaseError as error:
            self.conn.close()
            if "locked" in str(error) or "busy" in str(error):
                raise LibraryError(f"{self.path}: library is busy ({error})") from error
            if "readonly" in str(error) or "read-only" in str(error):
                raise LibraryError(f"{self.path}: library is read-only ({error})") from error
            raise LibraryCorrupt(_corrupt_message(self.path, error)) from error
        except BaseException:
            self.conn.close()
            raise
        self._search = SearchEngine(self.conn)

    # ----------------------------------------------------------------- plumbing
    def _configure(self) -> None:
        conn = self.conn
        conn.execute("PRAGMA busy_timeout = 10000")
        # WAL lets the app read while `winnow import` writes. Where the file system
        # refuses it, SQLite keeps its rollback journal: safe, only less concurrent.
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction; corruption found here stops all writing."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise LibraryError(f"{self.path}: cannot write ({error})") from error
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise LibraryError(f"{self.path}: could not save ({error})") from error

    def check(self, *, quick: bool = True) -> None:
        """Raise LibraryCorrupt if SQLite finds the file damaged."""
        pragma = "quick_check" if quick else "integrity_check"
        try:
            rows = self.conn.execute(f"PRAGMA {pragma}").fetchall()
        except sqlite3.DatabaseError as error:
            raise LibraryCorrupt(_corrupt_message(self.path, error)) from error
        if rows != [("ok",)]:
            raise LibraryCorrupt(_corrupt_message(self.path, RuntimeError(rows[0][0])))

    def data_version(self) -> int:
        """Changes when another connection (another process) commits a write."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _backup_before_migration(self, version: int) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.backup(self.backup_dir() / f"{self.path.stem}-v{version}-{stamp}.db")

    def backup(self, dest: str | os.PathLike[str] | None = None) -> Path:
        """A consistent copy made with SQLite's backup API, safe while others write."""
        if dest is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            dest = self.backup_dir() / f"{self.path.stem}-{stamp}.db"
        target = Path(dest)
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.conn.in_transaction:
            raise LibraryError("cannot back up in the middle of a write")
        out = sqlite3.connect(target)
        try:
            self.conn.backup(out)
        finally:
            out.close()
        return target

    def backup_dir(self) -> Path:
        return self.path.parent / "backups"

    def daily_backup(self, keep: int = 7) -> Path | None:
        """Make today's automatic backup unless one is less than a day old, and keep
        only the newest `keep` automatic ones. Returns the new file, if any."""
        folder = self.backup_dir()
        existing = sorted(folder.glob(f"{self.path.stem}-daily-*.db")) if folder.exists() \
            else []
        made = None
        if not existing or time.time() - existing[-1].stat().st_mtime > 86400:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            made = self.backup(folder / f"{self.path.stem}-daily-{stamp}.db")
            existing.append(made)
        for old in existing[:-keep]:
            old.unlink(missing_ok=True)
        return made

    # ------------------------------------------------------------------ imports
    def import_files(self, paths: Iterable[str | os.PathLike[str]], *,
                     progress: ProgressCallback | None = None,
                     cancel: CancelCallback | None = None) -> ImportReport:
        """Import each listing file; a bad file is reported and the others still import."""
        report = ImportReport()
        for raw_path in paths:
            path = Path(raw_path)
            file_report = FileReport(path=str(path), name=path.name)
            try:
                sha = _sha256(path)
                if not self._already_imported(sha, file_report):
                    with open_listing(path) as stream:
                        self._import_stream(stream, path=str(path.resolve()), sha256=sha,
                                            report=file_report, progress=progress,
                                            cancel=cancel)
            except ListingError as error:
                file_report.error = str(error)
            except ImportCancelled:
                file_report.error = f"{path.name}: import cancelled; nothing was added"
                report.files.append(file_report)
                break
            except OSError as error:
                file_report.error = f"{path}: {error.strerror or error}"
            report.files.append(file_report)
        self._search.invalidate()
        return report

    def import_text(self, text: str, *, name: str = "clipboard") -> FileReport:
        """Import listing text that did not come from a file (a paste)."""
        file_report = FileReport(path=name, name=name)
        try:
            sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            if not self._already_imported(sha, file_report):
                with iter_listing(text.splitlines(), name=name) as stream:
                    self._import_stream(stream, path=name, sha256=sha, report=file_report,
                                        progress=None, cancel=None)
        except ListingError as error:
            file_report.error = str(error)
        self._search.invalidate()
        return file_report

    def import_samples(self) -> ImportReport:
        return self.import_files(sample_listings())

    def is_empty(self) -> bool:
        return self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM papers)").fetchone()[0] == 1

    def _already_imported(self, sha256: str, report: FileReport) -> bool:
        """The very same bytes were imported before: nothing in them can be news, and
        replaying an old file must not undo what later listings said."""
        same = self.conn.execute(
            "SELECT id, papers_found, imported_at FROM sources "
            "WHERE sha256 = ? AND status = 'complete' ORDER BY id LIMIT 1", (sha256,)).fetchone()
        if same is None:
            return False
        report.source_id, report.found, report.unchanged = same[0], same[1], same[1]
        report.warnings.append(f"{report.name}: already imported on {same[2][:10]}; "
                               f"nothing changed")
        return True

    def _import_stream(self, stream: ListingStream, *, path: str, sha256: str,
                       report: FileReport, progress: ProgressCallback | None,
                       cancel: CancelCallback | None) -> None:
        conn = self.conn
        name = report.name
        with self._write():
            source_id = conn.execute(
                "INSERT INTO sources (path, name, sha256, listing_date, imported_at, status) "
                "VALUES (?, ?, ?, ?, ?, 'importing')",
                (path, name, sha256, stream.listing_date, _now()),
            ).lastrowid
        report.source_id = source_id
        seen_keys: set[str] = set()
        batch: list[PaperRecord] = []
        committed_batches = 0
        try:
            conn.execute("BEGIN IMMEDIATE")
            for record in stream:
                batch.append(record)
                if len(batch) >= BATCH:
                    self._import_batch(batch, source_id, seen_keys, report)
                    batch.clear()
                    if cancel is not None and cancel():
                        raise ImportCancelled(name)
                    conn.execute("COMMIT")
                    committed_batches += 1
                    if progress is not None:
                        progress(name, report.found)
                    conn.execute("BEGIN IMMEDIATE")
            self._import_batch(batch, source_id, seen_keys, report)
            report.warnings.extend(stream.warnings)
            if report.found == 0:
                raise ListingError(f"{name}: no papers found")
            conn.execute(
                "UPDATE sources SET status = 'complete', papers_found = ?, papers_new = ?, "
                "papers_updated = ?, warnings = ? WHERE id = ?",
                (report.found, report.new, report.updated, json.dumps(report.warnings),
                 source_id),
            )
            conn.execute("DELETE FROM import_undo WHERE source_id = ?", (source_id,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._undo_import(source_id)
            raise
        if progress is not None:
            progress(name, report.found)

    def _import_batch(self, records: Sequence[PaperRecord], source_id: int,
                      seen_keys: set[str], report: FileReport) -> None:
        if not records:
            return
        conn = self.conn
        keyed: dict[str, PaperRecord] = {}
        for record in records:
            report.found += 1
            key = normalise_title(record.title)
            if not key or key in seen_keys:
                if key:
                    report.warnings.append(
                        f"{report.name}: \"{record.title[:60]}\" appears twice; kept the first")
                continue
            seen_keys.add(key)
            keyed[key] = record
        if not keyed:
            return
        existing: dict[str, tuple[Any, ...]] = {}
        keys = list(keyed)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT key, id, abstract, authors_count, organization, published, "
                f"published_raw, year_inferred, upvotes FROM papers WHERE key IN ({marks})",
                chunk,
            ):
                existing[row[0]] = row[1:]
        now = _now()
        next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM papers").fetchone()[0]
        new_rows = []
        links = []
        for key, record in keyed.items():
            if key in existing:
                paper_id = existing[key][0]
                if self._update_listing_facts(paper_id, existing[key], record, source_id):
                    report.updated += 1
                else:
                    report.unchanged += 1
            else:
                paper_id = next_id
                next_id += 1
                new_rows.append((
                    paper_id, key, record.title, record.abstract, record.authors_count,
                    record.organization, record.published, record.published_raw,
                    int(record.year_inferred), record.upvotes, now, source_id,
                ))
                report.new += 1
            links.append((paper_id, source_id, record.position))
        conn.executemany(
            "INSERT INTO papers (id, key, title, abstract, authors_count, organization, "
            "published, published_raw, year_inferred, upvotes, added_at, first_source_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            new_rows,
        )
        # The index is written here rather than by a trigger: one statement per
        # batch instead of one FTS flush per row.
        conn.executemany(
            "INSERT INTO papers_fts (rowid, title, abstract, note, annotation_text) "
            "VALUES (?, ?, ?, '', '')",
            ((row[0], row[2], row[3]) for row in new_rows),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO paper_sources (paper_id, source_id, position) "
            "VALUES (?, ?, ?)",
            links,
        )

    def _update_listing_facts(self, paper_id: int, old: tuple[Any, ...],
                              record: PaperRecord, source_id: int) -> bool:
        """Merge what a listing says about a known paper; user data is never touched."""
        (_, abstract, authors_count, organization, published, _published_raw,
         year_inferred, upvotes) = old
        changes: dict[str, Any] = {}
        if record.abstract and record.abstract != abstract:
            changes["abstract"] = record.abstract
        if record.authors_count is not None and record.authors_count != authors_count:
            changes["authors_count"] = record.authors_count
        if record.organization and record.organization != organization:
            changes["organization"] = record.organization
        # A date with its year written beats one whose year was guessed.
        better_date = record.published and (
            published is None or (year_inferred and not record.year_inferred))
        if better_date and record.published != published:
            changes["published"] = record.published
            changes["published_raw"] = record.published_raw
            changes["year_inferred"] = int(record.year_inferred)
        # Upvotes only grow; an older listing imported later must not lower them.
        if record.upvotes is not None and (upvotes is None or record.upvotes > upvotes):
            changes["upvotes"] = record.upvotes
        if not changes:
            return False
        # Journalled so that an import killed between batch commits can be undone.
        facts = dict(zip(("abstract", "authors_count", "organization", "published",
                          "published_raw", "year_inferred", "upvotes"), old[1:], strict=True))
        self.conn.execute(
            "INSERT OR IGNORE INTO import_undo (source_id, paper_id, facts) VALUES (?, ?, ?)",
            (source_id, paper_id, json.dumps(facts)),
        )
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self.conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?",
                          (*changes.values(), paper_id))
        if "abstract" in changes:
            self._reanchor_annotations(paper_id, changes["abstract"])
        return True

    def _undo_import(self, source_id: int) -> None:
        """Take back every committed batch of an import that did not finish."""
        with self._write() as conn:
            for paper_id, facts_json in conn.execute(
                    "SELECT paper_id, facts FROM import_undo WHERE source_id = ?",
                    (source_id,)).fetchall():
                facts = json.loads(facts_json)
                assignments = ", ".join(f"{column} = ?" for column in facts)
                conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?",
                             (*facts.values(), paper_id))
                if "abstract" in facts:
                    self._reanchor_annotations(paper_id, facts["abstract"])
            conn.execute("DELETE FROM paper_sources WHERE source_id = ?", (source_id,))
            # Papers this import brought in go too, with anything done to them since.
            doomed = "SELECT id FROM papers WHERE first_source_id = ?"
            for table in ("paper_tags", "annotations", "paper_sources"):
                conn.execute(f"DELETE FROM {table} WHERE paper_id IN ({doomed})",
                             (source_id,))
            conn.execute("DELETE FROM papers WHERE first_source_id = ?", (source_id,))
            conn.execute("DELETE FROM import_undo WHERE source_id = ?", (source_id,))
            conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))

    def _recover_unfinished_imports(self) -> None:
        unfinished = [row[0] for row in self.conn.execute(
            "SELECT id FROM sources WHERE status = 'importing'")]
        for source_id in unfinished:
            self._undo_import(source_id)

    def sources(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Imports, newest first, with their counts."""
        sql = ("SELECT id, path, name, listing_date, imported_at, papers_found, papers_new, "
               "papers_updated FROM sources WHERE status = 'complete' ORDER BY id DESC")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        names = ("id", "path", "name", "listing_date", "imported_at", "found", "new",
                 "updated")
        return [dict(zip(names, row, strict=True)) for row in self.conn.execute(sql)]

    # -------------------------------------------------------------------- reads
    def get(self, paper_id: int) -> Paper | None:
        papers = self.get_many([paper_id])
        return papers[0] if papers else None

    def get_many(self, ids: Sequence[int]) -> list[Paper]:
        """Full papers (abstracts, tags, annotations, sources) in the order of `ids`."""
        if not ids:
            return []
        conn = self.conn
        found: dict[int, Paper] = {}
        for start in range(0, len(ids), 500):
            chunk = [int(i) for i in ids[start:start + 500]]
            marks = ",".join("?" * len(chunk))
            tags: dict[int, list[str]] = {}
            for paper_id, name in conn.execute(
                    f"SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t "
                    f"ON t.id = pt.tag_id WHERE pt.paper_id IN ({marks}) "
                    f"ORDER BY t.name COLLATE NOCASE", chunk):
                tags.setdefault(paper_id, []).append(name)
            annotations: dict[int, list[Annotation]] = {}
            for row in conn.execute(
                    f"SELECT {_ANNOTATION_COLUMNS} FROM annotations "
                    f"WHERE paper_id IN ({marks}) ORDER BY start, id", chunk):
                annotations.setdefault(row[1], []).append(_annotation(row))
            sources: dict[int, list[SourceRef]] = {}
            for paper_id, *fields in conn.execute(
                    f"SELECT ps.paper_id, s.path, s.name, s.listing_date, ps.position, "
                    f"s.imported_at FROM paper_sources ps JOIN sources s "
                    f"ON s.id = ps.source_id WHERE ps.paper_id IN ({marks}) "
                    f"ORDER BY s.listing_date, s.id", chunk):
                sources.setdefault(paper_id, []).append(SourceRef(*fields))
            for row in conn.execute(
                    f"SELECT id, title, abstract, authors_count, organization, published, "
                    f"published_raw, year_inferred, upvotes, added_at, read_at, starred, "
                    f"note FROM papers WHERE id IN ({marks})", chunk):
                paper_id = row[0]
                found[paper_id] = Paper(
                    id=paper_id, title=row[1], abstract=row[2], authors_count=row[3],
                    organization=row[4], published=row[5], published_raw=row[6],
                    year_inferred=bool(row[7]), upvotes=row[8], added_at=row[9],
                    read_at=row[10], starred=bool(row[11]), note=row[12],
                    tags=tuple(tags.get(paper_id, ())),
                    annotations=tuple(annotations.get(paper_id, ())),
                    sources=tuple(sources.get(paper_id, ())),
                )
        return [found[i] for i in ids if i in found]

    def rows(self, ids: Sequence[int]) -> dict[int, PaperRow]:
        """List rows for `ids` without their abstracts: what the paper table shows."""
        conn = self.conn
        result: dict[int, PaperRow] = {}
        for start in range(0, len(ids), 500):
            chunk = [int(i) for i in ids[start:start + 500]]
            marks = ",".join("?" * len(chunk))
            tags: dict[int, list[str]] = {}
            for paper_id, name in conn.execute(
                    f"SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t "
                    f"ON t.id = pt.tag_id WHERE pt.paper_id IN ({marks}) "
                    f"ORDER BY t.name COLLATE NOCASE", chunk):
                tags.setdefault(paper_id, []).append(name)
            for row in conn.execute(
                    f"SELECT id, title, read_at IS NOT NULL, starred, published, upvotes, "
                    f"organization, authors_count, annotation_text != '' OR EXISTS "
                    f"(SELECT 1 FROM annotations a WHERE a.paper_id = papers.id), "
                    f"note != '' FROM papers WHERE id IN ({marks})", chunk):
                organization, authors = row[6], row[7]
                byline = organization or (
                    f"{authors} author{'s' if authors != 1 else ''}" if authors else "")
                result[row[0]] = PaperRow(
                    id=row[0], title=row[1], read=bool(row[2]), starred=bool(row[3]),
                    tags=tuple(tags.get(row[0], ())), published=row[4], upvotes=row[5],
                    byline=byline, annotated=bool(row[8]), has_note=bool(row[9]),
                )
        return result

    def search(self, query: str = "", *, limit: int | None = 50, offset: int = 0,
               sort: str | None = None) -> SearchResult:
        """Papers matching `query` (the query language in the README), best first.

        `limit=None` returns every matching id (what the paper list holds).
        """
        return self._search.search(query, limit=limit, offset=offset, sort=sort)

    def count(self, query: str = "") -> int:
        return self._search.count(query)

    def fuzzy_titles(self, text: str, limit: int = 20) -> list[tuple[int, str, float]]:
        """(id, title, score) of the titles nearest to `text`, for go-to-paper."""
        return self._search.fuzzy_titles(text, limit)

    def explain(self, query: str) -> str:
        return self._search.explain(query)

    def stats(self) -> dict[str, int]:
        row = self.conn.execute(
            "SELECT count(*), count(*) - count(read_at), count(read_at), "
            "coalesce(sum(starred), 0), coalesce(sum(note != ''), 0) FROM papers").fetchone()
        annotated = self.conn.execute(
            "SELECT count(DISTINCT paper_id) FROM annotations").fetchone()[0]
        return {"total": row[0], "unread": row[1], "read": row[2], "starred": row[3],
                "with_note": row[4], "annotated": annotated}

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of papers carrying it, by name."""
        return [tuple(row) for row in self.conn.execute(
            "SELECT t.name, count(pt.paper_id) FROM tags t LEFT JOIN paper_tags pt "
            "ON pt.tag_id = t.id GROUP BY t.id ORDER BY t.name COLLATE NOCASE")]

    # ------------------------------------------------------------ user actions
    def _new_batch(self) -> int:
        # A new action makes everything undone so far unreachable by redo.
        self.conn.execute("UPDATE events SET undone = 2 WHERE undone = 1")
        return self.conn.execute(
            "SELECT coalesce(max(batch), 0) + 1 FROM events").fetchone()[0]

    def _log(self, batch: int, paper_id: int | None, action: str, before: Any,
             after: Any) -> None:
        self.conn.execute(
            "INSERT INTO events (batch, paper_id, action, before, after, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (batch, paper_id, action, json.dumps(before), json.dumps(after), _now()),
        )

    def _existing_ids(self, ids: Iterable[int]) -> list[int]:
        wanted = list(dict.fromkeys(int(i) for i in ids))
        present: set[int] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            present.update(r[0] for r in self.conn.execute(
                f"SELECT id FROM papers WHERE id IN ({marks})", chunk))
        missing = [i for i in wanted if i not in present]
        if missing:
            raise LibraryError(f"no paper with id {missing[0]}")
        return wanted

    def set_read(self, ids: Iterable[int], read: bool = True) -> int:
        """Mark papers read (or unread); returns how many changed."""
        return self._set_flag(ids, "read_at", _now() if read else None, "read")

    def set_starred(self, ids: Iterable[int], starred: bool = True) -> int:
        return self._set_flag(ids, "starred", int(starred), "star")

    def _set_flag(self, ids: Iterable[int], column: str, value: Any, action: str) -> int:
        wanted = self._existing_ids(ids)
        changed = 0
        with self._write() as conn:
            batch = self._new_batch()
            for paper_id in wanted:
                before = conn.execute(f"SELECT {column} FROM papers WHERE id = ?",
                                      (paper_id,)).fetchone()[0]
                unchanged = (before is None) == (value is None) if column == "read_at" \
                    else before == value
                if unchanged:
                    continue
                conn.execute(f"UPDATE papers SET {column} = ? WHERE id = ?",
                             (value, paper_id))
                self._log(batch, paper_id, action, before, value)
                changed += 1
        return changed

    def _tag_id(self, name: str, *, create: bool) -> int | None:
        row = self.conn.execute("SELECT id FROM tags WHERE name = ? COLLATE NOCASE",
                                (name,)).fetchone()
        if row:
            return row[0]
        if not create:
            return None
        return self.conn.execute("INSERT INTO tags (name, created_at) VALUES (?, ?)",
                                 (name, _now())).lastrowid

    @staticmethod
    def _clean_tags(tags: Iterable[str]) -> list[str]:
        cleaned = []
        for tag in tags:
            name = " ".join(str(tag).split())
            if not name:
                raise LibraryError("a tag cannot be empty")
            if len(name) > 64:
                raise LibraryError(f"tag too long (64 characters at most): {name[:20]}…")
            cleaned.append(name)
        return list(dict.fromkeys(cleaned))

    def add_tags(self, ids: Iterable[int], tags: Iterable[str]) -> int:
        """Tag papers, creating new tags; returns how many (paper, tag) pairs were added."""
        wanted = self._existing_ids(ids)
        names = self._clean_tags(tags)
        added = 0
        with self._write() as conn:
            batch = self._new_batch()
            for name in names:
                tag_id = self._tag_id(name, create=True)
                tag_name = conn.execute("SELECT name FROM tags WHERE id = ?",
                                        (tag_id,)).fetchone()[0]
                for paper_id in wanted:
                    if conn.execute(
                            "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id, added_at) "
                            "VALUES (?, ?, ?)", (paper_id, tag_id, _now())).rowcount:
                        self._log(batch, paper_id, "tag_add", None, tag_name)
                        added += 1
        return added

    def remove_tags(self, ids: Iterable[int], tags: Iterable[str]) -> int:
        wanted = self._existing_ids(ids)
        removed = 0
        with self._write() as conn:
            batch = self._new_batch()
            for name in self._clean_tags(tags):
                tag_id = self._tag_id(name, create=False)
                if tag_id is None:
                    continue
                tag_name = conn.execute("SELECT name FROM tags WHERE id = ?",
                                        (tag_id,)).fetchone()[0]
                for paper_id in wanted:
                    if conn.execute("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                                    (paper_id, tag_id)).rowcount:
                        self._log(batch, paper_id, "tag_remove", tag_name, None)
                        removed += 1
        return removed

    def set_note(self, paper_id: int, text: str) -> bool:
        """Replace a paper's note; returns False when it was already that text.

        Keystroke-level saves of one note within a couple of minutes make one
        undo step, not hundreds.
        """
        [paper_id] = self._existing_ids([paper_id])
        with self._write() as conn:
            before = conn.execute("SELECT note FROM papers WHERE id = ?",
                                  (paper_id,)).fetchone()[0]
            if before == text:
                return False
            conn.execute("UPDATE papers SET note = ?, note_updated_at = ? WHERE id = ?",
                         (text, _now(), paper_id))
            last = conn.execute(
                "SELECT id, paper_id, action, at, undone FROM events "
                "ORDER BY id DESC LIMIT 1").fetchone()
            recent = last is not None and last[1] == paper_id and last[2] == "note" and \
                last[4] == 0 and (datetime.now(timezone.utc) - datetime.fromisoformat(
                    last[3])).total_seconds() < NOTE_COALESCE_SECONDS
            if recent:
                conn.execute("UPDATE events SET after = ?, at = ? WHERE id = ?",
                             (json.dumps(text), _now(), last[0]))
            else:
                self._log(self._new_batch(), paper_id, "note", before, text)
        return True

    # -------------------------------------------------------------- annotations
    def annotate(self, paper_id: int, start: int, end: int, comment: str | None = None,
                 colour: str | None = None) -> Annotation:
        """Highlight abstract[start:end] (end exclusive) with an optional comment."""
        paper = self.get(paper_id)
        if paper is None:
            raise LibraryError(f"no paper with id {paper_id}")
        if not (0 <= start < end <= len(paper.abstract)):
            raise LibraryError(
                f"annotation range {start}-{end} is outside the abstract "
                f"(0-{len(paper.abstract)})")
        colour = self._check_colour(colour or COLOURS[0])
        quote = paper.abstract[start:end]
        now = _now()
        with self._write() as conn:
            annotation_id = conn.execute(
                "INSERT INTO annotations (paper_id, start, \"end\", quote, comment, colour, "
                "orphaned, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
                (paper_id, start, end, quote, comment or "", colour, now, now),
            ).lastrowid
            row = conn.execute(f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id = ?",
                               (annotation_id,)).fetchone()
            self._log(self._new_batch(), paper_id, "annotation_add", None,
                      _annotation_state(row))
        return _annotation(row)

    def annotate_quote(self, paper_id: int, quote: str, comment: str | None = None,
                       colour: str | None = None, occurrence: int = 1) -> Annotation:
        """Highlight the `occurrence`-th place where `quote` stands in the abstract."""
        paper = self.get(paper_id)
        if paper is None:
            raise LibraryError(f"no paper with id {paper_id}")
        if not quote.strip():
            raise LibraryError("the quote is empty")
        start = -1
        for _ in range(max(1, occurrence)):
            start = paper.abstract.find(quote, start + 1)
            if start < 0:
                raise LibraryError(
                    f"paper {paper_id}: the quote is not in the abstract: \"{quote[:60]}\"")
        return self.annotate(paper_id, start, start + len(quote), comment, colour)

    @staticmethod
    def _check_colour(colour: str) -> str:
        name = colour.strip().lower()
        if name == "grey":
            name = "yellow"
        if name not in COLOURS:
            raise LibraryError(f"unknown colour {colour!r} (choose from {', '.join(COLOURS)})")
        return name

    def annotation(self, annotation_id: int) -> Annotation | None:
        row = self.conn.execute(f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id = ?",
                                (annotation_id,)).fetchone()
        return _annotation(row) if row else None

    def annotations(self, paper_id: int | None = None) -> list[Annotation]:
        if paper_id is None:
            rows = self.conn.execute(
                f"SELECT {_ANNOTATION_COLUMNS} FROM annotations ORDER BY paper_id, start, id")
        else:
            rows = self.conn.execute(
                f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE paper_id = ? "
                f"ORDER BY start, id", (paper_id,))
        return [_annotation(row) for row in rows]

    def update_annotation(self, annotation_id: int, *, comment: str | None = None,
                          colour: str | None = None) -> Annotation:
        current = self.annotation(annotation_id)
        if current is None:
            raise LibraryError(f"no annotation with id {annotation_id}")
        new_comment = current.comment if comment is None else comment
        new_colour = current.colour if colour is None else self._check_colour(colour)
        with self._write() as conn:
            before = _annotation_state(conn.execute(
                f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id = ?",
                (annotation_id,)).fetchone())
            conn.execute("UPDATE annotations SET comment = ?, colour = ?, updated_at = ? "
                         "WHERE id = ?", (new_comment, new_colour, _now(), annotation_id))
            row = conn.execute(f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id = ?",
                               (annotation_id,)).fetchone()
            self._log(self._new_batch(), current.paper_id, "annotation_edit", before,
                      _annotation_state(row))
        return _annotation(row)

    def delete_annotation(self, annotation_id: int) -> None:
        current = self.annotation(annotation_id)
        if current is None:
            raise LibraryError(f"no annotation with id {annotation_id}")
        with self._write() as conn:
            row = conn.execute(f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE id = ?",
                               (annotation_id,)).fetchone()
            conn.execute("DELETE FROM annotations WHERE id = ?", (annotation_id,))
            self._log(self._new_batch(), current.paper_id, "annotation_delete",
                      _annotation_state(row), None)

    def _reanchor_annotations(self, paper_id: int, abstract: str) -> None:
        """Find each annotation's quote in a changed abstract: exactly, then fuzzily."""
        conn = self.conn
        for annotation_id, start, quote in conn.execute(
                "SELECT id, start, quote FROM annotations WHERE paper_id = ?",
                (paper_id,)).fetchall():
            place = _find_quote(abstract, quote, start)
            if place is None:
                conn.execute("UPDATE annotations SET orphaned = 1 WHERE id = ?",
                             (annotation_id,))
            else:
                conn.execute("UPDATE annotations SET start = ?, \"end\" = ?, orphaned = 0 "
                             "WHERE id = ?", (*place, annotation_id))

    # ---------------------------------------------------------------- undo/redo
    def undo(self) -> Change | None:
        """Take back the latest user action still in effect; None if there is none."""
        row = self.conn.execute(
            "SELECT max(batch) FROM events WHERE undone = 0").fetchone()
        if row[0] is None:
            return None
        return self._replay(row[0], undo=True)

    def redo(self) -> Change | None:
        row = self.conn.execute(
            "SELECT min(batch) FROM events WHERE undone = 1").fetchone()
        if row[0] is None:
            return None
        return self._replay(row[0], undo=False)

    def can_undo(self) -> bool:
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM events WHERE undone = 0)").fetchone()[0] == 1

    def can_redo(self) -> bool:
        return self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM events WHERE undone = 1)").fetchone()[0] == 1

    def _replay(self, batch: int, *, undo: bool) -> Change:
        with self._write() as conn:
            events = conn.execute(
                "SELECT paper_id, action, before, after FROM events WHERE batch = ? "
                f"ORDER BY id {'DESC' if undo else 'ASC'}", (batch,)).fetchall()
            paper_ids: list[int] = []
            for paper_id, action, before_json, after_json in events:
                before, after = json.loads(before_json), json.loads(after_json)
                if undo:
                    self._apply(paper_id, action, before, after)
                else:
                    self._apply(paper_id, action, after, before)
                paper_ids.append(paper_id)
            conn.execute("UPDATE events SET undone = ? WHERE batch = ?",
                         (1 if undo else 0, batch))
        action = events[0][1] if events else "change"
        count = len(set(paper_ids))
        label = _ACTION_LABELS.get(action, action)
        what = f"{label} on {count} paper{'s' if count != 1 else ''}"
        return Change(f"{'Undid' if undo else 'Redid'} {what}",
                      tuple(dict.fromkeys(paper_ids)))

    def _apply(self, paper_id: int, action: str, target: Any, other: Any) -> None:
        """Put one logged change into the state `target` (its before on undo, its after
        on redo); `other` is the state on the far side of the change."""
        conn = self.conn
        if action == "read":
            conn.execute("UPDATE papers SET read_at = ? WHERE id = ?", (target, paper_id))
        elif action == "star":
            conn.execute("UPDATE papers SET starred = ? WHERE id = ?", (target, paper_id))
        elif action == "note":
            conn.execute("UPDATE papers SET note = ?, note_updated_at = ? WHERE id = ?",
                         (target, _now(), paper_id))
        elif action in ("tag_add", "tag_remove"):
            # A tag event holds the tag's name on its tagged side and None on the other.
            name = target if target is not None else other
            tag_id = self._tag_id(name, create=target is not None)
            if target is not None:
                conn.execute("INSERT OR IGNORE INTO paper_tags (paper_id, tag_id, added_at) "
                             "VALUES (?, ?, ?)", (paper_id, tag_id, _now()))
            elif tag_id is not None:
                conn.execute("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                             (paper_id, tag_id))
        elif action.startswith("annotation_"):
            if target is None:
                conn.execute("DELETE FROM annotations WHERE id = ?", (other["id"],))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO annotations (id, paper_id, start, \"end\", quote, "
                    "comment, colour, orphaned, created_at, updated_at) "
                    "VALUES (:id, :paper_id, :start, :end, :quote, :comment, :colour, "
                    ":orphaned, :created_at, :updated_at)", target)

    # ----------------------------------------------------------- saved searches
    def save_search(self, name: str, query: str) -> None:
        name = " ".join(name.split())
        if not name:
            raise LibraryError("a saved search needs a name")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO saved_searches (name, query, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET query = excluded.query",
                (name, query, _now()))

    def saved_searches(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.conn.execute(
            "SELECT name, query FROM saved_searches ORDER BY name COLLATE NOCASE")]

    def delete_saved_search(self, name: str) -> None:
        with self._write() as conn:
            if not conn.execute("DELETE FROM saved_searches WHERE name = ?", (name,)).rowcount:
                raise LibraryError(f"no saved search named {name!r}")

    # ------------------------------------------------------------------- export
    def export(self, query: str = "", format: str = "json",
               out: str | os.PathLike[str] | None = None) -> str:
        """Papers matching `query` as json, csv, bibtex or markdown; written to `out`
        if given, else returned."""
        from storage.export import FORMATS

        if format not in FORMATS:
            raise LibraryError(f"unknown export format {format!r} "
                               f"(choose from {', '.join(FORMATS)})")
        ids = self.search(query, limit=None).ids
        papers = (paper for start in range(0, len(ids), 500)
                  for paper in self.get_many(ids[start:start + 500]))
        text = FORMATS[format](papers)
        if out is not None:
            Path(out).write_text(text, encoding="utf-8")
        return text

    def triage_stats(self, days: int = 14) -> list[tuple[str, int]]:
        """Papers marked read per day (local dates), most recent `days` days."""
        since = time.time() - days * 86400
        cutoff = datetime.fromtimestamp(since, timezone.utc).isoformat(timespec="seconds")
        return [tuple(r) for r in self.conn.execute(
            "SELECT substr(at, 1, 10), count(DISTINCT paper_id) FROM events "
            "WHERE action = 'read' AND undone = 0 AND after != 'null' AND at >= ? "
            "GROUP BY 1 ORDER BY 1", (cutoff,))]


_ANNOTATION_COLUMNS = ('id, paper_id, start, "end", quote, comment, colour, orphaned, '
                       'created_at, updated_at')
_ACTION_LABELS = {"read": "read mark", "star": "star", "tag_add": "tag", "tag_remove": "untag",
                  "note": "note", "annotation_add": "highlight",
                  "annotation_edit": "annotation edit", "annotation_delete": "annotation delete"}


def _annotation(row: Sequence[Any]) -> Annotation:
    return Annotation(id=row[0], paper_id=row[1], start=row[2], end=row[3], quote=row[4],
                      comment=row[5], colour=row[6], orphaned=bool(row[7]),
                      created_at=row[8], updated_at=row[9])


def _annotation_state(row: Sequence[Any]) -> dict[str, Any]:
    names = ("id", "paper_id", "start", "end", "quote", "comment", "colour", "orphaned",
             "created_at", "updated_at")
    return dict(zip(names, row, strict=True))


def _find_quote(text: str, quote: str, near: int) -> tuple[int, int] | None:
    """Where `quote` now stands in `text`: the exact place nearest the old one, else the
    best fuzzy match of the same length (at least 85% alike)."""
    if not quote:
        return None
    places = []
    index = text.find(quote)
    while index >= 0:
        places.append(index)
        index = text.find(quote, index + 1)
    if places:
        best = min(places, key=lambda p: abs(p - near))
        return best, best + len(quote)
    alignment = fuzz.partial_ratio_alignment(quote, text, score_cutoff=85)
    if alignment is None:
        return None
    start, end = alignment.dest_start, alignment.dest_end
    if Indel.normalized_similarity(quote, text[start:end]) < 0.85:
        return None
    return start, end

