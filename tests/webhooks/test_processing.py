"""Stored once, applied forward-only in a transaction, then announced with the right instances."""

from __future__ import annotations

import json

import pytest

from django_vonage_meetings import signals
from django_vonage_meetings.models import (
    Participant,
    Recording,
    Room,
    Session,
    WebhookEvent,
)
from tests.fixtures.payloads import (
    PARTICIPANT,
    RECORDING,
    ROOM,
    SESSION,
    ended,
    person,
    recording,
    started,
)
from tests.fixtures.webhooks import sign


def test_room_expired_marks_the_room_unavailable(post_webhook, captured):
    Room.objects.create(vonage_id=ROOM, display_name="Weekly", is_available=True)
    payload = {
        "event": "room:expired",
        "room_id": ROOM,
        "room_type": "instant",
        "expires_at": "2023-06-06T07:05:07.134Z",
        "created_at": "2023-06-06T06:55:07.134Z",
    }
    assert post_webhook(payload).status_code == 204
    room = Room.objects.get(vonage_id=ROOM)
    assert room.is_available is False
    assert room.display_name == "Weekly"
    (sent,) = captured.of("room_expired")
    assert sent["sender"] is Room
    assert sent["room"] == room
    assert sent["payload"] == payload
    assert sent["stale"] is False
    assert sent["event"].event_type == "room:expired"


def test_room_expired_for_an_unknown_room_creates_it(post_webhook):
    post_webhook(
        {
            "event": "room:expired",
            "room_id": ROOM,
            "room_type": "long_term",
            "expires_at": "2023-06-06T07:05:07.134Z",
            "created_at": "2023-06-06T06:55:07.134Z",
        }
    )
    room = Room.objects.get(vonage_id=ROOM)
    assert (room.type, room.is_available) == ("long_term", False)
    assert room.created_at.isoformat().startswith("2023-06-06T06:55:07")


def test_session_lifecycle(post_webhook, captured):
    post_webhook(started())
    session = Session.objects.get()
    assert session.vonage_id == SESSION
    assert session.room_id == ROOM
    assert session.is_running
    assert Room.objects.filter(vonage_id=ROOM).exists()  # created from the payload, no API call
    post_webhook(ended())
    session.refresh_from_db()
    assert not session.is_running
    assert session.ended_at.isoformat().startswith("2023-06-06T07:55:07")
    kinds = [name for name in captured.names() if not name.startswith("webhook_")]
    assert kinds == ["session_started", "session_ended"]
    assert captured.of("session_ended")[0]["session"] == session
    assert captured.of("session_ended")[0]["room"].vonage_id == ROOM


def test_late_session_started_changes_nothing(post_webhook, captured):
    post_webhook(ended())
    before = Session.objects.values().get()
    assert post_webhook(started()).status_code == 204
    assert Session.objects.values().get() == before
    late = captured.of("session_started")
    assert len(late) == 1
    assert late[0]["stale"] is True


def test_participants(post_webhook, captured):
    post_webhook(person("session:participant:joined"))
    joined = Participant.objects.get()
    assert (joined.name, joined.type, joined.is_host, joined.session_id) == (
        "John Smith",
        "Guest",
        True,
        SESSION,
    )
    assert joined.joined_at is not None
    assert joined.left_at is None
    assert Session.objects.get().room_id == ROOM  # the session was created from the payload
    post_webhook(person("session:participant:left"))
    joined.refresh_from_db()
    assert joined.left_at is not None
    assert joined.joined_at is not None
    assert joined.left_at >= joined.joined_at
    (sent,) = captured.of("participant_left")
    assert sent["sender"] is Participant
    assert sent["participant"] == joined
    assert sent["session"].vonage_id == SESSION


def test_late_join_after_leave(post_webhook, captured):
    post_webhook(person("session:participant:left"))
    post_webhook(person("session:participant:joined"))
    participant = Participant.objects.get()
    assert participant.left_at is not None
    # They did join, and no later than they left; the state stays "left".
    assert participant.joined_at == participant.left_at
    assert captured.of("participant_joined")[0]["stale"] is True


def test_recording_lifecycle(post_webhook, captured):
    post_webhook(started())
    post_webhook(recording("recording:started"))
    rec = Recording.objects.get()
    assert (rec.status, rec.session_id) == ("started", SESSION)
    assert rec.room_id == ROOM  # from the session the mirror already knows
    post_webhook(recording("recording:ended"))
    rec.refresh_from_db()
    assert (rec.status, rec.duration) == ("stopped", 3598.0)
    post_webhook(recording("recording:uploaded"))
    rec.refresh_from_db()
    assert rec.status == "uploaded"
    assert rec.url.endswith("archive.mp4")
    (sent,) = captured.of("recording_uploaded")
    assert sent["sender"] is Recording
    assert sent["recording"] == rec
    assert sent["stale"] is False


@pytest.mark.parametrize("late", ["recording:started", "recording:ended"])
def test_state_never_goes_backwards(post_webhook, captured, late):
    post_webhook(recording("recording:uploaded"))
    before = Recording.objects.values().get()
    post_webhook(recording(late))
    assert Recording.objects.values().get() == before
    signal = "recording_started" if late == "recording:started" else "recording_ended"
    assert captured.of(signal)[0]["stale"] is True


