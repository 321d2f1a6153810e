"""The triage states and flags, as data: the one table everything else reads.

A paper is in exactly one STATE (stored by name in `papers.state`) and carries
any FLAGS (a 0/1 column each, `papers.starred`). Each row of the table says
how the state looks and is reached everywhere:

    name        stored in the library and in the events log; never changes
    label       what the user reads (sidebar, toasts, command line); renameable
    key         the app's key that moves the selection into the state
    icon        the sidebar glyph
    mark        the paper list's glyph for a paper in it (default: the icon)
    colour      the mark's colour: a highlight colour name (yellow, green, blue, pink,
                purple), or empty for the theme's secondary text colour
    view        the sidebar view's key ("inbox": `g i`-style go-to uses it too)
    is_value    the query language's `is:` value (`is:done`)
    aliases     more `is:` values meaning the same (`is:read` for done)
    off_aliases `is:` values meaning "not in this state" (`is:unread`: not done)
    counted     whether its view shows a live count (`Library.stats()[name]`)
    export      the value written in the CSV/JSON `state` field
    undo_label  names the action in "Undid <undo_label> on 3 papers"
    verb        the command-line verb (`winnow done ID...`)
    past        how a toast says it: "Marked 3 papers <past>"
    snoozes     takes a date (or "someday") and comes back to the Inbox on it
    decision    leaving the Inbox for it is a triage decision (stats count it)

The user can rename states and add their own in `states.json` beside keys.json
in the config folder ($WINNOW_CONFIG_DIR, else the platform's user config dir):

    {"states": {"shortlist": {"label": "To read", "key": "w"},
                "skimmed": {"label": "Skimmed", "key": "c", "icon": "~"}}}

An entry named like a built-in state changes only the fields it gives; any
other name adds a state after the built-in ones. `table()` loads it (cached,
re-read when the file changes); a bad file raises StatesFileError with one line
naming the file and what is wrong (the app keeps the last good table instead and
shows that line: `tolerate_bad_file`). No Qt here: storage reads it too.

A state may not take a name another part of the program owns: a command-line verb
that is already a command (`delete`, `list`), or a key the app binds to something
else (`j`, `g t`). Storage knows neither list: the command line and the app
`reserve()` theirs, and the file is checked against what has been reserved.

A paper keeps its stored state even when the table no longer defines it (a state
removed from or renamed in states.json): nothing rewrites it. The open library
notes the states it holds (`note_stored`), so that `is:NAME` still finds those papers and
the app can show them; moving them with the normal keys is the user's choice.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

INBOX = "inbox"  # where new papers start and snoozed ones come back to
DEFAULT_STATE = INBOX


@dataclass(frozen=True, slots=True)
class State:
    name: str
    label: str
    key: str
    icon: str
    view: str = ""
    is_value: str = ""
    aliases: tuple[str, ...] = ()
    off_aliases: tuple[str, ...] = ()
    counted: bool = True
    export: str = ""
    undo_label: str = ""
    verb: str = ""
    past: str = ""
    snoozes: bool = False
    decision: bool = True
    mark: str = ""
    colour: str = ""

    def __post_init__(self) -> None:
        # Fields left empty follow the name, so a user's state needs only a label.
        for attribute, default in (("view", self.name), ("is_value", self.name),
                                   ("mark", self.icon),
                                   ("export", self.name), ("verb", self.name),
                                   ("undo_label", f"{self.label.lower()} mark"),
                                   ("past", self.label.lower())):
            if not getattr(self, attribute):
                object.__setattr__(self, attribute, default)


@dataclass(frozen=True, slots=True)
class Flag:
    """An on/off mark beside the state; `column` is its 0/1 column in `papers`."""

    name: str
    label: str
    key: str
    icon: str
    column: str
    view: str
    is_value: str
    off_value: str
    counted: bool = True
    export: str = ""
    undo_label: str = ""
    verb: str = ""
    off_verb: str = ""


BUILTIN_STATES: tuple[State, ...] = (
    State("inbox", "Inbox", "u", "✉", aliases=("new",), undo_label="back to Inbox",
          past="back in the Inbox", decision=False, mark="●", colour="blue"),
    State("later", "Later", "l", "◷", aliases=("snoozed",), undo_label="snooze",
          past="for later", snoozes=True, colour="purple"),
    State("shortlist", "Shortlist", "q", "⚑", aliases=("shortlisted",),
          undo_label="shortlist", past="for the shortlist", colour="yellow"),
    State("done", "Done", "e", "✓", aliases=("read",), off_aliases=("unread",),
          undo_label="done mark", past="done", colour="green"),
    State("skipped", "Skipped", "-", "⊘", aliases=("skip",), verb="skip",
          undo_label="skip", past="skipped"),
)

FLAGS: tuple[Flag, ...] = (
    Flag("starred", "Starred", "s", "★", column="starred", view="starred",
         is_value="starred", off_value="unstarred", export="starred", undo_label="star",
         verb="star", off_verb="unstar"),
)

SETTINGS_FILE = "states.json"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}\Z")
_FIELDS = {"label", "key", "icon", "view", "is_value", "aliases", "counted", "export",
           "undo_label", "verb", "past", "snoozes", "decision", "mark", "colour"}
MARK_COLOURS = ("yellow", "green", "blue", "pink", "purple")  # storage.models.COLOURS


class StatesFileError(ValueError):
    """The states settings file cannot be used: one line naming it and the fault."""


@dataclass(frozen=True)
class StateTable:
    """The states in effect (built-in ones, renamed or added to by the settings)."""

    states: tuple[State, ...]
    flags: tuple[Flag, ...] = FLAGS
    _by_name: dict[str, State] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update((s.name, s) for s in self.states)

    def get(self, name: str) -> State | None:
        return self._by_name.get(name)

    def __getitem__(self, name: str) -> State:
        return self._by_name[name]

    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)

    def by_verb(self, verb: str) -> State | None:
        return next((s for s in self.states if s.verb == verb), None)

    def is_filters(self) -> dict[str, tuple[str, bool]]:
        """Every `is:` value of states and flags: (state or flag name, True for in it,
        False for not in it)."""
        found: dict[str, tuple[str, bool]] = {}
        for state in self.states:
            for value in (state.is_value, *state.aliases):
                found.setdefault(value, (state.name, True))
            for value in state.off_aliases:
                found.setdefault(value, (state.name, False))
        for flag in self.flags:
            found.setdefault(flag.is_value, (flag.name, True))
            found.setdefault(flag.off_value, (flag.name, False))
        # States an open library holds that this table does not define: `is:NAME`.
        for name in sorted(unknown_states(self)):
            found.setdefault(name, (name, True))
        return found

    def is_sql(self, value: str) -> tuple[str, list[object]] | None:
        """The SQL condition over `papers p` for `is:value`, or None if no state or
        flag has that value."""
        hit = self.is_filters().get(value)
        if hit is None:
            return None
        name, inside = hit
        flag = next((f for f in self.flags if f.name == name), None)
        if flag is not None:
            return (f"p.{flag.column}" if inside else f"NOT p.{flag.column}"), []
        return ("p.state = ?" if inside else "p.state != ?"), [name]


def config_dir() -> Path:
    """$WINNOW_CONFIG_DIR or the user config dir: where desktop/keys.py keeps keys.json."""
    env = os.environ.get("WINNOW_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("winnow", appauthor=False)


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def _entry(path: Path, name: str, value: object) -> dict[str, Any]:
    if not _NAME.match(name):
        raise StatesFileError(f"{path}: state name {name!r} must be lower-case letters, "
                              f"digits or _ (up to 32), starting with a letter")
    if not isinstance(value, dict):
        raise StatesFileError(f"{path}: state {name!r} should be an object of fields")
    unknown = set(value) - _FIELDS
    if unknown:
        raise StatesFileError(f"{path}: state {name!r} has unknown field "
                              f"{sorted(unknown)[0]!r} (known: {', '.join(sorted(_FIELDS))})")
    for key, item in value.items():
        wanted = bool if key in ("counted", "snoozes", "decision") else \
            list if key == "aliases" else str
        if not isinstance(item, wanted) or (wanted is str and not item.strip()):
            kind = {bool: "true or false", list: "a list"}.get(wanted, "text")
            raise StatesFileError(f"{path}: state {name!r}: {key} should be {kind}")
    if value.get("colour", MARK_COLOURS[0]) not in MARK_COLOURS:
        raise StatesFileError(f"{path}: state {name!r}: colour should be one of "
                              f"{', '.join(MARK_COLOURS)}")
    if "aliases" in value:
        if not all(isinstance(a, str) and a.strip() and not a.split()[1:]
                   for a in value["aliases"]):
            raise StatesFileError(f"{path}: state {name!r}: aliases should be a list of "
                                  "single words")
        value = {**value, "aliases": tuple(a.strip().lower() for a in value["aliases"])}
    return value


def load(path: Path | None = None) -> StateTable:
    """The state table with the settings in `path` (default: `settings_path()`)
    applied; the built-in table when the file does not exist."""
    path = settings_path() if path is None else path
    try:
        # utf-8-sig: an editor that writes a byte-order mark makes no other file.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return StateTable(BUILTIN_STATES)
    except (OSError, UnicodeDecodeError) as error:
        raise StatesFileError(f"{path}: cannot read ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise StatesFileError(f"{path}: not valid JSON ({error.msg}, line {error.lineno})"
                              ) from None
    if not isinstance(data, dict) or not isinstance(data.get("states", {}), dict):
        raise StatesFileError(f"{path}: should be an object with a \"states\" object")
    states = {s.name: s for s in BUILTIN_STATES}
    for name, value in data.get("states", {}).items():
        fields = _entry(path, str(name), value)
        if name in states:
            old = states[name]
            if "icon" in fields and "mark" not in fields and old.mark == old.icon:
                fields["mark"] = fields["icon"]  # a mark that was the icon follows it
            states[name] = replace(old, **fields)
        elif "label" not in fields:
            raise StatesFileError(f"{path}: new state {name!r} needs a label")
        else:
            states[name] = State(name=name, key=fields.pop("key", ""),
                                 icon=fields.pop("icon", "•"), **fields)
    table = StateTable(tuple(states.values()))
    _check_unique(path, table)
    return table


def _check_unique(path: Path, table: StateTable) -> None:
    seen: dict[str, str] = {}
    taken = {f.is_value for f in table.flags} | {f.off_value for f in table.flags} | {
        "annotated", "unstarred"}
    for state in table.states:
        for what, value in (("is: value", state.is_value), ("view", "view:" + state.view),
                            ("verb", "verb:" + state.verb),
                            *(("key", "key:" + state.key) for _ in [0] if state.key)):
            if value in seen or value in taken:
                raise StatesFileError(f"{path}: state {state.name!r} has the same {what} "
                                      f"as {seen.get(value, 'a flag')!r}")
            seen[value] = state.name
        # An alias is an `is:` value too: `"aliases": ["starred"]` took `is:starred`
        # away from the flag without a word.
        for alias in (*state.aliases, *state.off_aliases):
            if alias in taken or seen.get(alias, state.name) != state.name:
                raise StatesFileError(f"{path}: state {state.name!r} has the same is: value "
                                      f"{alias!r} as {seen.get(alias, 'a flag')!r}")
            seen[alias] = state.name
        _check_reserved(path, state)


def _check_reserved(path: Path, state: State) -> None:
    """A verb that is already a command, or a key (or its go-to key `g KEY`) the app
    binds to something else, would be silently lost or would take that key away."""
    owner = _owner("verb", state.verb)
    if owner is not None and owner != f"state:{state.name}":
        raise StatesFileError(f"{path}: state {state.name!r}: verb {state.verb!r} is "
                              f"already {_owner_text(owner)}; choose another verb")
    for key in (state.key, f"g {state.key}") if state.key else ():
        owner = _owner("key", key)
        if owner is not None and owner != f"state:{state.name}":
            raise StatesFileError(f"{path}: state {state.name!r}: key {state.key!r} "
                                  f"({key}) is already {_owner_text(owner)}; choose "
                                  f"another key")


def _owner_text(owner: str) -> str:
    if owner.startswith("state:"):
        return f"a key of state {owner[len('state:'):]!r}"
    return owner


# Names owned elsewhere: (kind, {name: who has it}) per reservation in force. Kinds:
# "verb" (the command line's commands), "key" (the app's keys); an owner reads "the
# command `winnow delete`", "bound to 'Move down'", or "state:NAME" for a key that
# a state itself keeps (done's `r`).
_reservations: list[tuple[str, dict[str, str]]] = []


def _owner(kind: str, name: str) -> str | None:
    for reserved_kind, owners in _reservations:
        if reserved_kind == kind and name in owners:
            return owners[name]
    return None


def reserve(kind: str, owners: dict[str, str]) -> Callable[[], None]:
    """Names a state in the settings file may not take while this holds (see the
    module's doc): `kind` is "verb" or "key"; `owners` maps each name to what already
    has it, for the message. The file is checked again at the next `table()`. Returns
    the function that ends the reservation (a window that closes)."""
    entry = (kind, dict(owners))
    _reservations.append(entry)
    _recheck()

    def end() -> None:
        if any(e is entry for e in _reservations):
            _reservations[:] = [e for e in _reservations if e is not entry]
            _recheck()

    return end


def _recheck() -> None:
    """Read the file again at the next `table()`, keeping the table it last gave as
    the last good one (a file that is bad now falls back to it, not to the built-in
    states: the app re-reserves its keys each time keys.json is saved)."""
    global _cache, _bad
    if _cache is not None:
        _cache = (_cache[0], -1, _cache[2])  # no file has this stamp: read again
    _bad = None


# The states that open libraries hold papers in, by library.
_stored: dict[int, frozenset[str]] = {}


def note_stored(owner: object, names: set[str] | frozenset[str]) -> None:
    """The states an open library (`owner`) holds papers in; those no table defines
    become `is:` values. The library calls this when it opens and when it counts."""
    _stored[id(owner)] = frozenset(names)


def forget_stored(owner: object) -> None:
    """The library closed."""
    _stored.pop(id(owner), None)


def unknown_states(table: StateTable) -> set[str]:
    """The stored states of the open libraries that `table` does not define."""
    found: set[str] = set()
    for names in list(_stored.values()):
        found |= names
    return {name for name in found if table.get(name) is None}


_cache: tuple[Path, float | None, StateTable] | None = None
# The app's reporters of a bad file (tolerate_bad_file), and the file version last
# reported: a bad file is read and reported once per version, not at every call.
_reporters: list[Callable[[str], None]] = []
_bad: tuple[Path, float | None] | None = None


def tolerate_bad_file(report: Callable[[str], None]) -> Callable[[], None]:
    """For the app: while this holds, a bad settings file does not raise. `table()`
    keeps the last good table of that file (else the built-in one) and calls
    `report(line)` once per version of the bad file, with the one line naming it and
    what is wrong. The command line does not call this: there a bad file is an error.
    Returns the function that ends it."""
    global _bad
    _reporters.append(report)
    _bad = None  # a new reporter hears about a file that is bad already

    def stop() -> None:
        if report in _reporters:
            _reporters.remove(report)

    return stop


def table() -> StateTable:
    """The table in effect: the settings file's, re-read when it changes."""
    global _cache, _bad
    path = settings_path()
    try:
        stamp: float | None = path.stat().st_mtime_ns
    except OSError:
        # No file, or a config folder this user cannot look into (a service account,
        # a read-only home): the built-in states, as keys.json falls back to the keys.
        return StateTable(BUILTIN_STATES)
    if _cache is None or _cache[0] != path or _cache[1] != stamp:
        if _reporters and _bad == (path, stamp):
            return _fallback(path)
        try:
            loaded = load(path)
        except StatesFileError as error:
            if not _reporters:
                raise
            _bad = (path, stamp)
            for report in list(_reporters):
                report(str(error))
            return _fallback(path)
        _cache = (path, stamp, loaded)
    return _cache[2]


def _fallback(path: Path) -> StateTable:
    """While the file is bad: its last good table, else the built-in one."""
    if _cache is not None and _cache[0] == path:
        return _cache[2]
    return StateTable(BUILTIN_STATES)


def snooze_date(when: str | date | None, today: date | None = None) -> str | None:
    """The date a `later` paper comes back, as YYYY-MM-DD; None for someday.

    `when`: a date, "YYYY-MM-DD", "tomorrow", "next-week" (next Monday), "someday"
    (or None), or "Nd"/"Nw" (in N days or weeks). ValueError with one line if it
    is none of these or not after today."""
    today = today or date.today()
    if when is None:
        return None
    if isinstance(when, date):
        day = when
    else:
        text = " ".join(str(when).strip().lower().replace("_", "-").split())
        relative = re.fullmatch(r"(\d{1,3})\s*([dw])", text)
        if text in ("someday", "some-day", ""):
            return None
        if text == "tomorrow":
            day = today + timedelta(days=1)
        elif text in ("next-week", "next week"):
            day = today + timedelta(days=7 - today.weekday())
        elif relative:
            day = today + timedelta(days=int(relative[1]) * (7 if relative[2] == "w" else 1))
        else:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"not a date: {when!r} (use YYYY-MM-DD, tomorrow, "
                                 f"next-week, 3d, 2w or someday)") from None
    if day <= today:
        raise ValueError(f"the date {day.isoformat()} is not after today")
    return day.isoformat()
