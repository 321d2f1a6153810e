"""Triage states as data (storage/states.py) through the real Library: each state's
setter, `is:` filter, count, export field, undo/redo, the snooze wake-up, and the
user's settings file renaming and adding states."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from storage import Library, LibraryError, states
from storage.models import COUNTS, STATE

BUILTIN = [s.name for s in states.BUILTIN_STATES]
DECIDED = [name for name in BUILTIN if name != states.INBOX]


@pytest.fixture(autouse=True)
def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("WINNOW_CONFIG_DIR", str(folder))
    return folder


def _ids(lib: Library, query: str) -> set[int]:
    return set(lib.search(query, limit=None).ids)


@pytest.mark.parametrize("name", DECIDED)
def test_each_state_has_its_filter_count_and_export_field(seeded: Library, name: str) -> None:
    spec = states.table()[name]
    change = seeded.set_state([3, 5, 8], name)
    assert change.paper_ids == (3, 5, 8) and change.aspects == {STATE, COUNTS}
    assert change.description.startswith(f"Marked 3 papers {spec.past}")
    for value in (spec.is_value, *spec.aliases):
        assert _ids(seeded, f"is:{value}") == {3, 5, 8}, value
    assert _ids(seeded, f"-is:{spec.is_value}") == set(range(1, 416)) - {3, 5, 8}
    counts = seeded.stats()
    assert counts[name] == 3 and counts["inbox"] == 412
    assert sum(counts[s] for s in BUILTIN) == counts["total"] == 415
    exported = json.loads(seeded.export(f"is:{name}", "json"))
    assert {p["state"] for p in exported} == {spec.export}
    rows = list(csv.DictReader(io.StringIO(seeded.export(f"is:{name}", "csv"))))
    assert [r["state"] for r in rows] == [spec.export] * 3


@pytest.mark.parametrize("name", DECIDED)
def test_each_state_change_undoes_and_redoes(seeded: Library, name: str) -> None:
    seeded.set_state([4], "shortlist" if name != "shortlist" else "done")
    before = seeded.get(4)
    seeded.set_state([4, 6], name)
    undone = seeded.undo()
    spec = states.table()[name]
    assert undone.description == f"Undid {spec.undo_label} on 2 papers"
    assert seeded.get(4) == before and seeded.get(6).state == states.INBOX
    assert seeded.stats()[name] == 0
    seeded.redo()
    assert {seeded.get(i).state for i in (4, 6)} == {name}


def test_read_and_unread_are_done_and_not_done(seeded: Library) -> None:
    seeded.set_read([1, 2])
    seeded.set_state([3], "shortlist")
    assert seeded.get(1).state == "done" and seeded.get(1).read
    assert _ids(seeded, "is:read") == _ids(seeded, "is:done") == {1, 2}
    assert _ids(seeded, "is:unread") == set(range(3, 416))
    assert seeded.stats()["unread"] == 413 and seeded.stats()["read"] == 2
    seeded.set_read([1], False)
    assert seeded.get(1).state == states.INBOX and seeded.get(1).read_at is None


def test_done_again_keeps_when_it_was_done(seeded: Library) -> None:
    seeded.set_state([7], "done")
    first = seeded.get(7).read_at
    assert not seeded.set_state([7], "done")
    assert seeded.get(7).read_at == first


def test_later_until_a_date_then_back_in_the_inbox_on_it(seeded: Library) -> None:
    today = date.today()
    change = seeded.set_state([10], "later", until="tomorrow")
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert change.description.endswith(f"until {tomorrow}")
    seeded.set_state([11], "later", until="someday")
    seeded.set_state([12], "later", until=today + timedelta(days=9))
    assert seeded.get(10).snooze_until == tomorrow and seeded.get(11).snooze_until is None
    assert _ids(seeded, "is:later") == {10, 11, 12}
    heard = []
    seeded.listen(heard.append)
    assert not seeded.wake_snoozed(today)  # nothing due yet
    woken = seeded.wake_snoozed(today + timedelta(days=1))
    assert woken.paper_ids == (10,) and heard == [woken]
    assert seeded.get(10).state == states.INBOX and seeded.get(10).snooze_until is None
    assert _ids(seeded, "is:later") == {11, 12}  # someday never comes by itself
    woken = seeded.wake_snoozed(today + timedelta(days=400))
    assert woken.paper_ids == (12,) and _ids(seeded, "is:later") == {11}


def test_a_library_opened_after_the_date_wakes_its_papers(seeded_path: Path) -> None:
    with Library(seeded_path) as lib:
        lib.set_state([20], "later", until="tomorrow")
        # As if the day had passed: the stored date is yesterday's.
        lib.conn.execute("UPDATE papers SET snooze_until = ? WHERE id = 20",
                         ((date.today() - timedelta(days=1)).isoformat(),))
    with Library(seeded_path) as lib:
        assert lib.get(20).state == states.INBOX


@pytest.mark.parametrize("until, message", [
    ("yesterday-ish", "not a date"), ("2000-01-01", "not after today")])
def test_a_bad_snooze_date_changes_nothing(seeded: Library, until: str, message: str) -> None:
    with pytest.raises(LibraryError, match=message):
        seeded.set_state([1], "later", until=until)
    assert seeded.get(1).state == states.INBOX


def test_unknown_state_and_a_date_on_a_dateless_state_are_refused(seeded: Library) -> None:
    with pytest.raises(LibraryError, match="unknown state 'nosuchstate'"):
        seeded.set_state([1], "nosuchstate")
    with pytest.raises(LibraryError, match="takes no date"):
        seeded.set_state([1], "done", until="tomorrow")
    assert not seeded.can_undo()


def test_snooze_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monday = date(2026, 11, 30)
    assert states.snooze_date("next-week", monday) == "2026-12-07"
    assert states.snooze_date("next week", date(2026, 12, 3)) == "2026-12-07"
    assert states.snooze_date("3d", monday) == "2026-12-03"
    assert states.snooze_date("2w", monday) == "2026-12-14"
    assert states.snooze_date("someday", monday) is None
    assert states.snooze_date(date(2027, 1, 1), monday) == "2027-01-01"


def test_settings_rename_a_state_and_add_one(seeded: Library, _config: Path) -> None:
    (_config / "states.json").write_text(json.dumps({"states": {
        "shortlist": {"label": "To read", "key": "w"},
        "parked": {"label": "Parked", "key": "k", "icon": "~", "aliases": ["park"]},
    }}), encoding="utf-8")
    table = states.table()
    assert table["shortlist"].label == "To read" and table["shortlist"].key == "w"
    assert table.names()[-1] == "parked"
    change = seeded.set_state([2, 3], "parked")
    assert change.description == "Marked 2 papers parked"
    assert _ids(seeded, "is:parked") == _ids(seeded, "is:park") == {2, 3}
    assert seeded.stats()["parked"] == 2
    assert seeded.undo().description == "Undid parked mark on 2 papers"
    assert [p["state"] for p in json.loads(seeded.export("id:2", "json"))] in (["inbox"], [])


@pytest.mark.parametrize("text, message", [
    ("{", "not valid JSON"),
    ('{"states": {"Bad Name": {"label": "x"}}}', "state name 'Bad Name'"),
    ('{"states": {"parked": {"key": "k"}}}', "needs a label"),
    ('{"states": {"parked": {"label": "S", "shade": "red"}}}', "unknown field 'shade'"),
    ('{"states": {"parked": {"label": "S", "colour": "red"}}}',
     "colour should be one of yellow, green, blue, pink, purple"),
    ('{"states": {"parked": {"label": "S", "key": "e"}}}', "same key as 'done'"),
    ('{"states": {"done": {"counted": "yes"}}}', "counted should be true or false"),
])
def test_a_bad_settings_file_is_one_line_naming_it(_config: Path, text: str,
                                                    message: str) -> None:
    path = _config / "states.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(states.StatesFileError) as raised:
        states.table()
    assert str(raised.value).startswith(f"{path}: ") and message in str(raised.value)
    assert "\n" not in str(raised.value)


def _rewrite(path: Path, text: str) -> None:
    """Write `text` and move the file's time on, as a later save would."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_the_app_keeps_the_last_good_table_and_hears_a_bad_file_once(
        seeded: Library, _config: Path) -> None:
    path = _config / "states.json"
    _rewrite(path, '{"states": {"shortlist": {"label": "To read"}}}')
    assert states.table()["shortlist"].label == "To read"
    heard: list[str] = []
    stop = states.tolerate_bad_file(heard.append)
    try:
        _rewrite(path, "{nope")
        assert states.table()["shortlist"].label == "To read"  # the last good one
        seeded.set_state([3], "done")
        assert _ids(seeded, "is:done") == {3}  # `is:` queries keep working
        assert states.table()["shortlist"].label == "To read"
        assert len(heard) == 1 and heard[0].startswith(f"{path}: not valid JSON")
        _rewrite(path, '{"states": {"done": {"counted": "yes"}}}')
        states.table()
        assert len(heard) == 2 and "counted should be true or false" in heard[1]
        _rewrite(path, '{"states": {"shortlist": {"label": "Queue"}}}')
        assert states.table()["shortlist"].label == "Queue"  # fixed: read again
    finally:
        stop()
    _rewrite(path, "{nope")
    with pytest.raises(states.StatesFileError):  # the command line's way again
        states.table()


