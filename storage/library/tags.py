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


def _name_tag_edit(events: list[tuple[str, Any, Any]]) -> str | None:
    """ "deleting tag “x”", "renaming tag “x” to “y”", "merging tag “x” into “y”":
    what "Undid ..." says of a rename, merge or delete (its untags name no tag)."""
    for action, before, after in events:
        if action == "tag_merge":
            return f"merging tag “{before}” into “{after}”"
    for action, before, after in events:
        if action != "tag_row" or not before:
            continue
        if after is None:
            return f"deleting tag “{before['name']}”"
        if after["name"] != before["name"]:
            return f"renaming tag “{before['name']}” to “{after['name']}”"
    return None


class Tags:
    """The tags of one library; their undo goes through `events`."""

    def __init__(self, core: Core, events: Events) -> None:
        self._core = core
        self.conn = core.conn
        self._events = events
        events.register("tag_add", self._put_back, "tag", frozenset({TAGS}))
        events.register("tag_remove", self._put_back, "untag", frozenset({TAGS}))
        events.register("tag_row", self._put_row, "tag edit", frozenset({TAGS}))
        # Says which tag a merge went into: its rows alone read as a delete.
        events.register("tag_merge", lambda *_: None, "tag merge", frozenset({TAGS}))
        events.register_namer(frozenset({"tag_row", "tag_merge"}), _name_tag_edit)

    @guarded
    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of papers carrying it, by name."""
        return [tuple(row) for row in self.conn.execute(
            "SELECT t.name, count(pt.paper_id) FROM tags t LEFT JOIN paper_tags pt "
            "ON pt.tag_id = t.id GROUP BY t.id ORDER BY t.name COLLATE NOCASE")]

    @guarded
    def quick_tags(self) -> list[tuple[int, str]]:
        """(key, tag) for the tags on keys 1-9, by key. A tag gets the lowest free
        key when it is made and keeps it (renamed too) until it is deleted."""
        return [(row[0], row[1]) for row in self.conn.execute(
            "SELECT quick, name FROM tags WHERE quick IS NOT NULL ORDER BY quick")]

    def _free_quick(self) -> int | None:
        taken = {row[0] for row in self.conn.execute(
            "SELECT quick FROM tags WHERE quick IS NOT NULL")}
        return next((n for n in range(1, 10) if n not in taken), None)

    def _tag_id(self, name: str, *, create: bool) -> int | None:
        row = self.conn.execute("SELECT id FROM tags WHERE name = ? COLLATE NOCASE",
                                (name,)).fetchone()
        if row:
            return row[0]
        if not create:
            return None
        return self.conn.execute(
            "INSERT INTO tags (name, created_at, quick) VALUES (?, ?, ?)",
            (name, now(), self._free_quick())).lastrowid

    def _row(self, tag_id: int) -> dict[str, Any]:
        row = self.conn.execute("SELECT id, name, created_at, quick FROM tags WHERE id = ?",
                                (tag_id,)).fetchone()
        return {"id": row[0], "name": row[1], "created_at": row[2], "quick": row[3]}

    def _set_row(self, batch: int, before: dict[str, Any] | None,
                 after: dict[str, Any] | None) -> None:
        """Change one row of `tags` (None: absent) and log it for undo."""
        self._put_row(None, after, before)
        self._events.log(batch, None, "tag_row", before, after)

    @guarded
    def rename_tag(self, old: str, new: str) -> int:
        """Rename tag `old`; if a tag `new` exists (any case), merge `old` into it.
        Papers keep their tag; the quick-tag key stays with the renamed tag (in a
        merge the kept tag takes it if it had none). One undo step. Returns the
        number of papers now tagged `new` that were tagged `old`."""
        [old_name] = self._clean_tags([old])
        [new_name] = self._clean_tags([new], new=True)
        with self._core.write() as conn:
            source = self._tag_id(old_name, create=False)
            if source is None:
                raise LibraryError(f"no tag named {old_name!r}")
            target = self._tag_id(new_name, create=False)
            papers = [row[0] for row in conn.execute(
                "SELECT paper_id FROM paper_tags WHERE tag_id = ? ORDER BY paper_id",
                (source,))]
            batch = self._events.new_batch()
            before = self._row(source)
            if target is None or target == source:
                if before["name"] != new_name:
                    self._set_row(batch, before, {**before, "name": new_name})
                return len(papers)
            kept = self._row(target)
            self._events.log(batch, None, "tag_merge", before["name"], kept["name"])
            for paper_id in papers:
                if conn.execute(
                        "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id, added_at) "
                        "VALUES (?, ?, ?)", (paper_id, target, now())).rowcount:
                    self._events.log(batch, paper_id, "tag_add", None, kept["name"])
                conn.execute("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                             (paper_id, source))
                self._events.log(batch, paper_id, "tag_remove", before["name"], None)
            self._set_row(batch, before, None)
            if kept["quick"] is None and before["quick"] is not None:
                self._set_row(batch, kept, {**kept, "quick": before["quick"]})
        return len(papers)

    @guarded
    def delete_tag(self, name: str) -> int:
        """Take tag `name` off every paper and delete it (its quick key is freed).
        One undo step. Returns the number of papers that carried it."""
        [name] = self._clean_tags([name])
        with self._core.write() as conn:
            tag_id = self._tag_id(name, create=False)
            if tag_id is None:
                raise LibraryError(f"no tag named {name!r}")
            row = self._row(tag_id)
            papers = [r[0] for r in conn.execute(
                "SELECT paper_id FROM paper_tags WHERE tag_id = ? ORDER BY paper_id",
                (tag_id,))]
            batch = self._events.new_batch()
            for paper_id in papers:
                conn.execute("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                             (paper_id, tag_id))
                self._events.log(batch, paper_id, "tag_remove", row["name"], None)
            self._set_row(batch, row, None)
        return len(papers)

    @staticmethod
    def _clean_tags(tags: Iterable[str], *, new: bool = False) -> list[str]:
        """The names as stored; `new`: names a tag is given (added, renamed to), which
        may not begin with "-": the app's tag box and `-tag:` read that as removing."""
        cleaned = []
        for tag in tags:
            name = " ".join(safe_text(str(tag)).split())
            if not name:
                raise LibraryError("a tag cannot be empty")
            if new and name.startswith("-"):
                raise LibraryError(f"a tag cannot begin with \"-\" ({name!r}): the app's tag "
                                   f"box reads {name} as \"remove {name[1:].strip()}\"")
            if len(name) > 64:
                raise LibraryError(f"tag too long (64 characters at most): {name[:20]}…")
            cleaned.append(name)
        return list(dict.fromkeys(cleaned))

    @guarded
    def add_tags(self, ids: Iterable[int], tags: Iterable[str]) -> Change:
        """Tag papers, creating new tags; the Change counts the (paper, tag) pairs added."""
        wanted = self._core.existing_ids(ids)
        names = self._clean_tags(tags, new=True)
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

    def _put_row(self, _paper_id: int | None, target: Any, other: Any) -> None:
        """Put a row of `tags` into the state `target` (None: deleted)."""
        conn = self.conn
        if target is None:
            conn.execute("DELETE FROM tags WHERE id = ?", (other["id"],))
            return
        quick = target["quick"]
        if quick is not None and conn.execute(
                "SELECT 1 FROM tags WHERE quick = ? AND id != ?",
                (quick, target["id"])).fetchone():
            quick = None  # another tag has taken the key since; it keeps it
        if conn.execute("SELECT 1 FROM tags WHERE id = ?", (target["id"],)).fetchone():
            conn.execute("UPDATE tags SET name = ?, quick = ? WHERE id = ?",
                         (target["name"], quick, target["id"]))
        else:
            conn.execute("INSERT INTO tags (id, name, created_at, quick) VALUES (?, ?, ?, ?)",
                         (target["id"], target["name"], target["created_at"], quick))

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
