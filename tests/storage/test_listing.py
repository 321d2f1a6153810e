"""The listing parser against the five sample pages and the ways real files go wrong."""

from __future__ import annotations

import codecs
import hashlib
import itertools
import json
import random
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import listing
from storage.forms import HEAD_LINES
from storage.listing import (
    Listing,
    ListingError,
    PaperRecord,
    decode_listing,
    iter_listing,
    open_listing,
    parse_listing,
    read_listing,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# Fixed so yearless dates do not depend on the day the tests run or on the files' mtimes.
REF = date(2025, 12, 31)
EXPECTED_COUNTS = {"000": 22, "001": 221, "002": 63, "003": 57, "004": 70}
META_SEEDS = ("000", "002", "003")


def seed_path(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def seed_text(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


def parse_seed(prefix: str) -> Listing:
    path = seed_path(prefix)
    return parse_listing(
        decode_listing(path.read_bytes(), path.name), name=path.name, reference=REF
    )


def by_title(parsed: Listing, title: str) -> PaperRecord:
    (record,) = [r for r in parsed.records if r.title == title]
    return record


# ----------------------------------------------------------------------- the seeds


@pytest.mark.parametrize("prefix", sorted(EXPECTED_COUNTS))
def test_each_seed_gives_its_block_count_without_warnings(prefix: str) -> None:
    parsed = parse_seed(prefix)
    assert len(parsed.records) == EXPECTED_COUNTS[prefix]
    assert [r.position for r in parsed.records] == list(range(1, EXPECTED_COUNTS[prefix] + 1))
    assert parsed.warnings == []
    assert all(r.title and r.abstract for r in parsed.records)
    assert all(r.title == r.title.strip() and "\n" not in r.abstract for r in parsed.records)


def test_seeds_hold_415_distinct_titles_17_of_them_in_several_files() -> None:
    seen: dict[str, int] = {}
    for prefix in EXPECTED_COUNTS:
        titles = {r.title for r in parse_seed(prefix).records}
        assert len(titles) == EXPECTED_COUNTS[prefix]
        for title in titles:
            seen[title] = seen.get(title, 0) + 1
    assert len(seen) == 415
    assert sum(1 for n in seen.values() if n > 1) == 17


def test_seed_000_fields() -> None:
    parsed = parse_seed("000")
    assert (parsed.listing_date, parsed.listing_date_raw) == ("2025-12-09", "Dec 9")

    first = parsed.records[0]
    assert first.title.startswith("BadVLA: Towards Backdoor Attacks")
    assert first.abstract.startswith("Vision-Language-Action (VLA) models have advanced")
    assert first.position == 1
    assert first.authors_count == 6
    assert first.organization is None
    assert (first.published, first.published_raw) == ("2025-05-22", "May 22")
    assert first.year_inferred is True
    assert first.upvotes == 1

    written = by_title(parsed, "Automating the Enterprise with Foundation Models")
    assert (written.published, written.published_raw) == ("2024-05-03", "May 3, 2024")
    assert written.year_inferred is False
    assert written.upvotes == 1

    minimax = parsed.records[2]
    assert minimax.title.startswith("MiniMax-M1")
    assert minimax.authors_count == 127
    assert (minimax.published, minimax.published_raw, minimax.upvotes) == (
        "2025-06-16",
        "Jun 16",
        5,
    )

    coupling = by_title(parsed, "Minimum Entropy Coupling with Bottleneck")
    assert (coupling.published_raw, coupling.upvotes) == ("Oct 28, 2024", 2)

    nvidia = parsed.records[16]
    assert nvidia.title.startswith("Nemotron-Flash")
    assert nvidia.organization == "NVIDIA"
    assert nvidia.authors_count is None
    assert (nvidia.published, nvidia.year_inferred, nvidia.upvotes) == ("2025-11-24", True, 2)

    last = parsed.records[-1]
    assert last.title.startswith("Learning Rates as a Function of Batch Size")
    assert (last.published, last.published_raw, last.upvotes) == (
        "2020-06-16",
        "Jun 16, 2020",
        None,
    )


def test_seed_001_has_no_chrome_left_and_no_meta() -> None:
    parsed = parse_seed("001")
    assert parsed.listing_date is None and parsed.listing_date_raw is None
    first = parsed.records[0]
    assert first.title == "Near-Minimax-Optimal Risk-Sensitive Reinforcement Learning with CVaR"
    assert first.abstract.startswith("In this paper, we study risk-sensitive")
    assert parsed.records[1].title == "Nonparametric Density Estimation under Distribution Drift"
    assert all(r.published is None and r.authors_count is None for r in parsed.records)
    assert any(r.title.startswith("μLO: Compute-Efficient") for r in parsed.records)
    assert not any("Subscribe" in r.title or "inbox" in r.title for r in parsed.records)


def test_seed_002_organisation_singular_authors_and_blocks_without_meta() -> None:
    parsed = parse_seed("002")
    assert parsed.listing_date == "2025-11-20"
    oracle = by_title(parsed, "Is Oracle Pruning the True Oracle?")
    assert oracle.organization == "Westlake University"
    assert (oracle.authors_count, oracle.published, oracle.year_inferred) == (
        None,
        "2024-11-28",
        False,
    )
    agnostic = by_title(parsed, "Agnostic Reinforcement Learning: Foundations and Algorithms")
    assert (agnostic.authors_count, agnostic.published, agnostic.year_inferred) == (
        1,
        "2025-06-02",
        True,
    )
    safeflow = parsed.records[10]
    assert safeflow.title.startswith("SAFEFLOW: A Principled Protocol")
    assert safeflow.abstract.startswith("Recent advances in large language models")
    assert (safeflow.authors_count, safeflow.published, safeflow.upvotes) == (None, None, None)
    assert parsed.records[11].title.startswith("ToolBeHonest")
    assert parsed.records[11].authors_count == 13
    assert any(r.title.startswith("$i$REPO: $i$mplicit Reward") for r in parsed.records)


def test_seed_003_one_token_style_organisation() -> None:
    parsed = parse_seed("003")
    assert (parsed.listing_date, parsed.listing_date_raw) == ("2025-12-08", "Dec 8")
    weibo = parsed.records[3]
    assert weibo.title.startswith("Tiny Model, Big Logic")
    assert weibo.organization == "WeiboAI"
    assert (weibo.published, weibo.upvotes) == ("2025-11-08", 11)
    cosy = next(r for r in parsed.records if r.title.startswith("CosyVoice 3"))
    assert cosy.published is None and cosy.authors_count is None
    following = parsed.records[cosy.position]  # positions are 1-based
    assert following.title.startswith("Tissue Cross-Section and Pen Marking")
    assert following.authors_count == 3


def test_seed_004_blank_separated_without_meta() -> None:
    parsed = parse_seed("004")
    assert (parsed.listing_date, parsed.listing_date_raw) == ("2025-03-11", "Mar 11")
    assert parsed.records[0].title == "Activation Space Selectable Kolmogorov-Arnold Networks"
    assert all(r.published is None for r in parsed.records)


def test_read_listing_reads_yearless_dates_against_the_file_mtime(tmp_path: Path) -> None:
    path = tmp_path / "listing.txt"
    path.write_bytes(seed_path("000").read_bytes())
    stamp = 1_764_547_200  # 2025-12-01 00:00 UTC: noon-safe in any time zone below
    import os

    os.utime(path, (stamp + 12 * 3600, stamp + 12 * 3600))
    parsed = read_listing(path)
    assert parsed.name == "listing.txt"
    # "Dec 9" may not be after Dec 1 2025, so the page is from 2024, and so are its papers.
    assert parsed.listing_date == "2024-12-09"
    assert parsed.records[0].published == "2024-05-22"
    assert parsed.records[16].published == "2024-11-24"
    assert parsed.records[1].published == "2024-05-03"


# ------------------------------------------------------------------------- dates


def listing_of(*blocks: str, page: str | None = None) -> str:
    head = ["new", "Subscribe", *([page] if page else [])]
    return "\n\n".join(head + list(blocks)) + "\n"


def block(title: str, date_line: str, meta: str = "  • 3 authors") -> str:
    return f"{title}\n\nAn abstract of one sentence.\n\n{meta}\n·\n{date_line}"


def test_feb_29_takes_the_latest_leap_year_not_after_the_page_date() -> None:
    parsed = parse_listing(
        listing_of(block("Leap", "Feb 29"), page="Mar 1"), reference=date(2025, 6, 1)
    )
    assert parsed.listing_date == "2025-03-01"
    assert parsed.records[0].published == "2024-02-29"
    assert parsed.records[0].year_inferred is True

    parsed = parse_listing(
        listing_of(block("Same day", "Feb 29"), block("Later", "Mar 5"), page="Feb 29"),
        reference=date(2026, 1, 10),
    )
    assert parsed.listing_date == "2024-02-29"
    assert [r.published for r in parsed.records] == ["2024-02-29", "2023-03-05"]


def test_without_a_page_date_yearless_dates_use_the_reference() -> None:
    parsed = parse_listing(listing_of(block("No page", "Jun 16 5")), reference=date(2025, 3, 1))
    assert parsed.listing_date is None
    record = parsed.records[0]
    assert (record.published, record.published_raw, record.upvotes) == ("2024-06-16", "Jun 16", 5)
    assert record.year_inferred is True


def test_full_month_names_years_and_unreadable_dates() -> None:
    parsed = parse_listing(
        listing_of(block("Full", "September 3, 2024 12"), block("Bad", "Feb 30, 2024")),
        name="d.txt",
        reference=REF,
    )
    full, bad = parsed.records
    assert (full.published, full.published_raw, full.upvotes) == (
        "2024-09-03",
        "September 3, 2024",
        12,
    )
    assert (bad.published, bad.published_raw, bad.year_inferred) == (None, "Feb 30, 2024", False)
    assert any(w.startswith("d.txt: ") and "Feb 30, 2024" in w for w in parsed.warnings)


def test_single_token_organisation_and_singular_author() -> None:
    parsed = parse_listing(
        listing_of(
            block("Org", "Jun 2", meta="OpenAI"), block("Solo", "Jun 1, 2022", "• 1 author")
        ),
        reference=REF,
    )
    org, solo = parsed.records
    assert (org.organization, org.authors_count) == ("OpenAI", None)
    assert (solo.organization, solo.authors_count) == (None, 1)


# ------------------------------------------------------------------- structure


def test_a_short_one_sentence_abstract_is_still_the_abstract() -> None:
    dense = (
        "Daily Papers\n"
        "A Rather Long Title About Many Things That Goes On And On Without End\n"
        "Short.\n"
        "Tiny\n"
        "We study it.\n"
    )
    parsed = parse_listing(dense, reference=REF)
    assert [(r.title, r.abstract) for r in parsed.records] == [
        ("A Rather Long Title About Many Things That Goes On And On Without End", "Short."),
        ("Tiny", "We study it."),
    ]
    spaced = "A Long Title Indeed\n\nYes.\n\n  • 2 authors\n·\nJun 2\n\nNext\n\nNo.\n"
    parsed = parse_listing(spaced, reference=REF)
    assert [(r.title, r.abstract, r.authors_count) for r in parsed.records] == [
        ("A Long Title Indeed", "Yes.", 2),
        ("Next", "No.", None),
    ]


def test_subscribe_is_stripped_only_when_glued_to_a_title() -> None:
    glued = parse_listing("SubscribeReal Title\nIts abstract.\n", reference=REF)
    assert glued.records[0].title == "Real Title"
    # Behind chrome, as on a page: a bare two-line text is no longer taken for a listing.
    word = parse_listing("new\nSubscribers Matter\nIts abstract.\n", reference=REF)
    assert word.records[0].title == "Subscribers Matter"


def test_chrome_words_after_the_first_paper_are_text() -> None:
    parsed = parse_listing(
        "new\nFirst\nAbstract one.\nDaily Papers\nAbstract two.\n", reference=REF
    )
    assert [r.title for r in parsed.records] == ["First", "Daily Papers"]


def test_a_paper_without_abstract_before_its_meta_is_kept_with_a_warning() -> None:
    text = "T1\n\nA1\n\nT2\n\n  • 4 authors\n·\nMay 3, 2024\n\nT3\n\nA3\n"
    parsed = parse_listing(text, name="gap.txt", reference=REF)
    assert [(r.title, r.abstract, r.authors_count) for r in parsed.records] == [
        ("T1", "A1", None),
        ("T2", "", 4),
        ("T3", "A3", None),
    ]
    assert len(parsed.warnings) == 1 and '"T2"' in parsed.warnings[0]


def test_warnings_are_capped_for_garbage() -> None:
    text = "T\nA\n" + "·\n" * 500
    parsed = parse_listing(text, name="g.txt", reference=REF)
    assert len(parsed.records) == 1
    assert len(parsed.warnings) <= 101
    assert parsed.warnings[-1].startswith("g.txt: ") and "more warnings" in parsed.warnings[-1]


# ------------------------------------------------- generated variants of each seed

Variant = Callable[[str], tuple[bytes, str]]


def _bom_crlf(text: str) -> tuple[bytes, str]:
    return codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"), text


def _lone_cr(text: str) -> tuple[bytes, str]:
    return text.replace("\n", "\r").encode("utf-8"), text


def _tabs_and_trailing_spaces(text: str) -> tuple[bytes, str]:
    lines = text.split("\n")
    messy = [f"\t{line} \t  " if line else " \t" for line in lines]
    # Extra blank lines between everything must not change the structure either.
    return "\n\n".join(messy).encode("utf-8"), text


def _utf16(text: str) -> tuple[bytes, str]:
    return text.encode("utf-16"), text


def _cp1252(text: str) -> tuple[bytes, str]:
    # cp1252 has "•" and "·" but no Greek mu; the micro sign is what such a file would hold.
    # One more paper at the end carries the accents and the typographic quotes (and its
    # meta: without it, the last paper of a listing whose papers have one is a cut card).
    expected = (text.replace("μ", "µ")
                + "\nNaïve café — “quoted”\nAbstract with é.\n  • 2 authors\n·\nMay 3, 2024\n")
    return expected.encode("cp1252"), expected


def _decomposed(text: str) -> tuple[bytes, str]:
    # NFD input (as some macOS tools save it) comes out NFC.
    text = text.replace("Minimum Entropy", "Mínimum Entropy")
    return text.replace("í", "i\u0301").encode("utf-8"), text


VARIANTS: dict[str, Variant] = {
    "bom_crlf": _bom_crlf,
    "lone_cr": _lone_cr,
    "tabs_trailing": _tabs_and_trailing_spaces,
    "utf16": _utf16,
    "cp1252": _cp1252,
    "nfd": _decomposed,
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("prefix", sorted(EXPECTED_COUNTS))
def test_encoded_variants_parse_like_the_original(prefix: str, variant: str) -> None:
    data, expected_text = VARIANTS[variant](seed_text(prefix))
    expected = parse_listing(expected_text, reference=REF)
    got = parse_listing(decode_listing(data, "v.txt"), name="v.txt", reference=REF)
    assert got.records == expected.records
    assert got.listing_date == expected.listing_date
    assert got.warnings == []


def test_cp1252_text_keeps_its_accents(tmp_path: Path) -> None:
    data, _ = _cp1252(seed_text("002"))
    path = tmp_path / "latin.txt"
    path.write_bytes(data)
    titles = [r.title for r in read_listing(path).records]
    assert "Naïve café — “quoted”" in titles


def test_latin1_bytes_cp1252_cannot_map_fall_back_to_latin1() -> None:
    data = b"new\n" + "Caf\xe9 na\xefve\n".encode("latin-1") + b"Abstract \x81 with \xe9.\n"
    parsed = parse_listing(decode_listing(data, "l.txt"), reference=REF)
    assert parsed.records[0].title == "Café naïve"
    assert parsed.records[0].abstract == "Abstract \x81 with é."


def test_utf8_cut_mid_character_stays_utf8() -> None:
    data = "Café Title\nAbstract about naïve café".encode()[:-1]
    text = decode_listing(data, "cut.txt")
    assert text.startswith("Café Title\nAbstract about naïve caf")
    assert "Ã" not in text


@pytest.mark.parametrize("prefix", sorted(EXPECTED_COUNTS))
def test_file_cut_after_a_title_skips_that_paper_and_names_it(prefix: str) -> None:
    text = seed_text(prefix)
    full = parse_listing(text, reference=REF).records
    last_title = full[-1].title
    cut = text[: text.rindex(last_title) + len(last_title)]
    parsed = parse_listing(cut, name="cut.txt", reference=REF)
    assert parsed.records == full[:-1]
    (warning,) = parsed.warnings
    assert warning.startswith("cut.txt: last paper")
    assert last_title[:60] in warning
    assert "skipped" in warning and "\n" not in warning


@pytest.mark.parametrize("prefix", META_SEEDS)
def test_file_cut_inside_the_meta_block_keeps_the_paper(prefix: str) -> None:
    text = seed_text(prefix)
    full = parse_listing(text, reference=REF).records
    for cut in (text[: text.rindex("\n·\n")], text[: text.rindex("\n·\n") + 3]):
        parsed = parse_listing(cut, name="meta.txt", reference=REF)
        assert parsed.records[:-1] == full[:-1]
        last = parsed.records[-1]
        assert (last.title, last.abstract) == (full[-1].title, full[-1].abstract)
        assert last.published is None
        (warning,) = parsed.warnings
        assert warning.startswith("meta.txt: ") and full[-1].title[:60] in warning


def test_authors_line_cut_mid_word_is_metadata_not_a_title() -> None:
    parsed = parse_listing("T\n\nA\n\n  • 6 auth", name="m.txt", reference=REF)
    assert [(r.title, r.abstract) for r in parsed.records] == [("T", "A")]
    assert len(parsed.warnings) == 1


@pytest.mark.parametrize("prefix", sorted(EXPECTED_COUNTS))
def test_html_in_titles_and_abstracts_is_kept_verbatim(prefix: str) -> None:
    text = seed_text(prefix)
    first = parse_listing(text, reference=REF).records[0]
    title = "<b>Bold</b> claims <script>alert('x')</script> &amp; more"
    abstract = 'See <a href="javascript:x()">this</a> & <img src="/etc/passwd">.'
    text = text.replace(first.title, title, 1).replace(first.abstract, abstract, 1)
    got = parse_listing(text, reference=REF).records
    assert (got[0].title, got[0].abstract) == (title, abstract)
    assert len(got) == EXPECTED_COUNTS[prefix]


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x.txt: file is empty"),
        (b" \n\t\r\n  \n", "x.txt: file is empty"),
        (codecs.BOM_UTF8 + b"\r\n", "x.txt: file is empty"),
        (codecs.BOM_UTF16_LE, "x.txt: file is empty"),
        (b"Title\x00\nAbstract\n", "x.txt: not a text file (contains NUL bytes)"),
        (bytes(range(1, 32)) * 20, "x.txt: not a text file (binary data)"),
    ],
)
def test_decode_rejects_empty_and_binary_data(data: bytes, message: str) -> None:
    with pytest.raises(ListingError) as caught:
        decode_listing(data, "x.txt")
    assert str(caught.value) == message


def test_random_bytes_are_refused_naming_the_file(tmp_path: Path) -> None:
    blob = random.Random(7).randbytes(4096)
    path = tmp_path / "blob.bin"
    path.write_bytes(blob)
    for action in (lambda: decode_listing(blob, "blob.bin"), lambda: read_listing(path)):
        with pytest.raises(ListingError, match=r"^blob\.bin: not a text file"):
            action()
    with pytest.raises(ListingError, match=r"^blob\.bin: not a text file"):
        open_listing(path)


@pytest.mark.parametrize("content", [b"", b"\n \n", b"\x00\x01\x02binary"])
@pytest.mark.parametrize("opener", [read_listing, open_listing])
def test_files_that_are_empty_or_binary_fail_with_one_line(
    tmp_path: Path, content: bytes, opener: Callable[[Path], object]
) -> None:
    path = tmp_path / "bad file.txt"
    path.write_bytes(content)
    with pytest.raises(ListingError) as caught:
        opener(path)
    message = str(caught.value)
    assert message.startswith("bad file.txt: ") and "\n" not in message


@pytest.mark.parametrize("opener", [read_listing, open_listing])
def test_missing_files_and_directories_fail_with_one_line(
    tmp_path: Path, opener: Callable[[Path], object]
) -> None:
    with pytest.raises(ListingError, match=r"^nope\.txt: no such file$"):
        opener(tmp_path / "nope.txt")
    (tmp_path / "folder").mkdir()
    with pytest.raises(ListingError, match=r"^folder: is a directory"):
        opener(tmp_path / "folder")


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "new\n\nSubscribe\n\nDaily Papers\n\nDec 9\n", "new\n\nOnly a title that got cut"],
)
def test_nothing_parseable_is_an_error(text: str) -> None:
    with pytest.raises(ListingError, match=r"^clip: no papers found$"):
        parse_listing(text, name="clip", reference=REF)


