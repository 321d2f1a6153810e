"""The search query language: tokenizer, recursive-descent parser, compiler.

`parse()` turns any string into a `Query` (a small tree of `Text`, `Filter`,
`Not`, `And`, `Or` nodes plus a sort key) and never raises: a piece it cannot
read is searched as plain words. `compile_query()` turns a tree into
parameterised SQL over `papers p` plus one FTS5 MATCH expression in which every
user term is an FTS5 string (`"..."` with `"` doubled), so nothing the user
typed is ever read as SQL or as FTS5 syntax.

This module does no I/O; `storage.search.SearchEngine` runs what it produces and
adds the parts that need the index (typo widening, ranking, spans).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import NamedTuple, Union

from storage import states

__all__ = [
    "SORTS",
    "And",
    "Compiled",
    "Filter",
    "Not",
    "Or",
    "Query",
    "Text",
    "compile_query",
    "fts_string",
    "has_token",
    "parse",
    "tokenize",
]

# Deep nesting and huge queries are legal input; these bounds keep the parser's
# recursion and SQLite's expression depth (1000) far from their limits.
MAX_DEPTH = 12
MAX_ATOMS = 64
# Shorter prefixes expand to so many index terms that FTS5 spends 50-200 ms
# merging their doclists at 100k papers.
MIN_PREFIX = 3

# FTS5 column filters for the text fields. `note:` also covers annotation
# comments: both are the user's own words about the paper. `summary:` is a
# trending card's AI summary (schema 12).
FIELD_COLUMNS = {
    "title": "title",
    "abstract": "abstract",
    "note": "{note annotation_text}",
    "summary": "ai_summary",
}
FILTER_KEYS = frozenset({"tag", "is", "has", "year", "upvotes", "authors", "added", "source",
                         "org", "sort"})
# Keys whose value may be a quoted phrase: `title:"mixture of experts"`, `tag:"to read"`.
PHRASE_KEYS = frozenset({"title", "abstract", "note", "summary", "tag", "source", "org"})

SORTS = ("relevance", "date", "upvotes", "added", "title", "interest")
_SORT_ALIASES = {
    "relevance": "relevance", "rank": "relevance", "best": "relevance",
    "date": "date", "published": "date", "newest": "date",
    "upvotes": "upvotes", "votes": "upvotes", "popular": "upvotes",
    "added": "added", "imported": "added",
    "title": "title", "name": "title",
    "interest": "interest", "foryou": "interest",
}

# SQL ORDER BY per sort, over `papers p`. SQLite sorts NULL below everything, so
# DESC puts papers without a date or upvotes last, and the `published` and
# `added_at` indexes serve the two date orders.
DEFAULT_ORDER = "p.first_source_id DESC, p.id ASC"
ORDER_BY = {
    "relevance": DEFAULT_ORDER,  # without text there is nothing to rank
    "date": "p.published DESC, p.id DESC",
    "upvotes": "p.upvotes DESC, p.id DESC",
    "added": "p.added_at DESC, p.id ASC",
    "title": "p.title COLLATE NOCASE ASC, p.id ASC",
    # The For you model's order: the Library sorts the matches by it (storage/learn.py);
    # SQL only has to find them, in the order used until the model is ready.
    "interest": "p.upvotes DESC, p.id DESC",
}

# Beside these, every `is:` value of the triage states and flags (storage/states.py).
_IS_VALUES = {"annotated"}
_HAS_VALUES = {"note": ("has", "note"), "notes": ("has", "note"),
               "annotation": ("is", "annotated"), "annotations": ("is", "annotated"),
               "tag": ("tag", "any"), "tags": ("tag", "any")}

# A character that unicode61 keeps inside a token (letters and digits of any
# script). A term without one tokenises to nothing and is dropped.
_TOKEN_CHAR = re.compile(r"[^\W_]")
# Kana and CJK ideographs: unicode61 makes a whole unspaced run of them one token,
# so a word inside a Chinese or Japanese title is not in the index.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SUBSTRING_COLUMNS = {"text": ("p.title", "p.abstract", "p.ai_summary"),
                      "title": ("p.title",), "abstract": ("p.abstract",), "note": ("p.note",),
                      "summary": ("p.ai_summary",)}
_TOKEN_RUN = re.compile(r"[^\W_]+")
_CMP = re.compile(r"(>=|<=|>|<|=)?(\d{1,9})")
_RANGE = re.compile(r"(\d{1,9})\.\.(\d{1,9})")
_AGE = re.compile(r"(\d{1,5})([hdwmy])")
_AGE_UNITS = {"h": 1 / 24, "d": 1, "w": 7, "m": 30, "y": 365}
# Control characters (NUL above all) and lone surrogates cannot be bound as
# SQLite text; they are whitespace to the query language.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


# ---------------------------------------------------------------------- tree
@dataclass(frozen=True, slots=True)
class Text:
    """A full-text term: a word (porter-stemmed by FTS5) or a quoted phrase."""

    value: str
    field: str | None = None  # None (all text columns), "title", "abstract", "note", "summary"
    phrase: bool = False
    prefix: bool = False  # the word being typed: also matches as a prefix
    # FTS5 queries for the index terms searched instead of `value` (typo widening,
    # as-you-type completion), made by storage.search.index_term_query: each is a
    # quoted FTS5 string, optionally with `*` after it, never raw user text.
    alternatives: tuple[str, ...] = ()
    # What the user is told was searched instead (a real word, not a stem).
    display: str | None = None
    # What to highlight for this term instead of `value` (see highlight_terms).
    marks: tuple[str, ...] = ()
    # For a run of typed words searched as one (a long form beside its short
    # form): FTS5 strings of its single words, each enough for a paper to be
    # listed among those with only some of the words.
    parts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Filter:
    """A condition on the paper's row or user data; compiled to SQL only."""

    name: str  # tag, is, has, year, upvotes, authors, added, source, org
    op: str  # "=", "<", "<=", ">", ">=", "range", "like", "none", "any", "since"
    value: object = None
    raw: str = ""


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = Union[Text, Filter, Not, And, Or]  # noqa: UP007 - a runtime alias; 3.10 has no `type`


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    root: Node | None
    sort: str | None = None
    notes: tuple[str, ...] = ()  # what the parser made of odd pieces, for explain()
    # What the user should be told: a filter or sort that did not parse and was
    # searched as words, and what it takes (shown in the status line).
    warnings: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self.root is None


