"""storage/abbrev.py: the abbreviations a library's own abstracts define ("mixture of
experts (MoE)"), found by Schwartz & Hearst's rule on real abstract sentences, kept in a
real library file with the number of papers that define them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import Library
from storage.abbrev import define, find_definitions, key_of, record, shorts_for


@pytest.mark.parametrize(("sentence", "pairs"), [
    ("We propose a sparse mixture of experts (MoE) layer that routes each token.",
     [("MoE", "mixture of experts")]),
    ("Large Language Models (LLMs) are strong few-shot reasoners.",
     [("LLMs", "Large Language Models")]),
    ("Built on 3D Gaussian Splatting (3D-GS), our method renders in real time.",
     [("3D-GS", "3D Gaussian Splatting")]),
    ("We compress the key-value (KV) cache with low-rank adaptation (LoRA, Hu et al.).",
     [("KV", "key-value"), ("LoRA", "low-rank adaptation")]),
    ("It works. Reinforcement learning (RL) then sharpens the policy.",
     [("RL", "Reinforcement learning")]),
    ("Retrieval-augmented generation (RAG) and chain-of-thought (CoT) prompting help.",
     [("RAG", "Retrieval-augmented generation"), ("CoT", "chain-of-thought")]),
])
def test_definitions_in_abstract_sentences_are_found(
        sentence: str, pairs: list[tuple[str, str]]) -> None:
    assert find_definitions(sentence) == pairs


@pytest.mark.parametrize("sentence", [
    "Our method (Ours) beats the baseline (see Table 2) on math (e.g., GSM8K).",
    "We stack MoE layers (MoE) deeply.",  # the long form holds the short form
    "We fine-tune Transformers (TFs) quickly.",  # one word is no long form
    "the $\\alpha+\\beta$ (AB) term",  # LaTeX is not a name
    "a value of 3.5 (GPT4) here",  # the letters are not in the words before it
    "A mixture of experts (moe) layer.",  # no capital: not shaped like an abbreviation
    "No parentheses at all in this abstract.",
    "",
])
def test_what_is_no_definition_is_rejected(sentence: str) -> None:
    assert find_definitions(sentence) == []


@pytest.mark.parametrize(("sentence", "pairs"), [
    # A clause that ends inside the words before "(" cuts them there.
    ("Keys matter; value cache (KVC) wins.", []),
    ("Results hold: mixture of experts (MoE) layers win.", [("MoE", "mixture of experts")]),
    ("We ask why. (LLM) answers.", []),  # nothing left after the clause's end
    ("It is a long-context benchmark.(LCB) Sorted.", []),
    ("as in [3] Large Language Models (LLMs) do", [("LLMs", "Large Language Models")]),
    ("Mixture of Experts so; (MoE)", []),  # the clause ends just before "("
    ("Mixture of Experts so;\n(MoE)", []),
    ("Intro line.\nMixture of Experts (MoE)", [("MoE", "Mixture of Experts")]),
    ("An intro line,\nthen one; Mixture of Experts so;\n(MoE)", []),
    # Punctuation with no space after it ends no clause ("so;" is then cut off).
    ("Mixture of Experts so;(MoE)", [("MoE", "Mixture of Experts so")]),
    # At most min(|short| + 5, 2 |short|) words: 4 for "KV", and "Keys" is the 6th.
    ("Keys are the thing that value (KV)", []),
    ("Keys that value (KV)", [("KV", "Keys that value")]),
])
def test_a_long_form_never_reaches_back_past_a_clause_or_its_word_limit(
        sentence: str, pairs: list[tuple[str, str]]) -> None:
    assert find_definitions(sentence) == pairs


# The rule as written: of the 160 characters before "(", the words after the last
# clause end (one of .;:!?)]} and then whitespace, a line break too), at most
# min(|short| + 5, 2 |short|) of them.
_CLAUSE_RULE = re.compile(r".*[.;:!?)\]}]\s", re.DOTALL)


def _words_that_count(head: str, short: str) -> str:
    head = head[-160:]
    clause = _CLAUSE_RULE.match(head)
    if clause is not None:
        head = head[clause.end():]
    letters = sum(c.isalnum() for c in short)
    return " ".join(head.split()[-min(letters + 5, 2 * letters):])


_TOKENS = st.sampled_from(["Mixture", "of", "Experts", "mixture-of-experts", "Key", "value",
                           "cache", "Large", "Language", "Models", "end.", "so;", "Fig.)",
                           "[3]", "x!", "y?", "a:", "{b}", ".", "LoRA", "3D", "Gaussian"])
_GAPS = st.sampled_from([" ", " ", " ", "  ", "\n", "\t", "\u00a0", ". ", ""])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_TOKENS, _GAPS), max_size=40),
       st.sampled_from(["MoE", "KV", "KVC", "LLMs", "3D-GS", "LoRA", "GPT4"]))
def test_only_the_last_words_of_the_clause_decide(parts: list[tuple[str, str]],
                                                  short: str) -> None:
    head = "".join(token + gap for token, gap in parts)
    # The same words, alone, give the same definition: nothing before them counts.
    alone = _words_that_count(head, short) + (" " if head[-1:].isspace() else "")
    assert find_definitions(f"{head}({short})") == find_definitions(f"{alone}({short})")


def test_a_long_form_is_looked_up_in_any_inflection() -> None:
    assert key_of(["mixtures of expert"]) == key_of(["Mixture", "of", "Experts"])
    assert key_of(["MoE"]) == key_of(["moe"]) != key_of(["mixture of experts"])


def test_pairs_are_counted_once_per_paper_and_most_used_comes_first(
        library: Library) -> None:
    abstracts = [
        "A sparse mixture of experts (MoE) layer. Our mixture of experts (MoE) scales.",
        "Mixtures of experts (MoE) route tokens to a few experts.",
        "Modular optimisation engine (MoE) tuning for compilers.",
        "Nothing (here) is defined.",
    ]
    with library.conn:
        seen = record(library.conn, abstracts)
    assert seen == 3  # the first abstract defines its pair twice: one paper
    rows = define(library.conn, "moe")
    assert [(short, papers) for short, _, papers in rows] == [("MoE", 2), ("MoE", 1)]
    assert rows[0][1] in {"mixture of experts", "mixtures of experts"}
    assert rows[1][1] == "modular optimisation engine"
    assert shorts_for(library.conn, key_of(["mixture of experts"])) == [rows[0]]
    assert define(library.conn, "LLM") == []
    assert define(library.conn, "()") == []  # no word: no key to look up

    with library.conn:  # a later import adds to the counts it keeps
        record(library.conn, ["Modular optimisation engines (MoE) again."])
    assert [papers for _, _, papers in define(library.conn, "MoE")] == [2, 2]


def test_abbreviations_the_library_defines_are_mined_at_import(library: Library) -> None:
    library.import_text(
        "Sparse Routing\n\nWe scale a mixture of experts (MoE) with a compressed "
        "key-value (KV) cache, trained by reinforcement learning (RL) (see Fig. 2).\n\n"
        "Plain Paper\n\nNothing (here) is defined (e.g. this).\n")
    pairs = {(r[0], r[1]) for r in library.conn.execute(
        "SELECT short, long FROM abbreviations")}
    assert pairs == {("MoE", "mixture of experts"), ("KV", "key-value"),
                     ("RL", "reinforcement learning")}
