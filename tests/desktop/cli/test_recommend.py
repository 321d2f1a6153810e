"""`winnow recommend`, run as the real command."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
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


def _vectorised(db: Path) -> set[int]:
    with closing(sqlite3.connect(db)) as conn:
        return {r[0] for r in conn.execute("SELECT paper_id FROM paper_vectors")}


def test_a_days_import_is_ranked_at_once_by_every_process(seeded_path: Path,
                                                          tmp_path: Path) -> None:
    db = seeded_path
    stars = [_ids(db, f"title:{name}")[0] for name in QUANTISATION]
    assert winnow("star", *map(str, stars), db=db).returncode == 0
    # The library has vectors once For you has run (here `winnow recommend`).
    assert winnow("recommend", "--limit", "1", db=db).returncode == 0
    day = tmp_path / "day.txt"
    day.write_text(
        "Ternary Quantization of LLM Weights Without Retraining\n\n"
        "We quantize the weights of large language models to ternary values with "
        "low-bit post-training quantization and no retraining; quantized LLMs keep "
        "their accuracy.\n\n"
        "A Survey of Bird Migration Tracking\n\n"
        "Birds migrate; we review radio tracking of songbirds across continents.\n")
    result = winnow("import", str(day), db=db)
    assert result.returncode == 0, result.stderr
    [quant] = _ids(db, "title:ternary")
    [birds] = _ids(db, "title:migration")
    assert {quant, birds} <= _vectorised(db)
    # `sort:interest` never writes: it ranks the new papers only because the
    # import vectorised them.
    ranked = _ids(db, "is:unread sort:interest")
    assert ranked.index(quant) < 10 < ranked.index(birds)


def test_a_library_without_vectors_pays_nothing_at_import(seeded_path: Path,
                                                          tmp_path: Path) -> None:
    day = tmp_path / "day.txt"
    day.write_text("A Survey of Bird Migration Tracking\n\nBirds migrate far.\n")
    assert winnow("import", str(day), db=seeded_path).returncode == 0
    assert _vectorised(seeded_path) == set()
