"""storage/schema.py: every released schema version upgrades to the current one with
its data intact.

Fixtures are text dumps in tests/fixtures/ (see the README there). The upgrade
path itself (backup first, one transaction per version, a failed step leaves
the file as it was) is exercised by registering one more migration through the
real `migration()` registry for the length of a test.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from storage import Library, LibraryError
from storage.schema import (
    MIGRATIONS,
    SchemaTooNew,
    current_version,
    migrate,
    migration,
    user_version,
)
from tests.fixtures.make_fixture import (
    FTS_PROBES,
    PASTE,
    SEED,
    add_user_data,
    dump,
    library_facts,
    load,
)
from tests.reliability.conftest import one_line_error, winnow

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DUMPS = sorted(FIXTURES.glob("library-v*.sql"), key=lambda p: int(re.findall(r"\d+", p.name)[0]))


def _version(dump: Path) -> int:
    return int(re.findall(r"\d+", dump.name)[0])


def _expected(dump: Path) -> dict[str, object]:
    return json.loads(dump.with_suffix(".json").read_text(encoding="utf-8"))


def _user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


def _released(facts: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """`facts` as the fixture's version reported them: later versions report more
    (v5 the triage state of each paper and its counts), checked on their own in
    test_read_papers_become_done_and_the_rest_inbox."""
    facts = dict(facts)
    facts["stats"] = {k: v for k, v in facts["stats"].items() if k in expected["stats"]}
    facts["user_data"] = {
        pid: {k: v for k, v in data.items() if k in expected["user_data"].get(pid, data)}
        for pid, data in facts["user_data"].items()}
    return facts


def test_there_is_a_fixture_for_every_version_up_to_the_current_one() -> None:
    assert [_version(d) for d in DUMPS] == list(range(1, current_version() + 1))


@pytest.mark.parametrize("dump", DUMPS, ids=[d.stem for d in DUMPS])
def test_each_released_version_opens_with_its_data(tmp_path: Path, dump: Path) -> None:
    path = load(dump.read_text(encoding="utf-8"), tmp_path / "library.db")
    assert _user_version(path) == _version(dump)

    with Library(path) as lib:
        assert _user_version(path) == current_version()
        assert _released(library_facts(lib), _expected(dump)) == _expected(dump)
        # The index answers queries, the user's own words included, and the undo
        # history still works across the upgrade.
        assert set(lib.search("zanzibar", limit=None).ids) >= {2}
        assert lib.undo()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")


def _index(path: Path) -> dict[str, list[tuple]]:
    """The full-text index as search reads it: every term's postings, each
    document's size, and the bm25 ranks of the probe words."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE VIRTUAL TABLE temp.postings USING "
                     "fts5vocab(main, papers_fts, 'instance')")
        ranks = [conn.execute("SELECT rowid, bm25(papers_fts) FROM papers_fts WHERE "
                              "papers_fts MATCH ? ORDER BY rowid", (word,)).fetchall()
                 for word in (*FTS_PROBES, "model", "training")]
        return {
            "postings": conn.execute("SELECT term, doc, col, offset FROM temp.postings "
                                     "ORDER BY 1, 2, 3, 4").fetchall(),
            "sizes": conn.execute("SELECT * FROM papers_fts_docsize ORDER BY id").fetchall(),
            "ranks": ranks,
        }


def test_a_dump_without_the_index_rows_loads_the_index_the_library_wrote(
        tmp_path: Path) -> None:
    """Fixtures from v3 on leave FTS5's index rows out (three fifths of each dump, the
    same in every version) and `load` rebuilds them by the dump's own declaration.
    That must give the very index the library wrote: same postings, same document
    sizes, same ranks. (v1 and v2 keep theirs as written: the index's declaration
    changed in migration 3, and it is upgraded from the rows a user's file holds.)"""
    path = tmp_path / "made.db"
    with Library(path) as lib:
        assert lib.import_files([SEED]).ok
        add_user_data(lib)
        assert lib.import_text(PASTE, name="pasted").ok
        full = "\n".join(dump(lib.conn, index_rows=True)) + "\n"
        lean = "\n".join(dump(lib.conn)) + "\n"
    assert "papers_fts_data" in full and "papers_fts_data\" VALUES" not in lean
    assert len(lean) < 0.6 * len(full)
    written = _index(load(full, tmp_path / "full.db"))
    rebuilt = _index(load(lean, tmp_path / "lean.db"))
    assert written["postings"] and written["sizes"]
    assert rebuilt == written
    for dump_file in DUMPS[:2]:  # v1 and v2 keep the rows a user's file holds
        assert 'INSERT OR REPLACE INTO "papers_fts_data"' in dump_file.read_text(
            encoding="utf-8"), dump_file.name


