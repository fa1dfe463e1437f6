"""The client's own limits: an overall deadline per call, a cap on pages per listing and on
response size, each ending in a typed error that names its setting.

Issue 15: a server sending one byte per second held a call past 25 s with a 2 s read timeout
(the read timeout bounds each recv, not the call); endless ``next`` links ran 339 pages; one
huge page took 230 MiB. These are faults the simulator cannot make, so they come from servers on
loopback that misbehave on purpose.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator

import pytest
from django.test import override_settings

from django_vonage_meetings import services
from django_vonage_meetings.client import MeetingsClient
from django_vonage_meetings.exceptions import (
    DeadlineExceededError,
    MeetingsConnectionError,
    MeetingsLimitError,
    ResponseTooLargeError,
    TooManyPagesError,
)
from tests.fixtures.client import Reply

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


def drip(data: bytes, every: float = 1.0) -> Iterator[bytes | float]:
    for byte in data:
        yield bytes([byte])
        yield every


def test_a_server_dripping_its_headers_is_cut_off_at_the_deadline(make_client, raw_server):
    body = b'{"id": "r1"}'
    server = raw_server(lambda: drip(HEAD + f"Content-Length: {len(body)}\r\n\r\n".encode() + body))
    client = make_client(api_host=server.url, timeout=2.0, deadline=3.0, max_retries=2)
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError) as info:
        client.get_room("r1")
    elapsed = time.monotonic() - started
    assert 2.9 < elapsed < 4.5
    assert "VONAGE_MEETINGS['CALL_DEADLINE']" in str(info.value)
    assert info.value.setting == "CALL_DEADLINE"
    # Still a connection error for callers that catch those.
    assert isinstance(info.value, MeetingsConnectionError)
    assert server.connections == 1  # not retried past the deadline


def test_a_server_dripping_its_body_is_cut_off_at_the_deadline(make_client, raw_server):
    body = json.dumps({"id": "r1", "display_name": "x" * 100}).encode()

    def script() -> Iterator[bytes | float]:
        yield HEAD + f"Content-Length: {len(body)}\r\n\r\n".encode()
        yield from drip(body)

    server = raw_server(script)
    client = make_client(api_host=server.url, timeout=2.0, deadline=3.0)
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        client.get_room("r1")
    assert time.monotonic() - started < 4.5


def test_the_deadline_covers_retries_and_their_pauses(make_client, scripted_server):
    scripted_server.script(
        "GET", "/v1/meetings/rooms/r1", Reply(503, {"message": "busy"}, {"Retry-After": "2"})
    )
    client = make_client(max_retries=5, deadline=1.0, retry_after_max=60)
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        client.get_room("r1")
    # It did not sleep 2 s for a retry that could only start after the deadline.
    assert time.monotonic() - started < 1.0
    assert len(scripted_server.calls("GET", "/v1/meetings/rooms/r1")) == 1


def test_a_fast_answer_is_untouched_by_the_deadline(make_client, scripted_server):
    scripted_server.script("GET", "/v1/meetings/rooms/r1", Reply(200, {"id": "r1"}))
    client = make_client(deadline=5.0)
    for _ in range(3):
        assert client.get_room("r1") == {"id": "r1"}


def endless_pages(recorded):
    start = int(recorded.query.get("start_id", ["1"])[0])
    return Reply(
        200,
        {
            "page_size": 1,
            "_embedded": [{"id": f"room-{start}", "display_name": f"Room {start}"}],
            "_links": {"next": {"href": f"/v1/meetings/rooms?page_size=1&start_id={start + 1}"}},
        },
    )


def test_endless_next_links_stop_at_the_page_cap(make_client, scripted_server):
    scripted_server.handle("GET", "/v1/meetings/rooms", endless_pages)
    client = make_client(max_pages=5)
    seen: list[str] = []
    with pytest.raises(TooManyPagesError) as info:
        seen.extend(room["id"] for room in client.get_rooms(page_size=1))
    assert seen == [f"room-{n}" for n in range(1, 6)]
    assert len(scripted_server.calls("GET", "/v1/meetings/rooms")) == 5
    assert "VONAGE_MEETINGS['MAX_PAGES']" in str(info.value)


def test_the_page_cap_is_a_setting_and_the_sync_reports_it(settings, scripted_server, key_pair, db):
    scripted_server.handle("GET", "/v1/meetings/rooms", endless_pages)
    settings.VONAGE_MEETINGS = {
        "APPLICATION_ID": "app-123",
        "PRIVATE_KEY": key_pair.private_pem,
        "API_HOST": scripted_server.url,
        "MAX_PAGES": 3,
    }
    with pytest.raises(TooManyPagesError, match="MAX_PAGES"):
        services.sync_rooms(page_size=1)
    assert len(scripted_server.calls("GET", "/v1/meetings/rooms")) == 3


def test_a_huge_answer_is_refused_by_its_content_length(make_client, scripted_server):
    big = {"id": "r1", "pad": "x" * 2_000_000}
    scripted_server.script("GET", "/v1/meetings/rooms/r1", Reply(200, big))
    client = make_client(max_response_bytes=1_000_000)
    with pytest.raises(ResponseTooLargeError) as info:
        client.get_room("r1")
    assert "VONAGE_MEETINGS['MAX_RESPONSE_BYTES']" in str(info.value)
    assert isinstance(info.value, MeetingsLimitError)


def test_an_endless_chunked_answer_is_read_only_up_to_the_cap(make_client, raw_server):
    sent = []

    def script() -> Iterator[bytes | float]:
        yield HEAD + b"Transfer-Encoding: chunked\r\n\r\n"
        chunk = b"x" * 65536
        for _ in range(800):  # 50 MiB, unless the client stops reading
            sent.append(len(chunk))
            yield b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        yield b"0\r\n\r\n"

    server = raw_server(script)
    client = make_client(api_host=server.url, max_response_bytes=256 * 1024, deadline=10.0)
    with pytest.raises(ResponseTooLargeError):
        client.get_room("r1")
    time.sleep(0.2)
    assert sum(sent) < 20 * 1024 * 1024


def test_the_cap_counts_decoded_bytes(make_client, raw_server):
    bomb = gzip.compress(b'{"pad": "' + b"0" * 5_000_000 + b'"}')

    def script() -> Iterator[bytes | float]:
        yield HEAD + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb)
        yield bomb

    server = raw_server(script)
    client = make_client(api_host=server.url, max_response_bytes=1_000_000)
    assert len(bomb) < 1_000_000
    with pytest.raises(ResponseTooLargeError):
        client.get_room("r1")


def test_settings_reach_the_client(settings, key_pair):
    settings.VONAGE_MEETINGS = {
        "APPLICATION_ID": "app-123",
        "PRIVATE_KEY": key_pair.private_pem,
        "CALL_DEADLINE": 7.5,
        "MAX_PAGES": 12,
        "MAX_RESPONSE_BYTES": 4096,
    }
    client = MeetingsClient.from_settings()
    assert client.limits.deadline == 7.5
    assert client.limits.max_bytes == 4096
    assert client.max_pages == 12
    client.close()


@pytest.mark.parametrize(
    ("name", "value"), [("CALL_DEADLINE", 0), ("MAX_PAGES", 0), ("MAX_RESPONSE_BYTES", 10)]
)
def test_limit_settings_are_validated(key_pair, name, value):
    from django_vonage_meetings.conf import ConfigProblem, meetings_settings

    with override_settings(VONAGE_MEETINGS={name: value}):
        with pytest.raises(ConfigProblem, match=name):
            meetings_settings.get(name)


def test_old_constructor_calls_still_work_and_limits_can_be_lifted(key_pair, scripted_server):
    scripted_server.script("GET", "/v1/meetings/rooms/r1", Reply(200, {"id": "r1"}))
    client = MeetingsClient(
        "app-123",
        key_pair.private_pem,
        scripted_server.url,
        timeout=5.0,
        connect_timeout=2.0,
        max_retries=1,
        backoff_factor=0.01,
        backoff_max=1.0,
        retry_after_max=5.0,
        jwt_ttl=300,
    )
    assert client.get_room("r1") == {"id": "r1"}
    client.close()
    unbounded = MeetingsClient(
        "app-123",
        key_pair.private_pem,
        scripted_server.url,
        deadline=None,
        max_pages=None,
        max_response_bytes=None,
    )
    assert unbounded.get_room("r1") == {"id": "r1"}
    unbounded.close()
