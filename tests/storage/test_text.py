"""The dedupe key of a title (storage.text.normalise_title): its fast ASCII path must
give exactly the key the general Unicode path gives, or a re-import of the same page
would make a second paper of every card."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.text import _unicode_key, normalise_title


@settings(max_examples=500, deadline=None, database=None)
@given(title=st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=80))
def test_the_ascii_key_is_the_unicode_key(title: str) -> None:
    assert normalise_title(title) == _unicode_key(title)


def test_keys_of_the_same_title_printed_differently_meet() -> None:
    printed = ["Mixture-of-Experts: Scaling LLMs", "  mixture of experts  scaling llms ",
               "MIXTURE_OF_EXPERTS — Scaling LLMs", "Mixture\u2011of\u2011Experts: Scaling LLMs",
               "Ｍixture of Experts: Scaling LLMs"]
    assert {normalise_title(title) for title in printed} == {"mixture of experts scaling llms"}
    assert normalise_title("Attention Is All You Need") != normalise_title("Attention Is All")
