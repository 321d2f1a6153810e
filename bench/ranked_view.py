"""What a ranked view (For you, Suggested for #tag) costs the GUI thread at each load,
before and after the paper list put only its head in order.

    .venv/bin/python -m bench.ranked_view --papers 800000 --rounds 15

The app's worker scores every paper before it hands a model over, so what is left on
the GUI thread is the order itself: `storage.learn.best_first` over the Inbox's scores
and the ids as a Python list. Before: every id put in order (`limit=None`, a full
stable sort) and listed. After: the first `PaperTableModel.HEAD` (1,000), then a page
more or twice as many as rows past them are asked for; the figure beside it is a
scroll to the end (every step the model takes). Both are timed in the same run,
interleaved, on the same scores (float32 with ties, as model scores have). The
search that finds the Inbox's ids (limit=None) is the same in both and not included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from desktop.model import PaperTableModel
from storage.learn import best_first


def _ms(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=800_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    rng = np.random.default_rng(5)
    # Rounded like the model's float32 scores of short texts: many ties.
    scores = np.round(rng.normal(0, 1, args.papers), 3).astype(np.float32)
    ids = np.arange(1, args.papers + 1)
    head, page = PaperTableModel.HEAD, PaperTableModel.PAGE

    def full() -> None:
        ids[best_first(scores, None)].tolist()

    def first() -> None:
        ids[best_first(scores, head)].tolist()

    def to_the_end() -> None:
        have = head
        while have < args.papers:
            have = min(args.papers, max(have + 1 + page, 2 * have))
            ids[best_first(scores, have)].tolist()

    assert ids[best_first(scores, head)].tolist() == ids[best_first(scores, None)][:head].tolist()
    before, after, end = [], [], []
    load = os.getloadavg()
    for _ in range(args.rounds):
        before.append(_ms(full))
        after.append(_ms(first))
        end.append(_ms(to_the_end))
    print(f"{args.papers:,} Inbox papers, {args.rounds} rounds interleaved, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start, "
          f"{os.getloadavg()[0]:.2f} at end")
    print(f"  every id in order (before): p50 {statistics.median(before):.1f} ms, "
          f"max {max(before):.1f} ms")
    print(f"  the first {head:,} (after, each load): p50 {statistics.median(after):.1f} ms, "
          f"max {max(after):.1f} ms  ({statistics.median(after) / statistics.median(before):.3f}x)")
    print(f"  scrolling to the end (after, all steps): p50 {statistics.median(end):.1f} ms")


if __name__ == "__main__":
    main()
