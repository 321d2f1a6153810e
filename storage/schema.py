"""The library's schema and its migrations.

Each migration is a function registered under the `PRAGMA user_version` it
produces. `migrate()` runs the pending ones in order, each in its own
transaction, so a crash mid-upgrade leaves the file at the last whole version.
The schema is documented for users in the README ("The library file").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: dict[int, Migration] = {}


class SchemaTooNew(RuntimeError):
    """The file was written by a newer Winnow; touching it could lose data."""


def migration(version: int) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        if version in MIGRATIONS:
            raise ValueError(f"migration {version} registered twice")
        MIGRATIONS[version] = fn
        return fn

    return register


# Columns the full-text index covers, in MATCH column order. bm25 weights follow
# the same order: a word in the title says far more about a paper than one in
# its abstract; the user's own words (note, annotation comments) sit between; a
# trending card's AI summary (schema 12) is one sentence of the paper's topic
# words, so a word there says more than one in an abstract's background: 4, as
# a note. Measured on needs judged over summary-only cards (bench.eval_summary,
# bench/README "Session 7"): weights 2-10 tie, 0.5 ranked those cards too low.
FTS_COLUMNS = ("title", "abstract", "note", "annotation_text", "ai_summary")
FTS_WEIGHTS = (10.0, 1.0, 4.0, 4.0, 4.0)
# The index as schema 1 made it (its migration must keep making that).
V1_FTS_COLUMNS = ("title", "abstract", "note", "annotation_text")
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"

# Tables computed from a paper's text (vectors): a removed paper's rows in them are
# dropped, not kept for undo, and rebuilt when it comes back; they are never user data.
DERIVED_TABLES = frozenset({"paper_vectors"})
# Tables about a paper that hold what listings said of it (where it was listed, the
# abstracts an import replaced, what each import changed), never what the user did.
# Every other table with a foreign key to papers(id), whoever adds it, holds user
# data (tags, highlights...): a paper with a row in one is a paper the user acted on.
LISTING_TABLES = frozenset({"paper_sources", "abstract_history", "summary_history",
                            "import_changes", "import_undo"})


@migration(1)
def _create_initial_schema(db: sqlite_utils.Database) -> None:
    _v1_listing_tables(db)
    _v1_user_tables(db)
    _v1_log_tables(db)
    _v1_full_text(db)


def _v1_listing_tables(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "id": int,
            "path": str,  # as given at import time, or "clipboard"
            "name": str,  # file name shown to the user and matched by source:
            "sha256": str,
            "listing_date": str,  # ISO date printed at the top of the listing
            "imported_at": str,  # ISO UTC timestamp
            "status": str,  # 'importing' until the last batch commits, then 'complete'
            "papers_found": int,
            "papers_new": int,
            "papers_updated": int,
            "warnings": str,  # JSON list of one-line messages
        },
        pk="id",
        not_null={"path", "name", "imported_at", "status"},
        defaults={"status": "importing", "papers_found": 0, "papers_new": 0,
                  "papers_updated": 0, "warnings": "[]"},
    )
    db["papers"].create(
        {
            "id": int,
            "key": str,  # normalised title: the dedupe key
            "title": str,
            "abstract": str,
            "authors_count": int,
            "organization": str,
            "published": str,  # ISO date
            "published_raw": str,  # as printed: "Jun 2", "Oct 28, 2024"
            "year_inferred": int,
            "upvotes": int,
            "added_at": str,
            "first_source_id": int,  # the import that brought the paper in
            # User data: no import ever writes these.
            "read_at": str,
            "starred": int,
            "note": str,
            "note_updated_at": str,
            # Annotation comments gathered by triggers so that the FTS index can
            # use this table as its external content.
            "annotation_text": str,
        },
        pk="id",
        not_null={"key", "title", "abstract", "added_at", "starred", "note",
                  "annotation_text", "year_inferred"},
        defaults={"abstract": "", "starred": 0, "note": "", "annotation_text": "",
                  "year_inferred": 0},
        foreign_keys=[("first_source_id", "sources", "id")],
    )
    db.execute("CREATE UNIQUE INDEX papers_key ON papers(key)")
    db.execute("CREATE INDEX papers_published ON papers(published)")
    db.execute("CREATE INDEX papers_added ON papers(added_at)")
    db.execute("CREATE INDEX papers_read_at ON papers(read_at)")
    db.execute("CREATE INDEX papers_first_source ON papers(first_source_id)")
    db.execute("CREATE INDEX papers_starred ON papers(starred) WHERE starred")
    db.execute("CREATE INDEX papers_upvotes ON papers(upvotes)")
    # Lets the sidebar count papers with a note without reading any abstract.
    db.execute("CREATE INDEX papers_noted ON papers(id) WHERE note != ''")


def _v1_user_tables(db: sqlite_utils.Database) -> None:
    db["paper_sources"].create(
        {"paper_id": int, "source_id": int, "position": int},
        pk=("paper_id", "source_id"),
        foreign_keys=[("paper_id", "papers", "id"), ("source_id", "sources", "id")],
    )
    db.execute("CREATE INDEX paper_sources_source ON paper_sources(source_id)")

    db["tags"].create({"id": int, "name": str, "created_at": str}, pk="id",
                      not_null={"name"})
    db.execute("CREATE UNIQUE INDEX tags_name ON tags(name COLLATE NOCASE)")
    db["paper_tags"].create(
        {"paper_id": int, "tag_id": int, "added_at": str},
        pk=("paper_id", "tag_id"),
        foreign_keys=[("paper_id", "papers", "id"), ("tag_id", "tags", "id")],
    )
    db.execute("CREATE INDEX paper_tags_tag ON paper_tags(tag_id)")

    db["annotations"].create(
        {
            "id": int,
            "paper_id": int,
            "start": int,  # character offsets into papers.abstract (since v13: into the
            # papers column `field` names), end exclusive
            "end": int,
            "quote": str,  # the anchor: re-found when an abstract changes
            "comment": str,
            "colour": str,
            "orphaned": int,  # 1 when a changed abstract no longer holds the quote
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"paper_id", "start", "end", "quote", "comment", "colour", "orphaned",
                  "created_at", "updated_at"},
        defaults={"comment": "", "colour": "yellow", "orphaned": 0},
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.execute("CREATE INDEX annotations_paper ON annotations(paper_id)")


def _v1_log_tables(db: sqlite_utils.Database) -> None:
    db["saved_searches"].create(
        {"id": int, "name": str, "query": str, "created_at": str}, pk="id",
        not_null={"name", "query", "created_at"},
    )
    db.execute("CREATE UNIQUE INDEX saved_searches_name ON saved_searches(name)")

    # Append-only log of what the user did: undo/redo across restarts and
    # triage statistics. `batch` groups the rows one user action wrote.
    db["events"].create(
        {
            "id": int,
            "batch": int,
            "paper_id": int,
            "action": str,
            "before": str,  # JSON
            "after": str,  # JSON
            "at": str,
            "undone": int,
        },
        pk="id",
        not_null={"batch", "action", "at", "undone"},
        defaults={"undone": 0},
    )
    db.execute("CREATE INDEX events_batch ON events(batch)")
    # Undo, redo and every new action ask for the newest batch in a given state;
    # without this they scan a log that only grows.
    db.execute("CREATE INDEX events_state ON events(undone, batch)")

    db["meta"].create({"key": str, "value": str}, pk="key")

    # What an import that commits in batches changed in papers it did not add,
    # so that an import killed half-way is undone whole on the next open.
    db["import_undo"].create(
        {"source_id": int, "paper_id": int, "facts": str}, pk=("source_id", "paper_id"),
    )


def _fts_triggers(columns: tuple[str, ...]) -> str:
    """The triggers that keep the index in step with `papers` for edits and deletes.

    Imports write index rows themselves, in bulk (an insert trigger halves import
    speed). Edits and deletes from any tool keep the index in step. Only the
    indexed columns fire the update trigger, so flipping a read mark or a star
    never re-indexes an abstract."""
    names = ", ".join(columns)
    old_values = ", ".join(f"old.{c}" for c in columns)
    new_values = ", ".join(f"new.{c}" for c in columns)
    return f"""
        CREATE TRIGGER papers_fts_update AFTER UPDATE OF {names} ON papers BEGIN
            INSERT INTO papers_fts(papers_fts, rowid, {names})
                VALUES ('delete', old.id, {old_values});
            INSERT INTO papers_fts(rowid, {names}) VALUES (new.id, {new_values});
        END;
        CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
            INSERT INTO papers_fts(papers_fts, rowid, {names})
                VALUES ('delete', old.id, {old_values});
        END;
        """


def _v1_full_text(db: sqlite_utils.Database) -> None:
    columns = ", ".join(V1_FTS_COLUMNS)
    db.executescript(
        f"""
        CREATE VIRTUAL TABLE papers_fts USING fts5(
            {columns},
            content='papers', content_rowid='id',
            tokenize='{FTS_TOKENIZE}'
        );
        CREATE VIRTUAL TABLE papers_fts_vocab USING fts5vocab(papers_fts, 'row');
        -- Merging segments less eagerly made bulk imports ~30% faster (8.2 s ->
        -- 5.8 s for 100k papers in 2k-paper commits) at no measurable query cost.
        INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', 16);
        {_fts_triggers(V1_FTS_COLUMNS)}

        -- Annotation comments are searchable through papers.annotation_text.
        CREATE TRIGGER annotations_text_insert AFTER INSERT ON annotations BEGIN
            UPDATE papers SET annotation_text = (
                SELECT coalesce(group_concat(comment, char(10)), '')
                FROM annotations WHERE paper_id = new.paper_id AND comment != ''
            ) WHERE id = new.paper_id;
        END;
        CREATE TRIGGER annotations_text_update AFTER UPDATE OF comment ON annotations BEGIN
            UPDATE papers SET annotation_text = (
                SELECT coalesce(group_concat(comment, char(10)), '')
                FROM annotations WHERE paper_id = new.paper_id AND comment != ''
            ) WHERE id = new.paper_id;
        END;
        CREATE TRIGGER annotations_text_delete AFTER DELETE ON annotations BEGIN
            UPDATE papers SET annotation_text = (
                SELECT coalesce(group_concat(comment, char(10)), '')
                FROM annotations WHERE paper_id = old.paper_id AND comment != ''
            ) WHERE id = old.paper_id;
        END;
        """
    )


# The facts a Daily Papers card holds beyond v1's (FORMATS.md), all listing facts
# that an import may update; JSON lists for authors and keywords.
CARD_COLUMNS = (
    ("arxiv_id", "TEXT"), ("url", "TEXT"), ("comments", "INTEGER"), ("authors", "TEXT"),
    ("submitted_by", "TEXT"), ("ai_summary", "TEXT"), ("ai_keywords", "TEXT"),
    ("github_repo", "TEXT"), ("github_stars", "INTEGER"), ("project_page", "TEXT"),
    ("date_source", "TEXT"),
)


@migration(2)
def _card_facts_and_import_history(db: sqlite_utils.Database) -> None:
    """Card facts, identity by arXiv id, and what undoing an import or a delete needs.

    ADD COLUMN rewrites no row, so a big v1 library upgrades in milliseconds and
    every user mark stays where it is.
    """
    for column, kind in CARD_COLUMNS:
        db.execute(f"ALTER TABLE papers ADD COLUMN {column} {kind}")
    # v1 stored only a year-less date's guess or a full date: a written year is the
    # card's own; where the year was guessed v1 did not record against what.
    db.execute("UPDATE papers SET date_source = 'card' "
               "WHERE published IS NOT NULL AND year_inferred = 0")
    db.execute("CREATE UNIQUE INDEX papers_arxiv_id ON papers(arxiv_id) "
               "WHERE arxiv_id IS NOT NULL")
    # Two papers can share a title ("Technical Report") and differ by arXiv id:
    # the title stays the identity only of papers without one, so it is no longer
    # unique.
    db.execute("DROP INDEX papers_key")
    db.execute("CREATE INDEX papers_key ON papers(key)")

    db.execute("ALTER TABLE sources ADD COLUMN form TEXT")  # which form the detector saw
    db.execute("ALTER TABLE sources ADD COLUMN undone_at TEXT")  # set by "undo this import"

    # Every abstract an import replaced, so that the user's highlights can be read
    # against the text they were made on.
    db["abstract_history"].create(
        {"id": int, "paper_id": int, "abstract": str, "replaced_at": str, "source_id": int},
        pk="id", not_null={"paper_id", "abstract", "replaced_at"},
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.execute("CREATE INDEX abstract_history_paper ON abstract_history(paper_id)")

    # What each import changed in papers it did not bring (the listing facts before
    # and after), kept after the import completes so it can be undone later.
    db["import_changes"].create(
        {"source_id": int, "paper_id": int, "before": str, "after": str},
        pk=("source_id", "paper_id"), not_null={"before", "after"},
    )
    db.execute("CREATE INDEX import_changes_paper ON import_changes(paper_id)")

    # Papers taken out by a delete or an undone import, whole (row, tags, notes,
    # highlights, links), so that undo can put them back as they were.
    db["trash"].create(
        {"id": int, "batch": int, "paper_id": int, "data": str, "deleted_at": str},
        pk="id", not_null={"batch", "paper_id", "data", "deleted_at"},
    )
    db.execute("CREATE INDEX trash_batch ON trash(batch)")


@migration(3)
def _search_abbreviations_and_fts_declaration(db: sqlite_utils.Database) -> None:
    """Search (issue 12), two changes that touch no user data:

    - `abbreviations`: the short forms the library's abstracts define ("mixture
      of experts (MoE)"), which search looks up both ways (storage.abbrev).
      Filled from every paper already in the file; imports add to it.
    - The index's content table declared the way sqlite-utils and Datasette look
      for it (`content="papers"`; they do not recognise `content='papers'`), so
      that `sqlite-utils search library.db papers ...` and Datasette's `_search`
      work. Only the quoting in the stored declaration changes: FTS5 reads both
      the same, and the index itself is not touched (a rebuild would take minutes
      at 1M papers).
    """
    from storage import abbrev

    conn = db.conn
    # Search reads word frequencies from the vocabulary table; files written by
    # the v1 fixture dumper lack it.
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS papers_fts_vocab "
                 "USING fts5vocab(papers_fts, 'row')")
    conn.execute(
        """CREATE TABLE abbreviations (
            short_key TEXT NOT NULL,  -- porter stems of the folded short form
            long_key TEXT NOT NULL,   -- porter stems of the folded long form
            short TEXT NOT NULL,      -- as first written: 'MoE'
            long TEXT NOT NULL,       -- lower case: 'mixture of experts'
            papers INTEGER NOT NULL,  -- how many papers defined it
            PRIMARY KEY (short_key, long_key)
        )""")
    conn.execute("CREATE INDEX abbreviations_long ON abbreviations(long_key)")
    last = 0
    while True:
        rows = conn.execute("SELECT id, abstract FROM papers WHERE id > ? ORDER BY id "
                            "LIMIT 5000", (last,)).fetchall()
        if not rows:
            break
        abbrev.record(conn, (r[1] for r in rows))
        last = rows[-1][0]

    old = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'papers_fts'").fetchone()[0]
    new = old.replace("content='papers'", 'content="papers"')
    if new != old:
        _redeclare_fts(conn, new)


def _redeclare_fts(conn: sqlite3.Connection, declaration: str) -> None:
    """Replace the full-text table's CREATE statement in place (its data stays as it is:
    the callers make it match the new declaration)."""
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'papers_fts'",
                     (declaration,))
        # Other connections re-read the schema when its version moves.
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


@migration(4)
def _paper_vectors(db: sqlite_utils.Database) -> None:
    """What "more like this" and For you learn from (storage/vectors.py).

    New tables only: no user mark is read or written. Papers get their vectors
    after the upgrade, in batches, the first time they are needed.
    """
    db.executescript(
        """
        CREATE TABLE vector_terms (
            id INTEGER PRIMARY KEY,
            term TEXT NOT NULL UNIQUE,   -- a Porter stem, or two joined by a space
            df INTEGER NOT NULL DEFAULT 0  -- vectorised papers holding it
        );
        CREATE TABLE paper_vectors (
            paper_id INTEGER PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
            terms BLOB NOT NULL,  -- int32 vector_terms ids, little-endian
            tf BLOB NOT NULL      -- float32 damped term frequency of each
        );
        INSERT OR IGNORE INTO meta (key, value) VALUES ('vectors_generation', '0');
        -- A paper whose words changed is vectorised again; any tool's delete or
        -- edit keeps the vectors in step, and the generation tells a process that
        -- holds them in memory to reload.
        CREATE TRIGGER paper_vectors_stale AFTER UPDATE OF title, abstract ON papers
        WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract BEGIN
            DELETE FROM paper_vectors WHERE paper_id = new.id;
        END;
        CREATE TRIGGER paper_vectors_gone AFTER DELETE ON papers BEGIN
            DELETE FROM paper_vectors WHERE paper_id = old.id;
        END;
        CREATE TRIGGER paper_vectors_changed AFTER DELETE ON paper_vectors BEGIN
            UPDATE meta SET value = CAST(value AS INTEGER) + 1
            WHERE key = 'vectors_generation';
        END;
        """
    )


@migration(5)
def _ids_never_reused(db: sqlite_utils.Database) -> None:
    """Ids are never handed out twice (issue 13; storage/library/ids.py).

    `id_high_water` holds the highest id papers and annotations have ever used, and
    a delete trigger keeps it. It starts above every id the undo log and the trash
    still name, so an entry about a paper an older Winnow took back can never land
    on a new paper. (AUTOINCREMENT would mean rebuilding the papers table, minutes
    at 1M papers; this touches no row.)
    """
    conn = db.conn
    conn.execute("CREATE TABLE id_high_water (name TEXT PRIMARY KEY, id INTEGER NOT NULL)")
    trash = "UNION ALL SELECT max(paper_id) FROM trash" if conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'trash'").fetchone() else ""
    conn.execute(
        "INSERT INTO id_high_water VALUES ('papers', (SELECT coalesce(max(m), 0) FROM ("
        "SELECT max(id) AS m FROM papers UNION ALL SELECT max(paper_id) FROM events "
        f"{trash})))")
    conn.execute(
        "INSERT INTO id_high_water VALUES ('annotations', (SELECT coalesce(max(m), 0) FROM ("
        "SELECT max(id) AS m FROM annotations UNION ALL "
        "SELECT max(coalesce(json_extract(before, '$.id'), json_extract(after, '$.id'))) "
        "FROM events WHERE action LIKE 'annotation%' AND json_valid(before) "
        "AND json_valid(after))))")
    for table in ("papers", "annotations"):
        conn.execute(f"CREATE TRIGGER {table}_high_water AFTER DELETE ON {table} BEGIN "
                     f"UPDATE id_high_water SET id = max(id, old.id) WHERE name = '{table}'; "
                     f"END")


@migration(6)
def _triage_states(db: sqlite_utils.Database) -> None:
    """Triage states (storage/states.py): each paper is in one, by name.

    Read papers become `done` (decided when they were read), the rest `inbox`;
    `read_at` stays, kept in step as "when it was marked done", so every mark and
    whatever reads it is intact. ADD COLUMN rewrites no row.
    """
    conn = db.conn
    conn.execute("ALTER TABLE papers ADD COLUMN state TEXT NOT NULL DEFAULT 'inbox'")
    conn.execute("ALTER TABLE papers ADD COLUMN state_changed_at TEXT")
    # A date (YYYY-MM-DD, local) for `later`: back to the Inbox on it; NULL: someday.
    conn.execute("ALTER TABLE papers ADD COLUMN snooze_until TEXT")
    conn.execute("UPDATE papers SET state = 'done', state_changed_at = read_at "
                 "WHERE read_at IS NOT NULL")
    # The sidebar counts each state and the views filter on it at 1M papers.
    conn.execute("CREATE INDEX papers_state ON papers(state)")
    conn.execute("CREATE INDEX papers_snoozed ON papers(snooze_until) "
                 "WHERE snooze_until IS NOT NULL")


@migration(7)
def _quick_tag_numbers(db: sqlite_utils.Database) -> None:
    """The keys 1-9 of quick tags, stored with each tag.

    A number is given once, when a tag is made, and kept: before, the numbers
    followed the tags' alphabetical order, so a new tag moved the others' keys
    under the user's fingers. Existing tags get the numbers they had then.
    """
    db.execute("ALTER TABLE tags ADD COLUMN quick INTEGER")
    db.execute("CREATE UNIQUE INDEX tags_quick ON tags(quick) WHERE quick IS NOT NULL")
    first = db.execute("SELECT id FROM tags ORDER BY name COLLATE NOCASE LIMIT 9").fetchall()
    for number, (tag_id,) in enumerate(first, start=1):
        db.execute("UPDATE tags SET quick = ? WHERE id = ?", (number, tag_id))


@migration(8)
def _vector_counts_follow_deletes(db: sqlite_utils.Database) -> None:
    """Document frequencies go down when a vectorised paper leaves (storage/vectors.py).

    A vector holds only its paper's heaviest terms, but `df` counted every term of
    the paper, so the words to take out are those of the text the vector was made
    from: a trigger keeps that text in `vector_retired` when the vector goes, and
    the next catch-up (`update_vectors`) takes its terms out of `df`. The two
    triggers on papers now run BEFORE the change, so that the text they keep is the
    one the vector was made from. New table, index and triggers only: no user mark
    is read or written.
    """
    db.executescript(
        """
        CREATE TABLE vector_retired (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,  -- the text a dropped vector was made from
            abstract TEXT
        );
        DROP TRIGGER paper_vectors_stale;
        CREATE TRIGGER paper_vectors_stale BEFORE UPDATE OF title, abstract ON papers
        WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract BEGIN
            DELETE FROM paper_vectors WHERE paper_id = old.id;
        END;
        DROP TRIGGER paper_vectors_gone;
        CREATE TRIGGER paper_vectors_gone BEFORE DELETE ON papers BEGIN
            DELETE FROM paper_vectors WHERE paper_id = old.id;
        END;
        CREATE TRIGGER paper_vectors_retired BEFORE DELETE ON paper_vectors BEGIN
            INSERT INTO vector_retired (title, abstract)
            SELECT title, abstract FROM papers WHERE id = old.paper_id;
        END;
        -- Counting vectors (how far behind the catch-up is, before every use and
        -- after every import) scanned 73 MB of blobs at 100k papers: 40-80 ms.
        -- This index holds the ids alone, so a count reads it instead.
        CREATE INDEX paper_vectors_ids ON paper_vectors(paper_id);
        """
    )


# How many papers each state holds, kept by triggers on `papers`.
STATE_COUNT_TRIGGERS = """
CREATE TRIGGER papers_state_count_insert AFTER INSERT ON papers BEGIN
    INSERT INTO state_counts (state, papers) VALUES (new.state, 1)
        ON CONFLICT (state) DO UPDATE SET papers = papers + 1;
