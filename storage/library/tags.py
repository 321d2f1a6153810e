"""Tags: named, case-insensitive, on any number of papers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from storage.library.core import Core, guarded, now, plural, safe_text
from storage.library.errors import LibraryError
from storage.library.events import Events
from storage.models import COUNTS, TAGS, Change


def tags_of(conn: sqlite3.Connection, chunk: Sequence[int], marks: str) -> dict[int, list[str]]:
    """Tag names of the papers in `chunk` (`marks` holds its placeholders), by name."""
    tags: dict[int, list[str]] = {}
    for paper_id, name in conn.execute(
            f"SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t "
            f"ON t.id = pt.tag_id WHERE pt.paper_id IN ({marks}) "
            f"ORDER BY t.name COLLATE NOCASE", chunk):
        tags.setdefault(paper_id, []).append(name)
    return tags


class Tags:
    """The tags of one library; their undo goes through `events`."""

    def __init__(self, core: Core, events: Events) -> None:
        self._core = core
        self.conn = core.conn
        self._events = events
        events.register("tag_add", self._put_back, "tag", frozenset({TAGS}))
        events.register("tag_remove", self._put_back, "untag", frozenset({TAGS}))

    @guarded
    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of papers carrying it, by name."""
        return [tuple(row) for row in self.conn.execute(
            "SELECT t.name, count(pt.paper_id) FROM tags t LEFT JOIN paper_tags pt "
            "ON pt.tag_id = t.id GROUP BY t.id ORDER BY t.name COLLATE NOCASE")]

    def _tag_id(self, name: str, *, create: bool) -> int | None:
        row = self.conn.execute("SELECT id FROM tags WHERE name = ? COLLATE NOCASE",
                                (name,)).fetchone()
        if row:
            return row[0]
        if not create:
            return None
        return self.conn.execute("INSERT INTO tags (name, created_at) VALUES (?, ?)",
                                 (name, now())).lastrowid

    @staticmethod
    def _clean_tags(tags: Iterable[str]) -> list[str]:
        cleaned = []
        for tag in tags:
            name = " ".join(safe_text(str(tag)).split())
            if not name:
                raise LibraryError("a tag cannot be empty")
            if len(name) > 64:
                raise LibraryError(f"tag too long (64 characters at most): {name[:20]}…")
            cleaned.append(name)
        return list(dict.fromkeys(cleaned))

    @guarded
    def add_tags(self, ids: Iterable[int], tags: Iterable[str]) -> Change:
        """Tag papers, creating new tags; the Change counts the (paper, tag) pairs added."""
        wanted = self._core.existing_ids(ids)
        names = self._clean_tags(tags)
        added = 0
        papers: list[int] = []
        with self._core.write() as conn:
            batch = self._events.new_batch()
            for name in names:
                tag_id = self._tag_id(name, create=True)
                tag_name = conn.execute("SELECT name FROM tags WHERE id = ?",
                                        (tag_id,)).fetchone()[0]
                for paper_id in wanted:
                    if conn.execute(
                            "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id, added_at) "
                            "VALUES (?, ?, ?)", (paper_id, tag_id, now())).rowcount:
                        self._events.log(batch, paper_id, "tag_add", None, tag_name)
                        added += 1
                        papers.append(paper_id)
        return self._core.announce(Change(
            f"Tagged {plural(len(set(papers)), 'paper')} {', '.join(names)}",
            tuple(dict.fromkeys(papers)), frozenset({TAGS, COUNTS}), count=added))

    @guarded
    def remove_tags(self, ids: Iterable[int], tags: Iterable[str]) -> Change:
        """Untag papers; the Change counts the (paper, tag) pairs removed."""
        wanted = self._core.existing_ids(ids)
        names = self._clean_tags(tags)
        removed = 0
        papers: list[int] = []
        with self._core.write() as conn:
            batch = self._events.new_batch()
            for name in names:
                tag_id = self._tag_id(name, create=False)
                if tag_id is None:
                    continue
                tag_name = conn.execute("SELECT name FROM tags WHERE id = ?",
                                        (tag_id,)).fetchone()[0]
                for paper_id in wanted:
                    if conn.execute("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                                    (paper_id, tag_id)).rowcount:
                        self._events.log(batch, paper_id, "tag_remove", tag_name, None)
                        removed += 1
                        papers.append(paper_id)
        return self._core.announce(Change(
            f"Removed {', '.join(names)} from {plural(len(set(papers)), 'paper')}",
            tuple(dict.fromkeys(papers)), frozenset({TAGS, COUNTS}), count=removed))

    def _put_back(self, paper_id: int, target: Any, other: Any) -> None:
        # A tag event holds the tag's name on its tagged side and None on the other.
        name = target if target is not None else other
        tag_id = self._tag_id(name, create=target is not None)
        if target is not None:
            self.conn.execute("INSERT OR IGNORE INTO paper_tags (paper_id, tag_id, added_at) "
                              "VALUES (?, ?, ?)", (paper_id, tag_id, now()))
        elif tag_id is not None:
            self.conn.execute("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                              (paper_id, tag_id))