@pytest.fixture
def v1_library(tmp_path: Path) -> Path:
    return load((FIXTURES / "library-v1.sql").read_text(encoding="utf-8"),
                tmp_path / "library.db")


@pytest.fixture
def extra_migration() -> Iterator[int]:
    """The number the next migration registers under; unregistered afterwards."""
    version = current_version() + 1
    yield version
    MIGRATIONS.pop(version, None)


def test_upgrade_backs_up_first_then_migrates(v1_library: Path,
                                              extra_migration: int) -> None:
    @migration(extra_migration)
    def _add_a_column(db: sqlite_utils.Database) -> None:
        db.execute("ALTER TABLE papers ADD COLUMN reliability_probe TEXT")

    expected = _expected(FIXTURES / "library-v1.sql")
    with Library(v1_library) as lib:
        assert _released(library_facts(lib), expected) == expected
    assert _user_version(v1_library) == extra_migration
    [backup] = (v1_library.parent / "backups").glob("library-v1-*.db")
    assert _user_version(backup) == 1
    MIGRATIONS.pop(extra_migration)
    with Library(backup) as old:  # the backup is the v1 library, whole
        assert _released(library_facts(old), expected) == expected


def test_failed_upgrade_leaves_the_file_as_it_was(v1_library: Path,
                                                  extra_migration: int) -> None:
    @migration(extra_migration)
    def _half_done(db: sqlite_utils.Database) -> None:
        db.execute("ALTER TABLE papers ADD COLUMN half_done TEXT")
        db.execute("UPDATE no_such_table SET x = 1")

    with pytest.raises(LibraryError, match=r"could not upgrade.*left as it was"):
        Library(v1_library)
    # Each migration commits on its own: the file stays at the last whole version.
    assert _user_version(v1_library) == extra_migration - 1
    with closing(sqlite3.connect(v1_library)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(papers)")]
    assert "half_done" not in columns
    MIGRATIONS.pop(extra_migration)
    with Library(v1_library) as lib:
        expected = _expected(FIXTURES / "library-v1.sql")
        assert _released(library_facts(lib), expected) == expected


def test_too_new_library_is_refused_by_the_command_line_untouched(v1_library: Path) -> None:
    with closing(sqlite3.connect(v1_library)) as conn:
        conn.execute(f"PRAGMA user_version = {current_version() + 5}")
    before = v1_library.read_bytes()
    for args in (["list"], ["read", "1"], ["import", str(FIXTURES / "README.md")]):
        message = one_line_error(winnow(*args, db=v1_library))
        assert "newer Winnow" in message and "upgrade Winnow" in message
        assert str(v1_library) in message
    assert v1_library.read_bytes() == before


@pytest.mark.parametrize("dump", [d for d in DUMPS if _version(d) < 6],
                         ids=[d.stem for d in DUMPS if _version(d) < 6])
def test_read_papers_become_done_and_the_rest_inbox(tmp_path: Path, dump: Path) -> None:
    """Schema 6 (triage states): read marks become Done, decided when they were
    read; everything else is in the Inbox; no mark is lost."""
    expected = _expected(dump)
    with closing(sqlite3.connect(load(dump.read_text(encoding="utf-8"),
                                      tmp_path / "library.db"))) as conn:
        read_before = dict(conn.execute("SELECT id, read_at FROM papers "
                                        "WHERE read_at IS NOT NULL").fetchall())
    with Library(tmp_path / "library.db") as lib:
        stats = lib.stats()
        assert stats["done"] == stats["read"] == expected["stats"]["read"] == len(read_before)
        assert stats["inbox"] == expected["stats"]["unread"]
        assert stats["later"] == stats["shortlist"] == stats["skipped"] == 0
        done = lib.search("is:done", limit=None).ids
        assert sorted(done) == sorted(lib.search("is:read", limit=None).ids) \
            == sorted(read_before)
        for paper in lib.get_many(done):
            assert paper.state == "done" and paper.read_at == read_before[paper.id]
        changed_at = dict(lib.conn.execute(
            "SELECT id, state_changed_at FROM papers WHERE state = 'done'").fetchall())
        assert changed_at == read_before
        assert sorted(lib.search("is:inbox", limit=None).ids) == \
            sorted(lib.search("is:unread", limit=None).ids)
        # Undoing an action logged before the upgrade still works on its state.
        lib.redo()
        assert lib.undo()


@pytest.mark.parametrize("dump", [d for d in DUMPS if _version(d) < 11],
                         ids=[d.stem for d in DUMPS if _version(d) < 11])
def test_the_read_index_holds_the_read_papers_and_still_serves_its_query(
        tmp_path: Path, dump: Path) -> None:
    """Schema 11: papers_read_at holds read papers only (a new paper, unread, gets
    no entry), and the newest-read-first query still reads it without a sort."""
    newest_read = ("SELECT id FROM papers WHERE read_at IS NOT NULL "
                   "ORDER BY read_at DESC LIMIT ?")  # storage/learn.py's negatives
    expected = _expected(dump)
    read = sorted(int(pid) for pid, data in expected["user_data"].items() if data["read"])
    assert read  # the fixture has read papers to look for
    with Library(load(dump.read_text(encoding="utf-8"), tmp_path / "library.db")) as lib:
        conn = lib.conn
        plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {newest_read}",
                                                       (50,)))
        assert "INDEX papers_read_at" in plan and "TEMP B-TREE" not in plan
        entries = "SELECT sum(ncell) FROM dbstat WHERE name = ? AND pagetype = 'leaf'"
        assert conn.execute(entries, ("papers_read_at",)).fetchone()[0] == len(read)
        assert conn.execute(entries, ("papers_published",)).fetchone()[0] > len(read)
        assert sorted(row[0] for row in conn.execute(newest_read, (50,))) == read
        # A paper read now enters it; one made unread again leaves it.
        unread = sorted(set(lib.search("", limit=None).ids) - set(read))
        lib.set_state([unread[0]], "done")
        lib.set_state([read[0]], "inbox")
        now_read = sorted({*read[1:], unread[0]})
        assert sorted(row[0] for row in conn.execute(newest_read, (50,))) == now_read
        assert conn.execute(newest_read, (1,)).fetchone()[0] == unread[0]
        lib.import_text(PASTE.replace("Wombat", "Numbat"), name="more.txt")
        assert conn.execute(entries, ("papers_read_at",)).fetchone()[0] == len(now_read)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ------------------------------------------------------------- migrate() on its own