END;
CREATE TRIGGER papers_state_count_delete AFTER DELETE ON papers BEGIN
    UPDATE state_counts SET papers = papers - 1 WHERE state = old.state;
END;
CREATE TRIGGER papers_state_count_update AFTER UPDATE OF state ON papers
WHEN old.state IS NOT new.state BEGIN
    UPDATE state_counts SET papers = papers - 1 WHERE state = old.state;
    INSERT INTO state_counts (state, papers) VALUES (new.state, 1)
        ON CONFLICT (state) DO UPDATE SET papers = papers + 1;
END;
"""


@migration(9)
def _state_counts(db: sqlite_utils.Database) -> None:
    """Papers per state, kept in step by triggers (Library.stats()).

    The sidebar and the status bar's Inbox count refresh after triage writes; a
    `GROUP BY state` walks every entry of the state index (5.7 ms at 100k papers,
    ten times that at 1M), where reading this table is a handful of rows whatever
    the size. Counted from the papers here, so it starts right; touches no user data.
    """
    conn = db.conn
    conn.execute("CREATE TABLE state_counts (state TEXT PRIMARY KEY, "
                 "papers INTEGER NOT NULL) WITHOUT ROWID")
    conn.execute("INSERT INTO state_counts (state, papers) "
                 "SELECT state, count(*) FROM papers GROUP BY state")
    for statement in STATE_COUNT_TRIGGERS.split("END;")[:-1]:
        conn.execute(statement + "END;")


# The columns of `papers` the search's filters read (storage/query.py filter_sql:
# is:, year:, upvotes:, authors:, added:), held beside the id in one narrow index.
FILTER_INDEX = "papers_filters"
FILTER_COLUMNS = ("state", "starred", "published", "upvotes", "authors_count", "added_at")


@migration(10)
def _filter_index(db: sqlite_utils.Database) -> None:
    """An index of each paper's id and the columns search filters read.

    A search with a filter (`is:unread diffusion`) tests the filter on each paper
    the text matches, up to 10,000 of them. Read from `papers`, each test landed on
    a wide row of its own (the abstract is stored in it; `state` is its last
    column, past the overflow pages): 10-12 ms of a 15 ms search at 100k papers.
    This index holds ~60 bytes a paper (6 MB at 100k), so the same tests read a
    few hundred cached pages: 3-4 ms. New index only: no row is read or written
    but the index's own.
    """
    db.execute(f"CREATE INDEX {FILTER_INDEX} ON papers(id, {', '.join(FILTER_COLUMNS)})")


@migration(11)
def _read_index_holds_read_papers(db: sqlite_utils.Database) -> None:
    """The read-time index holds the papers that have been read, not every paper.

    Its one reader asks for read papers, newest read first (storage/learn.py: the
    negatives); every paper arrives unread, and as a full index it gave each new
    paper an entry that only said "not read" (0.05-0.1 s of CPU per 100k imported
    papers). Partial, that query plans the same (this index, no sort). Index
    only: no row is read or written but the index's own.
    """
    db.execute("DROP INDEX IF EXISTS papers_read_at")
    db.execute("CREATE INDEX papers_read_at ON papers(read_at) WHERE read_at IS NOT NULL")


@migration(12)
def _summary_in_full_text(db: sqlite_utils.Database) -> None:
    """A trending card's AI summary is searched: the index gains the `ai_summary`
    column (weighted as FTS_WEIGHTS says) and the query language `summary:`.

    FTS5 has no ADD COLUMN, and making the index again re-reads every paper
    (bench/README, "The summary in the index": 6 s of CPU at 100k papers, a minute
    at 1M, on the app's opening). A column added at the end changes none of the
    postings already written (each names its column by number), so the index is
    extended where it stands: its declaration gains the column (as migration 3
    changed its quoting), each paper's stored column sizes gain a zero for it, and
    only the papers that have a summary are indexed again, with it. A file whose
    index does not keep column sizes (not one Winnow made) is rebuilt instead. The
    index is derived from `papers`: no row of `papers` or of any user table is
    written.
    """
    conn = db.conn
    conn.execute("DROP TRIGGER IF EXISTS papers_fts_update")
    conn.execute("DROP TRIGGER IF EXISTS papers_fts_delete")
    old = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'papers_fts'").fetchone()[0]
    declared = [row[1] for row in conn.execute("PRAGMA table_info(papers_fts)")]
    sizes = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'papers_fts_docsize'"
                         ).fetchone() is not None
    new = (f"CREATE VIRTUAL TABLE papers_fts USING fts5({', '.join(FTS_COLUMNS)}, "
           f"content=\"papers\", content_rowid='id', tokenize='{FTS_TOKENIZE}')")
    if tuple(declared) == V1_FTS_COLUMNS and sizes and "columnsize" not in old:
        _redeclare_fts(conn, new)
        # A row's sizes are one varint per column; the new column holds no token.
        conn.execute("UPDATE papers_fts_docsize SET sz = CAST(sz || x'00' AS BLOB)")
        # What the index holds of these papers is their text without the summary: it
        # is taken out as that, and put back with it.
        have = "FROM papers WHERE ai_summary IS NOT NULL AND ai_summary != ''"
        kept = ", ".join(V1_FTS_COLUMNS)
        conn.execute(f"INSERT INTO papers_fts(papers_fts, rowid, {kept}, ai_summary) "
                     f"SELECT 'delete', id, {kept}, '' {have}")
        conn.execute(f"INSERT INTO papers_fts(rowid, {kept}, ai_summary) "
                     f"SELECT id, {kept}, ai_summary {have}")
    else:
        conn.execute("DROP TABLE IF EXISTS papers_fts_vocab")
        conn.execute("DROP TABLE papers_fts")
        conn.execute(new)
        conn.execute("CREATE VIRTUAL TABLE papers_fts_vocab USING fts5vocab(papers_fts, 'row')")
        conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
        conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', 16)")
    for statement in _fts_triggers(FTS_COLUMNS).split("END;")[:-1]:
        conn.execute(statement + "END;")


@migration(13)
def _annotations_say_which_text(db: sqlite_utils.Database) -> None:
    """A highlight says which text of its paper it is on: `field` is 'abstract' (every
    highlight made so far) or 'ai_summary' (the body of a trending card, which has no
    abstract). ADD COLUMN rewrites no row: every highlight stays as it is, on the
    abstract it was made on."""
    db.execute("ALTER TABLE annotations ADD COLUMN field TEXT NOT NULL DEFAULT 'abstract'")


# The texts of a paper a highlight can be on (annotations.field), each a papers column.
ANNOTATED_FIELDS = ("abstract", "ai_summary")


@migration(14)
def _summary_history(db: sqlite_utils.Database) -> None:
    """Every AI summary an import replaced, as `abstract_history` keeps abstracts:
    a highlight on a trending card's summary is made on that text, and when a later
    copy rewords the summary the sentence the user marked must stay readable where
    it stood, not only as a field of one import's journal (`import_changes`, the
    JSON "undo this import" reads).

    The summaries an import has already replaced are taken from those journals
    (each import's `before`, dated by the import), for the imports that still
    stand (an undone one put its `before` back); no row of `papers` or of a user
    table is written.
    """
    db["summary_history"].create(
        {"id": int, "paper_id": int, "ai_summary": str, "replaced_at": str,
         "source_id": int},
        pk="id", not_null={"paper_id", "ai_summary", "replaced_at"},
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.execute("CREATE INDEX summary_history_paper ON summary_history(paper_id)")
    db.execute(
        "INSERT INTO summary_history (paper_id, ai_summary, replaced_at, source_id) "
        "SELECT c.paper_id, json_extract(c.before, '$.ai_summary'), s.imported_at, "
        "c.source_id FROM import_changes c JOIN sources s ON s.id = c.source_id "
        "JOIN papers p ON p.id = c.paper_id "
        "WHERE s.status != 'undone' AND json_valid(c.before) AND json_valid(c.after) "
        "AND json_type(c.after, '$.ai_summary') IS NOT NULL "
        "AND coalesce(json_extract(c.before, '$.ai_summary'), '') != '' "
        "ORDER BY c.source_id, c.paper_id")


CURRENT_VERSION = max(MIGRATIONS)


def current_version() -> int:
    """The newest schema this program knows (CURRENT_VERSION unless a test has
    registered a further migration)."""
    return max(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, *, before_upgrade: Callable[[int], None] | None = None
            ) -> int:
    """Bring the file to the newest registered version; returns the version it had.

    `before_upgrade(version)` runs once before the first pending migration of an
    existing library (the Library takes a backup there). The newest version is read
    from MIGRATIONS at call time, so a test can register one more through
    `migration()` and watch a real upgrade.
    """
    current = current_version()
    found = user_version(conn)
    if found > current:
        raise SchemaTooNew(
            f"this library was written by a newer Winnow (schema {found}, this program "
            f"knows up to {current}); upgrade Winnow to open it"
        )
    if found == current:
        return found
    if found > 0 and before_upgrade is not None:
        before_upgrade(found)
    db = sqlite_utils.Database(conn)
    for version in range(found + 1, current + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Several processes may open a new or old file at once (three `winnow
            # import`s started together): whoever waited for the lock finds the
            # work done and must not create the tables a second time.
            if user_version(conn) < version:
                MIGRATIONS[version](db)
                conn.execute(f"PRAGMA user_version = {int(version)}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return found
