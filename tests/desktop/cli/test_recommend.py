"""`winnow recommend`, run as the real command."""

from __future__ import annotations

import json
from pathlib import Path

from tests.desktop.cli.conftest import winnow

QUANTISATION = ("ParetoQ", "VPTQ", "ResQ", "EasyQuant", "decoupleQ")


def _ids(db: Path, query: str) -> list[int]:
    return [p["id"] for p in json.loads(winnow("list", "--json", query, db=db).stdout)]


def test_recommend_before_and_after_five_stars(seeded_path: Path) -> None:
    db = seeded_path
    cold = winnow("recommend", "--limit", "3", "--json", db=db)
    assert cold.returncode == 0, cold.stderr
    assert "0 of 5" in cold.stderr and "upvotes" in cold.stderr
    stars = [_ids(db, f"title:{name}")[0] for name in QUANTISATION]
    assert winnow("star", *map(str, stars), db=db).returncode == 0
    result = winnow("recommend", "--limit", "4", "--json", db=db)
    assert result.returncode == 0, result.stderr
    papers = json.loads(result.stdout)
    assert len(papers) == 4 and not {p["id"] for p in papers} & set(stars)
    scores = [p["score"] for p in papers]
    assert scores == sorted(scores, reverse=True) and all(0 < s < 1 for s in scores)
    for paper in papers:
        text = f"{paper['title']} {paper['abstract']}".lower()
        assert "quantiz" in text
        assert paper["why"].startswith("Words that weighed most:")
        assert all(term.lower() in text for term in paper["why_terms"])
        assert all(like["id"] in stars for like in paper["why_like"])
    plain = winnow("recommend", "--limit", "2", db=db)
    lines = plain.stdout.splitlines()
    assert len(lines) == 4 and lines[1].strip().startswith("Words that weighed most:")


def test_recommend_for_a_tag(seeded_path: Path) -> None:
    db = seeded_path
    moe = _ids(db, "title:moe")[:5]
    assert winnow("tag", *map(str, moe), "--add", "moe", db=db).returncode == 0
    result = winnow("recommend", "--tag", "moe", "--limit", "3", "--json", db=db)
    assert result.returncode == 0, result.stderr
    papers = json.loads(result.stdout)
    assert papers and all("expert" in (p["title"] + p["abstract"]).lower() for p in papers)
    assert all(like["reason"] == "tagged #moe" for p in papers for like in p["why_like"])
    missing = winnow("recommend", "--tag", "nope", db=db)
    assert missing.returncode == 1 and "no tag named 'nope'" in missing.stderr