def test_duration_as_a_numeric_string(post_webhook):
    post_webhook(recording("recording:ended", duration="3598"))
    assert Recording.objects.get().duration == 3598.0


def test_old_event_name_recording_ready(post_webhook, captured):
    post_webhook(recording("recording:ready"))
    assert Recording.objects.get().status == "uploaded"
    assert len(captured.of("recording_uploaded")) == 1
    # the same callback under its new name is a duplicate, not a second upload
    post_webhook(recording("recording:uploaded"))
    assert len(captured.of("recording_uploaded")) == 1
    assert WebhookEvent.objects.get().deliveries == 2


def test_duplicates_change_nothing(post_webhook, captured):
    assert post_webhook(started()).status_code == 204
    calls = list(captured.calls)
    rows = Session.objects.values().get()
    assert post_webhook(started()).status_code == 204
    assert post_webhook(started()).status_code == 204
    assert captured.calls == calls
    assert Session.objects.values().get() == rows
    event = WebhookEvent.objects.get()
    assert (event.deliveries, event.attempts) == (3, 1)


def test_stored_fields(post_webhook, client):
    response = post_webhook(started())
    assert response.status_code == 204
    event = WebhookEvent.objects.get()
    assert event.payload == started()
    assert len(event.dedupe_key) == 64
    assert event.processed_at is not None
    assert event.remote_addr == "127.0.0.1"
    assert event.headers["Content-Type"] == "application/json"
    assert "Authorization" not in event.headers


def test_only_the_useful_headers_are_stored(client, webhook_settings, db):
    request = sign(started())
    response = client.generic(
        "POST",
        "/vonage/meetings/webhooks/",
        request.body,
        content_type="application/json; charset=utf-8",
        HTTP_AUTHORIZATION=request.headers["Authorization"],
        HTTP_USER_AGENT="Vonage-Meetings/1.0",
        HTTP_X_REQUEST_ID="req-7",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_COOKIE="sessionid=secret",
        HTTP_X_UNRELATED="no",
    )
    assert response.status_code == 204
    assert WebhookEvent.objects.get().headers == {
        "User-Agent": "Vonage-Meetings/1.0",
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": str(len(request.body)),
        "X-Forwarded-For": "203.0.113.9",
        "X-Request-Id": "req-7",
    }


def test_unknown_event_types_are_stored_as_ignored(post_webhook, captured):
    response = post_webhook({"event": "room:renamed", "room_id": ROOM})
    assert response.status_code == 204
    event = WebhookEvent.objects.get()
    assert event.status == "ignored"
    assert captured.names() == ["webhook_received"]
    assert captured.of("webhook_received")[0]["event"] == event


@pytest.mark.parametrize(
    "payload",
    [
        {"event": "session:started"},
        {"event": "session:started", "session_id": SESSION, "started_at": "yesterday"},
        {
            "event": "recording:ended",
            "recording_id": RECORDING,
            "session_id": SESSION,
            "duration": "long",
        },
        {"event": "session:participant:joined", "participant_id": PARTICIPANT},
        {"no_event": True},
        {"event": 42},
    ],
)
def test_invalid_payloads_are_refused_before_storing(post_webhook, captured, payload):
    response = post_webhook(payload)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    assert WebhookEvent.objects.count() == 0
    assert captured.calls == []


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe", b"null"])
def test_not_json(post_webhook, body):
    response = post_webhook(body)
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_a_failing_receiver_rolls_back_and_the_sender_retries(post_webhook, captured):
    def explode(sender, **kwargs):
        Session.objects.update(ended_at=None)  # would be rolled back
        raise RuntimeError("mail server down")

    signals.session_started.connect(explode, weak=False, dispatch_uid="explode")
    try:
        response = post_webhook(started())
    finally:
        signals.session_started.disconnect(dispatch_uid="explode")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "processing_failed"
    assert "mail server" not in response.content.decode()
    event = WebhookEvent.objects.get()
    assert event.status == "failed"
    assert event.attempts == 1
    assert "RuntimeError: mail server down" in event.error
    assert "Traceback" in event.traceback
    assert Session.objects.count() == 0  # the session row rolled back with the receiver
    (failed,) = captured.of("webhook_failed")
    assert isinstance(failed["exception"], RuntimeError)
    assert failed["payload"] == started()
    assert failed["event"].pk == WebhookEvent.objects.get().pk
    assert captured.of("webhook_processed") == []

    # The sender retries (a fresh signature): now it is applied, once.
    retry = post_webhook(started())
    assert retry.status_code == 204
    event.refresh_from_db()
    assert (event.status, event.attempts, event.deliveries) == ("processed", 2, 2)
    assert Session.objects.count() == 1