# ----------------------------------------------------------------- tokenizer
@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word, phrase, lparen, rparen, or, and, not, neg, bare (`title:` alone)
    text: str = ""
    key: str | None = None  # "title" in `title:kan` (lower case), else None
    quoted: bool = False  # the value was a quoted phrase
    last: bool = False  # a bare word ending the query with no space after it


def has_token(text: str) -> bool:
    """True if FTS5's unicode61 tokenizer would find at least one token in text."""
    return _TOKEN_CHAR.search(text) is not None


def _typing(s: str, end: int) -> bool:
    """Is the word ending at `end` still being typed? It ends the query, with no
    space after it, in a letter or digit (`C++` is finished), and its last run of
    letters is at least MIN_PREFIX long: `"c"*` would match half the index."""
    if end != len(s):
        return False
    run = 0
    while run < end and _TOKEN_CHAR.match(s[end - 1 - run]):
        run += 1
    return run >= MIN_PREFIX


def _clean(text: str) -> str:
    return _UNSAFE.sub(" ", text)


def tokenize(text: str, *, typing: bool = False) -> list[Token]:
    """The query's tokens. With `typing`, a bare word ending the text with no space
    after it is marked `last`: the app's live search also matches it as a prefix.
    Anywhere else (the command line, Enter in the app) every word is whole."""
    s = _clean(text)
    n = len(s)
    tokens: list[Token] = []
    i = 0
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
        elif c == "(":
            tokens.append(Token("lparen"))
            i += 1
        elif c == ")":
            tokens.append(Token("rparen"))
            i += 1
        elif c == '"':
            # An unclosed quote runs to the end: the phrase is still being typed.
            end = s.find('"', i + 1)
            end = n if end < 0 else end
            tokens.append(Token("phrase", s[i + 1:end], quoted=True))
            i = end + 1
        elif c == "-" and i + 1 < n and not s[i + 1].isspace() and s[i + 1] != ")":
            tokens.append(Token("neg"))
            i += 1
        else:
            j = i
            while j < n and not s[j].isspace() and s[j] not in '()"':
                j += 1
            word = s[i:j]
            key, sep, value = word.partition(":")
            key = key.lower()
            if sep and not value and j < n and s[j] == '"' and key in PHRASE_KEYS:
                end = s.find('"', j + 1)
                end = n if end < 0 else end
                tokens.append(Token("word", s[j + 1:end], key=key, quoted=True))
                i = end + 1
                continue
            if word == "OR" or word == "|":
                tokens.append(Token("or"))
            elif word == "AND" or word == "&&":
                tokens.append(Token("and"))
            elif word == "NOT":
                tokens.append(Token("not"))
            elif sep and (key in FIELD_COLUMNS or key in FILTER_KEYS):
                # `title:` with nothing after it is no term at all: a field being
                # typed, or one the user will be told has nothing (`bare`).
                if value:
                    tokens.append(Token("word", value, key=key,
                                        last=typing and _typing(s, j)))
                else:
                    tokens.append(Token("bare", word, key=key))
            else:
                tokens.append(Token("word", word, last=typing and _typing(s, j)))
            i = j
    return tokens