def test_a_file_bad_from_the_start_gives_the_built_in_states(_config: Path) -> None:
    (_config / "states.json").write_text("[1, 2]", encoding="utf-8")
    heard: list[str] = []
    stop = states.tolerate_bad_file(heard.append)
    try:
        assert states.table().names() == tuple(s.name for s in states.BUILTIN_STATES)
    finally:
        stop()
    assert len(heard) == 1 and "should be an object" in heard[0]


def test_a_state_s_list_mark_follows_its_icon_unless_given(_config: Path) -> None:
    (_config / "states.json").write_text(json.dumps({"states": {
        "later": {"icon": "⏰"}, "inbox": {"icon": "📥"},
        "parked": {"label": "Parked", "icon": "≈", "colour": "pink"}}}), encoding="utf-8")
    table = states.table()
    assert table["later"].mark == "⏰" and table["later"].colour == "purple"
    assert table["inbox"].mark == "●"  # the Inbox's own list mark stays
    assert (table["parked"].mark, table["parked"].colour) == ("≈", "pink")


# ------------------------------------------------ names owned elsewhere
def test_a_reserved_verb_or_key_is_one_line_naming_the_file(_config: Path) -> None:
    path = _config / "states.json"
    end_verbs = states.reserve("verb", {"zap": "the command `winnow zap`"})
    end_keys = states.reserve("key", {"j": "bound to 'Move down'", "g t":
                                      "bound to 'Statistics'", "r": "state:done"})
    try:
        for text, message in [
            ('{"states": {"parked": {"label": "P", "verb": "zap"}}}',
             "state 'parked': verb 'zap' is already the command `winnow zap`"),
            ('{"states": {"parked": {"label": "P", "key": "j"}}}',
             "state 'parked': key 'j' (j) is already bound to 'Move down'"),
            ('{"states": {"parked": {"label": "P", "key": "t"}}}',
             "state 'parked': key 't' (g t) is already bound to 'Statistics'"),
            ('{"states": {"shortlist": {"key": "r"}}}',
             "state 'shortlist': key 'r' (r) is already a key of state 'done'"),
        ]:
            _rewrite(path, text)
            with pytest.raises(states.StatesFileError) as raised:
                states.table()
            assert str(raised.value) == f"{path}: {message}; choose another " + \
                ("verb" if "verb" in message else "key")
        # What a state keeps for itself is its own; anything else is free.
        _rewrite(path, '{"states": {"done": {"key": "r"}, '
                       '"parked": {"label": "P", "key": "z", "verb": "park"}}}')
        assert states.table()["parked"].key == "z"
    finally:
        end_verbs()
        end_keys()
    # The reservations ended (a window closed): the same file is fine again.
    _rewrite(path, '{"states": {"parked": {"label": "P", "key": "j", "verb": "zap"}}}')
    assert states.table()["parked"].verb == "zap"


