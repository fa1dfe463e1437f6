"""Odd input is a clear 4xx with a stable code: nothing stored, no signal, never a 500.

Issue 15: a signed body with ``NaN`` was stored and then refused by the database on every
retry (500), deeply nested JSON raised ``RecursionError`` (500), and a token whose ``iat`` was
``NaN`` was accepted.
"""

from __future__ import annotations

import time

import pytest

from django_vonage_meetings.models import WebhookEvent, WebhookNonce
from tests.fixtures.webhooks import sign

PAYLOAD = {
    "event": "session:started",
    "session_id": "2_MX40NjMzOTg5Mn5-fg",
    "room_id": "9f8a9e56-0f8a-4d36-9a3a-5b1b1c3d2e10",
    "started_at": "2023-06-06T06:55:07.134Z",
}
HEAD = (
    b'{"event": "session:started", "session_id": "2_MX40NjMzOTg5Mn5-fg", '
    b'"room_id": "9f8a9e56-0f8a-4d36-9a3a-5b1b1c3d2e10", "extra": '
)


def post(client, body: bytes, **claims):
    request = sign(body, **claims)
    return client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        request.body,
        content_type="application/json",
        HTTP_AUTHORIZATION=request.headers["Authorization"],
    )


def assert_nothing_left(captured):
    assert WebhookEvent.objects.count() == 0
    assert WebhookNonce.objects.count() == 0
    assert captured.calls == []


@pytest.mark.parametrize(
    "number", [b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e400", b"[1.5, NaN]"]
)
def test_non_finite_numbers_are_refused(client, webhook_settings, captured, number):
    response = post(client, HEAD + number + b"}")
    assert response.status_code == 400
    assert response.json()["code"] == "non_finite_number"
    assert_nothing_left(captured)


def test_non_finite_numbers_in_known_fields_too(client, webhook_settings, captured):
    body = (
        b'{"event": "recording:ended", "recording_id": "r-1", "session_id": "s-1", "duration": NaN}'
    )
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["code"] == "non_finite_number"
    assert_nothing_left(captured)


def test_large_finite_numbers_are_fine(client, webhook_settings):
    assert post(client, HEAD + b"1.7976931348623157e308}").status_code == 204


def nested(depth: int) -> bytes:
    return HEAD + b"[" * depth + b"]" * depth + b"}"


def test_nesting_far_past_the_recursion_limit_is_refused(client, webhook_settings, captured):
    response = post(client, nested(100_000))
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"
    assert_nothing_left(captured)


def test_the_depth_limit_is_a_setting(client, webhook_settings, captured, settings):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_MAX_JSON_DEPTH": 5}
    # The payload object is level 1, so "extra" may nest 4 more.
    assert post(client, nested(4)).status_code == 204
    WebhookEvent.objects.all().delete()
    captured.calls.clear()
    response = post(client, nested(5))
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"
    assert "WEBHOOK_MAX_JSON_DEPTH" in response.json()["error"]
    assert_nothing_left(captured)


def test_the_default_depth_limit(client, webhook_settings, captured):
    from django_vonage_meetings.conf import meetings_settings

    limit = meetings_settings.WEBHOOK_MAX_JSON_DEPTH
    assert post(client, nested(limit - 1)).status_code == 204
    WebhookEvent.objects.all().delete()
    captured.calls.clear()
    assert post(client, nested(limit)).status_code == 400
    assert_nothing_left(captured)


def test_brackets_inside_strings_do_not_count(client, webhook_settings, settings):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_MAX_JSON_DEPTH": 3}
    assert post(client, HEAD + b'"[[[[[{{{{\\"[[[["}').status_code == 204


def test_nesting_in_a_utf16_body_is_measured_too(client, webhook_settings, captured, settings):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_MAX_JSON_DEPTH": 5}
    body = nested(10).decode().encode("utf-16")
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"
    assert_nothing_left(captured)


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"iat": float("nan")}, "invalid_iat"),
        ({"iat": float("inf")}, "invalid_iat"),
        ({"iat": float("-inf")}, "invalid_iat"),
        ({"iat": "1700000000"}, "invalid_iat"),
        ({"iat": True}, "invalid_iat"),
        ({"iat": [1]}, "invalid_iat"),
        ({"exp": float("nan")}, "invalid_exp"),
        ({"exp": float("inf")}, "invalid_exp"),
        ({"exp": "tomorrow"}, "invalid_exp"),
        ({"exp": None, "iat": None}, "missing_iat"),
    ],
)
def test_odd_time_claims_are_refused(client, webhook_settings, captured, claims, code):
    response = post(client, b'{"event": "session:started", "session_id": "s"}', **claims)
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert_nothing_left(captured)


def test_a_numeric_exp_in_the_future_is_fine(client, webhook_settings):
    body = b'{"event": "session:started", "session_id": "s"}'
    assert post(client, body, exp=time.time() + 60).status_code == 204