def test_a_new_file_gets_every_migration_and_no_backup_call(tmp_path: Path) -> None:
    calls: list[int] = []
    with closing(sqlite3.connect(tmp_path / "new.db", isolation_level=None)) as conn:
        assert migrate(conn, before_upgrade=calls.append) == 0
        assert user_version(conn) == current_version()
        assert migrate(conn, before_upgrade=calls.append) == current_version()  # no work
    assert calls == []


def test_an_old_file_is_announced_once_before_its_first_migration(v1_library: Path) -> None:
    calls: list[int] = []
    with closing(sqlite3.connect(v1_library, isolation_level=None)) as conn:
        assert migrate(conn, before_upgrade=calls.append) == 1
        assert user_version(conn) == current_version()
    assert calls == [1]


def test_a_newer_file_is_refused_and_left_alone(v1_library: Path) -> None:
    with closing(sqlite3.connect(v1_library, isolation_level=None)) as conn:
        conn.execute(f"PRAGMA user_version = {current_version() + 2}")
    before = v1_library.read_bytes()
    with closing(sqlite3.connect(v1_library, isolation_level=None)) as conn, \
            pytest.raises(SchemaTooNew, match=rf"\(schema {current_version() + 2}, this "
                                              rf"program knows up to {current_version()}\)"):
        migrate(conn)
    assert v1_library.read_bytes() == before


def test_a_version_is_registered_once() -> None:
    before = dict(MIGRATIONS)
    with pytest.raises(ValueError, match=r"^migration 1 registered twice$"):
        migration(1)(lambda db: None)
    assert before == MIGRATIONS



