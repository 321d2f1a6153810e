"""What a search gives every view: `SearchResult`, its hits, and its status line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from storage.search.highlight import Term, highlight_spans, spans

Spans = tuple[tuple[int, int], ...]


class PageText:
    """The titles, abstracts and AI summaries of a page's papers as the search
    read them, and the words it matched: the spans of a hit are worked out when
    first asked for. Working them out for all 50 rows of a page took 1.3-2.5 ms
    of each search at 100k papers (a tenth of the search), and the views highlight
    the rows they draw themselves (`SearchResult.highlight`)."""

    __slots__ = ("_spans", "_terms", "_texts")

    def __init__(self, texts: dict[int, tuple[str, ...]], terms: list[Term]) -> None:
        self._texts = texts
        self._terms = terms
        self._spans: dict[int, tuple[Spans, Spans, Spans]] = {}

    def spans(self, paper_id: int) -> tuple[Spans, Spans, Spans]:
        """(title, abstract, AI summary) spans of the paper's matched words."""
        found = self._spans.get(paper_id)
        if found is None:
            title, abstract, summary = (*self._texts.get(paper_id, ()), "", "", "")[:3]
            found = (tuple(spans(title, self._terms)), tuple(spans(abstract, self._terms)),
                     tuple(spans(summary, self._terms)))
            self._spans[paper_id] = found
        return found


# The texts a hit's spans are in, in PageText.spans order, as `Hit.matched_in` names them.
MATCHED_FIELDS = ("title", "abstract", "summary")


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    score: float  # higher is better within its tier (negated bm25); 0.0 when not ranked
    text: PageText | None = field(default=None, repr=False, compare=False)

    @property
    def title_spans(self) -> Spans:
        """Where the matched words are in the title (as the search read it)."""
        return self.text.spans(self.id)[0] if self.text is not None else ()

    @property
    def abstract_spans(self) -> Spans:
        """Where the matched words are in the abstract (as the search read it)."""
        return self.text.spans(self.id)[1] if self.text is not None else ()

    @property
    def summary_spans(self) -> Spans:
        """Where the matched words are in the card's AI summary (as the search read it)."""
        return self.text.spans(self.id)[2] if self.text is not None else ()

    @property
    def matched_in(self) -> tuple[str, ...]:
        """Which of the paper's texts hold a matched word: "title", "abstract",
        "summary" (a paper found by its AI summary alone says only "summary"; one
        found by a note or a highlight's comment says none of them)."""
        if self.text is None:
            return ()
        return tuple(name for name, found in zip(MATCHED_FIELDS, self.text.spans(self.id),
                                                 strict=True) if found)


@dataclass(slots=True)
class SearchResult:
    """What a search gives every view: the matches, the line to show about them,
    the error if the search failed, and the highlighter for the matched words.
    Views use these and derive none of them again."""

    query: str
    ids: list[int]
    hits: list[Hit] = field(default_factory=list)  # one per id when a limit was given
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (typed, searched)
    terms: list[str] = field(default_factory=list)  # what to highlight (highlight_spans)
    total: int | None = None  # every match, when known without another count
    sort: str = "relevance"
    message: str = ""  # for the status line: corrections, "12 have all words · ..."
    error: str | None = None  # set only when the search itself failed
    # Papers with every word, and papers with only some of them (listed after
    # those with all). None: not counted (a page was filled before the count).
    all_count: int | None = None
    some_count: int | None = None
    # Abbreviations the library defines that the search used: (typed, also searched).
    expansions: list[tuple[str, str]] = field(default_factory=list)
    # What the status line was made from beside the counts (see message_with_total).
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def message_with_total(self, total: int) -> str:
        """The status line once the caller has counted every match (`total`, as
        `Library.count` gives it: all the tiers): a page that ended among the
        papers with every word left "N more have some" uncounted, and the
        total says it (attack N26: `winnow list 'graph neural' --limit 3`)."""
        if self.all_count is None or self.some_count is not None or total < self.all_count:
            return self.message
        counts = TierCounts(True, self.all_count, total - self.all_count, None)
        return status_line(self.query, self.corrections, self.notes, counts, len(self.ids),
                           self.warnings)

    @property
    def matches(self) -> list[int]:
        return self.ids

    @property
    def failed(self) -> bool:
        return self.error is not None

    def highlight(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the matched words in `text` (a title, an abstract)."""
        return highlight_spans(text, self.terms) if self.terms else []


@dataclass(frozen=True, slots=True)
class TierCounts:
    """How a relevance page splits into papers with all the words and with some."""

    tiered: bool = False  # the query had tiers (two or more plain words)
    all_count: int | None = None
    some_count: int | None = None  # None: not counted
    some_seen: int | None = None  # how far the page reached past the first tier


def _count_text(count: int | None, at_least: int) -> str:
    return f"{count:,}" if count is not None else f"{at_least:,}+"


def status_line(query: str, corrections: Sequence[tuple[str, str]], notes: Sequence[str],
                counts: TierCounts, shown: int, warnings: Sequence[str] = ()) -> str:
    """The status line: what was searched instead, a filter that was not one
    (`warnings`), and how many papers have all the words and how many only some (a
    count not made is given as at least what was seen: "50+"). Empty when there is
    nothing to say."""
    parts = []
    if corrections:
        parts.append("Showing results for " + corrected_query(query, corrections))
    if notes and notes[-1] == "searched as plain words":
        parts.append("Searched as plain words")
    parts.extend(warnings)
    if counts.tiered and counts.some_count != 0:  # nothing to tell apart: no paper has only some
        if counts.all_count == 0:
            parts.append("no paper has all words")
        else:
            verb = "has" if counts.all_count == 1 else "have"
            parts.append(f"{_count_text(counts.all_count, shown)} {verb} all words")
        if counts.some_count is None and counts.some_seen:
            parts.append(f"{counts.some_seen:,}+ more have some")
        elif counts.some_count:
            parts.append(f"{counts.some_count:,} more have some")
    return " · ".join(parts)


def corrected_query(query: str, corrections: Sequence[tuple[str, str]]) -> str:
    """The query as searched: each corrected word replaced by what was searched instead."""
    text = query
    for typed, shown in corrections:
        text = re.sub(r"(?<![^\W_])" + re.escape(typed) + r"(?![^\W_])",
                      lambda _m, s=shown: s, text, count=1)
    return text
