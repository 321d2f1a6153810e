"""Saved searches: a name for a query, shown as a view."""

from __future__ import annotations

from storage.library.core import Core, guarded, now, safe_text
from storage.library.errors import LibraryError
from storage.models import SEARCHES, Change


class SavedSearches:
    """The saved searches of one library."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.conn = core.conn

    @guarded
    def save_search(self, name: str, query: str) -> Change:
        name, query = " ".join(safe_text(name).split()), safe_text(query)
        if not name:
            raise LibraryError("a saved search needs a name")
        with self._core.write() as conn:
            conn.execute(
                "INSERT INTO saved_searches (name, query, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET query = excluded.query",
                (name, query, now()))
        return self._core.announce(Change(f"Saved the search {name}",
                                          aspects=frozenset({SEARCHES}), count=1))

    @guarded
    def saved_searches(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.conn.execute(
            "SELECT name, query FROM saved_searches ORDER BY name COLLATE NOCASE")]

    @guarded
    def delete_saved_search(self, name: str) -> Change:
        with self._core.write() as conn:
            if not conn.execute("DELETE FROM saved_searches WHERE name = ?", (name,)).rowcount:
                raise LibraryError(f"no saved search named {name!r}")
        return self._core.announce(Change(f"Deleted the saved search {name}",
                                          aspects=frozenset({SEARCHES}), count=1))
