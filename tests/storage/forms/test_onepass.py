"""What the one-pass readers share (storage/forms/onepass.py): a link's text read as the
general reader reads it, blanks collapsed the cheap way, and the loop that hands a text it
is not sure of to the general reader."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.forms.markdown import markdown_items
from storage.forms.onepass import abstract_text, collapse, inline_text
from storage.forms.refs import refs_listing
from tests.storage.forms.readers import READ_ON

FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "forms"
LINK = "https://huggingface.co/papers/2611.01234"
# Lines an abstract may hold, and the few that change how the general reader reads it.
LINE = st.sampled_from([
    "A sentence of an abstract.", "with a hard break\\\\", "a break\\", "two spaces  ",
    "an escaped \\_ underscore", "an entity &amp; more", "&#92; a backslash entity",
    "### Not a heading here", "# A heading", "[Content truncated]", "Content truncated",
    "  indented  text\t", "", "- a list item", "1.", "Oct 2", "\\", "tab\tinside",
    "ünïcödé text", "a\u00a0no-break space", "C# and F#",
])


@settings(max_examples=400, deadline=None, database=None)
@given(lines=st.lists(LINE, min_size=1, max_size=6))
def test_a_links_text_reads_as_the_general_reader_reads_it(lines: list[str]) -> None:
    inner = "\n".join(lines)
    got = abstract_text(inner)
    items = markdown_items(f"[{inner}]({LINK})\n").items
    if got is not None:
        # Taken: exactly the item the general reader makes of the whole link.
        assert [(it.text, it.href) for it in items] == [(got, LINK)]
    else:
        # Declined only where the general reader does not read one link.
        assert [it.href for it in items] != [LINK] or any(
            s.strip()[:1] == "#" or "truncated" in s.lower() for s in lines)


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.text(max_size=60) | st.text(alphabet=" a\t\nb\u00a0.\x1f", max_size=30)
       # Text beyond ASCII takes another shortcut (printable, no double space): every
       # kind of blank Python splits on, among CJK and accented letters.
       | st.text(alphabet=" a图é\u2003\u3000\u2028\x85\u200b\u1680\xa0\t", max_size=30))
def test_blanks_collapse_as_split_and_join(text: str) -> None:
    assert collapse(text) == " ".join(text.split())


def test_a_text_with_a_link_in_it_is_not_plain_text() -> None:
    assert inline_text("see [the code](https://github.com/a/b) here") is None
    assert inline_text("a \\_ and &amp; b") == "a _ and & b"


def test_a_dump_cut_before_its_first_card_goes_to_the_general_reader() -> None:
    # The head is read by the general tokenizer: a count or "·" there could be a card's.
    text = (FORMS / "md-reference-links.md").read_text(encoding="utf-8")
    first = text.index("\n[\n")
    assert refs_listing(text[:first] + "\n·\n" + text[first:], name="t.md",
                        reference=READ_ON, warnings=[]) is None
    assert refs_listing(text, name="t.md", reference=READ_ON, warnings=[]) is not None


def test_dated_reads_a_card_end_or_refuses_it() -> None:
    from storage.forms.cards import _Card
    from storage.forms.onepass import dated

    card = _Card(title="A Title", title_at=0)
    assert dated(card, "Nov 3 5", "5")
    assert card.has_meta_dot and card.comments == 5 and card.date_raw.startswith("Nov 3")
    other = _Card(title="B Title", title_at=0)
    assert not dated(other, "not a date", None)
    assert not other.has_meta_dot and other.date_raw is None and other.comments is None
