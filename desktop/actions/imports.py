"""Where papers come from and the way back: delete, undo an import, fetch from the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.actions import has_targets
from desktop.commands import CommandSet
from desktop.ops import UNDO_HINT
from storage.library.removals import step_size

if TYPE_CHECKING:
    from desktop.window import MainWindow
    from storage.models import Change
    from storage.removal import ImportUndo

commands = CommandSet("imports")
command = commands.command

FETCH_ON_START = "fetch/on_start"


def _reload_at(w: MainWindow, row: int) -> None:
    """Papers left the list: show it again with the cursor where they were."""
    if w.model.marked:
        w.model.set_marked(())
    w.browser.load()
    count = w.model.rowCount()
    if count:
        w.browser.select_row(min(max(row, 0), count - 1))


@command("paper.delete", "Delete paper (a backup first; Ctrl+Z brings it back)",
         keys=("Delete",), when=has_targets, group="Library", menu="Paper")
def delete_papers(w: MainWindow) -> None:
    ids = w.targets()
    w.reader.flush_note()
    row = w.browser.current_row()
    if len(ids) > step_size():
        # More than one step: in the background, with progress and Cancel.
        w.remover.delete(ids, then=lambda change: _deleted_elsewhere(w, change, row))
        return
    w.ops.run(lambda library: library.delete_papers(ids), ids=ids,
              then=lambda _change: _reload_at(w, row),
              message=lambda change: change.description)


def _deleted_elsewhere(w: MainWindow, change: Change, row: int) -> None:
    _seen_outside(w)
    _reload_at(w, row)
    w.flash(change.description + (UNDO_HINT if change else ""))


def _seen_outside(w: MainWindow) -> None:
    """The worker's Library wrote: this one's caches forget, the view and the
    counts read the file again."""
    w.library.poll_changes()
    w.ops.saw_own_write()
    w.ops.refresh_counts()


def showing_import(w: MainWindow) -> bool:
    """A Recent imports entry is the current view."""
    return w.browser.view_key.startswith("source:") and not w.browser.search_query


def an_import_to_undo(w: MainWindow) -> bool:
    """Undo this import is offered everywhere there is one: outside an import's
    own view it asks which (it found nothing there: attack N7)."""
    return showing_import(w) or bool(w.library.sources(limit=1))


def _undo_message(result: ImportUndo) -> str:
    removed = len(result.removed)
    text = (f"Undid import {result.source_id}: removed {removed} "
            f"paper{'' if removed == 1 else 's'}")
    if result.kept_acted_on:
        text += f", kept {len(result.kept_acted_on)} you acted on"
    if result.kept_elsewhere:
        text += f", kept {len(result.kept_elsewhere)} other imports list"
    if result.reverted:
        text += f", put back the listing facts of {len(result.reverted)}"
    return text


@command("import.undo", "Undo this import", when=an_import_to_undo, group="Library",
         menu="File")
def undo_import(w: MainWindow) -> None:
    """In the background (a QThread with its own Library), with progress and Cancel:
    30,000 papers take seconds, and the window's own writes go on meanwhile. Outside
    an import's view, the recent imports are offered first."""
    if not showing_import(w):
        choose_import(w)
        return
    take_back(w, int(w.browser.view_key.removeprefix("source:")))


def take_back(w: MainWindow, source_id: int) -> None:
    w.reader.flush_note()
    w.remover.undo_imports([source_id], then=lambda results: taken_back(w, results))


def choose_import(w: MainWindow) -> None:
    """A list of the recent imports, newest first (type to narrow); Enter takes the
    chosen one back."""
    from desktop.dialogs import Choice
    from desktop.model import format_date
    from desktop.removing import ChooseImport
    from desktop.sidebar import listing_label, sample_number

    choices = []
    for source in w.library.sources(limit=RECENT):
        state = " · interrupted" if source["status"] == "interrupted" else ""
        label, name = listing_label(source), source["name"]
        number = sample_number(name)
        if number is not None:  # its file's name is a content hash: no help
            title = label if label.startswith("Sample") else f"{label} · sample listing {number}"
        else:
            title = name if label == name.removesuffix(".txt") else f"{label} · {name}"
        choices.append(Choice(
            source["id"], f"{title} (import {source['id']})",
            f"{source['found']:,} papers · imported "
            f"{format_date(source['imported_at'])} {source['imported_at'][11:16]}{state}"))
    if not choices:
        w.flash("No import to undo")
        return
    chooser = ChooseImport(w, choices, w.theme)
    chooser.chosen.connect(lambda source_id: take_back(w, int(source_id)))
    w.open_dialog(chooser)


