"""Themes (desktop/theme.py): the setting, the toggle, matching light and dark
stylesheets, assets that load."""

from __future__ import annotations

import re
from configparser import ConfigParser

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop import theme as themes


def test_theme_follows_the_setting_and_toggles(window, qtbot, monkeypatch) -> None:
    app = QApplication.instance()
    assert "#1b1c20" not in app.styleSheet()  # light (WINNOW_THEME=light in tests)
    window.run_command("view.theme")
    assert window.theme.dark and "#1b1c20" in app.styleSheet()
    assert app.palette().color(app.palette().ColorRole.Base).name() == "#212227"
    window.run_command("view.theme")
    assert not window.theme.dark
    monkeypatch.delenv("WINNOW_THEME")
    assert themes.choose() in (themes.LIGHT, themes.DARK)


def test_stylesheets_match_and_assets_load() -> None:
    folder = themes.assets_dir()
    light = (folder / "light.qss").read_text(encoding="utf-8")
    dark = (folder / "dark.qss").read_text(encoding="utf-8")

    def selectors(text: str) -> list[str]:
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        return [s.strip() for s in re.findall(r"([^{}]+)\{", text)]

    assert selectors(light) == selectors(dark)
    assert light.count("{") == light.count("}")
    icon = QIcon(str(folder / "winnow.svg"))
    assert not icon.isNull() and not icon.pixmap(64, 64).isNull()
    entry = ConfigParser(interpolation=None)
    entry.read(folder / "winnow.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Icon"] == "winnow"
    assert section["Exec"].startswith("winnow-gui")
    assert section["Categories"].endswith(";")