def test_schema_12_indexes_the_summaries_a_v11_library_holds(tmp_path: Path) -> None:
    """Schema 12: the AI summaries already stored (v11 kept them, unindexed) are found
    after the upgrade, on papers the user acted on too, with every mark as it was."""
    dump = FIXTURES / "library-v11.sql"
    path = load(dump.read_text(encoding="utf-8"), tmp_path / "library.db")
    with closing(sqlite3.connect(path)) as conn:
        # As a v11 import stored a trending card: the summary in its row, the index
        # over the other four columns.
        card = conn.execute(
            "INSERT INTO papers (key, title, abstract, added_at, ai_summary) VALUES "
            "('echidna tunnels', 'Echidna Tunnels', '', '2026-11-30T00:00:00+00:00', "
            "'A numbat digs through clay.') RETURNING id").fetchone()[0]
        conn.execute("INSERT INTO papers_fts (rowid, title, abstract, note, annotation_text) "
                     "VALUES (?, 'Echidna Tunnels', '', '', '')", (card,))
        # A summary a later trending copy gave a paper with a note (v11's update
        # trigger did not watch the column).
        conn.execute("UPDATE papers SET ai_summary = 'Platypus sonar, summarised.' "
                     "WHERE id = 2")
        conn.commit()
        assert conn.execute("SELECT rowid FROM papers_fts WHERE papers_fts MATCH "
                            "'numbat OR platypus'").fetchall() == []
    with Library(path) as lib:
        assert _user_version(path) == current_version() >= 12
        assert lib.search("numbat", limit=None).ids == [card]
        assert lib.search("summary:platypus", limit=None).ids == [2]
        assert lib.search("zanzibar platypus", limit=None).ids[:1] == [2]
        facts = library_facts(lib)
        assert facts["user_data"] == _expected(dump)["user_data"]
        assert facts["fts"] == _expected(dump)["fts"]
        # The index follows later edits of a summary.
        lib.conn.execute("UPDATE papers SET ai_summary = 'A quoll instead.' WHERE id = ?",
                         (card,))
        assert lib.search("numbat", limit=None).ids == []
        assert lib.search("quoll", limit=None).ids == [card]
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")


def test_schema_12_extends_the_index_to_what_a_rebuild_makes(tmp_path: Path) -> None:
    """The upgrade adds the column where the index stands instead of re-reading every
    paper: the result must be the very index FTS5's own rebuild makes of the same rows
    (every posting, every paper's column sizes, the bm25 ranks of words in each
    column, the summaries' included)."""
    path = load((FIXTURES / "library-v11.sql").read_text(encoding="utf-8"),
                tmp_path / "library.db")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE papers SET ai_summary = 'Wombat training, in short: ' || "
                     "substr(abstract, 1, 60) WHERE id % 3 = 0")
        conn.execute("UPDATE papers SET ai_summary = '' WHERE id = 4")
        conn.commit()
    with Library(path):
        pass
    rebuilt = tmp_path / "rebuilt.db"
    with closing(sqlite3.connect(path)) as conn, closing(sqlite3.connect(rebuilt)) as copy:
        conn.backup(copy)
        copy.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
        copy.commit()

    def index(file: Path) -> dict[str, list[tuple]]:
        found = _index(file)
        with closing(sqlite3.connect(file)) as conn:
            found["summary ranks"] = [conn.execute(
                "SELECT rowid, bm25(papers_fts, 10, 1, 4, 4, 0.5) FROM papers_fts "
                "WHERE papers_fts MATCH ? ORDER BY rowid", (word,)).fetchall()
                for word in ("wombat", "ai_summary : training", "training", "model")]
        return found

    extended, made = index(path), index(rebuilt)
    assert len(extended["summary ranks"][0]) >= 5
    assert extended == made


def test_schema_12_rebuilds_an_index_that_keeps_no_column_sizes(tmp_path: Path) -> None:
    """An index made by another tool without column sizes cannot be extended where it
    stands: the upgrade makes it again, and the summaries are found."""
    path = load((FIXTURES / "library-v11.sql").read_text(encoding="utf-8"),
                tmp_path / "library.db")
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP TABLE papers_fts")
        conn.execute("CREATE VIRTUAL TABLE papers_fts USING fts5(title, abstract, note, "
                     "annotation_text, content='papers', content_rowid='id', columnsize=0)")
        conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
        conn.execute("UPDATE papers SET ai_summary = 'Bilby burrows.' WHERE id = 5")
        conn.commit()
    with Library(path) as lib:
        assert lib.search("bilby", limit=None).ids == [5]
        assert set(lib.search("zanzibar", limit=None).ids) >= {2}
        assert "columnsize" not in lib.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'papers_fts'").fetchone()[0]
        lib.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
