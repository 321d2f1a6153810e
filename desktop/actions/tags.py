"""Tags: the tag dialog (`t`) and the quick tags on keys 1-9."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from desktop.actions import has_targets
from desktop.commands import CommandSet
from desktop.dialogs import TagDialog

if TYPE_CHECKING:
    from desktop.window import MainWindow

commands = CommandSet("tags")
command = commands.command


@command("paper.tag", "Tag…", keys=("t",), when=has_targets, group="Triage", menu="Paper")
def tag_dialog(w: MainWindow) -> None:
    ids = w.targets()
    existing = [name for name, _ in w.library.tags()]
    current: list[str] = []
    if len(ids) == 1:
        row = w.library.rows(ids).get(ids[0])
        current = list(row.tags) if row else []
    keys = {name: number for number, name in w.quick_tags().items()}
    dialog = TagDialog(w, existing, current, len(ids), quick=keys, theme=w.theme)
    dialog.tags_entered.connect(functools.partial(apply_tags, w, ids))
    w.open_dialog(dialog)


def apply_tags(w: MainWindow, ids: list[int], add: list[str], remove: list[str]) -> None:
    def change(library) -> int:
        return ((library.add_tags(ids, add).count if add else 0)
                + (library.remove_tags(ids, remove).count if remove else 0))

    parts = (["tagged " + ", ".join(add)] if add else []) + \
        (["removed " + ", ".join(remove)] if remove else [])
    if w.ops.run(change, ids=ids, message="; ".join(parts).capitalize()) is not None:
        w.focus_list()


def toggle_quick_tag(w: MainWindow, digit: int) -> None:
    name = w.quick_tags().get(digit)
    if name is None:
        w.flash(f"No quick tag {digit} yet — a new tag takes the first free key 1–9 "
                f"(see the sidebar), or set quick_tags in {w.keys_path}")
        return
    ids = w.targets()
    rows = w.library.rows(ids)
    has = all(name.casefold() in {t.casefold() for t in r.tags} for r in rows.values())
    w.ops.run(lambda library: (library.remove_tags if has else library.add_tags)(ids, [name]),
              ids=ids, message=f"{'Removed' if has else 'Tagged'} {name}")


for _digit in range(1, 10):
    command(f"tag.quick.{_digit}", f"Toggle quick tag {_digit}", keys=(str(_digit),),
            when=has_targets, group="Triage")(
        functools.partial(lambda w, digit: toggle_quick_tag(w, digit), digit=_digit))


def quick_tags(user_settings: dict, library) -> dict[int, str]:
    """Key -> tag for keys 1-9: keys.json's quick_tags, else the keys the library
    stored with each tag (given once when the tag was made, never reshuffled)."""
    configured = user_settings.get("quick_tags")
    if isinstance(configured, list) and all(isinstance(t, str) for t in configured):
        names = [" ".join(t.split()) for t in configured if t.strip()][:9]
        return dict(enumerate(names, start=1))
    return dict(library.quick_tags())


def tag_in_view(w: MainWindow) -> str | None:
    """The tag whose view the list shows (rename and delete act on it)."""
    key = w.browser.view_key
    if not key.startswith("tag:") or w.browser.search_query:
        return None
    wanted = key.removeprefix("tag:")
    return next((name for name, _ in w.library.tags() if name.casefold() == wanted), None)


@command("tag.rename", "Rename or merge this tag…", when=lambda w: tag_in_view(w) is not None,
         group="Triage", menu="Paper")
def rename_tag(w: MainWindow) -> None:
    old = tag_in_view(w)
    if old is None:
        return
    dialog = QInputDialog(w)
    dialog.setWindowTitle("Rename tag")
    dialog.setLabelText(f"New name for “{old}” (an existing tag's name merges them):")
    dialog.setTextValue(old)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def rename(new: str) -> None:
        new = " ".join(new.split())
        if not new or new == old:
            return
        merging = any(name.casefold() == new.casefold() and name.casefold() != old.casefold()
                      for name, _ in w.library.tags())
        message = f"Merged tag {old} into {new}" if merging else f"Renamed tag {old} to {new}"
        done = w.ops.run(lambda library: library.rename_tag(old, new), reload=True,
                         message=message)
        if done is not None:
            w.browser.show_tag(new)

    dialog.textValueSelected.connect(rename)
    w.open_dialog(dialog)


@command("tag.delete", "Delete this tag (from every paper)",
         when=lambda w: tag_in_view(w) is not None, group="Triage", menu="Paper")
def delete_tag(w: MainWindow) -> None:
    name = tag_in_view(w)
    if name is None:
        return
    done = w.ops.run(lambda library: library.delete_tag(name), reload=True,
                     message=lambda count: f"Deleted tag {name} from {count} paper"
                     f"{'s' if count != 1 else ''}")
    if done is not None:
        w.browser.show_builtin("inbox")
