"""Triage statistics: what the Stats view and `winnow stats` show, computed once.

    from storage.stats import triage_stats
    figures = triage_stats(library)            # a TriageStats; .to_json() for JSON

One definition of a *decision* makes every count agree (the sidebar, `stats()`,
the per-day table, the heatmap, the command line): a paper counts as decided on
the local day its current state was set (`papers.state_changed_at`), in the
state it holds now, if that state is a decision (every state but the Inbox; see
`decision` in storage/states.py). A mark later taken back (undone, or the paper
moved back to the Inbox) is not a decision any more. So, over all time,

    sum(decisions_per_day) == sum(per_state[s] for decision states s)

and `per_state` is `Library.stats()` per state. `since` limits the per-day
series and the inbox history, never the totals.

TriageStats fields (dates are local YYYY-MM-DD strings, oldest first):

    today              the last day of the series
    per_day            [(date, decisions)] for every day of the window (zeros kept),
                       the calendar heatmap's cells
    per_state          {state name: papers in it now}, every state of the table, then
                       any state the library holds that the table no longer defines
                       (removed from or renamed in states.json), by its stored name
    decided            papers in a decision state now (the sum of per_day over all time)
    inbox              [(date, papers in the Inbox at the end of that day,
                         age in days of the oldest of them or None)] for the window
    decision_seconds   {"count", "median", "mean", "p90"}: time from one decision
                       to the next while triaging, from the events log's timestamps;
                       gaps over SESSION_GAP_SECONDS end a session and are left out;
                       a bulk action (several papers in one key press) is one decision
    top_tags           [(tag, papers)], most used first, at most TOP_TAGS
    labels             {state name: its label}: what the view prints
"""

from __future__ import annotations

import heapq
import itertools
import json
import statistics
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from storage import states

if TYPE_CHECKING:
    from storage.library import Library

SESSION_GAP_SECONDS = 600
TOP_TAGS = 10
DAYS = 365


@dataclass(frozen=True)
class TriageStats:
    today: str
    per_day: list[tuple[str, int]]
    per_state: dict[str, int]
    decided: int
    inbox: list[tuple[str, int, int | None]]
    decision_seconds: dict[str, float]
    top_tags: list[tuple[str, int]]
    labels: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["per_day"] = [list(d) for d in self.per_day]
        data["inbox"] = [list(d) for d in self.inbox]
        data["top_tags"] = [list(t) for t in self.top_tags]
        return data

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


def triage_stats(library: Library, *, days: int = DAYS, today: date | None = None,
                 table: states.StateTable | None = None) -> TriageStats:
    """Every figure of the Stats view for the `days` days up to `today` (local).
    `table`: the states to count by (default: `states.table()`); the app's worker
    thread passes the window's, so that it never reads the settings file itself."""
    today = today or date.today()
    first = today - timedelta(days=days - 1)
    conn = library.conn
    table = table if table is not None else states.table()
    # The per-state counts table (schema 9), as Library.stats() reads it.
    by_state = dict(conn.execute("SELECT state, papers FROM state_counts").fetchall())
    per_state = {s.name: by_state.get(s.name, 0) for s in table.states}
    unknown = sorted(name for name, n in by_state.items() if n and table.get(name) is None)
    per_state.update((name, by_state[name]) for name in unknown)
    decision_states = [s.name for s in table.states if s.decision]
    marks = ",".join("?" * len(decision_states))
    by_day = dict(conn.execute(
        f"SELECT date(state_changed_at, 'localtime'), count(*) FROM papers "
        f"WHERE state IN ({marks}) AND state_changed_at IS NOT NULL GROUP BY 1",
        decision_states).fetchall())
    per_day = [(day.isoformat(), by_day.get(day.isoformat(), 0))
               for day in _days(first, today)]
    return TriageStats(
        today=today.isoformat(), per_day=per_day, per_state=per_state,
        decided=sum(per_state[name] for name in decision_states),
        inbox=_inbox_series(library, first, today),
        decision_seconds=_decision_seconds(library, table),
        # A tag whose papers were all deleted is no top tag (it drew a bar of 0).
        top_tags=sorted((t for t in library.tags() if t[1] > 0),
                        key=lambda t: (-t[1], t[0].casefold()))[:TOP_TAGS],
        labels={**{s.name: s.label for s in table.states}, **{n: n for n in unknown}})


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _local_day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone().date()