@pytest.mark.parametrize("text", ["Only a title that got cut", "hello world\n", "x",
                                  "body{}\n", "hello\n\nworld\n"])
def test_a_line_or_two_of_text_is_no_listing(text: str, tmp_path: Path) -> None:
    # Attack N29: "hello world" was "no papers found", not the README's line.
    with pytest.raises(ListingError, match=r"^clip: no Daily Papers listing found in it$"):
        parse_listing(text, name="clip", reference=REF)
    path = tmp_path / "hello.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ListingError, match=r"^hello\.txt: no Daily Papers listing found in it$"):
        read_listing(path)


# -------------------------------------------------------------------- properties

LINE_PIECES = [
    "",
    "new",
    "Subscribe",
    "SubscribeX",
    "Dec 9",
    "Feb 29",
    "Feb 30, 2024",
    "Jun 16 5",
    "May 3, 0000",
    "Oct 28, 2024 999999999",
    "·",
    "•",
    "  • 6 authors",
    "• 1 author",
    "nvidia NVIDIA",
    "\t",
    "<b>x</b>",
    "A title",
    "An abstract.",
]
lines_strategy = st.lists(st.sampled_from(LINE_PIECES) | st.text(max_size=12), max_size=40)


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.text())
def test_parse_never_raises_anything_but_listing_error_on_any_text(text: str) -> None:
    try:
        parsed = parse_listing(text, name="h", reference=REF)
    except ListingError as exc:
        assert str(exc).startswith("h: ")
    else:
        assert parsed.records and all(r.position >= 1 for r in parsed.records)


