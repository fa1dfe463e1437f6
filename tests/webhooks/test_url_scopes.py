"""Callback URLs with the least power that works: a room's token lets in that room only.

Issue 15: one URL token was valid for every event of every room forever, and a token URL
skipped the JWT entirely. Now a token carries its scope, a callback outside it gets 403 with
nothing stored, an ``Authorization`` header is always verified, ``WEBHOOK_PROOF`` says which
proof is required, and tokens die with the secret that made them.
"""

from __future__ import annotations

import logging
import re

import pytest
from django.core import signing
from django.urls import reverse

from django_vonage_meetings.conf import ConfigProblem, meetings_settings
from django_vonage_meetings.models import Room, Session, WebhookEvent, WebhookNonce
from django_vonage_meetings.webhooks import signed_webhook_url
from django_vonage_meetings.webhooks.tokens import (
    LEGACY_SALT,
    URL_SALT,
    CallbackScope,
    make_url_token,
    peek_url_token,
    room_callback_url,
    verify_url_token,
)
from tests.fixtures.webhooks import NEW_SECRET, OLD_SECRET, sign

ROOM_A = "9f8a9e56-0f8a-4d36-9a3a-5b1b1c3d2e10"
ROOM_B = "11111111-2222-4333-8444-555555555555"


def started(room: str | None, session: str = "2_session-a") -> dict:
    payload = {"event": "session:started", "session_id": session}
    if room is not None:
        payload["room_id"] = room
    return payload


def path_for(scope: CallbackScope, secrets=(NEW_SECRET,)) -> str:
    return reverse("vonage_meetings:webhook-signed", args=[make_url_token(list(secrets), scope)])


def post(client, path: str, payload: dict, *, jwt: bool = False, secret: str = NEW_SECRET):
    request = sign(payload, secret)
    extra = {"HTTP_AUTHORIZATION": request.headers["Authorization"]} if jwt else {}
    return client.generic("POST", path, request.body, content_type="application/json", **extra)


def assert_nothing_left(captured):
    assert WebhookEvent.objects.count() == 0
    assert WebhookNonce.objects.count() == 0
    assert captured.calls == []


def mirrored_room(room_id: str, url: str | None) -> Room:
    urls = {"rooms_callback_url": url, "sessions_callback_url": url} if url else {}
    return Room.objects.create(
        vonage_id=room_id, display_name=room_id[:4], data={"id": room_id, "callback_urls": urls}
    )


# -- the token -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scope", [CallbackScope(), CallbackScope(room=ROOM_A), CallbackScope.for_new_room()]
)
def test_tokens_carry_their_scope_and_are_path_safe(scope):
    token = make_url_token([NEW_SECRET, OLD_SECRET], scope)
    assert re.fullmatch(r"[A-Za-z0-9_\-:]+", token)
    assert verify_url_token(token, [OLD_SECRET, NEW_SECRET]) == scope
    assert peek_url_token(token) == scope


def test_the_payload_is_small_and_versioned():
    token = make_url_token([NEW_SECRET], CallbackScope(room=ROOM_A))
    assert signing.Signer(key=NEW_SECRET, salt=URL_SALT).unsign_object(token) == {
        "v": 1,
        "room": ROOM_A,
    }
    assert signing.Signer(key=NEW_SECRET, salt=URL_SALT).unsign_object(
        make_url_token([NEW_SECRET])
    ) == {"v": 1}


@pytest.mark.parametrize(
    "claims",
    [
        {"v": 2},
        {"room": ROOM_A},
        {"v": 1, "room": ROOM_A, "app": "north"},
        {"v": 1, "room": 5},
        {"v": 1, "room": ROOM_A, "key": "k"},
        {"v": 1, "room": "x" * 65},
        ["v", 1],
    ],
)
def test_a_signed_token_this_version_did_not_make_is_refused(
    client, webhook_settings, captured, claims
):
    token = signing.Signer(key=NEW_SECRET, salt=URL_SALT).sign_object(claims)
    path = reverse("vonage_meetings:webhook-signed", args=[token])
    response = post(client, path, started(ROOM_A))
    assert response.status_code == 401
    assert response.json()["code"] == "bad_url_token"
    assert_nothing_left(captured)


