"""Importing listings: crash-safe, in batches, never touching the user's marks.

A listing-sized file imports in one transaction; a huge one commits every BATCH
papers (every BULK_COMMIT into a library with no papers yet). Until the last batch
commits, the `sources` row says 'importing' and the importing process holds an
`ImportLock`; a Library that opens the file and finds such a row with its lock free
undoes it (`recover_unfinished_imports`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date
from functools import partial
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

from storage import abbrev
from storage.identity import AS_OF_KEY, NEW_ROW_COLUMNS, BatchImporter, OwnPapers
from storage.library import deferred, interrupted
from storage.library.annotations import reanchor_annotations
from storage.library.core import Core, guarded, now, plural, safe_text
from storage.library.errors import ImportCancelled, LibraryCorrupt, LibraryError
from storage.library.importlock import ImportLock
from storage.listing import (
    ListingError,
    ListingStream,
    PaperRecord,
    iter_listing,
    open_listing,
    open_listing_bytes,
)
from storage.models import COUNTS, PAPERS, Change, FileReport, ImportReport, PipedListing

# A listing-sized file imports in one transaction; a huge one commits every
# BATCH papers so the GUI's own writes never wait more than a fraction of a second.
# The environment variable WINNOW_IMPORT_BATCH overrides it: the crash tests use
# it to get many batch commits out of a small file in a `winnow import` process.
BATCH = 5000
# Into a library with no papers yet, a bulk import commits every BULK_COMMIT papers
# (still read and written BATCH at a time, progress and cancel between): the user has
# nothing to mark until the first commit, and each commit costs SQLite's full-text
# index a flush and merge work (at 100k papers 20 commits 1.45 s of CPU, 4 commits 0.85 s).
# A writer waits at most one such transaction, about 2 s, under busy_timeout's 10 s.
BULK_COMMIT = 20_000

# The page cache an import works with, in KiB (SQLite's default is 2,000).
IMPORT_CACHE_KB = 16_384

# What an import keeps and indexes of one field, in characters: a listing's longest
# real abstract is ~3,000. A 50 MB abstract made the app take 2.3 GB and 98 s to
# paint it and every search 6 s; such a field is cut here, with a warning.
FIELD_CAPS = {"title": 1_000, "abstract": 100_000, "organization": 500}
_TITLE_CAP, _ABSTRACT_CAP, _ORGANIZATION_CAP = (
    FIELD_CAPS["title"], FIELD_CAPS["abstract"], FIELD_CAPS["organization"])
if len(FIELD_CAPS) != 3:
    raise RuntimeError("_capped's quick test names every field of FIELD_CAPS")

ProgressCallback = Callable[[str, int], None]
CancelCallback = Callable[[], bool]


def sample_listings() -> list[Path]:
    """The listings shipped with Winnow, imported into an empty first library."""
    root = resources.files("winnow_seeds")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))



def _batch_size() -> int:
    value = os.environ.get("WINNOW_IMPORT_BATCH", "")
    return int(value) if value.isdigit() and int(value) > 0 else BATCH


def _not_a_listing_file(path: Path) -> str | None:
    """Why `path` cannot be read as a listing, checked before it is opened: opening
    a FIFO would wait for a writer forever, and a pipe can be read only once."""
    info = path.stat()  # OSError (no such file...) is reported by the caller
    if stat.S_ISDIR(info.st_mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe or a device); save the listing to a file first"
    return None


class _RecordStream:
    """Records already in memory, shaped as the import loop reads a listing stream."""

    def __init__(self, records: list[PaperRecord], *, listing_date: str | None,
                 form: str | None) -> None:
        self._records = records
        self.listing_date = listing_date
        self.form = form
        self.warnings: list[str] = []

    def __iter__(self) -> Iterator[PaperRecord]:
        return iter(self._records)


PositionCallback = Callable[[int, int], None]
"""(bytes of the file read so far, its size), after each committed batch."""


def _with_position(progress: ProgressCallback | None, position: PositionCallback | None,
                   stream: object) -> ProgressCallback | None:
    """`progress` that also reports how far into its file the import has read."""
    tell = getattr(stream, "position", None)
    size = getattr(stream, "size", None)
    if position is None or not size:
        return progress

    def step(name: str, found: int) -> None:
        if progress is not None:
            progress(name, found)
        try:
            done = tell() if tell is not None else size
        except (OSError, ValueError):  # read to the end: the stream closed its file
            done = size
        position(done, size)

    return step


class Importer:
    """Imports into one library; `on_imported` runs after papers came in (the search
    caches forget the old text)."""

    def __init__(self, core: Core, on_imported: Callable[[], None]) -> None:
        self._core = core
        self.conn = core.conn
        self.path = core.path
        self._on_imported = on_imported

    @guarded
    def import_files(self, paths: Iterable[str | os.PathLike[str] | PipedListing], *,
                     progress: ProgressCallback | None = None,
                     cancel: CancelCallback | None = None,
                     position: PositionCallback | None = None) -> ImportReport:
        """Import each listing file; a bad file is reported and the others still import.

        A failure of the library itself (disk full, read-only, busy) is reported on
        the file it stopped and ends the run: the next files would fail the same way.
        Damage raises LibraryCorrupt.
        """
        report = ImportReport()
        for raw_path in paths:
            if isinstance(raw_path, PipedListing):
                # A pipe's bytes: no path, no folder; named as given ("stdin").
                shown = safe_text(raw_path.name)
                file_report = FileReport(path=shown, name=shown)
                stored, problem = shown, None
                opened = partial(open_listing_bytes, raw_path.handle, name=raw_path.name)
            else:
                path = Path(raw_path)
                shown = safe_text(str(path))
                file_report = FileReport(path=shown, name=safe_text(path.name))
                stored = ""  # its resolved path, once it is known to be a file
                opened = partial(open_listing, path)
            try:
                if not isinstance(raw_path, PipedListing):
                    problem = _not_a_listing_file(path)
                    stored = safe_text(str(path.resolve()))
                if problem:
                    file_report.error = f"{shown}: {problem}"
                else:
                    with opened() as stream:
                        sha = stream.sha256 or ""
                        file_report.form = getattr(stream, "form", None)
                        if not self._already_imported(sha, file_report):
                            self._import_stream(stream, path=stored,
                                                sha256=sha, report=file_report,
                                                progress=_with_position(progress, position,
                                                                        stream),
                                                cancel=cancel)
            except ListingError as error:
                file_report.error = str(error)
            except ImportCancelled:
                file_report.error = f"{file_report.name}: import cancelled; nothing was added"
                report.files.append(file_report)
                break
            except LibraryCorrupt:
                raise
            except LibraryError as error:
                file_report.error = f"{file_report.name}: not imported: {error}"
                report.files.append(file_report)
                break
            except OSError as error:
                file_report.error = f"{shown}: {error.strerror or error}"
            report.files.append(file_report)
        self._imported(report.new, report.updated)
        return report

    @guarded
    def import_text(self, text: str, *, name: str = "clipboard") -> FileReport:
        """Import listing text that did not come from a file (a paste)."""
        name, text = safe_text(name), safe_text(text)
        file_report = FileReport(path=name, name=name)
        try:
            sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            if not self._already_imported(sha, file_report):
                with iter_listing(text.splitlines(), name=name) as stream:
                    self._import_stream(stream, path=name, sha256=sha, report=file_report,
                                        progress=None, cancel=None)
        except ListingError as error:
            file_report.error = str(error)
        except LibraryCorrupt:
            raise
        except LibraryError as error:
            file_report.error = f"{name}: not imported: {error}"
        self._imported(file_report.new, file_report.updated)
        return file_report

    @guarded
    def import_records(self, records: Iterable[PaperRecord], *, name: str,
                       listing_date: str | None = None, form: str | None = None,
                       sha256: str | None = None) -> FileReport:
        """Import records that some other reader made (a script, a test): the same
        identity, merge and undo as a file's."""
        name = safe_text(name)
        records = list(records)
        file_report = FileReport(path=name, name=name)
        if sha256 is None:
            sha256 = hashlib.sha256(json.dumps(
                [dataclasses.astuple(r) for r in records], default=str).encode()).hexdigest()
        stream = _RecordStream(records, listing_date=listing_date, form=form)
        try:
            if not self._already_imported(sha256, file_report):
                self._import_stream(stream, path=name, sha256=sha256,  # type: ignore[arg-type]
                                    report=file_report, progress=None, cancel=None)
        except ListingError as error:
            file_report.error = str(error)
        except LibraryCorrupt:
            raise
        except LibraryError as error:
            file_report.error = f"{name}: not imported: {error}"
        self._imported(file_report.new, file_report.updated)
        return file_report

    @guarded
    def abstract_history(self, paper_id: int) -> list[dict[str, Any]]:
        """The abstracts an import replaced for this paper, oldest first."""
        return [{"abstract": row[0], "replaced_at": row[1], "source_id": row[2]}
                for row in self.conn.execute(
                    "SELECT abstract, replaced_at, source_id FROM abstract_history "
                    "WHERE paper_id = ? ORDER BY id", (int(paper_id),))]

    @guarded
    def summary_history(self, paper_id: int) -> list[dict[str, Any]]:
        """The AI summaries an import replaced for this paper, oldest first."""
        return [{"ai_summary": row[0], "replaced_at": row[1], "source_id": row[2]}
                for row in self.conn.execute(
                    "SELECT ai_summary, replaced_at, source_id FROM summary_history "
                    "WHERE paper_id = ? ORDER BY id", (int(paper_id),))]

    def _imported(self, new: int, updated: int) -> None:
        self._on_imported()
        if new or updated:
            self._core.announce(Change(
                f"Imported {plural(new, 'new paper')}, updated {updated}",
                aspects=frozenset({PAPERS, COUNTS}), count=new + updated, origin="import",
                everything=True))

    def import_samples(self) -> ImportReport:
        return self.import_files(sample_listings())

    def _already_imported(self, sha256: str, report: FileReport) -> bool:
        """The very same bytes were imported before: nothing in them can be news, and
        replaying an old file must not undo what later listings said."""
        same = self.conn.execute(
            "SELECT id, papers_found, imported_at, form FROM sources "
            "WHERE sha256 = ? AND status = 'complete' ORDER BY id LIMIT 1", (sha256,)).fetchone()
        if same is None:
            return False
        report.source_id, report.found, report.unchanged = same[0], same[1], same[1]
        # The same bytes are the same form: the one detected now, else the one
        # recorded then (a paste or records, which are not detected again).
        report.form = report.form or same[3]
        report.warnings.append(f"{report.name}: already imported on {same[2][:10]}; "
                               f"nothing changed{self._changed_since(same[0])}")
        return True

    def _changed_since(self, source_id: int) -> str:
        """What later imports changed in the papers of import `source_id`, and how to
        take it back (attack N16: the clean copy imported again after a junk one
        said only "nothing changed", while the junk's changes stayed)."""
        later = self.conn.execute(
            "SELECT s.id, s.name, count(*) FROM import_changes c "
            "JOIN sources s ON s.id = c.source_id "
            "WHERE c.source_id > ? AND s.status IN ('complete', 'interrupted') "
            "AND c.paper_id IN (SELECT paper_id FROM paper_sources WHERE source_id = ?) "
            "GROUP BY s.id ORDER BY s.id DESC", (source_id, source_id)).fetchall()
        if not later:
            return ""
        shown = later[:3]
        named = "; ".join(f"import {row[0]} ({safe_text(row[1])}) changed {row[2]:,} of its "
                          f"papers" for row in shown)
        more = f"; and {len(later) - 3} more imports" if len(later) > 3 else ""
        undo = ", then ".join(f"`winnow undo-import {row[0]}`" for row in shown)
        # Conditional: the later import is as often the richer copy the user wanted (the
        # saved page after the text copy) as a damaged one (attack N38).
        return (f" by this copy, but since then {named}{more}; if that was a mistake, {undo} "
                f"takes it back (or Undo this import in the app's Recent imports)")

    def _import_stream(self, stream: ListingStream, *, path: str, sha256: str,
                       report: FileReport, progress: ProgressCallback | None,
                       cancel: CancelCallback | None) -> None:
        """Import one listing in transactions of BATCH papers.

        Until the last one commits, the `sources` row says 'importing', each batch
        journals what it changed in known papers (`import_undo`), and this process
        holds the import's lock. Any failure undoes the committed batches here; a
        process killed outright leaves them to the next Library that opens the file
        and finds the lock free (`_recover_unfinished_imports`).
        """
        conn = self.conn
        name = report.name
        source_id, lock = self._begin_import(stream, path=path, sha256=sha256, name=name)
        report.source_id = source_id
        report.form = getattr(stream, "form", None)
        try:
            try:
                with _import_cache(conn), _foreign_keys_off(self._core):
                    untitled: list[str] = []
                    older = [0]
                    self._write_batches(iter(stream), source_id, report, progress, cancel,
                                        untitled, as_of=_as_of(stream),
                                        glued=partial(getattr, stream, "glued_from", None),
                                        older=older)
                    report.warnings.extend(stream.warnings)
                    if untitled:
                        report.warnings.append(_untitled_warning(name, untitled))
                    if older[0]:
                        report.warnings.append(_older_warning(name, _as_of(stream), older[0]))
                    self._finish(source_id, report)
            except sqlite3.Error as error:
                self._core.rollback_quietly()
                self._core.raise_for(error)
        except BaseException:
            self._core.rollback_quietly()
            # If this fails too (disk still full, damage), the next open undoes it:
            # the lock is free once this process lets go of it.
            with suppress(LibraryError):
                self._undo_import(source_id)
            self._build_deferred()
            # Nothing of it stays: no import id (the next import is given this one: a
            # script's `undo-import` of the refused file's id took that one back), no
            # form the file was not, no counts of papers taken back (attack N44).
            report.source_id = report.form = None
            report.found = report.new = report.updated = report.unchanged = 0
            raise
        else:
            self._build_deferred()
        finally:
            lock.release()
        if progress is not None:
            progress(name, report.found)

    def _write_batches(self, records: Iterator[PaperRecord], source_id: int,
                       report: FileReport, progress: ProgressCallback | None,
                       cancel: CancelCallback | None, untitled: list[str], *,
                       as_of: str | None = None,
                       glued: Callable[[], int | None] = lambda: None,
                       older: list[int] | None = None) -> None:
        """Every batch but the last committed; the last one's transaction left open
        for `_finish`. The titles of cards skipped for having no letter or digit go
        to `untitled`; `older[0]` counts the papers whose newer facts were kept
        (storage/identity.py, `as_of`). `glued()`: where a copy glued after a
        seeds-layout copy begins, once the stream has read that far."""
        conn, batch_size = self.conn, _batch_size()
        commit_every = batch_size
        if batch_size == BATCH and conn.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM papers)").fetchone()[0]:
            commit_every = max(BATCH, BULK_COMMIT)
        written = 0
        own: OwnPapers | None = None
        while True:
            # Decoding and parsing happen outside the transaction while a batch
            # commits: the write lock covers only the database work.
            batch = list(islice(records, batch_size))
            last = len(batch) < batch_size
            if not conn.in_transaction:
                conn.execute("BEGIN IMMEDIATE")
                if not written:
                    own = OwnPapers.begin(conn)
                    if own is not None and deferred.defer(conn, source_id):
                        # The title index comes back before the import's first
                        # look-up, the others after its load (deferred.py).
                        own.before_lookup = partial(deferred.build, conn,
                                                    (deferred.DEFERRED[0],))
                elif own is not None and not own.still_alone(conn):
                    # Someone else wrote: from now on this is an import like any
                    # other, into a library with every index.
                    own = None
                    deferred.build(conn)
            untitled.extend(self._import_batch(batch, source_id, report, own, as_of=as_of,
                                               glued_from=glued(), older=older))
            written += len(batch)
            if last:
                return
            if cancel is not None and cancel():
                raise ImportCancelled(report.name)
            if written % commit_every == 0:
                if own is not None:
                    own.commit(conn)
                else:
                    conn.execute("COMMIT")
            if progress is not None:
                progress(report.name, report.found)

    def _build_deferred(self) -> None:
        """The indexes a bulk import into an empty library left for after its load,
        built while this import still holds its lock. If that fails (a full disk,
        a writer holding the lock for long), the next open builds them; every
        query is right meanwhile, only slower."""
        try:
            deferred.build_each(self.conn)
        except sqlite3.Error:
            self._core.rollback_quietly()

    def _finish(self, source_id: int, report: FileReport) -> None:
        """Mark the import complete, in the last batch's transaction, and commit."""
        if report.found == 0:
            raise ListingError(f"{report.name}: no papers found")
        conn = self.conn
        conn.execute(
            "UPDATE sources SET status = 'complete', papers_found = ?, "
            "papers_new = ?, papers_updated = ?, warnings = ? WHERE id = ?",
            (report.found, report.new, report.updated, json.dumps(report.warnings),
             source_id),
        )
        conn.execute("DELETE FROM import_undo WHERE source_id = ?", (source_id,))
        conn.execute("COMMIT")

    def _begin_import(self, stream: ListingStream, *, path: str, sha256: str,
                      name: str) -> tuple[int, ImportLock]:
        """The import's `sources` row, committed as 'importing', and its lock, held."""
        lock: ImportLock | None = None
        try:
            with self._core.write() as conn:
                source_id = conn.execute(
                    "INSERT INTO sources (path, name, sha256, listing_date, imported_at, "
                    "status, form) VALUES (?, ?, ?, ?, ?, 'importing', ?)",
                    (path, name, sha256, stream.listing_date, now(),
                     getattr(stream, "form", None)),
                ).lastrowid
                as_of = _as_of(stream)
                if as_of is not None:
                    # In `meta` rather than a column of its own: one date per import
                    # was not worth a schema migration (storage/identity.py AS_OF_KEY).
                    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                 (f"{AS_OF_KEY}{source_id}", as_of))
                # Held before the row is committed: nobody ever sees this import
                # 'importing' while its lock is free.
                lock = ImportLock(self.path, source_id)
                try:
                    held = lock.try_acquire()
                except OSError as error:
                    raise LibraryError(f"{lock.path}: cannot create the import lock "
                                       f"({error.strerror or error})") from None
                if not held:
                    lock = None
                    raise LibraryError(f"{self.path}: another import holds the lock of "
                                       f"import {source_id}; try again")
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        return source_id, lock

    def _import_batch(self, records: Sequence[PaperRecord], source_id: int,
                      report: FileReport, own: OwnPapers | None = None, *,
                      as_of: str | None = None, glued_from: int | None = None,
                      older: list[int] | None = None) -> list[str]:
        """Identity, dedupe and the merge of listing facts: storage/identity.py.
        Returns the titles of the cards skipped for having no letter or digit."""
        # A field over FIELD_CAPS is cut here, with a warning, before anything is stored.
        records = [_capped(record, report) for record in records]
        older = older if older is not None else [0]
        outcome = BatchImporter(self.conn, source_id=source_id, name=report.name, now=now(),
                                reanchor=partial(reanchor_annotations, self.conn),
                                own=own, as_of=as_of, glued_from=glued_from).run(records)
        report.found += outcome.found
        report.new += outcome.new
        report.updated += outcome.updated
        report.unchanged += outcome.unchanged
        older[0] += outcome.older
        report.warnings.extend(outcome.warnings)
        # Short forms the new abstracts define ("mixture of experts (MoE)"): search
        # finds either form by the other.
        at = NEW_ROW_COLUMNS.index("abstract")
        abbrev.record(self.conn, (row[at] for row in outcome.new_rows))
        return outcome.untitled

    def _undo_import(self, source_id: int, progress: Callable[[int, int], None] | None = None,
                     cancel: Callable[[], bool] | None = None) -> bool:
        """Take back the committed batches of an import that did not finish, except
        the papers the user acted on meanwhile, in steps (storage/library/interrupted.py).

        Such an import's papers are visible as soon as a batch commits, and the user
        (or another process) may read, star, tag, note or highlight them before the
        import dies. Those papers stay, with everything done to them, as papers of
        their own: the sources row stays too, marked 'interrupted', so they still
        say where they came from. The rest of the import goes, and the listing
        facts it changed in known papers are put back. What happened is said in
        `Core.notices` (the command line prints it) and in the row's warnings.
        False if `cancel` stopped it between two steps (the next open goes on).
        """
        return interrupted.take_back(self._core, source_id, progress=progress, cancel=cancel)

    def recover_unfinished_imports(self, *, finish: bool = True) -> None:
        """Undo imports whose process died (kill -9, a power cut) between two batch
        commits. One still running, in another process or another thread, holds its
        lock and is left alone: undoing it would pull papers out from under it.
        `finish=False` (the app's window) leaves the dead ones, and the indexes their
        load left to build, for `finish_cut_short` on a worker thread: at 30,000
        papers taking one back takes seconds."""
        if not finish and self.cut_short():
            ImportLock.sweep(self.path, keep={
                row[0] for row in self.conn.execute(
                    "SELECT id FROM sources WHERE status = 'importing'")})
            return
        self.finish_cut_short()

    def cut_short(self) -> list[dict[str, Any]]:
        """The imports a kill cut short, not yet taken back (their lock is free):
        {"kind": "import", "source", "name", "papers", "what"} each."""
        found = []
        for source_id, name in self.conn.execute(
                "SELECT id, name FROM sources WHERE status = 'importing' ORDER BY id"
                ).fetchall():
            lock = ImportLock(self.path, source_id)
            try:
                dead = lock.try_acquire()
            except OSError:
                continue  # no lock file can be made here: cannot tell, leave it
            if dead:
                lock.release()
                papers = self.conn.execute(
                    "SELECT count(*) FROM papers WHERE first_source_id = ?",
                    (source_id,)).fetchone()[0]
                found.append({"kind": "import", "source": source_id, "name": name,
                              "papers": papers, "what": f"import {source_id} ({name})"})
        return found

    def finish_cut_short(self, progress: Callable[[int, int], None] | None = None,
                         cancel: Callable[[], bool] | None = None) -> bool:
        """Take back the imports a kill cut short (with `progress(done, total)`),
        then build the indexes a bulk load left. False if `cancel` stopped it
        between two steps: the rest is for the next open."""
        unfinished = [row[0] for row in self.conn.execute(
            "SELECT id FROM sources WHERE status = 'importing'")]
        ImportLock.sweep(self.path, keep=set(unfinished))
        for source_id in unfinished:
            lock = ImportLock(self.path, source_id)
            try:
                dead = lock.try_acquire()
            except OSError:
                continue  # no lock file can be made here: cannot tell, leave it
            if not dead:
                continue
            try:
                if not self._undo_import(source_id, progress, cancel):
                    return False
            except LibraryCorrupt:
                raise
            except LibraryError:
                # A full disk (the undo needs room in the WAL) or a writer holding the
                # lock for long: the library still opens, for reading at least, and
                # the next open tries again.
                return True
            finally:
                lock.release()
        if not self._core.read_only:
            with suppress(sqlite3.Error, LibraryError):
                deferred.repair(self.conn, self.path)
        return True

    @guarded
    def sources(self, limit: int | None = None, *, undone: bool = False
                ) -> list[dict[str, Any]]:
        """Imports, newest first, with their counts; `undone=True` lists the undone
        ones too. `papers` is how many papers the import lists now. An import a
        crash cut short (status 'interrupted': the papers of it the user had acted
        on, kept) is listed as the others, and can be taken back as they can."""
        states = "('complete', 'interrupted', 'undone')" if undone else \
            "('complete', 'interrupted')"
        sql = ("SELECT s.id, s.path, s.name, s.listing_date, s.imported_at, s.papers_found, "
               "s.papers_new, s.papers_updated, s.form, s.status, s.undone_at, "
               "(SELECT count(*) FROM paper_sources ps WHERE ps.source_id = s.id) "
               f"FROM sources s WHERE s.status IN {states} ORDER BY s.id DESC")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        names = ("id", "path", "name", "listing_date", "imported_at", "found", "new",
                 "updated", "form", "status", "undone_at", "papers")
        return [dict(zip(names, row, strict=True)) for row in self.conn.execute(sql)]


