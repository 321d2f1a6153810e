"""Search: runs the query language (storage.query) against the library.

One face, `SearchEngine` (engine.py), over parts that each have one job:
planning.py (typed text -> what to run: typo corrections, the word being
typed), expansion.py (abbreviations the library defines), tiers.py (papers
with all the words, then those with some), ranking.py (one bm25-ranked FTS5
query over a capped window), order.py (list order), highlight.py (spans of the
matched words), goto.py (fuzzy titles for go-to-paper), vocabulary.py (the
index's terms and counts), words.py (folding and stemming as FTS5 does) and
result.py (`SearchResult`, what every view consumes).
"""

from storage.search.engine import SearchEngine
from storage.search.highlight import highlight_spans
from storage.search.planning import Plan
from storage.search.ranking import RANK_BUDGET, RANK_MIN
from storage.search.result import Hit, SearchResult, corrected_query
from storage.search.words import fold, index_term_query, stem

__all__ = ["RANK_BUDGET", "RANK_MIN", "Hit", "Plan", "SearchEngine", "SearchResult",
           "corrected_query", "fold", "highlight_spans", "index_term_query", "stem"]
