"""The one-pass reader of the trending page as Markdown (storage/forms/trending.py) against
the general reader: on every text it takes, the same records, warnings and dates, card by
card.

It is the fast way for such a copy (every card twice, the second only compared with the
first); a copy it is not sure of goes to the general reader, so a difference could only
come from a text wrongly taken. Hypothesis cuts and mutates the fixtures of both shapes
(the extractor's and the clipper's) and long generated copies to look for one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.forms.trending import trending_listing
from tests.fixtures.forms import make_forms as mf
from tests.fixtures.forms.catalogue import PAPERS
from tests.storage.forms.readers import edited, fast, general

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
COPIES = [
    (FORMS / "md-trending.md").read_text(encoding="utf-8"),
    (FORMS / "md-trending-clipped.md").read_text(encoding="utf-8"),
    mf.md_trending(PAPERS * 3),
    mf.md_trending_clipped(PAPERS * 3),
]
PIECES = ["", "-", "Submitted by", "[图片：无替代文本]", "mlindqvist", "### A Title",
          '<a id="source-section-9"></a>', "· Oct 2", "· Published on Oct 2, 2026",
          "[Upvote", "12](https://huggingface.co/login?next=%2Fpapers%2F2611.01234)",
          "[arXiv Page](https://arxiv.org/abs/2611.01234)",
          "[GitHub 1.2k](https://github.com/a/b)", "- 4 authors", "[Content truncated]",
          "&amp; co", "compound \\\\", "# A heading", "A short line.", "12",
          "Some text [with a link](https://example.org) in it", "https://example.org/code",
          "[1]: https://example.org", "[[图片：无替代文本]](https://huggingface.co/papers/2611.01877)",
          "[[图片：g] Google](https://huggingface.co/google) · Sep 28, 2026",
          "A text that leaves a [bracket open", "A text with a [1] citation"]


@pytest.mark.parametrize("k", range(len(COPIES)))
def test_the_regular_copies_are_read_in_one_pass(k: int) -> None:
    # Not vacuous: both shapes go the fast way, with the same records.
    got = fast(trending_listing, COPIES[k])
    assert got[0] == "read"
    assert got == general(COPIES[k])


def test_each_card_is_one_paper_with_the_facts_of_its_card() -> None:
    got = fast(trending_listing, COPIES[1])
    records = got[1]
    assert [r.title for r in records] == [p.title for p in PAPERS[:12]]  # type: ignore[union-attr]
    first = records[0]  # type: ignore[index]
    assert (first.arxiv_id, first.upvotes, first.submitted_by, first.github_repo,
            first.github_stars, first.published) == (
        PAPERS[0].arxiv_id, PAPERS[0].upvotes, PAPERS[0].submitted_by,
        PAPERS[0].github_repo, PAPERS[0].github_stars, PAPERS[0].date)


def test_a_second_copy_with_something_of_its_own_is_read_and_merged() -> None:
    # The second copy is only compared with the first; one that differs is a card of its
    # own, and the listing merges the two as the general reader does: what only the second
    # copy has (here a repository) comes into the record.
    paper = next(p for p in PAPERS[:12] if not p.github_repo)
    text = COPIES[0]
    arxiv = f"[arXiv Page](https://arxiv.org/abs/{paper.arxiv_id})"
    second = text.index(arxiv, text.index(arxiv) + 1)
    text = (text[:second] + "[GitHub 12](https://github.com/only/second) "
            + text[second:])
    got = fast(trending_listing, text)
    assert got[0] == "read" and got == general(text)
    (record,) = [r for r in got[1] if r.arxiv_id == paper.arxiv_id]  # type: ignore[union-attr]
    assert (record.github_repo, record.github_stars) == ("https://github.com/only/second", 12)


def test_a_count_last_in_the_head_goes_to_the_general_reader() -> None:
    # The page's empty tabs ("-") may stand in the head, but not right before the first
    # card: the general reader takes the last one for that card's upvote count.
    text = COPIES[0].replace("\n\nTrending Papers\n\n", "\n\n", 1)
    assert fast(trending_listing, text) == ("not taken",)
    assert general(text)[1][0].upvotes == 0  # type: ignore[index]


@pytest.mark.parametrize(("inserted", "taken"), [("[see the appendix", False), ("[1]", True)])
def test_an_abstract_that_leaves_a_bracket_open_goes_to_the_general_reader(
        inserted: str, taken: bool) -> None:
    # The general reader runs a link whose "[" is not closed on the text's first line over
    # the card's next lines; a citation's closed brackets are text.
    summary = PAPERS[1].ai_summary or ""
    changed = summary.replace(" ", f" {inserted} ", 1)
    text = COPIES[0].replace(f"\n{summary}\n", f"\n{changed}\n")
    got = fast(trending_listing, text)
    assert (got[0] == "read") == taken
    if taken:
        assert got == general(text)
        assert changed in [r.ai_summary for r in got[1]]  # type: ignore[union-attr]


@pytest.mark.parametrize("k", [0, 1])
def test_a_truncation_marker_in_a_card_goes_to_the_general_reader(k: int) -> None:
    # "[Content truncated]" on a line of its own is where the general reader stops; as a
    # "Submitted by" avatar's place it looked like an alt text to the card's expression.
    text = COPIES[k]
    at = text.index("Submitted by\n\n[图片：无替代文本]", len(text) // 2)
    cut = text[:at] + "Submitted by\n\n[Content truncated]" + text[
        at + len("Submitted by\n\n[图片：无替代文本]"):]
    assert fast(trending_listing, cut) == ("not taken",)
    assert len(general(cut)[1]) < len(general(text)[1])  # type: ignore[arg-type]


def test_a_copy_of_another_shape_is_not_taken() -> None:
    for name in ("md-firecrawl.md", "md-trending-extraction.md", "md-clipper-date-page.md"):
        assert fast(trending_listing, (FORMS / name).read_text(encoding="utf-8")) == (
            "not taken",)


@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(COPIES) - 1),
       edits=st.lists(st.tuples(st.integers(0, 3), st.floats(0, 1), st.sampled_from(PIECES)),
                      max_size=5),
       cut=st.one_of(st.just(1.0), st.floats(0.2, 1)))
def test_the_one_pass_reader_reads_what_the_general_reader_reads(
        which: int, edits: list[tuple[int, float, str]], cut: float) -> None:
    text = edited(COPIES[which], edits, cut)
    got = fast(trending_listing, text)
    if got != ("not taken",):
        assert got == general(text)