def _timelines(library: Library) -> dict[int, list[tuple[date, bool]]]:
    """For each paper that ever left the Inbox: (day, in the Inbox after it) at each
    change, oldest first, from the events log (undone actions left out) and, for a
    state set without an event (a library upgraded from read marks), the paper's
    own state_changed_at. A snooze comes back on its date unless changed before."""
    conn = library.conn
    changes: dict[int, list[tuple[str, str, str | None]]] = {}
    for paper_id, action, after, at in conn.execute(
            "SELECT paper_id, action, after, at FROM events WHERE undone = 0 "
            "AND action IN ('state', 'read') AND paper_id IS NOT NULL ORDER BY id"):
        value = json.loads(after)
        if action == "read":
            state, until = ("done" if value is not None else states.INBOX), None
        else:
            state, until = value["state"], value.get("until")
        changes.setdefault(paper_id, []).append((at, state, until))
    for paper_id, state, at in conn.execute(
            "SELECT id, state, state_changed_at FROM papers WHERE state != ? "
            "AND state_changed_at IS NOT NULL", (states.INBOX,)):
        if paper_id not in changes:
            changes[paper_id] = [(at, state, None)]
    timelines: dict[int, list[tuple[date, bool]]] = {}
    for paper_id, steps in changes.items():
        line: list[tuple[date, bool]] = []
        for index, (at, state, until) in enumerate(steps):
            day = _local_day(at)
            line.append((day, state == states.INBOX))
            if until:
                wake = date.fromisoformat(until)
                following = steps[index + 1][0] if index + 1 < len(steps) else None
                if following is None or _local_day(following) >= wake:
                    line.append((wake, True))
        timelines[paper_id] = line
    return timelines


_UNTOUCHED = ("id NOT IN (SELECT paper_id FROM events WHERE undone = 0 AND action IN "
              "('state', 'read') AND paper_id IS NOT NULL) AND NOT (state != ? AND "
              "state_changed_at IS NOT NULL)")


def _inbox_series(library: Library, first: date, last: date
                  ) -> list[tuple[str, int, int | None]]:
    """Papers in the Inbox at the end of each day, and the age of the oldest.

    Papers never moved (most of a big library) are counted by SQL, by the day they
    came; only those with a timeline are followed one by one."""
    conn = library.conn
    timelines = _timelines(library)
    came: dict[date, tuple[int, date]] = {}
    for day, count, oldest in conn.execute(
            f"SELECT date(added_at, 'localtime'), count(*), min(added_at) FROM papers "
            f"WHERE {_UNTOUCHED} GROUP BY 1", (states.INBOX,)):
        came[date.fromisoformat(day)] = (count, _local_day(oldest))
    moves: dict[date, list[tuple[int, bool]]] = {}
    added: dict[int, date] = {}
    ids = list(timelines)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for paper_id, added_at in conn.execute(
                f"SELECT id, added_at FROM papers WHERE id IN ({','.join('?' * len(chunk))})",
                chunk):
            day = _local_day(added_at)
            added[paper_id] = day
            for step_day, inside in [(day, True), *timelines[paper_id]]:
                moves.setdefault(max(step_day, day), []).append((paper_id, inside))
    inside_now: dict[int, bool] = {}
    heap: list[tuple[date, int]] = []
    size, oldest_untouched = 0, None
    series = []
    for day in sorted({*moves, *came, *_days(first, last)}):
        if day > last:
            break
        count, oldest = came.get(day, (0, None))
        size += count
        if oldest is not None and (oldest_untouched is None or oldest < oldest_untouched):
            oldest_untouched = oldest
        for paper_id, inside in moves.get(day, ()):
            was = inside_now.get(paper_id, False)
            if inside and not was:
                size += 1
                heapq.heappush(heap, (added[paper_id], paper_id))
            elif was and not inside:
                size -= 1
            inside_now[paper_id] = inside
        if day < first:
            continue
        while heap and not inside_now.get(heap[0][1], False):
            heapq.heappop(heap)
        candidates = [d for d in (oldest_untouched, heap[0][0] if heap else None) if d]
        series.append((day.isoformat(), size, (day - min(candidates)).days
                       if candidates else None))
    return series


def _decision_seconds(library: Library, table: states.StateTable) -> dict[str, float]:
    """Seconds between consecutive decisions within a triage session."""
    decisions = {s.name for s in table.states if s.decision}
    times: list[datetime] = []
    for action, after, at in library.conn.execute(
            "SELECT action, min(after), min(at) FROM events WHERE undone = 0 "
            "AND action IN ('state', 'read') GROUP BY batch ORDER BY batch"):
        value = json.loads(after)
        decided = value is not None if action == "read" else value["state"] in decisions
        if decided:
            times.append(datetime.fromisoformat(at))
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    gaps = [g for g in gaps if 0 <= g <= SESSION_GAP_SECONDS]
    if not gaps:
        return {"count": 0, "median": 0.0, "mean": 0.0, "p90": 0.0}
    ordered = sorted(gaps)
    return {"count": len(gaps), "median": statistics.median(gaps),
            "mean": round(statistics.fmean(gaps), 2),
            "p90": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]}
