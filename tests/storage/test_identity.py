"""Identity (arXiv id, else title), what a re-import may change, and the abstracts
of papers the user worked on. Real library files in a temp dir."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

from storage import Library
from storage.records import PaperRecord

ABSTRACTS = [
    f"Paper {n} studies {topic} with a new method. We show that it improves over strong "
    f"baselines on {n + 3} benchmarks while using {n * 10}% less compute, and we release code."
    for n, topic in enumerate(["sparse attention", "protein folding", "robot grasping",
                               "speech recognition", "graph rewiring", "code repair",
                               "weather forecasting", "theorem proving", "video diffusion"],
                              start=1)
]
TITLES = [f"Title Number {n}: A Study of Something Distinct" for n in range(1, 10)]


def listing(pairs: list[tuple[str, str]], *, upvotes: int = 5) -> str:
    """A listing in the seeds' text layout: title, abstract, authors, "·", date."""
    blocks = ["Daily Papers", "byAK and the research community", "Mar 14"]
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
