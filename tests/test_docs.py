"""The README is the user's manual: every command and option must be in it."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import build_parser
from storage import Library
from tests.desktop.cli.conftest import winnow

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _winnow_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `winnow`, run from `folder` as a user would type it there."""
    return subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=folder,
                          capture_output=True, text=True, timeout=300, check=False)


def _commands() -> list[tuple[str, argparse.ArgumentParser]]:
    found = []
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.extend(action.choices.items())
    return found


@pytest.mark.parametrize("name, parser", _commands())
def test_every_command_and_option_is_documented(name: str,
                                                parser: argparse.ArgumentParser) -> None:
    assert f"`winnow {name}" in README or f"/ `{name}" in README or f"/ {name}" in README, name
    for action in parser._actions:
        for option in action.option_strings:
            if option.startswith("--") and option not in ("--help", "--color"):
                assert option in README, f"winnow {name} {option} is not in the README"


def test_readme_gives_the_two_commands() -> None:
    assert ".venv/bin/pip install -e . && .venv/bin/winnow" in README
    test_command = ".venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    assert test_command in README
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci


# ------------------------------------------------------------ the README against the code
def _section(heading: str) -> str:
    """The README's text under `heading` (a `## ` line), up to the next `## `."""
    start = README.index(f"\n{heading}\n")
    end = README.find("\n## ", start + len(heading) + 2)
    return README[start:end if end >= 0 else len(README)]


def _keymap_table() -> str:
    start = README.index("| Keys | Command |")
    return README[start:README.index("\n\n", start)]


_KEY_AS_WRITTEN = {"Down": "↓", "Up": "↑"}


def _in_table(key: str, table: str) -> bool:
    if f"`{key}`" in table or f"`{_KEY_AS_WRITTEN.get(key, key)}`" in table:
        return True
    if key.isdigit():  # written as a range: `1` … `9`, `1`…`5`
        return any(int(a) <= int(key) <= int(b) for a, b in
                   re.findall(r"`(\d)`\s*…\s*`(\d)`", table))
    return False


def test_every_key_the_app_binds_is_in_the_readme_keymap() -> None:
    """The cheat sheet is made from the command registry; the README's table is written
    by hand, so it is checked against the same registry (it lacked `g u`, `g d` and caret
    mode's character keys)."""
    from desktop.actions import command_sets
    from storage import states

    table = _keymap_table()
    missing = [f"{spec.id} ({spec.mode}): {key}"
               for commands in command_sets(states.table()) for spec in commands.specs
               for key in spec.keys if not _in_table(key, table)]
    assert not missing, "keys bound in the app but not in the README's keymap:\n" + \
        "\n".join(missing)


_FTS_SHADOW = re.compile(r"papers_fts_(data|idx|docsize|config)$")


def test_the_schema_table_names_every_table_and_every_papers_column(library: Library) -> None:
    """The README's table is the map a user reads before opening the file in sqlite-utils
    or Datasette: every table a new library has and every column of `papers` (the triage
    state was missing from it)."""
    section = _section("## The library file")
    tables = [name for (name,) in library.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        if not _FTS_SHADOW.match(name)]
    assert "papers" in tables and "papers_fts" in tables
    assert [t for t in tables if f"`{t}`" not in section] == []
    papers_row = next(line for line in section.splitlines() if line.startswith("| `papers` |"))
    columns = [row[1] for row in library.conn.execute("PRAGMA table_info(papers)")]
    assert "state" in columns
    assert [c for c in columns if f"`{c}`" not in papers_row] == []


def test_the_json_fields_are_exactly_the_ones_the_readme_lists(seeded_path: Path) -> None:
    start = README.index("`--json` papers carry")
    paragraph = README[start:README.index("`winnow show` prints the same", start)]
    while re.search(r"\([^()]*\)", paragraph):  # asides: "(where `published` got ...)"
        paragraph = re.sub(r"\([^()]*\)", "", paragraph)
    listed = set()
    for quoted in re.findall(r"`([^`]+)`", paragraph):
        if "{" in quoted:  # the annotations' and sources' own fields
            continue
        listed.update(n.strip() for n in quoted.split(",") if re.fullmatch(r"\w+", n.strip()))
    listed.discard("--json")
    shown = winnow("show", "1", "--json", db=seeded_path)
    assert shown.returncode == 0, shown.stderr
    assert set(json.loads(shown.stdout)) == listed


