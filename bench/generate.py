"""Synthetic Daily Papers listings in the seeds' own layout, for the benchmarks.

    python -m bench.generate --papers 100000 -o bench/data/listing-100k.txt

writes the listing and, beside it, the same records as JSON lines
(`listing-100k.jsonl`, for the sqlite-utils baseline). Everything is drawn from
`seeds/*.txt`: title words and shapes, a word-bigram chain over the abstracts,
the abstracts' sentence-length sequences, author counts, organisation lines,
date lines and upvotes. The random seed is fixed, so the same size always gives
the same bytes. Papers are written as they are made: memory stays flat at any
size (1M papers is about 1.5 GB of listing).

Every title carries a coined name made from the paper's number (`Vokarin:`,
`... with Dumelsa`), so titles never collide, dedupe keeps all N papers, and the
full-text vocabulary grows with the library the way real model names make it grow.
"""

from __future__ import annotations

import argparse
import calendar
import itertools
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = 20240607
MONTHS = [calendar.month_abbr[i] for i in range(1, 13)]
LISTING_YEAR = 2025  # the year a date printed without one is taken to be (JSON form only)

CHROME = [
    "new", "", "Get trending papers in your email inbox!", "", "Subscribe", "",
    "Daily Papers", "", "byAK and the research community", "",
]
_CHROME_LINES = {
    "new", "Get trending papers in your email inbox!",
    "Get trending papers in your email inbox once a day!", "Subscribe", "Daily Papers",
    "byAK and the research community",
}
_DATE = re.compile(r"^([A-Z][a-z]{2}) (\d{1,2})(?:, (\d{4}))?(?: (\d+))?$")
_AUTHORS = re.compile(r"^\s*•\s*(\d+) authors?$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


# ----------------------------------------------------------------- the seeds
@dataclass
class SeedPaper:
    title: str
    abstract: str
    meta: str | None = None  # "  • 6 authors" or an organisation line
    date: str | None = None  # "May 22 1"


def read_seeds(root: Path = SEEDS) -> list[SeedPaper]:
    """A small parser of the five sample listings, only good enough to learn from them."""
    papers: list[SeedPaper] = []
    for path in sorted(root.glob("*.txt")):
        lines = [line.rstrip("\r") for line in
                 path.read_text(encoding="utf-8-sig").split("\n")]
        if sum(1 for line in lines if not line.strip()) < len(lines) // 4:
            # The file without blank lines: chrome, then title/abstract alternating.
            body = [ln for ln in lines if ln.strip() and ln.strip() not in _CHROME_LINES]
            if body and body[0].startswith("Subscribe"):
                body[0] = body[0][len("Subscribe"):]
            for i in range(0, len(body) - 1, 2):
                papers.append(SeedPaper(body[i].strip(), body[i + 1].strip()))
            continue
        paragraphs: list[list[str]] = []
        current: list[str] = []
        for line in lines:
            if line.strip():
                current.append(line)
            elif current:
                paragraphs.append(current)
                current = []
        if current:
            paragraphs.append(current)
        while paragraphs and (paragraphs[0][0].strip() in _CHROME_LINES
                              or _DATE.match(paragraphs[0][0].strip())):
            paragraphs.pop(0)
        i = 0
        while i + 1 < len(paragraphs):
            title, abstract = paragraphs[i][0].strip(), paragraphs[i + 1][0].strip()
            i += 2
            paper = SeedPaper(title, abstract)
            if i < len(paragraphs) and len(paragraphs[i]) >= 2 and \
                    paragraphs[i][1].strip() == "·":
                paper.meta = paragraphs[i][0]
                paper.date = paragraphs[i][2].strip() if len(paragraphs[i]) > 2 else None
                i += 1
            papers.append(paper)
    return papers


# ------------------------------------------------------------------ the model
class Vocabulary:
    """What the generator draws from, all learnt from the seeds."""

    def __init__(self, papers: list[SeedPaper]) -> None:
        self.title_words: list[str] = []
        self.title_shapes: list[tuple[int, bool]] = []  # (words, has "Name:" prefix)
        for paper in papers:
            words = paper.title.split()
            prefixed = bool(words) and words[0].endswith(":") and len(words) > 2
            body = words[1:] if prefixed else words
            self.title_shapes.append((max(2, len(body)), prefixed))
            self.title_words.extend(w.rstrip(":") for w in body if w.rstrip(":"))
        # Word bigrams over the abstracts, sentence by sentence.
        successors: dict[str, list[str]] = {}
        self.starts: list[str] = []
        self.sentence_shapes: list[tuple[int, ...]] = []  # per abstract: words per sentence
        for paper in papers:
            shape = []
            for sentence in _SENTENCE_END.split(paper.abstract):
                words = sentence.split()
                if not words:
                    continue
                if words[-1].endswith("."):
                    words[-1] = words[-1][:-1] or "."
                shape.append(len(words))
                self.starts.append(words[0])
                for a, b in itertools.pairwise(words):
                    successors.setdefault(a, []).append(b)
            if shape:
                self.sentence_shapes.append(tuple(shape))
        self.successors = {k: tuple(v) for k, v in successors.items()}
        self.all_words = [w for ws in self.successors.values() for w in ws]
        authors = Counter()
        orgs: list[str] = []
        metas = 0
        for paper in papers:
            if paper.meta is None:
                continue
            metas += 1
            found = _AUTHORS.match(paper.meta)
            if found:
                authors[int(found.group(1))] += 1
            else:
                orgs.append(paper.meta.strip())
        self.author_counts = list(authors.elements())
        self.orgs = orgs
        self.org_share = len(orgs) / max(1, metas)
        dated = [_DATE.match(p.date) for p in papers if p.date]
        dated = [d for d in dated if d]
        self.years = [int(d.group(3)) if d.group(3) else None for d in dated]
        self.upvotes = [int(d.group(4)) if d.group(4) else None for d in dated]
        # Coined names are built from syllables of the seeds' own coined names.
        self.syllables = sorted({s.lower() for w in self.title_words
                                 for s in re.findall(r"[bcdfghjklmnprstvz][aeiou]", w.lower())})


def coined_name(number: int, syllables: list[str]) -> str:
    """A pronounceable four-syllable name, a bijection of `number` below len(syllables)**4
    (scrambled by a multiplier coprime to it, so consecutive papers do not look alike)."""
    base = len(syllables)
    space = base ** 4
    if number >= space:
        raise ValueError(f"at most {space} distinct names")
    n = (number * 1000003 + 12345) % space
    parts = []
    for _ in range(4):
        parts.append(syllables[n % base])
        n //= base
    name = "".join(parts)
    return name[0].upper() + name[1:]


@dataclass
class Record:
    title: str
    abstract: str
    authors_count: int | None
    organization: str | None
    published: str
    published_raw: str
    upvotes: int | None
    meta_line: str


class Generator:
    def __init__(self, vocab: Vocabulary, seed: int = SEED) -> None:
        self.v = vocab
        self.rng = random.Random(seed)

    def sentence(self, length: int) -> str:
        rnd = self.rng.random
        succ = self.v.successors
        starts = self.v.starts
        word = starts[int(rnd() * len(starts))]
        words = [word]
        for _ in range(length - 1):
            options = succ.get(word)
            if not options:
                options = self.v.all_words
            word = options[int(rnd() * len(options))]
            words.append(word)
        text = " ".join(words)
        return text if text.endswith((".", "?", "!")) else text + "."

    def record(self, number: int) -> Record:
        v, rng = self.v, self.rng
        name = coined_name(number, v.syllables)
        words_n, prefixed = v.title_shapes[int(rng.random() * len(v.title_shapes))]
        words = [v.title_words[int(rng.random() * len(v.title_words))] for _ in range(words_n)]
        words[0] = words[0][:1].upper() + words[0][1:]
        if prefixed:
            title = f"{name}: " + " ".join(words)
        elif rng.random() < 0.5:
            title = " ".join(words) + f" with {name}"
        else:
            title = " ".join(words) + f" ({name})"
        shape = v.sentence_shapes[int(rng.random() * len(v.sentence_shapes))]
        sentences = [self.sentence(n) for n in shape]
        # The paper names its method, as abstracts do: a rare term findable by search.
        at = min(len(sentences) - 1, 1 + int(rng.random() * 2))
        sentences[at] = f"We propose {name}. " + sentences[at]
        abstract = " ".join(sentences)
        if v.orgs and rng.random() < v.org_share:
            organization = v.orgs[int(rng.random() * len(v.orgs))]
            authors_count = None
            meta_line = organization
        else:
            organization = None
            authors_count = v.author_counts[int(rng.random() * len(v.author_counts))]
            meta_line = f"  • {authors_count} authors"
        month = 1 + int(rng.random() * 12)
        day = 1 + int(rng.random() * (28 if month == 2 else 30))
        year = v.years[int(rng.random() * len(v.years))]
        upvotes = v.upvotes[int(rng.random() * len(v.upvotes))]
        raw = f"{MONTHS[month - 1]} {day}" + (f", {year}" if year else "")
        date_line = raw + (f" {upvotes}" if upvotes is not None else "")
        published = f"{year or LISTING_YEAR:04d}-{month:02d}-{day:02d}"
        return Record(title, abstract, authors_count, organization, published, raw,
                      upvotes, meta_line + "\n·\n" + date_line)

    def records(self, count: int) -> Iterator[Record]:
        for number in range(count):
            yield self.record(number)


# ---------------------------------------------------------------- the output
def jsonl_path(listing: Path) -> Path:
    return listing.with_suffix(".jsonl")


def write(count: int, out: Path, *, seed: int = SEED, jsonl: bool = True,
          listing_date: str = "Dec 9") -> tuple[int, int]:
    """Write `count` papers to `out` (and its .jsonl twin); returns (bytes, jsonl bytes)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    generator = Generator(Vocabulary(read_seeds()), seed)
    tmp = out.with_name(out.name + ".part")
    tmp_json = jsonl_path(out).with_name(jsonl_path(out).name + ".part")
    with tmp.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as listing, \
            (tmp_json.open("w", encoding="utf-8", buffering=1 << 20) if jsonl
             else open("/dev/null", "w")) as records:
        listing.write("\n".join([*CHROME, listing_date, ""]) + "\n")
        for record in generator.records(count):
            listing.write(f"{record.title}\n\n{record.abstract}\n\n{record.meta_line}\n\n")
            if jsonl:
                records.write(json.dumps({
                    "title": record.title, "abstract": record.abstract,
                    "authors_count": record.authors_count,
                    "organization": record.organization, "published": record.published,
                    "published_raw": record.published_raw, "upvotes": record.upvotes,
                }, ensure_ascii=False) + "\n")
    tmp.replace(out)
    if jsonl:
        tmp_json.replace(jsonl_path(out))
        return out.stat().st_size, jsonl_path(out).stat().st_size
    tmp_json.unlink(missing_ok=True)
    return out.stat().st_size, 0


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1M' -> 1000000, '415' -> 415."""
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1000, "m": 1000000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def ensure(count: int, data_dir: Path) -> Path:
    """The listing for `count` papers in `data_dir`, generated if missing."""
    name = size_label(count)
    out = data_dir / f"listing-{name}.txt"
    if not out.exists() or not jsonl_path(out).exists():
        started = time.perf_counter()
        print(f"generating {count} papers -> {out}", file=sys.stderr, flush=True)
        write(count, out)
        print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return out


def size_label(count: int) -> str:
    if count % 1000000 == 0:
        return f"{count // 1000000}M"
    if count % 1000 == 0:
        return f"{count // 1000}k"
    return str(count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=parse_size, required=True, help="e.g. 10k, 100k, 1M")
    parser.add_argument("-o", "--out", type=Path, required=True, help="listing file to write")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-jsonl", action="store_true", help="skip the JSON-lines twin")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    size, json_size = write(args.papers, args.out, seed=args.seed, jsonl=not args.no_jsonl)
    print(f"{args.papers} papers: {args.out} ({size / 1e6:.1f} MB)"
          + (f", {jsonl_path(args.out)} ({json_size / 1e6:.1f} MB)" if json_size else "")
          + f" in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