@settings(
    max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    lines=lines_strategy,
    sep=st.sampled_from(["\n", "\r\n", "\r"]),
    reference=st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
)
def test_parse_survives_listing_shaped_noise(lines: list[str], sep: str, reference: date) -> None:
    try:
        parsed = parse_listing(sep.join(lines), name="h", reference=reference)
    except ListingError as exc:
        # Noise without chrome, card meta or card-shaped text is no listing at all.
        assert str(exc) in ("h: no papers found", "h: no Daily Papers listing found in it") \
            or str(exc).startswith("h: no Daily Papers listing found in it (")
    else:
        assert [r.position for r in parsed.records] == list(range(1, len(parsed.records) + 1))
        assert all("\n" not in w and w.startswith("h: ") for w in parsed.warnings)


@settings(max_examples=300, deadline=None, database=None)
@given(data=st.binary(max_size=300))
def test_decode_and_parse_any_bytes(data: bytes) -> None:
    try:
        parse_listing(decode_listing(data, "b"), name="b", reference=REF)
    except ListingError as exc:
        assert str(exc).startswith("b: ")


# --------------------------------------------------------------------- streaming


@pytest.mark.parametrize("prefix", sorted(EXPECTED_COUNTS))
def test_open_listing_streams_the_same_records_as_read_listing(prefix: str) -> None:
    whole = read_listing(seed_path(prefix))
    with open_listing(seed_path(prefix)) as stream:
        # The page date is known before the first record is asked for.
        assert (stream.listing_date, stream.listing_date_raw) == (
            whole.listing_date,
            whole.listing_date_raw,
        )
        assert list(stream) == whole.records
        assert stream.warnings == whole.warnings == []


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_streaming_is_independent_of_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str, chunk: int
) -> None:
    data, _ = VARIANTS[variant](seed_text("000"))
    path = tmp_path / f"{variant}.txt"
    path.write_bytes(data)
    whole = read_listing(path)
    monkeypatch.setattr(listing, "_CHUNK", chunk)
    with open_listing(path) as stream:
        assert list(stream) == whole.records
    assert len(whole.records) == EXPECTED_COUNTS["000"] + (variant == "cp1252")


