"""The API client against a real HTTP server on 127.0.0.1 playing recorded answers."""

from __future__ import annotations

from datetime import date

import pytest

from storage.fetch import (
    Client,
    FetchError,
    Period,
    day_period,
    month_period,
    since_periods,
    week_period,
)
from tests.api_server import ApiServer, api_item, closed_port_url, json_reply, paged, serve

DAY = Period("date", "2026-11-27")


def client(url: str, **kwargs: object) -> tuple[Client, list[float]]:
    slept: list[float] = []
    return Client(url, retry_base=0.01, sleep=slept.append, **kwargs), slept  # type: ignore[arg-type]


def test_pages_until_a_short_page() -> None:
    items = [api_item(n) for n in range(1, 251)]
    with serve(ApiServer({("date", DAY.value): paged(items)})) as server:
        api, _ = client(server.url)
        result = api.fetch(DAY)
    assert [i["paper"]["id"] for i in result.items] == [i["paper"]["id"] for i in items]
    assert result.pages == 3
    assert [(r["p"], r["limit"]) for r in server.requests] == [("0", "100"), ("1", "100"),
                                                               ("2", "100")]
    assert all(r["date"] == DAY.value for r in server.requests)


def test_a_full_last_page_costs_one_empty_page_more() -> None:
    items = [api_item(n) for n in range(1, 5)]
    with serve(ApiServer({("week", "2026-W48"): paged(items)})) as server:
        api, _ = client(server.url, limit=2)
        result = api.fetch(Period("week", "2026-W48"))
    assert len(result.items) == 4
    assert [r["p"] for r in server.requests] == ["0", "1", "2"]


def test_429_then_success_obeys_retry_after() -> None:
    replies = [json_reply({"error": "slow down"}, 429, {"Retry-After": "2"}),
               json_reply([api_item(1)])]
    with serve(ApiServer({("date", DAY.value): replies})) as server:
        messages: list[str] = []
        api, slept = client(server.url, progress=messages.append)
        result = api.fetch(DAY)
    assert [i["paper"]["id"] for i in result.items] == ["2611.00001"]
    assert slept == [2.0]  # the server's Retry-After, not our own backoff
    assert result.retries == 1
    assert any("HTTP 429, retry 1 of 4" in m for m in messages)


def test_500_retries_back_off_exponentially_then_give_up() -> None:
    with serve(ApiServer({("date", DAY.value): [json_reply({}, 500)]})) as server:
        api, slept = client(server.url, retries=3)
        with pytest.raises(FetchError) as caught:
            api.fetch(DAY)
    assert slept == [0.01, 0.02, 0.04]
    assert len(server.requests) == 4
    message = str(caught.value)
    assert "127.0.0.1" in message and "HTTP 500" in message and "4 attempts" in message
    assert "\n" not in message


def test_offline_is_one_line_naming_the_host() -> None:
    api, slept = client(closed_port_url())
    with pytest.raises(FetchError) as caught:
        api.fetch(DAY)
    message = str(caught.value)
    assert message.startswith("could not reach 127.0.0.1:")
    assert message.endswith(": nothing answers there (connection refused)")
    assert "\n" not in message and slept == []


def test_malformed_json_is_refused() -> None:
    broken = (200, {"Content-Type": "application/json"}, b'[{"paper": {"id": "2611.0')
    with serve(ApiServer({("date", DAY.value): [broken]})) as server:
        api, _ = client(server.url)
        with pytest.raises(FetchError, match="malformed JSON for date=2026-11-27"):
            api.fetch(DAY)


def test_json_that_is_not_a_list_is_refused() -> None:
    with serve(ApiServer({("date", DAY.value): [json_reply({"error": "Invalid"})]})) as server:
        api, _ = client(server.url)
        with pytest.raises(FetchError, match="not a list of papers"):
            api.fetch(DAY)


def test_client_errors_are_not_retried() -> None:
    with serve(ApiServer({("date", DAY.value): [json_reply({}, 400)]})) as server:
        api, slept = client(server.url)
        with pytest.raises(FetchError, match="HTTP 400"):
            api.fetch(DAY)
    assert slept == [] and len(server.requests) == 1


def test_periods_are_checked_and_never_in_the_future() -> None:
    today = date(2026, 11, 30)
    assert day_period(None, today=today) == Period("date", "2026-11-30")
    assert day_period("2026-11-02", today=today) == Period("date", "2026-11-02")
    with pytest.raises(FetchError, match="future"):
        day_period("2026-12-01", today=today)
    with pytest.raises(FetchError, match="not a date"):
        day_period("Nov 3", today=today)
    assert week_period("2026-W48") == Period("week", "2026-W48")
    with pytest.raises(FetchError, match="no such ISO week"):
        week_period("2026-W60")
    assert month_period("2026-11") == Period("month", "2026-11")
    with pytest.raises(FetchError):
        month_period("2026-13")
    assert [p.value for p in since_periods("2026-11-28", today=today)] == [
        "2026-11-28", "2026-11-29", "2026-11-30"]
