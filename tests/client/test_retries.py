"""Bounded retries through urllib3's Retry: idempotent methods on 429/5xx, POST only on 429."""

from __future__ import annotations

import socket
import time

import pytest

from django_vonage_meetings.exceptions import (
    MeetingsConnectionError,
    RateLimitError,
    ServerError,
)
from tests.fixtures.client import Reply

ROOM = {"id": "r1", "display_name": "x"}


def test_retry_after_is_honoured(make_client, scripted_server):
    scripted_server.script(
        "GET",
        "/v1/meetings/rooms/r1",
        Reply(429, {"title": "Too Many Requests"}, {"Retry-After": "1"}),
        Reply(200, ROOM),
    )
    client = make_client(backoff_factor=0)
    started = time.monotonic()
    assert client.get_room("r1")["id"] == "r1"
    elapsed = time.monotonic() - started
    calls = scripted_server.calls("GET", "/v1/meetings/rooms/r1")
    assert len(calls) == 2
    assert calls[1].at - calls[0].at >= 0.95
    assert elapsed < 3


def test_http_date_retry_after(make_client, scripted_server):
    from email.utils import formatdate

    scripted_server.script(
        "GET",
        "/v1/meetings/rooms/r1",
        Reply(503, {"status": 503}, {"Retry-After": formatdate(time.time() + 2, usegmt=True)}),
        Reply(200, ROOM),
    )
    make_client(backoff_factor=0).get_room("r1")
    calls = scripted_server.calls("GET", "/v1/meetings/rooms/r1")
    assert len(calls) == 2
    assert calls[1].at - calls[0].at >= 0.9


