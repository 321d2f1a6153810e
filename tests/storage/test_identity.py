"""Identity (arXiv id, else title), what a re-import may change, and the abstracts
of papers the user worked on. Real library files in a temp dir."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from storage import Library
from storage.records import PaperRecord
from tests.storage.library.conftest import title_id

ABSTRACTS = [
    f"Paper {n} studies {topic} with a new method. We show that it improves over strong "
    f"baselines on {n + 3} benchmarks while using {n * 10}% less compute, and we release code."
    for n, topic in enumerate(["sparse attention", "protein folding", "robot grasping",
                               "speech recognition", "graph rewiring", "code repair",
                               "weather forecasting", "theorem proving", "video diffusion"],
                              start=1)
]
TITLES = [f"Title Number {n}: A Study of Something Distinct" for n in range(1, 10)]


def listing(pairs: list[tuple[str, str]], *, upvotes: int = 5, day: str = "Mar 14") -> str:
    """A listing in the seeds' text layout: title, abstract, authors, "·", date."""
    blocks = ["Daily Papers", "byAK and the research community", day]
    for title, abstract in pairs:
        blocks += [title, abstract, "  • 3 authors\n·\nMar 13, 2025 " + str(upvotes)]
    return "\n\n".join(blocks) + "\n"


def record(title: str, abstract: str = "", *, position: int = 1, **facts: object
           ) -> PaperRecord:
    return PaperRecord(title, abstract, position, None, None, None, None, False,
                       facts.pop("upvotes", None), **facts)  # type: ignore[arg-type]


def test_blocks_in_the_wrong_order_rewrite_no_abstract_of_papers_worked_on(
        library: Library) -> None:
    """The reported bug: a listing whose blocks are out of order (here each title is
    followed by the next paper's abstract) rewrote the abstracts of 9 papers the
    user had read and tagged."""
    assert library.import_text(listing(list(zip(TITLES, ABSTRACTS, strict=True))),
                               name="monday").ok
    ids = library.search("", limit=None).ids
    assert len(ids) == 9
    library.set_read(ids)
    library.add_tags(ids, ["keep"])
    highlight = library.annotate_quote(ids[0], "improves over strong baselines").annotation

    shifted = ABSTRACTS[1:] + ABSTRACTS[:1]
    report = library.import_text(listing(list(zip(TITLES, shifted, strict=True)), upvotes=9),
                                 name="shuffled")
    assert report.ok and report.found == 9 and report.new == 0

    papers = {p.title: p for p in library.get_many(ids)}
    for title, abstract in zip(TITLES, ABSTRACTS, strict=True):
        paper = papers[title]
        assert paper.abstract == abstract
        assert paper.read and paper.tags == ("keep",)
        assert paper.upvotes == 9  # the rest of the listing's facts still arrive
        assert library.abstract_history(paper.id) == []
    assert sum("abstract of paper" in w for w in report.warnings) == 9
    kept = library.annotation(highlight.id)
    assert kept is not None and not kept.orphaned
    assert ABSTRACTS[0][kept.start:kept.end] == "improves over strong baselines"


def test_a_revised_abstract_replaces_the_old_one_which_stays_retrievable(
        library: Library) -> None:
    assert library.import_text(listing([(TITLES[0], ABSTRACTS[0])]), name="v1").ok
    [paper_id] = library.search("", limit=None).ids
    library.set_read([paper_id])
    highlight = library.annotate_quote(paper_id, "we release code").annotation
    revised = ABSTRACTS[0].replace("We show that", "We prove that, in theory and practice,")
    report = library.import_text(listing([(TITLES[0], revised)]), name="v2")
    assert report.updated == 1
    paper = library.get(paper_id)
    assert paper.abstract == revised and paper.read
    [old] = library.abstract_history(paper_id)
    assert old["abstract"] == ABSTRACTS[0] and old["source_id"] == report.source_id
    moved = library.annotation(highlight.id)
    assert revised[moved.start:moved.end] == "we release code" and not moved.orphaned


