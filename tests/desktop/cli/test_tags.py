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
    undone = winnow("undo", db=seeded_path)
    # The undo names the tag it brought back (it said "Undid tag edit on 1 paper").
    assert (undone.returncode, undone.stdout) == (
        0, "Undid deleting tag “alignment” on 1 paper\n")
    names = [t["name"] for t in json.loads(winnow("tags", "--json", db=seeded_path).stdout)]
    assert names == ["alignment", "RL methods"]

    missing = winnow("tags", "--delete", "nope", db=seeded_path)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "winnow: no tag named 'nope'"


def test_tag_reports_what_it_added_and_removed_in_words(seeded_path: Path) -> None:
    one = winnow("tag", "1", "--add", "rl", db=seeded_path)
    assert one.returncode == 0 and one.stdout.strip() == "added 1 tag"
    both = winnow("tag", "1", "2", "--add", "safety", "--remove", "rl", db=seeded_path)
    assert both.stdout.strip() == "added 2 tags, removed 1 tag"
    gone = winnow("tag", "1", "2", "--remove", "safety", "--remove", "nope", db=seeded_path)
    assert gone.stdout.strip() == "removed 2 tags"
    with Library(seeded_path) as lib:
        assert lib.get(1).tags == () and lib.get(2).tags == ()


def test_a_tag_beginning_with_a_dash_is_refused_as_the_app_reads_it_as_removing(
        seeded_path: Path) -> None:
    """The app's tag box reads `-x` as "remove x", so such a tag could not be typed
    there: the command line refuses to make one (add or rename), in one line."""
    from desktop.dialogs import parse_tag_input

    assert parse_tag_input("-x") == ([], ["x"])
    for args in (("tag", "1", "--add", "-x"), ("tag", "1", "--add=- x"),
                 ("tags", "--rename", "rl", "-rl")):
        if args[0] == "tags":
            assert winnow("tag", "1", "--add", "rl", db=seeded_path).returncode == 0
        refused = winnow(*args, db=seeded_path)
        assert refused.returncode == 1, args
        assert refused.stderr.count("\n") == 1 and refused.stderr.startswith(
            "winnow: a tag cannot begin with \"-\""), refused.stderr
    names = [t["name"] for t in json.loads(winnow("tags", "--json", db=seeded_path).stdout)]
    assert names == ["rl"]
    # A tag with a dash inside is fine, and `--remove` still takes any name.
    assert winnow("tag", "1", "--add", "semi-supervised", db=seeded_path).returncode == 0
    assert winnow("tag", "1", "--remove", "-x", db=seeded_path).stdout.strip() == \
        "removed 0 tags"