def test_a_reservation_made_after_the_table_was_read_is_checked(_config: Path) -> None:
    path = _config / "states.json"
    _rewrite(path, '{"states": {"parked": {"label": "P", "key": "j"}}}')
    assert states.table()["parked"].key == "j"  # cached before anyone reserved `j`
    end = states.reserve("key", {"j": "bound to 'Move down'"})
    try:
        with pytest.raises(states.StatesFileError, match="key 'j'"):
            states.table()
    finally:
        end()


# ------------------------------------- a state states.json no longer defines
def _park_then_forget(lib: Library, config: Path, ids: list[int]) -> None:
    """Papers put in the user's own state, then the state taken out of the file."""
    path = config / "states.json"
    _rewrite(path, '{"states": {"parked": {"label": "Parked"}}}')
    lib.set_state(ids, "parked")
    _rewrite(path, "{}")
    assert states.table().get("parked") is None


def _stored(path: Path) -> dict[int, str]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT id, state FROM papers WHERE state = 'parked'"))


def test_papers_in_a_removed_state_keep_it_and_are_found(seeded: Library,
                                                         _config: Path) -> None:
    _park_then_forget(seeded, _config, [4, 9])
    assert seeded.unknown_states() == {"parked": 2}
    assert _ids(seeded, "is:parked") == {4, 9}
    assert _ids(seeded, "is:parked -is:done") == {4, 9}
    assert seeded.stats()["total"] == 415  # still counted among all papers
    seeded.close()
    # Reopened (as the app or `winnow` would), nothing rewrote the stored state.
    assert _stored(seeded.path) == {4: "parked", 9: "parked"}
    with Library(seeded.path) as again:
        assert _ids(again, "is:parked") == {4, 9}
        assert again.unknown_states() == {"parked": 2}
    assert _stored(seeded.path) == {4: "parked", 9: "parked"}