def _big_listing(papers: int) -> str:
    blocks = [f"Paper number {i}: naïve café\n\nAbstract {i} " + "x" * 1400 for i in range(papers)]
    return "Dec 9\n\n" + "\n\n".join(blocks) + "\n"


def test_bad_byte_late_in_a_big_file_fails_before_any_record(tmp_path: Path) -> None:
    body = _big_listing(3000).encode("utf-8")
    assert len(body) > 3 * (1 << 20)
    path = tmp_path / "big.txt"
    path.write_bytes(body[: len(body) - 500] + b"\x00" + body[len(body) - 500 :])
    with pytest.raises(ListingError, match=r"^big\.txt: not a text file \(contains NUL bytes\)$"):
        open_listing(path)


def test_a_bad_byte_late_in_a_utf8_file_is_a_replacement_in_its_line_only(
    tmp_path: Path,
) -> None:
    # One bad byte used to switch the whole file to cp1252: every "é" became "Ã©" and the
    # titles no longer matched the same papers imported before.
    body = _big_listing(3000).encode("utf-8")
    path = tmp_path / "mixed.txt"
    path.write_bytes(body[:-100] + b"\xe9" + body[-100:])
    whole = read_listing(path)
    with open_listing(path) as stream:
        assert list(stream) == whole.records
        assert stream.warnings == whole.warnings
    assert len(whole.records) == 3000
    assert whole.records[0].title == "Paper number 0: naïve café"
    assert "\ufffd" in whole.records[-1].abstract
    assert not any("Ã" in r.title for r in whole.records)
    (warning,) = whole.warnings
    bad_line = body[:-100].count(b"\n") + 1
    assert warning == f"mixed.txt: line {bad_line}: bytes that are not UTF-8, shown as \ufffd"