def test_an_entirely_different_abstract_spares_only_papers_worked_on(library: Library) -> None:
    assert library.import_text(listing(list(zip(TITLES[:2], ABSTRACTS[:2], strict=True))),
                               name="first").ok
    worked, untouched = library.search("", limit=None, sort="title").ids
    library.set_note(worked, "my note")
    other = ("A completely unrelated text about medieval trade routes, salt, shipping and "
             "the economics of Venetian merchants across the thirteenth century and after.")
    report = library.import_text(listing([(TITLES[0], other), (TITLES[1], other + " More.")]),
                                 name="second")
    assert library.get(worked).abstract == ABSTRACTS[0]
    assert library.get(untouched).abstract == other + " More."
    assert library.abstract_history(untouched)[0]["abstract"] == ABSTRACTS[1]
    assert any("entirely different abstract" in w for w in report.warnings)


def test_a_summary_never_replaces_a_whole_abstract(library: Library) -> None:
    library.import_text(listing([(TITLES[0], ABSTRACTS[0])]), name="day")
    library.import_records([record(TITLES[0], "Sparse attention made cheap.", upvotes=40)],
                           name="trending")
    [paper] = library.get_many(library.search("", limit=None).ids)
    assert paper.abstract == ABSTRACTS[0] and paper.upvotes == 40


def test_a_paper_seen_first_without_an_id_keeps_everything_when_its_id_arrives(
        library: Library) -> None:
    library.import_text(listing([(TITLES[0], ABSTRACTS[0])]), name="plain text")
    [paper_id] = library.search("", limit=None).ids
    library.set_starred([paper_id])
    library.set_note(paper_id, "read this first")
    library.add_tags([paper_id], ["moe"])
    highlight = library.annotate_quote(paper_id, "less compute").annotation

    report = library.import_records(
        [record(TITLES[0].upper(), ABSTRACTS[0], arxiv_id="2503.01234", upvotes=77,
                url="https://huggingface.co/papers/2503.01234", comments=4,
                authors=("Ada Lovelace", "Alan Turing"), ai_keywords=("attention",),
                github_repo="https://github.com/x/y", github_stars=120)],
        name="api", form="api")
    assert (report.new, report.updated) == (0, 1)
    paper = library.get(paper_id)
    assert paper.arxiv_id == "2503.01234" and paper.upvotes == 77
    assert paper.starred and paper.note == "read this first" and paper.tags == ("moe",)
    assert [a.id for a in paper.annotations] == [highlight.id]
    assert paper.authors == ("Ada Lovelace", "Alan Turing")
    assert paper.ai_keywords == ("attention",) and paper.github_stars == 120
    assert paper.page_url == "https://huggingface.co/papers/2503.01234"
    data = paper.to_json()
    assert data["arxiv_id"] == "2503.01234" and data["comments"] == 4

    # From now on the id is the identity: a changed title is still this paper.
    again = library.import_records(
        [record("A Renamed Title", ABSTRACTS[0], arxiv_id="2503.01234", upvotes=80)],
        name="api later")
    assert (again.new, again.updated) == (0, 1)
    assert library.count() == 1


def test_two_papers_of_one_title_are_two_papers_by_their_ids(library: Library) -> None:
    report = library.import_records(
        [record("Technical Report", ABSTRACTS[0], arxiv_id="2501.00001", position=1),
         record("Technical Report", ABSTRACTS[1], arxiv_id="2501.00002", position=2)],
        name="api")
    assert report.new == 2
    # A copy without ids that names the title once is the first of them, not a third.
    plain = library.import_records([record("Technical Report", ABSTRACTS[0])], name="text")
    assert plain.new == 0 and library.count() == 2


def test_a_card_twice_in_one_listing_is_one_paper_with_the_id(library: Library) -> None:
    report = library.import_records(
        [record("Twice Listed Paper", ABSTRACTS[0], position=1),
         record("Twice Listed Paper", ABSTRACTS[0], position=2, arxiv_id="2502.00002")],
        name="trending")
    assert report.new == 1 and report.found == 2
    [paper] = library.get_many(library.search("", limit=None).ids)
    assert paper.arxiv_id == "2502.00002"