def _query_examples() -> list[str]:
    section = _section("## Query language")
    start = section.index("| Query | Finds |")
    rows = section[start:section.index("\n\n", start)].splitlines()[2:]
    examples = []
    for row in rows:
        first = row.split(" | ")[0].lstrip("| ")
        examples += [q.replace("\\|", "|") for q in re.findall(r"`((?:[^`\\]|\\.)+)`", first)]
    return examples


def test_every_query_example_of_the_readme_is_read_as_the_readme_says(seeded: Library) -> None:
    """Each example in the query table is a real filter, operator or phrase on the sample
    library: none is searched as words with a note that it is not a filter, and each
    filter example of the table finds papers or is one the samples cannot have."""
    examples = _query_examples()
    assert len(examples) >= 40 and "`" not in "".join(examples)
    for query in examples:
        result = seeded.search(query)
        assert result.error is None, (query, result.error)
        for refusal in ("is not a filter", "has no value", "is not an order", "ignored"):
            assert refusal not in result.message, (query, result.message)


def test_the_readme_query_examples_find_papers_in_the_samples(seeded: Library) -> None:
    """A new user tries the examples on the sample library first: a text example that
    finds nothing there reads as a broken search (`title:kan` did: no sample title says
    KAN). Filters on what a new library has none of (tags, notes, stars, states other
    than the Inbox, a saved source, an AI summary: the samples are no trending page) are
    left out."""
    empty_by_nature = re.compile(r"(^|\s|-)(tag|note|summary|is|has|added|sort):|^NOT |^-")
    for query in _query_examples():
        if empty_by_nature.search(query):
            continue
        assert seeded.search(query).ids, f"{query!r} finds nothing in the sample library"


def test_the_readme_status_lines_are_the_ones_winnow_list_prints(seeded_path: Path) -> None:
    """The README quotes what the status line says; `winnow list` on the samples says it."""
    section = _section("## Query language")
    for query, quoted in (("kolmogorv arnld", "Showing results for kolmogorov arnold"),
                          ("is:unred", "is:unred is not a filter (is: takes annotated, done, "
                                       "inbox, "),
                          ('tag:""', 'tag:"" has no value; ignored'),
                          ("summary: agent", "summary: has nothing after it (write "
                                             "summary:agent, with no space); ignored")):
        assert quoted in section, quoted
        listed = winnow("list", query, db=seeded_path)
        assert listed.returncode == 0 and quoted in listed.stderr, (query, listed.stderr)


def _json_block_after(marker: str) -> str:
    start = README.index("```json", README.index(marker))
    return README[start + len("```json"):README.index("```", start + 7)]


def test_the_readme_keys_and_states_examples_load_as_written(tmp_path: Path) -> None:
    from desktop.keys import load_overrides
    from storage import states

    keys_json = tmp_path / "keys.json"
    keys_json.write_text(_json_block_after("**Rebinding keys.**"), encoding="utf-8")
    bindings, rest, warnings = load_overrides(keys_json)
    assert warnings == [] and bindings["paper.star"] == ["f"]
    assert rest["quick_tags"] == ["to-read", "keep"]
    states_json = tmp_path / "states.json"
    states_json.write_text(_json_block_after("Rename a state or add your own"),
                           encoding="utf-8")
    table = states.load(states_json)
    assert table.get("shortlist").label == "To read"
    assert table.get("skimmed").key == "c"


def test_the_headless_first_step_gives_the_sample_papers(tmp_path: Path) -> None:
    """Without a display the README's way to the 415 sample papers is `winnow import
    seeds/*.txt`; run as written, from the clone's root."""
    command = "winnow import seeds/*.txt"
    assert f"`{command}`" in " ".join(_section("## Install and start").split())
    seeds = sorted(str(p.relative_to(ROOT)) for p in SEEDS)
    done = _winnow_in(ROOT, "--db", str(tmp_path / "lib.db"), "import", *seeds)
    assert done.returncode == 0, done.stderr
    new = sum(int(n) for n in re.findall(r", (\d+) new,", done.stdout))
    assert new == 415, done.stdout