RECENT = 30  # imports the chooser offers


def taken_back(w: MainWindow, results: list[ImportUndo]) -> None:
    """After the worker took imports back (or Cancel put everything back)."""
    _seen_outside(w)
    if not results:
        return
    last = results[-1]
    if last.cancelled:
        w.flash(f"Cancelled: import {last.source_id} is as it was")
        w.browser.load(keep_id=w.current_id())
        return
    if w.browser.view_key in {f"source:{r.source_id}" for r in results}:
        w.browser.show_builtin("inbox")
    else:
        w.browser.load(keep_id=w.current_id())
    w.ops.refresh_counts()
    text = (_undo_message(last) if len(results) == 1 else
            f"Took back {len(results)} imports: removed "
            f"{sum(len(r.removed) for r in results)} papers")
    w.flash(text + UNDO_HINT)


@command("removal.cancel", "Cancel taking papers out (or putting them back)",
         when=lambda w: w.remover.busy, group="Library", menu="File")
def cancel_removal(w: MainWindow) -> None:
    """The progress dialog's Cancel, from the keyboard: the dialog does not take the
    window's keys."""
    w.remover.cancel()


def finish_cut_short(w: MainWindow) -> None:
    """At start: an import, a delete or a take-back a kill cut short (the window's
    Library left it when it opened) is taken back or finished on the removal
    runner's thread, with progress."""
    if w.library.read_only or w.remover.busy:
        return
    jobs = w.library.removal_jobs()
    if jobs:
        w.remover.finish_cut_short(jobs, then=lambda lines: cut_short_finished(w, lines))


def cut_short_finished(w: MainWindow, lines: list[str]) -> None:
    _seen_outside(w)
    w.browser.load(keep_id=w.current_id())
    if lines:
        w.show_notices(lines)
    left = [job for job in w.library.removal_jobs() if job["kind"] == "import"]
    if left:  # Cancel (or closing) stopped it between two steps
        w.flash(f"Stopped taking back {left[0]['what']}: the rest is taken back at the "
                f"next start")


# storage.fetch's reason when the network is down ("no network: could not reach …").
NO_NETWORK = "no network: "


@command("fetch.today", "Fetch today's papers", group="Library", menu="File")
def fetch_today(w: MainWindow) -> None:
    w.fetcher.start()


def fetch_done(w: MainWindow, report: object, text: str) -> None:
    w.flash(text)
    if report is None:
        # A failure said only in the status bar was gone in six seconds, unseen by
        # whoever looked away while the fetch ran (a fetch on start above all).
        from desktop.toast import toast_for

        headline, _, why = text.partition(": ")
        if why.startswith(NO_NETWORK):
            # Said as the state it is, with what it kept from happening.
            headline, why = "No network", f"{why.removeprefix(NO_NETWORK)} to fetch papers"
        why = why[:1].upper() + why[1:]
        toast_for(w).show_message(headline if why else "Fetch failed", why or text,
                                  action="Try again", on_action=w.fetcher.start,
                                  timeout_ms=20_000)
        return
    from desktop.actions.library import import_done

    import_done(w, report, False)


def fetch_on_start_enabled(w: MainWindow) -> bool:
    return w.settings is not None and str(w.settings.value(FETCH_ON_START, "false")) == "true"


@command("fetch.on_start", "Fetch today's papers on start (on/off)", group="Library",
         menu="File")
def toggle_fetch_on_start(w: MainWindow) -> None:
    if w.settings is None:
        w.flash("No settings file: cannot remember this")
        return
    on = not fetch_on_start_enabled(w)
    w.settings.setValue(FETCH_ON_START, "true" if on else "false")
    w.settings.sync()
    w.flash("Today's papers will be fetched at every start" if on
            else "No fetch at start")