def test_a_file_that_is_not_utf8_at_all_is_cp1252(tmp_path: Path) -> None:
    data = "new\n\nCafé naïve — “quoted”\n\nAbstract with é.\n".encode("cp1252")
    path = tmp_path / "latin.txt"
    path.write_bytes(data)
    parsed = read_listing(path)
    assert parsed.records[0].title == "Café naïve — “quoted”"
    assert parsed.warnings == []


def test_iter_listing_is_lazy_and_holds_no_records() -> None:
    consumed = 0

    def endless() -> object:
        nonlocal consumed
        for line in itertools.chain(["new", "", "Dec 9", ""], itertools.cycle(["T", "A", ""])):
            consumed += 1
            yield line

    stream = iter_listing(endless(), name="endless", reference=REF)  # type: ignore[arg-type]
    assert stream.listing_date == "2025-12-09"
    # The detector looks ahead a bounded number of lines to pick the form, no further.
    assert consumed <= HEAD_LINES + 1
    first_three = list(itertools.islice(stream, 3))
    assert [r.position for r in first_three] == [1, 2, 3]
    assert consumed <= HEAD_LINES + 1
    list(itertools.islice(stream, 1000))
    assert consumed < HEAD_LINES + 3100


def test_a_stream_closed_early_releases_its_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(_big_listing(50), encoding="utf-8")
    stream = open_listing(path)
    assert next(stream).title == "Paper number 0: naïve café"
    stream.close()
    assert list(stream) == []


def test_an_empty_stream_raises_at_the_end() -> None:
    stream = iter_listing(["new", "Subscribe", "Dec 9"], name="s", reference=REF)
    assert stream.listing_date == "2025-12-09"
    with pytest.raises(ListingError, match=r"^s: no papers found$"):
        list(stream)


def test_the_parser_imports_no_qt() -> None:
    code = "import sys, storage.listing; print(any(m.startswith('PySide') for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "False"


