"""`winnow tags` (list, --json, --rename, --delete) and `winnow highlight`, run as
the real command against a real library file."""

from __future__ import annotations

import json
from pathlib import Path

from storage import Library
from tests.desktop.cli.conftest import winnow


def test_tags_json_rename_merge_delete_and_undo(seeded_path: Path) -> None:
    with Library(seeded_path) as lib:
        lib.add_tags([1, 2], ["rl"])
        lib.add_tags([3], ["safety"])
        lib.add_tags([4], ["RL methods"])
    listed = json.loads(winnow("tags", "--json", db=seeded_path).stdout)
    assert listed == [{"name": "rl", "papers": 2, "quick_key": 1},
                      {"name": "RL methods", "papers": 1, "quick_key": 3},
                      {"name": "safety", "papers": 1, "quick_key": 2}]
    plain = winnow("tags", db=seeded_path)
    assert plain.returncode == 0 and "     2  1  rl" in plain.stdout.splitlines()

    merged = winnow("tags", "--rename", "rl", "RL methods", db=seeded_path)
    assert merged.returncode == 0, merged.stderr
    assert "merged into" in merged.stdout
    renamed = winnow("tags", "--rename", "safety", "alignment", db=seeded_path)
    assert "renamed to" in renamed.stdout
    listed = json.loads(winnow("tags", "--json", db=seeded_path).stdout)
    assert listed == [{"name": "alignment", "papers": 1, "quick_key": 2},
                      {"name": "RL methods", "papers": 3, "quick_key": 3}]

    deleted = winnow("tags", "--delete", "alignment", db=seeded_path)
    assert deleted.returncode == 0 and "deleted from 1 paper" in deleted.stdout
    assert winnow("undo", db=seeded_path).returncode == 0
    names = [t["name"] for t in json.loads(winnow("tags", "--json", db=seeded_path).stdout)]
    assert names == ["alignment", "RL methods"]

    missing = winnow("tags", "--delete", "nope", db=seeded_path)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "winnow: no tag named 'nope'"
