"""The test folders mirror the code: every module of storage/ and desktop/ that holds logic
(a function or a class) has its own test file at the mirrored path, storage/a/b.py ->
tests/storage/a/test_b.py, a package's __init__.py -> tests/<package>/test_<package>.py.

A new module without its test file fails here, named with the file it wants. Feature tests
(tests/reliability/, the desktop's whole-window tests) may test a module too; they do not
stand in for its own file.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("storage", "desktop")
# The command line's package is `winnow` itself: its tests are the program's (usage, run
# errors, the library it opens), in test_main.py.
TESTED_AS = {"desktop/cli/__init__.py": "tests/desktop/cli/test_main.py"}
# Modules still without a file of their own: none since 2026-11-30 (the last was
# desktop/actions/__init__.py). Nothing may be added: a new module comes with its file.
NOT_YET: frozenset[str] = frozenset()


def has_logic(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               for node in tree.body)


def mirrored(module: Path) -> Path:
    """tests/... for a module path relative to ROOT."""
    key = module.as_posix()
    if key in TESTED_AS:
        return Path(TESTED_AS[key])
    name = module.parent.name if module.name == "__init__.py" else module.stem
    return Path("tests") / module.parent / f"test_{name}.py"


def modules_with_logic() -> list[Path]:
    return sorted(path.relative_to(ROOT) for package in PACKAGES
                  for path in (ROOT / package).rglob("*.py") if has_logic(path))


def test_every_module_with_logic_has_its_mirrored_test_file() -> None:
    modules = modules_with_logic()
    assert len(modules) > 60  # the walk found the code
    missing = [f"{m.as_posix()} -> {mirrored(m).as_posix()}" for m in modules
               if not (ROOT / mirrored(m)).is_file() and m.as_posix() not in NOT_YET]
    assert missing == [], "modules without their test file:\n" + "\n".join(missing)


def test_the_not_yet_list_names_only_modules_with_logic() -> None:
    modules = {m.as_posix() for m in modules_with_logic()}
    assert sorted(NOT_YET - modules) == []


def test_the_mirror_rule() -> None:
    assert mirrored(Path("storage/library/errors.py")) == Path(
        "tests/storage/library/test_errors.py")
    assert mirrored(Path("storage/forms/__init__.py")) == Path(
        "tests/storage/forms/test_forms.py")
    assert mirrored(Path("desktop/cli/__init__.py")) == Path("tests/desktop/cli/test_main.py")
    assert has_logic(ROOT / "storage" / "abbrev.py")
    assert not has_logic(ROOT / "desktop" / "cli" / "__main__.py")


# The readers of the page turn text into records and nothing else: they may use the record
# type and text normalisation, never the library that stores records (its merge rules, the
# database, rapidfuzz). Two glued copies merge by the records' own rule (storage/records.py).
FORMS_MAY_USE = ("storage.forms", "storage.records", "storage.text")


def test_the_page_readers_use_nothing_of_the_library() -> None:
    used = set()
    for path in (ROOT / "storage" / "forms").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                used.add((node.module, path.name))
            elif isinstance(node, ast.Import):
                used.update((alias.name, path.name) for alias in node.names)
    outside = sorted((module, name) for module, name in used
                     if module.split(".")[0] == "storage"
                     and not module.startswith(FORMS_MAY_USE))
    assert outside == []
