"""`winnow fetch`: the real command in a subprocess, against a real HTTP server on
127.0.0.1 playing recorded `/api/daily_papers` answers (WINNOW_API_URL)."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.parse
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

import pytest

from tests.api_server import ApiServer, api_item, closed_port_url, json_reply, paged, serve
from tests.desktop.cli.conftest import WINNOW, winnow

DAY = "2026-11-27"


def fetch(db: Path, url: str, *args: str) -> object:
    return winnow("fetch", *args, db=db, env={"WINNOW_API_URL": url,
                                              "WINNOW_FETCH_RETRY_BASE": "0.01"})


def test_fetch_a_day_pages_through_and_imports_every_card(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    items = [api_item(n, day=DAY) for n in range(1, 131)]
    with serve(ApiServer({("date", DAY): paged(items)})) as server:
        done = fetch(db, server.url, DAY)
    assert done.returncode == 0, done.stderr
    # Named after the host actually asked (WINNOW_API_URL's), not huggingface.co.
    host = urllib.parse.urlsplit(server.url).netloc
    assert host.startswith("127.0.0.1:")
    assert done.stdout.strip() == (f"{host} date={DAY}: 130 papers, 130 new, "
                                   f"0 updated, 0 unchanged (import 1)")
    assert [r["p"] for r in server.requests] == ["0", "1"]
    papers = json.loads(winnow("list", "--json", "--limit", "200", db=db).stdout)
    assert len(papers) == 130
    first = next(p for p in papers if p["arxiv_id"] == "2611.00001")
    assert first["upvotes"] == 3 and first["comments"] == 1
    assert first["authors"] == ["Author 1-0", "Author 1-1"]
    assert first["ai_keywords"] == ["sparse routing", "mixture of experts", "kw1"]
    assert first["github_stars"] == 11 and first["published"] == DAY
    sources = json.loads(winnow("sources", "--json", db=db).stdout)
    assert sources[0]["form"] == "api" and sources[0]["found"] == 130


def test_fetching_again_is_idempotent_and_updates_listing_facts(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    items = [api_item(n, day=DAY) for n in range(1, 6)]
    with serve(ApiServer({("date", DAY): paged(items)})) as server:
        assert fetch(db, server.url, DAY).returncode == 0
        same = fetch(db, server.url, DAY)
        assert same.returncode == 0
        assert "already imported" in same.stderr
        winnow("star", "2", db=db)
        items[1] = api_item(2, day=DAY, upvotes=99)  # the day's page a little later
        later = fetch(db, server.url, DAY, "--json")
    report = json.loads(later.stdout)
    [file] = report["files"]
    assert (file["new"], file["updated"], file["unchanged"]) == (0, 1, 4)
    paper = json.loads(winnow("show", "2", "--json", db=db).stdout)
    assert paper["upvotes"] == 99 and paper["starred"]
    assert len(json.loads(winnow("list", "--json", db=db).stdout)) == 5


def test_fetch_retries_a_429_then_succeeds(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    replies = [json_reply({"error": "rate limited"}, 429, {"Retry-After": "0"}),
               json_reply([api_item(1, day=DAY)])]
    with serve(ApiServer({("date", DAY): replies})) as server:
        done = fetch(db, server.url, DAY)
    assert done.returncode == 0, done.stderr
    assert len(server.requests) == 2 and "1 new" in done.stdout


def test_fetch_gives_up_after_retries_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    with serve(ApiServer({("date", DAY): [json_reply({}, 503)]})) as server:
        done = fetch(db, server.url, DAY)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("winnow fetch: 127.0.0.1:") and "HTTP 503" in line
    assert len(server.requests) == 5  # the first try and 4 retries


def test_fetch_offline_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    url = closed_port_url()
    done = fetch(db, url, DAY)
    assert done.returncode == 1
    host = urllib.parse.urlsplit(url).netloc
    assert done.stderr == (f"winnow fetch: could not reach {host}: nothing answers there "
                           f"(connection refused)\n")
    assert done.stdout == "" and not db.exists()


def _offline(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real command in a network namespace of its own, with no interface up: a
    machine with no network (and no test reaches the internet)."""
    try:
        probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False)
    except FileNotFoundError:
        pytest.skip("unshare is not installed")
    if probe.returncode != 0:
        pytest.skip(f"no network namespace here: {probe.stderr.decode().strip()}")
    return subprocess.run(["unshare", "-rn", *WINNOW, *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_fetch_with_no_network_says_so_in_words(tmp_path: Path) -> None:
    """Offline the line was Python's: "cannot reach huggingface.co: [Errno -3] Temporary
    failure in name resolution"."""
    db = tmp_path / "lib.db"
    env = {k: v for k, v in os.environ.items() if k != "WINNOW_API_URL"}
    done = _offline("--db", str(db), "fetch", DAY, env=env)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "winnow fetch: no network: could not reach huggingface.co\n"
    # Another server's name may be misspelt as well: both are said.
    done = _offline("--db", str(db), "fetch", DAY,
                    env={**env, "WINNOW_API_URL": "http://papers.example.invalid/api"})
    assert done.stderr == ("winnow fetch: could not reach papers.example.invalid: no such "
                           "host, or no network\n")
    assert not db.exists()


def test_fetch_malformed_json_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    broken = (200, {"Content-Type": "application/json"}, b"[{\"paper\": ")
    with serve(ApiServer({("date", DAY): [broken]})) as server:
        done = fetch(db, server.url, DAY)
    assert done.returncode == 1
    assert "malformed JSON for date=2026-11-27" in done.stderr


def test_a_web_page_instead_of_json_names_the_endpoint_to_set(tmp_path: Path) -> None:
    """WINNOW_API_URL set to the server's /api folder got its HTML index: "malformed JSON
    (Expecting value: line 1 column 1 (char 0))" (attack, new-user walk)."""
    db = tmp_path / "lib.db"
    page = (200, {"Content-Type": "text/html"}, b"\n<!DOCTYPE html><html><body>Index of "
            b"/api/</body></html>")
    with serve(ApiServer({("date", DAY): [page]})) as server:
        done = fetch(db, server.url, DAY)
    host = urllib.parse.urlsplit(server.url).netloc
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"winnow fetch: {host} answered date={DAY} with a web page, not the API's JSON "
        f"(WINNOW_API_URL must be the endpoint itself, like http://HOST/api/daily_papers)"]
    assert not db.exists() or json.loads(winnow("sources", "--json", db=db).stdout) == []


def test_fetch_a_week_a_month_and_since(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    today = date.today()
    yesterday = (today - timedelta(days=1)).isoformat()
    routes = {
        ("week", "2026-W48"): paged([api_item(n, day=DAY) for n in range(1, 4)]),
        ("month", "2026-10"): paged([api_item(n, day="2026-10-03") for n in range(3, 8)]),
        ("date", yesterday): paged([api_item(20, day=yesterday)]),
    }
    with serve(ApiServer(routes)) as server:
        week = fetch(db, server.url, "--week", "2026-W48")
        month = fetch(db, server.url, "--month", "2026-10", "--json")
        since = fetch(db, server.url, "--since", yesterday)
    assert week.returncode == 0 and "3 new" in week.stdout
    assert json.loads(month.stdout)["files"][0]["new"] == 4  # 3 was in the week already
    assert since.returncode == 0
    host = urllib.parse.urlsplit(server.url).netloc
    assert f"{host} date={yesterday}: 1 paper, 1 new" in since.stdout
    assert f"date={today.isoformat()}: no papers listed" in since.stdout
    both = fetch(db, "http://127.0.0.1:9/", "--week", "2026-W48", "--month", "2026-10")
    assert both.returncode == 1 and "one of DATE, --week" in both.stderr
    future = fetch(db, "http://127.0.0.1:9/", (today + timedelta(days=3)).isoformat())
    assert future.returncode == 1 and "in the future" in future.stderr


def _drip(seconds: float, step: float = 0.1) -> Callable[[BinaryIO], None]:
    """A body sent one byte at a time: `[` then spaces, never valid JSON."""

    def write(out: BinaryIO) -> None:
        out.write(b"[")
        for _ in range(int(seconds / step)):
            out.write(b" ")
            out.flush()
            time.sleep(step)

    return write


def test_a_server_that_drips_its_answer_is_given_up_on_at_the_deadline(
        tmp_path: Path) -> None:
    # Each byte comes well within the socket timeout; only a deadline for the whole
    # answer ends it. (Before: read to the end, however long that took.)
    db = tmp_path / "lib.db"
    slow = (200, {"Content-Type": "application/json", "Content-Length": "1000"}, _drip(8.0))
    with serve(ApiServer({("date", DAY): [slow]})) as server:
        done = winnow("fetch", DAY, db=db, env={"WINNOW_API_URL": server.url,
                                               "WINNOW_FETCH_DEADLINE": "1"})
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line == (f"winnow fetch: {server.url.split('/')[2]} did not finish its answer "
                    f"for date={DAY} within 1 s")
    assert not db.exists() or "2611." not in winnow("list", db=db).stdout


def test_an_answer_over_the_size_cap_is_refused_without_reading_it_all(
        tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    body = b"[" + b" " * 300_000 + b"]"
    with serve(ApiServer({("date", DAY): [(200, {"Content-Type": "application/json"},
                                          body)]})) as server:
        done = winnow("fetch", DAY, db=db, env={"WINNOW_API_URL": server.url,
                                               "WINNOW_FETCH_MAX_BYTES": "100000"})
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.endswith(f"sent more than 100,000 bytes for date={DAY}; "
                         f"that is not a listing page")


def test_json_nested_too_deeply_is_malformed_json_not_a_crash(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    deep = b"[" * 100_000 + b"]" * 100_000
    with serve(ApiServer({("date", DAY): [(200, {}, deep)]})) as server:
        done = fetch(db, server.url, DAY)
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.endswith(f"sent malformed JSON for date={DAY} (nested too deeply)")