@contextmanager
def _import_cache(conn: sqlite3.Connection) -> Iterator[None]:
    """A page cache of IMPORT_CACHE_KB for the import, SQLite's own size again after.

    An import writes into the indexes of papers and the full-text index, whose
    merges read back the segments the batches before wrote; in SQLite's default
    2 MB those pages are evicted and read again through the WAL. Measured at 100k
    papers (session 2): 13.1 s of CPU with 2 MB, 11.4 with 16 MB, 11.1 with 64 MB
    (which adds 65 MB to the peak RSS); the floor gains nothing from it. Since
    the two indexes with random keys are built after the load of a first import
    (deferred.py), 16 MB costs no CPU against 32 MB (interleaved, session 5:
    +0.22 / -0.07 / -0.46 s) and the peak RSS is 16 MB lower (bench/README,
    "Import at 100k"). The pages are allocated only as they are needed, and
    freed when the size goes back.
    """
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KB}")
    try:
        yield
    finally:
        with suppress(sqlite3.Error):
            conn.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def _foreign_keys_off(core: Core) -> Iterator[None]:
    """SQLite's foreign-key checks off for the import's own transactions, as they
    were again after (also after a failure, before the import is undone).

    Every row an import writes points at rows that exist for its whole transaction:
    `papers.first_source_id` and `paper_sources.source_id` at the import's own
    `sources` row (committed before the first batch; only this import's undo
    removes it, and this process holds its lock), and `paper_id` in paper_sources,
    import_undo, import_changes, abstract_history and summary_history at papers it
    inserted or read inside that same BEGIN IMMEDIATE transaction. It deletes nothing, so no cascade
    is skipped. The checks would look each of those parents up again, per row
    (~0.2 s of CPU at 100k papers). tests/storage/library/test_importing.py runs
    `PRAGMA foreign_key_check` after imports that insert, merge and replace.
    """
    conn = core.conn
    before = int(conn.execute("PRAGMA foreign_keys").fetchone()[0])
    conn.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, or it does nothing
    try:
        yield
    finally:
        # The pragma is a no-op inside a transaction: what failed is rolled back
        # first (the caller would do it next anyway).
        core.rollback_quietly()
        with suppress(sqlite3.Error):
            conn.execute(f"PRAGMA foreign_keys = {before}")


