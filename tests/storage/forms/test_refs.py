"""The one-pass reader of reference-link dumps (storage/forms/refs.py) against the general
reader: on every text it takes, the same records, warnings and dates, card by card.

It is the fast way for a text browser's dump; a dump it is not sure of goes to the general
reader, so a difference could only come from a text wrongly taken. Hypothesis cuts and
mutates the fixture (and a long generated dump) to look for one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.forms.refs import refs_listing
from tests.fixtures.forms import make_forms as mf
from tests.fixtures.forms.catalogue import PAPERS
from tests.storage.forms.readers import edited, fast, general

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
DUMPS = [
    (FORMS / "md-reference-links.md").read_text(encoding="utf-8"),
    mf.md_reference_links(PAPERS * 3),
]
PIECES = ["", "·", "[", "][31]", "-", "101", "### [A Title][32]", "### Bare Title",
          "* 4 authors", "[[microsoft] Microsoft][34]", "[[x] Acme Inc.][34]",
          "Oct 2", "Oct 1 [ 6][35]", "[Content truncated]", "Content truncated",
          "[31]: https://huggingface.co/papers/2611.01234", "compound \\\\", "&amp; co",
          "a [bracket] in text", "# A heading", "Submitted by", "```", "Some footer text",
          "Jul 4, 2025", "  spaced   out  ", "https://example.org/code"]


@pytest.mark.parametrize("k", range(len(DUMPS)))
def test_the_regular_dumps_are_read_in_one_pass(k: int) -> None:
    # Not vacuous: the fixture and the long dump go the fast way, with the same records.
    got = fast(refs_listing, DUMPS[k])
    assert got[0] == "read"
    assert got == general(DUMPS[k])


def test_a_dump_with_its_definitions_goes_to_the_general_reader() -> None:
    # With "[31]: https://..." lines the links carry the paper ids: the general reader's.
    text = DUMPS[0] + "\n[32]: https://huggingface.co/papers/2611.01234\n"
    assert fast(refs_listing, text) == ("not taken",)


@pytest.mark.parametrize(("line", "instead"), [("* 4 authors", "* 4 authors of note"),
                                               ("[[CarnegieMellonU] ", "[[x] Acme Inc.][39]")])
def test_a_card_it_would_read_otherwise_goes_to_the_general_reader(line: str,
                                                                   instead: str) -> None:
    # A byline that is no "N authors", an organisation ending in "." (abstract text to the
    # general reader): the whole dump is read generally, so both read it the same.
    lines = DUMPS[0].split("\n")
    k = next(i for i, s in enumerate(lines) if s.startswith(line))
    lines[k] = instead
    text = "\n".join(lines)
    assert fast(refs_listing, text) == ("not taken",)
    assert general(text)[0] == "read"


@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(DUMPS) - 1),
       edits=st.lists(st.tuples(st.integers(0, 3), st.floats(0, 1), st.sampled_from(PIECES)),
                      max_size=5),
       cut=st.one_of(st.just(1.0), st.floats(0.2, 1)))
def test_the_one_pass_reader_reads_what_the_general_reader_reads(
        which: int, edits: list[tuple[int, float, str]], cut: float) -> None:
    text = edited(DUMPS[which], edits, cut)
    got = fast(refs_listing, text)
    if got != ("not taken",):
        assert got == general(text)