def test_open_listing_hashes_the_file_on_its_validating_pass(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    data = b"\xef\xbb\xbfDec 9\r\n\r\nA title\r\n\r\nAn abstract.\r\n"
    path.write_bytes(data)
    with open_listing(path) as stream:
        assert stream.sha256 == hashlib.sha256(data).hexdigest()
    assert parse_listing("Dec 9\nA title\nAn abstract.\n").records  # text needs no hash


def test_seed_records_say_where_each_date_got_its_year_and_carry_no_newer_facts() -> None:
    parsed = parse_seed("000")
    assert (parsed.form, parsed.capture_date) == ("seeds", None)
    first = parsed.records[0]
    assert (first.published, first.date_source) == ("2025-05-22", "listing")
    written = by_title(parsed, "Automating the Enterprise with Foundation Models")
    assert written.date_source == "card"
    assert (first.arxiv_id, first.url, first.comments, first.authors) == (None, None, None, ())
    undated = parse_seed("004").records[0]
    assert (undated.published, undated.date_source) == (None, None)
    no_page = parse_listing(listing_of(block("No page", "Jun 16 5")), reference=REF)
    assert no_page.records[0].date_source == "file"
    with open_listing(seed_path("000")) as stream:
        assert (stream.form, stream.capture_date) == ("seeds", None)


# ------------------------------------------------- a copy inside something else (attack F22)

FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "forms"
# A page in every form it is saved in, and the older layout.
WRAPPED = ["md-firecrawl.md", "md-reference-links.md", "md-trending-extraction.md",
           "md-clipper-date-page.md", "md-trending.md", "text-daily.txt",
           "text-trending.txt", "text-urls-export.txt", "html-daily.html", "api-week.json"]


def _email_quoted(text: str, levels: int = 1) -> str:
    """As a mail client quotes a forwarded copy: "> " before each line, ">" alone on a
    blank one; a reply to a reply quotes again."""
    for _ in range(levels):
        text = "".join((">" + (" " + line if line.strip() else line))
                       for line in text.splitlines(keepends=True))
    return text


def _list_item(text: str) -> str:
    """As a Markdown note holds a pasted copy: the list marker on its first line, every
    other line indented under it."""
    lines = text.splitlines(keepends=True)
    return "- " + lines[0] + "".join("  " + line if line.strip() else line
                                     for line in lines[1:])


def _wrapped_source(name: str) -> str:
    if name.startswith("seed-"):
        return seed_text(name.removeprefix("seed-"))
    return (FORMS / name).read_text(encoding="utf-8")


WRAPPERS: dict[str, Callable[[str], str]] = {
    "email": _email_quoted,
    "email-nospace": lambda text: "".join(">" + line
                                          for line in text.splitlines(keepends=True)),
    "email-twice": lambda text: _email_quoted(text, levels=2),
    "list-item": _list_item,
}


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
@pytest.mark.parametrize("name", [*WRAPPED, "seed-000", "seed-002"])
def test_a_copy_quoted_in_an_email_or_pasted_into_a_list_is_its_papers(
    tmp_path: Path, name: str, wrapper: str
) -> None:
    text = _wrapped_source(name)
    clean = tmp_path / "clean.txt"
    clean.write_text(text, encoding="utf-8")
    wrapped = tmp_path / "wrapped.txt"
    wrapped.write_text(WRAPPERS[wrapper](text), encoding="utf-8")
    expected = read_listing(clean)
    assert expected.records
    # A file, a text in memory and lines (a paste): the same papers as the clean copy.
    for got in (read_listing(wrapped),
                parse_listing(wrapped.read_text(encoding="utf-8"), name="wrapped.txt",
                              reference=date.fromtimestamp(wrapped.stat().st_mtime)),
                _whole_lines(wrapped.read_text(encoding="utf-8").splitlines(),
                             reference=date.fromtimestamp(wrapped.stat().st_mtime))):
        assert got.form == expected.form
        assert got.records == expected.records
        # Quote marks taken out of the text are said, once, naming the file; an indent
        # is whitespace, read as it comes.
        notes = [w for w in got.warnings if w not in expected.warnings]
        assert notes == ([] if wrapper == "list-item" else [
            "wrapped.txt: every line is quoted with '>', as in an email; read without the "
            "quote marks"])


def _whole_lines(lines: list[str], reference: date) -> Listing:
    with iter_listing(lines, name="wrapped.txt", reference=reference) as stream:
        return Listing(name=stream.name, listing_date=stream.listing_date,
                       listing_date_raw=stream.listing_date_raw, records=list(stream),
                       warnings=stream.warnings, form=stream.form,
                       capture_date=stream.capture_date)


def test_a_copy_with_some_quoted_lines_is_read_as_written() -> None:
    # A "> " that one abstract starts with is the page's own text: only a copy quoted as
    # a whole is unquoted.
    lines = seed_text("000").splitlines(keepends=True)
    assert lines[38].startswith("We study the problem of approximating stationary points")
    lines[38] = "> " + lines[38]
    parsed = parse_listing("".join(lines), reference=REF)
    assert parsed.warnings == []
    [record] = [r for r in parsed.records if r.abstract.startswith("> We study the problem")]
    assert record.title.startswith("Faster Rates of Convergence to Stationary Points")


# ------------------------------------------------------ compressed files (attack F23)


def _packed(kind: str, data: bytes, tmp_path: Path) -> bytes:
    import bz2
    import gzip
    import lzma
    import zipfile

    if kind == "zip":
        archive = tmp_path / "a.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("page.md", data)
        return archive.read_bytes()
    return {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}[kind](data)


@pytest.mark.parametrize(("kind", "says"), [
    ("gzip", "page.md: a gzip-compressed file, not text; decompress it (gunzip -k FILE) "
             "and import what it holds"),
    ("bzip2", "page.md: a bzip2-compressed file, not text; decompress it (bunzip2 -k FILE) "
              "and import what it holds"),
    ("xz", "page.md: an xz-compressed file, not text; decompress it (unxz -k FILE) "
           "and import what it holds"),
    ("zip", "page.md: a zip archive, not text; unzip it and import the listing inside"),
])
@pytest.mark.parametrize("opener", [read_listing, open_listing])
def test_a_compressed_copy_is_named_for_what_it_is(
    tmp_path: Path, kind: str, says: str, opener: Callable[[Path], object]
) -> None:
    # Whatever its name says (a .gz renamed .md), the bytes tell.
    path = tmp_path / "page.md"
    path.write_bytes(_packed(kind, (FORMS / "md-firecrawl.md").read_bytes(), tmp_path))
    with pytest.raises(ListingError) as caught:
        opener(path)
    assert str(caught.value) == says
    with pytest.raises(ListingError) as caught:
        decode_listing(path.read_bytes(), "page.md")
    assert str(caught.value) == says


# ---------------------------------------------- a small file's text kept from validation

# Pieces a text is made of where decoding gets hard: characters of 2, 3 and 4 bytes, line
# ends of every kind (a CRLF may straddle two chunks), a byte that is not UTF-8, a BOM.
KEPT_PIECES = ["a", "line", " ", "\n", "\r\n", "\r", "\n\n", "é", "图片：", "𝔸", "e\u0301",
               "Oct 1", "·", "\xa0"]


def _blocks(path: Path) -> tuple[str, list[str], bool, list[int]]:
    """What the decoder yields for a file: the text (blocks joined by line ends), the
    warnings, whether the validation kept its text, and the file position after each
    block (what a progress bar reads)."""
    handle = open(path, "rb")  # noqa: SIM115 - closed by the decoder
    encoding = listing._validate(handle, path.name)
    kept = encoding.decoded is not None
    warnings: list[str] = []
    blocks, positions = [], []
    for block in listing._decoded_blocks(handle, encoding, path.name, warnings):
        blocks.append(block)
        positions.append(handle.tell())
    return "\n".join(blocks), warnings, kept, positions


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(KEPT_PIECES), max_size=60),
       bad=st.one_of(st.none(), st.floats(0, 1)), bom=st.booleans(),
       chunk=st.sampled_from([1, 2, 3, 5, 8, 64]))