# -------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.atoms = 0
        self.sort: str | None = None
        self.notes: list[str] = []
        self.warnings: list[tuple[Token, str]] = []  # (the token, what to tell the user)
        self.ignored: list[Token] = []  # terms with nothing in them to search for
        # Fields and filters with nothing after the colon, each with the plain
        # word that follows it, if one does (`summary: agent`: the space split them).
        self.bare: list[tuple[Token, Token | None]] = []

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def sequence(self, depth: int) -> list[Node]:
        items: list[Node] = []
        while self.i < len(self.tokens):
            token = self.tokens[self.i]
            if token.kind == "rparen":
                self.i += 1
                if depth > 0:
                    return items
                self.notes.append("ignored an unmatched ')'")
                continue
            start = self.i
            node = self.or_expr(depth)
            if node is not None:
                items.append(node)
            if self.i == start:  # never loop without consuming a token
                self.i += 1
        return items

    def or_expr(self, depth: int) -> Node | None:
        left = self.unary(depth, negated=False)
        while (token := self.peek()) is not None and token.kind == "or":
            self.i += 1
            right = self.unary(depth, negated=False)
            if right is None:
                self.notes.append("ignored an OR with nothing after it")
                continue
            if left is None:
                left = right
                continue
            left = Or(_flatten(left, Or) + _flatten(right, Or))
        return left

    def unary(self, depth: int, *, negated: bool) -> Node | None:
        token = self.peek()
        if token is None or token.kind == "rparen":
            return None
        self.i += 1
        if token.kind in ("and", "or"):
            # A dangling AND/OR (`AND (`, `OR kan`): AND is implicit anyway.
            return None
        if token.kind == "bare":
            after = self.peek()
            plain = after is not None and after.kind == "word" and after.key is None
            self.bare.append((token, after if plain else None))
            return None
        if token.kind in ("neg", "not"):
            child = self.unary(depth, negated=not negated)
            if child is None:
                return None
            return child.child if isinstance(child, Not) else Not(child)
        if token.kind == "lparen":
            if depth >= MAX_DEPTH:
                self.notes.append(f"parentheses nested deeper than {MAX_DEPTH} were ignored")
                return None
            items = self.sequence(depth + 1)
            if not items:
                return None
            return items[0] if len(items) == 1 else And(tuple(items))
        return self.atom(token, negated=negated)

    def atom(self, token: Token, *, negated: bool) -> Node | None:
        if self.atoms >= MAX_ATOMS:
            if self.atoms == MAX_ATOMS:
                self.notes.append(f"only the first {MAX_ATOMS} terms were used")
            self.atoms += 1
            return None
        node = self._atom(token, negated=negated)
        if node is not None:
            self.atoms += 1
        return node

    def _unindexed(self, token: Token, field: str | None) -> Node | None:
        """A term the index cannot find (see _needs_substring): its substring, or
        nothing, said, when it has no letter, digit or symbol to look for."""
        value = token.text
        if _needs_substring(value):
            return Filter("contains", field or "text", value, raw=value)
        if value.strip():
            self.notes.append(f"{value!r} has no letter, digit or symbol; ignored")
            self.ignored.append(token)
        return None

    def _atom(self, token: Token, *, negated: bool) -> Node | None:
        value = token.text
        if token.kind == "phrase":
            if not has_token(value) or _needs_substring(value):
                return self._unindexed(token, None)
            return Text(value, phrase=True)
        key = token.key
        if key is None:
            if not has_token(value) or _needs_substring(value):
                return self._unindexed(token, None)
            return Text(value, prefix=token.last and not negated)
        if key in FIELD_COLUMNS:
            if not value.strip():  # `title:""`: as `title:` alone
                self.bare.append((token, None))
                return None
            if not has_token(value) or _needs_substring(value):
                return self._unindexed(token, key)
            return Text(value, field=key, phrase=token.quoted,
                        prefix=token.last and not negated and not token.quoted)
        if key == "sort":
            sort = _SORT_ALIASES.get(value.lower())
            if sort is None:
                self.notes.append(f"unknown sort {value!r} (known: {', '.join(SORTS)})")
                self.warnings.append((token, f"sort:{value} is not an order (sort: takes "
                                             f"{', '.join(SORTS)}); ignored"))
            else:
                self.sort = sort
            return None
        if not value.strip():
            # `tag:""`, or `tag:"` with the value still to come: no value, no filter
            # (as `tag:` with nothing after it), and no search for the word `tag`.
            self.warnings.append((token, f'{key}:"" has no value; ignored'))
            return None
        node = _filter(key, value, quoted=token.quoted)
        if node is not None:
            return node
        # Not a filter after all (`is:maybe`, `year:soon`): search the words.
        raw = f"{key}:{value}"
        self.notes.append(f"{raw!r} is not a filter; searched as words")
        self.warnings.append((token, f"{raw} is not a filter ({_takes(key)}); "
                                     "searched as words"))
        return Text(raw, prefix=token.last and not negated) if has_token(raw) else None


