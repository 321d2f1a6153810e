"""More like this and For you: the paper vectors and the models of the user's interest.

The work is in storage/vectors.py (representation), storage/similar.py (neighbours)
and storage/learn.py (models, rankings, explanations); this part ties them to one
library's connection and failure policy. scikit-learn and scipy are imported on
first use, never at start.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import TYPE_CHECKING

from storage.library.core import Core, guarded
from storage.library.errors import LibraryCorrupt, LibraryError

if TYPE_CHECKING:
    from storage.search import SearchResult

if TYPE_CHECKING:
    from storage.learn import InterestModel, Ranking, Recommender, Why
    from storage.library.importing import CancelCallback
    from storage.vectors import VectorIndex


# Papers the GUI thread may vectorise itself when asked for neighbours before the
# worker has loaded anything: about a second's work.
FOREGROUND_VECTORS = 1000
# An import that leaves at most this many papers to vectorise (a day's listing is
# 50-250, a week's ~1,200) vectorises them itself, once its papers are committed:
# For you, `sort:interest` and more like this then know them in every process. A
# bigger one (a first import of a year) leaves them to the catch-up, which the app's
# worker and `winnow recommend` / `similar` run before any use: at ~1 ms a paper it
# would otherwise multiply the time of a bulk import.
IMPORT_VECTORS = 2000


class Learning:
    def __init__(self, core: Core) -> None:
        self._core = core
        self.conn = core.conn
        self._recommender: Recommender | None = None
        self._made = threading.Lock()
        # The GUI sets this: its own thread then vectorises and trains, and reads
        # here use the last model rather than fitting one on the caller's thread.
        self.in_background = False

    @property
    def recommender(self) -> Recommender:
        with self._made:  # the GUI's worker and the GUI thread may both ask first
            if self._recommender is None:
                from storage.learn import Recommender

                self._recommender = Recommender()
            return self._recommender

    @property
    def _ready(self) -> Recommender | None:
        """The recommender if something made it already: in the background mode the
        GUI thread never pays for importing numpy and scipy, the worker does."""
        return self._recommender

    @guarded
    def update_vectors(self, cancel: CancelCallback | None = None) -> int:
        """Vectorise the papers that have no vector yet; returns how many."""
        from storage.vectors import update_vectors

        self._core.refuse_writes()
        try:
            return update_vectors(self.conn, cancel=cancel)
        except sqlite3.Error as error:
            self._core.rollback_quietly()
            self._core.raise_for(error)

    def after_import(self) -> None:
        """Vectorise what an import just brought (see IMPORT_VECTORS). Only in a
        library that has vectors already: one that never used For you or more like
        this pays nothing. A failure here is not the import's: its papers are
        committed, and the catch-up will vectorise them."""
        if self._core.read_only or self.in_background:
            return  # the GUI thread never vectorises: the app's worker catches up
        try:
            if not self.conn.execute("SELECT EXISTS (SELECT 1 FROM paper_vectors)"
                                     ).fetchone()[0]:
                return
            # Imported only here: storage.vectors brings numpy and scipy (0.13 s of
            # CPU), which a library without vectors never needs after an import.
            from storage.vectors import behind

            if 0 < behind(self.conn) <= IMPORT_VECTORS:
                self.update_vectors()
        except LibraryCorrupt:
            raise
        except (LibraryError, sqlite3.Error):
            self._core.rollback_quietly()

    def _index(self) -> VectorIndex:
        from storage.vectors import behind, missing

        if self.in_background:
            # The worker keeps the index current; the GUI thread never waits for a
            # reload unless there is nothing loaded at all yet, and then vectorises
            # only what takes a moment (a small library opened a second ago).
            loaded = self.recommender.vectors.peek()
            if loaded.generation >= 0:
                return loaded
            if not self._core.read_only and 0 < missing(self.conn) <= FOREGROUND_VECTORS:
                self.update_vectors()
        elif not self._core.read_only and behind(self.conn) > 0:
            self.update_vectors()
        return self.recommender.vectors.get(self.conn)

    @guarded
    def similar(self, paper_id: int, limit: int = 10) -> list[int]:
        """Ids of the papers most like `paper_id` (nearest TF-IDF vectors), best first."""
        from storage.similar import similar_papers

        [paper_id] = self._core.existing_ids([paper_id])
        return [i for i, _ in similar_papers(self.conn, self._index(), paper_id, limit)]

    @guarded
    def recommend(self, tag: str | None = None, limit: int | None = None) -> Ranking:
        if tag is not None and not self.conn.execute(
                "SELECT 1 FROM tags WHERE name = ? COLLATE NOCASE", (tag,)).fetchone():
            raise LibraryError(f"no tag named {tag!r}")
        background = self.in_background or self._core.read_only
        if not background:
            self._index()
        return self.recommender.ranking(self.conn, tag, train=not background, limit=limit,
                                        vectorise=False)

    @guarded
    def by_interest(self, result: SearchResult, *, limit: int | None, offset: int
                    ) -> SearchResult:
        """`sort:interest`: the matches by the For you model's score, unscored ones
        (too early to learn, or no vector yet) after them in the SQL order."""
        from dataclasses import replace

        # A search never writes: the vectors are those stored (the app's worker, an
        # import in the app, `winnow recommend` or `similar` make the missing ones).
        end = None if limit is None else offset + limit
        # Only the papers up to the page's end are put in order (`winnow list`
        # shows 50 of a 1M Inbox: a full sort cost 250 ms there).
        page = self.order(result.ids, head=end)[offset:end]
        hits = {h.id: h for h in result.hits} if result.hits else {}
        return replace(result, ids=page, hits=[hits[i] for i in page if i in hits],
                       total=len(result.ids))

    def _model(self, tag: str | None) -> InterestModel | None:
        if not (self.in_background or self._core.read_only):
            return self.recommender.refresh(self.conn, tag, vectorise=False)
        ready = self._ready
        return None if ready is None else ready.model(tag)

    @guarded
    def order(self, ids: list[int], tag: str | None = None, *, head: int | None = None
              ) -> list[int]:
        """`ids` by the model's score, best first; those it cannot score (too early to
        learn, no vector yet) after them in the order given. With `head`, only the
        first `head` of that order are returned."""
        from storage.learn import best_first

        model = self._model(tag)
        if model is None:
            return list(ids) if head is None else list(ids[:head])
        rows, scored = model.index.rows_of(ids)
        order = best_first(model.scores(rows, self.conn), head)
        first: list[int] = scored[order].tolist()
        if len(first) == len(ids) or (head is not None and len(first) >= head):
            return first
        seen = set(first)
        return first + [i for i in ids if i not in seen]

    @guarded
    def status(self, tag: str | None = None) -> str:
        """One line on what orders the For you (or a tag's suggestions) view now."""
        from storage.learn import MIN_POSITIVES, kept_ids

        ready = self._ready
        model = None if ready is None else ready.model(tag)
        if model is not None:
            what = f"papers tagged #{tag}" if tag else "kept papers"
            return (f"Ranked by what you kept: a model of your {len(model.positive_ids)} "
                    f"{what}. Each paper says why above its abstract.")
        kept = len(kept_ids(self.conn, tag))
        if kept >= MIN_POSITIVES and (ready is None or not ready.trained(tag)):
            return "Learning from your decisions\u2026 ordered by upvotes and recency meanwhile."
        what = f"papers tagged #{tag}" if tag else \
            "papers starred, tagged, highlighted or noted"
        return (f"Not enough to learn from yet: {kept} of {MIN_POSITIVES} {what}. "
                f"Ordered by upvotes and recency meanwhile.")

    @guarded
    def why(self, paper_id: int, tag: str | None = None) -> Why | None:
        ready = self.recommender if not self.in_background else self._ready
        return None if ready is None else ready.why(self.conn, paper_id, tag)
