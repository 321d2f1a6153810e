"""The sample listings shipped with Winnow (package data: `winnow_seeds`).

A regular package rather than a namespace one: on Python 3.11,
`importlib.resources.files()` rejects the namespace path an editable install
hands out.
"""