def test_a_failing_webhook_failed_receiver_does_not_hide_the_500(post_webhook, caplog):
    def explode(sender, **kwargs):
        raise RuntimeError("mail server down")

    def also_broken(sender, **kwargs):
        raise ValueError("pager down")

    signals.session_started.connect(explode, weak=False, dispatch_uid="explode")
    signals.webhook_failed.connect(also_broken, weak=False, dispatch_uid="also-broken")
    try:
        response = post_webhook(started())
    finally:
        signals.session_started.disconnect(dispatch_uid="explode")
        signals.webhook_failed.disconnect(dispatch_uid="also-broken")
    assert response.status_code == 500
    assert response.json()["code"] == "processing_failed"
    assert WebhookEvent.objects.get().status == "failed"
    assert "webhook_failed receiver" in caplog.text
    assert "pager down" in caplog.text


def test_rows_without_insert_returning_fall_back_to_save(post_webhook, captured, monkeypatch):
    """Databases without ON CONFLICT ... RETURNING (MySQL, Oracle) take the savepoint path."""
    from django_vonage_meetings.webhooks import rows

    monkeypatch.setattr(rows, "_fast_insert", lambda connection: False)
    for body in (started(), person("session:participant:joined"), started(), ended()):
        assert post_webhook(body).status_code == 204
    assert WebhookEvent.objects.count() == 3
    assert WebhookEvent.objects.get(event_type="session:started").deliveries == 2
    session = Session.objects.get()
    assert session.ended_at is not None
    assert session.room_id == ROOM
    assert Participant.objects.get().session_id == SESSION
    assert Room.objects.filter(vonage_id=ROOM).exists()
    assert captured.names().count("session_started") == 1


def test_signals_reference_every_event_type():
    from django_vonage_meetings.enums import EventType

    assert set(signals.EVENT_SIGNALS) == set(EventType.values)


def test_meetings_receiver():
    calls = []

    @signals.meetings_receiver("recording:uploaded", "recording:ready", dispatch_uid="t-upload")
    def on_upload(sender, **kwargs):
        calls.append(sender)

    try:
        signals.recording_uploaded.send(sender=Recording)
        assert calls == [Recording]  # connected once although two names share the signal
    finally:
        signals.recording_uploaded.disconnect(dispatch_uid="t-upload")
    with pytest.raises(ValueError, match="Unknown Meetings event 'recording:finished'"):
        signals.meetings_receiver("recording:finished")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32-be"])
def test_nul_characters_are_refused(post_webhook, encoding):
    body = json.dumps({"event": "room:renamed", "room_id": "a\u0000b"}).encode(encoding)
    response = post_webhook(body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    assert WebhookEvent.objects.count() == 0


def test_a_late_failure_report_does_not_undo_a_processed_event(post_webhook, caplog):
    """Two deliveries race; one fails and rolls back while the other applies the event. The
    failed one's record must not mark the applied event failed."""
    from django_vonage_meetings.webhooks import dedupe_key
    from django_vonage_meetings.webhooks.inbox import Delivery, store_failed_delivery

    assert post_webhook(started()).status_code == 204
    delivery = Delivery(
        payload=started(),
        fields=None,
        dedupe_key=dedupe_key(started()),
        jti="a-racing-delivery",
        auth_method="jwt",
        remote_addr=None,
    )
    event = store_failed_delivery(delivery, RuntimeError("lost the race"))
    event.refresh_from_db()
    assert (event.status, event.error, event.deliveries) == ("processed", "", 2)
    assert "RuntimeError: lost the race" in caplog.text  # the failure is still logged


def test_events_about_mirrored_rows_do_not_touch_their_parents(post_webhook):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post_webhook(person("session:participant:joined"))
    post_webhook(recording("recording:started"))
    for body in (person("session:participant:left"), recording("recording:ended")):
        with CaptureQueriesContext(connection) as queries:
            assert post_webhook(body).status_code == 204
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert "vonage_meetings_session" not in sql
        assert "vonage_meetings_room" not in sql


def test_a_recording_learns_its_room_once_the_mirror_knows_it(post_webhook):
    # recording:started carries no room, and nothing knows the session's room yet
    post_webhook(recording("recording:started"))
    assert Recording.objects.get().room_id is None
    post_webhook(started())  # now the session knows its room
    post_webhook(recording("recording:ended"))
    assert Recording.objects.get().room_id == ROOM


def test_a_recording_takes_its_room_from_recording_uploaded(post_webhook):
    post_webhook(recording("recording:started"))
    assert Recording.objects.get().room_id is None
    post_webhook(recording("recording:uploaded"))  # the one recording event that names the room
    assert Recording.objects.get().room_id == ROOM
    assert Session.objects.get().room_id == ROOM
    assert Room.objects.filter(vonage_id=ROOM).exists()


def test_every_signal_carries_event_and_payload(post_webhook, captured):
    """One receiver can handle any signal: lifecycle signals carry the payload too."""
    post_webhook(started())
    post_webhook({"event": "room:renamed", "room_id": ROOM})
    assert captured.names() == [
        "webhook_received",
        "session_started",
        "webhook_processed",
        "webhook_received",
    ]
    for name, kwargs in captured.calls:
        assert isinstance(kwargs["event"], WebhookEvent), name
        assert kwargs["payload"] == kwargs["event"].payload, name
    assert captured.of("webhook_received")[1]["payload"]["event"] == "room:renamed"
