"""The search evaluation harness (bench/eval_search.py): its judgments resolve
against the seed papers and its metrics score known rankings as they should."""

from __future__ import annotations

import pytest

from bench import eval_search
from storage import Library


@pytest.mark.parametrize("label", list(eval_search.SETS))
def test_every_judged_title_is_a_seed_paper(seeded: Library, label: str) -> None:
    needs = eval_search.load_needs(eval_search.SETS[label])
    assert len({n["id"] for n in needs}) == len(needs) >= 10
    for need in needs:
        grades = eval_search.grades_by_id(seeded, need)  # exits on a title not found
        assert len(grades) == len(need["judged"]) and set(grades.values()) <= {1, 2}
        assert any(g == 2 for g in grades.values()), need["id"]


def test_the_metrics_score_known_rankings() -> None:
    grades = {1: 2, 2: 1, 3: 1}
    assert eval_search.ndcg([1, 2, 3], grades) == pytest.approx(1.0)
    assert eval_search.ndcg([9, 8, 7], grades) == 0.0
    assert 0 < eval_search.ndcg([2, 1, 3], grades) < 1
    assert eval_search.recall([5, 3, 1], grades) == pytest.approx(2 / 3)
    assert eval_search.recall([*range(100, 150), 1], grades) == 0.0  # past 50


def test_the_held_out_needs_are_apart_from_the_first_set() -> None:
    first = eval_search.load_needs(eval_search.JUDGMENTS)
    held = eval_search.load_needs(eval_search.HELDOUT)
    assert not {n["id"] for n in first} & {n["id"] for n in held}
    assert not {n["query"] for n in first} & {n["query"] for n in held}
