"""Ranking that degrades gracefully: papers with every plain word first, then
papers with some of them, and one page that runs across the tiers exactly.

Top-level plain words are "soft"; phrases, field terms, explicit OR groups,
filters and exclusions stay strict in every tier (storage.query.Compiled)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from storage.query import Compiled, Node, Text, conjuncts, fts_expression, is_soft, some_expression
from storage.search.planning import Plan
from storage.search.ranking import Ranker
from storage.search.result import TierCounts
from storage.search.vocabulary import Vocabulary
from storage.search.words import WORD, fold

# A word in more than this share of the papers tells them apart too little to
# be worth ranking before the papers with an informative word.
COMMON_SHARE = 0.5


def _share(vocabulary: Vocabulary, node: Node) -> float:
    """The share of papers holding the word of a plain-word node (0 when it is
    not one plain word)."""
    if not isinstance(node, Text) or node.alternatives or node.prefix:
        return 0.0
    words = WORD.findall(fold(node.value))
    return vocabulary.share(words[0]) if len(words) == 1 else 0.0


def _idf(vocabulary: Vocabulary, expr: str) -> float:
    """How much finding `expr` (one word, a phrase, or alternatives joined by OR)
    tells a paper apart, as bm25's idf, from the index's counts: a phrase or an
    all-words group is at most as common as its rarest word, alternatives are
    together at most as common as all of them."""
    share = 0.0
    for alternative in re.split(r"\s+OR\s+", expr):
        words = WORD.findall(fold(alternative))
        if words:
            share += min(vocabulary.share(w) for w in words)
    papers = max(1, vocabulary.papers)
    found = min(papers, share * papers)
    return math.log(1 + (papers - found + 0.5) / (found + 0.5))


def _coordinated(vocabulary: Vocabulary, atoms: list[str]) -> tuple[tuple[str, float], ...]:
    """Each word's idf, to weigh a tier's papers by; none for one word (every paper
    of the tier has it: the weight would be the same for all, and cost a read)."""
    if len(atoms) < 2:
        return ()
    return tuple((atom, _idf(vocabulary, atom)) for atom in atoms)


def stages(plan: Plan, vocabulary: Vocabulary) -> list[Compiled]:
    """What a relevance search lists after the papers with every plain word:
    papers with some of them. First those with a word that tells papers apart,
    then those with only words most papers have (over half: bm25 gives them no
    weight, so among such papers there is no order worth paying for before the
    informative ones). Empty for fewer than two plain words."""
    compiled = plan.compiled
    if compiled.sort != "relevance" or not compiled.soft:
        return []
    soft = [n for n in conjuncts(plan.query.root) if is_soft(n) and isinstance(n, Text)]
    if sum(len(n.parts) or 1 for n in soft) < 2:
        return []  # one word: all or nothing
    informative: list[str] = []
    common: list[str] = []
    for node in soft:
        if fts_expression(node) is None:
            continue
        pieces = [(Text(p.strip('"')), p) for p in node.parts] or [
            (node, fts_expression(node) or "")]
        for word, expr in pieces:
            (common if _share(vocabulary, word) > COMMON_SHARE else informative).append(expr)
    result = []
    phrases = 2 * compiled.phrases  # the NOT repeats the words; bm25 visits both
    first = some_expression(compiled, informative)
    if first is not None:
        result.append(replace(compiled, fts=first, phrases=phrases,
                              coordination=_coordinated(vocabulary, informative)))
    later = some_expression(compiled, common, ["(" + " OR ".join(informative) + ")"]
                            if informative else [])
    if later is not None:
        result.append(replace(compiled, fts=later, phrases=phrases,
                              coordination=_coordinated(vocabulary, common)))
    return result


@dataclass(slots=True)
class TieredPage:
    ids: list[int]
    scores: list[float]
    counts: TierCounts

    @property
    def total(self) -> int | None:
        if self.counts.all_count is None or self.counts.some_count is None:
            return None
        return self.counts.all_count + self.counts.some_count


def run(ranker: Ranker, compiled: Compiled, later: list[Compiled], limit: int | None,
        offset: int) -> TieredPage:
    """The page `offset`, `limit` of all the tiers in order: those with every word
    (`compiled`), then each of `later`. A tier is counted only when the page
    reaches past it."""
    ids, scores, all_count = ranker.tier(compiled, limit, offset)
    if limit is not None and len(ids) >= limit:
        return TieredPage(ids, scores, TierCounts(True, all_count, None, None))
    if all_count is None:
        all_count = ranker.count(compiled)
    before = all_count  # papers listed ahead of this stage
    some_count: int | None = 0
    some_seen = 0
    for stage in later:
        more = None if limit is None else limit - len(ids)
        if more == 0:
            some_count = None
            break
        skip = max(0, offset - before)
        stage_ids, stage_scores, stage_count = ranker.tier(stage, more, skip)
        ids += stage_ids
        scores += stage_scores
        some_seen += skip + len(stage_ids)
        if stage_count is None:
            some_count = None
            break
        some_count = (some_count or 0) + stage_count
        before += stage_count
    return TieredPage(ids, scores, TierCounts(True, all_count, some_count, some_seen))
