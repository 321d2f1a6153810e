"""The API form's values checked as the other forms check them: an arXiv id is an
arXiv id (its version dropped), a link is an http(s) link, a day is a real day.
Real imports into a real library file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from storage import Library
from storage.listing import Listing, parse_listing
from storage.records import ListingError

TITLE = "Lattice-KV: Compressing the Key-Value Cache with Learned Product Quantizers"
SUMMARY = ("Serving long-context language models is bounded by the memory of the key-value "
           "cache, which grows linearly with sequence length. We introduce Lattice-KV, a "
           "cache compressor that learns product quantizers per attention head.")


def entry(**paper: object) -> dict[str, object]:
    card: dict[str, object] = {"id": "2611.01234", "title": TITLE, "summary": SUMMARY,
                               "publishedAt": "2026-10-01T17:59:15.000Z", "upvotes": 5}
    card.update(paper)
    return {"paper": card, "title": card["title"], "publishedAt": card["publishedAt"]}


@pytest.fixture
def library(tmp_path: Path) -> Library:
    with Library(tmp_path / "library.db") as lib:
        yield lib


def imported(library: Library, *entries: dict[str, object]) -> list[dict[str, object]]:
    report = library.import_text(json.dumps(list(entries)), name="api.json")
    assert report.ok, report.error
    return [paper.to_json() for paper in library.get_many(library.search("").ids)]


def test_a_versioned_id_is_the_same_paper_as_the_plain_one(library: Library) -> None:
    # A revision also renames the paper: only the id can tell it is the same one.
    imported(library, entry(id="2611.01234v3"))
    [paper] = imported(library, entry(id="2611.01234", title="Lattice-KV, revised title"))
    assert paper["arxiv_id"] == "2611.01234"
    assert paper["url"] == "https://huggingface.co/papers/2611.01234"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "<b>2611.01234</b>",
                                 "1}, title = {Pwned", "2611.01234 x", "2611.1", 2611.01234])
def test_an_id_that_is_not_an_arxiv_id_is_no_id(library: Library, bad: object) -> None:
    [paper] = imported(library, entry(id=bad))
    assert paper["title"] == TITLE
    assert paper["arxiv_id"] is None and paper["url"] is None


def test_links_are_web_addresses_and_days_are_real_days(library: Library) -> None:
    papers = imported(
        library,
        entry(githubRepo="javascript:alert(1)", projectPage="file:///etc/passwd",
              publishedAt="2026-13-45T00:00:00Z"),
        entry(id="2611.05678", title="A second paper on sparse routing",
              githubRepo="https://github.com/lab/routing", projectPage="http://lab.example.org",
              publishedAt="0000-01-01T00:00:00Z"))
    first = next(p for p in papers if p["arxiv_id"] == "2611.01234")
    second = next(p for p in papers if p["arxiv_id"] == "2611.05678")
    assert first["github_repo"] is None and first["project_page"] is None
    assert first["published"] is None
    assert second["github_repo"] == "https://github.com/lab/routing"
    assert second["project_page"] == "http://lab.example.org"
    assert second["published"] is None


# ------------------------------------------------ several JSON documents in one file

WEEK = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "forms"
                   / "api-week.json").read_text(encoding="utf-8"))


def _titles(listing: Listing) -> list[str]:
    return [r.title for r in listing.records]


def _week_titles() -> list[str]:
    return _titles(parse_listing(json.dumps(WEEK), name="week.json"))


@pytest.mark.parametrize("joint", ["", "\n", "\r\n", "  \n\t\n", "\n\ufeff"])
def test_two_days_in_one_file_are_both_days(joint: str) -> None:
    # `cat day1.json day2.json > both.json` was refused as "no listing".
    text = json.dumps(WEEK[:7]) + joint + json.dumps(WEEK[7:]) + "\n"
    listing = parse_listing(text, name="both.json")
    assert listing.form == "api"
    assert _titles(listing) == _week_titles()
    assert listing.warnings == []


def test_json_lines_of_entries_and_of_single_papers() -> None:
    entries = "\n".join(json.dumps(e) for e in WEEK) + "\n"
    assert _titles(parse_listing(entries, name="week.jsonl")) == _week_titles()
    papers = "\n".join(json.dumps(e["paper"]) for e in WEEK)
    listing = parse_listing(papers, name="papers.jsonl")
    assert [(r.title, r.arxiv_id) for r in listing.records] == [
        (e["paper"]["title"], e["paper"]["id"]) for e in WEEK]


def test_a_paper_in_two_documents_is_one_paper_with_its_first_facts() -> None:
    # A week and one of its days, concatenated: the day's papers are the week's.
    text = json.dumps(WEEK) + "\n" + json.dumps(WEEK[3:6])
    listing = parse_listing(text, name="week-and-day.json")
    assert _titles(listing) == _week_titles()
    assert [r.position for r in listing.records] == list(range(1, len(WEEK) + 1))


@pytest.mark.parametrize(("second", "line"), [
    ('{"error": "Invalid date"}', 2),
    ("[1, 2, 3]", 2),
    ('\n\n[{"paper": "x"}, 5]', 4),
    ("<html>rate limited</html>", 2),
])
def test_a_document_that_is_no_listing_is_named_by_its_line(second: str, line: int) -> None:
    text = json.dumps(WEEK[:7]) + "\n" + second
    with pytest.raises(ListingError) as caught:
        parse_listing(text, name="both.json")
    message = str(caught.value)
    assert message.startswith(f"both.json: line {line}: ")
    assert "\n" not in message


def test_one_document_that_is_no_listing_is_refused_as_before() -> None:
    with pytest.raises(ListingError, match=r"^x\.json: no Daily Papers listing found in it$"):
        parse_listing('{"error": "Invalid date"}', name="x.json")


def test_the_command_imports_two_concatenated_days(tmp_path: Path) -> None:
    both = tmp_path / "both.json"
    both.write_text(json.dumps(WEEK[:7], indent=2) + "\n" + json.dumps(WEEK[7:], indent=2),
                    encoding="utf-8")
    done = _winnow(tmp_path, "import", "--json", str(both))
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["files"]
    assert (report["form"], report["found"], report["new"]) == ("api", len(WEEK), len(WEEK))
    listed = json.loads(_winnow(tmp_path, "list", "--json").stdout)
    assert sorted(p["arxiv_id"] for p in listed) == sorted(e["paper"]["id"] for e in WEEK)


def test_the_command_refuses_a_file_with_an_error_document_and_writes_nothing(
        tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(WEEK[:7]) + '\n{"error": "Rate limit reached"}\n',
                   encoding="utf-8")
    done = _winnow(tmp_path, "import", str(bad))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "winnow: bad.json: line 2: a JSON document that is no Daily Papers listing"]
    # Not even an empty library is left at the new path (N13).
    assert not (tmp_path / "library.db").exists()


def _winnow(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "library.db"), *args],
        capture_output=True, text=True, timeout=120, check=False)


# ------------------------------------------------------------ a response cut short

WEEK_TEXT = (Path(__file__).resolve().parents[2] / "fixtures" / "forms"
             / "api-week.json").read_text(encoding="utf-8")


def _entry_at(k: int) -> int:
    """Where the k-th entry of the week's list starts in its text."""
    at = -1
    for _ in range(k + 1):
        at = WEEK_TEXT.index('\n {\n  "paper"', at + 1)
    return at + 1