def _papers(count: int) -> str:
    return f"{count:,} paper{'' if count == 1 else 's'}"


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _capture_date(stream: object) -> str | None:
    """The capture's own date, where the copy states one as an ISO date."""
    value = getattr(stream, "capture_date", None)
    try:
        return date.fromisoformat(value).isoformat() if isinstance(value, str) else None
    except ValueError:
        return None


def _as_of(stream: object) -> str | None:
    """The day a copy's facts are as of: its capture date, else its listing's date (a
    page is saved on or after the day it lists); None where it states neither (then it
    is taken as the newest, as it comes). An API response's day is the day its papers
    were listed, and says nothing of when it was fetched (`winnow fetch` of a past
    day gives today's counts): not a capture date."""
    captured = _capture_date(stream)
    if captured is not None:
        return captured
    if getattr(stream, "form", None) == "api":
        return None
    raw = getattr(stream, "listing_date_raw", None)
    if isinstance(raw, str) and not _YEAR.search(raw):
        # "Dec 9": its year was guessed from the file's time, so two copies saved the
        # same week can come out a year apart in either order. No evidence of age.
        return None
    listing = getattr(stream, "listing_date", None)
    try:
        return date.fromisoformat(listing).isoformat() if isinstance(listing, str) else None
    except ValueError:
        return None


