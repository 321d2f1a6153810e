"""Tags: the tag dialog (`t`) and the quick tags on keys 1-9."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

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
    dialog = TagDialog(w, existing, current, len(ids))
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
    names = w.quick_tags()
    if digit > len(names):
        w.flash(f"No quick tag {digit} yet — press t to tag, or set quick_tags "
                f"in {w.keys_path}")
        return
    name = names[digit - 1]
    ids = w.targets()
    rows = w.library.rows(ids)
    has = all(name.casefold() in {t.casefold() for t in r.tags} for r in rows.values())
    w.ops.run(lambda library: (library.remove_tags if has else library.add_tags)(ids, [name]),
              ids=ids, message=f"{'Removed' if has else 'Tagged'} {name}")


for _digit in range(1, 10):
    command(f"tag.quick.{_digit}", f"Toggle quick tag {_digit}", keys=(str(_digit),),
            when=has_targets, group="Triage")(
        functools.partial(lambda w, digit: toggle_quick_tag(w, digit), digit=_digit))


def quick_tags(user_settings: dict, library, tag_counts=None) -> list[str]:
    """Tags for keys 1-9: keys.json's quick_tags, else the library's first nine."""
    configured = user_settings.get("quick_tags")
    if isinstance(configured, list) and all(isinstance(t, str) for t in configured):
        return [" ".join(t.split()) for t in configured if t.strip()][:9]
    return [name for name, _count in (library.tags() if tag_counts is None else tag_counts)][:9]