def test_the_import_line_the_readme_shows_is_the_one_winnow_prints(tmp_path: Path) -> None:
    """`Every import gets an id, printed after its counts`: the README's example line has
    the shape of the real one (it lacked the `updated` count)."""
    example = re.search(r"`(monday\.txt: [^`]*)`", README)
    assert example, "the README shows an import's line"
    written = " ".join(example.group(1).split())
    shape = re.sub(r"\d+", r"\\d+", re.escape(written))
    (tmp_path / "monday.txt").write_bytes(SEEDS[0].read_bytes())
    done = _winnow_in(tmp_path, "--db", str(tmp_path / "lib.db"), "import", "monday.txt")
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(shape, done.stdout.strip()), (shape, done.stdout)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_readme_offline_fetch_recipe_runs_as_written(tmp_path: Path) -> None:
    """The three lines of "To try it offline", run by bash as written (on a free port
    instead of 8000), with an API answer as `answer.json`: the day's papers come in."""
    import os
    import shutil
    import time
    import urllib.request

    start = README.index("```sh", README.index("To try it offline"))
    lines = README[start + 5:README.index("```", start + 5)].strip().splitlines()
    assert len(lines) == 3 and lines[1].endswith("&")
    port = str(_free_port())
    shutil.copy(ROOT / "tests" / "fixtures" / "forms" / "api-week.json",
                tmp_path / "answer.json")
    env = {**os.environ, "WINNOW_DB": str(tmp_path / "lib.db"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    def bash(line: str, **kw: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", line.replace("8000", port)], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=120,
                              check=False, **kw)

    assert bash(lines[0]).returncode == 0
    server = subprocess.Popen(["bash", "-c", "exec " + lines[1].rstrip("& ").strip("()")
                               .replace("cd mirror && ", "").replace("8000", port)],
                              cwd=tmp_path / "mirror", env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):  # until it listens (not a timing assertion: a wait)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/daily_papers", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        done = bash(lines[2])
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(rf"127\.0\.0\.1:{port} date=2026-11-27: 14 papers, 14 new, 0 updated, "
                        r"0 unchanged \(import 1\)", done.stdout.strip()), done.stdout


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces -> -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_inside_the_readme_lands_on_a_heading() -> None:
    anchors = {_slug(h) for h in re.findall(r"^#{1,4} (.+)$", README, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", README)
    assert len(links) >= 10
    assert sorted({link for link in links if link not in anchors}) == []


# ------------------------------------------------------------ session 6: a new user again
def test_every_app_command_without_a_key_is_named_in_the_readme() -> None:
    """A command with no key is not in the README's keymap nor found by its key on the
    cheat sheet: the user meets it only in a menu or the palette, so the README names it by
    that title (it lacked File ▸ Import the sample listings, Go ▸ Save this search… and
    Delete this saved search)."""
    from desktop.actions import command_sets
    from storage import states

    text = " ".join(README.split())
    keyless = [spec for commands in command_sets(states.table()) for spec in commands.specs
               if not spec.keys]
    assert len(keyless) >= 8

    def named(title: str) -> bool:
        # "Delete this tag (from every paper)" is named as "Delete this tag".
        plain = re.sub(r"\s*\([^)]*\)$", "", title).rstrip("…").strip()
        return plain in text

    assert [f"{spec.id}: {spec.title}" for spec in keyless if not named(spec.title)] == []


def test_the_readme_says_papers_are_one_by_arxiv_id_first(tmp_path: Path) -> None:
    """"What an import does" said papers are deduplicated by their normalised title; the
    program goes by the arXiv id first: two papers with one title and two ids stay two,
    one id under a new title is one paper."""
    bullet = " ".join(_section("## What an import does").split())
    sentence = bullet[bullet.index("Papers are deduplicated"):]
    sentence = sentence[:sentence.index(".")]
    assert "arXiv id" in sentence, sentence
    assert sentence.index("arXiv id") < sentence.index("normalised title"), sentence

    week = json.loads((ROOT / "tests" / "fixtures" / "forms" / "api-week.json")
                      .read_text(encoding="utf-8"))
    first = week[0]
    twin = json.loads(json.dumps(first))
    twin["paper"]["id"] = "2611.09999"
    twin["paper"]["summary"] = "Another paper under the same title. " * 6
    (tmp_path / "twins.json").write_text(json.dumps([first, twin]), encoding="utf-8")
    renamed = json.loads(json.dumps(first))
    renamed["title"] = renamed["paper"]["title"] = "Lattice-KV, renamed by its authors"
    (tmp_path / "renamed.json").write_text(json.dumps([renamed]), encoding="utf-8")
    db = tmp_path / "lib.db"
    assert winnow("import", str(tmp_path / "twins.json"), db=db).returncode == 0
    again = winnow("import", "--json", str(tmp_path / "renamed.json"), db=db)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["new"] == 0
    listed = winnow("list", "--json", db=db)
    papers = json.loads(listed.stdout)
    assert sorted(p["arxiv_id"] for p in papers) == ["2611.01234", "2611.09999"]
    assert len({p["title"] for p in papers}) == 1


def test_the_layout_names_every_module_of_storage() -> None:
    """The Layout is where a reader of the code starts; storage/ has grown modules the
    row did not name (identity, removal, transport, records…)."""
    row = next(line for line in _section("## Layout").splitlines()
               if line.startswith("| `storage/` |"))
    storage = ROOT / "storage"
    parts = sorted(p.name for p in storage.iterdir()
                   if (p.suffix == ".py" and p.stem != "__init__")
                   or (p.is_dir() and (p / "__init__.py").exists()))
    assert len(parts) >= 20
    assert [p for p in parts if f"`{p}`" not in row and f"`{p.removesuffix('.py')}`"
            not in row and f"`{p}/`" not in row] == []


def test_a_wrong_import_is_put_right_by_taking_it_back_as_the_readme_says(
        tmp_path: Path) -> None:
    """Attack N16: after a mangled copy rewrote an abstract, a user imported the good copy
    again to repair it; nothing changed, and the README did not say why or what to do."""
    text = " ".join(_section("## What can be imported").split())
    assert "put right by taking it back" in text
    assert "already imported on DATE; nothing changed" in text
    good = (ROOT / "tests" / "fixtures" / "forms" / "text-daily.txt").read_text(encoding="utf-8")
    first = "Serving long-context language models is bounded"
    assert good.count(first) == 1
    (tmp_path / "day.txt").write_text(good, encoding="utf-8")
    (tmp_path / "again.txt").write_text(good, encoding="utf-8")
    (tmp_path / "chat.txt").write_text(good.replace(first, "Alice 9:13 AM " + first),
                                       encoding="utf-8")
    db = tmp_path / "lib.db"

    def abstract() -> str:
        shown = winnow("list", "Lattice-KV", "--json", db=db)
        return json.loads(shown.stdout)[0]["abstract"]

    assert winnow("import", str(tmp_path / "day.txt"), db=db).returncode == 0
    chat = winnow("import", "--json", str(tmp_path / "chat.txt"), db=db)
    assert json.loads(chat.stdout)["updated"] == 1
    assert abstract().startswith("Alice 9:13 AM")
    again = winnow("import", str(tmp_path / "again.txt"), db=db)
    assert again.returncode == 0
    assert "already imported on" in again.stderr and "nothing changed" in again.stderr
    assert abstract().startswith("Alice 9:13 AM")
    undo = winnow("undo-import", str(json.loads(chat.stdout)["files"][0]["source_id"]), db=db)
    assert undo.returncode == 0, undo.stderr
    assert abstract().startswith(first)


@pytest.mark.skipif(shutil.which("fmt") is None, reason="GNU fmt is not installed")
def test_what_the_readme_says_of_copies_refilled_by_fmt(tmp_path: Path) -> None:
    """The README says which copies refilled by `fmt` read as before: a reference-link
    dump does now (its card parts, run into one line, put apart again; it was refused), and a
    select-all text copy is refused in one line naming the reflow (it gave junk papers)."""
    text = " ".join(_section("## What can be imported").split())
    assert "reference-link dump, whose card parts fmt runs into one line, put apart" in text
    assert "refused in one line naming the reflow" in text
    forms = ROOT / "tests" / "fixtures" / "forms"
    for name in ("md-reference-links.md", "text-daily.txt"):
        refilled = subprocess.run(["fmt", "-w", "80"], input=(forms / name).read_bytes(),
                                  capture_output=True, check=True).stdout
        (tmp_path / name).write_bytes(refilled)
    done = winnow("import", "--json", str(tmp_path / "md-reference-links.md"),
                  db=tmp_path / "refs.db")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"][0]["found"] == 12
    refused = winnow("import", str(tmp_path / "text-daily.txt"), db=tmp_path / "text.db")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "winnow: text-daily.txt: a plain-text copy of the page refilled by fmt or a mail "
        "client's Rewrap: each card's upvote count, title, abstract and date were run into "
        "one paragraph, so a title cannot be told from its abstract; not read: import the "
        "copy as it was saved"]
    assert not (tmp_path / "text.db").exists()