@pytest.mark.parametrize(("where", "shown"), [
    ("in its summary", "title"), ("in its title", "cut title"), ("before its title", None),
])
def test_a_response_cut_inside_an_entry_keeps_the_whole_ones_and_names_it(
        where: str, shown: str | None) -> None:
    # A download or a copy of the JSON viewer that stopped short was refused whole as
    # "no listing"; its whole entries are papers like any cut copy's whole cards.
    start = _entry_at(7)
    title = WEEK[7]["paper"]["title"]
    title_at = WEEK_TEXT.index(json.dumps(title)[1:-1], start)
    cut = {"in its summary": WEEK_TEXT.index('"summary"', start) + 40,
           "in its title": title_at + 12, "before its title": start + 30}[where]
    listing = parse_listing(WEEK_TEXT[:cut], name="week.json")
    assert _titles(listing) == _week_titles()[:7]
    before = WEEK[6]["paper"]["title"]
    if shown == "title":
        want = f'week.json: the copy ends inside the card "{title}"; skipped'
    elif shown == "cut title":
        want = f'week.json: the copy ends inside the card "{title[:12]}"; skipped'
    else:
        want = f'week.json: the copy ends inside a card after "{before}"; its title is cut off'
    assert listing.warnings == [want]


def test_a_response_cut_between_entries_says_the_list_goes_on() -> None:
    cut = WEEK_TEXT[: _entry_at(7)]
    listing = parse_listing(cut, name="week.json")
    assert _titles(listing) == _week_titles()[:7]
    assert listing.warnings == [
        f'week.json: the copy ends after "{WEEK[6]["paper"]["title"]}" before its list '
        f"does; whatever followed is cut off"]


def test_a_malformed_response_is_still_refused() -> None:
    broken = WEEK_TEXT[: _entry_at(7)] + '{"paper": oops}, ' + WEEK_TEXT[_entry_at(8):]
    with pytest.raises(ListingError, match=r"^week\.json: "):
        parse_listing(broken, name="week.json")


