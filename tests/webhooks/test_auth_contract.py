"""Every way a callback can fail authentication, each with its exact status and no trace left."""

from __future__ import annotations

import logging
import time

import jwt
import pytest
from django.test import override_settings

from django_vonage_meetings import signals
from django_vonage_meetings.models import WebhookEvent, WebhookNonce
from django_vonage_meetings.webhooks import signed_webhook_url
from tests.fixtures.webhooks import NEW_SECRET, OLD_SECRET, sign

PAYLOAD = {
    "event": "session:started",
    "session_id": "2_MX40NjMzOTg5Mn5-fg",
    "room_id": "9f8a9e56-0f8a-4d36-9a3a-5b1b1c3d2e10",
    "started_at": "2023-06-06T06:55:07.134Z",
}


def assert_nothing_left(captured):
    assert WebhookEvent.objects.count() == 0
    assert WebhookNonce.objects.count() == 0
    assert captured.calls == []


def test_valid_jwt(post_webhook, captured):
    response = post_webhook(PAYLOAD)
    assert response.status_code == 204
    assert response.content == b""
    event = WebhookEvent.objects.get()
    assert (event.event_type, event.status, event.auth_method) == (
        "session:started",
        "processed",
        "jwt",
    )
    assert captured.names() == ["webhook_received", "session_started", "webhook_processed"]


@pytest.mark.parametrize("secret", [NEW_SECRET, OLD_SECRET])
def test_each_rotated_secret_verifies(post_webhook, secret):
    assert post_webhook(PAYLOAD, secret=secret).status_code == 204


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"secret": "some-other-secret-entirely-different"}, "bad_signature"),
        ({"payload_hash": None}, "missing_payload_hash"),
        ({"payload_hash": "0" * 64}, "payload_hash_mismatch"),
        ({"iat": int(time.time()) - 301}, "stale_iat"),
        ({"iat": int(time.time()) + 120}, "future_iat"),
        ({"iat": None}, "missing_iat"),
        ({"jti": None}, "missing_jti"),
        ({"exp": int(time.time()) - 120}, "expired_token"),
        ({"application_id": "someone-else"}, "wrong_application"),
        ({"signed": False}, "missing_auth"),
    ],
)
def test_refusals(post_webhook, captured, caplog, options, code):
    with caplog.at_level(logging.WARNING, logger="django_vonage_meetings.webhooks"):
        response = post_webhook(PAYLOAD, **options)
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert_nothing_left(captured)
    (record,) = [r for r in caplog.records if r.name == "django_vonage_meetings.webhooks"]
    assert f"reason={code}" in record.getMessage()
    assert NEW_SECRET not in record.getMessage()
    assert "Bearer" not in record.getMessage()


def test_small_clock_skew_is_allowed(post_webhook):
    assert post_webhook(PAYLOAD, iat=int(time.time()) + 20).status_code == 204


def test_tampered_body(client, webhook_settings, captured):
    request = sign(PAYLOAD)
    tampered = request.body.replace(b"2023-06-06", b"2024-06-06")
    response = client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        tampered,
        content_type="application/json",
        HTTP_AUTHORIZATION=request.headers["Authorization"],
    )
    assert response.status_code == 401
    assert response.json()["code"] == "payload_hash_mismatch"
    assert_nothing_left(captured)


def test_replayed_jti(client, webhook_settings, captured):
    request = sign(PAYLOAD)
    first = client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        request.body,
        content_type="application/json",
        HTTP_AUTHORIZATION=request.headers["Authorization"],
    )
    assert first.status_code == 204
    before = list(captured.calls)
    replay = client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        request.body,
        content_type="application/json",
        HTTP_AUTHORIZATION=request.headers["Authorization"],
    )
    assert replay.status_code == 401
    assert replay.json()["code"] == "replayed_jti"
    assert WebhookEvent.objects.get().deliveries == 1
    assert captured.calls == before


def _post(client, request):
    return client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        request.body,
        content_type="application/json",
        HTTP_AUTHORIZATION=request.headers["Authorization"],
    )


def test_a_first_delivery_keeps_its_token_on_the_event(client, webhook_settings):
    request = sign(PAYLOAD)
    assert _post(client, request).status_code == 204
    jti = jwt.decode(
        request.headers["Authorization"].removeprefix("Bearer "),
        options={"verify_signature": False},
    )["jti"]
    assert WebhookEvent.objects.get().jti == jti
    assert WebhookNonce.objects.count() == 0


def test_a_replayed_redelivery_is_refused(client, webhook_settings, captured):
    """A redelivery's token lives in WebhookNonce, not on the event: replaying it still fails."""
    assert _post(client, sign(PAYLOAD)).status_code == 204
    redelivery = sign(PAYLOAD)
    assert _post(client, redelivery).status_code == 204
    assert WebhookNonce.objects.count() == 1
    before = list(captured.calls)
    replay = _post(client, redelivery)
    assert replay.status_code == 401
    assert replay.json()["code"] == "replayed_jti"
    assert WebhookEvent.objects.get().deliveries == 2
    assert WebhookNonce.objects.count() == 1
    assert captured.calls == before


