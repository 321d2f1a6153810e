"""Fetch Daily Papers listings from the Hugging Face API (`/api/daily_papers`).

The standard library's urllib is enough: one GET at a time, JSON back. What it
adds is what a flaky network needs: a timeout on every request, retries with
exponential backoff on 429 and 5xx (a server's Retry-After is obeyed), paging until
a short page, and one-line errors that name the host. Nothing here writes to a
library: the caller imports the JSON it returns (it is the API form of a listing).

`WINNOW_API_URL` replaces the endpoint (the tests point it at a server on
127.0.0.1); `WINNOW_FETCH_RETRY_BASE` the first backoff delay in seconds;
`WINNOW_FETCH_DEADLINE` and `WINNOW_FETCH_MAX_BYTES` the bounds on one answer.
"""

from __future__ import annotations

import email.utils
import errno
import http.client
import json
import os
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

DEFAULT_URL = "https://huggingface.co/api/daily_papers"
PAGE_LIMIT = 100  # the API's own maximum
TIMEOUT = 20.0  # seconds, per request (connect and each read)
# The socket timeout bounds each read, not the answer: a server dripping one byte
# every few seconds kept `winnow fetch` waiting for ever, and a 3 GB body was read
# whole into 6 GB of memory. A page of 100 papers is about 300 KB.
DEADLINE = 60.0  # seconds for the whole answer of one request
MAX_BYTES = 64 * 1024 * 1024
RETRIES = 4  # after the first attempt
RETRY_BASE = 1.0  # seconds; doubled at each retry
MAX_WAIT = 60.0  # never sleep longer than this for one retry, whatever Retry-After says
MAX_PAGES = 1000  # a server that never sends a short page must not loop forever
USER_AGENT = "winnow/0.1 (+https://github.com/; daily papers triage)"

FetchProgress = Callable[[str], None]

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class FetchError(Exception):
    """One line for the user: what could not be fetched, and why."""


@dataclass(frozen=True, slots=True)
class Period:
    """One API request's scope: a day, an ISO week or a month."""

    kind: str  # "date", "week" or "month"
    value: str  # "2026-11-30", "2026-W48", "2026-11"

    @property
    def label(self) -> str:
        return f"{self.kind}={self.value}"


@dataclass(slots=True)
class FetchResult:
    period: Period
    items: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    retries: int = 0

    def json_text(self) -> str:
        """The items as one API response: what the importer reads as the JSON form."""
        return json.dumps(self.items, ensure_ascii=False, indent=1)


def api_url() -> str:
    return os.environ.get("WINNOW_API_URL") or DEFAULT_URL


def api_host() -> str:
    """The host a fetch asks (WINNOW_API_URL's, when it is set): what the fetched
    listings are named after and what the app says it is fetching from."""
    return _host(api_url())