def test_the_command_imports_the_whole_entries_of_a_cut_response(tmp_path: Path) -> None:
    cut = tmp_path / "week.json"
    cut.write_text(WEEK_TEXT[: WEEK_TEXT.index('"summary"', _entry_at(7)) + 40],
                   encoding="utf-8")
    done = _winnow(tmp_path, "import", "--json", str(cut))
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["files"]
    assert (report["form"], report["found"], report["new"]) == ("api", 7, 7)
    assert report["warnings"] == [
        f'week.json: the copy ends inside the card "{WEEK[7]["paper"]["title"]}"; skipped']


def test_a_second_document_cut_short_keeps_the_first() -> None:
    text = json.dumps(WEEK[:7]) + '\n\n[{"paper": {"id": "2611.0'
    listing = parse_listing(text, name="both.json")
    assert _titles(listing) == _week_titles()[:7]
    assert listing.warnings == [
        f'both.json: the copy ends inside a card after "{WEEK[6]["paper"]["title"]}"; '
        f"its title is cut off"]


# The day a paper was listed is its submittedOnDailyAt. A real response's entries carry
# the arXiv time as their own publishedAt (attack N35): the day's listing date was read
# from that, so a real day's response had none (its papers' arXiv days differ) or the wrong
# one (one entry: the day it went to arXiv, a week before it was listed).
FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"


def _real_shape(entries: list[dict[str, object]]) -> list[dict[str, object]]:
    out = []
    for e in entries:
        paper = dict(e["paper"])  # type: ignore[arg-type]
        out.append({**e, "publishedAt": paper["publishedAt"]})
    return out


@pytest.mark.parametrize("day", ["2026-09-28", "2026-10-02"])
def test_a_days_response_is_listed_on_its_papers_submitted_day(tmp_path: Path,
                                                                day: str) -> None:
    week = json.loads((FORMS / "api-week.json").read_text(encoding="utf-8"))
    entries = [e for e in week if e["paper"]["submittedOnDailyAt"].startswith(day)]
    assert len(entries) >= 2
    real = _real_shape(entries)
    assert {e["publishedAt"][:10] for e in real} != {day}  # the arXiv days, not the list's
    listing = parse_listing(json.dumps(real), name="day.json")
    assert listing.listing_date == day
    (one,) = _real_shape(entries[:1])
    assert parse_listing(json.dumps([one]), name="one.json").listing_date == day
    path = tmp_path / f"day-{day}.json"
    path.write_text(json.dumps(real), encoding="utf-8")
    db = tmp_path / "lib.db"
    run = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(db), "import",
                          "--json", str(path)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    with Library(db) as lib:
        dates = [s.get("listing_date") for s in lib.sources()]
    assert dates == [day]


# Entries copied out of a response's list keep its "," between and after them (attack N34):
# the whole text was refused as "text that is no JSON".
@pytest.mark.parametrize("tail", [",\n", "\n"], ids=["comma-after-last", "none-after-last"])
def test_entries_copied_out_of_a_list_with_their_commas_are_the_entries(
        tmp_path: Path, tail: str) -> None:
    week = json.loads((FORMS / "api-week.json").read_text(encoding="utf-8"))
    whole = parse_listing(json.dumps(week), name="week.json")
    snippet = ",\n".join(json.dumps(e, indent=2) for e in week) + tail
    listing = parse_listing(snippet, name="snippet.json")
    assert listing.records == whole.records
    assert listing.warnings == [
        "snippet.json: entries copied out of a JSON list, with its ',' between them (line "
        f"{json.dumps(week[0], indent=2).count(chr(10)) + 1}); read as the entries"]
    path = tmp_path / "snippet.json"
    path.write_text(json.dumps(week[0], indent=2) + ",\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "l.db"),
                          "import", "--json", str(path)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["files"][0]["found"] == 1


def test_a_comma_after_a_list_is_still_no_json() -> None:
    # Only entries (objects) are read past their ","; a list and then more is a malformed text.
    with pytest.raises(ListingError, match=r"line 1: text that is no JSON$"):
        parse_listing('[{"paper": {"id": "2611.01234", "title": "T", "summary": "S"}}], x',
                      name="bad.json")


def test_another_tools_json_of_papers_keyed_by_id_is_named() -> None:
    # A scraper's papers.json: an object keyed by arXiv id, each a title, authors, an
    # abstract, a link (attack N41: "no Daily Papers listing" to a user holding papers).
    other = {p["paper"]["id"]: {"url": f"https://arxiv.org/abs/{p['paper']['id']}",
                                "title": p["title"], "abstract": p["paper"]["summary"],
                                "upvotes": 3}
             for p in WEEK[:3]}
    with pytest.raises(ListingError) as caught:
        parse_listing(json.dumps(other, indent=4), name="papers.json")
    assert str(caught.value) == (
        "papers.json: JSON from another tool (papers keyed by their ids), not the Daily "
        "Papers API's; fetch the days it covers (winnow fetch DATE) or import the page saved "
        "from the browser instead")
