"""Icons, stylesheets and the desktop entry (package data: `winnow_assets`).

A regular package so that `importlib.resources.files()` finds it in editable
installs too (see seeds/__init__.py).
"""