def _needs_substring(value: str) -> bool:
    """unicode61 indexes neither symbols nor emoji (`🚀`, `™`, `≥`) and keeps an
    unspaced run of Chinese or Japanese as one token: such a term is looked for as
    a substring of the text (a scan, paid only by these rare queries). A Latin word
    beside a symbol (`GPT™`) has its word in the index and is searched there."""
    if _CJK.search(value):
        return True
    if has_token(value):
        return False
    return any(ord(c) > 127 and unicodedata.category(c).startswith("S") for c in value)


# What a filter's value looks like, for the user who left it out (`tag:` alone).
_EXAMPLE_VALUE = {"is": "starred", "has": "note", "year": "2024", "upvotes": ">10",
                  "authors": "<=3", "added": "7d", "sort": "date"}


def _bare_warning(word: str, after: Token | None, listed: bool) -> str:
    """One line for a field or filter with nothing after its colon: what to write
    instead (the next word joined to it, when a space split them), and what was
    done: every paper listed, or the rest searched without it."""
    key = word.partition(":")[0]
    if after is not None:
        example = f"{key}:{after.text}"
    elif key in FIELD_COLUMNS:
        example = f"{key}:word"
    else:
        example = f"{key}:{_EXAMPLE_VALUE.get(key, 'name')}"
    done = "every paper is listed" if listed else "ignored"
    return f"{word} has nothing after it (write {example}, with no space); {done}"


def _takes(key: str) -> str:
    """What a filter key accepts, for the user who typed a value it does not."""
    if key == "is":
        # Each state and flag by its own name, and the negations; not every alias.
        names = [k for k, (state, positive) in states.table().is_filters().items()
                 if k == state or not positive]
        return "is: takes " + ", ".join(sorted({*_IS_VALUES, *names}))
    if key == "has":
        return "has: takes note, annotation or tag"
    if key in ("year", "upvotes", "authors"):
        return f"{key}: takes a number, a comparison like >5 or <=3, or a range like 2..4"
    if key == "added":
        return "added: takes today, yesterday or an age like 12h, 7d, 2w, 3m, 1y"
    return f"{key}: needs a value"


def _flatten(node: Node, kind: type) -> tuple[Node, ...]:
    return node.children if isinstance(node, kind) else (node,)  # type: ignore[attr-defined]


def _number(value: str, *, low: int = 0, high: int = 10**9) -> tuple[str, object] | None:
    match = _RANGE.fullmatch(value)
    if match:
        a, b = sorted((int(match.group(1)), int(match.group(2))))
        return "range", (max(low, a), min(high, b))
    match = _CMP.fullmatch(value)
    if match:
        return match.group(1) or "=", max(low, min(high, int(match.group(2))))
    return None


def _filter(key: str, value: str, *, quoted: bool) -> Filter | None:
    folded = value.strip().lower()
    if not folded:
        return None
    raw = f"{key}:{value}"
    if key == "tag":
        if folded in ("none", "any") and not quoted:
            return Filter("tag", folded, raw=raw)
        name = " ".join(value.split())
        return Filter("tag", "=", name, raw=raw)
    if key == "is":
        known = folded in _IS_VALUES or folded in states.table().is_filters()
        return Filter("is", "=", folded, raw=raw) if known else None
    if key == "has":
        mapped = _HAS_VALUES.get(folded)
        if mapped is None:
            return None
        name, what = mapped
        return Filter(name, "any", raw=raw) if name == "tag" else Filter(name, "=", what, raw=raw)
    if key in ("year", "upvotes", "authors"):
        parsed = _number(folded, high=9999 if key == "year" else 10**9)
        return Filter(key, parsed[0], parsed[1], raw=raw) if parsed else None
    if key == "added":
        if folded in ("today", "yesterday"):
            return Filter("added", "since", folded, raw=raw)
        match = _AGE.fullmatch(folded)
        if match:
            days = int(match.group(1)) * _AGE_UNITS[match.group(2)]
            return Filter("added", "since", days, raw=raw)
        return None
    if key in ("source", "org"):
        return Filter(key, "like", value, raw=raw)
    return None


