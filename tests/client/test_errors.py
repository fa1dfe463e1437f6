"""Both error shapes of the service, and bodies that are not JSON, become typed errors."""

from __future__ import annotations

import pytest

from django_vonage_meetings.exceptions import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MeetingsAPIError,
    MeetingsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from tests.fixtures.client import Reply

PATH = "/v1/meetings/themes/t1"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (422, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (418, MeetingsAPIError),
    ],
)
def test_status_maps_to_class(make_client, scripted_server, status, cls):
    scripted_server.script(
        "GET", PATH, Reply(status, {"status": status, "name": "X", "message": "m"})
    )
    with pytest.raises(cls) as info:
        make_client().get_theme("t1")
    assert type(info.value) is cls
    assert isinstance(info.value, MeetingsError)
    assert isinstance(info.value, MeetingsAPIError)
    assert info.value.status_code == status


def test_service_shape(make_client, scripted_server):
    scripted_server.script(
        "DELETE",
        PATH,
        Reply(
            400,
            {
                "status": 400,
                "name": "BadRequestError",
                "message": "could not delete theme",
                "errors": ["Theme t1 is used by 1 room"],
            },
        ),
    )
    with pytest.raises(BadRequestError) as info:
        make_client().delete_theme("t1")
    err = info.value
    assert (err.name, err.message, err.errors) == (
        "BadRequestError",
        "could not delete theme",
        ["Theme t1 is used by 1 room"],
    )
    assert err.title is None
    assert "could not delete theme" in str(err)
    assert "Theme t1 is used by 1 room" in str(err)
    assert "DELETE" in str(err)


def test_object_errors_of_finalize(make_client, scripted_server):
    scripted_server.script(
        "PUT",
        "/v1/meetings/themes/t1/finalizeLogos",
        Reply(
            400,
            {
                "status": 400,
                "name": "BadRequestError",
                "message": "could not finalize logos",
                "errors": [{"logoKey": "k", "code": "key_not_found"}],
            },
        ),
    )
    with pytest.raises(BadRequestError) as info:
        make_client().finalize_logos("t1", ["k"])
    assert info.value.errors == [{"logoKey": "k", "code": "key_not_found"}]
    assert "code=key_not_found" in str(info.value)


def test_gateway_shape(make_client, scripted_server):
    scripted_server.script(
        "GET",
        PATH,
        Reply(
            401,
            {
                "type": "https://developer.vonage.com/api-errors#unauthorized",
                "title": "Unauthorized",
                "detail": "You did not provide correct credentials",
                "instance": "bf0ca0bf-927b-3b52-e5a9-5f6f5a7b0d6a",
            },
        ),
    )
    with pytest.raises(AuthenticationError) as info:
        make_client().get_theme("t1")
    err = info.value
    assert err.title == "Unauthorized"
    assert err.detail == "You did not provide correct credentials"
    assert err.type == "https://developer.vonage.com/api-errors#unauthorized"
    assert err.instance == "bf0ca0bf-927b-3b52-e5a9-5f6f5a7b0d6a"
    assert err.name is None
    assert "Unauthorized: You did not provide correct credentials" in str(err)


def test_non_json_body(make_client, scripted_server):
    scripted_server.script(
        "GET",
        PATH,
        Reply(502, "<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"}),
    )
    with pytest.raises(ServerError) as info:
        make_client(max_retries=0).get_theme("t1")
    assert info.value.status_code == 502
    assert "Bad gateway" in (info.value.body or "")
    assert "502" in str(info.value)


def test_rate_limit_after_retries(make_client, scripted_server):
    scripted_server.script(
        "GET",
        PATH,
        Reply(429, {"title": "Too Many Requests", "detail": "slow down"}, {"Retry-After": "0"}),
    )
    with pytest.raises(RateLimitError) as info:
        make_client(max_retries=2).get_theme("t1")
    assert info.value.retry_after == 0
    assert len(scripted_server.requests) == 3
