"""One measurement per process, so that its peak memory is its own.

    python -m bench.workers KIND ARGS...   -> one JSON object on stdout

`bench.run` starts these and reads each child's peak RSS with `os.wait4`.
Only the public API is used: `Library`, `storage.listing.open_listing`.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path


def _emit(result: dict) -> None:
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def import_library(listing: str, db: str) -> dict:
    """Parse + dedupe + store + index, the way the app and `winnow import` do it."""
    from storage import Library

    lib = Library(db)
    started, cpu = time.perf_counter(), time.process_time()
    report = lib.import_files([listing])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    papers = lib.stats()["total"]
    lib.close()
    errors = [f.error for f in report.files if f.error]
    return {"seconds": seconds, "cpu": cpu, "papers": papers, "errors": errors}


def fts_config(out: str) -> dict:
    """The library's own full-text index, as a fresh library declares and configures it
    (the statement, its columns, its config rows such as automerge), written to `out`
    for the like-for-like floor. Read from the library, so it follows any change."""
    import tempfile

    from storage import Library

    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Path(tmp) / "probe.db")
        conn = lib.conn
        declaration = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'papers_fts'").fetchone()[0]
        columns = [row[1] for row in conn.execute("PRAGMA table_info(papers_fts)")]
        config = [list(row) for row in conn.execute(
            "SELECT k, v FROM papers_fts_config WHERE k != 'version'")]
        lib.close()
    result = {"declaration": declaration, "columns": columns, "config": config}
    Path(out).write_text(json.dumps(result))
    return result


def parse_only(listing: str) -> dict:
    """The parser alone: the share of the import that is not SQLite."""
    from storage.listing import open_listing

    started = time.perf_counter()
    papers = sum(1 for _ in open_listing(listing))
    return {"seconds": time.perf_counter() - started, "papers": papers}


FLOOR_TABLE = """
CREATE TABLE papers (
    id INTEGER PRIMARY KEY, title TEXT, abstract TEXT, authors_count INTEGER,
    organization TEXT, published TEXT, published_raw TEXT, upvotes INTEGER"""
FLOOR_SCHEMA = FLOOR_TABLE + """);
CREATE VIRTUAL TABLE papers_fts USING fts5(
    title, abstract, content='papers', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2');
"""


def import_floor(listing: str, db: str, fts: str = "") -> dict:
    """The raw floor: the same parser's records, executemany into one plain table plus an
    FTS5 external-content index filled by direct INSERT, all in one transaction. Same
    journal settings as the Library (WAL, synchronous=NORMAL). No dedupe, no provenance,
    no secondary indexes.

    Without `fts`, the index is FTS5 with its defaults over title and abstract (the
    library's tokenizer, automerge 4). With `fts` (a file `fts_config` wrote), it is the
    library's own index: the same declaration (columns, tokenizer, external content)
    and the same configuration (automerge 16): the like-for-like floor."""
    from storage.listing import open_listing

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    columns = ["title", "abstract"]
    if fts:
        spec = json.loads(Path(fts).read_text(encoding="utf-8"))
        columns = spec["columns"]
        extra = "".join(f", {c} TEXT NOT NULL DEFAULT ''" for c in columns
                        if c not in ("title", "abstract"))
        conn.execute(f"{FLOOR_TABLE}{extra})")
        conn.execute(spec["declaration"])
        for key, value in spec["config"]:
            conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES (?, ?)", (key, value))
    else:
        conn.executescript(FLOOR_SCHEMA)
    fts_insert = (f"INSERT INTO papers_fts (rowid, {', '.join(columns)}) VALUES (?, ?, ?"
                  + ", ''" * (len(columns) - 2) + ")")
    started, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN")
    batch: list[tuple] = []
    next_id = 1

    def flush() -> None:
        conn.executemany("INSERT INTO papers (id, title, abstract, authors_count, "
                         "organization, published, published_raw, upvotes) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
        conn.executemany(fts_insert, ((row[0], row[1], row[2]) for row in batch))
        batch.clear()

    for record in open_listing(listing):
        batch.append((next_id, record.title, record.abstract, record.authors_count,
                       record.organization, record.published, record.published_raw,
                       record.upvotes))
        next_id += 1
        if len(batch) >= 2000:
            flush()
    flush()
    conn.execute("COMMIT")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    return {"seconds": seconds, "cpu": cpu, "papers": next_id - 1}


# The fixed query mix: 40 queries in six kinds. `raw` is the FTS5 MATCH string a plain
# SQLite user would run for the same words (every token quoted, as the Library does).
QUERIES: list[tuple[str, str]] = [
    # plain words
    ("plain", "diffusion"), ("plain", "language models"), ("plain", "reinforcement learning"),
    ("plain", "graph neural"), ("plain", "quantization"), ("plain", "attention"),
    ("plain", "kolmogorov arnold"), ("plain", "speculative decoding"), ("plain", "transformer"),
    ("plain", "benchmark"), ("plain", "convergence regret bounds"), ("plain", "gezibeba"),
    # prefixes, as typed: the last word is unfinished
    ("prefix", "quantiz"), ("prefix", "reinforcement lear"), ("prefix", "multimod"),
    ("prefix", "kolmo"), ("prefix", "distill"),
    # phrases
    ("phrase", '"large language models"'), ("phrase", '"mixture of experts"'),
    ("phrase", '"diffusion models"'), ("phrase", '"reinforcement learning"'),
    ("phrase", '"state of the art"'),
    # field terms
    ("field", "title:diffusion"), ("field", "abstract:lora"), ("field", "title:kan"),
    ("field", "title:transformer abstract:attention"), ("field", 'abstract:"language model"'),
    # filters
    ("filter", "is:unread"), ("filter", "year:>=2023"), ("filter", "upvotes:>5"),
    ("filter", "tag:rl"), ("filter", "is:unread diffusion"), ("filter", "year:>=2023 tag:rl"),
    # typos
    ("typo", "kolmogorv"), ("typo", "speculativ decodng"), ("typo", "transfomer"),
    ("typo", "difusion"), ("typo", "reinforcment learning"), ("typo", "quantizaton"),
    ("typo", "langauge modles"),
]
assert len(QUERIES) == 40


def _raw_match(words: str) -> str:
    return " ".join('"' + w.replace('"', '""') + '"' for w in words.split())


def prepare(db: str) -> dict:
    """Give the library the user state the filters look at: 20% read, 1% starred,
    2% tagged `rl`, 1% tagged `toread` (fixed ids, through the Library API)."""
    from storage import Library

    lib = Library(db)
    total = lib.stats()["total"]
    started = time.perf_counter()
    if lib.stats()["read"] == 0:
        ids = range(1, total + 1)
        lib.set_read([i for i in ids if i % 5 == 0])
        lib.set_starred([i for i in ids if i % 100 == 7])
        lib.add_tags([i for i in ids if i % 50 == 3], ["rl"])
        lib.add_tags([i for i in ids if i % 100 == 11], ["toread"])
    seconds = time.perf_counter() - started
    stats = lib.stats()
    lib.close()
    return {"seconds": seconds, "stats": stats}


def search(db: str, repeat: str = "5") -> dict:
    """Library.search(query, limit=50) over the mix after a warm-up, interleaved rounds;
    raw FTS5 bm25 for the plain-word queries on its own connection to the same file."""
    from storage import Library

    rounds = int(repeat)
    lib = Library(db, check=False)
    raw = sqlite3.connect(db)
    raw_sql = ("SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? "
               "ORDER BY bm25(papers_fts) LIMIT 50")
    info: dict[str, dict] = {}
    # The unfinished prefixes are what the app's live search runs while typing;
    # everything else is searched as whole words, as the command line and Enter do.
    for kind, query in QUERIES:  # warm-up: caches, vocabulary, page cache
        result = lib.search(query, limit=50, typing=kind == "prefix")
        info[query] = {"kind": kind, "hits": len(result.ids),
                       "corrections": [list(c) for c in result.corrections],
                       "message": result.message}
        if kind == "plain":
            raw.execute(raw_sql, (_raw_match(query),)).fetchall()
    times: dict[str, list[float]] = {q: [] for _, q in QUERIES}
    raw_times: dict[str, list[float]] = {q: [] for k, q in QUERIES if k == "plain"}
    clock = time.perf_counter
    for _ in range(rounds):
        for kind, query in QUERIES:
            started = clock()
            lib.search(query, limit=50, typing=kind == "prefix")
            times[query].append((clock() - started) * 1000)
            if kind == "plain":
                match = _raw_match(query)
                started = clock()
                raw.execute(raw_sql, (match,)).fetchall()
                raw_times[query].append((clock() - started) * 1000)
    # What the paper list asks for: every matching id (one round: big results at 1M).
    all_ids: dict[str, float] = {}
    for kind, query in QUERIES:
        started = clock()
        count = len(lib.search(query, limit=None, typing=kind == "prefix").ids)
        all_ids[query] = (clock() - started) * 1000
        info[query]["all"] = count
    tiers = _tier_times(lib, rounds)
    lib.close()
    raw.close()
    return {"queries": info, "ms": times, "raw_ms": raw_times, "all_ids_ms": all_ids,
            "tier_ms": tiers}


def _tier_times(lib, rounds: int) -> dict[str, dict[str, list[float]]]:
    """Each tier of the plain queries of several words, timed apart with the same
    page size: the papers with all the words, then the next tier (some words)."""
    engine = lib._search
    clock = time.perf_counter
    tiers: dict[str, dict[str, list[float]]] = {}
    for kind, query in QUERIES:
        plan = engine.plan(query)
        stages = engine.stages(plan)
        if kind != "plain" or not stages:
            continue
        tiers[query] = {"all": [], "some": []}
        for warm in range(rounds + 1):
            started = clock()
            engine.ranker.tier(plan.compiled, 50, 0)
            all_ms = (clock() - started) * 1000
            started = clock()
            engine.ranker.tier(stages[0], 50, 0)
            some_ms = (clock() - started) * 1000
            if warm:  # the first pass warms the caches
                tiers[query]["all"].append(all_ms)
                tiers[query]["some"].append(some_ms)
    return tiers


def fuzzy(db: str, titles: str = "5", chars: str = "40") -> dict:
    """Type a few titles of the library char by char into Library.fuzzy_titles(text, 20);
    the first call (which may build a cache) is reported apart."""
    from storage import Library

    lib = Library(db, check=False)
    total = lib.stats()["total"]
    wanted = [1 + (total - 1) * (i + 1) // (int(titles) + 1) for i in range(int(titles))]
    chosen = [lib.get(i).title for i in wanted]
    clock = time.perf_counter
    started = clock()
    lib.fuzzy_titles("a", 20)
    first_ms = (clock() - started) * 1000
    times: list[float] = []
    found = 0
    for paper_id, title in zip(wanted, chosen, strict=True):
        hits: list = []
        for n in range(1, min(len(title), int(chars)) + 1):
            started = clock()
            hits = lib.fuzzy_titles(title[:n], 20)
            times.append((clock() - started) * 1000)
        found += any(hit[0] == paper_id for hit in hits)
    lib.close()
    return {"first_ms": first_ms, "ms": times, "titles": chosen, "found": found,
            "total": total}


def filters(db: str, repeat: str = "5") -> dict:
    """Filtered searches (bench.filter_probe: a rare or common filter with a rare
    or common word) as they are, with each match's row tested, and raw FTS5, after
    the marks the filters read beyond `prepare`'s (shortlisted, skipped, notes)."""
    from bench.filter_probe import mark, measure

    marks = mark(db)
    return {**measure(db, int(repeat)), "marks": marks["counts"]}


WORKERS = {
    "prepare": prepare,
    "search": search,
    "filters": filters,
    "fuzzy": fuzzy,
    "import-library": import_library,
    "parse-only": parse_only,
    "import-floor": import_floor,
    "fts-config": fts_config,
}


def main(argv: list[str]) -> int:
    kind, *args = argv
    _emit(WORKERS[kind](*args))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