def parse(text: str, *, typing: bool = False) -> Query:
    """Any string to a Query. Never raises. `typing`: see tokenize()."""
    tokens = tokenize(text, typing=typing)
    parser = _Parser(tokens)
    items = parser.sequence(0)
    root: Node | None
    if not items:
        root = None
    elif len(items) == 1:
        root = items[0]
    else:
        root = And(tuple(items))
    # While typing, the filter at the end may be half written (`is:re`): no warning yet.
    unfinished = tokens[-1] if typing and tokens and not text[-1:].isspace() else None
    said = [w for token, w in parser.warnings if token is not unfinished]
    for token, after in parser.bare:
        if token is not unfinished:
            # `summary:` alone listed every paper without a word of why.
            listed = root is None and not parser.ignored
            said.append(_bare_warning(f"{token.key}:" + ('""' if token.quoted else ""),
                                      after, listed))
    if root is None and parser.ignored and not typing:
        # `*` or `…` alone listed every paper without a word of why.
        said.append(f"{' '.join(t.text for t in parser.ignored)} has no letter, digit or "
                    "symbol to search for; every paper is listed")
    warnings = tuple(dict.fromkeys(said))
    return Query(text, root, parser.sort, tuple(parser.notes), warnings)


# ------------------------------------------------------------------ compiler
def fts_string(text: str) -> str:
    """`text` as an FTS5 string literal: inside one, every character is data."""
    return '"' + text.replace('"', '""') + '"'


def _fts_text(node: Text) -> str:
    column = FIELD_COLUMNS.get(node.field or "")
    label = f"{column} : " if column else ""
    if node.alternatives:
        parts = [label + alternative for alternative in node.alternatives]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    own = label + fts_string(node.value)
    if node.prefix and not node.phrase:
        # The word being typed: its own match (any inflection: porter stems both
        # sides) plus a real prefix query, never the prefix alone.
        return f"({own} OR {own}*)"
    return own


def fts_expression(node: Node) -> str | None:
    """The node as one FTS5 expression, or None if it needs SQL (filters, or a
    negation with nothing positive beside it: FTS5's NOT is binary)."""
    if isinstance(node, Text):
        return _fts_text(node)
    if isinstance(node, Or):
        parts = [fts_expression(child) for child in node.children]
        if any(part is None for part in parts):
            return None
        return "(" + " OR ".join(parts) + ")"  # type: ignore[arg-type]
    if isinstance(node, And):
        return _fts_conjunction(node.children)
    return None


def _fts_conjunction(children: tuple[Node, ...]) -> str | None:
    positive: list[str] = []
    negative: list[str] = []
    for child in children:
        if isinstance(child, Not):
            inner = fts_expression(child.child)
            if inner is None:
                return None
            negative.append(inner)
        else:
            expr = fts_expression(child)
            if expr is None:
                return None
            positive.append(expr)
    if not positive:
        return None
    expr = "(" + " AND ".join(positive) + ")"
    for neg in negative:
        expr = f"({expr} NOT {neg})"
    return expr


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _local_midnight(now: datetime, days_back: int) -> datetime:
    local = now.astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - timedelta(days=days_back)).astimezone(timezone.utc)


def _iso(moment: datetime) -> str:
    # The same shape as Library's `_now()`, so the stored strings compare in order.
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


_COLUMN = {"upvotes": "p.upvotes", "authors": "p.authors_count"}