def _env_number(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


def _retry_base() -> float:
    return _env_number("WINNOW_FETCH_RETRY_BASE", RETRY_BASE)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FetchError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def day_period(text: str | None, *, today: date | None = None) -> Period:
    today = today or date.today()
    day = today if text in (None, "", "today") else parse_day(text)
    if day > today:
        raise FetchError(f"{day.isoformat()} is in the future; there is no listing yet")
    return Period("date", day.isoformat())


def week_period(text: str) -> Period:
    match = _WEEK_RE.match(text)
    if not match:
        raise FetchError(f"not a week: {text!r} (expected YYYY-Www, e.g. 2026-W48)")
    try:
        date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise FetchError(f"not a week: {text!r} (no such ISO week)") from None
    return Period("week", text)


def month_period(text: str) -> Period:
    match = _MONTH_RE.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise FetchError(f"not a month: {text!r} (expected YYYY-MM, e.g. 2026-11)")
    return Period("month", text)


def since_periods(text: str, *, today: date | None = None) -> list[Period]:
    """One day per request, from `text` through today (the API's day pages are the
    ones a user saw)."""
    today = today or date.today()
    start = parse_day(text)
    if start > today:
        raise FetchError(f"{start.isoformat()} is in the future; there is no listing yet")
    days = (today - start).days + 1
    if days > 366:
        raise FetchError(f"--since {text}: {days} days is more than a year; use --month")
    return [Period("date", (start + timedelta(days=n)).isoformat()) for n in range(days)]


def _megabytes(size: int) -> str:
    return f"{size / 1048576:g} MB" if size >= 1048576 else f"{size:,} bytes"


def unreachable(host: str, error: object, *, timeout: float) -> str:
    """Why `host` could not be reached, in words a user knows: Python's own text
    ("[Errno -3] Temporary failure in name resolution") named the resolver's error
    code, not the missing network."""
    if isinstance(error, TimeoutError):
        return f"could not reach {host}: no answer within {timeout:g} s"
    if isinstance(error, socket.gaierror):
        # huggingface.co exists: a failed look-up of it is a network (or its name
        # server) that is not there. Another host (WINNOW_API_URL) may be misspelt.
        if host == _host(DEFAULT_URL):
            return f"no network: could not reach {host}"
        return f"could not reach {host}: no such host, or no network"
    if isinstance(error, OSError) and error.errno in _NO_ROUTE:
        return f"no network: could not reach {host}"
    if isinstance(error, ConnectionRefusedError):
        return f"could not reach {host}: nothing answers there (connection refused)"
    if isinstance(error, ssl.SSLCertVerificationError):
        return (f"could not reach {host}: its certificate could not be verified "
                f"({error.verify_message})")
    if isinstance(error, OSError) and error.strerror:
        return f"could not reach {host}: {error.strerror[:1].lower()}{error.strerror[1:]}"
    return f"could not reach {host}: {error}"


# No route out: the network is down, or no interface is up.
_NO_ROUTE = frozenset({errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH})


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class Client:
    """A small HTTP client for the daily papers API. `sleep` is injectable only so
    that callers can observe the backoff; it defaults to time.sleep."""

    def __init__(self, base_url: str | None = None, *, timeout: float = TIMEOUT,
                 retries: int = RETRIES, retry_base: float | None = None,
                 limit: int = PAGE_LIMIT, progress: FetchProgress | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url or api_url()
        self.timeout = timeout
        self.retries = retries
        self.retry_base = _retry_base() if retry_base is None else retry_base
        self.limit = max(1, min(limit, PAGE_LIMIT))
        self.progress = progress
        self.sleep = sleep
        self.host = _host(self.base_url)
        self.deadline = _env_number("WINNOW_FETCH_DEADLINE", DEADLINE)
        self.max_bytes = int(_env_number("WINNOW_FETCH_MAX_BYTES", MAX_BYTES))

    def _say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)

    def _get(self, params: dict[str, str], result: FetchResult) -> Any:
        url = f"{self.base_url}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                       "Accept": "application/json"})
        attempt = 0
        while True:
            wait: float | None = None
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = self._read_body(response, result)
                break
            except urllib.error.HTTPError as error:
                status = error.code
                error.close()
                if status != 429 and not 500 <= status < 600:
                    raise FetchError(f"{self.host} refused {result.period.label} "
                                     f"(HTTP {status} {error.reason})") from None
                if attempt >= self.retries:
                    raise FetchError(f"{self.host} kept failing for {result.period.label} "
                                     f"(HTTP {status} {error.reason}, {attempt + 1} "
                                     f"attempts); try again later") from None
                wait = _retry_after(error.headers.get("Retry-After") if error.headers else None)
                reason = f"HTTP {status}"
            except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
                # Offline, refused, DNS, timeout: a network that is down does not come
                # back within a few seconds, so one failure to connect is reported
                # at once rather than retried.
                raise FetchError(unreachable(self.host, getattr(error, "reason", error),
                                             timeout=self.timeout)) from None
            delay = self.retry_base * (2 ** attempt) if wait is None else wait
            delay = min(delay, MAX_WAIT)
            attempt += 1
            result.retries += 1
            self._say(f"{result.period.label}: {reason}, retry {attempt} of {self.retries} "
                      f"in {delay:g} s")
            self.sleep(delay)
        if body.lstrip()[:1] == b"<":
            # A web page where the JSON should be: most often WINNOW_API_URL set to the
            # server or its /api folder instead of the endpoint ("malformed JSON
            # (Expecting value: line 1 column 1)" told the user nothing).
            hint = (" (WINNOW_API_URL must be the endpoint itself, like "
                    f"{DEFAULT_URL.replace('https://huggingface.co', 'http://HOST')})"
                    if os.environ.get("WINNOW_API_URL") else "")
            raise FetchError(f"{self.host} answered {result.period.label} with a web page, "
                             f"not the API's JSON{hint}")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise FetchError(f"{self.host} sent malformed JSON for {result.period.label} "
                             f"({error})") from None
        except RecursionError:
            raise FetchError(f"{self.host} sent malformed JSON for {result.period.label} "
                             f"(nested too deeply)") from None

    def _read_body(self, response: http.client.HTTPResponse, result: FetchResult) -> bytes:
        """The whole answer, within the deadline and the size cap (read1 returns
        what one read brings, so a slow drip still meets the deadline check)."""
        started = time.monotonic()
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1(65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{self.host} sent more than {_megabytes(self.max_bytes)} "
                                 f"for {result.period.label}; that is not a listing page")
            if time.monotonic() - started > self.deadline:
                raise FetchError(f"{self.host} did not finish its answer for "
                                 f"{result.period.label} within {self.deadline:g} s")
            chunks.append(chunk)
        return b"".join(chunks)

    def fetch(self, period: Period) -> FetchResult:
        """Every paper of `period`, page by page until a page comes back short."""
        result = FetchResult(period)
        seen: set[str] = set()
        for page in range(MAX_PAGES):
            data = self._get({period.kind: period.value, "p": str(page),
                              "limit": str(self.limit)}, result)
            if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
                raise FetchError(f"{self.host} sent JSON that is not a list of papers for "
                                 f"{period.label}")
            result.pages += 1
            fresh = 0
            for item in data:
                # A page boundary that moves while we page (a new paper at the top)
                # repeats a paper: keep it once.
                paper = item.get("paper")
                ident = str(paper.get("id")) if isinstance(paper, dict) and paper.get("id") \
                    else json.dumps(item, sort_keys=True)
                if ident in seen:
                    continue
                seen.add(ident)
                result.items.append(item)
                fresh += 1
            self._say(f"{period.label}: page {page + 1}, {len(result.items)} papers")
            if len(data) < self.limit or fresh == 0:
                break
        return result

    def fetch_all(self, periods: list[Period]) -> Iterator[FetchResult]:
        for period in periods:
            yield self.fetch(period)
