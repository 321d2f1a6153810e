"""Parsing speed per form of the Daily Papers page, in papers per second.

    .venv/bin/python -m bench.parse_forms [--papers 20000] [--repeat 3]

Each form's page is rendered by the fixture writer (tests/fixtures/forms/make_forms.py) from
the fixture catalogue, repeated with numbered titles and ids until it holds --papers cards,
written to a temporary file and read back through `open_listing` (decode, detect, parse:
what an import does before it touches the database). The seeds' older layout, parsed the
same way in the same run, is the baseline each form is compared with. The bar from issue
11: above 50k papers/s for today's text and Markdown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from storage.listing import open_listing
from tests.fixtures.forms import make_forms as mf
from tests.fixtures.forms.catalogue import PAPERS, Paper


def papers(n: int) -> list[Paper]:
    out = []
    for k in range(n):
        p = PAPERS[k % len(PAPERS)]
        out.append(replace(p, arxiv_id=f"26{k // 99999 % 90 + 10:02d}.{k % 99999 + 1:05d}",
                           title=f"{p.title} (part {k})"))
    return out


def seeds_layout(ps: list[Paper]) -> str:
    blocks = ["new", "Subscribe", "Daily Papers", "Dec 9"]
    for p in ps:
        meta = p.organization or f"  • {len(p.authors)} authors"
        blocks.append(f"{p.title}\n\n{p.abstract}\n\n{meta}\n·\n{mf.shown_date(p.date)} "
                      f"{p.upvotes}")
    return "\n\n".join(blocks) + "\n"


FORMS: dict[str, Callable[[list[Paper]], str]] = {
    "seeds (baseline)": seeds_layout,
    "text": mf.text_daily,
    "markdown (scraper)": mf.md_firecrawl,
    "markdown (reference links)": mf.md_reference_links,
    "markdown (clipper, date page)": mf.md_clipper,
    "markdown (trending, cards twice)": mf.md_trending,
    # The same page as a clipper's extractor writes it (the real copies' shape).
    "markdown (trending, clipper's shape)": mf.md_trending_clipped,
    # Trending papers are papers with code: every card of the real copies links its repo.
    "markdown (trending extraction, cards twice)": lambda ps: mf.md_trending_extraction(
        [p for p in ps if p.github_repo]),
    "text-urls": mf.text_urls,
    "html": mf.html_daily,
    "html (with data-props JSON)": mf.html_daily_props,
    "api": mf.api_week,
}


def measure(path: Path, repeat: int) -> tuple[float, float, int, str]:
    """Median wall-clock and CPU seconds of reading the file: on a shared machine the CPU
    time is what the parser costs, the wall-clock time what a user would wait."""
    walls, cpus = [], []
    count = 0
    form = ""
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        with open_listing(path) as stream:
            count = sum(1 for _ in stream)
            form = stream.form
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), count, form


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ps = papers(args.papers)
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs, "
          f"{args.papers:,} papers per form, median of {args.repeat}")
    print("| form | detected as | papers | MB | papers/s | vs seeds | papers/CPU-s | vs seeds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    base = base_cpu = None
    with tempfile.TemporaryDirectory() as tmp:
        for label, render in FORMS.items():
            path = Path(tmp) / "page"
            path.write_text(render(ps), encoding="utf-8")
            seconds, cpu, count, form = measure(path, args.repeat)
            rate, cpu_rate = count / seconds, count / cpu
            base, base_cpu = base or rate, base_cpu or cpu_rate
            print(f"| {label} | {form} | {count:,} | {path.stat().st_size / 1e6:.1f} | "
                  f"{rate:,.0f} | {rate / base:.2f} | {cpu_rate:,.0f} | "
                  f"{cpu_rate / base_cpu:.2f} |")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
