"""A trending card's AI summary once stored as its abstract (with the text after it run on)
is taken back by a clean import of a copy that shows the summary (attack F24's second half).

The rule: a record that brings an AI summary and no abstract (its card shows the summary in
the abstract's place) replaces a stored abstract that begins with that summary by none; the
old text stays in the abstract history, as every replaced abstract does, and a paper's marks
are untouched. A whole abstract (from the daily page or the API) never begins with the
summary and is kept. Real library files; the imports through the real `winnow import`.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from storage import Library
from tests.storage.forms.helpers import FORMS, read

CLIPPED = (FORMS / "md-trending-clipped.md").read_text(encoding="utf-8")
# A summary-only card of the fixture (the trending page shows its AI summary).
CARD = read("md-trending-clipped.md").records[0]
JUNK = " [图片：nvidia] NVIDIA · Published on Oct 1, 2026 [Upvote 142] GitHub 2.31k arXiv Page"


def junk_copy() -> str:
    """The copy as a wrapped import read it: the text after the summary run on into it,
    past 300 characters, so that the card's text was taken for an abstract."""
    summary = CARD.ai_summary or ""
    assert CARD.abstract == "" and summary and CLIPPED.count(summary) == 2
    return CLIPPED.replace(summary, summary + JUNK + JUNK)


def winnow(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120, check=False)


def paper(db: Path) -> dict[str, object]:
    done = winnow(db, "list", "--json", "--limit", "100")
    return next(p for p in json.loads(done.stdout) if p["title"] == CARD.title)


def test_a_clean_import_takes_back_a_summary_stored_as_an_abstract(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    (tmp_path / "junk.md").write_text(junk_copy(), encoding="utf-8")
    (tmp_path / "clean.md").write_text(CLIPPED, encoding="utf-8")
    assert winnow(db, "import", str(tmp_path / "junk.md")).returncode == 0
    junk = paper(db)
    assert str(junk["abstract"]).startswith(CARD.ai_summary or "") and JUNK.strip() in str(
        junk["abstract"])
    # The user acted on it: starred, read, a highlight in the junk text.
    with Library(db) as library:
        library.set_starred([int(junk["id"])], True)  # type: ignore[call-overload]
        library.set_read([int(junk["id"])])  # type: ignore[call-overload]
        highlight = library.annotate_quote(int(junk["id"]), "Published on Oct 1")  # type: ignore[call-overload]
        assert highlight.annotation is not None

    done = winnow(db, "import", "--json", str(tmp_path / "clean.md"))
    assert done.returncode == 0, done.stderr
    clean = paper(db)
    assert clean["abstract"] == "" and clean["ai_summary"] == CARD.ai_summary
    assert clean["starred"] and clean["read"]
    with Library(db) as library:
        [old] = library.abstract_history(int(junk["id"]))  # type: ignore[call-overload]
    assert old["abstract"] == junk["abstract"]
    # Undo of the clean import puts the text back (it is a change like any other).
    source = json.loads(done.stdout)["files"][0]["source_id"]
    assert winnow(db, "undo-import", str(source)).returncode == 0
    assert paper(db)["abstract"] == junk["abstract"]


def test_a_whole_abstract_is_kept_when_a_trending_copy_shows_the_summary(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    abstract = ("We compress the key-value cache with learned product quantizers and keep "
                "recent tokens exact; memory falls 5.3x on 128k-token prompts.")
    whole = CLIPPED.replace(CARD.ai_summary or "", abstract + " " + abstract + " " + abstract)
    (tmp_path / "whole.md").write_text(whole, encoding="utf-8")
    (tmp_path / "clean.md").write_text(CLIPPED, encoding="utf-8")
    assert winnow(db, "import", str(tmp_path / "whole.md")).returncode == 0
    before = paper(db)["abstract"]
    assert str(before).startswith(abstract)
    assert winnow(db, "import", str(tmp_path / "clean.md")).returncode == 0
    after = paper(db)
    assert after["abstract"] == before and after["ai_summary"] == CARD.ai_summary
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM abstract_history").fetchone() == (0,)