def filter_sql(node: Filter, now: datetime) -> tuple[str, list[object]]:
    name, op, value = node.name, node.op, node.value
    if name == "tag":
        if op == "none":
            return "NOT EXISTS (SELECT 1 FROM paper_tags pt WHERE pt.paper_id = p.id)", []
        if op == "any":
            return "EXISTS (SELECT 1 FROM paper_tags pt WHERE pt.paper_id = p.id)", []
        return ("p.id IN (SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE t.name = ? COLLATE NOCASE)", [value])
    if name == "is":
        if value == "annotated":
            return "p.id IN (SELECT a.paper_id FROM annotations a)", []
        found = states.table().is_sql(str(value))
        if found is None:  # a state renamed away since the query was parsed
            return "0", []
        return found
    if name == "has":
        return "p.note != ''", []
    if name == "year":
        # ISO dates compare as text; a range on `published` uses its index.
        if op == "range":
            a, b = value  # type: ignore[misc]
            return "p.published >= ? AND p.published < ?", [f"{a:04d}", f"{b + 1:04d}"]
        year = int(value)  # type: ignore[call-overload]
        bounds = {"=": ("p.published >= ? AND p.published < ?", [f"{year:04d}",
                                                                 f"{year + 1:04d}"]),
                  ">=": ("p.published >= ?", [f"{year:04d}"]),
                  ">": ("p.published >= ?", [f"{year + 1:04d}"]),
                  "<": ("p.published < ?", [f"{year:04d}"]),
                  "<=": ("p.published < ?", [f"{year + 1:04d}"])}
        return bounds[op]
    if name in _COLUMN:
        column = _COLUMN[name]
        if op == "range":
            a, b = value  # type: ignore[misc]
            return f"{column} BETWEEN ? AND ?", [a, b]
        return f"{column} {op} ?", [value]
    if name == "added":
        if value == "today":
            since = _local_midnight(now, 0)
        elif value == "yesterday":
            since = _local_midnight(now, 1)
        else:
            since = now - timedelta(days=float(value))  # type: ignore[arg-type]
        return "p.added_at >= ?", [_iso(since)]
    if name == "source":
        pattern = _like(str(value))
        return ("p.id IN (SELECT ps.paper_id FROM paper_sources ps JOIN sources s "
                "ON s.id = ps.source_id WHERE s.name LIKE ? ESCAPE '\\' "
                "OR s.path LIKE ? ESCAPE '\\')", [pattern, pattern])
    if name == "org":
        return "p.organization LIKE ? ESCAPE '\\'", [_like(str(value))]
    if name == "contains":
        columns = _SUBSTRING_COLUMNS[op]
        pattern = _like(str(value))
        return " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns), [pattern] * len(columns)
    raise ValueError(f"unknown filter {name}")  # unreachable: the parser makes no others


def listable(node: Node) -> bool:
    """Whether an index lists the papers passing this filter in time that grows with
    how many pass (not with the library): a state or flag one is in, a tag, a note,
    an annotation, a date, upvote or import-time range. What is left out is
    answered only by reading every row (`org:`, a substring, `authors:`, a
    negation), is most of the library by its nature (`tag:none`, `is:unread`: the
    latter planned as `-is:read`, see complement), or
    is planned as a scan of every paper's sources (`source:`, a LIKE on names)."""
    if not isinstance(node, Filter):
        return False
    if node.name == "is":
        if node.value in _IS_VALUES:
            return True
        hit = states.table().is_filters().get(str(node.value))
        return hit is not None and hit[1]
    if node.name == "tag":
        return node.op == "="
    return node.name in ("has", "year", "upvotes", "added")


def sql_expression(node: Node, now: datetime) -> tuple[str, list[object]]:
    """The node as a SQL condition over `papers p`; text goes through the index."""
    if isinstance(node, Text):
        return ("p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)",
                [_fts_text(node)])
    if isinstance(node, Filter):
        return filter_sql(node, now)
    if isinstance(node, Not):
        sql, params = sql_expression(node.child, now)
        # A NULL column (no date, no upvotes) fails the test, so its negation keeps it.
        return f"NOT coalesce(({sql}), 0)", params
    joiner = " AND " if isinstance(node, And) else " OR "
    # A text-only group goes to FTS5 in one piece rather than one subquery per word.
    expr = fts_expression(node)
    if expr is not None:
        return "p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)", [expr]
    parts: list[str] = []
    params: list[object] = []
    for child in node.children:
        sql, child_params = sql_expression(child, now)
        parts.append(f"({sql})")
        params.extend(child_params)
    return joiner.join(parts), params


def complement(node: Node) -> Filter | None:
    """The listable filter whose papers `node` is every paper but, when `node` is
    an `is:` value meaning "not in this state or flag" (`is:unstarred`,
    `is:unread`): such a filter is planned as that one negated (`-is:starred`),
    its few papers listed and left out. The two conditions pass the same papers
    because a flag's column and `state` are NOT NULL: no row is neither."""
    if not isinstance(node, Filter) or node.name != "is":
        return None
    filters = states.table().is_filters()
    hit = filters.get(str(node.value))
    if hit is None or hit[1]:
        return None
    on = next((value for value, found in filters.items() if found == (hit[0], True)), None)
    return None if on is None else Filter("is", "=", on, raw=f"is:{on}")


