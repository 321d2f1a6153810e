"""`winnow list`, `show` and `similar` (desktop/cli/papers.py),
run as the real command on a real library file."""

from __future__ import annotations

import json
from pathlib import Path

from storage import Library
from tests.desktop.cli.conftest import winnow


def test_list_show_and_json_fields(db: Path) -> None:
    listed = winnow("list", "--json", "--limit", "3", db=db)
    assert listed.returncode == 0, listed.stderr
    papers = json.loads(listed.stdout)
    assert len(papers) == 3
    expected = {"id", "title", "abstract", "authors_count", "organization", "published",
                "published_raw", "year_inferred", "upvotes", "read", "read_at", "starred",
                "tags", "note", "annotations", "sources", "added_at", "state", "snooze_until",
                # v2's card facts
                "arxiv_id", "url", "comments", "authors", "submitted_by", "ai_summary",
                "ai_keywords", "github_repo", "github_stars", "project_page", "date_source"}
    assert set(papers[0]) == expected
    shown = json.loads(winnow("show", str(papers[0]["id"]), "--json", db=db).stdout)
    assert shown == papers[0]
    text = winnow("show", str(papers[0]["id"]), db=db).stdout
    assert papers[0]["abstract"] in text


def test_show_says_the_date_once_with_where_its_year_came_from(db: Path) -> None:
    dated = json.loads(winnow("show", "3", "--json", db=db).stdout)
    assert dated["published"] and dated["date_source"] == "listing"
    text = winnow("show", "3", db=db).stdout
    assert text.splitlines()[1].startswith(f"{dated['published']} (year from the listing) · ")
    assert text.count(dated["published"]) == 1


def test_similar_lists_papers_like_a_paper(db: Path) -> None:
    listed = json.loads(winnow("list", "--json", "title:tetris", db=db).stdout)
    result = winnow("similar", str(listed[0]["id"]), "--limit", "2", "--json", db=db)
    assert result.returncode == 0, result.stderr
    titles = [p["title"] for p in json.loads(result.stdout)]
    assert len(titles) == 2 and all("Speculative" in t for t in titles)


def test_show_names_the_triage_state_the_paper_is_in(db: Path) -> None:
    """`show` said "unread" for a skipped, shortlisted or snoozed paper (attack.md F14)."""
    for args in (["skip", "1"], ["shortlist", "2"], ["later", "3", "--until", "2999-01-01"],
                 ["later", "4", "--until", "someday"], ["done", "5"], ["star", "5"]):
        assert winnow(*args, db=db).returncode == 0
    lines = {n: winnow("show", str(n), db=db).stdout.splitlines()[2] for n in range(1, 7)}
    assert lines[1] == "id 1 · Skipped"
    assert lines[2] == "id 2 · Shortlist"
    assert lines[3] == "id 3 · Later, until 2999-01-01"
    assert lines[4] == "id 4 · Later, someday"
    assert lines[5] == "id 5 · Done · starred"
    assert lines[6] == "id 6 · Inbox"


def test_a_small_limit_keeps_the_count_of_papers_with_some_words(db: Path) -> None:
    """N26: a --limit that ends among the papers with every word still says how many
    more have some, as the default limit does; the counts are the Library's own."""
    with Library(db) as lib:
        every = lib.search("graph neural", limit=None)
    assert every.all_count is not None and every.some_count
    expected = f"{every.all_count} have all words · {every.some_count} more have some"
    for limit in ("1", "3", str(every.all_count), str(every.all_count + 1), "50"):
        done = winnow("list", "graph neural", "--limit", limit, db=db)
        assert done.returncode == 0, done.stderr
        assert done.stderr.strip() == (f"{len(every.ids)} papers, the first {limit} listed · "
                                       f"{expected}"), limit


def test_a_field_with_no_word_says_what_to_write(db: Path) -> None:
    """`summary:` alone listed every paper with no hint: the status line now says
    the field has no word, what to write, and that every paper is listed."""
    with Library(db) as lib:
        every = len(lib.search("", limit=None).ids)
        with_word = lib.search("agent", limit=None)
    done = winnow("list", "summary:", "--limit", "3", db=db)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == (f"{every} papers, the first 3 listed · summary: has "
                                   "nothing after it (write summary:word, with no space); "
                                   "every paper is listed")
    done = winnow("list", "summary: agent", "--limit", "3", db=db)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().startswith(f"{len(with_word.ids)} papers, the first 3 listed · ")
    assert "summary: has nothing after it (write summary:agent, with no space); ignored" \
        in done.stderr
