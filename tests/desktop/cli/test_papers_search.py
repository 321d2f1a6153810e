"""`winnow list` in a real subprocess: whole words, tiers, exclusions (issue 12)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.desktop.cli.conftest import winnow
from tests.storage.search.helpers import WORD_CLASSES

EVERY = "1000000"


def raw(db: Path, expr: str) -> set[int]:
    with closing(sqlite3.connect(db)) as conn:
        return {r[0] for r in conn.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?", (expr,))}


def listed(db: Path, *query: str) -> tuple[list[int], str]:
    result = winnow("list", *query, "--limit", EVERY, "--json", db=db)
    assert result.returncode == 0, result.stderr
    return [paper["id"] for paper in json.loads(result.stdout)], result.stderr


@pytest.mark.parametrize("kind", list(WORD_CLASSES))
def test_a_word_of_each_class_lists_what_raw_fts5_matches(seeded_path: Path,
                                                           kind: str) -> None:
    for word in WORD_CLASSES[kind][:2]:
        ids, stderr = listed(seeded_path, word)
        expected = raw(seeded_path, f'"{word}"')
        assert expected, word
        assert len(ids) == len(expected) and set(ids) == expected, (kind, word)
        # The status line: the count only (nothing corrected, one word: no tiers).
        noun = "paper" if len(expected) == 1 else "papers"
        assert stderr == f"{len(expected)} {noun}\n", (word, stderr)


def test_the_words_of_the_issue(seeded_path: Path) -> None:
    for word, count in (("memory", 52), ("policy", 31), ("strategy", 60)):
        ids, _ = listed(seeded_path, word)
        assert len(ids) == count
    ids, stderr = listed(seeded_path, "agent", "memory")
    both = raw(seeded_path, '"agent" AND "memory"')
    either = raw(seeded_path, '"agent" OR "memory"')
    assert set(ids[:len(both)]) == both and set(ids) == either
    assert stderr == f"{len(either)} papers · 1 has all words · {len(either) - 1} more " \
        "have some\n"


def test_exclusions_are_query_words_not_options(seeded_path: Path) -> None:
    moe = raw(seeded_path, '"moe" OR "mixture of experts"')
    ids, _ = listed(seeded_path, "-moe")
    with closing(sqlite3.connect(seeded_path)) as conn:
        total = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        conn.execute("INSERT INTO tags (name, created_at) VALUES ('x', '2026-01-01')")
        conn.execute("INSERT INTO paper_tags (paper_id, tag_id, added_at) "
                     "SELECT id, 1, '2026-01-01' FROM papers WHERE id <= 5")
        conn.commit()
    # `moe` finds the long form too, so `-moe` leaves both out: each paper is
    # listed by exactly one of the two (`-rl` kept 15 papers `rl` found).
    assert moe and len(ids) == total - len(moe)
    assert set(ids).isdisjoint(moe)
    ids, _ = listed(seeded_path, "-tag:x")
    assert len(ids) == total - 5 and not set(ids) & {1, 2, 3, 4, 5}
    ids, _ = listed(seeded_path, "speculative", "-draft", "--limit", "5")
    assert ids and set(ids).isdisjoint(raw(seeded_path, '"draft"'))
    # Real options still are options, before or after the query, and a typo'd
    # long option is still an error.
    assert winnow("list", "-h", db=seeded_path).stdout.startswith("usage:")
    bad = winnow("list", "memory", "--limt", "3", db=seeded_path)
    assert bad.returncode == 2 and "--limt" in bad.stderr


def test_explain_shows_abbreviations_and_tiers(seeded_path: Path) -> None:
    result = winnow("list", "--explain", "MoE", "routing", "--limit", "1", db=seeded_path)
    assert result.returncode == 0, result.stderr
    assert "abbreviation (defined in this library): MoE -> also" in result.stdout
    assert "then papers with some of the words" in result.stdout


def test_list_always_ends_with_one_status_line_that_is_not_an_error(seeded_path: Path) -> None:
    def status(*args: str) -> str:
        result = winnow("list", *args, db=seeded_path)
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        assert not result.stderr.startswith("winnow"), result.stderr
        return result.stderr.rstrip("\n")

    agent = len(raw(seeded_path, '"agent"'))
    assert agent > 5
    assert status("agent") == f"{agent} papers"
    assert status("agent", "--limit", "5") == f"{agent} papers, the first 5 listed"
    assert status("kolmogorv", "arnld") == "3 papers · Showing results for kolmogorov arnold"
    assert status("xqzvvkjw") == 'No papers match "xqzvvkjw"'
    assert status("title:kangaroo") == "1 paper"
    # A sorted list holds the papers with every word only, and says how many.
    both = len(listed(seeded_path, "speculative", "decoding", "--sort", "date")[0])
    assert 0 < both < len(listed(seeded_path, "speculative", "decoding")[0])
    assert status("speculative", "decoding", "--sort", "date", "--limit", "2") == \
        f"{both} papers, the first 2 listed"
    assert status("speculative", "decoding", "sort:date", "--limit", "2", "--json") == \
        f"{both} papers, the first 2 listed"
    # Errors keep the prefix that marks them, and print no status line.
    bad = winnow("list", "agent", "--limt", "3", db=seeded_path)
    assert bad.returncode == 2 and bad.stderr.startswith("winnow: ") and "papers" not in bad.stderr


def test_an_empty_library_says_so_and_how_to_fill_it(tmp_path: Path) -> None:
    from storage import Library

    Library(tmp_path / "empty.db").close()
    result = winnow("list", db=tmp_path / "empty.db")
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr == ("No papers in this library yet: import listings with "
                             "`winnow import FILE...`\n")


def test_a_filter_that_is_not_one_is_named_on_the_status_line(seeded_path: Path) -> None:
    result = winnow("list", "is:unred", db=seeded_path)
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.startswith('No papers match "is:unred" · is:unred is not a filter '
                                    "(is: takes ")
    assert "unread" in result.stderr and result.stderr.count("\n") == 1
