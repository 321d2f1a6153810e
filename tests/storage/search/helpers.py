"""Helpers for the search tests: ground truth computed without the engine."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from storage import Library
from storage.search import fold, stem

WORD = re.compile(r"[^\W_]+")


def ids(lib: Library, query: str, **kwargs) -> list[int]:
    return lib.search(query, limit=None, **kwargs).ids


def found(lib: Library, query: str) -> set[int]:
    """The papers with every word (the first tier of a relevance search)."""
    result = lib.search(query, limit=None)
    assert len(result.ids) == len(set(result.ids)), "an id came back twice"
    if result.all_count is not None:
        return set(result.ids[:result.all_count])
    return set(result.ids)


def typed(lib: Library, query: str) -> set[int]:
    """What the app's live search finds while the last word is being typed."""
    result = lib.search(query, limit=None, typing=True)
    if result.all_count is not None:
        return set(result.ids[:result.all_count])
    return set(result.ids)


def sql_ids(lib: Library, where: str, params: Iterable[object] = ()) -> set[int]:
    return {r[0] for r in lib.conn.execute(f"SELECT id FROM papers p WHERE {where}",
                                           list(params))}


def stems_of(text: str) -> list[str]:
    return [stem(fold(w)) for w in WORD.findall(text or "")]


def has_word(lib: Library, paper_id: int, word: str, *, fields=("title", "abstract", "note")
             ) -> bool:
    """Ground truth without FTS5: does a field hold a word with `word`'s stem?"""
    paper = lib.get(paper_id)
    assert paper is not None
    wanted = stem(fold(word))
    return any(wanted in stems_of(getattr(paper, f)) for f in fields)


def papers_with(lib: Library, word: str) -> set[int]:
    return {p.id for p in lib.get_many(ids(lib, ""))
            if stem(fold(word)) in stems_of(f"{p.title} {p.abstract} {p.note}")}


def snapshot(lib: Library) -> str:
    digest = hashlib.sha256()
    for line in lib.conn.iterdump():
        digest.update(line.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def raw_count(lib: Library, expr: str) -> int:
    return lib.conn.execute("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?",
                            (expr,)).fetchone()[0]


# Words of each class that broke (issue 12): each must find exactly what raw
# FTS5 finds for the word quoted, on the same file. None of them is a short
# form the seeds define (those also search their long forms: test_expansion.py).
WORD_CLASSES = {
    "-y": ["memory", "policy", "entropy", "strategy", "quality", "energy", "theory", "accuracy"],
    "-ies": ["studies", "strategies", "policies", "properties"],
    "-ing": ["learning", "reasoning", "decoding", "training"],
    "-ed": ["proposed", "based", "trained", "fine-tuned"],
    "-s": ["models", "agents", "tasks", "results"],
    "short": ["gpt", "o1", "t5", "2d"],
    "digits": ["3d", "gpt4", "int8", "fp16", "llama2", "a100"],
}


CLASS_WORDS = [(kind, word) for kind, words in WORD_CLASSES.items() for word in words]