def test_a_card_date_never_lands_in_the_future(library: Library) -> None:
    future = (date.today() + timedelta(days=40)).isoformat()
    library.import_records(
        [PaperRecord("From The Future", ABSTRACTS[0], 1, None, None, future, "Jan 9", True,
                     3, date_source="listing"),
         PaperRecord("From The Past", ABSTRACTS[1], 2, None, None, "2025-03-13", "Mar 13",
                     True, 3, date_source="capture")],
        name="api")
    papers = {p.title: p for p in library.get_many(library.search("", limit=None).ids)}
    assert papers["From The Future"].published is None
    assert papers["From The Future"].published_raw == "Jan 9"
    assert papers["From The Past"].published == "2025-03-13"
    assert papers["From The Past"].date_source == "capture"


def test_card_facts_are_plain_columns_for_other_tools(library: Library, tmp_path) -> None:
    library.import_records([record(TITLES[0], ABSTRACTS[0], arxiv_id="2503.00007",
                                   authors=("A", "B"), ai_keywords=("k1", "k2"))],
                           name="api", form="api")
    with sqlite3.connect(library.path) as conn:
        arxiv, authors, keywords = conn.execute(
            "SELECT arxiv_id, authors, ai_keywords FROM papers").fetchone()
        [form] = conn.execute("SELECT form FROM sources").fetchone()
    assert arxiv == "2503.00007" and json.loads(authors) == ["A", "B"]
    assert json.loads(keywords) == ["k1", "k2"] and form == "api"


# ------------------------------------------------------ captures of different days (F37)

FORMS = Path(__file__).resolve().parent.parent / "fixtures" / "forms"
WINNOW = [sys.executable, "-m", "desktop.cli"]
LATTICE = "Lattice-KV: Compressing the Key-Value Cache with Learned Product Quantizers"