class Driver(NamedTuple):
    """One filter as a SELECT of the ids of the papers passing it; `exclude`: a
    negated filter (`-is:starred`), whose SELECT lists the papers it leaves out."""

    select: str
    params: list[object]
    condition: str  # the filter's part of `Compiled.where`
    exclude: bool = False


def driver_select(node: Filter, sql: str) -> str:
    """The ids passing a listable filter whose condition over `papers p` is `sql`,
    each once. A tag or an annotation is listed from its own table (through
    `papers p` it was a lookup of each tagged paper's row: 57 ms for 20,000 at
    1M papers, not 5)."""
    if node.name == "tag":
        return ("SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE t.name = ? COLLATE NOCASE")
    if node.name == "is" and node.value == "annotated":
        return "SELECT DISTINCT a.paper_id FROM annotations a"
    # Its own `papers p`: inside the subquery the alias names this one.
    return f"SELECT p.id FROM papers p WHERE {sql}"


@dataclass(slots=True)
class Compiled:
    """What to run: `fts` drives the query (and its ranking) when the query has
    top-level text; `where` is the rest, over `papers p`."""

    fts: str | None
    where: str
    params: list[object]
    sort: str
    terms: list[str] = field(default_factory=list)
    phrases: int = 0  # FTS5 phrases in `fts`: what one bm25 call costs
    # The top-level positive text split in two. `soft` are the plain words (and
    # what they were widened to): a paper that has only some of them still
    # matches, below those that have all. `strict` are phrases, field terms and
    # explicit OR groups, which every match must have, as must `negative` be absent.
    soft: list[str] = field(default_factory=list)
    strict: list[str] = field(default_factory=list)
    negative: list[str] = field(default_factory=list)
    # A later tier's words (FTS5) and how much each tells papers apart (idf): a
    # paper's bm25 is scaled by the idf of the words it has (tiers.stages).
    coordination: tuple[tuple[str, float], ...] = ()
    # The top-level filters an index can list (`listable`): when one is small,
    # the search looks for the text among its papers instead of testing each text
    # match's row (storage.search.ranking). `where` still holds every filter.
    drivers: list[Driver] = field(default_factory=list)

    @property
    def has_where(self) -> bool:
        return self.where != "1"


def is_soft(node: Node) -> bool:
    """A plain word (typed bare, no field, not a phrase): it may be missing from
    the papers that follow those with every word."""
    return isinstance(node, Text) and not node.phrase and node.field is None


def some_expression(compiled: Compiled, atoms: list[str], exclude: list[str] | None = None
                    ) -> str | None:
    """FTS5 for papers holding one of `atoms` (the plain words, or some of them)
    but not every soft word, with every strict part, none of `exclude` and no
    excluded word. None when there is nothing to look for."""
    if not compiled.soft or not atoms:
        return None
    expr = "(" + " OR ".join(atoms) + ")"
    if compiled.strict:
        expr = "(" + " AND ".join([*compiled.strict, expr]) + ")"
    expr = f"({expr} NOT (" + " AND ".join(compiled.soft) + "))"
    for other in exclude or ():
        expr = f"({expr} NOT {other})"
    for neg in compiled.negative:
        expr = f"({expr} NOT {neg})"
    return expr


def conjuncts(root: Node | None) -> tuple[Node, ...]:
    if root is None:
        return ()
    return root.children if isinstance(root, And) else (root,)


def highlight_terms(root: Node | None) -> list[str]:
    """The words and phrases a match can show, in query order (negations excluded)."""
    terms: list[str] = []

    def walk(node: Node) -> None:
        if isinstance(node, Text):
            if node.marks:
                terms.extend(node.marks)
            else:
                terms.append(node.value + ("*" if node.prefix and not node.phrase else ""))
        elif isinstance(node, (And, Or)):
            for child in node.children:
                walk(child)

    if root is not None:
        walk(root)
    return list(dict.fromkeys(terms))


def phrase_count(node: Node) -> int:
    """Tokens the FTS5 expression holds: what bm25 pays per row and per query."""
    if isinstance(node, Text):
        if node.alternatives:
            return len(node.alternatives)
        return max(1, len(_TOKEN_RUN.findall(node.value)))
    if isinstance(node, Not):
        return phrase_count(node.child)
    if isinstance(node, (And, Or)):
        return sum(phrase_count(c) for c in node.children)
    return 0


