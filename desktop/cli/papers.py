"""Finding and reading papers: list, show, similar."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.common import (
    CommandError,
    paper_id,
    positive,
    print_json,
    print_papers,
    require,
    text,
)
from desktop.cli.registry import arg, command
from storage import Library, Paper
from storage.export import meta_line, state_text
from storage.search import SearchResult


@command("list", "list papers matching a query",
         arg("query", nargs="*", type=text, help="query (see README: Query language)"),
         arg("--limit", type=positive, default=50, help="at most N papers (50)"),
         arg("--sort", choices=("relevance", "date", "upvotes", "added", "title")),
         arg("--json", action="store_true", help="print a JSON array of papers"),
         arg("--explain", action="store_true",
             help="print how the query was understood and the SQL it ran"))
def list_(lib: Library, args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    if args.explain:
        print(lib.explain(query))
    result = lib.search(query, limit=args.limit, sort=args.sort)
    if result.error is not None:
        raise CommandError(f"search failed: {result.error}")
    # One status line, always, on stderr (stdout stays the list alone), and
    # without the "winnow:" that marks an error.
    print(status_line(lib, query, args.sort, result), file=sys.stderr)
    papers = lib.get_many(result.ids)
    if args.json:
        print_json([p.to_json() for p in papers])
    else:
        print_papers(papers)
    return 0


def status_line(lib: Library, query: str, sort: str | None, result: SearchResult) -> str:
    """How many papers match and how many are listed, then what the search has to
    say (corrections, "12 have all words · 30 more have some")."""
    recounted = result.total is None
    total = result.total if result.total is not None else lib.count(query, sort=sort)
    message = result.message_with_total(total) if recounted else result.message
    shown = len(result.ids)
    noun = "paper" if total == 1 else "papers"
    counted = f"{total:,} {noun}" if shown >= total else \
        f"{total:,} {noun}, the first {shown:,} listed"
    if total == 0:
        # An empty list under a bare "0 papers" read as if the command had failed.
        counted = f'No papers match "{query}"' if query.strip() else \
            "No papers in this library yet: import listings with `winnow import FILE...`"
    return " · ".join(part for part in (counted, message) if part)


def _print_paper(paper: Paper) -> None:
    print(" ".join(paper.title.split()))
    print(meta_line(paper))
    state = [state_text(paper)] + (["starred"] if paper.starred else [])
    print(f"id {paper.id} · {' · '.join(state)}" +
          (f" · tags: {', '.join(paper.tags)}" if paper.tags else ""))
    for line in _card_lines(paper):
        print(line)
    print()
    print(paper.abstract)
    if paper.annotations:
        print("\nAnnotations:")
        for a in paper.annotations:
            comment = f" — {a.comment}" if a.comment else ""
            where = " (AI summary)" if a.field == "ai_summary" else ""
            if a.orphaned:  # its text changed; the one it was made on is printed below
                where = f" (no longer in the {'AI summary' if where else 'abstract'})"
            print(f"  [{a.id}] ({a.colour}){where} \"{a.quote}\"{comment}")
    if paper.note:
        print("\nNote:\n" + paper.note)


def _card_lines(paper: Paper) -> list[str]:
    """The card facts a listing's form carried (arXiv id, links, AI summary...)."""
    lines = []
    if paper.arxiv_id or paper.page_url:
        lines.append(" · ".join(x for x in (f"arXiv {paper.arxiv_id}" if paper.arxiv_id
                                            else "", paper.page_url or "") if x))
    if paper.authors:
        lines.append("Authors: " + ", ".join(paper.authors))
    who = [f"Submitted by {paper.submitted_by}"] if paper.submitted_by else []
    if paper.comments is not None:
        who.append(f"{paper.comments} comment{'s' if paper.comments != 1 else ''}")
    if who:
        lines.append(" · ".join(who))
    if paper.ai_summary:
        lines.append("AI summary: " + paper.ai_summary)
    if paper.ai_keywords:
        lines.append("Keywords: " + ", ".join(paper.ai_keywords))
    links = []
    if paper.github_repo:
        stars = f" ({paper.github_stars:,} stars)" if paper.github_stars is not None else ""
        links.append(f"GitHub: {paper.github_repo}{stars}")
    if paper.project_page:
        links.append(f"Project page: {paper.project_page}")
    if links:
        lines.append(" · ".join(links))
    return lines


@command("show", "show one paper", arg("id", type=paper_id), arg("--json", action="store_true"))
def show(lib: Library, args: argparse.Namespace) -> int:
    paper = require(lib, args.id)
    if args.json:
        print_json(paper.to_json())
    else:
        _print_paper(paper)
        # The texts an import replaced, which a highlight may have been made on.
        for what, history, column in (
                ("abstract", lib.abstract_history(paper.id), "abstract"),
                ("AI summary", lib.summary_history(paper.id), "ai_summary")):
            for old in history:
                if not old[column]:
                    continue  # a card that had none (a trending card given its abstract)
                print(f"\nEarlier {what} (replaced by import {old['source_id']}, "
                      f"{old['replaced_at'][:10]}):\n{old[column]}")
    return 0


@command("similar", "papers most like a paper (its distinctive words)",
         arg("id", type=paper_id),
         arg("--limit", type=positive, default=10, help="at most N papers (10)"),
         arg("--json", action="store_true", help="print a JSON array of papers"))
def similar(lib: Library, args: argparse.Namespace) -> int:
    papers = lib.get_many(lib.similar(args.id, args.limit))
    if args.json:
        print_json([p.to_json() for p in papers])
    else:
        print_papers(papers)
    return 0