def test_the_application_url_stays_broad(client, webhook_settings, captured):
    url = signed_webhook_url()
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert verify_url_token(token, [NEW_SECRET]).is_application
    path = url.removeprefix("https://app.example.com")
    assert post(client, path, started(ROOM_A)).status_code == 204
    assert post(client, path, started(ROOM_B, "2_session-b")).status_code == 204
    assert (
        post(
            client, path, {"event": "recording:started", "recording_id": "r", "session_id": "x"}
        ).status_code
        == 204
    )


def test_room_callback_urls_need_a_room():
    with pytest.raises(ValueError):
        room_callback_url(CallbackScope())


# -- room scope by id ------------------------------------------------------------------------


def test_a_room_token_lets_in_that_room(client, webhook_settings, captured):
    response = post(client, path_for(CallbackScope(room=ROOM_A)), started(ROOM_A))
    assert response.status_code == 204
    assert WebhookEvent.objects.get().auth_method == "signed_url"


def test_a_callback_about_another_room_is_403(client, webhook_settings, captured, caplog):
    path = path_for(CallbackScope(room=ROOM_A))
    with caplog.at_level(logging.WARNING, logger="django_vonage_meetings.webhooks"):
        response = post(client, path, started(ROOM_B))
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"
    assert_nothing_left(captured)
    assert "reason=out_of_scope" in caplog.text


def test_a_recording_event_is_placed_through_the_mirrored_session(
    client, webhook_settings, captured
):
    Session.objects.create(vonage_id="2_session-a", room_id=ROOM_A)
    Session.objects.create(vonage_id="2_session-b", room_id=ROOM_B)
    event = {"event": "recording:started", "recording_id": "rec-1", "session_id": "2_session-b"}
    response = post(client, path_for(CallbackScope(room=ROOM_A)), event)
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"
    assert_nothing_left(captured)
    ok = post(client, path_for(CallbackScope(room=ROOM_B)), event)
    assert ok.status_code == 204


def test_an_unplaceable_callback_is_403_until_the_mirror_knows(client, webhook_settings, captured):
    path = path_for(CallbackScope(room=ROOM_A))
    event = {"event": "recording:started", "recording_id": "rec-1", "session_id": "2_session-a"}
    response = post(client, path, event)
    assert response.status_code == 403
    assert response.json()["code"] == "scope_unresolved"
    assert_nothing_left(captured)
    # The sender retries; meanwhile session:started (which names the room) was applied.
    assert post(client, path, started(ROOM_A)).status_code == 204
    assert post(client, path, event).status_code == 204
    assert WebhookEvent.objects.count() == 2


def test_a_callback_naming_one_room_and_another_rooms_session_is_403(
    client, webhook_settings, captured
):
    Session.objects.create(vonage_id="2_session-b", room_id=ROOM_B)
    payload = {**started(ROOM_A, "2_session-b"), "event": "session:ended"}
    response = post(client, path_for(CallbackScope(room=ROOM_A)), payload)
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"
    assert_nothing_left(captured)


def test_a_recording_of_another_room_is_403(client, webhook_settings, captured):
    from django_vonage_meetings.models import Recording

    Recording.objects.create(vonage_id="rec-b", room_id=ROOM_B, status="stopped")
    payload = {
        "event": "recording:uploaded",
        "recording_id": "rec-b",
        "session_id": "2_new",
        "room_id": ROOM_A,
        "url": "https://attacker.example/x.mp4",
    }
    response = post(client, path_for(CallbackScope(room=ROOM_A)), payload)
    assert response.status_code == 403
    assert Recording.objects.get(vonage_id="rec-b").url == ""


# -- room scope by a new room's key --------------------------------------------------------


