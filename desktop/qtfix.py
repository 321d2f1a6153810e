"""Work around a PySide6 6.12 reference-count bug on Python < 3.12.

PySide6-Essentials 6.12.0 drops one reference to `None` every time C++ calls a
Python override (paint, data, resizeEvent, eventFilter, ...). From Python 3.12
`None` is immortal and nothing happens; on 3.10/3.11 its count reaches zero after
some tens of thousands of calls and the interpreter aborts ("none_dealloc").
6.11 does not have the bug. Until a fixed release is required, give `None` a head
start so large that no session can use it up.
"""

from __future__ import annotations

import ctypes
import sys

HEAD_START = 1 << 48


def affected(pyside_version: str, python: tuple[int, int] = sys.version_info[:2]) -> bool:
    if python >= (3, 12):
        return False
    parts = pyside_version.split(".")
    try:
        major, minor = int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return False
    return (major, minor) == (6, 12)


_applied = False


def guard_none_refcount() -> bool:
    """Apply the work-around once if this PySide6 and Python need it."""
    global _applied
    import PySide6

    if _applied or not affected(PySide6.__version__):
        return False
    # ob_refcnt is the first field of every object in release builds of CPython.
    ctypes.c_ssize_t.from_address(id(None)).value += HEAD_START
    _applied = True
    return True
