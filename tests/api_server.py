"""A real HTTP server on 127.0.0.1 that plays recorded `/api/daily_papers` answers.

The answers are built from the documented shape of the API (FORMATS.md: a list of
objects with `paper` {id, title, summary, authors, upvotes, ...} and the top-level
`numComments`, `submittedBy`...). No test reaches the internet.
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, BinaryIO

# A body is bytes, or a writer that streams it (a slow or endless answer); a
# streamed reply names its own Content-Length.
Body = bytes | Callable[[BinaryIO], None]
Reply = tuple[int, dict[str, str], Body]
Route = Callable[[dict[str, str]], Reply]


def api_item(n: int, *, day: str = "2026-11-27", upvotes: int | None = None,
             title: str | None = None, summary: str | None = None) -> dict[str, Any]:
    """One recorded card, as the API sends it."""
    arxiv = f"2611.{n:05d}"
    return {
        "paper": {
            "id": arxiv,
            "authors": [{"_id": f"a{n}{k}", "name": f"Author {n}-{k}", "hidden": False}
                        for k in range(1 + n % 4)],
            "publishedAt": f"{day}T17:59:0{n % 10}.000Z",
            "submittedOnDailyAt": f"{day}T01:02:03.000Z",
            "title": title or f"Recorded Paper Number {n} on Sparse Routing",
            "summary": summary or (f"We study sparse routing variant {n}.\nIt scales to "
                                   f"{n * 7} experts and beats dense baselines by {n % 9} points."),
            "upvotes": n * 3 if upvotes is None else upvotes,
            "discussionId": f"d{n}",
            "githubRepo": f"https://github.com/lab{n}/routing" if n % 2 else None,
            "githubStars": n * 11 if n % 2 else None,
            "projectPage": f"https://lab{n}.example.org" if n % 3 == 0 else None,
            "ai_summary": f"Sparse routing variant {n} beats dense baselines.",
            "ai_keywords": ["sparse routing", "mixture of experts", f"kw{n}"],
            "organization": ({"_id": "o1", "name": "nvidia", "fullname": "NVIDIA"}
                             if n % 5 == 0 else None),
        },
        "publishedAt": f"{day}T17:59:0{n % 10}.000Z",
        "title": title or f"Recorded Paper Number {n} on Sparse Routing",
        "summary": summary or f"We study sparse routing variant {n}.",
        "thumbnail": f"https://cdn.example.org/{arxiv}.png",
        "numComments": n % 4,
        "submittedBy": {"_id": f"u{n}", "user": f"user{n}", "fullname": f"User {n}"},
        "isAuthorParticipating": False,
    }


def json_reply(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, \
        json.dumps(data).encode("utf-8")


def paged(items: list[dict[str, Any]]) -> Route:
    """The API's paging: `p` (from 0) and `limit`."""

    def route(params: dict[str, str]) -> Reply:
        page, limit = int(params.get("p", "0")), int(params.get("limit", "100"))
        return json_reply(items[page * limit:(page + 1) * limit])

    return route


@dataclass
class ApiServer:
    """Routes by query: `routes[("date", "2026-11-27")]` answers that day. A route
    may be a list of replies, played one per request (the last one repeats)."""

    routes: dict[tuple[str, str], Route | list[Reply]] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def answer(self, params: dict[str, str]) -> Reply:
        self.requests.append(params)
        for kind in ("date", "week", "month"):
            if kind in params:
                route = self.routes.get((kind, params[kind]))
                break
        else:
            route = None
        if route is None:
            return json_reply([])
        if isinstance(route, list):
            return route.pop(0) if len(route) > 1 else route[0]
        return route(params)


@contextmanager
def serve(server: ApiServer) -> Iterator[ApiServer]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = urllib.parse.urlsplit(self.path).query
            params = dict(urllib.parse.parse_qsl(query))
            status, headers, body = server.answer(params)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if isinstance(body, bytes):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if isinstance(body, bytes):
                self.wfile.write(body)
                return
            with contextlib.suppress(OSError):  # the client gave up, as it should
                body(self.wfile)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}/api/daily_papers"
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: the offline case."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/daily_papers"
