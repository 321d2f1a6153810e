"""Triage states as commands, all read from storage/states.py's table: a key per state
that moves the current (or selected) papers into it and advances, and a go-to key per
state's view (`g` then the state's key). `l` (a snoozing state) asks when first.

A state added in states.json gets its key, view and go-to key here with no code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.actions import has_targets
from desktop.commands import CommandSet
from desktop.snooze import SnoozeChooser
from storage import states
from storage.states import State, StateTable

if TYPE_CHECKING:
    from desktop.window import MainWindow

# Keys kept from before the states: `r` marks done, `g i` the Inbox, `g r` Done.
EXTRA_KEYS = {"done": ("r",)}
EXTRA_GO_KEYS = {"inbox": ("g i",), "done": ("g r", "g d")}


def move_to(w: MainWindow, state: State, until: str | None = None) -> None:
    """Put the targets in `state` (until a date, for a snoozing one) and move on."""
    ids = w.targets()
    bulk = len(ids) > 1
    w.reader.flush_note()
    browser = w.browser
    row = browser.current_row()

    def move_on(_change: object) -> None:
        if w.model.marked:
            w.model.set_marked(())
        if not bulk and row + 1 < w.model.rowCount():
            # Move on before repainting: the pane then draws the next paper once.
            browser.select_row(row + 1)

    change = w.ops.run(lambda library: library.set_state(ids, state.name, until), ids=ids,
                       row=row, then=move_on,
                       message=lambda c: c.description if c else f"Already {state.past}")
    if change is not None:
        check_caught_up(w)


def check_caught_up(w: MainWindow) -> None:
    """In the Inbox, the last paper decided shows the caught-up page."""
    browser = w.browser
    if browser.view_key == states.INBOX and not browser.search_query:
        try:
            left = w.library.has_state(states.INBOX)
        except Exception:
            return
        if not left:
            browser.load(select_first=True)
            w.focus_list()


def ask_when(w: MainWindow, state: State) -> None:
    """A snoozing state: choose the date, then move."""
    chooser = SnoozeChooser(w, states.snooze_date, len(w.targets()))
    chooser.chosen.connect(lambda value: move_to(w, state, value))
    w.open_dialog(chooser)


def view_query(state: State) -> str:
    return f"is:{state.is_value}"


def command_set(table: StateTable) -> CommandSet:
    """The state commands for `table`: `state.NAME` (its key) and `go.VIEW`."""
    commands = CommandSet("states")
    for state in table.states:
        keys = tuple(k for k in (state.key, *EXTRA_KEYS.get(state.name, ())) if k)
        action = ask_when if state.snoozes else move_to
        title = ("Back to the Inbox" if state.name == states.INBOX else
                 f"{state.label}…" if state.snoozes else f"Mark {state.label.lower()}")
        commands.command(f"state.{state.name}", f"{title} and go to the next", keys=keys,
                         when=has_targets, group="Triage", menu="Paper")(
            lambda w, state=state, action=action: action(w, state))
        go_keys = (*EXTRA_GO_KEYS.get(state.name, ()),
                   *((f"g {state.key}",) if state.key else ()))
        commands.command(f"go.{state.view}", f"Go to {state.label}",
                         keys=tuple(dict.fromkeys(go_keys)), group="Go", menu="Go")(
            lambda w, state=state: w.browser.show_view(state.view, state.label,
                                                       view_query(state)))
    for flag in table.flags:
        commands.command(f"go.{flag.view}", f"Go to {flag.label}", keys=(f"g {flag.key}",),
                         group="Go", menu="Go")(
            lambda w, flag=flag: w.browser.show_builtin(flag.view))
    return commands