def winnow(db: Path, *args: str, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[str]:
    """The real `winnow` command on the library file `db`."""
    return subprocess.run([*WINNOW, "--db", str(db), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120, check=False)


def firecrawl(tmp_path: Path, name: str, *, retrieved: str | None = "2026-10-02",
              older_text: bool = False) -> Path:
    """The firecrawl fixture (front matter `retrieved: 2026-10-02`, 142 upvotes on its
    first card), or an earlier capture of the same page: paper 1 with an earlier
    wording of its abstract and 57 upvotes, paper 2's organisation as "CMU"."""
    text = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    if older_text:
        text = (text.replace("We introduce Lattice-KV", "We present Lattice-KV")
                .replace("[142](", "[57](").replace(")Carnegie Mellon University](", ")CMU]("))
    if retrieved is None:
        text = text.split("---\n", 2)[2]
    else:
        text = text.replace("retrieved: 2026-10-02", f"retrieved: {retrieved}")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _mark(library: Library, paper_id: int) -> int:
    library.set_read([paper_id])
    library.set_note(paper_id, "compare with H2O")
    library.add_tags([paper_id], ["kv-cache"])
    return library.annotate_quote(paper_id, "grows linearly with sequence length").annotation.id


def _marks_kept(library: Library, paper_id: int, highlight: int) -> None:
    paper = library.get(paper_id)
    assert paper.read and paper.note == "compare with H2O" and paper.tags == ("kv-cache",)
    kept = library.annotation(highlight)
    assert kept is not None and not kept.orphaned
    assert paper.abstract[kept.start:kept.end] == "grows linearly with sequence length"


def test_an_older_capture_imported_later_keeps_the_newer_facts(
        library: Library, tmp_path: Path) -> None:
    """F37: the firecrawl copy retrieved 2026-10-02, then a capture of 2026-09-20
    through the real command: the newer abstract stays current (it did not go to
    history), the newer organisation stays, counts stay, marks stay, and the import
    says so. Before: "1 updated" and the older abstract current."""
    newer = firecrawl(tmp_path, "newer.md")
    assert library.import_files([newer]).ok
    lattice = title_id(library, LATTICE)
    newest_abstract = library.get(lattice).abstract
    highlight = _mark(library, lattice)
    cmu = title_id(library, "Teaching Small Models to Say \"I Don't Know\": Calibrated "
                            "Abstention for Retrieval-Augmented QA")
    library.close()

    done = winnow(library.path, "import", str(firecrawl(tmp_path, "older.md",
                                                        retrieved="2026-09-20",
                                                        older_text=True)))
    assert done.returncode == 0, done.stderr
    assert "0 updated" in done.stdout
    assert "as of 2026-09-20; 2 papers in it had facts from a later copy" in done.stderr

    with Library(library.path) as again:
        paper = again.get(lattice)
        assert paper.abstract == newest_abstract and "We introduce" in paper.abstract
        assert paper.upvotes == 142
        assert again.get(cmu).organization == "Carnegie Mellon University"
        assert again.abstract_history(lattice) == []
        _marks_kept(again, lattice, highlight)


def test_a_newer_capture_imported_later_replaces_the_older_facts(
        library: Library, tmp_path: Path) -> None:
    # The other order: the newer copy is news, as any re-import is.
    assert library.import_files([firecrawl(tmp_path, "older.md", retrieved="2026-09-20",
                                           older_text=True)]).ok
    lattice = title_id(library, LATTICE)
    older_abstract = library.get(lattice).abstract
    highlight = _mark(library, lattice)

    report = library.import_files([firecrawl(tmp_path, "newer.md")])
    assert report.ok and report.updated == 2
    assert not any("later copy" in w for w in report.files[0].warnings)
    paper = library.get(lattice)
    assert "We introduce" in paper.abstract and paper.upvotes == 142
    assert [h["abstract"] for h in library.abstract_history(lattice)] == [older_abstract]
    _marks_kept(library, lattice, highlight)


def test_an_older_capture_still_fills_what_the_paper_lacks(library: Library) -> None:
    # A newer capture without an organisation; an older one with it fills the gap
    # but does not touch the abstract the newer one wrote.
    library.import_records([record(TITLES[0], ABSTRACTS[0], arxiv_id="2503.00001",
                                   upvotes=40)], name="new", listing_date="2026-10-02")
    report = library.import_records(
        [PaperRecord(TITLES[0], ABSTRACTS[0].replace("We show", "We find"), 1, 3, "MIT",
                     None, None, False, 12, arxiv_id="2503.00001", comments=2)],
        name="old", listing_date="2026-09-01")
    assert report.updated == 1
    [paper] = library.get_many(library.search("", limit=None).ids)
    assert paper.abstract == ABSTRACTS[0] and paper.upvotes == 40
    assert (paper.organization, paper.authors_count, paper.comments) == ("MIT", 3, 2)


def test_a_copy_that_states_no_date_is_taken_as_it_comes(
        library: Library, tmp_path: Path) -> None:
    """Where a copy says nothing of when it was made (no front matter, no listing
    date), nothing says it is older: it merges as any later import does (README,
    "Importing the same papers again")."""
    assert library.import_files([firecrawl(tmp_path, "newer.md")]).ok
    lattice = title_id(library, LATTICE)
    library.import_records(
        [record(LATTICE, library.get(lattice).abstract.replace("We introduce", "We offer"),
                arxiv_id="2611.01234")], name="undated")
    assert "We offer" in library.get(lattice).abstract


# ------------------------------------- a copy glued after a seeds-layout copy, one paper

def seeds_copy(count: int = 150) -> str:
    """A listing in the seeds' layout that holds the firecrawl fixture's first paper
    (a shorter abstract, 120 upvotes, an organisation, no id, no comments) and
    `count` papers of its own: past the detector's head, so it streams and the copy
    glued after it is read after its papers are stored."""
    blocks = ["Daily Papers", "byAK and the research community", "Oct 2",
              LATTICE, "Serving long-context language models is bounded by the memory "
              "of the key-value cache, which grows linearly with sequence length. We "
              "introduce Lattice-KV, a cache compressor that learns product quantizers "
              "per attention head during a short calibration pass.",
              "Lattice-Lab Lattice Lab\n·\nOct 1 120"]
    for n in range(count):
        blocks += [f"A Seeds Only Paper About Gardens Number {n}",
                   f"We study gardens of kind {n} in an abstract long enough to be a real "
                   f"abstract of a real paper.", "  • 2 authors\n·\nSep 30 3"]
    return "\n\n".join(blocks) + "\n"


def _lattice_merged(library: Library, paper_id: int) -> None:
    paper = library.get(paper_id)
    assert paper.arxiv_id == "2611.01234" and paper.upvotes == 142 and paper.comments == 6
    assert paper.page_url == "https://huggingface.co/papers/2611.01234"
    assert paper.organization == "Lattice Lab"  # the seeds card's; the later card has none
    assert "We release kernels for three GPU families." in paper.abstract


@pytest.mark.parametrize("batch", ["1", "7", "5000"])
def test_a_copy_glued_after_a_seeds_copy_merges_its_facts_onto_the_shared_paper(
        library: Library, tmp_path: Path, batch: str) -> None:
    """The seeds copy alone first, its paper marked; then a file of the seeds copy with
    the firecrawl copy glued after it, through the real command, in batches of 1, 7
    and 5000 cards: the shared paper takes the later card's facts (arXiv id, URL,
    comments, upvotes, the longer abstract) and keeps its own organisation, the
    marks, and what undo-import needs. Before: with its twin in another batch the
    later card was "appears twice; kept the first" and its facts were lost."""
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(seeds_copy(), encoding="utf-8")
    assert library.import_files([seeds]).ok
    lattice = title_id(library, LATTICE)
    short = library.get(lattice).abstract
    highlight = _mark(library, lattice)
    library.close()
    glued = tmp_path / "glued.md"
    glued.write_text(seeds_copy() + "\n" + (FORMS / "md-firecrawl.md").read_text(
        encoding="utf-8"), encoding="utf-8")

    done = winnow(library.path, "import", "--json", str(glued),
                  env={"WINNOW_IMPORT_BATCH": batch})
    assert done.returncode == 0, done.stderr
    [report] = json.loads(done.stdout)["files"]
    assert (report["new"], report["updated"]) == (14, 1), report
    assert not any("appears twice" in w for w in report["warnings"])

    with Library(library.path) as again:
        _lattice_merged(again, lattice)
        _marks_kept(again, lattice, highlight)
        assert [h["abstract"] for h in again.abstract_history(lattice)] == [short]
        assert again.count() == 151 + 14
    # Undoing the glued file's import takes back what its later copy changed.
    undone = winnow(library.path, "undo-import", str(report["source_id"]))
    assert undone.returncode == 0, undone.stderr
    with Library(library.path) as again:
        paper = again.get(lattice)
        assert (paper.arxiv_id, paper.upvotes, paper.comments) == (None, 120, None)
        assert paper.abstract == short
        _marks_kept(again, lattice, highlight)


@pytest.mark.parametrize("batch", ["1", "5000"])
def test_into_an_empty_library_the_glued_copy_card_is_merged_too(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        batch: str) -> None:
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", batch)
    glued = tmp_path / "glued.md"
    glued.write_text(seeds_copy() + "\n" + (FORMS / "md-firecrawl.md").read_text(
        encoding="utf-8"), encoding="utf-8")
    report = library.import_files([glued])
    assert report.ok and report.new == 151 + 14, report.files[0].warnings
    assert not any("appears twice" in w for w in report.files[0].warnings)
    lattice = title_id(library, LATTICE)
    _lattice_merged(library, lattice)
    # The paper is this import's own: no history or change record for its first card.
    assert library.abstract_history(lattice) == []
    assert library.conn.execute("SELECT count(*) FROM import_changes").fetchone()[0] == 0


def test_a_card_twice_in_the_seeds_copy_itself_still_keeps_the_first(
        library: Library, tmp_path: Path) -> None:
    # Only a glued copy's card merges: within one copy a second card is a repeat.
    text = seeds_copy(3).replace("A Seeds Only Paper About Gardens Number 2", LATTICE)
    path = tmp_path / "twice.txt"
    path.write_text(text, encoding="utf-8")
    report = library.import_files([path])
    assert any("appears twice" in w for w in report.files[0].warnings)
    assert library.get(title_id(library, LATTICE)).upvotes == 120


# ----------------------------------------------------- typography is not a new text (N15)

def _word_autoformat(text: str) -> str:
    """What Word's AutoFormat does to a copy: curly quotes and apostrophes, en dashes
    for spaced hyphens, em dashes for double hyphens, an ellipsis for three dots."""
    out, double = [], True
    for index, char in enumerate(text):
        if char == '"':
            double = not double
            out.append("\u201d" if double else "\u201c")
        elif char == "'":
            before = text[index - 1] if index else " "
            out.append("\u2018" if before.isspace() else "\u2019")
        else:
            out.append(char)
    return ("".join(out).replace(" - ", " \u2013 ").replace("--", "\u2014")
            .replace("...", "\u2026"))


def test_a_word_formatted_copy_rewrites_no_abstract(library: Library, tmp_path: Path) -> None:
    """N15: the text-export fixture, then the same copy through Word's AutoFormat,
    through the real command: no abstract rewritten, none to history, highlights
    where they were. Before: every abstract with a quote or dash rewritten."""
    clean = FORMS / "text-daily.txt"
    text = clean.read_text(encoding="utf-8")
    curly = tmp_path / "curly.txt"
    curly.write_text(_word_autoformat(text), encoding="utf-8")
    assert curly.read_text(encoding="utf-8") != text
    assert library.import_files([clean]).ok
    before = {p.id: p.abstract for p in library.get_many(library.search("", limit=None).ids)}
    typeset = [i for i, a in before.items() if a != _word_autoformat(a)]
    assert len(typeset) >= 3  # the test would say nothing otherwise
    library.set_read(typeset)
    library.close()

    done = winnow(library.path, "import", "--json", str(curly))
    assert done.returncode == 0, done.stderr
    [report] = json.loads(done.stdout)["files"]
    assert (report["new"], report["updated"]) == (0, 0), report
    with Library(library.path) as again:
        assert {p.id: p.abstract for p in again.get_many(list(before))} == before
        assert all(again.abstract_history(i) == [] for i in before)


def test_a_changed_word_is_still_a_revised_abstract(library: Library) -> None:
    # Typography aside, a real change still arrives (and the old text is kept).
    assert library.import_text(listing([(TITLES[0], ABSTRACTS[0])]), name="v1").ok
    revised = ABSTRACTS[0].replace("we release code", "we release \u201ccode\u201d and data")
    report = library.import_text(listing([(TITLES[0], revised)]), name="v2")
    assert report.updated == 1
    [paper] = library.get_many(library.search("", limit=None).ids)
    assert paper.abstract == revised


def test_an_api_response_of_an_earlier_day_is_not_an_older_capture(library: Library) -> None:
    # The API's day is the day its papers were listed; its counts and text are as of
    # the fetch (`winnow fetch 2026-09-01` today), so it is taken as it comes. A page
    # saved as listing the same earlier day is placed on that day.
    library.import_records([record(TITLES[0], ABSTRACTS[0], arxiv_id="2503.00001",
                                   upvotes=40)], name="saved", listing_date="2026-10-02")
    revised = ABSTRACTS[0].replace("We show", "We find")
    page = library.import_records([record(TITLES[0], revised, arxiv_id="2503.00001")],
                                  name="page", listing_date="2026-09-01", form="markdown")
    assert page.updated == 0
    api = library.import_records([record(TITLES[0], revised, arxiv_id="2503.00001",
                                         upvotes=41)],
                                 name="api", listing_date="2026-09-01", form="api")
    assert api.updated == 1
    [paper] = library.get_many(library.search("", limit=None).ids)
    assert paper.abstract == revised and paper.upvotes == 41


def test_a_retypeset_ai_summary_or_organisation_is_not_news(library: Library) -> None:
    # The real trending copies through Word's AutoFormat: their AI summaries changed
    # only in apostrophes (2 of 100 papers "updated" before).
    summary = "Extends language models' long-horizon skills -- across \"hard\" tasks..."
    library.import_records([PaperRecord(TITLES[0], "", 1, None, "Alice's Lab", None, None,
                                        False, 3, ai_summary=summary)], name="clean")
    report = library.import_records(
        [PaperRecord(TITLES[0], "", 1, None, "Alice\u2019s Lab", None, None, False, 4,
                     ai_summary=_word_autoformat(summary))], name="curly")
    assert report.updated == 1  # the count still grows
    [paper] = library.get_many(library.search("", limit=None).ids)
    assert (paper.ai_summary, paper.organization, paper.upvotes) == (summary, "Alice's Lab", 4)


def test_a_listing_date_counts_as_a_capture_date_only_with_its_year(library: Library) -> None:
    # "Mar 14, 2026" then "Mar 1, 2026": the second page is older, its abstract is not
    # taken. A yearless "Mar 1" gets its year from the file's time, a guess that can
    # put either of two copies first: such a copy is taken as it comes.
    assert library.import_text(listing([(TITLES[0], ABSTRACTS[0])], day="Mar 14, 2026"),
                               name="newer").ok
    revised = ABSTRACTS[0].replace("We show", "We find")
    older = library.import_text(listing([(TITLES[0], revised)], upvotes=6, day="Mar 1, 2026"),
                                name="older")
    assert older.updated == 1  # the upvotes grow
    assert any("as of 2026-03-01; 1 paper" in w for w in older.warnings)
    [paper_id] = library.search("", limit=None).ids
    assert library.get(paper_id).abstract == ABSTRACTS[0]
    yearless = library.import_text(listing([(TITLES[0], revised)], upvotes=7, day="Mar 1"),
                                   name="yearless")
    assert yearless.updated == 1 and library.get(paper_id).abstract == revised


def test_an_import_cancelled_after_its_glued_card_merged_puts_the_paper_back(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The seeds part raises the paper's upvotes (one change), the glued card then adds
    # its id, comments and abstract (a second): a cancel after both, a batch later,
    # puts back the paper as it was before the import, not as after the first change.
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(seeds_copy(), encoding="utf-8")
    assert library.import_files([seeds]).ok
    lattice = title_id(library, LATTICE)
    before = library.get(lattice)
    highlight = _mark(library, lattice)
    glued = tmp_path / "glued.md"
    glued.write_text(seeds_copy().replace("Oct 1 120", "Oct 1 130") + "\n" + (
        FORMS / "md-firecrawl.md").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("WINNOW_IMPORT_BATCH", "1")

    seen: list[bool] = []

    def cancel() -> bool:
        # Asked after each batch, before its commit: cancel at the batch after the
        # one that merged the glued card, so that one is committed.
        seen.append(library.conn.execute("SELECT arxiv_id FROM papers WHERE id = ?",
                                         (lattice,)).fetchone()[0] is not None)
        return seen.count(True) == 2

    report = library.import_files([glued], cancel=cancel)
    assert "cancelled" in (report.files[0].error or "")
    paper = library.get(lattice)
    assert (paper.arxiv_id, paper.upvotes, paper.comments, paper.abstract) == (
        None, 120, None, before.abstract)
    _marks_kept(library, lattice, highlight)
    assert library.count() == 151


def test_an_import_whose_listing_year_was_guessed_places_no_later_one(
        library: Library) -> None:
    # "Nov 20" (its year guessed from the file's time) then a page dated "Mar 1, 2026":
    # nothing says the first is newer, so the second's abstract is taken.
    assert library.import_text(listing([(TITLES[0], ABSTRACTS[0])], day="Nov 20"),
                               name="guessed").ok
    revised = ABSTRACTS[0].replace("We show", "We find")
    report = library.import_text(listing([(TITLES[0], revised)], day="Mar 1, 2026"),
                                 name="dated")
    assert report.updated == 1 and not any("later copy" in w for w in report.warnings)
    [paper_id] = library.search("", limit=None).ids
    assert library.get(paper_id).abstract == revised
