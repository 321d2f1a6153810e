"""Keys as data: stroke names, the keymap (defaults + the user's file) and the key parser.

A *stroke* is one key press written the way a user writes it in the keymap file:
a printable character stands for itself (``j``, ``J``, ``?``, ``1``), anything else
is Qt's portable name (``Esc``, ``Return``, ``Space``, ``Ctrl+Z``, ``Ctrl+Shift+P``).
A *binding* is a sequence of strokes separated by spaces (``g i``).

`KeyParser` turns strokes into command ids for a *mode* (which widget has the
focus) and knows nothing about windows, so it is tested with synthetic events.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence

# Which bindings apply where. A mode sees its own bindings first, then those of
# the modes it falls back to (in order); "global" ones work even in text fields.
MODES = ("global", "normal", "caret", "annotations", "search", "insert")
FALLBACK: dict[str, tuple[str, ...]] = {
    "global": (),
    "normal": ("global",),
    "caret": ("global", "normal"),
    "annotations": ("global", "normal"),
    "search": ("global",),
    "insert": ("global",),
}

_MODIFIER_KEYS = {
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta,
    Qt.Key.Key_AltGr, Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock, Qt.Key.Key_ScrollLock,
    Qt.Key.Key_Super_L, Qt.Key.Key_Super_R, Qt.Key.Key_Hyper_L, Qt.Key.Key_Hyper_R,
    Qt.Key.Key_unknown,
}
_CHORD_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                    | Qt.KeyboardModifier.MetaModifier)
_KEEP_MODIFIERS = _CHORD_MODIFIERS | Qt.KeyboardModifier.ShiftModifier


class KeyNameError(ValueError):
    """A key name that cannot be understood (message is one line for the user)."""


def stroke_from_parts(key: int, modifiers: Qt.KeyboardModifier, text: str = "") -> str:
    """The stroke name of one key press; "" for a lone modifier key."""
    try:
        qkey = Qt.Key(key)
    except ValueError:
        return ""
    if qkey in _MODIFIER_KEYS:
        return ""
    mods = Qt.KeyboardModifier(modifiers) & _KEEP_MODIFIERS
    chord = bool(mods & _CHORD_MODIFIERS)
    if not chord and len(text) == 1 and text.isprintable() and not text.isspace():
        # Shift is already in the character: "?" not "Shift+?", "J" not "Shift+J".
        return text
    if qkey == Qt.Key.Key_Backtab:
        qkey = Qt.Key.Key_Tab
        mods |= Qt.KeyboardModifier.ShiftModifier
    if not chord and Qt.Key.Key_A <= qkey <= Qt.Key.Key_Z and not text:
        # Synthetic events without text: a letter is its lowercase character.
        letter = chr(int(qkey)).lower()
        return letter.upper() if mods & Qt.KeyboardModifier.ShiftModifier else letter
    sequence = QKeySequence(int(mods.value) | int(qkey))
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def stroke_from_event(event: QKeyEvent) -> str:
    return stroke_from_parts(event.key(), event.modifiers(), event.text())


def normalise_stroke(name: str) -> str:
    """One stroke as the user wrote it ("ctrl+z", "escape", "?") to its canonical name."""
    if name == " ":
        return "Space"
    if len(name) == 1:
        return name
    sequence = QKeySequence.fromString(name, QKeySequence.SequenceFormat.PortableText)
    if sequence.count() != 1 or sequence[0].key() == Qt.Key.Key_unknown:
        raise KeyNameError(f"unknown key {name!r}")
    combo = sequence[0]
    mods = combo.keyboardModifiers() & _KEEP_MODIFIERS
    key = combo.key()
    if mods == Qt.KeyboardModifier.ShiftModifier and Qt.Key.Key_A <= key <= Qt.Key.Key_Z:
        return chr(int(key))  # "shift+j" is what a user types as "J"
    if not mods and Qt.Key.Key_A <= key <= Qt.Key.Key_Z:
        return chr(int(key)).lower()
    return stroke_from_parts(int(key), mods)


def parse_binding(text: str) -> tuple[str, ...]:
    """"g i" -> ("g", "i"); "ctrl+shift+z" -> ("Ctrl+Shift+Z",)."""
    parts = text.split()
    if not parts:
        if text == " ":
            return ("Space",)
        raise KeyNameError("empty key binding")
    return tuple(normalise_stroke(part) for part in parts)


def binding_text(strokes: Sequence[str]) -> str:
    return " ".join(strokes)


def key_press_parts(stroke: str) -> tuple[Qt.Key, Qt.KeyboardModifier, str]:
    """The (key, modifiers, text) of a real key press for a stroke name (for scripted keys)."""
    stroke = normalise_stroke(stroke)
    if len(stroke) == 1:
        char = stroke
        sequence = QKeySequence.fromString(char, QKeySequence.SequenceFormat.PortableText)
        key = sequence[0].key() if sequence.count() == 1 else Qt.Key.Key_unknown
        if key == Qt.Key.Key_unknown:
            key = Qt.Key(ord(char.upper())) if char.isascii() else Qt.Key.Key_unknown
        mods = Qt.KeyboardModifier.NoModifier
        if char.isalpha() and char.isupper():
            mods = Qt.KeyboardModifier.ShiftModifier
        return key, mods, char
    combo = QKeySequence.fromString(stroke, QKeySequence.SequenceFormat.PortableText)[0]
    key = combo.key()
    mods = combo.keyboardModifiers()
    text = ""
    if key == Qt.Key.Key_Space and not (mods & _CHORD_MODIFIERS):
        text = " "
    elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        text = "\r"
    elif key == Qt.Key.Key_Escape:
        text = "\x1b"
    elif key == Qt.Key.Key_Tab:
        text = "\t"
    return key, mods, text


# --------------------------------------------------------------------- keymap
@dataclass
class Keymap:
    """Which strokes run which command in which mode.

    Built from the commands' default keys, then the user's overrides: an override
    replaces every default key of that command (an empty list unbinds it).
    """

    modes: dict[str, dict[tuple[str, ...], str]] = field(default_factory=dict)
    by_command: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, defaults: Iterable[tuple[str, str, Sequence[str]]],
              overrides: Mapping[str, Sequence[str]] | None = None) -> Keymap:
        """`defaults`: (command id, mode, key names); `overrides`: command id -> key names."""
        keymap = cls(modes={mode: {} for mode in MODES})
        overrides = dict(overrides or {})
        known = set()
        # The user's bindings after every default: a key keys.json gives one command
        # is that command's, whichever of the two was registered first.
        defaults = sorted(defaults, key=lambda item: item[0] in overrides)
        for command_id, mode, keys in defaults:
            known.add(command_id)
            if mode not in MODES:
                raise ValueError(f"{command_id}: unknown mode {mode!r}")
            names = overrides.get(command_id, keys)
            if isinstance(names, str):
                names = [names]
            for name in names:
                try:
                    strokes = parse_binding(name)
                except KeyNameError as error:
                    keymap.warnings.append(f"{command_id}: {error}")
                    continue
                keymap._bind(mode, strokes, command_id)
        for command_id in overrides:
            if command_id not in known:
                keymap.warnings.append(f"keys file: no command {command_id!r}")
        return keymap

    def _bind(self, mode: str, strokes: tuple[str, ...], command_id: str) -> None:
        table = self.modes[mode]
        previous = table.get(strokes)
        if previous is not None and previous != command_id:
            self.warnings.append(f"{binding_text(strokes)} was bound to {previous}; "
                                 f"now runs {command_id}")
            self.by_command[previous] = [s for s in self.by_command.get(previous, [])
                                         if s != strokes]
        table[strokes] = command_id
        self.by_command.setdefault(command_id, [])
        if strokes not in self.by_command[command_id]:
            self.by_command[command_id].append(strokes)

    def effective(self, mode: str) -> dict[tuple[str, ...], str]:
        table: dict[tuple[str, ...], str] = {}
        for parent in FALLBACK.get(mode, ("global",)):
            table.update(self.modes.get(parent, {}))
        table.update(self.modes.get(mode, {}))
        return table

    def keys_for(self, command_id: str) -> list[str]:
        return [binding_text(s) for s in self.by_command.get(command_id, [])]


def load_overrides(path: Path) -> tuple[dict[str, list[str]], dict[str, object], list[str]]:
    """Read the user's keys file: returns (bindings, other settings, warnings).

    The file is JSON: ``{"bindings": {"paper.star": ["f"], ...}, "quick_tags": [...]}``.
    A missing file is no error; a broken one is reported and ignored.
    """
    if not path.exists():
        return {}, {}, []
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))  # a BOM is no error
    except (OSError, ValueError) as error:
        return {}, {}, [f"{path}: ignored ({error})"]
    if not isinstance(data, dict):
        return {}, {}, [f"{path}: ignored (expected a JSON object)"]
    raw = data.get("bindings", {})
    bindings: dict[str, list[str]] = {}
    warnings: list[str] = []
    if isinstance(raw, dict):
        for command_id, keys in raw.items():
            if isinstance(keys, str):
                keys = [keys]
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                warnings.append(f"{path}: {command_id}: expected a key or a list of keys")
                continue
            bindings[str(command_id)] = keys
    else:
        warnings.append(f"{path}: \"bindings\" should be an object")
    rest = {k: v for k, v in data.items() if k != "bindings"}
    return bindings, rest, warnings


def keys_file(config_dir: Path) -> Path:
    return config_dir / "keys.json"


def config_dir() -> Path:
    """Where Winnow keeps its settings: $WINNOW_CONFIG_DIR or the user config dir."""
    env = os.environ.get("WINNOW_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path("winnow", appauthor=False)


# --------------------------------------------------------------------- parser
class KeyParser(QObject):
    """Feeds strokes through the keymap; emits the command a complete binding names.

    Multi-stroke bindings (``g i``) wait for their next stroke up to `timeout_ms`;
    a stroke that continues no binding drops the pending ones and is tried alone.
    """

    matched = Signal(str)
    pending_changed = Signal(str)

    def __init__(self, keymap: Keymap, parent: QObject | None = None, *,
                 timeout_ms: int = 2500) -> None:
        super().__init__(parent)
        self.keymap = keymap
        self._buffer: tuple[str, ...] = ()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.reset)
        self._cache: dict[str, tuple[dict[tuple[str, ...], str], set[tuple[str, ...]]]] = {}

    def set_keymap(self, keymap: Keymap) -> None:
        self.keymap = keymap
        self._cache.clear()
        self.reset()

    @property
    def pending(self) -> str:
        return binding_text(self._buffer)

    def reset(self) -> None:
        self._timer.stop()
        if self._buffer:
            self._buffer = ()
            self.pending_changed.emit("")

    def _tables(self, mode: str) -> tuple[dict[tuple[str, ...], str], set[tuple[str, ...]]]:
        cached = self._cache.get(mode)
        if cached is None:
            table = self.keymap.effective(mode)
            prefixes = {seq[:i] for seq in table for i in range(1, len(seq))}
            cached = self._cache[mode] = (table, prefixes)
        return cached

    def feed(self, stroke: str, mode: str) -> bool:
        """True when the stroke was used (ran a command or is waiting for more)."""
        if not stroke:
            return bool(self._buffer)  # a lone Shift inside "g G" keeps the sequence
        table, prefixes = self._tables(mode)
        sequence = (*self._buffer, stroke)
        command_id = table.get(sequence)
        if command_id is not None:
            self.reset()
            self.matched.emit(command_id)
            return True
        if sequence in prefixes:
            self._buffer = sequence
            self._timer.start()
            self.pending_changed.emit(self.pending)
            return True
        if self._buffer:
            self.reset()
            if stroke == "Esc":
                return True
            return self.feed(stroke, mode)
        return False

    def feed_event(self, event: QKeyEvent, mode: str) -> bool:
        return self.feed(stroke_from_event(event), mode)


def write_template(path: Path, commands: Iterable[tuple[str, str, Sequence[str]]]) -> bool:
    """Create a keys file that lists every command and its default keys; False if the
    file exists already (it is never overwritten)."""
    if path.exists():
        return False
    data = {
        "bindings": {},
        "quick_tags": [],
        "_help": ("Rebind a command by copying its id into \"bindings\" with a list of "
                  "keys, e.g. \"paper.star\": [\"f\"]; [] unbinds it. Keys: a character "
                  "(j, J, ?), a Qt key name (Esc, Return, Space, Ctrl+Shift+Z), or a "
                  "sequence separated by spaces (g i). quick_tags: tag names for 1-9."),
        "_commands": {command_id: f"{title} — {', '.join(keys) or 'no keys'}"
                      for command_id, title, keys in commands},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return True
