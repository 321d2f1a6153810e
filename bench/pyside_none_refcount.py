"""Does this PySide6 lose references to None? (It aborts Python when the count hits 0.)

    python -m bench.pyside_none_refcount

Found by bench/triage.py: with PySide6-Essentials 6.12.0 on Python 3.11, every PySide6
call that returns None (void methods such as QLabel.setText, and getters that return
no object, such as QModelIndex.data() for an empty role) takes one reference from None
and never gives it back. The window makes ~200-800 such calls per triage key press, so
Python aborts with "none_dealloc: deallocating None" after a few dozen presses.
6.11.3 on the same Python loses none; on Python 3.12+ None is immortal, so the lost
references are harmless there. Prints the change of None's refcount per call.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import PySide6
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QLabel, QWidget

    app = QApplication.instance() or QApplication([])  # noqa: F841 - keeps Qt alive
    label, widget = QLabel(), QWidget()
    model = QStandardItemModel(1, 1)
    model.setItem(0, 0, QStandardItem("x"))
    index = model.index(0, 0)
    calls = {
        "QLabel.setText('x')": lambda: label.setText("x"),
        "QWidget.update()": widget.update,
        "QWidget.parentWidget() -> None": widget.parentWidget,
        "QModelIndex.data(ForegroundRole) -> None": lambda: index.data(9),
    }
    lost = False
    print(f"PySide6 {PySide6.__version__}, Python {sys.version.split()[0]}")
    for name, call in calls.items():
        call()
        before = sys.getrefcount(None)
        for _ in range(1000):
            call()
        change = (sys.getrefcount(None) - before) / 1000
        lost |= change < 0
        print(f"  {name:44s} {change:+.2f} per call")
    print("LOSES references to None" if lost else "ok")
    sys.stdout.flush()
    os._exit(1 if lost else 0)  # skip teardown: a damaged refcount may abort it


if __name__ == "__main__":
    main()
