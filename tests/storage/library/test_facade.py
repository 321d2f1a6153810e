"""The Library's face and the storage package: no Qt anywhere in storage."""

from __future__ import annotations

import subprocess
import sys


def test_storage_never_imports_qt() -> None:
    code = ("import sys, storage, storage.library, storage.search, storage.export; "
            "print(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