def compile_query(query: Query, *, sort: str | None = None,
                  now: datetime | None = None) -> Compiled:
    """The query's SQL and FTS5. A `sort:` in the query text beats the `sort` argument:
    it is what the user typed last."""
    now = now or datetime.now(timezone.utc)
    chosen = query.sort or _SORT_ALIASES.get((sort or "").lower()) or "relevance"
    positive: list[str] = []
    negative: list[str] = []
    soft: list[str] = []
    strict: list[str] = []
    sql_parts: list[str] = []
    params: list[object] = []
    rest: list[Node] = []
    for node in conjuncts(query.root):
        if isinstance(node, Not) and (inner := fts_expression(node.child)) is not None:
            negative.append(inner)
        elif not isinstance(node, Not) and (expr := fts_expression(node)) is not None:
            positive.append(expr)
            (soft if is_soft(node) else strict).append(expr)
        else:
            rest.append(node)
    fts: str | None = None
    phrases = 0
    for node in conjuncts(query.root):
        inner = node.child if isinstance(node, Not) else node
        if fts_expression(inner) is not None:
            phrases += phrase_count(inner)
    if positive:
        fts = positive[0] if len(positive) == 1 else "(" + " AND ".join(positive) + ")"
        for neg in negative:
            fts = f"({fts} NOT {neg})"
    else:
        for neg in negative:
            sql_parts.append("p.id NOT IN (SELECT rowid FROM papers_fts "
                             "WHERE papers_fts MATCH ?)")
            params.append(neg)
    drivers: list[Driver] = []
    for node in rest:
        sql, node_params = sql_expression(node, now)
        sql_parts.append(f"({sql})")
        params.extend(node_params)
        if isinstance(node, Filter) and listable(node):
            drivers.append(Driver(driver_select(node, sql), list(node_params), f"({sql})"))
        elif isinstance(node, Not) and isinstance(node.child, Filter) and listable(node.child):
            inner, inner_params = sql_expression(node.child, now)
            drivers.append(Driver(driver_select(node.child, inner), list(inner_params),
                                  f"({sql})", exclude=True))
        elif (on := complement(node)) is not None and listable(on):
            inner, inner_params = sql_expression(on, now)
            drivers.append(Driver(driver_select(on, inner), list(inner_params),
                                  f"({sql})", exclude=True))
    where = " AND ".join(sql_parts) if sql_parts else "1"
    return Compiled(fts, where, params, chosen, highlight_terms(query.root), phrases,
                    soft, strict, negative if positive else [], drivers=drivers)


def plain_words(text: str) -> Query:
    """The fallback reading of any string: its words, nothing else."""
    words = [w for w in _clean(text).replace('"', " ").split() if has_token(w)][:MAX_ATOMS]
    nodes: tuple[Node, ...] = tuple(Text(w) for w in words)
    root: Node | None = None if not nodes else nodes[0] if len(nodes) == 1 else And(nodes)
    return Query(text, root, None, ("searched as plain words",))


def describe(node: Node | None, indent: int = 0) -> str:
    """The tree as an indented outline, for `winnow list --explain`."""
    pad = "  " * indent
    if node is None:
        return pad + "(everything)"
    if isinstance(node, Text):
        bits = [repr(node.value)]
        if node.field:
            bits.insert(0, f"{node.field}:")
        if node.phrase:
            bits.append("phrase")
        if node.prefix:
            bits.append("prefix")
        if node.alternatives:
            bits.append("searched as " + " | ".join(node.alternatives))
        return pad + "text " + " ".join(bits)
    if isinstance(node, Filter):
        return pad + f"filter {node.name} {node.op} {node.value!r}"
    if isinstance(node, Not):
        return pad + "not\n" + describe(node.child, indent + 1)
    label = "and" if isinstance(node, And) else "or"
    return pad + label + "\n" + "\n".join(describe(c, indent + 1) for c in node.children)


def map_text(node: Node | None, fn: Callable[[Text, bool], Node]) -> Node | None:
    """A copy of the tree with each Text node replaced by fn(text, negated)."""

    def walk(node: Node, negated: bool) -> Node:
        if isinstance(node, Text):
            return fn(node, negated)
        if isinstance(node, Not):
            return Not(walk(node.child, not negated))
        if isinstance(node, (And, Or)):
            return type(node)(tuple(walk(c, negated) for c in node.children))
        return node

    return None if node is None else walk(node, False)


def with_root(query: Query, root: Node | None) -> Query:
    return replace(query, root=root)
