"""storage/abbrev.py: the abbreviations a library's own abstracts define ("mixture of
experts (MoE)"), found by Schwartz & Hearst's rule on real abstract sentences, kept in a
real library file with the number of papers that define them."""

from __future__ import annotations

import pytest

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
