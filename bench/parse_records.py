"""Do two versions of the parsers read the same records? A check for speed work.

    .venv/bin/python -m bench.parse_records snapshot OUT.pickle [--real DIR] [--tree DIR]
    .venv/bin/python -m bench.parse_records compare BEFORE.pickle AFTER.pickle

``snapshot`` reads, with the parsers of this tree (or of the checkout ``--tree`` names:
``git worktree add /tmp/old COMMIT``), every page fixture (tests/fixtures/forms/), the
seeds, each real copy in ``--real DIR`` (kept out of the repository), 40 random cuts of
each at its end and 40 at its start (a selection begun mid-page; fixed seeds), each under
a user's line ("HF daily papers ...", "My reading list"), and bench.parse_forms' pages at
500 papers; it keeps each text's form, records, warnings and dates, or its refusal.
``compare`` lists the texts whose outcome differs. The texts are this tree's files; bench
pages are rendered by the parsed tree's fixture writer. Snapshots are pickles: compare
only your own.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CUTS = 40
LINES = ("HF daily papers 2026-11-30", "My reading list")


def texts(real: Path | None) -> dict[str, str]:
    """Every text the check reads, by a name that says what it is."""
    files = [p for p in sorted((ROOT / "tests" / "fixtures" / "forms").rglob("*"))
             if p.is_file() and p.suffix in (".md", ".txt", ".html", ".json")]
    files += sorted((ROOT / "seeds").glob("*.txt"))
    if real is not None:
        files += sorted(p for p in real.iterdir() if p.is_file())
    found: dict[str, str] = {}
    rng = random.Random(6)
    starts = random.Random(44)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        name = str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        found[name] = text
        for _ in range(CUTS):
            cut = rng.randrange(1, len(text))
            found[f"{name} cut at {cut}"] = text[:cut]
        for _ in range(CUTS):
            cut = starts.randrange(1, len(text))
            found[f"{name} from {cut}"] = text[cut:]
        for line in LINES:
            found[f"{name} under {line!r}"] = f"{line}\n\n{text}"
    from bench.parse_forms import FORMS, papers

    listed = papers(500)
    for label, render in FORMS.items():
        found[f"bench: {label}"] = render(listed)
    return found


def outcome(text: str) -> tuple[Any, ...]:
    from storage.listing import parse_listing
    from storage.records import ListingError

    try:
        listing = parse_listing(text, name="x", reference=date(2026, 11, 30))
    except ListingError as refused:
        return ("refused", str(refused))
    return (listing.form, listing.records, listing.warnings, listing.listing_date,
            listing.capture_date)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("out", type=Path)
    snap.add_argument("--real", type=Path)
    snap.add_argument("--tree", type=Path, help="read with this checkout's parsers")
    comp = sub.add_parser("compare")
    comp.add_argument("before", type=Path)
    comp.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "snapshot":
        if args.tree is not None:
            # Before anything imports storage: the parsers come from that checkout.
            sys.path.insert(0, str(args.tree.resolve()))
        found = {name: outcome(text) for name, text in texts(args.real).items()}
        args.out.write_bytes(pickle.dumps(found))
        print(f"{len(found)} texts read")
        return 0
    before = pickle.loads(args.before.read_bytes())
    after = pickle.loads(args.after.read_bytes())
    differ = sorted(name for name in before.keys() | after.keys()
                    if before.get(name) != after.get(name))
    for name in differ:
        old, new = before.get(name), after.get(name)
        print(f"{name}: {_said(old)} -> {_said(new)}")
    print(f"{len(before)} / {len(after)} texts, {len(differ)} differ")
    return 1 if differ else 0


def _said(found: tuple[Any, ...] | None) -> str:
    if found is None:
        return "not read"
    if found[0] == "refused":
        return f"refused ({found[1]})"
    return f"{found[0]}, {len(found[1])} records, {len(found[2])} warnings"


if __name__ == "__main__":
    sys.exit(main())
