"""Hypothesis against the decoder and parsers the import really uses (open_listing).

There is one decoder: `open_listing` (files, the import) and `decode_listing` (bytes in
memory) share it, so what is fuzzed here is what production runs. Every failure must be a
ListingError of one line naming the file; every success must hold only real cards.
"""

from __future__ import annotations

import tempfile
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from storage.forms.cards import _title_key
from storage.listing import ListingError, decode_listing, open_listing, parse_listing
from storage.text import normalise_title
from storage.transport import mojibaked

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
LISTINGS = sorted(p for p in FORMS.iterdir() if p.suffix in (".txt", ".md", ".html", ".json")
                  and not p.name.startswith("not-"))
READ_ON = date(2026, 11, 30)

PIECES = [
    "", "·", "-", "101", "Oct 2", "Mar 8, 2024 6", "· Published on Sep 4, 2026", "3 authors",
    "  • 6 authors", "Submitted by", "akhaliq", "Upvote", "GitHub 11.3k", "arXiv Page",
    "### [A Title](https://huggingface.co/papers/2611.01234)", "### Bare Title", "[", "][31]",
    "[-](https://huggingface.co/login?next=%2Fpapers%2F2611.01234)", "[Content truncated]",
    "An abstract that is long enough to be one, with a sentence or two in it. It ends here.",
    "<h3><a href=\"/papers/2611.01234\">T</a></h3>", "<p>text</p>", "<script>x</script>",
    "---", "url: https://huggingface.co/papers", "retrieved: 2026-10-02", "```text",
    "[x](https://huggingface.co/papers/2611.01234#community)", "\\[", "\\_", "&amp;", "{", "[{",
    "https://huggingface.co/papers/2611.01234", " [-] 5",
]


def _check(name: str, run: object) -> list[str]:
    try:
        listing = run()  # type: ignore[operator]
    except ListingError as error:
        message = str(error)
        assert message.startswith(f"{name}: ") and "\n" not in message
        return []
    assert all("\n" not in w and w.startswith(f"{name}: ") for w in listing.warnings)
    assert [r.position for r in listing.records] == list(range(1, len(listing.records) + 1))
    assert all(r.title and "\n" not in r.title for r in listing.records)
    return [r.title for r in listing.records]


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600))
def test_any_bytes_in_a_file_are_imported_or_refused_in_one_line(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.txt"
        path.write_bytes(data)

        def run() -> object:
            with open_listing(path) as stream:
                records = list(stream)

                class Whole:
                    pass

                whole = Whole()
                whole.records, whole.warnings = records, stream.warnings  # type: ignore[attr-defined]
                return whole

        _check("fuzz.txt", run)
        # decode_listing is the same decoder: the same bytes decode the same way or fail
        # with the same message.
        try:
            decode_listing(data, "fuzz.txt")
        except ListingError as error:
            assert str(error).startswith("fuzz.txt: ")


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.sampled_from(PIECES) | st.text(max_size=20), max_size=40),
       sep=st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_page_shaped_noise_in_every_form_never_crashes(lines: list[str], sep: str) -> None:
    _check("noise", lambda: parse_listing(sep.join(lines), name="noise", reference=READ_ON))


@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(LISTINGS) - 1), cut=st.floats(0.0, 1.0))
def test_a_copy_cut_anywhere_holds_only_real_cards(which: int, cut: float) -> None:
    path = LISTINGS[which]
    text = path.read_text(encoding="utf-8")
    full = {r.title for r in parse_listing(text, name=path.name, reference=READ_ON).records}
    part = text[: int(len(text) * cut)]
    titles = _check(path.name, lambda: parse_listing(part, name=path.name, reference=READ_ON))
    # No junk: a card cut short is dropped (and named), never imported half.
    assert set(titles) <= full


@settings(max_examples=300, deadline=None, database=None)
@given(title=st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=80)
       | st.text(max_size=40))
def test_the_cards_dedupe_key_is_the_librarys_title_key(title: str) -> None:
    # The parser's cheap key for ASCII titles must merge exactly what the library's
    # normalise_title merges, or a trending page's second copy of a card stays a paper.
    assert _title_key(title) == normalise_title(title)


@settings(max_examples=200, deadline=None, database=None)
@given(text=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                                           blacklist_characters="\x7f",
                                           blacklist_categories=("Cc",)), min_size=1))
def test_text_of_latin1_characters_is_read_as_its_nfc_form(text: str) -> None:
    # The decoder skips the NFC check for such text: it must be NFC already.
    assume(text.strip())
    # Latin-1 text that shows UTF-8 read as Windows-1252 ("Â·" for "·", several times) is
    # read as the UTF-8 it was (attack F30), not as itself.
    assume(not mojibaked(text))
    assert decode_listing(text.encode("utf-8"), "t.txt") == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize(("name", "cut"), [("md-reference-links.md", 41),
                                           ("md-trending.md", 75),
                                           ("text-date-page.txt", 120)])
def test_a_copy_cut_in_its_head_is_no_listing(name: str, cut: int) -> None:
    # Found by the cut-anywhere test: the seeds' reader took "# Web source" / "- URL: ..."
    # (or the "Daily" tab) for a paper. The detector now knows these are today's forms.
    part = (FORMS / name).read_text(encoding="utf-8")[:cut]
    with pytest.raises(ListingError, match=r"no Daily Papers listing found in it$"):
        parse_listing(part, name=name, reference=READ_ON)