def _older_warning(name: str, as_of: str | None, papers: int) -> str:
    return (f"{name}: this copy is as of {as_of}; {_papers(papers)} in it had facts from a "
            f"later copy, which were kept (only what they lacked was filled; counts only "
            f"grow)")


def _untitled_warning(name: str, titles: list[str]) -> str:
    """One line for every card skipped for a title with no letter or digit: such a
    title has no key to tell papers apart by, and a row of it would be junk."""
    shown = ", ".join(f'"{" ".join(title[:40].split())}"' for title in titles[:3])
    more = f" and {len(titles) - 3:,} more" if len(titles) > 3 else ""
    cards = "1 card" if len(titles) == 1 else f"{len(titles):,} cards"
    return (f"{name}: skipped {cards} whose title has no letter or digit ({shown}{more}); "
            f"nothing imported from {'it' if len(titles) == 1 else 'them'}")


def _capped(record: PaperRecord, report: FileReport) -> PaperRecord:
    """`record` with each field over FIELD_CAPS cut (an ellipsis marks the cut), and
    a warning naming the paper for each cut."""
    # Nearly every record is within every cap: three tests, no loop (the loop
    # below cost 0.1 s per 100k records).
    organization = record.organization
    if len(record.title) <= _TITLE_CAP and len(record.abstract) <= _ABSTRACT_CAP and (
            organization is None or len(organization) <= _ORGANIZATION_CAP):
        return record
    cuts: dict[str, str] = {}
    for field, cap in FIELD_CAPS.items():
        value = getattr(record, field, None)
        if isinstance(value, str) and len(value) > cap:
            cuts[field] = value[:cap] + "\u2026"
            report.warnings.append(
                f"{report.name}: \"{' '.join(record.title[:60].split())}\": {field} of "
                f"{len(value):,} characters cut to {cap:,} (Winnow keeps and indexes at most "
                f"{cap:,} characters of a {field})")
    return dataclasses.replace(record, **cuts) if cuts else record
