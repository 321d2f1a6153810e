"""Window commands: the cheat sheet's groups, theme, sidebar, refresh."""

from __future__ import annotations

from desktop.actions.view import CHEAT_SHEET_ORDER, cheat_sheet_groups
from storage import Library


def test_cheat_sheet_groups_fold_numbered_families(window) -> None:
    groups = cheat_sheet_groups(window.registry, window.keymap)
    names = [name for name, _ in groups]
    assert names == [n for n in CHEAT_SHEET_ORDER if n in names]
    triage = dict(groups)["Triage"]
    quick = [c for c in triage if str(c.value).startswith("tag.quick")]
    assert len(quick) == 1 and quick[0].title == "Toggle quick tag 1–9"
    assert quick[0].keys == ("1…9",)


def test_theme_and_sidebar_toggle(window) -> None:
    dark = window.theme.dark
    assert window.run_command("view.theme")
    assert window.theme.dark is not dark
    assert window.run_command("view.sidebar") and not window.sidebar.isVisible()
    assert window.run_command("view.sidebar") and window.sidebar.isVisible()


def test_f5_shows_what_another_process_wrote(window, seeded: Library, press) -> None:
    first = window.current_id()
    with Library(seeded.path) as other:
        other.set_read([first], True)
    press("F5")
    assert first not in window.model.ids