def test_too_long_retry_after_fails_fast(make_client, scripted_server):
    scripted_server.script(
        "GET",
        "/v1/meetings/rooms/r1",
        Reply(429, {"title": "Too Many Requests"}, {"Retry-After": "3600"}),
    )
    started = time.monotonic()
    with pytest.raises(RateLimitError) as info:
        make_client(retry_after_max=10).get_room("r1")
    assert time.monotonic() - started < 2
    assert info.value.retry_after == pytest.approx(3600, abs=1)
    assert len(scripted_server.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_get_is_retried_on_5xx_with_backoff(make_client, scripted_server, status):
    scripted_server.script(
        "GET",
        "/v1/meetings/rooms/r1",
        Reply(status, {"status": status}),
        Reply(status, {}),
        Reply(200, ROOM),
    )
    assert make_client(backoff_factor=0.2).get_room("r1") == ROOM
    calls = scripted_server.calls()
    assert len(calls) == 3
    # urllib3 backoff: no sleep before the first retry, factor * 2 before the second.
    assert calls[2].at - calls[1].at >= 0.35


def test_retries_are_bounded(make_client, scripted_server):
    scripted_server.script(
        "GET", "/v1/meetings/rooms/r1", Reply(503, {"status": 503, "message": "down"})
    )
    with pytest.raises(ServerError):
        make_client(max_retries=2).get_room("r1")
    assert len(scripted_server.requests) == 3


def test_no_second_post_after_500(make_client, scripted_server):
    scripted_server.script(
        "POST",
        "/v1/meetings/rooms",
        Reply(
            500, {"status": 500, "name": "InternalServerError", "message": "Internal Server Error"}
        ),
        Reply(201, ROOM),
    )
    with pytest.raises(ServerError):
        make_client().create_room({"display_name": "x"})
    assert len(scripted_server.calls("POST")) == 1


def test_no_second_post_after_a_read_timeout(make_client, scripted_server):
    scripted_server.script("POST", "/v1/meetings/rooms", Reply(201, ROOM, delay=1.5))
    with pytest.raises(MeetingsConnectionError, match="timed out"):
        make_client(timeout=0.5).create_room({"display_name": "x"})
    time.sleep(1.2)
    assert len(scripted_server.calls("POST")) == 1


def test_post_is_retried_on_429(make_client, scripted_server):
    scripted_server.script(
        "POST",
        "/v1/meetings/rooms",
        Reply(429, {"title": "Too Many Requests"}, {"Retry-After": "0"}),
        Reply(201, ROOM),
    )
    assert make_client().create_room({"display_name": "x"}) == ROOM
    assert len(scripted_server.calls("POST")) == 2


def test_patch_is_retried_on_503(make_client, scripted_server):
    scripted_server.script(
        "PATCH", "/v1/meetings/rooms/r1", Reply(503, {"status": 503}), Reply(200, ROOM)
    )
    make_client().update_room("r1", {"join_approval_level": "none"})
    assert len(scripted_server.calls("PATCH")) == 2


def test_connection_refused_after_retries():
    from django_vonage_meetings.client import MeetingsClient

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from tests.fixtures.keys import make_key_pair

    client = MeetingsClient(
        "a",
        make_key_pair().private_pem,
        f"http://127.0.0.1:{port}",
        max_retries=2,
        backoff_factor=0.01,
    )
    with pytest.raises(MeetingsConnectionError, match=f"127.0.0.1:{port}"):
        client.get_dial_in_numbers()


def test_a_server_that_never_answers_times_out(make_client, scripted_server):
    scripted_server.script("GET", "/v1/meetings/rooms/r1", Reply(200, ROOM, delay=3))
    started = time.monotonic()
    with pytest.raises(MeetingsConnectionError, match="timed out") as info:
        make_client(timeout=0.3, max_retries=1).get_room("r1")
    # two attempts of 0.3 s read timeout each, plus a tiny backoff
    assert time.monotonic() - started < 2.0
    assert len(scripted_server.calls("GET")) == 2
    assert "read timeout" in str(info.value)
    assert "127.0.0.1" in str(info.value)


def test_too_long_retry_after_on_503_fails_fast(make_client, scripted_server):
    scripted_server.script(
        "GET",
        "/v1/meetings/rooms/r1",
        Reply(503, {"status": 503, "message": "maintenance"}, {"Retry-After": "3600"}),
        Reply(200, ROOM),
    )
    started = time.monotonic()
    with pytest.raises(ServerError) as info:
        make_client(retry_after_max=10).get_room("r1")
    assert time.monotonic() - started < 2
    assert info.value.retry_after == pytest.approx(3600, abs=1)
    assert "maintenance" in str(info.value)
    assert len(scripted_server.requests) == 1


def test_unparseable_retry_after_falls_back_to_backoff(make_client, scripted_server):
    scripted_server.script(
        "GET",
        "/v1/meetings/rooms/r1",
        Reply(503, {"status": 503}, {"Retry-After": "soon"}),
        Reply(200, ROOM),
    )
    assert make_client().get_room("r1") == ROOM
    assert len(scripted_server.requests) == 2


def test_post_rate_limited_until_retries_run_out(make_client, scripted_server):
    scripted_server.script(
        "POST",
        "/v1/meetings/rooms",
        Reply(429, {"title": "Too Many Requests", "detail": "slow down"}, {"Retry-After": "0"}),
    )
    with pytest.raises(RateLimitError, match="slow down") as info:
        make_client(max_retries=2).create_room({"display_name": "x"})
    assert info.value.status_code == 429
    assert len(scripted_server.calls("POST")) == 3


def test_get_is_retried_after_a_read_timeout(make_client, scripted_server):
    scripted_server.script(
        "GET", "/v1/meetings/rooms/r1", Reply(200, ROOM, delay=1.0), Reply(200, ROOM)
    )
    assert make_client(timeout=0.3).get_room("r1") == ROOM
    assert len(scripted_server.calls("GET")) == 2


def test_post_is_not_replayed_after_the_connection_drops(make_client, dropping_server):
    """The request was sent and may have been processed: a second POST could make two rooms."""
    with pytest.raises(MeetingsConnectionError, match="may have received") as info:
        make_client(api_host=dropping_server.url).create_room({"display_name": "x"})
    assert "not replayed" in str(info.value)
    assert dropping_server.request_lines == ["POST /v1/meetings/rooms HTTP/1.1"]


def test_get_is_retried_after_the_connection_drops(make_client, dropping_server):
    with pytest.raises(MeetingsConnectionError):
        make_client(api_host=dropping_server.url, max_retries=2).get_room("r1")
    assert dropping_server.request_lines == ["GET /v1/meetings/rooms/r1 HTTP/1.1"] * 3


def test_post_is_retried_on_connection_refused(caplog):
    """Refused connections never carried the request, so even a POST is tried again."""
    from django_vonage_meetings.client import MeetingsClient
    from tests.fixtures.keys import make_key_pair

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = MeetingsClient(
        "a",
        make_key_pair().private_pem,
        f"http://127.0.0.1:{port}",
        max_retries=2,
        backoff_factor=0.01,
    )
    with caplog.at_level("WARNING", logger="urllib3.connectionpool"):
        with pytest.raises(MeetingsConnectionError, match=f"could not reach 127.0.0.1:{port}"):
            client.create_room({"display_name": "x"})
    retried = [r for r in caplog.records if r.getMessage().startswith("Retrying")]
    assert len(retried) == 2
    client.close()
