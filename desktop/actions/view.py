"""The window itself: command palette, cheat sheet, key bindings, refresh, theme,
sidebar, quit."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, QUrl

from desktop import theme as themes
from desktop.commands import CommandRegistry, CommandSet
from desktop.dialogs import CheatSheet, Choice, CommandPalette
from desktop.keys import Keymap, write_template

if TYPE_CHECKING:
    from desktop.window import MainWindow

commands = CommandSet("view")
command = commands.command

CHEAT_SHEET_ORDER = ("Move", "Triage", "Select", "Go", "Find", "Paper", "Highlights",
                     "Highlight list", "Edit", "Library", "View", "Help")
# Numbered families (tag.quick.1..9) show as one line: their title and last digit.
NUMBERED = {"tag.quick": ("Toggle quick tag 1–9", "9"),
            "caret.colour": ("Highlight in colour 1–5", "5"),
            "annotation.colour": ("Recolour highlight 1–5", "5")}


@command("app.palette", "Command palette", keys=("Ctrl+K", "Ctrl+Shift+P"), mode="global",
         group="Help", menu="Help")
def command_palette(w: MainWindow) -> None:
    quick = w.quick_tags()
    choices = []
    for cmd in w.registry:
        if not cmd.palette or cmd.id == "app.palette" or not cmd.is_enabled():
            continue
        title = cmd.title
        if cmd.id.startswith("tag.quick."):
            # Only the keys that hold a tag, each with its tag's name.
            name = quick.get(int(cmd.id.rpartition(".")[2]))
            if name is None:
                continue
            title = f"{cmd.title}: {name}"
        choices.append(Choice(cmd.id, title, cmd.group, tuple(w.keymap.keys_for(cmd.id))))
    palette = CommandPalette(w, choices, w.theme)
    palette.chosen.connect(lambda cmd_id: QTimer.singleShot(
        0, functools.partial(w.run_command, str(cmd_id))))
    w.open_dialog(palette)


def cheat_sheet_groups(registry: CommandRegistry,
                       keymap: Keymap) -> list[tuple[str, list[Choice]]]:
    """The bound commands by group, in the cheat sheet's order."""
    grouped: dict[str, list[Choice]] = {}
    collapsed: set[str] = set()
    for cmd in registry:
        keys = tuple(keymap.keys_for(cmd.id))
        if not keys:
            continue
        stem, _, digit = cmd.id.rpartition(".")
        title = cmd.title
        if digit.isdigit():
            if stem in collapsed:
                continue
            collapsed.add(stem)
            title, last = NUMBERED.get(stem, (cmd.title, digit))
            keys = (f"{keys[0]}…{last}",)
        grouped.setdefault(cmd.group, []).append(Choice(cmd.id, title, "", keys))
    groups = [(name, grouped[name]) for name in CHEAT_SHEET_ORDER if name in grouped]
    return groups + [(name, items) for name, items in grouped.items()
                     if name not in CHEAT_SHEET_ORDER]


@command("help.keys", "Keyboard shortcuts", keys=("?", "F1"), group="Help", menu="Help")
def cheat_sheet(w: MainWindow) -> None:
    w.open_dialog(CheatSheet(w, cheat_sheet_groups(w.registry, w.keymap), str(w.keys_path)))


@command("settings.keys", "Edit key bindings…", group="Help", menu="Help")
def edit_keys(w: MainWindow) -> None:
    created = write_template(w.keys_path, [
        (cmd.id, cmd.title, w.keymap.keys_for(cmd.id)) for cmd in w.registry])
    w.url_opener(QUrl.fromLocalFile(str(w.keys_path)))
    w.flash(f"{'Created' if created else 'Opened'} {w.keys_path} · changes apply "
            "at the next start")


@command("view.stats", "Statistics", keys=("g t",), group="Go", menu="View")
def statistics(w: MainWindow) -> None:
    w.show_stats_page()


@command("view.refresh", "Refresh", keys=("F5",), mode="global", group="View", menu="View")
def refresh(w: MainWindow) -> None:
    w.ops.refresh_external()


@command("view.theme", "Toggle dark mode", group="View", menu="View")
def toggle_theme(w: MainWindow) -> None:
    w.theme_override = "light" if w.theme.dark else "dark"
    w.theme = themes.choose(w.theme_override)
    w.apply_theme()
    if w.settings is not None:
        w.settings.setValue("theme", w.theme_override)


@command("view.sidebar", "Show / hide the sidebar", keys=("Ctrl+B",), mode="global",
         group="View", menu="View")
def toggle_sidebar(w: MainWindow) -> None:
    w.sidebar.setVisible(not w.sidebar.isVisible())


@command("app.quit", "Quit", keys=("Ctrl+Q",), mode="global", group="Help", menu="File")
def quit(w: MainWindow) -> None:
    w.close()
