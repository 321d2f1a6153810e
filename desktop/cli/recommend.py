"""For you on the command line: the Inbox (or a tag's suggestions) ranked, with why."""

from __future__ import annotations

import argparse
import sys

from desktop.cli.common import PROG, positive, print_json, text
from desktop.cli.registry import arg, command
from storage import Library


@command("recommend", "the Inbox ranked by what you kept, each paper with why",
         arg("--tag", type=text, help="unread papers like the ones tagged TAG"),
         arg("--limit", type=positive, default=20, help="at most N papers (20)"),
         arg("--json", action="store_true",
             help="print a JSON array of papers, each with score and why"))
def recommend(lib: Library, args: argparse.Namespace) -> int:
    ranking = lib.recommend(tag=args.tag, limit=args.limit)
    # The model's own account (or that it is too early to learn) goes to stderr:
    # stdout stays the list alone, as with `winnow list`.
    print(f"{PROG}: {ranking.message}", file=sys.stderr)
    papers = lib.get_many(ranking.ids)
    scores = dict(zip(ranking.ids, ranking.scores, strict=True))
    rows = []
    for paper in papers:
        why = None if ranking.cold else lib.why_recommended(paper.id, args.tag)
        said = why.text() if why is not None else ranking.message
        rows.append((paper, scores[paper.id], said, why))
    if args.json:
        out = []
        for paper, score, said, why in rows:
            item = paper.to_json()
            item["score"] = round(float(score), 4)
            item["why"] = said
            if why is not None:
                item["why_terms"] = why.terms
                item["why_like"] = [{"id": i, "title": t, "reason": r} for i, t, r in why.like]
            out.append(item)
        print_json(out)
        return 0
    for paper, score, said, _ in rows:
        shown = f"{score:.2f}" if not ranking.cold else "  - "
        print(f"{paper.id:>6} {shown} {' '.join(paper.title.split())}")
        if not ranking.cold:
            print(f"       {said}")
    return 0
