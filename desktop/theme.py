"""Light and dark looks: a palette, the stylesheet from `assets/`, fonts and the icon.

The scheme follows the system (`QStyleHints.colorScheme()`, live), unless
`WINNOW_THEME=light|dark` or the "Toggle dark mode" command pins it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

ANNOTATION_COLOURS = ("yellow", "green", "blue", "pink", "purple")


@dataclass(frozen=True)
class Theme:
    name: str
    colours: dict[str, str]
    highlights: dict[str, str] = field(default_factory=dict)
    marks: dict[str, str] = field(default_factory=dict)

    def colour(self, key: str) -> QColor:
        return QColor(self.colours[key])

    def highlight(self, name: str) -> QColor:
        return QColor(self.highlights.get(name, self.highlights["yellow"]))

    def mark(self, name: str) -> QColor:
        return QColor(self.marks.get(name, self.marks["yellow"]))

    @property
    def dark(self) -> bool:
        return self.name == "dark"


LIGHT = Theme(
    "light",
    {
        "window": "#f6f7f9", "base": "#ffffff", "sidebar": "#f1f2f5", "border": "#e3e5ea",
        "text": "#1d2129", "secondary": "#687080", "faint": "#9aa1ad",
        "accent": "#3563e9", "accent_text": "#ffffff", "selection": "#dfe7fd",
        "selection_text": "#1d2129", "hover": "#eef1f6", "star": "#e2a300",
        # Search hits: one soft wash everywhere (list, title, abstract); a hit inside a
        # highlight takes the strong one, which no highlight colour is near.
        "search_hit": "#ffe2b8", "search_hit_strong": "#ffbf6e", "search_hit_text": "#2e1f00",
        "marked": "#fff6dc", "caret": "#3563e9",
        "mark_highlight": "#a35a00", "mark_note": "#2f5bd6",
    },
    highlights={"yellow": "#fff1a8", "green": "#cdf0cf", "blue": "#d3e5ff",
                "pink": "#ffd6e6", "purple": "#e6dbff"},
    marks={"yellow": "#e0b800", "green": "#3aa35a", "blue": "#3b7de0",
           "pink": "#e0508e", "purple": "#8a5ce6"},
)

DARK = Theme(
    "dark",
    {
        "window": "#1b1c20", "base": "#212227", "sidebar": "#18191c", "border": "#2e3037",
        "text": "#e3e5ea", "secondary": "#9aa2b1", "faint": "#6d7380",
        "accent": "#7ea2ff", "accent_text": "#10131a", "selection": "#2b3a5e",
        "selection_text": "#f1f3f8", "hover": "#2a2c33", "star": "#f2c14e",
        "search_hit": "#5e3b1e", "search_hit_strong": "#a5551a", "search_hit_text": "#fff4d6",
        "marked": "#37301f", "caret": "#9db8ff",
        "mark_highlight": "#f2c14e", "mark_note": "#9db8ff",
    },
    highlights={"yellow": "#5c5115", "green": "#1f4a2b", "blue": "#1f3a63",
                "pink": "#5e2540", "purple": "#3d2e66"},
    marks={"yellow": "#f2d04b", "green": "#5cc97a", "blue": "#6aa4ff",
           "pink": "#ff7eb3", "purple": "#b08cff"},
)

UI_FONTS = ("Inter", "Inter Variable", "Noto Sans", "Cantarell", "Ubuntu", "Segoe UI",
            "Helvetica Neue", "DejaVu Sans")
READING_FONTS = ("Source Serif 4", "Noto Serif", "Georgia", "Charter")


def assets_dir() -> Path:
    """The `assets/` folder, shipped as the `winnow_assets` package."""
    return Path(str(resources.files("winnow_assets")))


def asset_text(name: str) -> str:
    try:
        return (assets_dir() / name).read_text(encoding="utf-8")
    except OSError:
        return ""


def app_icon() -> QIcon:
    return QIcon(str(assets_dir() / "winnow.svg"))


def pick_font(candidates: tuple[str, ...]) -> str | None:
    families = set(QFontDatabase.families())
    for name in candidates:
        if name in families:
            return name
    return None


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def choose(override: str | None = None) -> Theme:
    wanted = (override or os.environ.get("WINNOW_THEME", "")).strip().lower()
    if wanted == "dark":
        return DARK
    if wanted == "light":
        return LIGHT
    return DARK if system_is_dark() else LIGHT


def palette_for(theme: Theme) -> QPalette:
    c = theme.colour
    palette = QPalette()
    role = QPalette.ColorRole
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive,
                  QPalette.ColorGroup.Disabled):
        palette.setColor(group, role.Window, c("window"))
        palette.setColor(group, role.WindowText, c("text"))
        palette.setColor(group, role.Base, c("base"))
        palette.setColor(group, role.AlternateBase, c("hover"))
        palette.setColor(group, role.Text, c("text"))
        palette.setColor(group, role.Button, c("base"))
        palette.setColor(group, role.ButtonText, c("text"))
        palette.setColor(group, role.Highlight, c("selection"))
        palette.setColor(group, role.HighlightedText, c("selection_text"))
        palette.setColor(group, role.ToolTipBase, c("base"))
        palette.setColor(group, role.ToolTipText, c("text"))
        palette.setColor(group, role.PlaceholderText, c("faint"))
        palette.setColor(group, role.Link, c("accent"))
        palette.setColor(group, role.Mid, c("border"))
        palette.setColor(group, role.Midlight, c("border"))
        palette.setColor(group, role.Light, c("base"))
        palette.setColor(group, role.Dark, c("border"))
    palette.setColor(QPalette.ColorGroup.Disabled, role.Text, c("faint"))
    palette.setColor(QPalette.ColorGroup.Disabled, role.WindowText, c("faint"))
    palette.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, c("faint"))
    return palette


def apply(app: QApplication, theme: Theme) -> None:
    """Style, palette, stylesheet and base font for the whole application."""
    if app.style().name().lower() != "fusion":
        style = QStyleFactory.create("Fusion")
        if style is not None:
            app.setStyle(style)
    app.setPalette(palette_for(theme))
    family = pick_font(UI_FONTS)
    font = QFont(family) if family else QFont(app.font())
    font.setPixelSize(13)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    app.setFont(font)
    app.setStyleSheet(asset_text(f"{theme.name}.qss"))


def reading_font(size: int = 15) -> QFont:
    family = pick_font(READING_FONTS) or pick_font(UI_FONTS)
    font = QFont(family) if family else QFont(QApplication.font())
    font.setPixelSize(size)
    return font


def ui_font(size: int = 13, weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    family = pick_font(UI_FONTS)
    font = QFont(family) if family else QFont(QApplication.font())
    font.setPixelSize(size)
    font.setWeight(weight)
    return font


def search_icon(theme: Theme, size: int = 16) -> QIcon:
    """A magnifier drawn with QPainter, so it matches the theme and needs no font glyph."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPainter, QPen, QPixmap

    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(theme.colour("faint"), 1.6)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawEllipse(QPointF(size * 0.44, size * 0.44), size * 0.26, size * 0.26)
    painter.drawLine(QPointF(size * 0.64, size * 0.64), QPointF(size * 0.84, size * 0.84))
    painter.end()
    return QIcon(pixmap)