def test_a_closed_library_s_states_are_no_filter_any_more(seeded: Library,
                                                          _config: Path) -> None:
    _park_then_forget(seeded, _config, [4])
    assert "parked" in states.table().is_filters()
    seeded.close()
    assert "parked" not in states.table().is_filters()
    with Library(seeded.path):  # opening notes it again
        assert "parked" in states.table().is_filters()


def test_moving_a_paper_out_of_a_removed_state_undoes_back_into_it(
        seeded: Library, _config: Path) -> None:
    _park_then_forget(seeded, _config, [4])
    change = seeded.set_state([4], "done")
    assert change.paper_ids == (4,) and seeded.get(4).state == "done"
    assert seeded.unknown_states() == {}
    assert _ids(seeded, "is:parked") == set()
    seeded.undo()
    assert seeded.get(4).state == "parked"
    assert seeded.unknown_states() == {"parked": 1}


def test_stats_count_a_removed_state_by_its_stored_name(seeded: Library,
                                                        _config: Path) -> None:
    from storage.stats import triage_stats

    _park_then_forget(seeded, _config, [4, 9, 11])
    figures = triage_stats(seeded)
    assert figures.per_state["parked"] == 3 and figures.labels["parked"] == "parked"
    assert sum(figures.per_state.values()) == 415
    assert list(figures.per_state)[:len(BUILTIN)] == BUILTIN


def test_an_alias_may_not_take_another_is_value(_config: Path) -> None:
    path = _config / "states.json"
    for text, message in [
        ('{"states": {"parked": {"label": "P", "aliases": ["starred"]}}}',
         "state 'parked' has the same is: value 'starred' as 'a flag'"),
        ('{"states": {"parked": {"label": "P", "aliases": ["read"]}}}',
         "state 'parked' has the same is: value 'read' as 'done'"),
        ('{"states": {"parked": {"label": "P", "aliases": ["Unread"]}}}',
         "state 'parked' has the same is: value 'unread' as 'done'"),
        ('{"states": {"parked": {"label": "P", "aliases": [{"a": 1}]}}}',
         "state 'parked': aliases should be a list of single words"),
        ('{"states": {"parked": {"label": "P", "aliases": ["two words"]}}}',
         "state 'parked': aliases should be a list of single words"),
    ]:
        _rewrite(path, text)
        with pytest.raises(states.StatesFileError) as raised:
            states.table()
        assert str(raised.value) == f"{path}: {message}"
    # Its own aliases, and new words, are fine.
    _rewrite(path, '{"states": {"parked": {"label": "P", "aliases": ["parked", "held"]}}}')
    assert states.table().is_filters()["held"] == ("parked", True)
    assert states.table().is_filters()["starred"] == ("starred", True)


def test_a_settings_file_saved_with_a_byte_order_mark_is_read(_config: Path) -> None:
    path = _config / "states.json"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"states": {"done": {"label": "Read"}}}')
    assert states.table()["done"].label == "Read"