def test_text_kept_from_validation_is_the_text_decoded_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parts: list[str],
        bad: float | None, bom: bool, chunk: int) -> None:
    # A small UTF-8 file is decoded once (validation keeps the text); with nothing kept
    # (the threshold at 0) it is decoded again as before: the same text, the same
    # warnings, line by line.
    data = "".join(parts).encode("utf-8")
    if bad is not None:
        at = int(bad * len(data))
        data = data[:at] + b"\xff" + data[at:]
    data = (codecs.BOM_UTF8 if bom else b"") + data + b"x"
    path = tmp_path / "page.md"
    path.write_bytes(data)
    with monkeypatch.context() as patch:  # undone after each example
        patch.setattr(listing, "_CHUNK", chunk)
        text, warnings, kept, positions = _blocks(path)
        patch.setattr(listing, "_KEEP_DECODED", 0)
        again, warnings_again, kept_again, _ = _blocks(path)
    assert (text, warnings) == (again, warnings_again)
    assert kept == (bad is None) and not kept_again
    assert positions == sorted(positions) and positions[-1] == len(data)
    assert text == listing.decode_listing(data, "page.md")


def test_a_seeds_listing_kept_whole_still_streams_in_blocks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The older layout is the one form that streams: its text comes in blocks of whole
    # lines, and the file position moves through the file (the import's progress bar).
    body = _big_listing(3000).replace("\n", "\r\n").encode("utf-8")
    path = tmp_path / "big.txt"
    path.write_bytes(body)
    monkeypatch.setattr(listing, "_CHUNK", 1 << 16)
    text, warnings, kept, positions = _blocks(path)
    assert kept and warnings == [] and "\r" not in text
    assert len(positions) > 40 and positions == sorted(positions)
    assert positions[-1] == len(body)
    assert text == body.decode("utf-8").replace("\r\n", "\n")
    # Above the threshold nothing is kept: decoded again, a chunk at a time.
    monkeypatch.setattr(listing, "_KEEP_DECODED", len(body) // 2)
    again, _, kept_again, _ = _blocks(path)
    assert again == text and not kept_again
    whole = read_listing(path)
    monkeypatch.setattr(listing, "_KEEP_DECODED", 32 << 20)
    assert read_listing(path).records == whole.records and len(whole.records) == 3000


def test_a_page_kept_whole_comes_as_one_block(tmp_path: Path) -> None:
    # Every other form is parsed whole: one block, never split into lines and joined.
    from tests.fixtures.forms import make_forms as mf
    from tests.fixtures.forms.catalogue import PAPERS

    page = mf.md_trending(PAPERS * 20)
    path = tmp_path / "trending.md"
    path.write_text(page, encoding="utf-8")
    text, warnings, kept, positions = _blocks(path)
    assert kept and warnings == [] and text == page
    assert positions == [path.stat().st_size]


@settings(max_examples=200, deadline=None, database=None)
@given(text=st.text(alphabet="ab\n", max_size=1200))
def test_the_first_lines_are_split_without_the_rest(text: str) -> None:
    # What a wrapped copy's head is judged from: the first HEAD_LINES lines, found
    # without copying out the rest of a page kept whole.
    assert listing._first_lines(text) == text.split("\n", HEAD_LINES)[:HEAD_LINES]


# ------------------------------------------------ an outliner's blocks (attack F32)


def _outline(text: str, parent: str | None = None) -> str:
    """As Logseq (Roam, Workflowy) keeps a pasted page: each paragraph a block, its first
    line behind "- ", its other lines indented two spaces under it, a list item inside it
    a child block a tab deeper, no blank lines; under a parent block when one is given."""
    out = []
    for paragraph in re.split(r"\n[ \t]*\n", text):
        if not paragraph.strip():
            continue
        for index, line in enumerate(paragraph.split("\n")):
            item = re.match(r"[ \t]*[-*+] (.*)", line)
            if index == 0:
                out.append("- " + (item.group(1) if item else line))
            elif item:
                out.append("\t- " + item.group(1))
            else:
                out.append("  " + line)
    if parent is not None:
        out = [f"- {parent}", *("\t" + line for line in out)]
    return "\n".join(out) + "\n"


OUTLINED = [name for name in WRAPPED if name.endswith((".md", ".txt"))]


# The older layout reads a line before its page as a paper cut short, outlined or not:
# it is outlined here only as the page's own blocks.
@pytest.mark.parametrize(("name", "parent"), [
    *((name, parent) for name in OUTLINED for parent in (None, "Reading list")),
    ("seed-000", None)])
def test_a_copy_kept_in_an_outliner_is_its_papers(tmp_path: Path, name: str,
                                                  parent: str | None) -> None:
    text = _wrapped_source(name)
    clean = tmp_path / "clean.txt"
    clean.write_text(text, encoding="utf-8")
    outlined = tmp_path / "outlined.md"
    outlined.write_text(_outline(text, parent), encoding="utf-8")
    expected = read_listing(clean)
    assert expected.records
    reference = date.fromtimestamp(outlined.stat().st_mtime)
    for got in (read_listing(outlined),
                parse_listing(outlined.read_text(encoding="utf-8"), name="outlined.md",
                              reference=reference),
                _whole_lines(outlined.read_text(encoding="utf-8").splitlines(),
                             reference=reference)):
        assert got.records == expected.records
        said = [w.replace("clean.txt", "outlined.md").replace("wrapped.txt", "outlined.md")
                for w in expected.warnings]
        notes = [w.replace("wrapped.txt", "outlined.md") for w in got.warnings
                 if w.replace("wrapped.txt", "outlined.md") not in said]
        assert notes[0] == ("outlined.md: every paragraph is a '- ' item, as an outliner "
                            "(Logseq, Roam) keeps a page; read as paragraphs")
        # The parent block's own line is text before the page: where a copy's header
        # (front matter) begins a part of its own, that line is named, as no card or as
        # lines left out before the copy.
        assert all(f'"{parent}"' in note or "hold no listing that could be read; left out"
                   in note for note in notes[1:])


def test_a_list_that_is_no_outline_is_read_as_written() -> None:
    # A page whose blocks are separated by blank lines is not an outliner's, even where
    # many of its lines are list items (a clipper's avatar rows).
    page = (FORMS / "md-firecrawl.md").read_text(encoding="utf-8")
    parsed = parse_listing(page, name="page.md", reference=REF)
    assert not [w for w in parsed.warnings if "outliner" in w]


@pytest.mark.parametrize("name", OUTLINED)
def test_a_copy_quoted_in_an_email_reply_is_its_papers(tmp_path: Path, name: str) -> None:
    # A reply quotes the copy under the mail's own lines; all of it quoted or nothing was
    # read, and the copy was "no Daily Papers listing".
    text = _wrapped_source(name)
    clean = tmp_path / "clean.txt"
    clean.write_text(text, encoding="utf-8")
    reply = tmp_path / "reply.txt"
    reply.write_text("Here you go.\n\nOn Mon, 30 Nov 2026 at 09:12, Alice <a@example.org> "
                     "wrote:\n" + _email_quoted(text), encoding="utf-8")
    expected = read_listing(clean)
    got = read_listing(reply)
    assert got.records == expected.records
    said = [w.replace("clean.txt", "reply.txt") for w in expected.warnings]
    assert [w for w in got.warnings if w not in said] == [
        "reply.txt: the copy in it is quoted with '>', as in an email reply; read without "
        "the quote marks"]


def test_winnow_import_of_hello_world_says_it_holds_no_listing(tmp_path: Path) -> None:
    hello = tmp_path / "hello.txt"
    hello.write_text("hello world\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(tmp_path / "l.db"),
                          "import", str(hello)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        "winnow: hello.txt: no Daily Papers listing found in it"]
    assert not (tmp_path / "l.db").exists()


# Every line of a copy indented the same way (a note that indents what was pasted): with
# spaces or tabs it was read as the copy; with no-break spaces, as rich-text editors keep a
# leading space, the trending extraction was refused as no listing (its "### " titles not
# at a line start).
@pytest.mark.parametrize("indent", ["\xa0\xa0", "  ", "\t"], ids=["nbsp", "spaces", "tab"])
@pytest.mark.parametrize("name", ["md-trending-extraction.md", "md-firecrawl.md",
                                  "text-daily.txt", "text-urls-export.txt"])
def test_a_copy_indented_line_by_line_is_the_copy(tmp_path: Path, name: str,
                                                  indent: str) -> None:
    text = (FORMS / name).read_text(encoding="utf-8")
    indented = "\n".join(indent + line if line else line for line in text.split("\n"))
    clean, moved = tmp_path / "clean.txt", tmp_path / "moved.txt"
    clean.write_text(text, encoding="utf-8")
    moved.write_text(indented, encoding="utf-8")
    expected, got = read_listing(clean), read_listing(moved)
    assert got.records == expected.records
    if name == "md-trending-extraction.md" and indent == "\xa0\xa0":
        run = subprocess.run([sys.executable, "-m", "desktop.cli", "--db",
                              str(tmp_path / "l.db"), "import", "--json", str(moved)],
                             capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["files"][0]["found"] == len(expected.records)