def test_a_replay_of_a_failed_first_delivery_is_refused(client, webhook_settings, captured):
    def explode(**kwargs):
        raise RuntimeError("receiver down")

    request = sign(PAYLOAD)
    signals.session_started.connect(explode, dispatch_uid="explode")
    try:
        assert _post(client, request).status_code == 500
    finally:
        signals.session_started.disconnect(dispatch_uid="explode")
    assert WebhookEvent.objects.get().status == "failed"
    replay = _post(client, request)
    assert replay.status_code == 401
    assert replay.json()["code"] == "replayed_jti"
    assert WebhookEvent.objects.get().status == "failed"
    # The sender's own retry is a new token, and applies it.
    assert _post(client, sign(PAYLOAD)).status_code == 204
    assert WebhookEvent.objects.get().status == "processed"


def test_malformed_authorization(client, webhook_settings, captured):
    for header in ("Basic dXNlcjpwYXNz", "Bearer not-a-jwt", "Bearer "):
        response = client.generic(
            "POST",
            "/vonage/meetings/webhooks/",
            b"{}",
            content_type="application/json",
            HTTP_AUTHORIZATION=header,
        )
        assert response.status_code == 401
    assert_nothing_left(captured)


def test_rs256_token_is_refused(client, webhook_settings, key_pair, captured):
    import json

    import jwt

    body = json.dumps(PAYLOAD).encode()
    token = jwt.encode(
        {"iat": int(time.time()), "jti": "x", "payload_hash": "x"},
        key_pair.private_pem,
        algorithm="RS256",
    )
    response = client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 401
    assert response.json()["code"] == "malformed_token"
    assert_nothing_left(captured)


def test_signed_url(post_webhook, captured):
    url = signed_webhook_url()
    assert url.startswith("https://app.example.com/vonage/meetings/webhooks/")
    path = url.removeprefix("https://app.example.com")
    response = post_webhook(PAYLOAD, signed=False, path=path)
    assert response.status_code == 204
    assert WebhookEvent.objects.get().auth_method == "signed_url"


def test_signed_url_made_with_the_old_secret_still_verifies(post_webhook, settings):
    with override_settings(
        VONAGE_MEETINGS={**settings.VONAGE_MEETINGS, "SIGNATURE_SECRETS": [OLD_SECRET]}
    ):
        old_path = signed_webhook_url().removeprefix("https://app.example.com")
    assert post_webhook(PAYLOAD, signed=False, path=old_path).status_code == 204


@pytest.mark.parametrize(
    "token",
    ["vonage-meetings-callbacks:forged", "nonsense", "vonage-meetings-callbacks:" + "A" * 43],
)
def test_forged_url_token(post_webhook, captured, token):
    response = post_webhook(PAYLOAD, signed=False, path=f"/vonage/meetings/webhooks/{token}/")
    assert response.status_code == 401
    assert response.json()["code"] == "bad_url_token"
    assert_nothing_left(captured)


def test_wrong_method(client, webhook_settings, captured):
    for method in ("get", "put", "delete", "patch"):
        response = getattr(client, method)("/vonage/meetings/webhooks/")
        assert response.status_code == 405
        assert response["Allow"] == "POST"
    assert_nothing_left(captured)


def test_wrong_content_type(post_webhook, captured):
    response = post_webhook(PAYLOAD, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert_nothing_left(captured)


def test_too_large(post_webhook, captured, settings):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_MAX_BODY_SIZE": 1024}
    response = post_webhook({**PAYLOAD, "padding": "x" * 2000})
    assert response.status_code == 413
    assert_nothing_left(captured)


def test_no_secrets_configured_refuses_everything(post_webhook, captured, settings):
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "SIGNATURE_SECRETS": []}
    response = post_webhook(PAYLOAD)
    assert response.status_code == 401
    assert response.json()["code"] == "no_secret"
    assert_nothing_left(captured)


def test_csrf_is_not_required(webhook_settings, db):
    from django.test import Client

    request = sign(PAYLOAD)
    strict = Client(enforce_csrf_checks=True)
    response = strict.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        request.body,
        content_type="application/json",
        HTTP_AUTHORIZATION=request.headers["Authorization"],
    )
    assert response.status_code == 204


def test_refusals_never_touch_the_database(post_webhook, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert (
            post_webhook(PAYLOAD, secret="wrong-secret-wrong-secret-wrong-secret").status_code
            == 401
        )
        assert post_webhook(PAYLOAD, signed=False).status_code == 401
        assert post_webhook(PAYLOAD, content_type="text/plain").status_code == 415