def test_a_new_rooms_key_is_bound_by_the_rooms_own_callback_urls(
    client, webhook_settings, captured
):
    scope_a, scope_b = CallbackScope.for_new_room(), CallbackScope.for_new_room()
    url_a, url_b = room_callback_url(scope_a), room_callback_url(scope_b)
    path_a = url_a.removeprefix("https://app.example.com")
    assert post(client, path_a, started(ROOM_A)).json()["code"] == "scope_unresolved"
    mirrored_room(ROOM_A, url_a)
    mirrored_room(ROOM_B, url_b)
    assert_nothing_left(captured)
    assert post(client, path_a, started(ROOM_A)).status_code == 204
    refused = post(client, path_a, started(ROOM_B, "2_session-b"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "out_of_scope"
    assert WebhookEvent.objects.count() == 1


def test_a_stub_room_without_callback_urls_cannot_place_a_key(client, webhook_settings):
    mirrored_room(ROOM_A, None)
    path = room_callback_url(CallbackScope.for_new_room()).removeprefix("https://app.example.com")
    assert post(client, path, started(ROOM_A)).json()["code"] == "scope_unresolved"


# -- proofs ------------------------------------------------------------------------------------


def test_an_authorization_header_is_always_verified(client, webhook_settings, captured):
    path = path_for(CallbackScope(room=ROOM_A))
    response = post(client, path, started(ROOM_A), jwt=True, secret="wrong-secret-" * 3)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert_nothing_left(captured)
    bad = client.generic(
        "POST", path, b"{}", content_type="application/json", HTTP_AUTHORIZATION="Basic x"
    )
    assert bad.status_code == 401
    assert bad.json()["code"] == "bad_scheme"


def test_both_proofs_together(client, webhook_settings):
    response = post(client, path_for(CallbackScope(room=ROOM_A)), started(ROOM_A), jwt=True)
    assert response.status_code == 204
    event = WebhookEvent.objects.get()
    assert event.auth_method == "jwt+signed_url"
    assert event.jti


def test_a_jwt_does_not_widen_a_room_token(client, webhook_settings, captured):
    response = post(client, path_for(CallbackScope(room=ROOM_A)), started(ROOM_B), jwt=True)
    assert response.status_code == 403
    assert_nothing_left(captured)


@pytest.mark.parametrize(
    "case",
    [
        ("either", True, False, 204),
        ("either", False, True, 204),
        ("either", False, False, "missing_auth"),
        ("jwt", True, False, 204),
        ("jwt", True, True, 204),
        ("jwt", False, True, "jwt_required"),
        ("url_token", False, True, 204),
        ("url_token", True, True, 204),
        ("url_token", True, False, "url_token_required"),
    ],
)
def test_webhook_proof(client, webhook_settings, settings, captured, case):
    proof, jwt, token, expected = case
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "WEBHOOK_PROOF": proof}
    path = path_for(CallbackScope(room=ROOM_A)) if token else "/vonage/meetings/webhooks/"
    response = post(client, path, started(ROOM_A), jwt=jwt)
    if expected == 204:
        assert response.status_code == 204
    else:
        assert response.status_code == 401
        assert response.json()["code"] == expected
        assert_nothing_left(captured)


def test_webhook_proof_is_validated(settings):
    settings.VONAGE_MEETINGS = {"WEBHOOK_PROOF": "both"}
    with pytest.raises(ConfigProblem, match="WEBHOOK_PROOF"):
        _ = meetings_settings.WEBHOOK_PROOF


# -- rotation and tokens of the first version -------------------------------------------------


def test_a_token_dies_with_its_secret(client, webhook_settings, settings, captured):
    path = path_for(CallbackScope(room=ROOM_A), secrets=[OLD_SECRET])
    assert post(client, path, started(ROOM_A)).status_code == 204
    WebhookEvent.objects.all().delete()
    captured.calls.clear()
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "SIGNATURE_SECRETS": [NEW_SECRET]}
    response = post(client, path, started(ROOM_A))
    assert response.status_code == 401
    assert response.json()["code"] == "bad_url_token"
    assert_nothing_left(captured)


def legacy_path(secret: str) -> str:
    token = signing.Signer(key=secret, salt=LEGACY_SALT).sign("vonage-meetings-callbacks")
    return reverse("vonage_meetings:webhook-signed", args=[token])


def test_a_first_version_token_is_application_scope(client, webhook_settings, settings):
    path = legacy_path(OLD_SECRET)
    assert verify_url_token(path.split("/")[-2], [OLD_SECRET]).legacy
    assert post(client, path, started(ROOM_A)).status_code == 204
    assert post(client, path, started(ROOM_B, "2_session-b")).status_code == 204
    settings.VONAGE_MEETINGS = {**settings.VONAGE_MEETINGS, "SIGNATURE_SECRETS": [NEW_SECRET]}
    assert post(client, path, started(ROOM_B, "2_other")).status_code == 401


def test_other_values_under_the_old_salt_are_refused(client, webhook_settings, captured):
    token = signing.Signer(key=NEW_SECRET, salt=LEGACY_SALT).sign("something-else")
    path = reverse("vonage_meetings:webhook-signed", args=[token])
    assert post(client, path, started(ROOM_A)).json()["code"] == "bad_url_token"
    assert_nothing_left(captured)
